"""JSON bodies in GitHub's shapes (REST API 2022-11-28), field for field as GitHub sends them.

Field sets and order follow the recorded api.github.com responses; every URL is built from
the emulator's own address (:class:`Urls`), because PyGithub refuses URLs on another host,
port or path prefix than its ``base_url``.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

import msgspec

from .actions import Environment, JobView, Run, Workflow
from .gitstore import CommitInfo, RefInfo, TagObject
from .releases import Release
from .state import RateSnapshot
from .timefmt import iso

Json = dict[str, Any]
OWNER_ID = 1  # the repository owner's user id, as simple_user reports it


class Urls(msgspec.Struct, frozen=True):
    """The emulator's addresses: ``origin`` (``http://127.0.0.1:PORT``) and ``prefix``."""

    origin: str
    prefix: str
    owner: str
    repo: str
    repo_id: int

    @property
    def api(self) -> str:
        """The API root (what clients use as ``base_url``)."""
        return self.origin + self.prefix

    @property
    def repo_api(self) -> str:
        """``…/repos/{owner}/{repo}``."""
        return f"{self.api}/repos/{self.owner}/{self.repo}"

    @property
    def repo_html(self) -> str:
        """The web page of the repository (same host, no API prefix)."""
        return f"{self.origin}/{self.owner}/{self.repo}"

    def by_id(self, rest: str) -> str:
        """``…/repositories/{id}{rest}``, the form GitHub uses in pagination links."""
        return f"{self.api}/repositories/{self.repo_id}{rest}"

    def blob(self, token: str) -> str:
        """A signed-download URL (no API prefix, like GitHub's separate log host)."""
        return f"{self.origin}/_blobs/{token}"


def node_id(kind: str, number: int | str) -> str:
    """An opaque GraphQL node id."""
    return base64.b64encode(f"{kind}:{number}".encode()).decode()


def simple_user(urls: Urls, login: str, user_id: int = 1, kind: str = "User") -> Json:
    """A ``simple-user``."""
    base = f"{urls.api}/users/{login}"
    return {
        "login": login,
        "id": user_id,
        "node_id": node_id("U", user_id),
        "avatar_url": f"{urls.origin}/avatars/u/{user_id}?v=4",
        "gravatar_id": "",
        "url": base,
        "html_url": f"{urls.origin}/{login}",
        "followers_url": f"{base}/followers",
        "following_url": f"{base}/following{{/other_user}}",
        "gists_url": f"{base}/gists{{/gist_id}}",
        "starred_url": f"{base}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{base}/subscriptions",
        "organizations_url": f"{base}/orgs",
        "repos_url": f"{base}/repos",
        "events_url": f"{base}/events{{/privacy}}",
        "received_events_url": f"{base}/received_events",
        "type": kind,
        "user_view_type": "public",
        "site_admin": False,
    }


# The hypermedia links every repository object carries, relative to its API URL.
_REPO_LINKS = {
    "forks_url": "/forks",
    "keys_url": "/keys{/key_id}",
    "collaborators_url": "/collaborators{/collaborator}",
    "teams_url": "/teams",
    "hooks_url": "/hooks",
    "issue_events_url": "/issues/events{/number}",
    "events_url": "/events",
    "assignees_url": "/assignees{/user}",
    "branches_url": "/branches{/branch}",
    "tags_url": "/tags",
    "blobs_url": "/git/blobs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "trees_url": "/git/trees{/sha}",
    "statuses_url": "/statuses/{sha}",
    "languages_url": "/languages",
    "stargazers_url": "/stargazers",
    "contributors_url": "/contributors",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "commits_url": "/commits{/sha}",
    "git_commits_url": "/git/commits{/sha}",
    "comments_url": "/comments{/number}",
    "issue_comment_url": "/issues/comments{/number}",
    "contents_url": "/contents/{+path}",
    "compare_url": "/compare/{base}...{head}",
    "merges_url": "/merges",
    "archive_url": "/{archive_format}{/ref}",
    "downloads_url": "/downloads",
    "issues_url": "/issues{/number}",
    "pulls_url": "/pulls{/number}",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "labels_url": "/labels{/name}",
    "releases_url": "/releases{/id}",
    "deployments_url": "/deployments",
}


def minimal_repository(urls: Urls) -> Json:
    """A ``minimal-repository`` (as embedded in workflow runs)."""
    head: Json = {
        "id": urls.repo_id,
        "node_id": node_id("R", urls.repo_id),
        "name": urls.repo,
        "full_name": f"{urls.owner}/{urls.repo}",
        "private": False,
        "owner": simple_user(urls, urls.owner),
        "html_url": urls.repo_html,
        "description": None,
        "fork": False,
        "url": urls.repo_api,
    }
    return head | {key: urls.repo_api + rest for key, rest in _REPO_LINKS.items()}


def full_repository(urls: Urls, default_branch: str, created_at: float, pushed_at: float) -> Json:
    """A ``full-repository`` (``GET /repos/{owner}/{repo}``)."""
    host = urls.origin.split("://", 1)[1]
    return minimal_repository(urls) | {
        "created_at": iso(created_at),
        "updated_at": iso(pushed_at),
        "pushed_at": iso(pushed_at),
        "git_url": f"git://{host}/{urls.owner}/{urls.repo}.git",
        "ssh_url": f"git@{host.split(':')[0]}:{urls.owner}/{urls.repo}.git",
        "clone_url": f"{urls.repo_html}.git",
        "svn_url": urls.repo_html,
        "homepage": None,
        "size": 1,
        "stargazers_count": 0,
        "watchers_count": 0,
        "language": "Python",
        "has_issues": True,
        "has_projects": True,
        "has_downloads": True,
        "has_wiki": False,
        "has_pages": False,
        "has_discussions": False,
        "forks_count": 0,
        "mirror_url": None,
        "archived": False,
        "disabled": False,
        "open_issues_count": 0,
        "license": None,
        "allow_forking": True,
        "is_template": False,
        "web_commit_signoff_required": False,
        "has_pull_requests": True,
        "pull_request_creation_policy": "all",
        "topics": [],
        "visibility": "public",
        "forks": 0,
        "open_issues": 0,
        "watchers": 0,
        "default_branch": default_branch,
        "permissions": {
            "admin": True,
            "maintain": True,
            "push": True,
            "triage": True,
            "pull": True,
        },
        "temp_clone_token": None,
        "network_count": 0,
        "subscribers_count": 0,
    }


def release(urls: Urls, item: Release) -> Json:
    """A ``release``."""
    url = f"{urls.repo_api}/releases/{item.id}"
    tag = quote(item.tag_name)
    return {
        "url": url,
        "assets_url": f"{url}/assets",
        "upload_url": f"{url}/assets{{?name,label}}",
        "html_url": f"{urls.repo_html}/releases/tag/{tag}",
        "id": item.id,
        "author": simple_user(urls, urls.owner),
        "node_id": node_id("RE", item.id),
        "tag_name": item.tag_name,
        "target_commitish": item.target_commitish,
        "name": item.name,
        "draft": item.draft,
        "immutable": False,
        "prerelease": item.prerelease,
        "created_at": iso(item.created_at),
        "updated_at": iso(item.published_at or item.created_at),
        "published_at": iso(item.published_at) if item.published_at is not None else None,
        "assets": [],
        "tarball_url": f"{urls.repo_api}/tarball/{tag}",
        "zipball_url": f"{urls.repo_api}/zipball/{tag}",
        "body": item.body,
    }


def _git_object(urls: Urls, sha: str, kind: str) -> Json:
    return {"sha": sha, "type": kind, "url": f"{urls.repo_api}/git/{kind}s/{sha}"}


def git_ref(urls: Urls, ref: RefInfo) -> Json:
    """A ``git-ref``."""
    return {
        "ref": ref.ref,
        "node_id": node_id("REF", ref.ref),
        "url": f"{urls.repo_api}/git/{quote(ref.ref)}",
        "object": _git_object(urls, ref.sha, ref.type),
    }


def git_tag(urls: Urls, tag: TagObject) -> Json:
    """A ``git-tag`` (an annotated tag object)."""
    return {
        "node_id": node_id("TAG", tag.sha),
        "sha": tag.sha,
        "url": f"{urls.repo_api}/git/tags/{tag.sha}",
        "tagger": {
            "name": tag.tagger.name,
            "email": tag.tagger.email,
            "date": iso(tag.tagger.when),
        },
        "object": _git_object(urls, tag.object_sha, tag.object_type),
        "tag": tag.tag,
        "message": tag.message,
        "verification": {
            "verified": False,
            "reason": "unsigned",
            "signature": None,
            "payload": None,
            "verified_at": None,
        },
    }


def tag(urls: Urls, full_name: str, name: str, sha: str) -> Json:
    """A tag as ``GET /repos/{owner}/{repo}/tags`` lists it."""
    repo = f"{urls.api}/repos/{full_name}"
    return {
        "name": name,
        "commit": {"sha": sha, "url": f"{repo}/commits/{sha}"},
        "zipball_url": f"{repo}/zipball/refs/tags/{name}",
        "tarball_url": f"{repo}/tarball/refs/tags/{name}",
        "node_id": node_id("Ref", f"{full_name}:{name}"),
    }


def workflow(urls: Urls, item: Workflow, default_branch: str) -> Json:
    """A ``workflow``; its ``url`` uses the numeric id, as GitHub's does."""
    return {
        "id": item.id,
        "node_id": node_id("W", item.id),
        "name": item.name,
        "path": item.path,
        "state": "active",
        "created_at": iso(item.created_at),
        "updated_at": iso(item.created_at),
        "url": f"{urls.repo_api}/actions/workflows/{item.id}",
        "html_url": f"{urls.repo_html}/blob/{default_branch}/{item.path}",
        "badge_url": f"{urls.repo_html}/workflows/{quote(item.name)}/badge.svg",
    }


def _head_commit(commit: CommitInfo) -> Json:
    return {
        "id": commit.sha,
        "tree_id": commit.tree,
        "message": commit.message,
        "timestamp": commit.timestamp,
        "author": {"name": commit.author.name, "email": commit.author.email},
        "committer": {"name": commit.committer.name, "email": commit.committer.email},
    }


def workflow_run(
    urls: Urls, run: Run, number: int, commit: CommitInfo, *, attempt_view: bool
) -> Json:
    """A ``workflow-run`` as of attempt ``number``; ``attempt_view`` for ``…/attempts/{n}``
    (whose jobs and logs links point into that attempt).
    """
    attempt = run.attempt(number)
    url = f"{urls.repo_api}/actions/runs/{run.id}"
    scoped = f"{url}/attempts/{number}" if attempt_view else url
    actor = simple_user(urls, urls.owner)
    check_suite = run.id + 40_000_000_000
    return {
        "id": run.id,
        "name": run.workflow.name,
        "node_id": node_id("WFR", run.id),
        "head_branch": run.head_branch,
        "head_sha": run.head_sha,
        "path": run.workflow.path,
        "display_title": run.display_title,
        "run_number": run.run_number,
        "event": run.event,
        "status": attempt.status,
        "conclusion": run.conclusion(number),
        "workflow_id": run.workflow.id,
        "check_suite_id": check_suite,
        "check_suite_node_id": node_id("CS", check_suite),
        "url": url,
        "html_url": f"{urls.repo_html}/actions/runs/{run.id}",
        "pull_requests": [],
        "created_at": iso(run.created_at),
        "updated_at": iso(attempt.updated_at),
        "actor": actor,
        "run_attempt": number,
        "referenced_workflows": [],
        "run_started_at": iso(attempt.started_at),
        "triggering_actor": actor,
        "jobs_url": f"{scoped}/jobs",
        "logs_url": f"{scoped}/logs",
        "check_suite_url": f"{urls.repo_api}/check-suites/{check_suite}",
        "artifacts_url": f"{url}/artifacts",
        "cancel_url": f"{url}/cancel",
        "rerun_url": f"{url}/rerun",
        "previous_attempt_url": f"{url}/attempts/{number - 1}" if number > 1 else None,
        "workflow_url": f"{urls.repo_api}/actions/workflows/{run.workflow.id}",
        "head_commit": _head_commit(commit),
        "repository": minimal_repository(urls),
        "head_repository": minimal_repository(urls),
    }


def _optional_time(ts: float | None) -> str | None:
    return iso(ts) if ts is not None else None


def job(urls: Urls, run: Run, view: JobView) -> Json:
    """A ``job`` with its ``steps``."""
    item = view.job
    runner = view.runner_assigned
    return {
        "id": item.id,
        "run_id": run.id,
        "workflow_name": run.workflow.name,
        "head_branch": run.head_branch,
        "run_url": f"{urls.repo_api}/actions/runs/{run.id}",
        "run_attempt": view.attempt,
        "node_id": node_id("CR", item.id),
        "head_sha": run.head_sha,
        "url": f"{urls.repo_api}/actions/jobs/{item.id}",
        "html_url": f"{urls.repo_html}/actions/runs/{run.id}/job/{item.id}",
        "status": view.status,
        "conclusion": view.conclusion,
        "created_at": iso(item.created_at),
        "started_at": iso(view.started_at),
        "completed_at": _optional_time(view.completed_at),
        "name": item.spec.name,
        "steps": [
            {
                "name": step.name,
                "status": step.status,
                "conclusion": step.conclusion,
                "number": step.number,
                "started_at": _optional_time(step.started_at),
                "completed_at": _optional_time(step.completed_at),
            }
            for step in view.steps
        ],
        "check_run_url": f"{urls.repo_api}/check-runs/{item.id}",
        "labels": list(item.spec.labels),
        "runner_id": 1 if runner else None,
        "runner_name": "GitHub Actions 1" if runner else None,
        "runner_group_id": 2 if runner else None,
        "runner_group_name": "GitHub Actions" if runner else None,
    }


def pending_deployment(
    urls: Urls, environment: Environment, since: float, current_user: str
) -> Json:
    """A ``pending-deployment``: the environment, its wait timer, and who may approve."""
    name = quote(environment.name, safe="")
    return {
        "environment": {
            "id": environment.id,
            "node_id": node_id("EN", environment.id),
            "name": environment.name,
            "url": f"{urls.repo_api}/environments/{name}",
            "html_url": f"{urls.repo_html}/deployments/activity_log?environments_filter={name}",
        },
        "wait_timer": environment.wait_timer,
        "wait_timer_started_at": iso(since),
        "current_user_can_approve": current_user in environment.reviewers,
        "reviewers": [
            {"type": "User", "reviewer": simple_user(urls, login, 1 if login == urls.owner else 2)}
            for login in environment.reviewers
        ],
    }


def rate_limit(core: RateSnapshot) -> Json:
    """A ``rate-limit-overview``; only ``core`` is really counted."""

    def bucket(limit: int, remaining: int, used: int) -> Json:
        return {"limit": limit, "used": used, "remaining": remaining, "reset": core.reset}

    core_bucket = bucket(core.limit, core.remaining, core.used)
    return {
        "resources": {
            "core": core_bucket,
            "search": bucket(30, 30, 0),
            "graphql": bucket(5000, 5000, 0),
            "integration_manifest": bucket(5000, 5000, 0),
            "code_search": bucket(10, 10, 0),
        },
        "rate": core_bucket,
    }
