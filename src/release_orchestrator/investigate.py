"""What ``release explain`` compares and reads: the trusted publisher, and the failed logs.

The publisher comes field by field from the command line, else ``[tool.release.pypi]``,
else what the repository implies (its remote, its publishing workflow and that job's
environment). Logs come from files, or from the failed jobs of a run through the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .config import PyPIPublisher, load_config, load_pyproject
from .errors import ConfigError, UsageError
from .github import GitHub
from .gitrepo import read_remote_url
from .publisher import Publisher
from .remote import parse_remote_url
from .runs import JobState
from .workflows import Job, Workflow, find_publish_workflow

if TYPE_CHECKING:
    from .explain import ExplainReport

FIELDS = ("owner", "repository", "workflow", "environment")
ORIGINS = ("the command line", "[tool.release.pypi] in pyproject.toml", "the local repository")


@dataclass(frozen=True)
class PublisherOptions:
    """The publisher fields given on the command line (None: not given)."""

    owner: str | None = None
    repository: str | None = None
    workflow: str | None = None
    environment: str | None = None
    index: str | None = None


@dataclass(frozen=True)
class LocalRepo:
    """What the local repository says about publishing, when there is one."""

    owner: str | None
    repository: str | None
    workflow: Workflow | None
    job: Job | None
    configured: PyPIPublisher | None


def read_local(root: Path, remote: str | None = None) -> LocalRepo:
    """Read pyproject.toml, the remote and the publishing workflow (no GitPython).

    ``remote`` names the git remote (default: ``[tool.release] remote``).
    """
    try:
        config = load_config(load_pyproject(root))
    except ConfigError:
        return LocalRepo(None, None, None, None, None)
    owner = repository = None
    url = read_remote_url(root, remote or config.remote)
    if url:
        try:
            ref = parse_remote_url(url)
            owner, repository = ref.owner, ref.name
        except UsageError:
            pass
    workflow = find_publish_workflow(root, config.workflow)
    jobs = workflow.jobs if workflow else ()
    job = next((j for j in jobs if j.publish_steps), None)
    return LocalRepo(owner, repository, workflow, job, config.pypi)


def resolve_publisher(options: PublisherOptions, local: LocalRepo) -> tuple[Publisher, str]:
    """The publisher to compare with, and a sentence saying where each part came from."""
    configured = local.configured
    implied = {
        "owner": local.owner,
        "repository": local.repository,
        "workflow": local.workflow.filename if local.workflow else None,
        # A job without `environment:` says nothing about what PyPI was told: unknown.
        "environment": local.job.environment if local.job else None,
    }
    values: dict[str, str | None] = {}
    origins: list[str] = []
    for name in FIELDS:
        candidates = (getattr(options, name), getattr(configured, name, None), implied[name])
        for origin, value in zip(ORIGINS, candidates, strict=True):
            if value is not None:
                values[name] = value.strip() if name != "environment" else value
                if origin not in origins:
                    origins.append(origin)
                break
        else:
            values[name] = None
    index = options.index or (configured.index if configured else None) or "pypi"
    publisher = Publisher(
        owner=values["owner"],
        repository=values["repository"],
        workflow=values["workflow"],
        environment=values["environment"],
        index=index,
    )
    origins.sort(key=ORIGINS.index)
    source = " and ".join(origins) if origins else "unknown (no options, no pyproject.toml)"
    return publisher, source


def failed_job_logs(github: GitHub, run_id: int) -> list[tuple[JobState, bytes]]:
    """The logs of the failed jobs of the run's latest attempt."""
    _, run = github.run(run_id)
    _, jobs = github.jobs(run_id)
    failed = [job for job in jobs if job.failed]
    if not failed:
        raise UsageError(
            f"run {run_id} has no failed job (it is {run.conclusion or run.status})",
            "name a failed run, or give --log FILE",
        )
    return [(job, github.job_log(job.id)) for job in failed]


def where_to_change(local: LocalRepo, publisher: Publisher, wrong: set[str]) -> list[str]:
    """Lines of the local workflow file that the fix touches (``file:line: what``)."""
    workflow, job = local.workflow, local.job
    if workflow is None or job is None:
        return []
    lines = []
    if "environment" in wrong and publisher.environment:
        if job.environment is None:
            lines.append(
                f"{workflow.path}:{job.line}: job {job.id!r} has no environment; "
                f"add `environment: {publisher.environment}`"
            )
        else:
            lines.append(
                f"{workflow.path}:{job.environment_line}: environment is {job.environment!r}; "
                f"PyPI's publisher says {publisher.environment!r}"
            )
    if "workflow" in wrong and publisher.workflow:
        lines.append(
            f"{workflow.path}: PyPI's publisher names {publisher.workflow!r}; "
            f"this file is {workflow.filename!r}"
        )
    return lines


def render_explanation(report: ExplainReport, local: LocalRepo) -> str:
    """The human explanation, plus the lines of the local workflow file to change."""
    from .explain import render_text

    text = render_text(report)
    if report.publisher is None:
        return text
    wrong: set[str] = {item.field for item in report.checklist if item.status == "mismatch"}
    places = where_to_change(local, report.publisher, wrong)
    if places:
        text = text.rstrip("\n") + "\n\nIn this repository:\n" + "".join(f"  {p}\n" for p in places)
    return text


def explain_run(
    github: GitHub, run_id: int, options: PublisherOptions, root: Path
) -> tuple[ExplainReport, LocalRepo]:
    """Download the failed jobs' logs of a run and explain them."""
    from .explain import explain_logs

    local = read_local(root)
    publisher, source = resolve_publisher(options, local)
    logs = [log for _, log in failed_job_logs(github, run_id)]
    return explain_logs(logs, publisher, source), local
