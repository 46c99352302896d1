"""Which run a command is about: a run id, a run URL, a tag, or the release tag at HEAD.

Shared by ``release watch`` and ``release explain``; also finds the repository, the API
and the token for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

from .config import ReleaseConfig, load_config, load_pyproject
from .errors import AuthError, ConfigError, UsageError
from .github import GitHub
from .remote import RepoRef, api_base, parse_remote_url, resolve_token
from .runs import RunQuery
from .workflows import (
    Workflow,
    find_publish_workflow,
    push_triggers_on_tag,
    release_triggers_on_publish,
)

_RUN_URL = re.compile(
    r"^https?://(?P<host>[^/\s]+)/(?P<owner>[^/\s]+)/(?P<repo>[^/\s]+)/actions/runs/(?P<id>\d+)"
)


@dataclass(frozen=True)
class Target:
    """The repository and either a known run id or the query that finds the run."""

    repo: RepoRef
    run_id: int | None = None
    query: RunQuery | None = None
    warning: str | None = None


def _config(root: Path) -> ReleaseConfig:
    try:
        return load_config(load_pyproject(root))
    except ConfigError:
        if (root / "pyproject.toml").exists():
            raise
        return ReleaseConfig()  # a repository without pyproject.toml: defaults


def _release_tag_at_head(tags: Mapping[str, str], head: str, prefix: str) -> str | None:
    versions: dict[Version, str] = {}
    for name, sha in tags.items():
        if sha != head or not name.startswith(prefix):
            continue
        try:
            versions[Version(name[len(prefix) :])] = name
        except InvalidVersion:
            continue
    return versions[max(versions)] if versions else None


def resolve_target(target: str | None, *, cwd: Path, workflow: str | None) -> Target:
    """Turn TARGET (run id, run URL, tag, or nothing) into a :class:`Target`."""
    url = _RUN_URL.match(target or "")
    if url:
        host = url["host"].lower()
        repo = RepoRef(host, url["owner"], url["repo"])
        return Target(repo=repo, run_id=int(url["id"]))

    from .gitrepo import GitRepo

    git = GitRepo.open(cwd)
    config = _config(git.root)
    remote_url = git.remote_url(config.remote)
    if remote_url is None:
        raise UsageError(
            f"there is no git remote named {config.remote!r} to tell the GitHub repository",
            "pass a run URL instead, or add the remote",
        )
    repo = parse_remote_url(remote_url)
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
    sha = local.get(tag) or remote_tags.get(tag)
    if sha is None:
        raise UsageError(
            f"tag {tag} exists neither locally nor on {config.remote!r}", "check the name"
        )

    name = workflow or config.workflow
    found = find_publish_workflow(git.root, name)
    if name is None and found is None:
        raise UsageError(
            "no workflow under .github/workflows publishes to PyPI",
            "pass --workflow FILE or set workflow in [tool.release]",
        )
    filename = Path(name).name if name else found.filename if found else ""
    event, warning = event_for(found, tag, config.github_release)
    query = RunQuery(workflow=filename, event=event, tag=tag, sha=sha)
    return Target(repo=repo, query=query, warning=warning)


def event_for(workflow: Workflow | None, tag: str, github_release: bool) -> tuple[str, str | None]:
    """``push`` or ``release``, from what the local workflow file triggers on."""
    if workflow is None:
        return ("release" if github_release else "push"), None
    on_tag = push_triggers_on_tag(workflow, tag)
    on_release = release_triggers_on_publish(workflow)
    if on_tag:
        return "push", None
    if on_release:
        return "release", None
    return "push", f"{workflow.filename} does not trigger on tag {tag}; see release doctor"


def connect(
    repo: RepoRef, *, api_url: str | None, env: Mapping[str, str], own_retries: bool
) -> GitHub:
    """A :class:`GitHub` for ``repo``, with the token from the environment (exit 4 without)."""
    token = resolve_token(env)
    if not token:
        raise AuthError(
            "reading GitHub Actions runs needs a GitHub token, and none was found",
            "set GH_TOKEN or GITHUB_TOKEN, or log in with gh auth login",
        )
    return GitHub(api_base(repo, api_url, env), token, repo, own_retries=own_retries)


def find_run(github: GitHub, target: Target) -> int:
    """The id of the run a tag started (latest attempt), without waiting for it."""
    query = target.query
    assert query is not None
    _, runs = github.workflow_runs(query.workflow, query.event, query.tag)
    matching = [run for run in runs if query.matches(run)]
    if not matching:
        raise UsageError(f"found no {query.describe()}", "name a run id or a run URL")
    return max(matching, key=lambda run: run.id).id
