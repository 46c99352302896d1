"""The GitHub REST API, through PyGithub: releases, Actions runs and jobs, job logs.

PyGithub is imported only here, and only when a command needs GitHub, so that
``release --help`` stays fast.
"""

from __future__ import annotations

from itertools import islice
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import msgspec

from ..core.model import ReleaseInfo, RepoRef
from ..core.redact import redact
from ..core.runs import JobState, PendingDeployment, RunQuery, RunState
from ..errors import (
    AuthError,
    GitHubUnavailable,
    NotFound,
    RateLimited,
    ReleaseError,
    RemoteError,
    UsageError,
)

if TYPE_CHECKING:
    from github import Github
    from github.Repository import Repository

TIMEOUT_SECONDS = 15


class RequestStats(msgspec.Struct):
    """Requests sent, and how many of them counted against the primary rate limit."""

    total: int = 0
    counted: int = 0  # a 304 Not Modified answer to a conditional request is free

    def to_json(self) -> dict[str, int]:
        """The ``requests`` object of ``--json`` outputs."""
        return {"total": self.total, "counted": self.counted}


class _Cached(msgspec.Struct):
    etag: str
    data: Any


class GitHub:
    """One repository on one GitHub API, with a token that never appears in any message.

    ``own_retries`` turns PyGithub's sleeping retry logic off: ``release watch`` waits on
    rate limits and server errors itself, with its injected clock, and says so. ``timeout``
    bounds each request (the doctor's optional look-ups use a short one).
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        repo: RepoRef,
        *,
        own_retries: bool = False,
        timeout: int = TIMEOUT_SECONDS,
    ) -> None:
        from github import Auth, Github, GithubRetry

        self.base_url = base_url
        self.repo_ref = repo
        self.stats = RequestStats()
        self._token = token
        # One mutation per release: PyGithub's 0.25 s read throttle buys nothing here.
        self._client: Github = Github(
            auth=Auth.Token(token) if token else None,  # no token: public data only
            base_url=base_url,
            timeout=timeout,
            seconds_between_requests=0,
            retry=None if own_retries else GithubRetry(total=5, secondary_rate_wait=60),
        )
        self._repo: Repository | None = None
        self._etags: dict[str, _Cached] = {}

    def _error(self, exc: Exception, doing: str) -> ReleaseError:
        """Turn a PyGithub/requests exception into a typed error with a redacted message."""
        from github import BadCredentialsException, GithubException, RateLimitExceededException

        where = f"{self.repo_ref.full_name} on {self.base_url}"
        if isinstance(exc, BadCredentialsException):
            return AuthError(
                f"GitHub rejected the token while {doing}",
                "set GH_TOKEN or GITHUB_TOKEN to a valid token with contents: write",
            )
        if isinstance(exc, RateLimitExceededException):
            return RemoteError(f"GitHub rate limit exceeded while {doing}", "wait and run again")
        if isinstance(exc, GithubException):
            message = exc.data.get("message") if isinstance(exc.data, dict) else None
            text = redact(f"HTTP {exc.status}: {message or 'no message'}", (self._token,))
            if exc.status in (401, 403):
                return AuthError(
                    f"GitHub refused {doing} ({text})",
                    f"the token needs access to {self.repo_ref.full_name} (contents: write "
                    "to release, actions: read to watch, actions: write to re-run)",
                )
            if exc.status == 404:
                return NotFound(
                    f"{where} was not found while {doing} ({text})",
                    "check the remote URL, --api-url, and that the token can see the repository",
                )
            kind = GitHubUnavailable if exc.status >= 500 else RemoteError
            return kind(f"GitHub failed while {doing} ({text})", "run the same command again")
        text = redact(f"{type(exc).__name__}: {exc}", (self._token,))
        return GitHubUnavailable(
            f"cannot reach {self.base_url} while {doing} ({text})",
            "check the network and --api-url",
        )

    def _call(self, doing: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        import requests
        from github import GithubException

        try:
            return fn(*args, **kwargs)
        except (GithubException, requests.RequestException, OSError) as exc:
            raise self._error(exc, doing) from exc

    # --- conditional reads (Actions) ---------------------------------------------------

    def _repo_path(self, suffix: str) -> str:
        return f"/repos/{self.repo_ref.owner}/{self.repo_ref.name}{suffix}"

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> tuple[bool, Any]:
        """GET with ``If-None-Match``; return (changed, data). Unchanged data costs no rate limit.

        Rate limits raise :class:`RateLimited`; other failures raise typed errors.
        """
        import requests

        key = path + "?" + "&".join(f"{k}={v}" for k, v in sorted((params or {}).items()))
        cached = self._etags.get(key)
        headers = {"If-None-Match": cached.etag} if cached else {}
        requester = self._client.requester
        self.stats.total += 1
        try:
            status, response_headers, body = requester.requestJson(
                "GET", path, parameters=params, headers=headers
            )
        except (requests.RequestException, OSError) as exc:
            raise self._error(exc, f"reading {path}") from exc
        lowered = {k.lower(): v for k, v in response_headers.items()}
        if status == 304 and cached is not None:
            return False, cached.data
        self.stats.counted += 1
        data = _json(body)
        if status >= 400:
            limited = _rate_limited(status, lowered, data)
            if limited is not None:
                raise limited
            error = requester.createException(status, response_headers, data)
            raise self._error(error, f"reading {path}") from error
        etag = lowered.get("etag")
        if etag:
            self._etags[key] = _Cached(etag, data)
        return True, data

    def workflow_runs(self, query: RunQuery) -> tuple[bool, list[RunState]]:
        """The newest runs of the query's workflow (file name or id) for its event on its
        branch (the tag; a workflow_run's are on any branch).
        """
        path = self._repo_path(f"/actions/workflows/{quote(query.workflow, safe='')}/runs")
        branch = {"branch": query.branch} if query.branch is not None else {}
        changed, data = self.get_json(path, {"event": query.event, **branch, "per_page": 30})
        runs = data.get("workflow_runs", []) if isinstance(data, dict) else []
        return changed, [RunState.from_json(r) for r in runs if isinstance(r, dict)]

    def run(self, run_id: int) -> tuple[bool, RunState]:
        """The run (its latest attempt).

        A run id the repository does not have (another repository's, or a typo) is a
        usage error (exit 2); a repository the token cannot see stays a remote error.
        """
        try:
            changed, data = self.get_json(self._repo_path(f"/actions/runs/{run_id}"))
        except NotFound as exc:
            self.repository()  # raises its own NotFound when the repository is the problem
            name = self.repo_ref.full_name
            raise UsageError(
                f"{name} has no Actions run {run_id}",
                f"expected the id of one of {name}'s runs (the number at the end of "
                f"…/{name}/actions/runs/ID), or a tag",
            ) from exc
        return changed, RunState.from_json(data if isinstance(data, dict) else {})

    def jobs(self, run_id: int) -> tuple[bool, list[JobState]]:
        """The jobs of the run's latest attempt, with their steps."""
        path = self._repo_path(f"/actions/runs/{run_id}/jobs")
        changed, data = self.get_json(path, {"filter": "latest", "per_page": 100})
        jobs = data.get("jobs", []) if isinstance(data, dict) else []
        return changed, [JobState.from_json(j) for j in jobs if isinstance(j, dict)]

    def pending_deployments(self, run_id: int) -> tuple[bool, list[PendingDeployment]]:
        """The environments a ``waiting`` run needs approved, with who can approve them."""
        path = self._repo_path(f"/actions/runs/{run_id}/pending_deployments")
        changed, data = self.get_json(path)
        items = data if isinstance(data, list) else []
        return changed, [PendingDeployment.from_json(d) for d in items if isinstance(d, dict)]

    def rerun_failed_jobs(self, run_id: int) -> None:
        """Start the run's next attempt with its failed jobs and the jobs that depend on them.

        Through PyGithub's requester rather than ``WorkflowRun.rerun_failed_jobs()``, which
        would fetch the run first and turns a refusal into ``False``, losing GitHub's reason.
        """
        path = self._repo_path(f"/actions/runs/{run_id}/rerun-failed-jobs")
        self.stats.total += 1
        self.stats.counted += 1
        self._call(
            f"re-running the failed jobs of run {run_id}",
            self._client.requester.requestJsonAndCheck,
            "POST",
            path,
        )

    def job_log(self, job_id: int) -> bytes:
        """Download a job's log: follow the 302 at once, without the Authorization header."""
        import requests

        path = self._repo_path(f"/actions/jobs/{job_id}/logs")
        self.stats.total += 1
        self.stats.counted += 1
        try:
            status, headers, body = self._client.requester.requestJson("GET", path)
        except (requests.RequestException, OSError) as exc:
            raise self._error(exc, f"asking for the log of job {job_id}") from exc
        location = {k.lower(): v for k, v in headers.items()}.get("location")
        if status != 302 or not location:
            error = self._client.requester.createException(status, headers, _json(body))
            raise self._error(error, f"asking for the log of job {job_id}") from error
        try:
            # The signed URL expires within a minute and refuses our token: plain GET now.
            response = requests.get(location, timeout=TIMEOUT_SECONDS)
        except requests.RequestException as exc:
            raise self._error(exc, f"downloading the log of job {job_id}") from exc
        if response.status_code != 200:
            raise RemoteError(
                f"downloading the log of job {job_id} failed (HTTP {response.status_code})",
                "the log may have expired; run the same command again",
            )
        return response.content

    def tag_commits(self) -> dict[str, str]:
        """The repository's tags (the newest 100) as {commit SHA: tag name}; when several
        tags name one commit, the longest name (``v1.12.4`` over ``v1``).
        """
        self.stats.total += 1
        self.stats.counted += 1
        _, data = self._call(
            f"listing the tags of {self.repo_ref.full_name}",
            self._client.requester.requestJsonAndCheck,
            "GET",
            self._repo_path("/tags"),
            parameters={"per_page": 100},
        )
        found: dict[str, str] = {}
        for item in data if isinstance(data, list) else []:
            commit = item.get("commit") if isinstance(item, dict) else None
            sha = commit.get("sha") if isinstance(commit, dict) else None
            name = item.get("name") if isinstance(item, dict) else None
            known = found.get(sha, "") if isinstance(sha, str) else ""
            if isinstance(sha, str) and isinstance(name, str) and len(name) > len(known):
                found[sha] = name
        return found

    # --- releases ----------------------------------------------------------------------

    def repository(self) -> Repository:
        """The repository (fetched once); also proves that the token works."""
        if self._repo is None:
            self._repo = self._call(
                f"reading {self.repo_ref.full_name}", self._client.get_repo, self.repo_ref.full_name
            )
        assert self._repo is not None
        return self._repo

    def release_for_tag(self, tag: str, *, include_drafts: bool = False) -> ReleaseInfo | None:
        """The release of ``tag``, or None. Drafts have no by-tag lookup: list them if asked."""
        from github import UnknownObjectException

        repo = self.repository()
        doing = f"looking up the release of {tag}"
        try:
            return _info(repo.get_release(tag))
        except UnknownObjectException:
            pass
        except Exception as exc:  # mapped to a typed error below
            raise self._error(exc, doing) from exc
        if not include_drafts:
            return None
        # The newest page is enough: a draft left by an earlier run is recent.
        releases = self._call(doing, lambda: list(islice(repo.get_releases(), 30)))
        return next((_info(r) for r in releases if r.tag_name == tag), None)

    def create_release(
        self,
        tag: str,
        *,
        prerelease: bool,
        draft: bool,
        latest: bool,
        notes: str | None = None,
        generate_notes: bool = True,
    ) -> ReleaseInfo:
        """Create the release of an existing tag, its body ``notes`` and, when
        ``generate_notes``, the notes GitHub generates (appended after ``notes``); without
        generated notes, which name the release, it is named after the tag, as GitHub would.
        """
        from github import GithubException
        from github.GithubObject import NotSet

        repo = self.repository()
        try:
            release = repo.create_git_release(
                tag,
                name=NotSet if generate_notes else tag,
                message=NotSet if notes is None else notes,
                draft=draft,
                prerelease=prerelease,
                generate_release_notes=generate_notes,
                make_latest="true" if latest else "false",
            )
        except GithubException as exc:
            # PyGithub retries a POST after a 5xx; if GitHub had acted, the retry gets
            # 422 already_exists. The release is there, which is what we wanted.
            if exc.status == 422:
                existing = self.release_for_tag(tag)
                if existing is not None:
                    return existing
            raise self._error(exc, f"creating the release of {tag}") from exc
        except Exception as exc:
            raise self._error(exc, f"creating the release of {tag}") from exc
        return _info(release)


def _json(body: str) -> Any:
    import json

    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


def _message(data: Any) -> str | None:
    return str(data.get("message")) if isinstance(data, dict) and data.get("message") else None


_SECONDARY_WORDS = ("secondary rate limit", "abuse detection", "retry your request again later")


def _rate_limited(status: int, headers: dict[str, str], data: Any) -> RateLimited | None:
    """A :class:`RateLimited` when a 403/429 answer is a rate limit, None otherwise."""
    if status not in (403, 429):
        return None
    message = _message(data) or f"HTTP {status}"
    lowered = message.lower()
    primary = headers.get("x-ratelimit-remaining") == "0" or "rate limit exceeded" in lowered
    secondary = status == 429 or any(word in lowered for word in _SECONDARY_WORDS)
    if not (primary or secondary):
        return None
    return RateLimited(
        message,
        retry_after=_number(headers.get("retry-after")),
        reset_at=_number(headers.get("x-ratelimit-reset")) if primary else None,
    )


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _info(release: Any) -> ReleaseInfo:
    return ReleaseInfo(
        id=release.id,
        tag=release.tag_name,
        url=release.html_url,
        draft=release.draft,
        prerelease=release.prerelease,
    )
