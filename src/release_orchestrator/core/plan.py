"""The pure half of ``release cut``: from the facts gathered, decide the checks and the steps.

Nothing here touches git, GitHub or files. :func:`plan_cut` either returns a
:class:`ReleasePlan` or raises :class:`ChecksFailed` with every failed check at once.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
from msgspec.structs import replace
from packaging.version import Version

from ..errors import CheckFailure, ChecksFailed
from .changelog import ChangelogPlan
from .config import ReleaseConfig
from .model import FileChange, ReleaseInfo, RemoteState, VersionSource
from .packages import command
from .resume import FastForward, RemoteTag, foreign_reason
from .steps import STEP_TYPES, Step, StepStatus
from .version import highest_tag, is_prerelease

__all__ = [
    "CutOptions",
    "Preflight",
    "ReleasePlan",
    "RepoFacts",
    "StepStatus",
    "VersionFacts",
    "plan_cut",
]


class CutOptions(msgspec.Struct, frozen=True):
    """What the maintainer asked for on the command line, merged with ``[tool.release]``."""

    spec: str
    remote: str
    branch: str | None
    push: bool
    github_release: bool
    draft: bool
    dry_run: bool
    generate_notes: bool = False  # GitHub's generated notes too, after the changelog's
    package: str | None = None  # --package: the package released, in a repository of several


class RepoFacts(msgspec.Struct, frozen=True):
    """The state of the local repository and its remote, read before planning."""

    root: Path
    branch: str | None
    head: str | None
    head_message: str
    changed_files: tuple[str, ...]
    identity_problem: str | None
    remote_url: str | None
    remote_state: RemoteState | None
    # (ahead, behind) of the release branch against the remote's; None if not comparable.
    divergence: tuple[int, int] | None
    local_tags: dict[str, str]


class VersionFacts(msgspec.Struct, frozen=True):
    """Where the version lives, what it is, and what the maintainer asked it to become."""

    source: VersionSource
    current: Version | None
    target: Version | None
    target_problem: CheckFailure | None  # why SPEC gave no version
    notices: tuple[str, ...] = ()


class Preflight(msgspec.Struct, frozen=True):
    """Whether the planned changes can be made, found out before planning makes any.

    The command asks git about the tag name and opens each file to rewrite, so that a
    name git refuses or a file that cannot be written is a failed check, not a half-made
    release.
    """

    tag_problem: str | None = None  # why git refuses the tag's ref name
    unwritable: tuple[tuple[str, str], ...] = ()  # (file, why it cannot be written)


def preflight_checks(
    preflight: Preflight, tag: str, commit_message: str, scm: bool
) -> list[CheckFailure]:
    """The failed checks among the facts of :class:`Preflight` and the rendered messages."""
    failures: list[CheckFailure] = []
    if preflight.tag_problem is not None:
        failures.append(
            CheckFailure(
                f"the tag name {tag!r} is not a valid git ref name ({preflight.tag_problem})",
                "change tag-prefix in [tool.release]: no spaces, '..', '~', '^', ':', '?', "
                "'*', '[' or '\\'",
            )
        )
    for name, why in preflight.unwritable:
        failures.append(
            CheckFailure(
                f"cannot write {name}: {why}",
                "make it writable (chmod u+w, chattr -i, or a writable mount), then run "
                "release again",
            )
        )
    if not scm and not commit_message.strip():
        failures.append(
            CheckFailure(
                "[tool.release] commit-message renders to an empty message, which git refuses",
                'give it some text, e.g. "Release {version}"',
            )
        )
    return failures


class ReleasePlan(msgspec.Struct):
    """Everything ``release cut`` will do, decided before doing any of it."""

    previous: Version | None
    version: Version
    tag: str
    source: VersionSource
    changes: list[FileChange]
    commit_message: str
    tag_message: str
    remote: str
    branch: str
    prerelease: bool
    latest: bool
    draft: bool
    release_commit: str | None  # known up front only when resuming; set by the commit step
    root: Path
    steps: tuple[Step, ...] = ()
    release: ReleaseInfo | None = None  # found (resuming) or made by the github-release step
    # Our release commit, found on the remote only: the local branch moves to it first.
    fast_forward: FastForward | None = None
    # The GitHub Release's body: the changelog's section (None: GitHub generates the notes).
    notes: str | None = None
    generate_notes: bool = True  # ask GitHub to generate notes (after ``notes``, if any)
    warnings: list[str] = msgspec.field(default_factory=list)
    notices: list[str] = msgspec.field(default_factory=list)
    package: str | None = None  # the package released, in a repository of several

    def step(self, name: str) -> Step:
        """The step called ``name`` (``rewrite``, ``commit``, ``tag``, ``push``…)."""
        return next(step for step in self.steps if step.name == name)

    def push_argv(self) -> tuple[str, ...]:
        """The arguments of the git push the release performs (and the plan shows)."""
        return ("push", "--atomic", self.remote, self.branch, f"refs/tags/{self.tag}")


def highest_tagged(repo: RepoFacts, prefix: str) -> Version | None:
    """The highest version among local and remote tags that carry the tag prefix."""
    remote_tags = repo.remote_state.tags if repo.remote_state else {}
    highest = highest_tag([*remote_tags, *repo.local_tags], prefix)
    return highest[0] if highest else None


def _short(sha: str) -> str:
    return sha[:7]


def _branch_checks(repo: RepoFacts, remote: str, branch: str | None) -> list[CheckFailure]:
    failures: list[CheckFailure] = []
    if repo.head is None:
        return [CheckFailure("the repository has no commits yet", "commit your project first")]
    if repo.branch is None:
        failures.append(
            CheckFailure(
                "HEAD is detached, not on a branch",
                f"check out the release branch: git switch {branch or 'main'}",
            )
        )
    elif branch is not None and repo.branch != branch:
        failures.append(
            CheckFailure(
                f"on branch {repo.branch!r}, but releases are cut from {branch!r}",
                f"git switch {branch}, or pass --branch {repo.branch} for a maintenance branch",
            )
        )
    if repo.changed_files:
        shown = ", ".join(repo.changed_files[:5])
        more = f" and {len(repo.changed_files) - 5} more" if len(repo.changed_files) > 5 else ""
        failures.append(
            CheckFailure(
                f"uncommitted changes to tracked files: {shown}{more}",
                "commit or stash them first (git stash)",
            )
        )
    if repo.identity_problem:
        failures.append(
            CheckFailure(
                f"git cannot make the release commit: {repo.identity_problem}",
                "set git config user.name and user.email",
            )
        )
    if repo.remote_url is None:
        failures.append(
            CheckFailure(
                f"there is no git remote named {remote!r}",
                f"pass --remote NAME, or add it: git remote add {remote} URL",
            )
        )
    elif branch is None:
        failures.append(
            CheckFailure(
                f"cannot tell the release branch: {remote!r} reports no default branch",
                "set branch in [tool.release] or pass --branch NAME",
            )
        )
    elif repo.remote_state is not None and branch not in repo.remote_state.heads:
        failures.append(
            CheckFailure(
                f"{remote!r} has no branch {branch!r}",
                f"push it first: git push -u {remote} {branch}",
            )
        )
    elif repo.divergence is not None:
        ahead, behind = repo.divergence
        if behind and ahead:
            failures.append(
                CheckFailure(
                    f"{branch!r} and {remote}/{branch} have diverged "
                    f"({ahead} local and {behind} remote commits)",
                    f"integrate the remote first: git pull --rebase {remote} {branch}",
                )
            )
        elif behind:
            failures.append(
                CheckFailure(
                    f"{branch!r} is {behind} commit(s) behind {remote}/{branch}",
                    f"update it first: git pull --ff-only {remote} {branch}",
                )
            )
    return failures


def _version_checks(
    versions: VersionFacts, resuming: bool, highest: Version | None, package: str | None
) -> tuple[list[CheckFailure], list[str]]:
    failures: list[CheckFailure] = []
    warnings: list[str] = []
    target, current = versions.target, versions.current
    if target is None:
        problem = versions.target_problem or CheckFailure("no version", "see release cut --help")
        return [problem], []
    cut = command("cut", package)
    if current is not None and not resuming:
        if target == current:
            failures.append(
                CheckFailure(
                    f"the version is already {current} ({versions.source.description})",
                    f"ask for a higher version, e.g. {cut} patch; or, to finish an "
                    "earlier release, make its commit HEAD",
                )
            )
        elif target < current:
            failures.append(
                CheckFailure(
                    f"{target} is lower than the current version {current}",
                    f"ask for a higher version ({cut} patch|minor|major|X.Y.Z)",
                )
            )
    if highest is not None and target < highest and not failures:
        warnings.append(
            f"{target} is below the highest tagged version {highest}: "
            "fine for a maintenance branch, and GitHub will not mark it latest"
        )
    return failures, warnings


def plan_cut(
    options: CutOptions,
    config: ReleaseConfig,
    repo: RepoFacts,
    versions: VersionFacts,
    release_branch: str | None,
    changes: list[FileChange],
    preflight: Preflight | None = None,
    remote_tag_facts: RemoteTag | None = None,
    changelog: ChangelogPlan | None = None,
) -> ReleasePlan:
    """Run every check and decide every step; raise :class:`ChecksFailed` listing all failures.

    ``remote_tag_facts`` is what the remote's tag of the target version points at, read
    when it is not at HEAD: the release is picked up from there when it is ours.
    ``changelog`` is the changelog's section for the version (its edit is among
    ``changes``); a changelog without one is a failed check.
    """
    target = versions.target
    tag = config.tag_for(str(target)) if target is not None else ""
    commit_message = config.commit_message_for(str(target)) if target is not None else ""
    tag_message = config.tag_message_for(str(target)) if target is not None else ""
    # Versions taken from git tags need only the tag, unless version-files need a commit.
    scm = versions.source.kind == "scm" and not changes
    remote_tags = repo.remote_state.tags if repo.remote_state else {}
    local_tag = repo.local_tags.get(tag) if tag else None
    remote_tag = remote_tags.get(tag) if tag else None

    # An earlier run of this same command made the release commit (or, for versions
    # taken from tags, the tag at HEAD): pick up from the first missing step.
    if scm:
        release_commit = repo.head if repo.head in (local_tag, remote_tag) else None
    else:
        same = target is not None and versions.current == target
        release_commit = repo.head if same and repo.head_message == commit_message else None
    # Pushed, but lost locally (or cut from another clone): ours, or named as not ours.
    fast_forward, foreign = None, None
    if release_commit is None and remote_tag_facts is not None and repo.head is not None:
        foreign = foreign_reason(
            remote_tag_facts, repo.head, repo.root, changes, commit_message, tag_message
        )
        if foreign is None:
            release_commit = remote_tag_facts.commit
            fast_forward = FastForward(
                commit=release_commit,
                tag=tag,
                tag_object=None if local_tag is not None else remote_tag_facts.tag_object,
                changes=tuple(changes),
            )
    resuming = release_commit is not None
    remote_head = repo.remote_state.heads.get(release_branch or "") if repo.remote_state else None
    if fast_forward is not None and remote_head == fast_forward.commit:
        # The remote's branch is one commit ahead: that commit is our release.
        repo = replace(repo, divergence=None)
    failures = _branch_checks(repo, options.remote, release_branch)

    highest = highest_tagged(repo, config.tag_prefix)
    version_failures, warnings = _version_checks(versions, resuming, highest, options.package)
    failures += version_failures
    if target is not None:
        failures += preflight_checks(preflight or Preflight(), tag, commit_message, scm)
    if changelog is not None and changelog.problem is not None:
        failures.append(changelog.problem)
    expected = release_commit or repo.head
    at = "HEAD" if expected is not None and expected == repo.head else "the release commit"
    named = f"{at} {_short(expected)}" if expected else at
    for where, sha in (("locally", local_tag), (f"on {options.remote!r}", remote_tag)):
        if sha is not None and sha != release_commit:
            why = f": {foreign}" if foreign is not None and sha == remote_tag else ""
            failures.append(
                CheckFailure(
                    f"tag {tag} already exists {where} and points at {_short(sha)}, "
                    f"not at {named}{why}",
                    "choose another version; to redo that release, delete the tag first",
                )
            )
    if failures:
        raise ChecksFailed(failures)
    assert target is not None
    assert repo.head is not None
    assert release_branch is not None

    status: dict[str, StepStatus] = {}
    for name in ("rewrite", "commit"):
        status[name] = (
            StepStatus.SKIPPED if scm else StepStatus.ALREADY_DONE if resuming else StepStatus.TODO
        )
    already_tagged = local_tag is not None or fast_forward is not None
    status["tag"] = StepStatus.ALREADY_DONE if already_tagged else StepStatus.TODO
    if not options.push:
        status["push"] = StepStatus.SKIPPED
    elif remote_tag is not None and remote_head == release_commit:
        status["push"] = StepStatus.ALREADY_DONE
    else:
        status["push"] = StepStatus.TODO
    status["github-release"] = StepStatus.TODO if options.github_release else StepStatus.SKIPPED
    steps = tuple(kind(status[kind.name]) for kind in STEP_TYPES)

    prerelease = is_prerelease(target)
    notes = changelog.notes if changelog is not None else None
    return ReleasePlan(
        previous=versions.current,
        version=target,
        tag=tag,
        source=versions.source,
        changes=[] if resuming or scm else changes,
        commit_message=commit_message,
        tag_message=tag_message,
        remote=options.remote,
        branch=release_branch,
        prerelease=prerelease,
        latest=not prerelease and (highest is None or target >= highest),
        draft=options.draft,
        release_commit=release_commit,
        root=repo.root,
        steps=steps,
        notes=notes,
        generate_notes=options.generate_notes or notes is None,
        warnings=warnings + (changelog.warnings if changelog is not None else []),
        notices=list(versions.notices) + _fast_forward_notice(fast_forward, options.remote),
        fast_forward=fast_forward,
        package=options.package,
    )


def _fast_forward_notice(fast_forward: FastForward | None, remote: str) -> list[str]:
    if fast_forward is None:
        return []
    return [
        f"{remote} already has this release ({fast_forward.tag} on {_short(fast_forward.commit)},"
        " whose only change is the version bump): the local branch is fast-forwarded to it"
    ]
