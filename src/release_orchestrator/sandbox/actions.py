"""GitHub Actions as the emulator plays it: workflows, runs, attempts, jobs and their lifecycle.

A test registers workflows with :class:`JobSpec`/:class:`StepSpec` scripts. Runs are created
lazily from the bare repository: each scan (done on every runs request) compares the refs with
the last scan and starts ``push`` runs for new or moved tags and branches that match a
workflow's patterns, and ``create`` runs for new ones. Publishing a release starts
``release`` runs. A run that is requested, starts or completes starts ``workflow_run`` runs
of the workflows that follow its workflow (by name) on that activity type; as on GitHub,
they run on the default branch, at its latest commit.

A run's lifecycle advances by *poll count*, never by wall time: every time the run is fetched
(alone or in a list) its latest attempt moves one step along ``queued (n polls) →
[waiting (w polls, or until approved)] → in_progress (m polls) → completed``. Polling loops
become deterministic, and tests take milliseconds. ``waiting`` is GitHub's state for a run
whose job references an environment with required reviewers; its pending deployments name
the environments (:class:`Environment`) of the attempt's jobs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

import msgspec

from .errors import ApiError, not_found
from .gitstore import GitStore, RefInfo

JOB_CONCLUSIONS = frozenset(
    {"success", "failure", "neutral", "cancelled", "skipped", "timed_out", "action_required"}
)
# Which conclusion wins when several jobs (or steps) disagree; anything else is a success.
_SEVERITY = ("failure", "timed_out", "cancelled", "action_required")
_RUNS_DOC = "https://docs.github.com/rest/actions/workflow-runs"
# on.workflow_run.types; without types, every one of them starts the workflow.
WORKFLOW_RUN_TYPES = ("requested", "in_progress", "completed")
# GitHub chains at most three levels of workflow_run after the workflow that began it.
MAX_CHAIN = 3


def combine(conclusions: Iterable[str]) -> str:
    """The conclusion of a job from its steps, or of a run from its jobs."""
    seen = list(conclusions)
    for worst in _SEVERITY:
        if worst in seen:
            return worst
    if seen and all(c == "skipped" for c in seen):
        return "skipped"
    return "success"


class StepSpec(msgspec.Struct, frozen=True):
    """One step of a scripted job: its name, how it ends, and what it prints."""

    name: str
    conclusion: str = "success"
    log: str = ""

    def __post_init__(self) -> None:
        if self.conclusion not in JOB_CONCLUSIONS:
            raise ValueError(f"unknown step conclusion {self.conclusion!r}")


class RunContext(msgspec.Struct, frozen=True):
    """What a job knows about the run it belongs to (GitHub's ``github`` context, in part)."""

    owner: str
    repo: str
    owner_id: int
    repo_id: int
    workflow_path: str  # .github/workflows/<file>
    event: str
    ref: str  # refs/tags/<tag> or refs/heads/<branch>
    sha: str


class JobSpec(msgspec.Struct, frozen=True):
    """A scripted job. ``log`` is the job's raw log text *without* timestamps (the emulator adds
    them), or a function of the run that writes it (for logs that quote the run's OIDC claims);
    when None, a log is generated from the steps (``##[group]``/``##[error]`` lines).
    """

    name: str
    steps: Sequence[StepSpec] = (StepSpec("Run"),)
    log: str | Callable[[RunContext], str] | None = None
    labels: Sequence[str] = ("ubuntu-latest",)
    environment: str | None = None  # the job's `environment:`

    @property
    def conclusion(self) -> str:
        """How the job ends when it runs to completion."""
        return combine(s.conclusion for s in self.steps)


class Lifecycle(msgspec.Struct, frozen=True):
    """How many polls a run attempt answers with each status before it completes.

    ``appear_after``: the run is missing from the first N run-list responses after it was
    triggered (GitHub creates runs asynchronously); ``None`` means it never appears.
    ``seconds``: (queued, in progress) durations on the emulator's clock instead of poll
    counts, for benchmarks that compare polling strategies over the same run.
    ``waiting``: polls in ``waiting`` (an environment's required reviewers) after the queue;
    ``None`` waits until the run is approved (:meth:`Actions.approve`).
    """

    queued: int = 2
    in_progress: int = 3
    appear_after: int | None = 0
    seconds: tuple[float, float] | None = None
    waiting: int | None = 0


class Environment(msgspec.Struct, frozen=True):
    """A deployment environment with protection rules: who may approve, and a wait timer."""

    id: int
    name: str
    reviewers: tuple[str, ...]  # user logins
    wait_timer: int = 0  # minutes


def _glob(pattern: str) -> re.Pattern[str]:
    """GitHub's ref filter glob: ``*`` stops at ``/``, ``**`` does not."""
    parts = re.split(r"(\*\*|\*)", pattern)
    body = "".join({"**": ".*", "*": "[^/]*"}.get(p, re.escape(p)) for p in parts)
    return re.compile(f"{body}\\Z")


class Workflow(msgspec.Struct):
    """A registered workflow file."""

    id: int
    file_name: str
    name: str
    on_tags: tuple[str, ...]
    on_branches: tuple[str, ...]
    on_release: bool
    jobs: tuple[JobSpec, ...]
    lifecycle: Lifecycle
    created_at: float
    on_create: bool = False
    on_workflow_run: tuple[str, ...] = ()  # on.workflow_run.workflows: workflow names
    workflow_run_types: tuple[str, ...] = WORKFLOW_RUN_TYPES
    runs_started: int = 0

    @property
    def path(self) -> str:
        """The path in the repository, as runs and the workflow object report it."""
        return f".github/workflows/{self.file_name}"

    def triggered_by(self, ref: RefInfo) -> bool:
        """Whether pushing ``ref`` starts this workflow (``on.push.tags``/``branches``)."""
        if ref.ref.startswith("refs/tags/"):
            patterns = self.on_tags
        elif ref.ref.startswith("refs/heads/"):
            patterns = self.on_branches
        else:
            return False
        return any(_glob(p).match(ref.short) for p in patterns)

    def follows(self, run: Run, activity: str) -> bool:
        """Whether ``activity`` of ``run`` starts this workflow (``on.workflow_run``)."""
        return (
            run.workflow.name in self.on_workflow_run
            and activity in self.workflow_run_types
            and run.depth < MAX_CHAIN
        )


class JobRun(msgspec.Struct, eq=False):
    """One execution of a job (each attempt re-executes some jobs under new ids)."""

    id: int
    spec: JobSpec
    created_at: float


class StepView(msgspec.Struct, frozen=True):
    """A step as the API shows it at this moment."""

    number: int
    name: str
    status: str
    conclusion: str | None
    started_at: float | None
    completed_at: float | None


class JobView(msgspec.Struct, frozen=True):
    """A job as the API shows it at this moment."""

    job: JobRun
    attempt: int
    status: str
    conclusion: str | None
    started_at: float
    completed_at: float | None
    steps: tuple[StepView, ...]
    runner_assigned: bool


class Attempt(msgspec.Struct, eq=False):
    """One attempt of a run. ``marks[k]`` is when step ``k`` of every job became current."""

    number: int
    jobs: list[JobRun]
    lifecycle: Lifecycle
    started_at: float
    polls: int = 0
    marks: list[float] = msgspec.field(default_factory=list)
    completed_at: float | None = None
    cancelled: bool = False
    waited: int = 0  # polls answered while waiting for approval
    waiting_since: float | None = None
    approved: bool = False

    @property
    def status(self) -> str:
        """``queued``, ``waiting``, ``in_progress`` or ``completed``."""
        if self.completed_at is not None:
            return "completed"
        if self.marks:
            return "in_progress"
        return "waiting" if self.waiting_since is not None else "queued"

    def _still_waiting(self) -> bool:
        """Whether this poll is answered ``waiting`` (required reviewers not through yet)."""
        limit = self.lifecycle.waiting
        if self.approved or limit == 0:
            return False
        return limit is None or self.waited < limit

    @property
    def updated_at(self) -> float:
        """The time of the last visible change."""
        return max([self.started_at, *self.marks, self.completed_at or 0.0])

    def poll(self, now: float) -> None:
        """Advance one poll along the scripted lifecycle."""
        if self.completed_at is not None:
            return
        if self.lifecycle.seconds is not None:
            self._advance_by_time(now, *self.lifecycle.seconds)
            return
        self.polls += 1
        queued, running = self.lifecycle.queued, self.lifecycle.in_progress
        if self.polls <= queued:
            return
        if not self.marks and self._still_waiting():
            self.waited += 1
            if self.waiting_since is None:
                self.waiting_since = now
            return
        if self.polls > queued + self.waited + running:
            self.completed_at = now
        else:
            self.marks.append(now)

    def _advance_by_time(self, now: float, queued: float, running: float) -> None:
        """Steps start at even intervals of the in-progress time; marks carry those times."""
        steps = max((len(job.spec.steps) for job in self.jobs), default=1) or 1
        begin = self.started_at + queued
        while len(self.marks) < steps:
            due = begin + running * len(self.marks) / steps
            if due > now:
                break
            self.marks.append(due)
        if now >= begin + running:
            self.completed_at = begin + running

    def cancel(self, now: float) -> None:
        """Stop now: unfinished jobs end ``cancelled``."""
        self.cancelled = True
        self.completed_at = now

    @property
    def finished(self) -> bool:
        """Whether the attempt ran to its end (not cancelled)."""
        return self.completed_at is not None and not self.cancelled

    def _step(self, index: int, step: StepSpec, current: int) -> StepView:
        """Step ``index`` while step ``current`` of the job is (or was, if cancelled) running."""
        number, marks, end = index + 1, self.marks, self.completed_at
        started = marks[index] if index < len(marks) else None
        finished = marks[index + 1] if index + 1 < len(marks) else end
        if self.finished or index < current:
            return StepView(
                number, step.name, "completed", step.conclusion, started or end, finished
            )
        if index == current and self.cancelled:
            return StepView(number, step.name, "completed", "cancelled", started, finished)
        if index == current:
            return StepView(number, step.name, "in_progress", None, started, None)
        if self.cancelled:
            return StepView(number, step.name, "completed", "skipped", None, None)
        return StepView(number, step.name, "queued", None, None, None)

    def view(self, job: JobRun) -> JobView:
        """The job's status, conclusion and steps as of now."""
        steps = job.spec.steps
        current = min(len(self.marks), len(steps)) - 1  # the running step; -1: none yet
        picked_up = bool(self.marks) or self.finished
        if self.finished:
            conclusion: str | None = job.spec.conclusion
        else:
            conclusion = "cancelled" if self.cancelled else None
        status = self.status
        if status == "waiting" and job.spec.environment is None:
            status = "queued"
        return JobView(
            job=job,
            attempt=self.number,
            status=status,
            conclusion=conclusion,
            started_at=self.marks[0] if self.marks else job.created_at,
            completed_at=self.completed_at,
            # GitHub lists no steps (and no runner) before a runner picks the job up.
            steps=tuple(self._step(i, s, current) for i, s in enumerate(steps))
            if picked_up
            else (),
            runner_assigned=picked_up,
        )


class Run(msgspec.Struct, eq=False):
    """A workflow run and all its attempts (a re-run keeps the id and adds an attempt)."""

    id: int
    workflow: Workflow
    run_number: int
    event: str
    head_branch: str
    head_sha: str
    display_title: str
    created_at: float
    attempts: list[Attempt]
    appear_after: int | None
    missed_polls: int = 0
    next_jobs: dict[str, JobSpec] = msgspec.field(default_factory=dict)
    next_lifecycle: Lifecycle | None = None
    depth: int = 0  # how many workflow_run links lead to this run

    @property
    def visible(self) -> bool:
        """Whether the API shows the run yet."""
        return self.appear_after is not None and self.missed_polls >= self.appear_after

    @property
    def latest(self) -> Attempt:
        """The current attempt."""
        return self.attempts[-1]

    def attempt(self, number: int) -> Attempt:
        """Attempt ``number`` (1-based), or a 404."""
        if not 1 <= number <= len(self.attempts):
            raise not_found(_RUNS_DOC)
        return self.attempts[number - 1]

    def jobs_as_of(self, number: int) -> list[JobView]:
        """The latest execution of every job as of attempt ``number`` (``filter=latest``)."""
        latest: dict[str, JobView] = {}
        for attempt in self.attempts[:number]:
            for job in attempt.jobs:
                latest[job.spec.name] = attempt.view(job)
        return list(latest.values())

    def all_jobs(self) -> list[JobView]:
        """Every execution of every job (``filter=all``)."""
        return [a.view(j) for a in self.attempts for j in a.jobs]

    def conclusion(self, number: int) -> str | None:
        """The conclusion of attempt ``number``; None until it completes."""
        attempt = self.attempt(number)
        if attempt.completed_at is None:
            return None
        if attempt.cancelled:
            return "cancelled"
        return combine(v.conclusion or "success" for v in self.jobs_as_of(number))


class Actions:
    """All workflows and runs of the emulated repository."""

    def __init__(
        self, git: GitStore, clock: Callable[[], float], next_id: Callable[[str], int]
    ) -> None:
        self._git = git
        self._clock = clock
        self._next_id = next_id
        self.workflows: dict[int, Workflow] = {}
        self.runs: dict[int, Run] = {}
        self._jobs: dict[int, tuple[Run, Attempt, JobRun]] = {}
        self._seen: dict[str, str] = {}
        self.environments: dict[str, Environment] = {}

    def snapshot(self) -> None:
        """Take the refs that exist now as already pushed (they start no runs)."""
        self._seen = {r.ref: r.sha for r in self._git.refs()}

    def add_workflow(
        self,
        file_name: str,
        *,
        name: str | None,
        on_tags: Sequence[str],
        on_branches: Sequence[str],
        on_release: bool,
        jobs: Sequence[JobSpec],
        lifecycle: Lifecycle,
        on_create: bool = False,
        on_workflow_run: Sequence[str] = (),
        workflow_run_types: Sequence[str] = WORKFLOW_RUN_TYPES,
    ) -> Workflow:
        """Register a workflow file; pushes made before it existed do not start it."""
        if any(w.file_name == file_name for w in self.workflows.values()):
            raise ValueError(f"workflow {file_name!r} already exists")
        if not jobs:
            raise ValueError("a workflow needs at least one job")
        unknown = set(workflow_run_types) - set(WORKFLOW_RUN_TYPES)
        if unknown:
            raise ValueError(f"unknown workflow_run types {sorted(unknown)}")
        self.scan()  # settle earlier pushes with the workflows that existed then
        workflow = Workflow(
            id=self._next_id("workflow"),
            file_name=file_name,
            name=name or file_name.rsplit(".", 1)[0],
            on_tags=tuple(on_tags),
            on_branches=tuple(on_branches),
            on_release=on_release,
            jobs=tuple(jobs),
            lifecycle=lifecycle,
            created_at=self._clock(),
            on_create=on_create,
            on_workflow_run=tuple(on_workflow_run),
            workflow_run_types=tuple(workflow_run_types),
        )
        self.workflows[workflow.id] = workflow
        return workflow

    def workflow(self, key: str) -> Workflow:
        """A workflow by numeric id or file name, or a 404."""
        for workflow in self.workflows.values():
            if key in (str(workflow.id), workflow.file_name):
                return workflow
        raise not_found("https://docs.github.com/rest/actions/workflows#get-a-workflow")

    def scan(self) -> None:
        """Start ``push`` runs for refs that appeared or moved since the last scan, and
        ``create`` runs for those that appeared.

        Tag runs are started before branch runs, so when a commit and its tag are pushed
        together the branch run is the newer one (listed first) with the same head_sha.
        """
        refs = self._git.refs()
        fresh = [r for r in refs if self._seen.get(r.ref) != r.sha]
        fresh.sort(key=lambda r: not r.ref.startswith("refs/tags/"))
        for ref in fresh:
            created = ref.ref not in self._seen
            title = self._git.commit(ref.commit).subject
            for workflow in list(self.workflows.values()):
                if workflow.triggered_by(ref):
                    self._start(workflow, "push", ref.short, ref.commit, title)
                if created and workflow.on_create:
                    self._start(workflow, "create", ref.short, ref.commit, title)
            self._seen[ref.ref] = ref.sha  # only once its runs exist
        alive = {r.ref for r in refs}
        self._seen = {name: sha for name, sha in self._seen.items() if name in alive}

    def release_published(self, tag: str, commit: str, title: str) -> None:
        """Start ``release`` runs (``on: release: types: [published]``)."""
        for workflow in self.workflows.values():
            if workflow.on_release:
                self._start(workflow, "release", tag, commit, title)

    def _start(
        self, workflow: Workflow, event: str, branch: str, sha: str, title: str, depth: int = 0
    ) -> Run:
        now = self._clock()
        workflow.runs_started += 1
        run = Run(
            id=self._next_id("run"),
            workflow=workflow,
            run_number=workflow.runs_started,
            event=event,
            head_branch=branch,
            head_sha=sha,
            display_title=title,
            created_at=now,
            attempts=[],
            appear_after=workflow.lifecycle.appear_after,
            depth=depth,
        )
        self.runs[run.id] = run
        self._add_attempt(run, workflow.jobs, workflow.lifecycle)
        return run

    def _followed(self, run: Run, activity: str) -> None:
        """Start ``workflow_run`` runs after ``activity`` (requested, in_progress, completed)
        of ``run``: on the default branch at its latest commit (GitHub's ``GITHUB_REF`` and
        ``GITHUB_SHA`` for the event), not at the triggering run's branch.
        """
        followers = [w for w in self.workflows.values() if w.follows(run, activity)]
        if not followers:
            return
        branch = self._git.default_branch()
        sha = self._git.resolve_commit(f"refs/heads/{branch}")
        if sha is None:
            return  # an empty repository: no commit to run at
        title = self._git.commit(sha).subject
        for workflow in followers:
            self._start(workflow, "workflow_run", branch, sha, title, run.depth + 1)

    def _poll(self, run: Run, now: float) -> None:
        """Advance the run's latest attempt by one poll; a run that starts or completes
        starts the workflows that follow it.
        """
        before = run.latest.status
        run.latest.poll(now)
        after = run.latest.status
        if before in ("queued", "waiting") and after in ("in_progress", "completed"):
            self._followed(run, "in_progress")
        if after == "completed" and before != "completed":
            self._followed(run, "completed")

    def _add_attempt(self, run: Run, specs: Sequence[JobSpec], lifecycle: Lifecycle) -> None:
        now = self._clock()
        attempt = Attempt(
            number=len(run.attempts) + 1, jobs=[], lifecycle=lifecycle, started_at=now
        )
        for spec in specs:
            job = JobRun(id=self._next_id("job"), spec=spec, created_at=now)
            attempt.jobs.append(job)
            self._jobs[job.id] = (run, attempt, job)
        run.attempts.append(attempt)
        self._followed(run, "requested")  # a re-run is requested anew

    def list_runs(
        self,
        workflow: Workflow | None,
        *,
        event: str | None = None,
        branch: str | None = None,
        head_sha: str | None = None,
        status: str | None = None,
    ) -> list[Run]:
        """One run-list poll: scan, advance runs in scope, filter; newest first."""
        self.scan()
        in_scope = []
        for run in self.runs.values():
            if not run.visible:
                run.missed_polls += 1  # this poll is one the late run is missing from
                continue
            if (
                (workflow is None or run.workflow is workflow)
                and event in (None, run.event)
                and branch in (None, run.head_branch)
                and head_sha in (None, run.head_sha)
            ):
                in_scope.append(run)
        now = self._clock()
        for run in in_scope:
            self._poll(run, now)
        if status is not None:
            # GitHub's ``status`` filter takes a status or a conclusion.
            in_scope = [
                r for r in in_scope if status in (r.latest.status, r.conclusion(len(r.attempts)))
            ]
        return sorted(in_scope, key=lambda r: r.id, reverse=True)

    def get_run(self, run_id: int, *, poll: bool = True) -> Run:
        """A visible run (one poll of it), or a 404."""
        self.scan()
        run = self.runs.get(run_id)
        if run is None or not run.visible:
            raise not_found(f"{_RUNS_DOC}#get-a-workflow-run")
        if poll:
            self._poll(run, self._clock())
        return run

    def job(self, job_id: int) -> tuple[Run, Attempt, JobRun]:
        """A job of a visible run, or a 404."""
        found = self._jobs.get(job_id)
        if found is None or not found[0].visible:
            raise not_found("https://docs.github.com/rest/actions/workflow-jobs")
        return found

    def script_next_attempt(
        self, run_id: int, jobs: Sequence[JobSpec], lifecycle: Lifecycle | None
    ) -> None:
        """Replace jobs (by name) and/or the lifecycle for the run's next re-run."""
        run = self.runs[run_id]
        run.next_jobs.update({j.name: j for j in jobs})
        run.next_lifecycle = lifecycle

    def rerun(self, run: Run, *, failed_only: bool = False, job_name: str | None = None) -> None:
        """Start a new attempt of a completed run: all jobs, the failed ones, or one job."""
        if run.latest.completed_at is None:
            raise ApiError(403, "This workflow is already running", documentation_url=_RUNS_DOC)
        current = run.jobs_as_of(len(run.attempts))
        if job_name is not None:
            names = [job_name]
        elif failed_only:
            names = [v.job.spec.name for v in current if v.conclusion not in ("success", "skipped")]
        else:
            names = [v.job.spec.name for v in current]
        if not names:
            raise ApiError(
                403, "This workflow run has no failed jobs to re-run.", documentation_url=_RUNS_DOC
            )
        specs = {j.name: j for j in run.workflow.jobs} | run.next_jobs
        lifecycle = run.next_lifecycle or run.workflow.lifecycle
        run.next_jobs, run.next_lifecycle = {}, None
        self._add_attempt(run, [specs[n] for n in names], lifecycle)

    def add_environment(
        self, name: str, *, reviewers: Sequence[str], wait_timer: int = 0
    ) -> Environment:
        """Register an environment whose jobs need one of ``reviewers`` to approve them."""
        environment = Environment(self._next_id("environment"), name, tuple(reviewers), wait_timer)
        self.environments[name] = environment
        return environment

    def pending(self, run: Run) -> list[tuple[Environment, float]]:
        """The environments the run's current attempt waits on, with when it began waiting."""
        attempt = run.latest
        if attempt.status != "waiting" or attempt.waiting_since is None:
            return []
        names = dict.fromkeys(j.spec.environment for j in attempt.jobs if j.spec.environment)
        found = [self.environments[n] for n in names if n in self.environments]
        return [(environment, attempt.waiting_since) for environment in found]

    def approve(self, run: Run) -> None:
        """A reviewer approves the waiting deployments: the attempt goes on at its next poll."""
        run.latest.approved = True

    def cancel(self, run: Run) -> None:
        """Cancel the current attempt; 409 once it has completed."""
        if run.latest.completed_at is not None:
            raise ApiError(
                409,
                "Cannot cancel a workflow run that is completed.",
                documentation_url=f"{_RUNS_DOC}#cancel-a-workflow-run",
            )
        run.latest.cancel(self._clock())
        self._followed(run, "completed")
