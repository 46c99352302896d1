"""Read a token's claims from the dumps publishing clients print when PyPI refuses it.

Formats (the sources quote the templates):

* pypa/gh-action-pypi-publish ``oidc-exchange.py`` ``_RENDERED_CLAIMS``: one
  ``* `name`: `value``` line per claim, ``MISSING`` for an absent one. v1.8.x to v1.10 print
  sub, repository, repository_owner, repository_owner_id, job_workflow_ref, ref;
  ``workflow_ref`` was added in 2024-11 and ``environment`` in 2025-02.
* the same, pasted into an issue or copied from the rendered page: backticks and
  bullets lost (``sub: repo:…``).
* astral-sh/uv ``crates/uv-publish/src/trusted_publishing.rs`` ``TokenRejected``: Rust's
  pretty ``Debug`` of ``GitHubTokenClaims`` (``sub: "…",``; ``environment: Some(`` then
  ``"pypi",``; ``environment: None,``), wrapped in ``GitHub(`` since 2025; uv 0.4 and 0.5
  printed ``OidcTokenClaims { … }`` without an environment field.
* gh-action-pypi-publish ``_REUSABLE_WORKFLOW_WARNING`` (v1.10+): no claim names, but
  "this action was initiated by:" and "Whereas its parent workflow is:", each followed by
  a ref on its own line: job_workflow_ref and workflow_ref. A claims dump, when there is
  one, has the last word; these fill only the claims it does not show.
* a claims block outside any dump: ``name: value`` lines (``job_workflow_ref:  o/r/…``, a
  decoded token's ``"sub": "repo:…",``) as users lay them out in a thread. Such a line is
  taken only inside a run of consecutive ``name: value`` lines in which one value has a
  claim's own shape (``sub`` is ``repo:…``, a ``*workflow_ref`` is ``…/.github/workflows/…@…``),
  so that ``ref: main`` or ``environment: pypi`` in a YAML echo is not taken for a claim.
"""

from __future__ import annotations

import re

from ..publisher import CLAIM_NAMES, Claims

_NAMES = frozenset(CLAIM_NAMES)
# "* `sub`: `repo:o/r:ref:refs/tags/v1`", "- sub: repo:…", "`ref`: `refs/tags/v1`"
_LISTED = re.compile(r"^[*\-•]?\s*(`?)(?P<key>[a-z_]+)\1\s*:\s*(?P<value>.*?)\s*$")
# Rust Debug fields: sub: "…"   environment: Some("…")   environment: None   environment: Some(
_DEBUG_FIELD = re.compile(
    r'(?P<key>[a-z_]+): (?:Some\(\s*)?"(?P<value>(?:[^"\\]|\\.)*)"'
    r"|(?P<absent>[a-z_]+): None\b"
    r"|(?P<open>[a-z_]+): Some\(\s*$"
)
_DEBUG_VALUE = re.compile(r'^"(?P<value>(?:[^"\\]|\\.)*)",?$')
MISSING = "MISSING"
# The reusable-workflow warning's labels, and the claim the ref on the next line is.
_PROSE_LABELS = (
    ("this action was initiated by:", "job_workflow_ref"),
    ("its parent workflow is:", "workflow_ref"),
)
_WORKFLOW_REF = re.compile(r"^\S+/\.github/workflows/\S+@\S+$")
# One "name: value" line of a claims block: YAML-like, padded, or a JSON member.
_PLAIN = re.compile(
    r"""^[*\-•]?\s*(["'`]?)(?P<key>[a-z_]+)\1\s*[:=]\s*(?P<q>["'`]?)(?P<value>.*?)(?P=q),?\s*$"""
)
# Lines that neither add to a claims block nor end it (a JSON object's braces).
_NEUTRAL = re.compile(r"^[{}\[\]],?$")


def _self_evident(key: str, value: str) -> bool:
    """Whether ``value`` has a shape only this claim has, so the line is surely a claim."""
    if key == "sub":
        return value.startswith("repo:")
    if key in ("workflow_ref", "job_workflow_ref"):
        return _WORKFLOW_REF.match(value) is not None
    return False


class ClaimsReader:
    """Collect claims line by line; the last dump in the log wins."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}
        self._missing: set[str] = set()
        self._pending: str | None = None
        self._last: Claims | None = None
        self._prose: dict[str, str] = {}
        self._prose_label: str | None = None
        # A run of plain "name: value" lines outside a dump: held until one of them is
        # unmistakably a claim (then the run, and its continuation, count), else dropped.
        self._held: list[tuple[str, str]] = []
        self._in_block = False

    def start_dump(self) -> None:
        """A claims dump begins: close the previous one."""
        self._close()

    def feed(self, text: str, in_dump: bool) -> bool:
        """Read one cleaned line; return True when it held a claim.

        Outside a dump only unmistakable claim lines count (backticked names, Rust Debug
        fields, a claims block vouched for by one of its values), so that ``ref: main`` in
        a YAML echo is not taken for a claim.
        """
        if not in_dump:
            block = self._block_line(text)
            if block is not None:
                return block
        if self._prose_label is not None:
            label, self._prose_label = self._prose_label, None
            if _WORKFLOW_REF.match(text):
                self._prose[label] = text
                return True
        low = text.lower()
        for phrase, label in _PROSE_LABELS:
            if low.endswith(phrase):
                self._prose_label = label
                return True
        if self._pending is not None:
            pending, self._pending = self._pending, None
            quoted = _DEBUG_VALUE.match(text)
            if quoted:
                self._set(pending, _unescape(quoted.group("value")))
                return True
        if in_dump or "TokenClaims" in text:
            found = False
            for field in _DEBUG_FIELD.finditer(text):
                key = field.group("key") or field.group("absent") or field.group("open")
                if key not in _NAMES:
                    continue
                found = True
                if field.group("key"):
                    self._set(key, _unescape(field.group("value")))
                elif field.group("absent"):
                    self._set(key, None)
                else:
                    self._pending = key
            if found:
                return True
        listed = _LISTED.match(text)
        if listed is None or listed.group("key") not in _NAMES:
            return False
        if not (in_dump or listed.group(1)):
            return False
        value = listed.group("value").strip("`").strip()
        self._set(listed.group("key"), None if value == MISSING else value)
        return True

    @property
    def in_block(self) -> bool:
        """Whether a claims block outside a dump is open: its next lines should be read."""
        return self._in_block

    def _block_line(self, text: str) -> bool | None:
        """Read ``text`` as part of a claims block outside a dump: True when it held a
        claim, False when it was held back, None when it is no block line (and ends one).
        """
        if _NEUTRAL.match(text):
            return False if self._in_block or self._held else None
        plain = _PLAIN.match(text)
        if plain is None or "`" in plain.group(1) + plain.group("q"):
            # Backticked lines are the action's own format, read below.
            self._held, self._in_block = [], False
            return None
        key, value = plain.group("key"), plain.group("value").strip()
        if value.startswith("Some(") or value == "None":
            self._held, self._in_block = [], False  # Rust Debug: read below
            return None
        if key not in _NAMES:
            # Another member of a decoded token (aud, iss, …) keeps a block going; alone,
            # it is no block line ("error: …", "warning: …").
            return False if self._in_block or self._held else None
        if self._in_block:
            self._set(key, None if value == MISSING else value)
            return True
        if not _self_evident(key, value):
            self._held.append((key, value))
            return False
        held = [*self._held, (key, value)]
        self._close()  # the block is a dump of its own: the last one wins
        for held_key, held_value in held:
            self._set(held_key, None if held_value == MISSING else held_value)
        self._in_block = True
        return True

    def result(self) -> Claims | None:
        """The claims of the last dump, or ``None`` when the log showed none."""
        self._close()
        if not self._prose:
            return self._last
        last = self._last or Claims()
        shown = {k: v for k, v in last.as_dict().items() if v is not None}
        fill = {k: v for k, v in self._prose.items() if k not in shown and k not in last.missing}
        return Claims.from_values({**shown, **fill}, last.missing)

    def _set(self, key: str, value: str | None) -> None:
        if value is None or value == MISSING:
            self._values.pop(key, None)
            self._missing.add(key)
        else:
            self._values[key] = value
            self._missing.discard(key)

    def _close(self) -> None:
        self._pending = None
        self._held, self._in_block = [], False
        if self._values or self._missing:
            self._last = Claims.from_values(self._values, self._missing)
        self._values = {}
        self._missing = set()


def _unescape(value: str) -> str:
    return value.replace('\\"', '"').replace("\\\\", "\\")
