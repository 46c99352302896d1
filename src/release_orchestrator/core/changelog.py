"""Release notes from the changelog: the section of the version, or Unreleased renamed to it.

Headings are found by a Markdown parser (markdown-it-py, CommonMark), not by line regexes,
so ATX and setext headings, links in headings and code blocks that look like headings are
read as a Markdown renderer reads them. A release heading is one whose first word that is
a version or ``Unreleased`` (brackets, parentheses and a ``v`` aside) names it: Keep a
Changelog (``## [0.1.1] - 2026-12-01``, ``## [Unreleased]``), towncrier
(``## project 0.1.1 (2026-12-01)``), scriv (``# 0.1.1 — 2026-12-01``) and commitizen
(``## v0.1.1 (2026-12-01)``). Releases are the headings of the highest level among those,
and a section runs to the next heading of that level or higher.

The edit keeps every other byte, line endings included: only the Unreleased heading line,
and a Keep a Changelog ``[Unreleased]: …...HEAD`` link definition, are rewritten.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from packaging.version import InvalidVersion, Version

from ..errors import CheckFailure
from .config import ReleaseConfig
from .model import FileChange, display_path
from .pyproject import Files, read_file

if TYPE_CHECKING:
    from markdown_it.token import Token

DEFAULT_CHANGELOG = "CHANGELOG.md"
UNRELEASED = "unreleased"

# Lines as markdown-it counts them: it reads \r\n, \r and \n each as one line break.
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+\Z")
_BREAK = re.compile(r"(?:\r\n?|\n)\Z")
_WORD_EDGES = "[]()<>*_`'\",;:"
_ATX_CLOSE = re.compile(r"[ \t]+#+[ \t]*\Z")
_PAREN_DATE = re.compile(r"\(\d{4}-\d{2}-\d{2}\)")


class Section(msgspec.Struct, frozen=True):
    """One release's heading and the lines of its notes (0-based, end exclusive)."""

    word: str  # the heading's version or Unreleased, as written (``v0.1.1``, ``Unreleased``)
    version: Version | None  # None for Unreleased
    title: str  # the heading's text
    line: int  # the heading's (first) line
    body: tuple[int, int]  # the notes: from after the heading to the last block before the next


class ChangelogPlan(msgspec.Struct, frozen=True):
    """What the changelog holds for the version being cut, and the edit it needs."""

    name: str  # the file, relative to the project root
    notes: str | None  # the section's text, the GitHub Release body; None when missing
    change: FileChange | None  # Unreleased renamed to the version; None when already there
    problem: CheckFailure | None  # no section at all

    @property
    def warnings(self) -> list[str]:
        """What the plan says about notes that are there but empty."""
        if self.notes == "":
            return [f"the {self.name} section of this release has no text"]
        return []


def _split_lines(text: str) -> list[str]:
    return _LINE.findall(text)


def _heading_word(title: str) -> tuple[str, Version | None] | None:
    """The first word of a heading that is a version or Unreleased, and the version."""
    for raw in title.split():
        word = raw.strip(_WORD_EDGES)
        if word.lower() == UNRELEASED:
            return word, None
        try:
            return word, Version(word)
        except InvalidVersion:
            continue
    return None


def _inline_text(token: Token) -> str:
    """A heading's text as shown: its text and code spans, without markup or HTML."""
    parts: list[str] = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def parse_sections(text: str) -> tuple[list[Section], dict[str, Any]]:
    """The release sections of a Markdown changelog, newest first as written, and the
    link reference definitions (markdown-it's ``references``, each with its ``map``).
    """
    from markdown_it import MarkdownIt

    env: dict[str, Any] = {}
    tokens = MarkdownIt("commonmark").parse(text.removeprefix("\ufeff"), env)
    headings: list[tuple[int, int, int, str]] = []  # (level, first line, end line, title)
    blocks: list[tuple[int, int]] = []  # the top-level blocks' line spans
    for index, token in enumerate(tokens):
        if token.level != 0 or token.map is None:
            continue
        blocks.append((token.map[0], token.map[1]))
        if token.type == "heading_open":
            title = _inline_text(tokens[index + 1])
            headings.append((int(token.tag[1:]), token.map[0], token.map[1], title))
    named = [(h, _heading_word(h[3])) for h in headings]
    levels = [h[0] for h, word in named if word is not None]
    if not levels:
        return [], env.get("references", {})
    top = min(levels)
    starts = [h[1] for h in headings if h[0] <= top]
    sections: list[Section] = []
    for (level, first, end, title), word in named:
        if level != top or word is None:
            continue
        following = next((s for s in starts if s > first), None)
        inside = [
            b_end
            for b_start, b_end in blocks
            if end <= b_start and (following is None or b_start < following)
        ]
        body_end = max(inside, default=end)
        sections.append(Section(word[0], word[1], title, first, (end, body_end)))
    return sections, env.get("references", {})


def _notes(lines: list[str], section: Section, references: dict[str, Any]) -> str:
    """The section's text without its heading, with the link definitions it uses."""
    start, end = section.body
    body = [_BREAK.sub("", line) for line in lines[start:end]]
    while body and not body[0].strip():
        body.pop(0)
    while body and not body[-1].strip():
        body.pop()
    if not body:
        return ""
    # Reference links (``[#12]``) resolve against definitions at the end of the file: the
    # Release body carries the ones it uses, or GitHub would show them as plain text.
    text = "\n".join(body)
    used = sorted(
        ref["map"][0]
        for label, ref in references.items()
        if ref.get("map") and f"[{label}]" in text.upper() and not start <= ref["map"][0] < end
    )
    definitions = [_BREAK.sub("", lines[line]) for line in used]
    return "\n".join([*body, "", *definitions] if definitions else body) + "\n"


def _dated_heading(line: str, word: str, label: str, dated: str) -> str:
    """The Unreleased heading line with ``label`` for the word and the date added."""
    ending = _BREAK.search(line)
    eol = ending.group() if ending else ""
    content = line[: len(line) - len(eol)]
    close = _ATX_CLOSE.search(content)
    tail = close.group() if close else ""
    content = content[: len(content) - len(tail)].rstrip(" \t")
    content = content.replace(word, label, 1)
    return f"{content}{dated}{tail}{eol}"


def _rename_link(
    lines: list[str], references: dict[str, Any], word: str, label: str, tag: str
) -> None:
    """Point Keep a Changelog's ``[Unreleased]: …/compare/PREV...HEAD`` at the new tag,
    under the version's label; any other definition is left as it is.
    """
    reference = references.get(word.upper())
    if reference is None or label.upper() in references:
        return
    href, where = str(reference.get("href", "")), reference.get("map")
    if not href.endswith("...HEAD") or not where or href not in lines[where[0]]:
        return
    line = where[0]
    new_href = href.removesuffix("HEAD") + tag
    renamed = re.sub(
        rf"\[{re.escape(word)}\]", f"[{label}]", lines[line], count=1, flags=re.IGNORECASE
    )
    lines[line] = renamed.replace(href, new_href, 1)


def _style(sections: list[Section], version: Version, today: date) -> tuple[str, str]:
    """The new heading's version label and date, written as the latest release's are."""
    latest = next((s for s in sections if s.version is not None), None)
    label = str(version)
    if latest is not None and latest.word[:1] in ("v", "V"):
        label = f"{latest.word[0]}{label}"
    if latest is not None and _PAREN_DATE.search(latest.title):
        return label, f" ({today.isoformat()})"
    return label, f" - {today.isoformat()}"


def plan_changelog(
    path: Path, name: str, data: bytes, version: Version, tag: str, today: date
) -> ChangelogPlan:
    """The section of ``version`` in the changelog ``data``; else its Unreleased section,
    renamed to ``version`` dated ``today`` (and ``tag`` in its compare link); else a
    failed check. The change is byte-exact: every line not renamed keeps its bytes.
    """
    # surrogateescape makes decode/encode a byte-exact round trip, whatever the encoding.
    text = data.decode("utf-8", "surrogateescape")
    lines = _split_lines(text)
    sections, references = parse_sections(text)
    own = next((s for s in sections if s.version == version), None)
    if own is not None:
        return ChangelogPlan(name, _notes(lines, own, references), None, None)
    unreleased = next((s for s in sections if s.version is None), None)
    if unreleased is None:
        return ChangelogPlan(
            name,
            None,
            None,
            CheckFailure(
                f"{name} has no section for {version} and no Unreleased section",
                f"add a `## [Unreleased]` section to {name} with the notes of this release "
                "and commit it (or set changelog = false in [tool.release])",
            ),
        )
    label, dated = _style(sections, version, today)
    lines[unreleased.line] = _dated_heading(lines[unreleased.line], unreleased.word, label, dated)
    _rename_link(lines, references, unreleased.word, label, tag)
    after = "".join(lines).encode("utf-8", "surrogateescape")
    notes = _notes(lines, unreleased, references)
    return ChangelogPlan(name, notes, FileChange(path, data, after), None)


def changelog_for(
    root: Path,
    config: ReleaseConfig,
    version: Version,
    today: date,
    files: Files,
) -> ChangelogPlan | None:
    """The changelog's plan for ``version``: ``[tool.release] changelog``, else
    ``CHANGELOG.md`` when it exists; None when there is none or it is turned off.
    """
    if config.changelog is False:
        return None
    path = root / (config.changelog or DEFAULT_CHANGELOG)
    if config.changelog is None and not files.is_file(path):
        return None
    data = read_file(files, root, path, "[tool.release] changelog")
    return plan_changelog(
        path, display_path(root, path), data, version, config.tag_for(str(version)), today
    )
