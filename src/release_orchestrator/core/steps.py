"""The steps of ``release cut``, in one list: each step describes itself and runs itself.

Like tbump's actions (``print_self()``/``do()``): the plan shown before confirming, the
``--json`` steps, the execution, the resume (``already-done``) and the rollback all walk
:attr:`ReleasePlan.steps`. A step runs against a :class:`Workspace` that the command
passes in (the git repository, the files, GitHub), so this module does no I/O itself.
The push a step shows is the argv it runs.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import TYPE_CHECKING, Literal, Protocol

import msgspec

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .model import FileChange, ReleaseInfo
    from .plan import ReleasePlan


class StepStatus(str, Enum):
    """What happened (or will happen) to one step; the values are part of the JSON contract."""

    TODO = "todo"  # planned, not yet run; never reported once the run has finished
    DONE = "done"
    SKIPPED = "skipped"
    ALREADY_DONE = "already-done"


class Workspace(Protocol):
    """What the steps change: the files, the git repository and GitHub."""

    def write(self, changes: Sequence[FileChange]) -> None:
        """Write the version changes (all or nothing)."""

    def commit(self, paths: list[str], message: str) -> str:
        """Commit ``paths``; return the new commit's sha."""

    def tag(self, tag: str, message: str, commit: str) -> None:
        """Create the annotated tag."""

    def push(self, argv: tuple[str, ...], remote: str) -> None:
        """Run ``git`` with ``argv`` (the push the plan shows) to ``remote``."""

    def release(self, plan: ReleasePlan) -> ReleaseInfo:
        """Create the GitHub Release of the plan's tag."""


class Step(msgspec.Struct):
    """One step: its JSON name, its number and label in the plan, and its status."""

    status: StepStatus
    name = ""
    number = 0
    label = ""
    # A failure in this step (or an earlier one) puts the repository back as it was.
    undoable = True

    def shown(self, plan: ReleasePlan, repo_name: str | None) -> str:
        """What the step does, on its plan line."""
        raise NotImplementedError

    def details(self, plan: ReleasePlan) -> list[str]:
        """Lines shown under the plan line (the diff of a rewrite)."""
        del plan
        return []

    def describe(self, plan: ReleasePlan, repo_name: str | None) -> list[str]:
        """The step's lines in the plan, with its status unless it is still to do."""
        state = "" if self.status is StepStatus.TODO else f"  [{self.status.value}]"
        line = f"  {self.number}. {self.label.ljust(8)} {self.shown(plan, repo_name)}{state}"
        return [line, *self.details(plan)]

    def run(self, plan: ReleasePlan, workspace: Workspace) -> str:
        """Do the step; return the line that says it is done."""
        raise NotImplementedError


class Rewrite(Step):
    """Set the new version in every file that holds it."""

    name, number, label = "rewrite", 1, "rewrite"

    def shown(self, plan: ReleasePlan, repo_name: str | None) -> str:
        """The files rewritten."""
        return ", ".join(str(c.path.relative_to(plan.root)) for c in plan.changes) or "nothing"

    def details(self, plan: ReleasePlan) -> list[str]:
        """The unified diff of each file."""
        return [f"       {line}" for c in plan.changes for line in c.diff(plan.root).splitlines()]

    def run(self, plan: ReleasePlan, workspace: Workspace) -> str:
        """Write the files."""
        workspace.write(plan.changes)
        return f"✓ set the version to {plan.version} in {len(plan.changes)} file(s)"


class Commit(Step):
    """Commit the rewritten files with the release message."""

    name, number, label = "commit", 2, "commit"

    def shown(self, plan: ReleasePlan, repo_name: str | None) -> str:
        """The commit message."""
        return repr(plan.commit_message)

    def run(self, plan: ReleasePlan, workspace: Workspace) -> str:
        """Make the release commit."""
        paths = [str(change.path.relative_to(plan.root)) for change in plan.changes]
        plan.release_commit = workspace.commit(paths, plan.commit_message)
        return f"✓ committed {plan.release_commit[:7]} {plan.commit_message!r}"


class Tag(Step):
    """Create the annotated tag on the release commit."""

    name, number, label = "tag", 3, "tag"

    def shown(self, plan: ReleasePlan, repo_name: str | None) -> str:
        """The tag and its message."""
        return f"{plan.tag} (annotated: {plan.tag_message!r})"

    def run(self, plan: ReleasePlan, workspace: Workspace) -> str:
        """Tag the release commit."""
        assert plan.release_commit is not None
        workspace.tag(plan.tag, plan.tag_message, plan.release_commit)
        return f"✓ tagged {plan.tag}"


class Push(Step):
    """Push the branch and the tag atomically: both land or neither does."""

    name, number, label = "push", 4, "push"

    def shown(self, plan: ReleasePlan, repo_name: str | None) -> str:
        """The exact git command that runs."""
        return " ".join(("git", *plan.push_argv()))

    def run(self, plan: ReleasePlan, workspace: Workspace) -> str:
        """Run that command."""
        workspace.push(plan.push_argv(), plan.remote)
        return f"✓ pushed {plan.branch} and {plan.tag} to {plan.remote}"


class GitHubRelease(Step):
    """Create the GitHub Release of the tag; after the push, so never undone."""

    name, number, label = "github-release", 5, "release"
    undoable = False

    def shown(self, plan: ReleasePlan, repo_name: str | None) -> str:
        """The REST call that creates the release."""
        if repo_name is None:
            return "no GitHub Release"
        body: dict[str, object] = {
            "tag_name": plan.tag,
            "draft": plan.draft,
            "prerelease": plan.prerelease,
            "generate_release_notes": plan.generate_notes,
            "make_latest": "true" if plan.latest else "false",
        }
        if not plan.generate_notes:
            body["name"] = plan.tag  # generated notes would name it so
        if plan.notes is not None:
            body["body"] = plan.notes
        return f"POST /repos/{repo_name}/releases {json.dumps(body)}"

    def run(self, plan: ReleasePlan, workspace: Workspace) -> str:
        """Create the release."""
        plan.release = workspace.release(plan)
        return f"✓ created the GitHub Release {plan.release.url}"


# The order in which the steps run, are shown and are listed in --json.
STEP_TYPES: tuple[type[Step], ...] = (Rewrite, Commit, Tag, Push, GitHubRelease)


# Called with a step and "before" or "after" as each step still to do runs: where the
# tests inject faults and interrupts, at the steps' own boundaries.
StepEvent = Literal["before", "after"]


class StepHook(Protocol):
    """Told about each step still to do, just before it runs and just after it is done."""

    def __call__(self, step: Step, event: StepEvent) -> None:
        """React to ``step`` reaching ``event``."""
