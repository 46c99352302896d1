"""The ``release`` command line: typer options, the :class:`Deps`, and one error boundary.

Each command builds its request and calls :mod:`release_orchestrator.commands`, where the
heavy libraries (PyGithub, rich) load, so that ``release --help`` answers quickly.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

import typer

from . import options as opt
from .errors import ExitCode, ReleaseError

if TYPE_CHECKING:
    from .deps import Deps

app = typer.Typer(
    name="release",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
    no_args_is_help=True,
)


def _run(ctx: typer.Context, body: Callable[[Deps], int | None], *, as_json: bool = False) -> None:
    """The error boundary: an expected error is its redacted line(s) and its exit code."""
    from .core.redact import redact
    from .deps import Deps
    from .render.console import Console

    deps = ctx.obj if isinstance(ctx.obj, Deps) else Deps.production()
    deps = deps.with_console(Console(json_mode=as_json))
    cause: BaseException
    try:
        code = body(deps)
    except ReleaseError as exc:
        cause, lines, failed = exc, [redact(line) for line in exc.lines()], exc.exit_code
    except KeyboardInterrupt as exc:
        cause, lines, failed = exc, ["interrupted"], ExitCode.INTERRUPTED
    except Exception as exc:  # the last line of defence, redacted
        if deps.env.get("RELEASE_DEBUG"):
            raise
        hint = "rerun with RELEASE_DEBUG=1 for a traceback, and please report it"
        line = redact(f"error: internal error: {type(exc).__name__}: {exc}; {hint}")
        cause, lines, failed = exc, [line], ExitCode.INTERNAL
    else:
        raise typer.Exit(code or 0)
    print("\n".join(lines), file=sys.stderr)
    raise typer.Exit(int(failed)) from cause


@app.callback()
def main_options(version: opt.ShowVersion = False) -> None:
    """Cut a Python release, watch its publish run, and explain what went wrong."""


@app.command()
def cut(
    ctx: typer.Context,
    spec: opt.CutSpec,
    dry_run: opt.DryRun = False,
    yes: opt.Yes = False,
    github_release: opt.GitHubRelease = None,
    draft: opt.Draft = False,
    remote: opt.Remote = None,
    branch: opt.Branch = None,
    no_push: opt.NoPush = False,
    api_url: opt.ApiUrl = None,
    no_watch: opt.NoWatch = False,
    skip_doctor: opt.SkipDoctor = False,
    pypi_timeout: opt.PyPITimeout = 300.0,
    no_pypi_check: opt.NoPyPICheck = False,
    as_json: opt.CutJson = False,
) -> None:
    """Bump the version, commit, tag, push atomically, and optionally create a GitHub Release.

    After the push it follows the publish run (like release watch) unless --no-watch, and
    confirms the upload on PyPI unless --no-pypi-check.
    """
    from .commands.confirm import PyPICheck
    from .commands.cut import CutRequest, cut_command
    from .render.console import is_terminal

    push, follow = not no_push, not no_watch
    pypi = PyPICheck(not no_pypi_check, pypi_timeout)
    request = CutRequest(
        spec, dry_run, github_release, draft, remote, branch, push, api_url, skip_doctor, follow
    )
    request = replace(request, pypi=pypi)
    ask = not yes and is_terminal(sys.stdin)
    _run(ctx, lambda deps: cut_command(request, deps, ask=ask), as_json=as_json)


@app.command()
def watch(
    ctx: typer.Context,
    target: opt.WatchTarget = None,
    workflow: opt.WatchWorkflow = None,
    interval: opt.Interval = 15.0,
    timeout: opt.Timeout = 1800.0,
    pypi_timeout: opt.PyPITimeout = 300.0,
    no_pypi_check: opt.NoPyPICheck = False,
    api_url: opt.ApiUrl = None,
    as_json: opt.WatchJson = False,
) -> None:
    """Follow the GitHub Actions run that a release tag started; exit with its outcome.

    After a green run, confirm that PyPI serves the version, uploaded by this workflow.
    """
    from .commands.confirm import PyPICheck
    from .commands.watch import WatchRequest, watch_command

    pypi = PyPICheck(not no_pypi_check, pypi_timeout)
    request = WatchRequest(target, workflow, interval, timeout, api_url, pypi)
    _run(ctx, partial(watch_command, request), as_json=as_json)


@app.command()
def retry(
    ctx: typer.Context,
    target: opt.WatchTarget = None,
    workflow: opt.WatchWorkflow = None,
    timeout: opt.Timeout = 1800.0,
    pypi_timeout: opt.PyPITimeout = 300.0,
    api_url: opt.ApiUrl = None,
    yes: opt.Yes = False,
    as_json: opt.RetryJson = False,
) -> None:
    """Re-run a failed publish run's failed jobs when that can succeed, and follow them.

    Exit 3 (nothing re-run) when the failure needs a change to the workflow or the code, or
    the run has not failed; otherwise as release watch exits for the new attempt.
    """
    from .commands.retry import RetryRequest, retry_command

    request = RetryRequest(target, workflow, timeout, pypi_timeout, api_url)
    ask = not yes and sys.stdin.isatty()
    _run(ctx, lambda deps: retry_command(request, deps, ask=ask), as_json=as_json)


@app.command()
def explain(
    ctx: typer.Context,
    target: opt.ExplainTarget = None,
    log: opt.Logs = None,
    owner: opt.Owner = None,
    repository: opt.Repository = None,
    workflow: opt.WorkflowName = None,
    environment: opt.Environment = None,
    index: opt.Index = None,
    api_url: opt.ApiUrl = None,
    as_json: opt.Json = False,
) -> None:
    """Explain why publishing failed: which publisher field is wrong and what to change."""
    from .commands.explain import ExplainRequest, explain_command

    logs = tuple(log or ())
    request = ExplainRequest(target, logs, owner, repository, workflow, environment, index, api_url)
    _run(ctx, partial(explain_command, request), as_json=as_json)


@app.command()
def status(
    ctx: typer.Context,
    version: opt.StatusVersion = None,
    workflow: opt.WatchWorkflow = None,
    api_url: opt.ApiUrl = None,
    as_json: opt.Json = False,
) -> None:
    """Show where a release is: tag, GitHub Release, publish run, PyPI, and what comes next.

    Exit 0 whenever it could look; 4 or 5 when GitHub refuses or cannot be reached.
    """
    from .commands.status import StatusRequest, status_command

    request = StatusRequest(version, workflow, api_url)
    _run(ctx, partial(status_command, request), as_json=as_json)


@app.command()
def demo(ctx: typer.Context, scenario: opt.Scenario = "success", keep: opt.Keep = False) -> None:
    """Rehearse cut, watch and explain offline on a throwaway project (no account, no token)."""
    from .commands.demo import demo_command

    _run(ctx, lambda deps: demo_command(scenario, deps, keep=keep, tty=sys.stdout.isatty()))


@app.command()
def doctor(
    ctx: typer.Context,
    tag: opt.DoctorTag = None,
    index_url: opt.IndexUrl = None,
    as_json: opt.Json = False,
) -> None:
    """Check the publishing workflow and PyPI's trusted publisher before the tag exists.

    Exit 0 when nothing is wrong (warnings allowed), 3 when an error was found.
    """
    from .commands.doctor import DoctorRequest, doctor_command

    request = DoctorRequest(tag=tag, index_url=index_url)
    _run(ctx, lambda deps: doctor_command(request, deps, as_json=as_json), as_json=as_json)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="release")
