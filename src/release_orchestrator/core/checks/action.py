"""outdated-action: pypa/gh-action-pypi-publish too old for the distributions it uploads.

The version is read from every form of ref people pin: ``@v1.12.4``, ``@v1.12``,
``@release/v1`` (the moving line: current), ``@release/v1.8`` and ``@release/v1.6.4``
(they state their version), ``@master``/``@main`` (the frozen, Docker-based line), and a
commit SHA with a ``# v1.x.y`` comment; a SHA with no comment through the action's tags
(which the command looks up). What cannot be read (a SHA that is no tag's commit or could
not be looked up, ``@v1``, a branch) is a note, not a finding.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..workflows import PUBLISH_ACTION, Job, Step
from .facts import Facts, Finding, Hedge, Outcome, finding, note
from .topology import hedge

# pypa/gh-action-pypi-publish learned Metadata 2.4 (twine/pkginfo) in v1.12.
_MIN_ACTION = (1, 12)
# The last release of the Docker-based line that master/main stayed on.
_FROZEN_LINE = (1, 5)
_VERSION = re.compile(r"^(?:release/)?v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$")
_COMMENT_VERSION = re.compile(r"(?:^|[\s@/])v?(\d+)\.(\d+)(?:\.(\d+))?\b")
SHA = re.compile(r"^[0-9a-f]{40}$")


def action_ref(step: Step) -> str | None:
    """The ref after ``@`` of a step that uses the publishing action, else None."""
    if not step.uses or step.uses.split("@", 1)[0].strip() != PUBLISH_ACTION:
        return None
    return step.uses.split("@", 1)[1].strip() if "@" in step.uses else ""


def bare_shas(job: Job) -> list[str]:
    """The commits the job's publishing steps pin without a ``# vX.Y.Z`` comment."""
    refs = [(action_ref(step), step) for step in job.publish_steps]
    return [
        ref
        for ref, step in refs
        if ref and SHA.match(ref) and not _COMMENT_VERSION.search(step.uses_comment or "")
    ]


def _read(ref: str, step: Step, facts: Facts) -> tuple[tuple[int, int] | None, str | None]:
    """The (major, minor) the ref runs, and, when unknown, why (None: a moving current ref)."""
    if ref in ("master", "main"):
        return _FROZEN_LINE, None
    if SHA.match(ref):
        comment = _COMMENT_VERSION.search(step.uses_comment or "")
        if comment:
            return (int(comment.group(1)), int(comment.group(2))), None
        return _tagged(ref, facts)
    return _stated(ref)


def _tagged(sha: str, facts: Facts) -> tuple[tuple[int, int] | None, str | None]:
    """The version of the action's tag whose commit ``sha`` is, or why it is unknown."""
    bare = f"the commit {sha[:12]} is pinned without a `# vX.Y.Z` comment naming its version"
    if facts.action_tags is None:
        return None, f"{bare}, and the action's tags could not be read: {facts.action_tags_problem}"
    tag = facts.action_tags.get(sha)
    if tag is None:
        return None, f"{bare}, and it is not the commit of any tag of {PUBLISH_ACTION}"
    version, _ = _stated(tag)
    return version, None if version else f"{bare}, and its tag {tag!r} names no version"


def _stated(ref: str) -> tuple[tuple[int, int] | None, str | None]:
    """The (major, minor) a tag or branch name states."""
    found = _VERSION.match(ref)
    if not found:
        return None, f"the ref {ref!r} names no version"
    if found.group(2) is None:
        if ref.startswith("release/"):
            return None, None  # release/v1: the maintained line, always current
        return None, (
            f"{ref!r} is not a ref the action publishes (its moving ref is release/v1), so "
            "which version runs is unknown"
        )
    return (int(found.group(1)), int(found.group(2))), None


def check_action_version(facts: Facts) -> list[Outcome]:
    """outdated-action for each step that uses the publishing action; notes when unknown."""
    if facts.publishing is None:
        return []
    path = facts.publishing.workflow.path
    found: list[Outcome] = []
    for step in facts.publishing.job.publish_steps:
        ref = action_ref(step)
        if ref is None:
            continue
        version, unknown = _read(ref, step, facts)
        if version is None:
            if unknown:
                found.append(
                    note(f"{PUBLISH_ACTION}@{ref}: version unknown, {unknown}", (path, step.line))
                )
            continue
        if version < _MIN_ACTION:
            found.append(_outdated(ref, version, path, step, hedge(facts, step=step)))
    return found


def _outdated(ref: str, version: tuple[int, int], path: Path, step: Step, unless: Hedge) -> Finding:
    frozen = ref in ("master", "main")
    runs = (
        f"@{ref} is the frozen, Docker-based line (v{version[0]}.{version[1]} and older)"
        if frozen
        else f"@{ref} runs v{version[0]}.{version[1]}"
    )
    return finding(
        "outdated-action",
        "error",
        (path, step.line),
        f"{PUBLISH_ACTION}{runs}, which predates Metadata 2.4: its twine check fails on "
        "current builds with 'Metadata is missing required fields: Name, Version'",
        # zizmor's unpinned-uses asks for a commit SHA on the same line: one fix serves both.
        f"use {PUBLISH_ACTION}@release/v1, or pin the commit SHA of v1.12 or later "
        "with the version in a comment",
        unless=unless,
    )
