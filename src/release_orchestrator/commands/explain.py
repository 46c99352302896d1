"""``release explain``: read the failed logs (files, stdin or a run's jobs) and explain them.

The publisher compared with comes field by field from the command line, else
``[tool.release.pypi]``, else what the repository implies
(:func:`core.publisher.resolve_publisher`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from ..adapters.files import Project, load_project, project_for_tag, read_local
from ..adapters.github import GitHub
from ..adapters.logs import LogSource, read_logs
from ..core.explain import ExplainReport, explain
from ..core.publisher import INDEX_NAMES, LocalRepo, Publisher, resolve_publisher
from ..core.runs import JobState, RunState
from ..errors import ConfigError, UsageError

if TYPE_CHECKING:
    from ..deps import Deps


def explain_logs(
    sources: Iterable[LogSource],
    publisher: Publisher | None,
    publisher_source: str,
    project: str | None = None,
    package: str | None = None,
) -> ExplainReport:
    """Explain the logs in ``sources``: paths, ``-`` (stdin) or bytes, plain text or zips.

    ``project`` is the project's name on PyPI, for the link to its publisher form;
    ``package`` the package among several whose commands the fixes give.
    Raises :class:`UsageError` when there is no source or one cannot be read.
    """
    return explain(read_logs(sources), publisher, publisher_source, project, package)


def failed_job_logs(github: GitHub, run: RunState) -> list[tuple[JobState, bytes]]:
    """The logs of the failed jobs of the run's latest attempt."""
    _, jobs = github.jobs(run.id)
    failed = [job for job in jobs if job.failed]
    if not failed:
        raise UsageError(
            f"run {run.id} has no failed job (it is {run.conclusion or run.status})",
            "name a failed run, or give --log FILE",
        )
    return [(job, github.job_log(job.id)) for job in failed]


def run_project(root: Path, run: RunState) -> Project | None:
    """The project whose release the run's tag is: in a repository of several packages,
    the one whose tag prefix it carries (None: pyproject.toml cannot say).
    """
    try:
        return project_for_tag(root, run.head_branch or "")
    except ConfigError:
        return None


def explain_run(
    github: GitHub,
    run_id: int,
    options: Publisher,
    root: Path,
    *,
    api_url: str | None = None,
    project: Project | None = None,
) -> tuple[ExplainReport, LocalRepo]:
    """Download the failed jobs' logs of a run and explain them (``api_url``: --api-url;
    ``project``: the package the run released, among several; by default the one the
    run's tag names, so that the publisher compared is that package's).
    """
    _, run = github.run(run_id)
    project = project or run_project(root, run)
    local = read_local(root, api_url=api_url, project=project, tag=run.head_branch)
    publisher = resolve_publisher(options, local)
    logs = [log for _, log in failed_job_logs(github, run)]
    package = project.package_name if project else None
    return explain_logs(logs, publisher, publisher.source, local.project, package), local


class ExplainRequest(msgspec.Struct, frozen=True):
    """``release explain``'s command line."""

    target: str | None = None
    logs: tuple[str, ...] = ()
    owner: str | None = None
    repository: str | None = None
    workflow: str | None = None
    environment: str | None = None
    index: str | None = None
    api_url: str | None = None
    package: str | None = None  # --package: whose publisher and tags, among several

    @property
    def options(self) -> Publisher:
        """The publisher fields given on the command line."""
        return Publisher.given(
            "the command line",
            owner=self.owner,
            repository=self.repository,
            workflow=self.workflow,
            environment=self.environment,
            index=self.index,
        )


def run_explain(request: ExplainRequest, deps: Deps) -> tuple[ExplainReport, LocalRepo]:
    """``release explain``: the saved logs, else the failed jobs of TARGET's run."""
    target, logs, options = request.target, request.logs, request.options
    api_url = request.api_url
    project = load_project(deps.cwd, request.package) if request.package else None
    if options.index is not None and options.index not in INDEX_NAMES:
        raise UsageError(f"--index must be pypi or testpypi, not {options.index!r}")
    if logs:
        if target is not None:
            raise UsageError("give either TARGET or --log, not both")
        local = read_local(deps.cwd, api_url=api_url, project=project)
        publisher = resolve_publisher(options, local)
        package = project.package_name if project else None
        return explain_logs(logs, publisher, publisher.source, local.project, package), local

    from ..adapters.auth import connect
    from .target import find_run, resolve_target

    resolved = resolve_target(
        target, cwd=deps.cwd, workflow=options.workflow, api_url=api_url, package=request.package
    )
    github = connect(deps, resolved.repo, api_url=api_url, own_retries=False)
    run_id = resolved.run_id or find_run(github, resolved)
    return explain_run(github, run_id, options, deps.cwd, api_url=api_url, project=project)


def explain_command(request: ExplainRequest, deps: Deps) -> None:
    """``release explain``: print the report, as text or (in JSON mode) as one object.

    Inside GitHub Actions the cause is also an annotation, and the report a step summary.
    """
    from ..render.actions import annotation, append_summary, in_actions

    report, local = run_explain(request, deps)
    if in_actions(deps.env):
        from ..render.explain import actions_summary

        if report.cause:
            deps.console.say(annotation("error", report.cause, title="release explain"))
        append_summary(deps.env, actions_summary(report))
    if deps.console.json_mode:
        deps.console.data(json.dumps(report.to_json()))
    else:
        from ..render.explain import render_explanation

        deps.console.say(render_explanation(report, local))
