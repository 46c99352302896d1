"""Cut → follow → explain: what happens after the push, shared by ``release cut`` and the demo.

After a push, :func:`follow_release` watches the publish run the tag started and, when it
succeeded, confirms the upload on PyPI; when the run fails, :func:`explain_failure` reads its
failed jobs' logs with the same connection, and :func:`finish_watch` reports the outcome
(annotations inside GitHub Actions, exit 6, or 7 when PyPI does not serve the release).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..adapters.auth import connect, resolve_token
from ..adapters.files import find_publish_workflow, load_workflows
from ..core.checks.topology import publish_query
from ..core.packages import command
from ..core.publisher import LocalRepo, Publisher
from ..core.remote import github_repository
from ..errors import ReleaseError
from .confirm import PyPICheck, confirm_after_run
from .watch import DEFAULT_INTERVAL, WatchResult, WatchView, outcome, watch_run

if TYPE_CHECKING:
    from ..core.explain import ExplainReport
    from ..deps import Deps
    from .cut import CutResult


def follow_release(
    result: CutResult,
    deps: Deps,
    *,
    api_url: str | None,
    view: WatchView,
    interval: float = DEFAULT_INTERVAL,
    pypi: PyPICheck | None = None,
) -> WatchResult | None:
    """After the push, watch the publish run it started (None when there is nothing to watch),
    then confirm the upload on PyPI when the run succeeded.
    """
    console = deps.console
    if result.dry_run or not result.pushed or result.commit is None or not result.remote_url:
        return None
    workflow = find_publish_workflow(result.root, result.config.workflow, result.plan.tag)
    if workflow is None:
        console.note("no publishing workflow under .github/workflows: nothing to watch")
        return None
    plan = result.plan
    if not resolve_token(deps.env):
        console.note(
            "set GH_TOKEN or GITHUB_TOKEN to watch the publish run "
            f"({command('watch', plan.package)})"
        )
        return None
    workflows = load_workflows(result.root)
    github_release = result.release is not None
    query, warning = publish_query(
        workflow, workflows, workflow.filename, plan.tag, result.commit, github_release
    )
    if warning:
        console.warn(warning)
    first = query.after or query
    if first.event == "release" and result.release is not None and result.release.draft:
        # GitHub starts no workflow for a draft: the run begins when someone publishes it.
        console.note(
            f"the GitHub Release of {plan.tag} is a draft: its publish run starts when it is "
            f"published; then follow it with {command('watch', plan.package)} {plan.tag}"
        )
        return None
    repo = github_repository(result.remote_url, api_url)
    if repo is None:
        console.note(
            f"remote {plan.remote!r} names no GitHub repository: nothing to watch "
            f"({command('watch', plan.package)} --api-url URL for GitHub Enterprise Server)"
        )
        return None
    github = connect(deps, repo, api_url=api_url, own_retries=True)
    followed = watch_run(
        github, deps.clock, view, run_id=None, query=query, interval=interval, package=plan.package
    )
    check = pypi or PyPICheck()
    followed.confirmation = confirm_after_run(followed.run, repo, deps, check, plan.tag)
    return followed


def explain_failure(
    followed: WatchResult, options: Publisher, root: Path
) -> tuple[ExplainReport, LocalRepo] | None:
    """Explain a failed run through the connection it was watched with (None: it succeeded)."""
    from .explain import explain_run

    if followed.run.succeeded or followed.github is None:
        return None
    return explain_run(followed.github, followed.run.id, options, root)


def finish_watch(result: WatchResult, deps: Deps) -> None:
    """Report a watched run to GitHub Actions; explain a failure; exit 6 unless it succeeded."""
    from ..render.explain import render_explanation
    from ..render.watch import report_to_actions

    console = deps.console
    report_to_actions(result.run, result.jobs, deps.env, console.out)
    try:
        explained = explain_failure(result, Publisher(), deps.cwd)
    except ReleaseError as exc:
        console.note(f"could not explain the failure: {exc.message}")
    else:
        if explained is not None:
            console.say("\n" + render_explanation(*explained))
    conclude(result)


def conclude(result: WatchResult) -> None:
    """Exit 6 unless the run succeeded; exit 7 when PyPI did not serve the green run's
    version in time.
    """
    outcome(result)
    if result.confirmation is not None and result.confirmation.error is not None:
        raise result.confirmation.error
