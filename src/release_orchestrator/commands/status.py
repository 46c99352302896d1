"""``release status``: one glance at a release — pyproject, tag, GitHub Release, run, PyPI.

Every fact is looked up, none is changed, and the state is information, not an error: the
command exits 0 whenever it could look (4 or 5 when GitHub refuses or cannot be reached).
Without a token it reads what GitHub shows anyone about a public repository, and says so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from packaging.version import InvalidVersion, Version

from ..adapters.files import LOCAL, Project, find_publish_workflow, load_project, load_workflows
from ..adapters.gitrepo import GitRepo
from ..adapters.pypi import IndexTrouble, IndexUnreachable
from ..core.checks.topology import publish_query
from ..core.config import ReleaseConfig
from ..core.model import ReleaseInfo, RepoRef
from ..core.pyproject import locate_version
from ..core.remote import api_base, github_repository
from ..core.runs import RunState
from ..core.status import ReleaseFacts, next_command
from ..core.upload import PyPIRelease, project_name
from ..core.version import highest_tag
from ..errors import AuthError, GitHubUnavailable, ReleaseError, RemoteError, UsageError
from .target import latest_run

if TYPE_CHECKING:
    from ..adapters.github import GitHub
    from ..deps import Deps


class StatusRequest(msgspec.Struct, frozen=True):
    """``release status``'s command line."""

    version: str | None = None
    workflow: str | None = None
    api_url: str | None = None
    package: str | None = None  # --package: whose release, among several


class TagState(msgspec.Struct, frozen=True):
    """The release tag, locally and on the remote."""

    name: str
    local: bool
    remote: bool
    commit: str | None  # the full sha the tag points at
    annotated: bool | None = None  # None: not a local tag
    head_on_it: bool = False


class StatusReport(msgspec.Struct):
    """Everything ``release status`` found; :meth:`to_json` is the ``--json`` contract."""

    version: str
    version_source: str
    project: str | None
    tag: TagState
    remote: str
    github_release_project: bool
    release: ReleaseInfo | None = None
    run: RunState | None = None
    pypi: PyPIRelease | None = None
    next: str | None = None
    finding: str | None = None
    notes: list[str] = msgspec.field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` object (README documents its shape)."""
        release = self.release
        run = self.run
        return {
            "version": self.version,
            "tag": {
                "name": self.tag.name,
                "local": self.tag.local,
                "remote": self.tag.remote,
                "commit": self.tag.commit,
            },
            "release": {
                "url": release.url,
                "draft": release.draft,
                "prerelease": release.prerelease,
            }
            if release
            else None,
            "run": {
                "id": run.id,
                "url": run.html_url,
                "attempt": run.attempt,
                "status": run.status.value,
                "conclusion": run.conclusion.value if run.conclusion else None,
            }
            if run
            else None,
            "pypi": self.pypi.to_json() if self.pypi else None,
            "next": self.next,
        }


def _version(
    request: StatusRequest,
    root: Path,
    pyproject: dict[str, Any],
    config: ReleaseConfig,
    tags: list[str],
) -> tuple[str, str]:
    """The version to look at, and where it came from."""
    if request.version is not None:
        text = request.version.strip()
        if text.startswith(config.tag_prefix) and config.tag_prefix:
            text = text[len(config.tag_prefix) :]
        try:
            return str(Version(text)), "given"
        except InvalidVersion as exc:
            raise UsageError(
                f"{request.version!r} is not a PEP 440 version", "give a version such as 0.1.1"
            ) from exc
    source = locate_version(root, pyproject, LOCAL)
    if source.current is not None:
        return str(source.current), source.description
    highest = highest_tag(tags, config.tag_prefix)
    if highest is None:
        raise UsageError(
            f"no version in pyproject.toml and no {config.tag_prefix}* tag yet",
            "name the version: release status 0.1.0",
        )
    return str(highest[0]), f"the highest tag ({source.description})"


def _connect(deps: Deps, repo: RepoRef, api_url: str | None) -> tuple[GitHub, bool]:
    """A connection with the token, else an anonymous one (public repositories only); and
    whether it is anonymous.
    """
    from ..adapters.auth import resolve_token

    token = resolve_token(deps.env)
    return deps.github(api_base(repo, api_url, deps.env), token or "", repo, False), not token


def _github_facts(
    github: GitHub, report: StatusReport, workflow_name: str | None, root: Path, anonymous: bool
) -> None:
    """The GitHub Release and the newest publishing run for the tag, into ``report``."""
    tag = report.tag
    try:
        github.repository()
    except RemoteError as exc:
        if anonymous and not isinstance(exc, GitHubUnavailable):
            raise AuthError(
                f"without a token GitHub shows only public repositories ({exc.message})",
                "set GH_TOKEN or GITHUB_TOKEN, or log in with gh auth login",
            ) from exc
        raise
    report.release = github.release_for_tag(tag.name, include_drafts=not anonymous)
    workflow = find_publish_workflow(root, workflow_name, tag.name)
    if workflow is None and workflow_name is None:
        report.notes.append("no workflow under .github/workflows publishes to PyPI: no run to show")
        return
    filename = Path(workflow_name).name if workflow_name else workflow.filename if workflow else ""
    assert tag.commit is not None
    workflows = load_workflows(root)
    github_release = report.github_release_project
    query, _ = publish_query(workflow, workflows, filename, tag.name, tag.commit, github_release)
    report.run = latest_run(github, query)


def _finding(github: GitHub, run: RunState, root: Path, project: Project) -> str | None:
    """The explain code behind a failed run (None: not recognised, or the logs unreadable)."""
    from ..core.publisher import Publisher
    from .explain import explain_run

    report, _ = explain_run(github, run.id, Publisher(), root, project=project)
    return report.findings[0].code if report.findings else None


def _pypi(deps: Deps, report: StatusReport, config: ReleaseConfig) -> None:
    if report.project is None:
        report.notes.append("pyproject.toml names no project: PyPI not asked")
        return
    base = deps.pypi.base_url(config.pypi.index if config.pypi else "pypi")
    try:
        report.pypi = deps.pypi.release(base, report.project, report.version)
    except (IndexUnreachable, IndexTrouble) as exc:
        report.notes.append(
            f"PyPI could not be asked ({exc.reason}): whether it serves the release is unknown"
        )


def run_status(request: StatusRequest, deps: Deps) -> StatusReport:
    """Look at every place a release lives; change nothing."""
    git = GitRepo.open(deps.cwd)
    root = git.root
    # VERSION may be a tag (b-v0.2.0): among several packages it names its package.
    project = load_project(root, request.package, tag=request.version)
    pyproject, config = project.pyproject, project.config
    local_tags = git.local_tags()
    remote_url = git.remote_url(config.remote)
    remote_tags = git.ls_remote(config.remote).tags if remote_url else {}
    tags = [*local_tags, *remote_tags]
    version, source = _version(request, project.root, pyproject, config, tags)
    name = config.tag_for(version)
    commit = remote_tags.get(name) or local_tags.get(name)
    local = name in local_tags
    tag = TagState(
        name=name,
        local=local,
        remote=name in remote_tags,
        commit=commit,
        annotated=git.tag_annotated(name) if local else None,
        head_on_it=commit is not None and git.head() == commit,
    )
    report = StatusReport(
        version=version,
        version_source=source,
        project=project_name(config, pyproject),
        tag=tag,
        remote=config.remote,
        github_release_project=config.github_release,
    )
    github: GitHub | None = None
    repo = None if remote_url is None else github_repository(remote_url, request.api_url)
    if remote_url is None:
        report.notes.append(f"no git remote {config.remote!r}: GitHub not asked")
    elif repo is None:
        report.notes.append(
            f"remote {config.remote!r} names no GitHub repository: GitHub not asked "
            "(--api-url URL for GitHub Enterprise Server)"
        )
    elif tag.remote:
        github, anonymous = _connect(deps, repo, request.api_url)
        if anonymous:
            report.notes.append(
                "no GitHub token: showing what GitHub shows anyone (no drafts, no logs; "
                "set GH_TOKEN for the full picture)"
            )
        _github_facts(github, report, request.workflow or config.workflow, root, anonymous)
    _pypi(deps, report, config)
    run = report.run
    if github is not None and run is not None and run.completed and not run.succeeded:
        try:
            report.finding = _finding(github, run, root, project)
        except ReleaseError as exc:
            report.notes.append(f"could not read the failed run's logs: {exc.message}")
    report.next = next_command(
        ReleaseFacts(
            version=version,
            tag=name,
            tag_on_remote=tag.remote,
            github_release_project=config.github_release,
            release_found=None if github is None else report.release is not None,
            run=run,
            served=report.pypi.served if report.pypi else None,
            finding=report.finding,
            package=project.package_name,
        )
    )
    return report


def status_command(request: StatusRequest, deps: Deps) -> None:
    """``release status``: print the report, as lines or (in JSON mode) one object."""
    from ..render.status import render_status

    report = run_status(request, deps)
    for note in report.notes:
        deps.console.note(note)
    deps.console.say(render_status(report))  # on stderr when stdout carries the JSON
    if deps.console.json_mode:
        deps.console.data(json.dumps(report.to_json()))
