"""The public face of the sandbox: :class:`GitHubEmulator`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

from .actions import WORKFLOW_RUN_TYPES, JobSpec, Lifecycle
from .faults import Fault
from .payloads import Urls
from .routes import Api
from .server import EmulatorHTTPServer, Gateway, JsonHook
from .state import RequestRecord, State

DEFAULT_TOKEN = "ghp_emulatorToken000000000000000000000000"  # noqa: S105 - the emulator's own
DEFAULT_JOBS = (JobSpec("build"),)
DEFAULT_LIFECYCLE = Lifecycle()


class GitHubEmulator:
    """A GitHub REST API for one repository, served on ``127.0.0.1`` from a real bare git repo.

    Example::

        with GitHubEmulator("octo", "demo", bare_repo) as emu:
            emu.add_workflow("publish.yml", on_tags=("v*",), jobs=[JobSpec("pypi")])
            gh = Github(auth=Auth.Token(emu.token), base_url=emu.url)

    ``clock`` drives every timestamp, rate-limit reset and log-URL expiry; ``sleep`` is what a
    :meth:`Fault.slow` waits with; ``on_json(method, path, status, body)`` sees every JSON body
    before it is sent (``path`` is canonical: no API prefix, ``/repos/{owner}/{repo}/…``).
    """

    def __init__(
        self,
        owner: str,
        repo: str,
        bare_repo: Path,
        *,
        token: str | None = DEFAULT_TOKEN,
        api_prefix: str = "",
        clock: Callable[[], float] = time.time,
        on_json: JsonHook | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rate_limit: int = 5000,
        repo_id: int = 705_112_358,
    ) -> None:
        if api_prefix and (not api_prefix.startswith("/") or api_prefix.endswith("/")):
            raise ValueError("api_prefix must look like '/api/v3'")
        self.owner, self.repo, self.token = owner, repo, token
        self.api_prefix = api_prefix
        self.repo_id = repo_id
        self._on_json = on_json
        self._sleep = sleep
        self._urls: Urls | None = None
        self._state = State.create(
            Path(bare_repo), clock, rate_limit, lambda rest: f"{self._html}/{rest}"
        )
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> GitHubEmulator:
        """Bind ``127.0.0.1:0`` and serve in a daemon thread; refs existing now start no runs."""
        if self._server is not None:
            raise RuntimeError("emulator already started")
        with self._state.lock:
            self._state.actions.snapshot()
        server = EmulatorHTTPServer(self._sleep, self._state.clock)
        port = server.server_address[1]
        urls = Urls(
            f"http://127.0.0.1:{port}", self.api_prefix, self.owner, self.repo, self.repo_id
        )
        server.gateway = Gateway(
            self._state,
            Api(self._state, urls),
            token=self.token,
            prefix=self.api_prefix,
            on_json=self._on_json,
        )
        self._urls, self._server = urls, server
        # A short poll interval makes stop() quick (shutdown waits for the next poll).
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.02,), name="github-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.close_connections()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> GitHubEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The API base URL: ``http://127.0.0.1:PORT`` plus ``api_prefix``."""
        return self._started().api

    @property
    def _html(self) -> str:
        return self._started().repo_html

    def _started(self) -> Urls:
        if self._urls is None:
            raise RuntimeError("start() the emulator first")
        return self._urls

    # -- scripting --------------------------------------------------------------------------

    def add_workflow(
        self,
        file_name: str,
        *,
        name: str | None = None,
        on_tags: Sequence[str] = (),
        on_branches: Sequence[str] = (),
        on_release: bool = False,
        on_create: bool = False,
        on_workflow_run: Sequence[str] = (),
        workflow_run_types: Sequence[str] = WORKFLOW_RUN_TYPES,
        jobs: Sequence[JobSpec] = DEFAULT_JOBS,
        lifecycle: Lifecycle = DEFAULT_LIFECYCLE,
    ) -> int:
        """Register ``.github/workflows/{file_name}`` and return its id.

        ``on_tags``/``on_branches`` are ``on.push`` glob patterns (``*`` stops at ``/``);
        ``on_release`` means ``on: release: types: [published]``; ``on_create`` is
        ``on: create`` (a new tag or branch). ``on_workflow_run`` names (by ``name``) the
        workflows whose runs start this one on ``workflow_run_types`` (``on.workflow_run``;
        GitHub's default is every type).
        """
        with self._state.lock:
            workflow = self._state.actions.add_workflow(
                file_name,
                name=name,
                on_tags=on_tags,
                on_branches=on_branches,
                on_release=on_release,
                jobs=jobs,
                lifecycle=lifecycle,
                on_create=on_create,
                on_workflow_run=on_workflow_run,
                workflow_run_types=workflow_run_types,
            )
            return workflow.id

    def script_next_attempt(
        self, run_id: int, jobs: Sequence[JobSpec] = (), *, lifecycle: Lifecycle | None = None
    ) -> None:
        """Script the run's next re-run: ``jobs`` replace the workflow's jobs of the same name."""
        with self._state.lock:
            self._state.actions.script_next_attempt(run_id, jobs, lifecycle)

    def add_environment(
        self, name: str, *, reviewers: Sequence[str], wait_timer: int = 0
    ) -> int:
        """Protect environment ``name`` with required ``reviewers`` (logins); return its id.

        A run whose lifecycle has ``waiting`` lists it in its pending deployments while it
        waits, for each job with ``environment=name``.
        """
        with self._state.lock:
            return self._state.actions.add_environment(
                name, reviewers=reviewers, wait_timer=wait_timer
            ).id

    def approve(self, run_id: int) -> None:
        """Approve the run's pending deployments, as a reviewer does in the web UI."""
        with self._state.lock:
            self._state.actions.approve(self._state.actions.runs[run_id])

    def add_foreign_tags(self, owner: str, repo: str, tags: Sequence[tuple[str, str]]) -> None:
        """Serve ``GET /repos/{owner}/{repo}/tags`` for another public repository (an action
        the workflows use): ``tags`` are (name, commit SHA), newest first, as GitHub lists them.
        """
        with self._state.lock:
            self._state.foreign_tags[f"{owner}/{repo}".lower()] = list(tags)

    def inject(
        self, fault: Fault, *, method: str | None = None, path: str = "", times: int = 1
    ) -> None:
        """Answer the next ``times`` requests matching ``method`` and ``path`` (``re.search`` on the
        canonical path, e.g. ``r"/actions/runs$"``) with ``fault``.
        """
        with self._state.lock:
            self._state.faults.add(fault, method, path, times)

    def run_ids(self) -> list[int]:
        """Ids of every run started so far, visible or not, oldest first (for scripting)."""
        with self._state.lock:
            self._state.actions.scan()
            return sorted(self._state.actions.runs)

    # -- observation ------------------------------------------------------------------------

    def job_succeeded_at(self, job: str, branch: str) -> float | None:
        """When job ``job`` of a run for ``branch`` (a tag) first finished successfully, on
        the emulator's clock; None until it has (the stand-in PyPI's upload time).
        """
        with self._state.lock:
            times = [
                attempt.completed_at
                for run in self._state.actions.runs.values()
                if run.head_branch == branch
                for attempt in run.attempts
                if attempt.finished and attempt.completed_at is not None
                for item in attempt.jobs
                if item.spec.name == job and item.spec.conclusion == "success"
            ]
        return min(times) if times else None

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request answered so far (status 0: connection dropped)."""
        with self._state.lock:
            return list(self._state.log)

    @property
    def counted_requests(self) -> list[RequestRecord]:
        """The requests charged against the primary rate limit."""
        return [r for r in self.requests if r.counted]

    @property
    def rate_limit_remaining(self) -> int:
        """``x-ratelimit-remaining`` as the next response would report it."""
        with self._state.lock:
            return self._state.rate.snapshot().remaining

    @property
    def pending_faults(self) -> int:
        """Scripted faulty answers not yet used."""
        with self._state.lock:
            return self._state.faults.pending()

    @property
    def errors(self) -> list[BaseException]:
        """Emulator bugs and ``on_json`` failures (a test fixture should assert this is empty)."""
        with self._state.lock:
            return list(self._state.errors)
