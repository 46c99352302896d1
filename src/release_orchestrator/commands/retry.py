"""``release retry``: re-run a failed publish run's failed jobs, when a re-run can succeed.

It finds the run as ``release watch`` does, explains its failure as ``release explain``
does, and decides with :func:`core.retry.decide_retry`: a cause fixed outside the
repository (the publisher on PyPI, an outage) is re-run and the new attempt followed as
``watch`` follows a run; a cause that needs a change to the workflow or the code is
refused with what to do instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import msgspec

from ..core.publisher import LocalRepo, Publisher
from ..core.retry import Published, RetryDecision, decide_retry
from ..core.upload import DEFAULT_PYPI_TIMEOUT
from ..errors import Cancelled, CheckFailure, ChecksFailed
from .confirm import PyPICheck, confirm_after_run
from .watch import DEFAULT_TIMEOUT, WatchResult, WatchView, watch_run

if TYPE_CHECKING:
    from ..adapters.files import Project
    from ..core.runs import RunState
    from ..core.workflows import Step
    from ..deps import Deps


class RetryRequest(msgspec.Struct, frozen=True):
    """``release retry``'s command line."""

    target: str | None = None
    workflow: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    # How long the green attempt's upload may take to be served by PyPI.
    pypi_timeout: float = DEFAULT_PYPI_TIMEOUT
    api_url: str | None = None
    package: str | None = None  # --package: the package whose release tag's run to re-run


class RetryResult(msgspec.Struct):
    """The decision about one run and, after a re-run, the new attempt as watched."""

    run_id: int
    decision: RetryDecision
    watched: WatchResult | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` object of ``release retry``."""
        return {
            "run_id": self.run_id,
            "decision": "rerun" if self.decision.rerun else "refused",
            "reason": self.decision.sentence,
            "finding": self.decision.finding,
            "attempt": self.watched.run.attempt if self.watched else None,
            "run": self.watched.to_json() if self.watched else None,
        }


def _published(
    found: Project | None, run: RunState, local: LocalRepo, deps: Deps
) -> Published | None:
    """The files PyPI already serves of the run's version (None: unknown project or tag).

    ``found`` is the project whose release the run's tag is.
    """
    if found is None:
        return None
    tag = run.head_branch or ""
    pyproject, config = found.pyproject, found.config
    if not tag.startswith(config.tag_prefix):
        return None
    version = tag[len(config.tag_prefix) :]
    table = pyproject.get("project")
    name = table.get("name") if isinstance(table, Mapping) else None
    project = (config.pypi.project if config.pypi else None) or name
    if not isinstance(project, str) or not project:
        return None
    index = config.pypi.index if config.pypi else "pypi"
    info = deps.pypi.lookup(deps.pypi.base_url(index), project)
    if info.exists is None:
        deps.console.note(f"could not ask PyPI which files of {project} {version} it has")
    files = info.files_of(version) if info.exists is not None else None
    skips, option = _skip_existing(local.job.publish_steps if local.job else ())
    return Published(project, version, files, skip_existing=skips, skip_option=option)


def _skip_existing(steps: Sequence[Step]) -> tuple[bool, str | None]:
    """Whether the upload steps skip the files the index has, and the option that does it
    (None: their uploaders have none; the action's when no upload step could be read).
    """
    if not steps:
        return False, "skip-existing: true"
    ways = [way for way in (step.skip_existing for step in steps) if way is not None]
    given = next((option for option, on in ways if on), None)
    if given is not None:
        return True, given
    return False, ways[0][0] if ways else None


def run_retry(
    request: RetryRequest, deps: Deps, view: WatchView, *, confirm: Callable[[str], bool] | None
) -> RetryResult:
    """Find and explain the run, decide, and (asking first when ``confirm``) re-run it."""
    from ..adapters.auth import connect
    from ..render.explain import render_explanation
    from .explain import explain_run, run_project
    from .target import find_run, resolve_target

    console = deps.console
    target = resolve_target(
        request.target,
        cwd=deps.cwd,
        workflow=request.workflow,
        api_url=request.api_url,
        package=request.package,
    )
    if target.warning:
        console.warn(target.warning)
    github = connect(deps, target.repo, api_url=request.api_url, own_retries=True)
    run_id = target.run_id or find_run(github, target)
    _, run = github.run(run_id)
    decision = decide_retry(run, None, None)
    if run.completed and not run.succeeded:
        options = Publisher.given("the command line", workflow=request.workflow)
        # The run's tag names its package: its publisher, its files, its next release.
        project = run_project(deps.cwd, run)
        package = project.package_name if project else None
        report, local = explain_run(github, run.id, options, deps.cwd, project=project)
        console.say(render_explanation(report, local) + "\n")
        decision = decide_retry(run, report, None, package)
        if decision.rerun:  # only then do the files PyPI already has matter
            published = _published(project, run, local, deps)
            decision = decide_retry(run, report, published, package)
    if not decision.rerun:
        return RetryResult(run.id, decision)
    console.say(f"Re-run: {decision.reason}.")
    for warning in decision.warnings:
        console.warn(warning)
    if confirm is not None and not confirm(f"Re-run the failed jobs of run {run.id}?"):
        raise Cancelled("nothing was re-run", f"run it again when ready: release retry {run.id}")
    github.rerun_failed_jobs(run.id)
    # The new attempt is the next one; until GitHub shows it, the run answers as before.
    first = run.attempt + 1
    watched = watch_run(
        github, deps.clock, view, run_id=run.id, query=None, timeout=request.timeout, attempt=first
    )
    check = PyPICheck(timeout=request.pypi_timeout)
    watched.confirmation = confirm_after_run(watched.run, target.repo, deps, check)
    return RetryResult(run.id, decision, watched)


def retry_command(request: RetryRequest, deps: Deps, *, ask: bool) -> None:
    """``release retry``: decide, re-run and follow; exit as ``watch`` does, 3 on a refusal."""
    from ..render.watch import view_for
    from .flow import finish_watch

    confirm = deps.console.confirm if ask else None
    result = run_retry(request, deps, view_for(deps.console, deps.env), confirm=confirm)
    if deps.console.json_mode:
        deps.console.data(json.dumps(result.to_json()))
    decision = result.decision
    if result.watched is None:
        hint = decision.instead or "nothing was re-run"
        raise ChecksFailed([CheckFailure(decision.reason, hint)])
    finish_watch(result.watched, deps)
