"""GitHub Actions' own channels: workflow-command annotations and the job's step summary.

A command that runs inside a workflow (``GITHUB_ACTIONS=true``) says what it found there
too, so that the maintainer reads it on the run page: an ``::error file=…,line=…::``
annotation is shown on the workflow line it names, and ``GITHUB_STEP_SUMMARY`` is a file
whose markdown GitHub shows under the job.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

# GitHub's escaping of workflow commands: data escapes %, CR and LF; properties also : and ,.
_DATA = {"%": "%25", "\r": "%0D", "\n": "%0A"}
_PROPERTY = {**_DATA, ":": "%3A", ",": "%2C"}


def in_actions(env: Mapping[str, str]) -> bool:
    """Whether the command runs as a step of a GitHub Actions job."""
    return env.get("GITHUB_ACTIONS") == "true"


def _escape(text: str, table: Mapping[str, str]) -> str:
    return "".join(table.get(char, char) for char in text)


def annotation(
    level: str,
    message: str,
    *,
    file: str | None = None,
    line: int | None = None,
    title: str | None = None,
) -> str:
    """The workflow command ``::LEVEL file=…,line=…,title=…::message`` (level: error,
    warning or notice), escaped as GitHub reads it.
    """
    properties = {"file": file, "line": None if line is None else str(line), "title": title}
    given = ",".join(
        f"{name}={_escape(value, _PROPERTY)}" for name, value in properties.items() if value
    )
    return f"::{level}{' ' + given if given else ''}::{_escape(message, _DATA)}"


def append_summary(env: Mapping[str, str], markdown: str) -> None:
    """Add ``markdown`` to the step summary, when the job has one."""
    summary = env.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as handle:
            handle.write(markdown.rstrip("\n") + "\n")


def cell(text: str) -> str:
    """``text`` as one cell of a markdown table (no line breaks, no column breaks)."""
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")
