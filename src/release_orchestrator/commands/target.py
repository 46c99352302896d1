"""Which run a command is about: a run id, a run URL, a tag, or the release tag at HEAD.

Shared by ``release watch`` and ``release explain``; also finds the repository, the API
and the token for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from ..adapters.files import find_publish_workflow, load_project, load_pyproject, load_workflows
from ..adapters.github import GitHub
from ..core.checks.topology import publish_query
from ..core.config import ReleaseConfig, load_config
from ..core.model import RepoRef
from ..core.remote import require_github_repository
from ..core.runs import RunQuery, RunState
from ..core.upload import version_of_tag
from ..core.version import highest_tag
from ..errors import CheckFailure, ChecksFailed, ConfigError, ReleaseError, UsageError

if TYPE_CHECKING:
    from ..adapters.gitrepo import GitRepo

_RUN_URL = re.compile(
    r"^https?://(?P<host>[^/\s]+)/(?P<owner>[^/\s]+)/(?P<repo>[^/\s]+)/actions/runs/(?P<id>\d+)"
)


class Target(msgspec.Struct, frozen=True):
    """The repository and either a known run id or the query that finds the run."""

    repo: RepoRef
    run_id: int | None = None
    query: RunQuery | None = None
    warning: str | None = None
    package: str | None = None  # whose release tag the query's is, among several packages


def _config(
    root: Path, package: str | None = None, *, by_tag: bool = True, tag: str | None = None
) -> tuple[ReleaseConfig, str | None]:
    """``[tool.release]`` of the repository, or of the package ``--package`` names, else
    of the one whose prefix ``tag`` (the TAG given) carries; and that package's name.

    A run id or URL (not ``by_tag``) needs no package: the root's settings say the remote.
    """
    try:
        if package is None and not by_tag:
            return load_config(load_pyproject(root)), None
        project = load_project(root, package, tag=tag)
    except ConfigError:
        if package is not None or (root / "pyproject.toml").exists():
            raise
        return ReleaseConfig(), None  # a repository without pyproject.toml: defaults
    return project.config, project.package_name


def _release_tag_at_head(tags: Mapping[str, str], head: str, prefix: str) -> str | None:
    highest = highest_tag([name for name, sha in tags.items() if sha == head], prefix)
    return highest[1] if highest else None


def _same_repository(url: RepoRef, remote: RepoRef) -> bool:
    # GitHub's owner and repository names are case-insensitive. The hosts are not
    # compared: a run page may be served from another name than the one git pushes to
    # (an Enterprise Server's web and ssh hosts, a proxy).
    return url.full_name.lower() == remote.full_name.lower()


def _run_url_target(
    url: re.Match[str], cwd: Path, api_url: str | None, package: str | None
) -> Target:
    """The run a URL names; inside a clone, it must be a run of that clone's repository."""
    from ..adapters.gitrepo import GitRepo

    repo = RepoRef(url["host"].lower(), url["owner"], url["repo"])
    try:
        git = GitRepo.open(cwd)
        config, _ = _config(git.root, package, by_tag=False)
        here = _remote_repository(git, config.remote, api_url)
    except ReleaseError:
        here = None  # outside a clone (or without its remote): any repository's run
    if here is not None and not _same_repository(repo, here[1]):
        remote, ours = here
        raise UsageError(
            f"the run URL is of {repo.full_name}, but this clone's {remote!r} is {ours.full_name}",
            f"expected a run of {ours.full_name} (…/{ours.full_name}/actions/runs/ID), "
            "a run id or a tag; to follow another repository's run, run outside this clone",
        )
    return Target(repo=repo, run_id=int(url["id"]))


def _remote_repository(git: GitRepo, remote: str, api_url: str | None) -> tuple[str, RepoRef]:
    """``remote`` and the GitHub repository it names; a remote that does not exist is a
    failed check (exit 3), as for ``release cut``.
    """
    remote_url = git.remote_url(remote)
    if remote_url is None:
        raise ChecksFailed(
            [
                CheckFailure(
                    f"there is no git remote named {remote!r} to tell the GitHub repository",
                    "pass a run URL instead, or add the remote (git remote add)",
                )
            ]
        )
    return remote, require_github_repository(remote_url, remote, api_url)


def resolve_target(
    target: str | None,
    *,
    cwd: Path,
    workflow: str | None,
    api_url: str | None,
    package: str | None = None,
) -> Target:
    """Turn TARGET (run id, run URL, tag, or nothing) into a :class:`Target`.

    Without a run URL the repository is the one the remote names
    (:func:`core.remote.require_github_repository`); ``api_url`` is ``--api-url``.
    ``package`` is ``--package``: its settings, and only its tags are its releases;
    without it, a tag among several packages is the release of the one whose prefix it
    carries.
    """
    url = _RUN_URL.match(target or "")
    if url:
        return _run_url_target(url, cwd, api_url, package)

    from ..adapters.gitrepo import GitRepo

    git = GitRepo.open(cwd)
    by_tag = not (target and target.isdigit())
    config, package = _config(git.root, package, by_tag=by_tag, tag=target if by_tag else None)
    _, repo = _remote_repository(git, config.remote, api_url)
    if target and target.isdigit():
        return Target(repo=repo, run_id=int(target))

    local = git.local_tags()
    tag = target
    head = git.head()
    if tag is None and head is not None:
        tag = _release_tag_at_head(local, head, config.tag_prefix)
    remote_tags: Mapping[str, str] = {}
    if tag is None or tag not in local:
        remote_tags = git.ls_remote(config.remote).tags
        if tag is None and head is not None:
            tag = _release_tag_at_head(remote_tags, head, config.tag_prefix)
    if tag is None:
        raise UsageError(
            f"no release tag ({config.tag_prefix}*) points at HEAD",
            "name a tag, a run id or a run URL",
        )
    if package is not None and version_of_tag(tag, config.tag_prefix) is None:
        raise UsageError(
            f"{tag} is not a release tag of --package {package} ({config.tag_prefix}*)",
            "name one of its tags, a run id or a run URL",
        )
    sha = local.get(tag) or remote_tags.get(tag)
    if sha is None:
        raise UsageError(
            f"tag {tag} exists neither locally nor on {config.remote!r}", "check the name"
        )

    name = workflow or config.workflow
    found = find_publish_workflow(git.root, name, tag)
    if name is None and found is None:
        raise UsageError(
            "no workflow under .github/workflows publishes to PyPI",
            "pass --workflow FILE or set workflow in [tool.release]",
        )
    filename = Path(name).name if name else found.filename if found else ""
    workflows = load_workflows(git.root)
    query, warning = publish_query(found, workflows, filename, tag, sha, config.github_release)
    return Target(repo=repo, query=query, warning=warning, package=package)


def latest_run(github: GitHub, query: RunQuery) -> RunState | None:
    """The run of ``query`` as it stands, without waiting. For a workflow_run: the run it
    follows, until that one succeeded and the workflow_run after it exists.
    """
    first = query.after or query
    _, runs = github.workflow_runs(first)
    found = first.latest(runs)
    if query.after is None or found is None or not found.succeeded:
        return found
    then = query.following(found)
    _, runs = github.workflow_runs(then)
    return then.latest(runs) or found


def find_run(github: GitHub, target: Target) -> int:
    """The id of the run a tag started (latest attempt), without waiting for it."""
    query = target.query
    assert query is not None
    found = latest_run(github, query)
    if found is None:
        what = (query.after or query).describe()
        raise UsageError(f"found no {what}", "name a run id or a run URL")
    return found.id
