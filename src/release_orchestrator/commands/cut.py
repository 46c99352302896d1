"""``release cut``: gather the facts, plan, show the plan, then run the steps or undo them."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from packaging.version import Version

from ..adapters.auth import connect
from ..adapters.files import LOCAL, apply_file_changes, load_project, unwritable_files
from ..adapters.gitrepo import GitRepo
from ..adapters.interrupts import DeferredInterrupts
from ..core.changelog import changelog_for
from ..core.config import ReleaseConfig
from ..core.model import FileChange, ReleaseInfo
from ..core.packages import command
from ..core.plan import (
    CutOptions,
    Preflight,
    ReleasePlan,
    RepoFacts,
    StepStatus,
    VersionFacts,
    highest_tagged,
    plan_cut,
)
from ..core.pyproject import locate_version, plan_file_changes
from ..core.remote import require_github_repository
from ..core.resume import RemoteTag
from ..core.steps import Step, StepHook
from ..core.upload import DEFAULT_PYPI_TIMEOUT
from ..core.version import next_version
from ..errors import (
    Cancelled,
    CheckFailure,
    Interrupted,
    ReleaseError,
    StepFailed,
    UsageError,
)
from ..render.console import Console
from ..render.plan import describe_plan

if TYPE_CHECKING:
    from ..adapters.github import GitHub  # loads only where GitHub is asked (connect)
    from ..deps import Deps


class CutRequest(msgspec.Struct, frozen=True):
    """``release cut``'s command line, before ``[tool.release]`` fills the gaps."""

    spec: str
    dry_run: bool = False
    github_release: bool | None = None
    draft: bool = False
    remote: str | None = None
    branch: str | None = None
    push: bool = True
    api_url: str | None = None
    skip_doctor: bool = False
    watch: bool = True  # follow the publish run after the push
    pypi_check: bool = True  # then confirm the upload on PyPI,
    pypi_timeout: float = DEFAULT_PYPI_TIMEOUT  # waiting this long for it to be served
    generate_notes: bool = False  # GitHub's generated notes in the Release, after the changelog's
    package: str | None = None  # --package: the package to release, among several


class CutResult(msgspec.Struct):
    """What ``release cut`` did; ``to_json`` is the ``--json`` contract."""

    plan: ReleasePlan
    dry_run: bool
    config: ReleaseConfig
    remote_url: str | None

    @property
    def commit(self) -> str | None:
        """The release commit (None in a dry run that has not made it yet)."""
        return self.plan.release_commit

    @property
    def release(self) -> ReleaseInfo | None:
        """The GitHub Release, made now or found from an earlier run."""
        return self.plan.release

    @property
    def root(self) -> Path:
        """The work tree the release was cut in."""
        return self.plan.root

    @property
    def pushed(self) -> bool:
        """True when the tag is on the remote, pushed now or by an earlier run."""
        return self.plan.step("push").status in (StepStatus.DONE, StepStatus.ALREADY_DONE)

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` object."""
        return {
            "previous_version": str(self.plan.previous) if self.plan.previous else None,
            "version": str(self.plan.version),
            "tag": self.plan.tag,
            "commit": self.commit,
            "pushed": self.pushed,
            "release_url": self.release.url if self.release else None,
            "dry_run": self.dry_run,
            "steps": [{"name": s.name, "status": s.status.value} for s in self.plan.steps],
        }


def _options(request: CutRequest, config: ReleaseConfig, package: str | None) -> CutOptions:
    github_release = (
        config.github_release if request.github_release is None else request.github_release
    )
    if github_release and not request.push:
        raise UsageError(
            "--github-release needs the tag on GitHub, and --no-push keeps it local",
            "drop one of the two options",
        )
    if request.draft and not github_release:
        raise UsageError("--draft applies to the GitHub Release", "add --github-release")
    if request.generate_notes and not github_release:
        raise UsageError("--generate-notes applies to the GitHub Release", "add --github-release")
    return CutOptions(
        spec=request.spec,
        remote=request.remote or config.remote,
        branch=request.branch or config.branch,
        push=request.push,
        github_release=github_release,
        draft=request.draft,
        dry_run=request.dry_run,
        generate_notes=request.generate_notes,
        package=package,
    )


def _start_repo_facts(
    repo: GitRepo, options: CutOptions
) -> Callable[[], tuple[RepoFacts, str | None]]:
    """Start reading the repository and asking the remote; return what waits for the facts.
    The release branch is fetched to compare unless the remote already has it at HEAD.
    """
    remote_url = repo.remote_url(options.remote)
    # The remote is asked first, so that its round trip overlaps the local reads.
    answer = repo.start_ls_remote(options.remote) if remote_url else None
    work_tree = repo.start_work_tree()

    def facts() -> tuple[RepoFacts, str | None]:
        tree = work_tree()
        branch, head = tree.branch, tree.head
        state = answer() if answer else None
        release_branch = options.branch or (state.default_branch if state else None)
        divergence = None
        if state and release_branch in state.heads and branch == release_branch:
            if state.heads[release_branch] == head:
                # The remote's branch is at HEAD: in sync, so nothing to fetch or count.
                divergence = (0, 0)
            else:
                tracking = repo.fetch_branch(options.remote, release_branch)
                divergence = repo.ahead_behind(release_branch, tracking)
        found = RepoFacts(
            root=repo.root,
            branch=branch,
            head=head,
            head_message=tree.head_message,
            changed_files=tree.changed_files,
            identity_problem=tree.identity_problem,
            remote_url=remote_url,
            remote_state=state,
            divergence=divergence,
            local_tags=tree.local_tags,
        )
        return found, release_branch

    return facts


def _preflight(
    repo: GitRepo, config: ReleaseConfig, target: Version | None, changes: Sequence[FileChange]
) -> Preflight:
    """Ask git about the tag's name and open the files to rewrite, changing nothing."""
    if target is None:
        return Preflight()
    tag = config.tag_for(str(target))
    return Preflight(
        tag_problem=repo.ref_name_problem(f"refs/tags/{tag}"),
        unwritable=unwritable_files(repo.root, changes),
    )


def _remote_tag(
    repo: GitRepo, facts: RepoFacts, remote: str, tag: str, changes: Sequence[FileChange]
) -> RemoteTag | None:
    """The remote's tag of the version to cut, read in full when it may be this release
    pushed and then lost locally (it is on the remote, not at HEAD, and a commit is due).
    """
    sha = facts.remote_state.tags.get(tag) if facts.remote_state else None
    if not changes or sha is None or facts.head is None or sha == facts.head:
        return None
    return repo.remote_tag(remote, tag, facts.head)


def run_cut(
    request: CutRequest,
    deps: Deps,
    *,
    confirm: Callable[[str], bool] | None,
    hooks: Sequence[StepHook] = (),
) -> CutResult:
    """Check everything, show the plan, then rewrite, commit, tag, push and release.

    A failure before or during the push puts the local repository back as it was; a
    failure after the push leaves what is done and says how to resume. ``hooks`` are told
    of each step as it starts and ends.
    """
    console = deps.console
    repo = GitRepo.open(deps.cwd)
    root = repo.root
    # The package's own directory holds its pyproject.toml, version and changelog.
    project = load_project(root, request.package)
    config = project.config
    options = _options(request, config, project.package_name)
    source = locate_version(project.root, project.pyproject, LOCAL)
    repo_facts = _start_repo_facts(repo, options)
    # While git answers, the doctor's question goes out to PyPI, and the HTTP client and the
    # doctor's modules load: imported at the top, they would hold git up until they had.
    index_answer = (
        None if request.skip_doctor else deps.pypi.start_project_lookup(config, project.pyproject)
    )
    from .doctor import check_before_cut

    facts, release_branch = repo_facts()

    current = source.current
    if source.kind == "scm":
        current = highest_tagged(facts, config.tag_prefix)
    target: Version | None = None
    problem: CheckFailure | None = None
    notices: list[str] = []
    try:
        target, notices = next_version(request.spec, current, options.package)
    except UsageError as exc:
        # A bad version is one of the checks: reported with the others, exit 3.
        problem = CheckFailure(exc.message, exc.hint or "see release cut --help")
    versions = VersionFacts(source, current, target, problem, tuple(notices))
    changes = []
    if target is not None and target != current:
        changes = plan_file_changes(project.root, source, config, target, LOCAL)
    changelog = None
    if target is not None:
        # The maintainer's today, from the injected clock.
        today = datetime.fromtimestamp(deps.clock.now(), tz=timezone.utc).astimezone().date()
        changelog = changelog_for(project.root, config, target, today, LOCAL)
    if changelog is not None and changelog.change is not None:
        # Committed with the version bump: one more file the rewrite step changes.
        changes.append(changelog.change)
    preflight = _preflight(repo, config, target, changes)
    remote_tag = None
    if target is not None and facts.remote_url is not None:
        remote_tag = _remote_tag(repo, facts, options.remote, config.tag_for(str(target)), changes)
    plan = plan_cut(
        options, config, facts, versions, release_branch, changes, preflight, remote_tag, changelog
    )

    github = None
    if options.github_release:
        github = connect(
            deps,
            require_github_repository(facts.remote_url, options.remote, request.api_url),
            api_url=request.api_url,
            own_retries=False,
            purpose="--github-release",
        )
    if github is not None:
        existing = github.release_for_tag(plan.tag, include_drafts=plan.draft)
        if existing is not None:
            plan.release = existing
            plan.step("github-release").status = StepStatus.ALREADY_DONE

    # Trusted-publishing checks for the tag about to be made; errors refuse the release.
    doctor = check_before_cut(
        root, plan, options, deps, skip=request.skip_doctor, index_answer=index_answer,
        project=project,
    )

    for notice in plan.notices:
        console.note(notice)
    for warning in plan.warnings:
        console.warn(warning)
    repo_name = github.repo_ref.full_name if github is not None else None
    console.say(describe_plan(plan, repo_name) + "\n" + doctor)
    todo = [step for step in plan.steps if step.status is StepStatus.TODO]
    if request.dry_run:
        for step in todo:
            step.status = StepStatus.SKIPPED
        console.say("\nDry run: nothing was changed.")
    else:
        if confirm is not None and todo and not confirm("Go ahead?"):
            raise Cancelled("cancelled at the prompt; nothing was changed")
        _run_steps(plan, _Workspace(repo, github), console, hooks)
    return CutResult(plan, request.dry_run, config, facts.remote_url)


class _Workspace(msgspec.Struct):
    """The steps' :class:`Workspace`: the files, the git repository and GitHub."""

    repo: GitRepo
    github: GitHub | None

    def write(self, changes: Sequence[FileChange]) -> None:
        """Write the version changes (all or nothing)."""
        apply_file_changes(changes)

    def commit(self, paths: list[str], message: str) -> str:
        """Commit ``paths``; return the new commit's sha."""
        return self.repo.commit(paths, message)

    def tag(self, tag: str, message: str, commit: str) -> None:
        """Create the annotated tag."""
        self.repo.create_tag(tag, message, commit)

    def fast_forward(self, plan: ReleasePlan) -> str:
        """Move the branch to the release commit found on the remote; say so."""
        move = plan.fast_forward
        assert move is not None
        self.repo.fast_forward(move)
        return f"✓ fast-forwarded {plan.branch} to {move.commit[:7]}, the release on {plan.remote}"

    def push(self, argv: tuple[str, ...], remote: str) -> None:
        """Run the push the plan shows."""
        self.repo.push(argv, remote)

    def release(self, plan: ReleasePlan) -> ReleaseInfo:
        """Create the GitHub Release; a failure here says the tag is already pushed."""
        assert self.github is not None
        try:
            return self.github.create_release(
                plan.tag,
                prerelease=plan.prerelease,
                draft=plan.draft,
                latest=plan.latest,
                notes=plan.notes,
                generate_notes=plan.generate_notes,
            )
        except ReleaseError as exc:
            raise StepFailed(
                f"{plan.tag} is pushed, but the GitHub Release was not created: {exc.message}",
                f"fix that, then run {command('cut', plan.package)} {plan.version} "
                "--github-release again to finish",
                exc,
            ) from exc


def _run_steps(
    plan: ReleasePlan, workspace: _Workspace, console: Console, hooks: Sequence[StepHook]
) -> None:
    """Run every step still to do, in order; a failure in an undoable step (everything up
    to the push) puts the repository back as it was and re-raises.

    Ctrl-C never cuts a step in half: it is recorded, the step finishes, and then the
    release is undone (before the push) or stops cleanly saying how to carry on.
    """
    repo = workspace.repo
    snapshot = repo.snapshot(plan.branch)
    moved = plan.fast_forward.changes if plan.fast_forward else ()
    originals = {change.path: change.before for change in (*plan.changes, *moved)}
    plan.release_commit = plan.release_commit or snapshot.head
    undoable = [step for step in plan.steps if step.undoable]
    interrupts = DeferredInterrupts(console.warn_from_signal)
    with interrupts.deferred():
        try:
            if plan.fast_forward is not None:
                interrupts.in_flight = f"the fast-forward of {plan.branch}"
                console.say(workspace.fast_forward(plan))
            for step in undoable:
                _run_step(step, plan, workspace, console, interrupts, hooks)
                if interrupts.pending and not _pushed(plan):
                    raise Interrupted(
                        "interrupted before the push: the local commit and tag were undone, "
                        "nothing was changed",
                        "run the same command again to cut the release",
                    )
        except BaseException:
            # Ctrl-C included: a release is all or nothing up to the push.
            repo.restore(snapshot, originals)
            raise
        for step in plan.steps:
            if interrupts.pending:
                raise _stopped_after_push(plan)
            if not step.undoable:
                _run_step(step, plan, workspace, console, interrupts, hooks)
        if interrupts.pending:
            raise _stopped_after_push(plan)


def _pushed(plan: ReleasePlan) -> bool:
    return plan.step("push").status in (StepStatus.DONE, StepStatus.ALREADY_DONE)


def _stopped_after_push(plan: ReleasePlan) -> Interrupted:
    """The clean stop after an interrupt that came once the tag was on the remote."""
    released = plan.step("github-release").status
    if released is StepStatus.TODO:
        return Interrupted(
            f"interrupted after the push: {plan.branch} and {plan.tag} are on {plan.remote}, "
            "the GitHub Release is not created yet",
            f"run {command('cut', plan.package)} {plan.version} --github-release again to "
            f"create it; follow the publish run with {command('watch', plan.package)} {plan.tag}",
        )
    if released is StepStatus.DONE:
        message = (
            f"interrupted after the release: {plan.tag} is on {plan.remote} and its GitHub "
            "Release is created"
        )
    else:
        message = f"interrupted after the push: {plan.branch} and {plan.tag} are on {plan.remote}"
    watch = command("watch", plan.package)
    return Interrupted(message, f"follow the publish run with {watch} {plan.tag}")


def _run_step(
    step: Step,
    plan: ReleasePlan,
    workspace: _Workspace,
    console: Console,
    interrupts: DeferredInterrupts,
    hooks: Sequence[StepHook],
) -> None:
    if step.status is StepStatus.TODO:
        interrupts.in_flight = (
            f"the push to {plan.remote}" if step.name == "push" else f"the {step.name} step"
        )
        for hook in hooks:
            hook(step, "before")
        console.say(step.run(plan, workspace))
        step.status = StepStatus.DONE
        for hook in hooks:
            hook(step, "after")


def cut_command(request: CutRequest, deps: Deps, *, ask: bool) -> None:
    """``release cut``: cut (asking first when ``ask``), follow the publish run unless told
    not to, report, explain.
    """
    result = run_cut(request, deps, confirm=deps.console.confirm if ask else None)
    followed = None
    if request.watch and not request.dry_run:
        # A dry run follows nothing: the watch's modules load only for a real cut.
        from ..render.watch import view_for
        from .confirm import PyPICheck
        from .flow import finish_watch, follow_release

        view = view_for(deps.console, deps.env)
        pypi = PyPICheck(request.pypi_check, request.pypi_timeout)
        followed = follow_release(result, deps, api_url=request.api_url, view=view, pypi=pypi)
    if deps.console.json_mode:
        data = result.to_json()
        if followed is not None:
            data["run"] = followed.to_json()
        deps.console.data(json.dumps(data))
    if followed is not None:
        finish_watch(followed, deps)
