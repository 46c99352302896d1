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


class ClaimsReader:
    """Collect claims line by line; the last dump in the log wins."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}
        self._missing: set[str] = set()
        self._pending: str | None = None
        self._last: Claims | None = None

    def start_dump(self) -> None:
        """A claims dump begins: close the previous one."""
        self._close()

    def feed(self, text: str, in_dump: bool) -> bool:
        """Read one cleaned line; return True when it held a claim.

        Outside a dump only unmistakable claim lines count (backticked names, Rust Debug
        fields), so that ``ref: main`` in a YAML echo is not taken for a claim.
        """
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

    def result(self) -> Claims | None:
        """The claims of the last dump, or ``None`` when the log showed none."""
        self._close()
        return self._last

    def _set(self, key: str, value: str | None) -> None:
        if value is None or value == MISSING:
            self._values.pop(key, None)
            self._missing.add(key)
        else:
            self._values[key] = value
            self._missing.discard(key)

    def _close(self) -> None:
        self._pending = None
        if self._values or self._missing:
            self._last = Claims.from_values(self._values, self._missing)
        self._values = {}
        self._missing = set()


def _unescape(value: str) -> str:
    return value.replace('\\"', '"').replace("\\\\", "\\")
