"""Read the lines the sieve picked and collect what they show about the failure.

The scanner keeps a little state between lines because the messages it reads span
several: a claims dump follows its header, an HTTP error's body follows the error line,
a step's inputs (``with:``/``env:``) follow its ``Run`` line. When it meets the start of
such a message it asks the sieve for the following lines.
"""

from __future__ import annotations

import re
from collections import deque

import msgspec

from ..publisher import Claims
from ..workflows import PUBLISH_ACTION, PUBLISH_COMMANDS, TOKEN_ENV_PATTERN
from .claims import ClaimsReader
from .normalize import LogLine
from .rules import RULES, Rule, Variant
from .sieve import LineSieve

# Lines read after each line of a claims block outside a dump (environment: …, ref: …).
_CLAIMS_BLOCK_LINES = 2
CLAIMS_HEADERS = (
    "the claims rendered below",  # gh-action-pypi-publish _RENDERED_CLAIMS
    "token claims, which must match",  # uv TokenRejected
)
# A message that continues on the next lines: read that many more.
_CONTINUES = (
    ("trusted publishing exchange failure", 40),
    ("token request failed", 30),
    ("openid connect token retrieval failed", 14),
    ("potential workflow misconfiguration", 24),
    ("attestation generation failure", 8),
    ("caused by", 8),
    ("response from", 10),  # twine --verbose: "INFO Response from https://…/legacy/:"
    ("content received from server", 12),  # older twine --verbose, then the HTML body
    ("calling workflow is a reusable workflow", 12),  # the refs that tell the two apart
)
# The index's reason on a line of its own ("400 Filename … is invalid,"), which a paste or a
# terminal often wraps: read the next lines too.
_STATUS_LINE = re.compile(r"4\d\d [a-z'\"<]")
_STATUS_FOLLOW = 3
_CLAIMS_DUMP_LINES = 24
_STEP_INPUT_LINES = 30
_AFTER_ERROR_LINES = 3
_ERROR_CONTEXT_LINES = 3
_KEPT_ERROR_LINES = 12

# The publishing steps are the doctor's (one list, in core.workflows).
_PUBLISH_STEP = re.compile(
    rf"run\s+(?:{PUBLISH_ACTION}|pyo3/maturin-action|.*\b(?:{PUBLISH_COMMANDS}))"
)
# Inputs a step echoes under "with:"/"env:" that carry the upload secret.
_SECRET_INPUT = re.compile(rf"(password|{TOKEN_ENV_PATTERN.lower()}):\s*(.*)")
_EXIT_CODE = "process completed with exit code"
# gh-action-pypi-publish before v1.9 tried trusted publishing whenever `password` was empty
# (twine-upload.sh), and said so in these words; v1.9 renamed them "trusted publishing".
_LEGACY_EXCHANGE = (
    "oidc credential exchange",
    "oidc exchange failure",
    "due to __token__ username with no supplied password field",
)
# An upload begins: twine "Uploading distributions to …" and "Uploading NAME.whl", uv
# "Uploading NAME.whl (3.2KiB)", poetry " - Uploading NAME.tar.gz 100%".
_UPLOAD_START = re.compile(r"\buploading (?:distributions to |\S+\.(?:whl|tar\.gz|zip)\b)")
# Only lines about the upload target tell which index the job used ("/simple/" is pip).
_TARGET_HINTS = ("/legacy", "audience retrieval failed", "mint-token", "repository-url")

# Flat tables: one loop over (phrase, rule) pairs is several times faster than asking each
# rule in turn, and this runs for every selected line.
_PHRASES = tuple((phrase, rule) for rule in RULES for phrase in rule.phrases)
_PATTERNS = tuple((rule.pattern, rule) for rule in RULES if rule.pattern is not None)
_UPLOAD_PHRASES = tuple((phrase, rule) for rule in RULES for phrase in rule.upload_phrases)


class Hit(msgspec.Struct, frozen=True):
    """A rule that fired, the line that fired it and the variant that line selects."""

    rule: Rule
    line: str
    variant: Variant | None


class Evidence(msgspec.Struct):
    """Everything the scan learnt from the logs."""

    hits: dict[str, Hit] = msgspec.field(default_factory=dict)
    claims: Claims | None = None
    error_lines: list[str] = msgspec.field(default_factory=list)
    index: str | None = None
    publish_step: bool = False
    exit_code: bool = False
    empty_secret: str | None = None
    legacy_exchange: str | None = None


class Scanner:
    """Feed it cleaned lines; :meth:`finish` returns the :class:`Evidence`."""

    def __init__(self, sieve: LineSieve) -> None:
        self._sieve = sieve
        self._claims = ClaimsReader()
        self._evidence = Evidence()
        self._errors: deque[str] = deque(maxlen=_KEPT_ERROR_LINES)
        self._index: str | None = None
        self._dump_left = 0
        self._inputs_left = 0
        self._context_left = 0
        self._last = ("", "")  # the line read before this one, and its lowercase
        self._uploading = False  # an upload has begun in this log

    def start_log(self) -> None:
        """A new log begins: multi-line messages do not continue across logs."""
        self._sieve.reset()
        self._dump_left = self._inputs_left = self._context_left = 0
        self._last = ("", "")
        self._uploading = False

    def feed(self, line: LogLine) -> None:
        """Read one cleaned line."""
        self._dump_left = max(self._dump_left - 1, 0)
        self._inputs_left = max(self._inputs_left - 1, 0)
        self._context_left = max(self._context_left - 1, 0)
        if line.marker == "endgroup":
            self._inputs_left = 0
            return
        text = line.text
        if not text:
            return
        low = text.lower()
        for header in CLAIMS_HEADERS:
            if header in low:
                self._claims.start_dump()
                self._dump_left = _CLAIMS_DUMP_LINES
                self._sieve.follow(_CLAIMS_DUMP_LINES)
        if self._claims.feed(text, self._dump_left > 0):
            if self._claims.in_block:
                # A claims block laid out by hand: its unanchored lines follow.
                self._sieve.follow(_CLAIMS_BLOCK_LINES)
            return
        self._read_step(low)
        self._read_target(low)
        if any(phrase in low for phrase in _LEGACY_EXCHANGE):
            self._evidence.legacy_exchange = self._evidence.legacy_exchange or text
        # A wrapped message can split a phrase over two lines: read them joined as well.
        last_text, last_low = self._last
        self._last = (text, low)
        joined_text, joined = f"{last_text} {text}", f"{last_low} {low}"
        for phrase, rule in _PHRASES:
            if phrase in low:
                self._hit(rule, text, low)
            elif last_low and phrase not in last_low and phrase in joined:
                self._hit(rule, joined_text, joined)
        for pattern, rule in _PATTERNS:
            if pattern.search(low):
                self._hit(rule, text, low)
            elif last_low and not pattern.search(last_low) and pattern.search(joined):
                self._hit(rule, joined_text, joined)
        if _UPLOAD_START.search(low):
            self._uploading = True
        elif self._uploading:
            for phrase, rule in _UPLOAD_PHRASES:
                if phrase in low:
                    self._hit(rule, text, low)
        for phrase, count in _CONTINUES:
            if phrase in low:
                self._sieve.follow(count)
        if _STATUS_LINE.match(low):
            self._sieve.follow(_STATUS_FOLLOW)
        self._read_error(line, low)

    def finish(self) -> Evidence:
        """The evidence gathered from every log fed so far."""
        evidence = self._evidence
        evidence.claims = self._claims.result()
        evidence.error_lines = list(self._errors)
        evidence.index = evidence.index or self._index
        return evidence

    def _hit(self, rule: Rule, text: str, low: str) -> None:
        hits = self._evidence.hits
        variant = rule.variant(low)
        known = hits.get(rule.code)
        if known is None:
            hits[rule.code] = Hit(rule, text, variant)
            if rule.stage in ("exchange", "upload") and self._evidence.index is None:
                # The index in use when the first failure appeared is the one that failed.
                self._evidence.index = self._index
        elif known.variant is None and variant is not None:
            hits[rule.code] = Hit(rule, text, variant)

    def _read_step(self, low: str) -> None:
        if _PUBLISH_STEP.match(low):
            self._evidence.publish_step = True
            self._inputs_left = _STEP_INPUT_LINES
            self._sieve.follow(_STEP_INPUT_LINES)
        elif self._inputs_left:
            secret = _SECRET_INPUT.match(low)
            if secret and not secret.group(2).strip():
                self._evidence.empty_secret = secret.group(1)

    def _read_target(self, low: str) -> None:
        if "pypi.org" not in low:
            return
        if self._inputs_left or any(hint in low for hint in _TARGET_HINTS):
            self._index = "testpypi" if "test.pypi.org" in low else "pypi"

    def _read_error(self, line: LogLine, low: str) -> None:
        if low.startswith(_EXIT_CODE):
            self._evidence.exit_code = True
            return
        if line.level == "error":
            self._keep_error(line.text)
            self._context_left = _ERROR_CONTEXT_LINES + 1
            self._sieve.follow(_AFTER_ERROR_LINES)
        elif self._context_left and not line.level and not line.marker:
            self._keep_error(line.text)

    def _keep_error(self, text: str) -> None:
        if not self._errors or self._errors[-1] != text:
            self._errors.append(text)
