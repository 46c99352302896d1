"""GitHub Actions runs, jobs and steps as plain values, parsed from the REST JSON.

Parsing is tolerant (older GitHub versions and GHES omit fields) so that a missing key
never crashes a watch; the shapes follow the ``workflow-run`` and ``job`` schemas.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import Enum
from typing import Any

import msgspec
from msgspec.structs import replace


class _Word(str, Enum):
    """A word of GitHub's Actions vocabulary: prints as its value, and keeps unknown words.

    GitHub documents the values but adds some over time (``startup_failure`` came late);
    an unknown one becomes a member of its own so that a watch never crashes and the
    ``--json`` output repeats exactly what GitHub said.
    """

    def __str__(self) -> str:
        return str(self.value)

    @property
    def words(self) -> str:
        """The value as words for people: ``in_progress`` is ``in progress``."""
        return str(self.value).replace("_", " ")

    @classmethod
    def _missing_(cls, value: object) -> _Word | None:
        if not isinstance(value, str):
            return None
        word = str.__new__(cls, value)
        word._name_ = value.upper()
        word._value_ = value
        return word


class RunStatus(_Word):
    """Where a run, job or step is (``Status`` in gh's ``pkg/cmd/run/shared``)."""

    REQUESTED = "requested"
    QUEUED = "queued"
    PENDING = "pending"
    WAITING = "waiting"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class Conclusion(_Word):
    """How a completed run, job or step ended (``Conclusion`` in gh's ``pkg/cmd/run/shared``)."""

    SUCCESS = "success"
    NEUTRAL = "neutral"
    SKIPPED = "skipped"
    FAILURE = "failure"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"
    STARTUP_FAILURE = "startup_failure"
    ACTION_REQUIRED = "action_required"
    STALE = "stale"

    @property
    def failed(self) -> bool:
        """A failing end (gh's ``IsFailureState``, with ``cancelled`` and ``stale`` too: a
        release whose publish run was cancelled did not publish).
        """
        return self in _FAILED

    @property
    def succeeded(self) -> bool:
        """An end that counts as success: ``neutral`` and ``skipped`` do."""
        return self in (Conclusion.SUCCESS, Conclusion.NEUTRAL, Conclusion.SKIPPED)


_FAILED = frozenset(
    {
        Conclusion.FAILURE,
        Conclusion.CANCELLED,
        Conclusion.TIMED_OUT,
        Conclusion.STARTUP_FAILURE,
        Conclusion.ACTION_REQUIRED,
        Conclusion.STALE,
    }
)


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 timestamp from the API (``Z`` or an offset such as ``+01:00``)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None else str(value)


def _status(data: Mapping[str, Any]) -> RunStatus:
    return RunStatus(str(data.get("status") or RunStatus.QUEUED.value))


def _conclusion(data: Mapping[str, Any]) -> Conclusion | None:
    value = data.get("conclusion")
    return None if value is None else Conclusion(str(value))


class StepState(msgspec.Struct, frozen=True):
    """One step of a job."""

    number: int
    name: str
    status: RunStatus
    conclusion: Conclusion | None
    started_at: datetime | None
    completed_at: datetime | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StepState:
        """Parse a ``steps[]`` item."""
        return cls(
            number=int(data.get("number") or 0),
            name=str(data.get("name") or "?"),
            status=_status(data),
            conclusion=_conclusion(data),
            started_at=parse_time(data.get("started_at")),
            completed_at=parse_time(data.get("completed_at")),
        )


class JobState(msgspec.Struct, frozen=True):
    """One job of a run attempt, with its steps."""

    id: int
    name: str
    status: RunStatus
    conclusion: Conclusion | None
    started_at: datetime | None
    completed_at: datetime | None
    html_url: str | None
    steps: tuple[StepState, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> JobState:
        """Parse a ``job`` object."""
        steps = data.get("steps") or []
        return cls(
            id=int(data.get("id") or 0),
            name=str(data.get("name") or "?"),
            status=_status(data),
            conclusion=_conclusion(data),
            started_at=parse_time(data.get("started_at")),
            completed_at=parse_time(data.get("completed_at")),
            html_url=_str(data, "html_url"),
            steps=tuple(StepState.from_json(s) for s in steps if isinstance(s, Mapping)),
        )

    @property
    def failed(self) -> bool:
        """True when the job ended in a failing conclusion."""
        return self.conclusion is not None and self.conclusion.failed

    @property
    def failed_steps(self) -> tuple[StepState, ...]:
        """The steps that failed (usually one)."""
        return tuple(s for s in self.steps if s.conclusion is not None and s.conclusion.failed)


class RunState(msgspec.Struct, frozen=True):
    """A workflow run as of its latest attempt."""

    id: int
    name: str
    path: str | None
    event: str
    head_branch: str | None
    head_sha: str
    status: RunStatus
    conclusion: Conclusion | None
    attempt: int
    html_url: str
    created_at: datetime | None
    started_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunState:
        """Parse a ``workflow-run`` object."""
        return cls(
            id=int(data.get("id") or 0),
            name=str(data.get("name") or data.get("display_title") or "?"),
            path=_str(data, "path"),
            event=str(data.get("event") or ""),
            head_branch=_str(data, "head_branch"),
            head_sha=str(data.get("head_sha") or ""),
            status=_status(data),
            conclusion=_conclusion(data),
            attempt=int(data.get("run_attempt") or 1),
            html_url=str(data.get("html_url") or ""),
            created_at=parse_time(data.get("created_at")),
            started_at=parse_time(data.get("run_started_at")),
            updated_at=parse_time(data.get("updated_at")),
        )

    @property
    def completed(self) -> bool:
        """True once the run has a conclusion."""
        return self.status is RunStatus.COMPLETED

    @property
    def succeeded(self) -> bool:
        """True when the run completed successfully (``skipped``/``neutral`` count as success)."""
        return self.completed and self.conclusion is not None and self.conclusion.succeeded


class PendingDeployment(msgspec.Struct, frozen=True):
    """An environment whose protection rules hold the run (``pending-deployment``).

    ``reviewers`` are user logins and ``team SLUG`` entries; one of them approving is enough.
    """

    environment: str
    reviewers: tuple[str, ...]
    can_approve: bool
    wait_timer: int
    url: str | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PendingDeployment:
        """Parse one item of ``GET …/runs/{id}/pending_deployments``."""
        environment = data.get("environment")
        env = environment if isinstance(environment, Mapping) else {}
        reviewers: list[str] = []
        for item in data.get("reviewers") or []:
            reviewer = item.get("reviewer") if isinstance(item, Mapping) else None
            if not isinstance(reviewer, Mapping):
                continue
            if item.get("type") == "Team":
                reviewers.append(f"team {reviewer.get('slug') or reviewer.get('name') or '?'}")
            else:
                reviewers.append(str(reviewer.get("login") or "?"))
        return cls(
            environment=str(env.get("name") or "?"),
            reviewers=tuple(reviewers),
            can_approve=bool(data.get("current_user_can_approve")),
            wait_timer=int(data.get("wait_timer") or 0),
            url=_str(env, "html_url"),
        )


class RunQuery(msgspec.Struct, frozen=True):
    """What identifies the run: the workflow, the event and the tag with its commit.

    A ``workflow_run`` run carries neither: GitHub runs it on the default branch, at its
    latest commit. It is the first run of its workflow created once the run of ``after``
    (the workflow it follows, which the tag starts) completed, at ``since``.
    """

    workflow: str
    event: str  # push or create for the tag, release for its GitHub Release, or workflow_run
    tag: str
    sha: str
    after: RunQuery | None = None  # workflow_run: the run it follows
    since: datetime | None = None  # workflow_run: when that run completed

    @property
    def branch(self) -> str | None:
        """The runs list's ``branch`` filter: the tag (none for a workflow_run)."""
        return None if self.after is not None else self.tag

    def following(self, run: RunState) -> RunQuery:
        """This workflow_run query once ``run`` (of :attr:`after`) completed."""
        return replace(self, since=run.updated_at)

    def describe(self) -> str:
        """What was searched, for the "not found" error."""
        if self.after is not None:
            return f"{self.workflow} run on workflow_run after the {self.after.describe()}"
        what = {"push": "push of tag", "create": "creation of tag"}.get(self.event, "release of")
        return f"{self.workflow} run for the {what} {self.tag} (commit {self.sha[:7]})"

    def matches(self, run: RunState) -> bool:
        """Exactly this run: same event, branch equal to the tag, and the tagged commit; for
        a workflow_run, one created no earlier than :attr:`since`.
        """
        if self.after is not None:
            return (
                run.event == "workflow_run"
                and self.since is not None
                and run.created_at is not None
                and run.created_at >= self.since
            )
        return run.event == self.event and run.head_branch == self.tag and run.head_sha == self.sha

    def latest(self, runs: Iterable[RunState]) -> RunState | None:
        """The newest of ``runs`` that :meth:`matches` (the latest attempt has the highest id);
        for a workflow_run the oldest (the lowest id), as later ones follow later runs.
        """
        matching = [run for run in runs if self.matches(run)]
        if not matching:
            return None
        pick = min if self.after is not None else max
        return pick(matching, key=lambda run: run.id)
