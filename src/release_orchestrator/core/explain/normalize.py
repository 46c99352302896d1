r"""Turn one raw log line, in whatever shape the user has it, into clean text and a level.

Handled shapes: GitHub's raw job log (``2024-05-01T12:00:00.0000000Z `` prefixes,
``##[error]`` markers), stderr with unprocessed workflow commands (``::error::…`` with
``%0A`` for line breaks, as gh-action-pypi-publish's ``die()`` prints them), the rendered
page (``Error:`` prefixes), text pasted into an issue (``> `` quotes, indentation, lost
backticks, line numbers turned into links), terminal output (ANSI colours, ``\\r\\n``).
Only lines the sieve picked are cleaned, so the work here is not on the hot path.
"""

from __future__ import annotations

import re

import msgspec

_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z\s?")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
# The runner's rendering of workflow commands in raw logs: ##[error], ##[group], …
_RUNNER_MARKER = re.compile(r"##\[([A-Za-z]+)\]")
# An unprocessed workflow command: ::error::msg, ::warning file=…,title=…::msg
_WORKFLOW_COMMAND = re.compile(r"::([a-z-]+)(?:\s+(.*?))?::")
_COMMAND_TITLE = re.compile(r"(?:title|file)=([^,]*)")
# "Error: " is how the rendered page shows ##[error]; twine's rich log pads its level.
_PAGE_LEVEL = re.compile(r"(Error|Warning|Notice):\s+")
_TOOL_LEVEL = re.compile(r"(ERROR|WARNING)(?:\s+|$)")
# A line number that GitHub turned into a link when a log was pasted into an issue:
# "7049[30](https://github.com/o/r/actions/runs/1/job/2#step:10:31)3" -> "7049303".
_STEP_LINK = re.compile(r"\[(\d+)\]\((?:https://github\.com)?/[^)\s]*#step:\d+:\d+\)")

_LEVELS = {"error": "error", "warning": "warning", "notice": "notice", "debug": "debug"}


class LogLine(msgspec.Struct, frozen=True):
    """A cleaned line: its text, its level (error, warning, …, or "") and runner marker."""

    text: str
    level: str = ""
    marker: str = ""


def clean(raw: bytes) -> list[LogLine]:
    """The cleaned lines in one raw line (an annotation with ``%0A`` holds several)."""
    text = raw.decode("utf-8", "replace")
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    encoded = "%0A" in text
    if encoded:
        # GitHub's annotation encoding, used by gh-action-pypi-publish's die() and warn().
        text = text.replace("%0D", "").replace("%0A", "\n").replace("%25", "%")
    pieces = text.splitlines() if ("\n" in text or "\r" in text) else [text]
    lines: list[LogLine] = []
    inherited = ""
    for piece in pieces:
        line = _clean_piece(piece)
        if not line.text and not line.marker:
            continue
        if encoded and not line.level and inherited:
            line = LogLine(line.text, inherited, line.marker)
        inherited = inherited or line.level
        lines.append(line)
    return lines


def _clean_piece(piece: str) -> LogLine:
    text = _strip_prefixes(piece.strip())
    level = ""
    marker = ""
    if text.startswith("##["):
        found = _RUNNER_MARKER.match(text)
        if found:
            marker = found.group(1).lower()
            text = text[found.end() :]
    elif text.startswith("::"):
        command = _WORKFLOW_COMMAND.match(text)
        if command:
            marker = command.group(1)
            text = text[command.end() :]
            title = _COMMAND_TITLE.search(command.group(2) or "")
            if title and title.group(1).strip():
                text = f"{title.group(1).replace('%3A', ':').strip()}: {text}"
    level = _LEVELS.get(marker, "")
    if not level:
        level, text = _level_prefix(text)
    if "#step:" in text:
        text = _STEP_LINK.sub(r"\1", text)
    return LogLine(text.strip(), level, marker)


def _strip_prefixes(text: str) -> str:
    """Remove quote markers, timestamps and indentation, in whatever order they stack."""
    while text:
        if text[0] == ">":
            text = text[1:].lstrip()
            continue
        if text[0].isdigit():
            stamp = _TIMESTAMP.match(text)
            if stamp:
                text = text[stamp.end() :].lstrip()
                continue
        break
    return text


def _level_prefix(text: str) -> tuple[str, str]:
    """The level a line announces by its first word, and the text without that word."""
    page = _PAGE_LEVEL.match(text)
    if page:
        return page.group(1).lower(), text[page.end() :]
    tool = _TOOL_LEVEL.match(text)
    if tool:
        return tool.group(1).lower(), text[tool.end() :]
    lowered = text[:12].lower()
    # uv ("error: …"), poetry ("HTTP Error 400: …"), twine before rich ("HTTPError: 400 …",
    # the reason on the next line), maturin ("💥 maturin failed"), pytest's
    # summary ("FAILED tests/…"), and twine check's "Checking dist/x.whl: ERROR    …" (rich
    # pads the level mid-line).
    if (
        lowered.startswith(("error:", "http error", "httperror:", "fatal:"))
        or text.startswith(("💥", "FAILED "))
        or "ERROR   " in text
    ):
        return "error", text
    return "", text
