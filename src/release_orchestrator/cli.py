"""The ``release`` command line: typer options (see :mod:`.options`), and one error boundary.

Commands are imported inside each function, so that ``release --help`` loads none of them.
No ``from __future__ import annotations``: typer reads every command's annotations at each
start, and as objects they need no ``eval`` (about 10 ms less, ``--help`` included).
"""

import sys
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

import typer

from . import options as opt
from .errors import ExitCode, ReleaseError
from .render.console import Console, asks

if TYPE_CHECKING:
    from .deps import Deps

app = typer.Typer(
    name="release", rich_markup_mode=None, pretty_exceptions_enable=False, add_completion=False,
    no_args_is_help=True,
)


def _run(
    ctx: typer.Context, body: Callable[["Deps"], int | None], *, as_json: bool = False
) -> None:
    """The error boundary: an expected error is its redacted line(s) and its exit code."""
    from .core.redact import redact
    from .deps import Deps

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


@app.callback(help=opt.RELEASE_HELP)
def _main(version: opt.ShowVersion = False) -> None:
    pass  # --version acts in its own callback; the group has nothing else to do


# Each command's options in --help's order; related ones share a line.


@app.command("cut", help=opt.CUT_HELP)
def _cut(
    ctx: typer.Context,
    spec: opt.CutSpec,
    dry_run: opt.DryRun = False, yes: opt.Yes = False,
    github_release: opt.GitHubRelease = None, draft: opt.Draft = False,
    generate_notes: opt.GenerateNotes = False,
    remote: opt.Remote = None, branch: opt.Branch = None, no_push: opt.NoPush = False,
    api_url: opt.ApiUrl = None,
    no_watch: opt.NoWatch = False, skip_doctor: opt.SkipDoctor = False,
    pypi_timeout: opt.PyPITimeout = 300.0, no_pypi_check: opt.NoPyPICheck = False,
    package: opt.PackageName = None, as_json: opt.CutJson = False,
) -> None:
    from .commands.cut import CutRequest, cut_command

    request = CutRequest(
        spec, dry_run, github_release, draft, remote, branch, push=not no_push, api_url=api_url,
        skip_doctor=skip_doctor, watch=not no_watch, pypi_check=not no_pypi_check,
        pypi_timeout=pypi_timeout, generate_notes=generate_notes, package=package,
    )
    _run(ctx, lambda deps: cut_command(request, deps, ask=asks(yes)), as_json=as_json)


@app.command("watch", help=opt.WATCH_HELP)
def _watch(
    ctx: typer.Context,
    target: opt.WatchTarget = None, workflow: opt.WatchWorkflow = None,
    interval: opt.Interval = 15.0, timeout: opt.Timeout = 1800.0,
    pypi_timeout: opt.PyPITimeout = 300.0, no_pypi_check: opt.NoPyPICheck = False,
    api_url: opt.ApiUrl = None, package: opt.PackageName = None, as_json: opt.WatchJson = False,
) -> None:
    from .commands.watch import WatchRequest, watch_command

    request = WatchRequest(
        target, workflow, interval, timeout, api_url, not no_pypi_check, pypi_timeout, package
    )
    _run(ctx, partial(watch_command, request), as_json=as_json)


@app.command("retry", help=opt.RETRY_HELP)
def _retry(
    ctx: typer.Context,
    target: opt.WatchTarget = None, workflow: opt.WatchWorkflow = None,
    timeout: opt.Timeout = 1800.0, pypi_timeout: opt.PyPITimeout = 300.0,
    api_url: opt.ApiUrl = None, yes: opt.Yes = False,
    package: opt.PackageName = None, as_json: opt.RetryJson = False,
) -> None:
    from .commands.retry import RetryRequest, retry_command

    request = RetryRequest(target, workflow, timeout, pypi_timeout, api_url, package)
    _run(ctx, lambda deps: retry_command(request, deps, ask=asks(yes)), as_json=as_json)


@app.command("explain", help=opt.EXPLAIN_HELP)
def _explain(
    ctx: typer.Context,
    target: opt.ExplainTarget = None, log: opt.Logs = None,
    owner: opt.Owner = None, repository: opt.Repository = None,
    workflow: opt.WorkflowName = None, environment: opt.Environment = None,
    index: opt.Index = None,
    api_url: opt.ApiUrl = None, package: opt.PackageName = None, as_json: opt.Json = False,
) -> None:
    from .commands.explain import ExplainRequest, explain_command

    request = ExplainRequest(
        target, tuple(log or ()), owner, repository, workflow, environment, index, api_url, package
    )
    _run(ctx, partial(explain_command, request), as_json=as_json)


@app.command("status", help=opt.STATUS_HELP)
def _status(
    ctx: typer.Context,
    version: opt.StatusVersion = None, workflow: opt.WatchWorkflow = None,
    api_url: opt.ApiUrl = None, package: opt.PackageName = None, as_json: opt.Json = False,
) -> None:
    from .commands.status import StatusRequest, status_command

    request = StatusRequest(version, workflow, api_url, package)
    _run(ctx, partial(status_command, request), as_json=as_json)


@app.command("demo", help=opt.DEMO_HELP)
def _demo(ctx: typer.Context, scenario: opt.Scenario = "success", keep: opt.Keep = False) -> None:
    from .commands.demo import demo_command

    _run(ctx, lambda deps: demo_command(scenario, deps, keep=keep, tty=sys.stdout.isatty()))


@app.command("doctor", help=opt.DOCTOR_HELP)
def _doctor(
    ctx: typer.Context,
    tag: opt.DoctorTag = None,
    github_release: opt.DoctorGitHubRelease = None, draft: opt.DoctorDraft = False,
    index_url: opt.IndexUrl = None, offline: opt.Offline = False,
    package: opt.PackageName = None, as_json: opt.Json = False,
) -> None:
    from .commands.doctor import DoctorRequest, doctor_command

    request = DoctorRequest(
        tag=tag, github_release=github_release, draft=draft, index_url=index_url,
        offline=offline, package=package,
    )
    _run(ctx, lambda deps: doctor_command(request, deps, as_json=as_json), as_json=as_json)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="release")
