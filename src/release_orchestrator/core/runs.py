"""GitHub Actions runs, jobs and steps as plain values, parsed from the REST JSON.

Parsing is tolerant (older GitHub versions and GHES omit fields) so that a missing key
never crashes a watch; the shapes follow the ``workflow-run`` and ``job`` schemas.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

FAILED_CONCLUSIONS = frozenset(
    {"failure", "cancelled", "timed_out", "startup_failure", "action_required", "stale"}
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


@dataclass(frozen=True)
class StepState:
    """One step of a job."""

    number: int
    name: str
    status: str
    conclusion: str | None
    started_at: datetime | None
    completed_at: datetime | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StepState:
        """Parse a ``steps[]`` item."""
        return cls(
            number=int(data.get("number") or 0),
            name=str(data.get("name") or "?"),
            status=str(data.get("status") or "queued"),
            conclusion=_str(data, "conclusion"),
            started_at=parse_time(data.get("started_at")),
            completed_at=parse_time(data.get("completed_at")),
        )


@dataclass(frozen=True)
class JobState:
    """One job of a run attempt, with its steps."""

    id: int
    name: str
    status: str
    conclusion: str | None
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
            status=str(data.get("status") or "queued"),
            conclusion=_str(data, "conclusion"),
            started_at=parse_time(data.get("started_at")),
            completed_at=parse_time(data.get("completed_at")),
            html_url=_str(data, "html_url"),
            steps=tuple(StepState.from_json(s) for s in steps if isinstance(s, Mapping)),
        )

    @property
    def failed(self) -> bool:
        """True when the job ended in a failing conclusion."""
        return self.conclusion in FAILED_CONCLUSIONS

    @property
    def failed_steps(self) -> tuple[StepState, ...]:
        """The steps that failed (usually one)."""
        return tuple(s for s in self.steps if s.conclusion in FAILED_CONCLUSIONS)


@dataclass(frozen=True)
class RunState:
    """A workflow run as of its latest attempt."""

    id: int
    name: str
    path: str | None
    event: str
    head_branch: str | None
    head_sha: str
    status: str
    conclusion: str | None
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
            status=str(data.get("status") or "queued"),
            conclusion=_str(data, "conclusion"),
            attempt=int(data.get("run_attempt") or 1),
            html_url=str(data.get("html_url") or ""),
            created_at=parse_time(data.get("created_at")),
            started_at=parse_time(data.get("run_started_at")),
            updated_at=parse_time(data.get("updated_at")),
        )

    @property
    def completed(self) -> bool:
        """True once the run has a conclusion."""
        return self.status == "completed"

    @property
    def succeeded(self) -> bool:
        """True when the run completed successfully (``skipped``/``neutral`` count as success)."""
        return self.completed and self.conclusion in ("success", "neutral", "skipped")


@dataclass(frozen=True)
class RunQuery:
    """What identifies the run: the workflow, the event and the tag with its commit."""

    workflow: str
    event: str  # "push" for a tag push, "release" for a published GitHub Release
    tag: str
    sha: str

    def describe(self) -> str:
        """What was searched, for the "not found" error."""
        what = "push of tag" if self.event == "push" else "release of"
        return f"{self.workflow} run for the {what} {self.tag} (commit {self.sha[:7]})"

    def matches(self, run: RunState) -> bool:
        """Exactly this run: same event, branch equal to the tag, and the tagged commit."""
        return run.event == self.event and run.head_branch == self.tag and run.head_sha == self.sha

    def latest(self, runs: Iterable[RunState]) -> RunState | None:
        """The newest of ``runs`` that :meth:`matches` (the latest attempt has the highest id)."""
        matching = [run for run in runs if self.matches(run)]
        return max(matching, key=lambda run: run.id) if matching else None
