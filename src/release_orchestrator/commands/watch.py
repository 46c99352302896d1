"""``release watch``: find the run a tag (or release) started, follow it, report its outcome.

The run is identified exactly — the publishing workflow, the event, ``head_branch`` equal
to the tag and ``head_sha`` equal to the tagged commit — never "the newest run". Polls
are conditional requests, so an unchanged run costs no rate limit; jobs are fetched only
when the run changed. All waiting goes through an injected :class:`Clock`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from ..adapters.clock import Clock
from ..adapters.github import GitHub, RequestStats
from ..core.runs import Conclusion, JobState, RunQuery, RunState, RunStatus
from ..errors import GitHubUnavailable, Interrupted, RateLimited, RunFailed, WatchTimeout
from .confirm import PyPICheck

DEFAULT_TIMEOUT = 30 * 60.0
DEFAULT_INTERVAL = 15.0  # the cap; polls start shorter and slow down while nothing changes
FIND_DEADLINE = 5 * 60.0  # GitHub creates runs within seconds; five minutes is generous
SECONDARY_WAIT = 60.0  # GitHub: without Retry-After, wait at least a minute
MAX_BACKOFF = 60.0
JOBS_REFRESH = 60.0  # live step progress at most once a minute: each costs a request

if TYPE_CHECKING:
    from ..deps import Deps
    from .confirm import Confirmation

T = TypeVar("T")


class WatchView(Protocol):
    """Where the watch reports progress (terminal, plain lines, JSON's stderr)."""

    def waiting(self, query: RunQuery) -> None:
        """The run does not exist yet."""

    def notice(self, text: str) -> None:
        """Something about the watching itself: a rate limit, a retry."""

    def update(self, run: RunState, jobs: Sequence[JobState], now: float) -> None:
        """The latest state (called after every poll)."""

    def close(self) -> None:
        """Stop any live display."""


@dataclass
class WatchResult:
    """The finished (or abandoned) run with its jobs and what watching it cost."""

    run: RunState
    jobs: list[JobState]
    requests: RequestStats
    # The connection it was watched through, for explaining a failure with the same token.
    github: GitHub | None = field(default=None, repr=False, compare=False)
    # What PyPI showed after a green run (None: not checked, or the index was unreachable).
    confirmation: Confirmation | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` object of ``release watch``."""
        return {
            "run_id": self.run.id,
            "url": self.run.html_url,
            "attempt": self.run.attempt,
            "status": self.run.status.value,
            "conclusion": _value(self.run.conclusion),
            "jobs": [
                {
                    "name": job.name,
                    "conclusion": _value(job.conclusion),
                    "steps": [
                        {"name": s.name, "conclusion": _value(s.conclusion)} for s in job.steps
                    ],
                }
                for job in self.jobs
            ],
            "requests": self.requests.to_json(),
            "pypi": self.confirmation.to_json() if self.confirmation else None,
        }


def _value(conclusion: Conclusion | None) -> str | None:
    return None if conclusion is None else conclusion.value


@dataclass
class Pacer:
    """How long to wait before the next poll: short while things move, longer while quiet."""

    cap: float = DEFAULT_INTERVAL
    _quiet: int = field(default=0)

    def next(self, status: RunStatus | None, changed: bool) -> float:
        """The next interval for a run in ``status`` (None: the run is not found yet)."""
        self._quiet = 0 if changed else self._quiet + 1
        start = 2.0 if status is None else 5.0 if status is RunStatus.QUEUED else 3.0
        return min(start * (1.5 ** min(self._quiet, 8)), self.cap)


class Watcher:
    """Polls one repository's Actions API through :class:`GitHub`, waiting with ``clock``."""

    def __init__(
        self,
        github: GitHub,
        clock: Clock,
        view: WatchView,
        *,
        interval: float = DEFAULT_INTERVAL,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.github = github
        self.clock = clock
        self.view = view
        self.pacer = Pacer(cap=max(interval, 1.0))
        self.deadline = clock.now() + timeout
        self.timeout = timeout
        self._failures = 0

    def _call(self, fetch: Callable[..., T], *args: Any) -> T:
        """One API call, waiting out rate limits and server errors (until the deadline)."""
        while True:
            try:
                result = fetch(*args)
            except RateLimited as limited:
                self._wait(self._rate_limit_wait(limited), limited.message)
                continue
            except GitHubUnavailable as exc:
                self._failures += 1
                backoff = min(2.0**self._failures, MAX_BACKOFF)
                self._wait(backoff, f"{exc.message}; retrying in {backoff:.0f} s")
                continue
            self._failures = 0
            return result

    def _rate_limit_wait(self, limited: RateLimited) -> float:
        if limited.retry_after is not None:
            return limited.retry_after
        if limited.reset_at is not None:
            return max(limited.reset_at - self.clock.now(), 0.0) + 1.0
        return SECONDARY_WAIT

    def _wait(self, seconds: float, why: str | None = None) -> None:
        now = self.clock.now()
        if now + seconds > self.deadline:
            raise WatchTimeout(f"gave up after {self.timeout:.0f} s: {why or 'still running'}")
        if why:
            until = datetime.fromtimestamp(now + seconds, tz=timezone.utc).strftime("%H:%M:%S")
            self.view.notice(f"{why} (waiting until {until} UTC)")
        self.clock.sleep(seconds)

    def find(self, query: RunQuery, find_deadline: float = FIND_DEADLINE) -> RunState:
        """Wait for the run of ``query`` to exist; newest attempt of the exact match."""
        give_up = min(self.clock.now() + find_deadline, self.deadline)
        announced = False
        while True:
            changed, runs = self._call(
                self.github.workflow_runs, query.workflow, query.event, query.tag
            )
            found = query.latest(runs)
            if found is not None:
                return found
            if not announced:
                self.view.waiting(query)
                announced = True
            pause = self.pacer.next(None, changed)
            if self.clock.now() + pause > give_up:
                raise WatchTimeout(
                    f"no {query.describe()} appeared within "
                    f"{_duration(min(find_deadline, self.timeout))}",
                    "check that the workflow triggers on the tag (release doctor) "
                    "and that the push reached GitHub",
                )
            self.clock.sleep(pause)

    def follow(self, run_id: int) -> WatchResult:
        """Poll the run until it completes; fetch its jobs whenever it changed."""
        jobs: list[JobState] = []
        seen: tuple[RunStatus, int] | None = None
        jobs_at = float("-inf")
        while True:
            changed, run = self._call(self.github.run, run_id)
            # Jobs cost a counted request: fetch them when the run's status or attempt moved
            # (a queued run's jobs have no steps yet), and for step progress at most every
            # JOBS_REFRESH seconds.
            moved = (run.status, run.attempt) != seen and run.status is not RunStatus.QUEUED
            if moved or (changed and jobs and self.clock.now() - jobs_at >= JOBS_REFRESH):
                _, jobs = self._call(self.github.jobs, run_id)
                seen, jobs_at = (run.status, run.attempt), self.clock.now()
            self.view.update(run, jobs, self.clock.now())
            if run.completed:
                return WatchResult(run, jobs, self.github.stats, self.github)
            try:
                self._wait(self.pacer.next(run.status, changed))
            except WatchTimeout as exc:
                raise WatchTimeout(
                    f"run {run.id} is still {run.status.words} after "
                    f"{_duration(self.timeout)}",
                    f"keep watching with: release watch {run.id}",
                ) from exc


def _duration(seconds: float) -> str:
    """``--timeout``'s value as said: seconds up to two minutes, then minutes."""
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def outcome(result: WatchResult) -> None:
    """Raise :class:`RunFailed` (exit 6) unless the run succeeded."""
    if result.run.succeeded:
        return
    failed = [job for job in result.jobs if job.failed]
    where = "; ".join(
        f"{job.name}" + (f" at step {job.failed_steps[0].name!r}" if job.failed_steps else "")
        for job in failed
    )
    raise RunFailed(
        f"run {result.run.id} ended {result.run.conclusion or result.run.status}"
        + (f": {where}" if where else ""),
        f"see why with: release explain {result.run.id}",
    )


@dataclass(frozen=True)
class WatchRequest:
    """``release watch``'s command line."""

    target: str | None = None
    workflow: str | None = None
    interval: float = DEFAULT_INTERVAL
    timeout: float = DEFAULT_TIMEOUT
    api_url: str | None = None
    pypi: PyPICheck = field(default_factory=PyPICheck)


def watch_run(
    github: GitHub,
    clock: Clock,
    view: WatchView,
    *,
    run_id: int | None,
    query: RunQuery | None,
    interval: float = DEFAULT_INTERVAL,
    timeout: float = DEFAULT_TIMEOUT,
) -> WatchResult:
    """Find the run (unless its id is known) and follow it to the end."""
    watcher = Watcher(github, clock, view, interval=interval, timeout=timeout)
    try:
        if run_id is None:
            assert query is not None
            run_id = watcher.find(query).id
        return watcher.follow(run_id)
    except KeyboardInterrupt as exc:
        resume = run_id if run_id is not None else query.tag if query else ""
        raise Interrupted("stopped watching", f"resume with: release watch {resume}") from exc
    finally:
        view.close()


def run_watch(request: WatchRequest, deps: Deps, view: WatchView) -> WatchResult:
    """``release watch``: resolve TARGET, connect, and follow the run."""
    from ..adapters.auth import connect
    from .target import resolve_target

    target = resolve_target(
        request.target, cwd=deps.cwd, workflow=request.workflow, api_url=request.api_url
    )
    if target.warning:
        view.notice(f"warning: {target.warning}")
    github = connect(deps, target.repo, api_url=request.api_url, own_retries=True)
    return watch_run(
        github,
        deps.clock,
        view,
        run_id=target.run_id,
        query=target.query,
        interval=request.interval,
        timeout=request.timeout,
    )


def watch_command(request: WatchRequest, deps: Deps) -> None:
    """``release watch``: follow the run, print ``--json``, then report and explain it."""
    from ..render.watch import view_for
    from .confirm import confirm_after_run
    from .flow import finish_watch

    result = run_watch(request, deps, view_for(deps.console, deps.env))
    if result.github is not None:
        repo = result.github.repo_ref
        result.confirmation = confirm_after_run(result.run, repo, deps, request.pypi)
    if deps.console.json_mode:
        deps.console.data(json.dumps(result.to_json()))
    finish_watch(result, deps)
