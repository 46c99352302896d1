"""The ``release`` command line: typer options, the :class:`Deps`, and one error boundary.

Each command parses its options, builds its request and calls its command function in
:mod:`release_orchestrator.commands`. Heavy libraries (GitPython, PyGithub, rich) are
imported inside the commands that need them, so that ``release --help`` answers quickly.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated

import typer

from . import __version__
from . import options as opt
from .errors import ExitCode, ReleaseError

if TYPE_CHECKING:
    from .deps import Deps

app = typer.Typer(
    name="release",
    help="Cut a Python release, watch its publish run, and explain what went wrong.",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
    no_args_is_help=True,
)


def _run(ctx: typer.Context, body: Callable[[Deps], int | None], *, as_json: bool = False) -> None:
    """The error boundary: run ``body`` with the Deps; every expected error is one line on
    stderr (redacted) and its exit code; anything else is an internal error, exit 1."""
    from .core.redact import redact
    from .deps import Deps
    from .render.console import Console

    base = ctx.obj if isinstance(ctx.obj, Deps) else Deps.production()
    deps = replace(base, console=Console(json_mode=as_json))
    try:
        code = body(deps)
    except ReleaseError as exc:
        _fail([redact(line) for line in exc.lines()], exc.exit_code, exc)
    except KeyboardInterrupt as exc:
        _fail(["interrupted"], ExitCode.INTERRUPTED, exc)
    except Exception as exc:  # the last line of defence, redacted
        if deps.env.get("RELEASE_DEBUG"):
            raise
        message = redact(f"internal error: {type(exc).__name__}: {exc}")
        hint = "rerun with RELEASE_DEBUG=1 for a traceback, and please report it"
        _fail([f"error: {message}; {hint}"], ExitCode.INTERNAL, exc)
    raise typer.Exit(code or 0)


def _fail(lines: list[str], code: int, cause: BaseException) -> None:
    for line in lines:
        print(line, file=sys.stderr)
    raise typer.Exit(int(code)) from cause


def _version_callback(value: bool) -> None:
    if value:
        print(f"release-orchestrator {__version__}")
        raise typer.Exit


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Show version."),
    ] = False,
) -> None:
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
    as_json: opt.CutJson = False,
) -> None:
    """Bump the version, commit, tag, push atomically, and optionally create a GitHub Release.

    After the push it follows the publish run (like release watch) unless --no-watch.
    """
    from .commands.cut import CutRequest, cut_command

    request = CutRequest(
        spec, dry_run, github_release, draft, remote, branch, not no_push, api_url, skip_doctor
    )
    interactive = not yes and sys.stdin.isatty()
    confirm = (lambda question: typer.confirm(question, err=as_json)) if interactive else None
    watch = not no_watch
    _run(
        ctx,
        lambda deps: cut_command(request, deps, confirm=confirm, watch=watch, as_json=as_json),
        as_json=as_json,
    )


@app.command()
def watch(
    ctx: typer.Context,
    target: opt.WatchTarget = None,
    workflow: opt.WatchWorkflow = None,
    interval: opt.Interval = 15.0,
    timeout: opt.Timeout = 1800.0,
    api_url: opt.ApiUrl = None,
    as_json: opt.WatchJson = False,
) -> None:
    """Follow the GitHub Actions run that a release tag started; exit with its outcome."""
    from .commands.watch import WatchRequest, watch_command

    request = WatchRequest(target, workflow, interval, timeout, api_url)
    _run(ctx, lambda deps: watch_command(request, deps, as_json=as_json), as_json=as_json)


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
    from .commands.explain import explain_command
    from .core.publisher import Publisher

    options = Publisher.given(
        "the command line",
        owner=owner,
        repository=repository,
        workflow=workflow,
        environment=environment,
        index=index,
    )
    logs = log or []
    _run(
        ctx,
        lambda deps: explain_command(target, logs, options, api_url, deps, as_json=as_json),
        as_json=as_json,
    )


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
