"""How ``release watch`` shows a run: live on a terminal, plain lines elsewhere, and
GitHub Actions' own summary and annotations when it runs inside a workflow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, TextIO

from ..core.runs import Conclusion, JobState, RunState, RunStatus, StepState

if TYPE_CHECKING:
    from ..core.runs import PendingDeployment, RunQuery
    from .console import Console

SYMBOLS: dict[RunStatus | Conclusion, str] = {
    Conclusion.SUCCESS: "✓",
    Conclusion.FAILURE: "✗",
    Conclusion.CANCELLED: "⊘",
    Conclusion.SKIPPED: "-",
    Conclusion.TIMED_OUT: "✗",
    RunStatus.IN_PROGRESS: "*",
    RunStatus.QUEUED: "…",
    RunStatus.WAITING: "…",
    RunStatus.PENDING: "…",
}
_STYLES = {Conclusion.SUCCESS: "green", Conclusion.FAILURE: "red", Conclusion.CANCELLED: "yellow"}


def symbol(status: RunStatus, conclusion: Conclusion | None) -> str:
    """One character for a job's or step's state."""
    return SYMBOLS.get(conclusion or status, "?")


def duration(start: datetime | None, end: datetime | None) -> str:
    """``1m 05s`` between two times ("" when either is unknown)."""
    if start is None or end is None:
        return ""
    seconds = max(int((end - start).total_seconds()), 0)
    return f"{seconds // 60}m {seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def state_word(status: RunStatus, conclusion: Conclusion | None) -> str:
    """The run's state in words: ``success``, ``in progress``, and so on."""
    return (conclusion or status).words


def header(run: RunState) -> str:
    """The run's one-line header: workflow, tag, short sha, attempt, URL."""
    attempt = f", attempt {run.attempt}" if run.attempt > 1 else ""
    return f"{run.name} · {run.head_branch or '?'} @ {run.head_sha[:7]}{attempt} · {run.html_url}"


def approval_notice(run: RunState, pending: Sequence[PendingDeployment], until: str) -> str:
    """What a run waiting for required reviewers needs: which environment, who, and where."""
    lines = [f"run {run.id} is waiting for approval (required reviewers of an environment):"]
    for item in pending:
        who = ", ".join(item.reviewers) or "no reviewer listed (a wait timer or a custom rule)"
        mine = " (you can approve)" if item.can_approve else ""
        timer = f", wait timer {item.wait_timer} min" if item.wait_timer else ""
        lines.append(f"  environment {item.environment!r}: approved by {who}{mine}{timer}")
    if not pending:
        lines.append("  GitHub lists no pending deployment yet")
    lines.append(f"  review it at {run.html_url} (Review deployments)")
    lines.append(f"  release watch keeps waiting until {until} UTC (--timeout)")
    return "\n".join(lines)


class PlainView:
    """One plain line per change: for pipes, CI logs and ``--json`` runs (no ANSI codes)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._seen: dict[str, str] = {}

    def _say(self, text: str) -> None:
        print(text, file=self._stream, flush=True)

    def _changed(self, key: str, value: str) -> bool:
        if self._seen.get(key) == value:
            return False
        self._seen[key] = value
        return True

    def waiting(self, query: RunQuery) -> None:
        """The run does not exist yet."""
        self._say(f"waiting for the run to start… ({query.describe()})")

    def notice(self, text: str) -> None:
        """A rate limit or retry."""
        self._say(text)

    def update(self, run: RunState, jobs: Sequence[JobState], now: float) -> None:
        """Print what changed since the last poll."""
        del now
        if self._changed("header", f"{run.id}/{run.attempt}"):
            self._say(header(run))
        if not run.completed and self._changed("run", f"{run.attempt}/{run.status}"):
            self._say(f"run {run.id}: {state_word(run.status, None)}")
        for job in jobs:
            for step in job.steps:
                if step.conclusion and self._changed(f"{job.id}/{step.number}", step.conclusion):
                    self._say(f"  {job.name} > {step.name}: {step.conclusion}")
            if self._changed(str(job.id), f"{job.status}/{job.conclusion}"):
                took = duration(job.started_at, job.completed_at)
                self._say(
                    f"{symbol(job.status, job.conclusion)} {job.name}: "
                    f"{state_word(job.status, job.conclusion)}" + (f" ({took})" if took else "")
                )
        # Keyed by run: a chain reports its build's end, then the publishing run's.
        if run.completed and self._changed(f"done/{run.id}", str(run.conclusion)):
            took = duration(run.started_at or run.created_at, run.updated_at)
            self._say(f"run {run.id} completed: {run.conclusion}" + (f" in {took}" if took else ""))

    def close(self) -> None:
        """Nothing to tear down."""


class LiveView:
    """A live, redrawn-in-place view of the run on a terminal (rich)."""

    def __init__(self, stream: TextIO, *, color: bool) -> None:
        from rich.console import Console
        from rich.live import Live

        self._console = Console(file=stream, no_color=not color, highlight=False)
        self._live = Live(console=self._console, refresh_per_second=4, transient=False)
        self._started = False

    def _start(self) -> None:
        if not self._started:
            self._live.start()
            self._started = True

    def waiting(self, query: RunQuery) -> None:
        """The run does not exist yet."""
        self._start()
        self._live.update(f"waiting for the run to start… ({query.describe()})")

    def notice(self, text: str) -> None:
        """Printed above the live area."""
        self._console.print(text, markup=False)

    def update(self, run: RunState, jobs: Sequence[JobState], now: float) -> None:
        """Redraw the whole run."""
        from rich.text import Text

        self._start()
        moment = datetime.fromtimestamp(now, tz=run.created_at.tzinfo) if run.created_at else None
        elapsed = duration(run.started_at or run.created_at, moment)
        text = Text(header(run) + "\n", style="bold")
        text.append(f"{state_word(run.status, run.conclusion)}  {elapsed}\n")
        for job in jobs:
            took = duration(job.started_at, job.completed_at or moment)
            mark = symbol(job.status, job.conclusion)
            text.append(f"{mark} {job.name}  {took}\n", style=_style(job.conclusion))
            for step in job.steps:
                text.append(f"    {_step_line(step)}\n", style=_style(step.conclusion))
        self._live.update(text)

    def close(self) -> None:
        """Leave the final picture on the screen."""
        if self._started:
            self._live.stop()


def _step_line(step: StepState) -> str:
    took = duration(step.started_at, step.completed_at)
    return f"{symbol(step.status, step.conclusion)} {step.name}" + (f"  {took}" if took else "")


def _style(conclusion: Conclusion | None) -> str:
    return _STYLES.get(conclusion, "") if conclusion is not None else ""


def report_to_actions(
    run: RunState, jobs: Sequence[JobState], env: Mapping[str, str], stream: TextIO
) -> None:
    """Inside GitHub Actions: ``::error::`` annotations and a step summary."""
    from .actions import append_summary, in_actions

    if not in_actions(env):
        return
    for job in jobs:
        if job.failed:
            where = f" at step '{job.failed_steps[0].name}'" if job.failed_steps else ""
            print(
                f"::error title={run.name} failed::job '{job.name}' {job.conclusion}{where}",
                file=stream,
            )
    lines = [
        f"### {run.name}: {run.conclusion or run.status}",
        "",
        f"[run {run.id}]({run.html_url})",
        "",
    ]
    lines += ["| job | result | time |", "| --- | --- | --- |"]
    for job in jobs:
        result = f"{symbol(job.status, job.conclusion)} {state_word(job.status, job.conclusion)}"
        lines.append(f"| {job.name} | {result} | {duration(job.started_at, job.completed_at)} |")
    append_summary(env, "\n".join(lines))


def make_view(stream: TextIO, *, tty: bool, env: Mapping[str, str]) -> PlainView | LiveView:
    """The live view on a terminal, plain lines otherwise; ``NO_COLOR`` turns colour off."""
    if tty and env.get("TERM") != "dumb":
        return LiveView(stream, color="NO_COLOR" not in env)
    return PlainView(stream)


def view_for(console: Console, env: Mapping[str, str]) -> PlainView | LiveView:
    """The view on the console's human stream: live on a terminal unless it carries JSON."""
    stream = console.human
    return make_view(stream, tty=stream.isatty() and not console.json_mode, env=env)
