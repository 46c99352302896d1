"""What the doctor's checks read (:class:`Facts`) and what they return (:class:`Finding`).

The command gathers the facts once (files, the git remote, PyPI's answer); every check is
a pure function of them, so a check can be tested, and added, without any I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import msgspec
from packaging.version import Version

from .. import findings
from ..config import ReleaseConfig
from ..findings import Severity
from ..publisher import Claims, Publisher
from ..workflows import Job, Workflow


class Finding(findings.Finding, frozen=True):
    """One problem: a stable code, its severity, where it is, what is wrong and the fix."""

    file: str | None
    line: int | None
    message: str
    fix: str

    @property
    def location(self) -> str:
        """``file:line``, ``file``, or "" when the finding is about no file."""
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    @property
    def where(self) -> str:
        """The location as a prefix for the message (``file:line: ``), or ""."""
        return f"{self.location}: " if self.location else ""

    def to_json(self) -> dict[str, Any]:
        """The finding as the JSON object of ``release doctor --json``."""
        return {
            **super().to_json(),
            "file": self.file,
            "line": self.line,
            "message": self.message,
            "fix": self.fix,
        }


Where = tuple[Path | str | None, int | None]


class Hedge(msgspec.Struct, frozen=True):
    """Why a failure on a path may not happen in the release: the `if:`s, in words, that the
    doctor cannot evaluate before the run and that decide whether the path runs; or, when
    it is known not to run in any run the tag starts, that in words. Neither: certain.
    """

    unknown: tuple[str, ...] = ()
    skipped: str | None = None  # "the step does not run for tag v1 (its if: `…`)"

    @property
    def certain(self) -> bool:
        """Whether the failing path runs in a run the tag starts."""
        return not self.unknown and self.skipped is None


def finding(
    code: str,
    severity: Severity,
    where: Where,
    message: str,
    fix: str,
    *,
    unless: Hedge | None = None,
) -> Finding:
    """A :class:`Finding` at ``where`` (a path and a line, either may be None).

    ``unless``: whether the failing path runs in this release. An error on a path that may
    not run, or does not, cannot be certain to fail it, so it is a warning (same code) that
    says why: ``release cut`` must not refuse a release that may well be sound.
    """
    path, line = where
    file = None if path is None else Path(path).as_posix()
    if severity == "error" and unless is not None and not unless.certain:
        if unless.skipped is not None:
            message = f"{message}; {unless.skipped}"
        else:
            many = len(unless.unknown) > 1
            message = (
                f"{message}; only if the condition{'s' if many else ''} "
                f"{' and '.join(unless.unknown)} let{'' if many else 's'} it run, which "
                "cannot be known before the run"
            )
        severity = "warning"
    return Finding(code, severity, file, line, message, fix)


class Start(msgspec.Struct, frozen=True):
    """A run that will execute the publishing job for the tag."""

    workflow: Workflow  # the file whose trigger starts the run (workflow_ref)
    caller: Job | None  # the job that calls the publishing workflow, when it is reusable
    event: str  # "push", "create" (the tag's creation), "release" or "workflow_run"
    action: str | None = None  # the release's activity type (created, published, …)
    certain: bool = True  # False: an `if:` the doctor cannot evaluate may skip the upload
    after: str | None = None  # for workflow_run: the file of the run it follows

    @property
    def label(self) -> str:
        """The run in words: "the tag push", "the GitHub Release (published)"."""
        if self.event == "push":
            return "the tag push"
        if self.event == "create":
            return "the tag's creation (on: create)"
        if self.event == "workflow_run":
            return f"the workflow_run after {self.after}"
        return f"the GitHub Release ({self.action})" if self.action else "the GitHub Release"


Entry = tuple[Workflow, Job | None]


class Publishing(msgspec.Struct, frozen=True):
    """The publishing job, the workflows whose triggers run it, and the runs the tag starts."""

    workflow: Workflow  # the file that holds the job (job_workflow_ref)
    job: Job
    entries: tuple[Entry, ...]
    starts: tuple[Start, ...]  # the runs that reach the upload (an unknown `if:` counts)
    publisher: Publisher  # the publisher the job's token must match
    claims: Claims = msgspec.field(default_factory=Claims)  # predicted for the first start
    guarded: tuple[Start, ...] = ()  # runs the tag starts whose `if:` skips the upload


class IndexAnswer(Protocol):
    """What the index's JSON API said about the project (``exists`` None: no answer)."""

    @property
    def url(self) -> str:
        """The JSON API URL that was asked."""
        ...

    @property
    def exists(self) -> bool | None:
        """Whether the project exists on the index (None: the index did not answer)."""
        ...

    @property
    def problem(self) -> str | None:
        """Why the index did not answer, in words."""
        ...

    def has_version(self, version: str) -> bool:
        """Whether the index already has ``version`` of the project."""
        ...


class ZizmorRun(msgspec.Struct, frozen=True):
    """What running zizmor on the publishing workflow files gave.

    ``output`` is its JSON; ``problem`` says why there is none (it failed, timed out);
    both None: zizmor is not installed.
    """

    output: str | None = None
    problem: str | None = None


class OtherPackage(msgspec.Struct, frozen=True):
    """Another package of the repository: its name, a tag of its, and its PyPI project."""

    name: str
    tag: str
    project: str | None


class Facts(msgspec.Struct, frozen=True):
    """Everything the checks look at, gathered once by the command."""

    config: ReleaseConfig
    pyproject_text: str
    workflows: tuple[Workflow, ...]
    tag: str
    github_release: bool
    index: str  # the index the publisher is on: "pypi" or "testpypi"
    publishing: Publishing | None = None  # None: no job publishes
    owner: str | None = None  # from the git remote
    repository: str | None = None
    version: Version | None = None  # the version the release carries (None: the tag's)
    project: str | None = None
    check_dist: bool = False  # whether dist/ is compared with the tag
    dist_versions: Mapping[Version, tuple[str, ...]] = msgspec.field(default_factory=dict)
    index_answer: IndexAnswer | None = None  # None: the index was not asked
    # The publishing action's tags as {commit SHA: tag name}, asked only for a SHA pinned
    # without a version comment; None with the reason when they could not be read.
    action_tags: Mapping[str, str] | None = None
    action_tags_problem: str = "they were not looked up"
    # How the GitHub Release is made: a draft runs no workflow until it is published, and
    # a pre-release fires other activity types than a full release.
    draft: bool = False
    prerelease: bool = False
    # zizmor's audit of the publishing workflow files (None: not run, no job publishes).
    zizmor: ZizmorRun | None = None
    # With --package: the repository's other packages, whose tags must not start this job.
    other_packages: tuple[OtherPackage, ...] = ()
    package: str | None = None  # --package: the package checked, named in the hints' commands
    # The branch release cut pushes with the tag ([tool.release] branch, else the checked-out
    # one); None: unknown.
    branch: str | None = None


class Note(msgspec.Struct, frozen=True):
    """Something the doctor could not be sure of, and what it assumed (not a finding)."""

    message: str
    file: str | None = None
    line: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The note as an object of the ``notes`` list in ``release doctor --json``."""
        return {"file": self.file, "line": self.line, "message": self.message}


def note(message: str, where: Where = (None, None)) -> Note:
    """A :class:`Note` at ``where``."""
    path, line = where
    return Note(message, None if path is None else Path(path).as_posix(), line)


Outcome = Finding | Note
Check = Callable[[Facts], Sequence[Outcome]]
