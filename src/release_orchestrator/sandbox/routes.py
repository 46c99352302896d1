"""The REST endpoints: a route table from (method, path) to handlers over :class:`State`.

Handlers see the *canonical* path: API prefix removed, percent-escapes decoded, and
``/repositories/{id}/…`` rewritten to ``/repos/{owner}/{repo}/…`` (GitHub serves both and
uses the former in pagination links). They run with the state lock held.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

import msgspec

from . import payloads
from .actions import JobView, Run, RunContext
from .errors import ApiError, not_found, validation_failed
from .gitstore import GitError, Person, RefInfo
from .logs import job_log, run_archive
from .payloads import Json, Urls
from .releases import Release
from .state import State

T = TypeVar("T")
_GIT_DOC = "https://docs.github.com/rest/git"
MAX_PER_PAGE = 100


class ApiRequest(msgspec.Struct, frozen=True):
    """A parsed API request."""

    method: str
    path: str  # canonical, see the module docstring
    query: Sequence[tuple[str, str]]
    body: Any

    def param(self, name: str) -> str | None:
        """The first value of query parameter ``name``."""
        return next((v for k, v in self.query if k == name), None)

    def json(self) -> dict[str, Any]:
        """The JSON object body (``{}`` when there is none)."""
        if self.body is None:
            return {}
        if not isinstance(self.body, dict):
            raise ApiError(400, "Problems parsing JSON")
        return self.body


class ApiResponse(msgspec.Struct):
    """What an endpoint answers: a status, a JSON body (or None) and extra headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = msgspec.field(default_factory=dict)


Handler = Callable[[ApiRequest, "re.Match[str]"], ApiResponse]


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


class Api:
    """All endpoints of one emulated repository."""

    def __init__(self, state: State, urls: Urls) -> None:
        self.state = state
        self.urls = urls
        self._repo_path = f"/repos/{urls.owner}/{urls.repo}"
        repo = re.escape(self._repo_path)
        table: list[tuple[str, str, Handler]] = [
            ("GET", "/rate_limit", self.get_rate_limit),
            ("GET", "", self.get_repo),
            ("GET", "/releases", self.list_releases),
            ("POST", "/releases", self.create_release),
            ("POST", "/releases/generate-notes", self.generate_notes),
            ("GET", "/releases/latest", self.latest_release),
            ("GET", "/releases/tags/(?P<tag>.+)", self.release_by_tag),
            ("GET", r"/releases/(?P<id>\d+)", self.get_release),
            ("PATCH", r"/releases/(?P<id>\d+)", self.update_release),
            ("DELETE", r"/releases/(?P<id>\d+)", self.delete_release),
            ("GET", "/git/refs?/(?P<ref>.+)", self.get_ref),
            ("GET", "/git/matching-refs/(?P<ref>.*)", self.matching_refs),
            ("POST", "/git/refs", self.create_ref),
            ("GET", "/git/tags/(?P<sha>[0-9a-f]{40})", self.get_tag),
            ("POST", "/git/tags", self.create_tag),
            ("GET", "/actions/workflows", self.list_workflows),
            ("GET", "/actions/workflows/(?P<wf>[^/]+)", self.get_workflow),
            ("GET", "/actions/workflows/(?P<wf>[^/]+)/runs", self.list_runs),
            ("GET", "/actions/runs", self.list_runs),
            ("GET", r"/actions/runs/(?P<run>\d+)(?:/attempts/(?P<n>\d+))?", self.get_run),
            ("GET", r"/actions/runs/(?P<run>\d+)(?:/attempts/(?P<n>\d+))?/jobs", self.list_jobs),
            ("GET", r"/actions/runs/(?P<run>\d+)(?:/attempts/(?P<n>\d+))?/logs", self.run_logs),
            ("GET", r"/actions/runs/(?P<run>\d+)/pending_deployments", self.pending_deployments),
            ("POST", r"/actions/runs/(?P<run>\d+)/rerun", self.rerun),
            ("POST", r"/actions/runs/(?P<run>\d+)/rerun-failed-jobs", self.rerun),
            ("POST", r"/actions/runs/(?P<run>\d+)/(?:force-)?cancel", self.cancel),
            ("GET", r"/actions/jobs/(?P<job>\d+)", self.get_job),
            ("GET", r"/actions/jobs/(?P<job>\d+)/logs", self.job_logs),
            ("POST", r"/actions/jobs/(?P<job>\d+)/rerun", self.rerun_job),
        ]
        self._routes = [
            (
                method,
                re.compile((path if path.startswith("/rate") else repo + path) + r"\Z"),
                handler,
            )
            for method, path, handler in table
        ]
        self._foreign_tags = re.compile(r"\A/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)/tags\Z")
        self._by_id = re.compile(rf"\A/repositories/{urls.repo_id}(?=/|\Z)")
        self._other_repo = re.compile(r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)(?=/|\Z)")

    # -- plumbing ---------------------------------------------------------------------------

    def canonical(self, path: str) -> str:
        """Rewrite ``/repositories/{id}``, any case of owner/repo, to ``/repos/{owner}/{repo}``."""
        path = self._by_id.sub(self._repo_path, path, count=1)
        match = self._other_repo.match(path)
        if (
            match
            and f"{match['owner']}/{match['repo']}".lower()
            == f"{self.urls.owner}/{self.urls.repo}".lower()
        ):
            path = self._repo_path + path[match.end() :]
        return path

    def dispatch(self, request: ApiRequest) -> ApiResponse:
        """Run the endpoint for ``request``; unknown paths and methods are 404, as on GitHub."""
        wanted = "GET" if request.method == "HEAD" else request.method
        for method, pattern, handler in self._routes:
            match = pattern.match(request.path)
            if match and method == wanted:
                return handler(request, match)
        foreign = self._foreign_tags.match(request.path)
        if foreign and wanted == "GET":
            return self.foreign_tags(request, foreign)
        raise not_found()

    def _page(self, request: ApiRequest, items: Sequence[T]) -> tuple[Sequence[T], dict[str, str]]:
        """Slice one page and build GitHub's ``Link`` header (``/repositories/{id}`` targets)."""
        per_page = min(max(_int(request.param("per_page"), 30), 1), MAX_PER_PAGE)
        page = max(_int(request.param("page"), 1), 1)
        last = max(math.ceil(len(items) / per_page), 1)
        chunk = items[(page - 1) * per_page : page * per_page]
        if last == 1:
            return chunk, {}
        rest = request.path[len(self._repo_path) :]
        kept = [(k, v) for k, v in request.query if k != "page"]

        def link(number: int, rel: str) -> str:
            query = urlencode([*kept, ("page", str(number))])
            return f'<{self.urls.by_id(rest)}?{query}>; rel="{rel}"'

        links = []
        if page > 1:
            links.append(link(page - 1, "prev"))
        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        if page > 1:
            links.append(link(1, "first"))
        return chunk, {"Link": ", ".join(links)}

    def foreign_tags(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``GET /repos/{owner}/{repo}/tags`` of a scripted other repository (one page)."""
        full = f"{match['owner']}/{match['repo']}"
        tags = self.state.foreign_tags.get(full.lower())
        if tags is None:
            raise not_found("https://docs.github.com/rest/repos/repos#list-repository-tags")
        per_page = min(max(_int(request.param("per_page"), 30), 1), MAX_PER_PAGE)
        return ApiResponse(200, [payloads.tag(self.urls, full, n, s) for n, s in tags[:per_page]])

    def _default_branch(self) -> str:
        return self.state.git.default_branch()

    # -- repository -------------------------------------------------------------------------

    def get_rate_limit(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``GET /rate_limit``."""
        return ApiResponse(200, payloads.rate_limit(self.state.rate.snapshot()))

    def get_repo(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``GET /repos/{owner}/{repo}``; ``default_branch`` is the bare repo's HEAD."""
        state = self.state
        body = payloads.full_repository(
            self.urls, self._default_branch(), state.created_at, state.clock()
        )
        return ApiResponse(200, body)

    # -- releases ---------------------------------------------------------------------------

    def _release(self, item: Release, status: int = 200) -> ApiResponse:
        return ApiResponse(status, payloads.release(self.urls, item))

    def list_releases(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``GET …/releases``."""
        chunk, headers = self._page(request, self.state.releases.listed())
        return ApiResponse(200, [payloads.release(self.urls, r) for r in chunk], headers)

    def create_release(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``POST …/releases`` → 201 with ``Location``."""
        response = self._release(self.state.releases.create(request.json()), 201)
        response.headers["Location"] = response.body["url"]
        return response

    def generate_notes(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``POST …/releases/generate-notes``."""
        body = request.json()
        tag = body.get("tag_name")
        if not isinstance(tag, str) or not tag:
            raise validation_failed("Release", "tag_name", "missing_field")
        notes = self.state.releases.notes(
            tag, body.get("target_commitish"), body.get("previous_tag_name")
        )
        return ApiResponse(200, notes)

    def latest_release(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``GET …/releases/latest``."""
        return self._release(self.state.releases.latest())

    def release_by_tag(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``GET …/releases/tags/{tag}``."""
        return self._release(self.state.releases.by_tag(match["tag"]))

    def get_release(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``GET …/releases/{id}``."""
        return self._release(self.state.releases.get(int(match["id"])))

    def update_release(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``PATCH …/releases/{id}``."""
        return self._release(self.state.releases.update(int(match["id"]), request.json()))

    def delete_release(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``DELETE …/releases/{id}`` → 204."""
        self.state.releases.delete(int(match["id"]))
        return ApiResponse(204)

    # -- git data ---------------------------------------------------------------------------

    def _ref(self, ref: RefInfo) -> Json:
        return payloads.git_ref(self.urls, ref)

    def get_ref(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``GET …/git/ref/{ref}`` (and the older ``git/refs/{ref}``)."""
        found = self.state.git.ref(f"refs/{match['ref']}")
        if found is None:
            raise not_found(f"{_GIT_DOC}/refs#get-a-reference")
        return ApiResponse(200, self._ref(found))

    def matching_refs(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``GET …/git/matching-refs/{ref}``: a plain prefix match, possibly empty."""
        chunk, headers = self._page(request, self.state.git.refs(f"refs/{match['ref']}"))
        return ApiResponse(200, [self._ref(r) for r in chunk], headers)

    def create_ref(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``POST …/git/refs`` → 201; a pushed tag starts runs on the next scan, as on GitHub."""
        body = request.json()
        ref, sha = body.get("ref"), body.get("sha")
        if not isinstance(ref, str) or not ref.startswith("refs/") or ref.count("/") < 2:
            raise ApiError(
                422, "Reference name must start with 'refs/' and have at least two slashes."
            )
        if not isinstance(sha, str) or self.state.git.object_type(sha) is None:
            raise ApiError(
                422,
                "Object does not exist",
                documentation_url=f"{_GIT_DOC}/refs#create-a-reference",
            )
        try:
            self.state.git.create_ref(ref, sha)
        except GitError as exc:
            raise ApiError(422, "Reference already exists") from exc
        created = self.state.git.ref(ref)
        assert created is not None
        body_out = self._ref(created)
        return ApiResponse(201, body_out, {"Location": body_out["url"]})

    def get_tag(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``GET …/git/tags/{sha}``."""
        tag = self.state.git.read_tag(match["sha"])
        if tag is None:
            raise not_found(f"{_GIT_DOC}/tags#get-a-tag")
        return ApiResponse(200, payloads.git_tag(self.urls, tag))

    def create_tag(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``POST …/git/tags`` → 201: an annotated tag object; the ref is a separate call."""
        body = request.json()
        tag, message, target = body.get("tag"), body.get("message"), body.get("object")
        kind = body.get("type", "commit")
        if not all(isinstance(v, str) for v in (tag, message, target, kind)):
            raise validation_failed(
                "Tag", "tag", "missing_field", f"{_GIT_DOC}/tags#create-a-tag-object"
            )
        if self.state.git.object_type(str(target)) != kind:
            raise ApiError(
                422,
                "Object does not exist",
                documentation_url=f"{_GIT_DOC}/tags#create-a-tag-object",
            )
        who = body.get("tagger") or {}
        tagger = Person(
            name=str(who.get("name", self.urls.owner)),
            email=str(who.get("email", f"{self.urls.owner}@users.noreply.github.com")),
            when=self.state.clock(),
        )
        sha = self.state.git.make_tag(str(tag), str(message), str(target), str(kind), tagger)
        created = self.state.git.read_tag(sha)
        assert created is not None
        body_out = payloads.git_tag(self.urls, created)
        return ApiResponse(201, body_out, {"Location": body_out["url"]})

    # -- actions: workflows and runs --------------------------------------------------------

    def list_workflows(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``GET …/actions/workflows``."""
        branch = self._default_branch()
        items = list(self.state.actions.workflows.values())
        chunk, headers = self._page(request, items)
        body = {
            "total_count": len(items),
            "workflows": [payloads.workflow(self.urls, w, branch) for w in chunk],
        }
        return ApiResponse(200, body, headers)

    def get_workflow(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``GET …/actions/workflows/{id or file name}``."""
        found = self.state.actions.workflow(match["wf"])
        return ApiResponse(200, payloads.workflow(self.urls, found, self._default_branch()))

    def _run_json(self, run: Run, number: int | None = None) -> Json:
        commit = self.state.git.commit(run.head_sha)
        latest = len(run.attempts)
        return payloads.workflow_run(
            self.urls, run, number or latest, commit, attempt_view=number is not None
        )

    def list_runs(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``GET …/actions/runs`` and ``…/workflows/{id}/runs`` with GitHub's filters."""
        actions = self.state.actions
        workflow = actions.workflow(match["wf"]) if "wf" in match.groupdict() else None
        runs = actions.list_runs(
            workflow,
            event=request.param("event"),
            branch=request.param("branch"),
            head_sha=request.param("head_sha"),
            status=request.param("status"),
        )
        chunk, headers = self._page(request, runs)
        body = {"total_count": len(runs), "workflow_runs": [self._run_json(r) for r in chunk]}
        return ApiResponse(200, body, headers)

    def _run(self, match: re.Match[str], *, poll: bool = True) -> Run:
        return self.state.actions.get_run(int(match["run"]), poll=poll)

    def get_run(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``GET …/actions/runs/{id}`` and ``…/attempts/{n}``."""
        run = self._run(match)
        number = int(match["n"]) if match["n"] else None
        if number is not None:
            run.attempt(number)  # 404 for an attempt that does not exist
        return ApiResponse(200, self._run_json(run, number))

    def _views(self, request: ApiRequest, match: re.Match[str]) -> tuple[Run, list[JobView]]:
        run = self._run(match, poll=False)
        if match["n"]:
            return run, run.jobs_as_of(run.attempt(int(match["n"])).number)
        if request.param("filter") == "all":
            return run, run.all_jobs()
        return run, run.jobs_as_of(len(run.attempts))

    def list_jobs(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``GET …/runs/{id}/jobs?filter=latest|all`` and ``…/attempts/{n}/jobs``."""
        run, views = self._views(request, match)
        chunk, headers = self._page(request, views)
        body = {"total_count": len(views), "jobs": [payloads.job(self.urls, run, v) for v in chunk]}
        return ApiResponse(200, body, headers)

    def get_job(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``GET …/actions/jobs/{id}``."""
        run, attempt, item = self.state.actions.job(int(match["job"]))
        return ApiResponse(200, payloads.job(self.urls, run, attempt.view(item)))

    def _redirect(self, content: bytes, content_type: str) -> ApiResponse:
        token = self.state.blobs.put(content, content_type)
        return ApiResponse(302, None, {"Location": self.urls.blob(token)})

    def job_logs(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``GET …/actions/jobs/{id}/logs`` → 302 to a short-lived plain-text download."""
        run, attempt, item = self.state.actions.job(int(match["job"]))
        view = attempt.view(item)
        if view.status != "completed":
            raise not_found(
                "https://docs.github.com/rest/actions/workflow-jobs#download-job-logs-for-a-workflow-run"
            )
        text = job_log(view, self._context(run))
        return self._redirect(text.encode(), "text/plain; charset=utf-8")

    def run_logs(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``GET …/actions/runs/{id}/logs`` → 302 to a zip of every job's and step's log."""
        run, views = self._views(request, match)
        done = [v for v in views if v.status == "completed"]
        if not done:
            raise not_found(
                "https://docs.github.com/rest/actions/workflow-runs#download-workflow-run-logs"
            )
        return self._redirect(run_archive(done, self._context(run)), "application/zip")

    def _context(self, run: Run) -> RunContext:
        """What the run's jobs see of it (for logs that quote the OIDC claims)."""
        is_tag = self.state.git.resolve_commit(f"refs/tags/{run.head_branch}") is not None
        kind = "tags" if run.event == "release" or is_tag else "heads"
        return RunContext(
            owner=self.urls.owner,
            repo=self.urls.repo,
            owner_id=payloads.OWNER_ID,
            repo_id=self.urls.repo_id,
            workflow_path=run.workflow.path,
            event=run.event,
            ref=f"refs/{kind}/{run.head_branch}",
            sha=run.head_sha,
        )

    def pending_deployments(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``GET …/actions/runs/{id}/pending_deployments``: what the run waits to have approved.

        The token's user is the repository owner, as in the rest of the emulator.
        """
        run = self._run(match, poll=False)
        body = [
            payloads.pending_deployment(self.urls, environment, since, self.urls.owner)
            for environment, since in self.state.actions.pending(run)
        ]
        return ApiResponse(200, body)

    def rerun(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``POST …/rerun`` and ``…/rerun-failed-jobs`` → 201 ``{}``; same id, next attempt."""
        run = self._run(match, poll=False)
        self.state.actions.rerun(run, failed_only=request.path.endswith("/rerun-failed-jobs"))
        return ApiResponse(201, {})

    def rerun_job(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``POST …/actions/jobs/{id}/rerun`` → 201 ``{}``."""
        run, _, item = self.state.actions.job(int(match["job"]))
        self.state.actions.rerun(run, job_name=item.spec.name)
        return ApiResponse(201, {})

    def cancel(self, request: ApiRequest, match: re.Match[str]) -> ApiResponse:
        """``POST …/cancel`` → 202 ``{}``, or 409 once completed."""
        self.state.actions.cancel(self._run(match, poll=False))
        return ApiResponse(202, {})
