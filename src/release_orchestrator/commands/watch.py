"""``release watch``: find the run a tag (or release) started, follow it, report its outcome.

The run is identified exactly — the publishing workflow, the event, ``head_branch`` equal
to the tag and ``head_sha`` equal to the tagged commit — never "the newest run". A
publishing workflow that follows the tag's build (``on: workflow_run``) is watched through
the chain: the build run first, then the first run of the publishing workflow after it. Polls
are conditional requests, so an unchanged run costs no rate limit; jobs are fetched only
when the run changed. All waiting goes through an injected :class:`Clock`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import msgspec

from ..adapters.clock import Clock
from ..adapters.github import GitHub, RequestStats
from ..core.packages import command
from ..core.runs import Conclusion, JobState, PendingDeployment, RunQuery, RunState, RunStatus
from ..core.upload import DEFAULT_PYPI_TIMEOUT
from ..errors import GitHubUnavailable, Interrupted, RateLimited, RunFailed, WatchTimeout

DEFAULT_TIMEOUT = 30 * 60.0
DEFAULT_INTERVAL = 15.0  # the cap; polls start shorter and slow down while nothing changes
FIND_DEADLINE = 5 * 60.0  # GitHub creates runs within seconds; five minutes is generous
SECONDARY_WAIT = 60.0  # GitHub: without Retry-After, wait at least a minute
MAX_BACKOFF = 60.0
JOBS_REFRESH = 60.0  # live step progress at most once a minute: each costs a request
RUN_POLL = 3.0  # gh run watch's interval; a 304 answer is free, so polling this often is too

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


class WatchResult(msgspec.Struct):
    """The finished (or abandoned) run with its jobs and what watching it cost."""

    run: RunState
    jobs: list[JobState]
    requests: RequestStats
    # The connection it was watched through, for explaining a failure with the same token.
    github: GitHub | None = None
    # What PyPI showed after a green run (None: not checked, or the index was unreachable).
    confirmation: Confirmation | None = None
    # The release tag: a workflow_run's head_branch is the default branch, not the tag.
    tag: str | None = None
    # The publishing workflow that follows this failed run (on: workflow_run): not watched.
    followed_by: str | None = None

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


class Pacer(msgspec.Struct):
    """How long to wait before the next poll.

    A run that exists is polled every :data:`RUN_POLL` seconds, whatever its status: the
    poll is conditional, and an unchanged run answers 304, which costs no rate limit, so
    the end is reported as soon as ``gh run watch`` reports it. While the run does not
    exist yet, the list of runs is polled, slowing down while nothing changes.
    """

    cap: float = DEFAULT_INTERVAL
    _quiet: int = msgspec.field(default=0)

    def next(self, status: RunStatus | None, changed: bool) -> float:
        """The next interval for a run in ``status`` (None: the run is not found yet)."""
        self._quiet = 0 if changed else self._quiet + 1
        if status is not None:
            return min(RUN_POLL, self.cap)
        return min(2.0 * (1.5 ** min(self._quiet, 8)), self.cap)


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
        tag: str | None = None,
    ) -> None:
        self.github = github
        self.tag = tag  # the release tag the watched runs are for, when known
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
            self.view.notice(f"{why} (waiting until {utc(now + seconds)} UTC)")
        self.clock.sleep(seconds)

    def find(self, query: RunQuery, find_deadline: float = FIND_DEADLINE) -> RunState:
        """Wait for the run of ``query`` to exist; newest attempt of the exact match."""
        give_up = min(self.clock.now() + find_deadline, self.deadline)
        announced = False
        while True:
            changed, runs = self._call(self.github.workflow_runs, query)
            found = query.latest(runs)
            if found is not None:
                return found
            if not announced:
                self.view.waiting(query)
                announced = True
            pause = self.pacer.next(None, changed)
            if self.clock.now() + pause > give_up:
                hint = (
                    f"check that {query.workflow}'s on: workflow_run names "
                    f"{query.after.workflow}'s workflow and is on the default branch"
                    if query.after is not None
                    else "check that the workflow triggers on the tag (release doctor) "
                    "and that the push reached GitHub"
                )
                raise WatchTimeout(
                    f"no {query.describe()} appeared within "
                    f"{_duration(min(find_deadline, self.timeout))}",
                    hint,
                )
            self.clock.sleep(pause)

    def before(self, query: RunQuery, resume: str) -> RunQuery | WatchResult:
        """Follow the run a workflow_run ``query`` comes after; then the query that finds
        the run it starts, or that run's result when it failed (the chain ends there).
        """
        after = query.after
        assert after is not None
        self.view.notice(
            f"{query.workflow} runs after {after.workflow} (on: workflow_run): "
            f"following the {after.workflow} run first"
        )
        first = self.follow(self.find(after).id, resume=resume)
        if not first.run.succeeded:
            first.followed_by = query.workflow
            return first
        self.view.notice(
            f"{after.workflow} run {first.run.id} completed: {first.run.conclusion}; "
            f"now waiting for the {query.workflow} run it starts"
        )
        return query.following(first.run)

    def follow(self, run_id: int, *, attempt: int = 1, resume: str | None = None) -> WatchResult:
        """Poll the run until it completes; fetch its jobs whenever it changed.

        ``attempt`` is the first attempt that counts: after a re-run, GitHub may still
        answer with the previous, completed attempt for a moment. ``resume``: the command
        that goes on watching after a timeout (default: ``release watch RUN_ID``).
        """
        from ..render.watch import approval_notice

        jobs: list[JobState] = []
        seen: tuple[RunStatus, int] | None = None
        jobs_at = float("-inf")
        pending: list[PendingDeployment] = []
        while True:
            changed, run = self._call(self.github.run, run_id)
            current = run.attempt >= attempt
            # Jobs cost a counted request: fetch them when the run's status or attempt moved
            # (a queued run's jobs have no steps yet), and for step progress at most every
            # JOBS_REFRESH seconds.
            moved = (run.status, run.attempt) != seen and run.status is not RunStatus.QUEUED
            refresh = changed and jobs and self.clock.now() - jobs_at >= JOBS_REFRESH
            if current and (moved or refresh):
                _, jobs = self._call(self.github.jobs, run_id)
                if moved and run.status is RunStatus.WAITING:
                    # A human has to approve: say who, where, and how long we wait for it.
                    _, pending = self._call(self.github.pending_deployments, run_id)
                    self.view.notice(approval_notice(run, pending, utc(self.deadline)))
                seen, jobs_at = (run.status, run.attempt), self.clock.now()
            if current:
                self.view.update(run, jobs, self.clock.now())
            if current and run.completed:
                return WatchResult(run, jobs, self.github.stats, self.github, tag=self.tag)
            try:
                self._wait(self.pacer.next(run.status, changed))
            except WatchTimeout as exc:
                raise self._gave_up(run, pending, resume or f"release watch {run.id}") from exc

    def _gave_up(
        self, run: RunState, pending: Sequence[PendingDeployment], resume: str
    ) -> WatchTimeout:
        """The timeout, naming what the run still waits for."""
        minutes = _duration(self.timeout)
        if run.status is RunStatus.WAITING:
            names = ", ".join(repr(p.environment) for p in pending) or "its environment"
            return WatchTimeout(
                f"run {run.id} is still waiting for a reviewer to approve {names} after {minutes}",
                f"approve it at {run.html_url}, then keep watching with: {resume}",
            )
        return WatchTimeout(
            f"run {run.id} is still {run.status.words} after {minutes}",
            f"keep watching with: {resume}",
        )


def utc(timestamp: float) -> str:
    """``HH:MM:SS`` of ``timestamp`` in UTC, for "waiting until" messages."""
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%H:%M:%S")


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
    chain = (
        f"; so {result.followed_by}, which runs after it (on: workflow_run), has no build "
        "to publish"
        if result.followed_by
        else ""
    )
    raise RunFailed(
        f"run {result.run.id} ended {result.run.conclusion or result.run.status}"
        + (f": {where}" if where else "")
        + chain,
        f"see why with: release explain {result.run.id}",
    )


class WatchRequest(msgspec.Struct, frozen=True):
    """``release watch``'s command line."""

    target: str | None = None
    workflow: str | None = None
    interval: float = DEFAULT_INTERVAL
    timeout: float = DEFAULT_TIMEOUT
    api_url: str | None = None
    pypi_check: bool = True  # after a green run, confirm the upload on PyPI,
    pypi_timeout: float = DEFAULT_PYPI_TIMEOUT  # waiting this long for it to be served
    package: str | None = None  # --package: the package whose release tag to follow


def watch_run(
    github: GitHub,
    clock: Clock,
    view: WatchView,
    *,
    run_id: int | None,
    query: RunQuery | None,
    interval: float = DEFAULT_INTERVAL,
    timeout: float = DEFAULT_TIMEOUT,
    attempt: int = 1,
    package: str | None = None,
) -> WatchResult:
    """Find the run (unless its id is known) and follow it to the end.

    ``attempt``: the first attempt to report (a re-run's, when one was just started);
    ``package``: whose tag the query's is, among several packages (for the resume hint).
    """
    tag = query.tag if query is not None else None
    watcher = Watcher(github, clock, view, interval=interval, timeout=timeout, tag=tag)
    # A tag is one package's among several; a run id names its repository's run.
    by_tag = command("watch", package) + (f" {tag}" if tag else "")
    try:
        if run_id is None:
            assert query is not None
            if query.after is not None:
                # The build's run id would not lead on to the publishing run: resume by tag.
                found = watcher.before(query, by_tag)
                if isinstance(found, WatchResult):
                    return found
                query = found
            run_id = watcher.find(query).id
        return watcher.follow(run_id, attempt=attempt)
    except KeyboardInterrupt as exc:
        resume = f"release watch {run_id}" if run_id is not None else by_tag
        raise Interrupted("stopped watching", f"resume with: {resume}") from exc
    finally:
        view.close()


def run_watch(request: WatchRequest, deps: Deps, view: WatchView) -> WatchResult:
    """``release watch``: resolve TARGET, connect, and follow the run."""
    from ..adapters.auth import connect
    from .target import resolve_target

    target = resolve_target(
        request.target,
        cwd=deps.cwd,
        workflow=request.workflow,
        api_url=request.api_url,
        package=request.package,
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
        package=target.package,
    )


def watch_command(request: WatchRequest, deps: Deps) -> None:
    """``release watch``: follow the run, print ``--json``, then report and explain it."""
    from ..render.watch import view_for
    from .confirm import PyPICheck, confirm_after_run
    from .flow import finish_watch

    result = run_watch(request, deps, view_for(deps.console, deps.env))
    if result.github is not None:
        repo = result.github.repo_ref
        check = PyPICheck(request.pypi_check, request.pypi_timeout)
        result.confirmation = confirm_after_run(result.run, repo, deps, check, result.tag)
    if deps.console.json_mode:
        deps.console.data(json.dumps(result.to_json()))
    finish_watch(result, deps)
