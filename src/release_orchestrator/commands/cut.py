"""``release cut``: gather the facts, plan, show the plan, then run the steps or undo them."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.version import Version

from ..adapters.auth import connect
from ..adapters.files import LOCAL, apply_file_changes, load_pyproject
from ..adapters.github import GitHub
from ..adapters.gitrepo import GitRepo
from ..core.config import ReleaseConfig, load_config
from ..core.model import ReleaseInfo
from ..core.plan import (
    STEP_NAMES,
    CutOptions,
    ReleasePlan,
    RepoFacts,
    StepStatus,
    VersionFacts,
    highest_tagged,
    plan_cut,
)
from ..core.pyproject import locate_version, plan_file_changes
from ..core.remote import parse_remote_url
from ..core.version import next_version
from ..errors import Cancelled, CheckFailure, ReleaseError, UsageError
from ..render.console import Console
from ..render.plan import describe_plan
from .doctor import check_before_cut

if TYPE_CHECKING:
    from ..deps import Deps


@dataclass(frozen=True)
class CutRequest:
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


@dataclass
class CutResult:
    """What ``release cut`` did; ``to_json`` is the ``--json`` contract."""

    plan: ReleasePlan
    commit: str | None
    release: ReleaseInfo | None
    dry_run: bool
    root: Path
    config: ReleaseConfig
    remote_url: str | None

    @property
    def pushed(self) -> bool:
        """True when the tag is on the remote, pushed now or by an earlier run."""
        return self.plan.steps["push"] in (StepStatus.DONE, StepStatus.ALREADY_DONE)

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
            "steps": [{"name": name, "status": self.plan.steps[name].value} for name in STEP_NAMES],
        }



def _options(request: CutRequest, config: ReleaseConfig) -> CutOptions:
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
    return CutOptions(
        spec=request.spec,
        remote=request.remote or config.remote,
        branch=request.branch or config.branch,
        push=request.push,
        github_release=github_release,
        draft=request.draft,
        dry_run=request.dry_run,
    )


def _repo_facts(repo: GitRepo, options: CutOptions) -> tuple[RepoFacts, str | None]:
    """Read the repository and ask the remote once; fetch the release branch to compare."""
    branch = repo.current_branch()
    remote_url = repo.remote_url(options.remote)
    state = repo.ls_remote(options.remote) if remote_url else None
    release_branch = options.branch or (state.default_branch if state else None)
    divergence = None
    if state and release_branch in state.heads and branch == release_branch:
        tracking = repo.fetch_branch(options.remote, release_branch)
        divergence = repo.ahead_behind(release_branch, tracking)
    head = repo.head()
    facts = RepoFacts(
        branch=branch,
        head=head,
        head_message=repo.head_message() if head else "",
        changed_files=tuple(repo.changed_tracked_files()),
        identity_problem=repo.identity_problem(),
        remote_url=remote_url,
        remote_state=state,
        divergence=divergence,
        local_tags=repo.local_tags(),
    )
    return facts, release_branch


def run_cut(
    request: CutRequest, deps: Deps, *, confirm: Callable[[str], bool] | None
) -> CutResult:
    """Check everything, show the plan, then rewrite, commit, tag, push and release.

    A failure before or during the push puts the local repository back as it was; a
    failure after the push leaves what is done and says how to resume.
    """
    console = deps.console
    repo = GitRepo.open(deps.cwd)
    root = repo.root
    pyproject = load_pyproject(root)
    config = load_config(pyproject)
    options = _options(request, config)
    source = locate_version(root, pyproject, LOCAL)
    facts, release_branch = _repo_facts(repo, options)

    current = source.current
    if source.kind == "scm":
        current = highest_tagged(facts, config.tag_prefix)
    target: Version | None = None
    problem: CheckFailure | None = None
    notices: list[str] = []
    try:
        target, notices = next_version(request.spec, current)
    except UsageError as exc:
        # A bad version is one of the checks: reported with the others, exit 3.
        problem = CheckFailure(exc.message, exc.hint or "see release cut --help")
    versions = VersionFacts(source, current, target, problem, tuple(notices))
    changes = []
    if target is not None and target != current:
        changes = plan_file_changes(root, source, config, target, LOCAL)
    plan = plan_cut(options, config, facts, versions, release_branch, changes)

    github = None
    if options.github_release:
        assert facts.remote_url is not None
        github = connect(
            deps,
            parse_remote_url(facts.remote_url),
            api_url=request.api_url,
            own_retries=False,
            purpose="--github-release",
        )
    if github is not None:
        existing = github.release_for_tag(plan.tag, include_drafts=plan.draft)
        if existing is not None:
            plan.existing_release = existing
            plan.steps["github-release"] = StepStatus.ALREADY_DONE

    # Trusted-publishing checks for the tag about to be made; errors refuse the release.
    doctor = check_before_cut(root, plan, options, deps, skip=request.skip_doctor)

    for notice in plan.notices:
        console.note(notice)
    for warning in plan.warnings:
        console.warn(warning)
    console.say(describe_plan(plan, root, github) + "\n" + doctor)
    if request.dry_run:
        for name, state in plan.steps.items():
            if state is StepStatus.TODO:
                plan.steps[name] = StepStatus.SKIPPED
        console.say("\nDry run: nothing was changed.")
        return CutResult(
            plan,
            plan.release_commit,
            plan.existing_release,
            dry_run=True,
            root=root,
            config=config,
            remote_url=facts.remote_url,
        )
    if confirm is not None and StepStatus.TODO in plan.steps.values() and not confirm("Go ahead?"):
        raise Cancelled("cancelled at the prompt; nothing was changed")

    commit = _run_git_steps(plan, repo, root, console)
    release = plan.existing_release
    if plan.steps["github-release"] is StepStatus.TODO:
        assert github is not None
        release = _create_release(plan, github)
        console.say(f"✓ created the GitHub Release {release.url}")
        plan.steps["github-release"] = StepStatus.DONE
    return CutResult(
        plan, commit, release, dry_run=False, root=root, config=config, remote_url=facts.remote_url
    )


def _run_git_steps(plan: ReleasePlan, repo: GitRepo, root: Path, console: Console) -> str:
    """Rewrite, commit, tag and push; on any failure, restore the repository and re-raise."""
    snapshot = repo.snapshot(plan.branch)
    originals = {change.path: change.before for change in plan.changes}
    commit = plan.release_commit or snapshot.head
    try:
        if plan.steps["rewrite"] is StepStatus.TODO:
            apply_file_changes(plan.changes)
            plan.steps["rewrite"] = StepStatus.DONE
            console.say(f"✓ set the version to {plan.version} in {len(plan.changes)} file(s)")
        if plan.steps["commit"] is StepStatus.TODO:
            paths = [str(change.path.relative_to(root)) for change in plan.changes]
            commit = repo.commit(paths, plan.commit_message)
            plan.steps["commit"] = StepStatus.DONE
            console.say(f"✓ committed {commit[:7]} {plan.commit_message!r}")
        if plan.steps["tag"] is StepStatus.TODO:
            repo.create_tag(plan.tag, plan.tag_message, commit)
            plan.steps["tag"] = StepStatus.DONE
            console.say(f"✓ tagged {plan.tag}")
        if plan.steps["push"] is StepStatus.TODO:
            repo.push_atomic(plan.remote, plan.branch, plan.tag)
            plan.steps["push"] = StepStatus.DONE
            console.say(f"✓ pushed {plan.branch} and {plan.tag} to {plan.remote}")
    except BaseException:
        # Ctrl-C included: a release is all or nothing up to the push.
        repo.restore(snapshot, originals)
        raise
    return commit


def _create_release(plan: ReleasePlan, github: GitHub) -> ReleaseInfo:
    try:
        return github.create_release(
            plan.tag, prerelease=plan.prerelease, draft=plan.draft, latest=plan.latest
        )
    except ReleaseError as exc:
        raise type(exc)(
            f"{plan.tag} is pushed, but the GitHub Release was not created: {exc.message}",
            f"fix that, then run release cut {plan.version} --github-release again to finish",
        ) from None


def cut_command(
    request: CutRequest,
    deps: Deps,
    *,
    confirm: Callable[[str], bool] | None,
    watch: bool,
    as_json: bool,
) -> None:
    """``release cut``: cut, follow the publish run unless told not to, report, explain."""
    from ..render.watch import view_for
    from .flow import finish_watch, follow_release

    result = run_cut(request, deps, confirm=confirm)
    followed = None
    if watch:
        view = view_for(deps.console, deps.env)
        followed = follow_release(result, deps, api_url=request.api_url, view=view)
    if as_json:
        data = result.to_json()
        if followed is not None:
            data["run"] = followed.to_json()
        deps.console.data(json.dumps(data))
    if followed is not None:
        finish_watch(followed, deps)
