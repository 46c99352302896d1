"""The ``release`` command line: a thin typer layer over the domain modules.

Heavy libraries (GitPython, PyGithub, rich) are imported inside the commands that need
them, so that ``release --help`` answers quickly.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from . import __version__
from .errors import ExitCode, ReleaseError

if TYPE_CHECKING:
    from .explain import ExplainReport
    from .investigate import LocalRepo, PublisherOptions
    from .watch import WatchResult

app = typer.Typer(
    name="release",
    help="Cut a Python release, watch its publish run, and explain what went wrong.",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
    no_args_is_help=True,
)

T = TypeVar("T")

ApiUrl = Annotated[
    str | None,
    typer.Option(
        metavar="URL",
        help="GitHub API base URL (default: GITHUB_API_URL, else from the remote).",
    ),
]


def _fail(lines: list[str], code: int) -> typer.Exit:
    for line in lines:
        print(line, file=sys.stderr)
    return typer.Exit(code)


def _guarded(action: Callable[[], T]) -> T:
    """Run a command body; turn expected errors into one line each and their exit code."""
    from .redact import redact

    try:
        return action()
    except ReleaseError as exc:
        raise _fail([redact(line) for line in exc.lines()], int(exc.exit_code)) from None
    except KeyboardInterrupt:
        raise _fail(["interrupted"], int(ExitCode.INTERRUPTED)) from None
    except Exception as exc:  # the last line of defence, redacted
        if os.environ.get("RELEASE_DEBUG"):
            raise
        message = redact(f"internal error: {type(exc).__name__}: {exc}")
        hint = "rerun with RELEASE_DEBUG=1 for a traceback, and please report it"
        raise _fail([f"error: {message}; {hint}"], int(ExitCode.INTERNAL)) from None


def _version_callback(value: bool) -> None:
    if value:
        print(f"release-orchestrator {__version__}")
        raise typer.Exit()


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
    spec: Annotated[
        str,
        typer.Argument(
            metavar="SPEC",
            help="A version (0.1.1, v0.1.1, 1.0.0rc1) or a bump: major, minor, patch, release, "
            "alpha, beta, rc, post, dev, or major|minor|patch + ,alpha|,beta|,rc|,dev "
            "(e.g. minor,rc).",
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the plan and change nothing.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    github_release: Annotated[
        bool | None,
        typer.Option(
            "--github-release/--no-github-release",
            help="Also create a GitHub Release for the tag (default: [tool.release]).",
            show_default=False,
        ),
    ] = None,
    draft: Annotated[bool, typer.Option("--draft", help="Create the Release as a draft.")] = False,
    remote: Annotated[
        str | None, typer.Option(metavar="NAME", help="Git remote to push to (default: origin).")
    ] = None,
    branch: Annotated[
        str | None,
        typer.Option(
            metavar="NAME", help="Branch to release from (default: the remote's default branch)."
        ),
    ] = None,
    no_push: Annotated[
        bool, typer.Option("--no-push", help="Commit and tag locally; push nothing.")
    ] = False,
    api_url: ApiUrl = None,
    no_watch: Annotated[
        bool, typer.Option("--no-watch", help="Do not follow the publish run after pushing.")
    ] = False,
    skip_doctor: Annotated[
        bool,
        typer.Option("--skip-doctor", help="Cut even if release doctor finds errors."),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object with the result.")
    ] = False,
) -> None:
    """Bump the version, commit, tag, push atomically, and optionally create a GitHub Release.

    After the push it follows the publish run (like release watch) unless --no-watch.
    """
    from .console import Console
    from .cut import CutRequest, follow_release, run_cut

    console = Console(json_mode=as_json)
    request = CutRequest(
        spec=spec,
        dry_run=dry_run,
        github_release=github_release,
        draft=draft,
        remote=remote,
        branch=branch,
        push=not no_push,
        api_url=api_url,
        skip_doctor=skip_doctor,
    )
    interactive = not yes and sys.stdin.isatty()
    confirm = (lambda question: typer.confirm(question, err=as_json)) if interactive else None
    result = _guarded(
        lambda: run_cut(request, cwd=Path.cwd(), env=os.environ, console=console, confirm=confirm)
    )
    followed = None
    if not no_watch:
        from .clock import SystemClock
        from .watchview import make_view

        stream = console.human
        view = make_view(stream, tty=stream.isatty() and not as_json, env=os.environ)
        followed = _guarded(
            lambda: follow_release(
                result,
                env=os.environ,
                api_url=api_url,
                clock=SystemClock(),
                view=view,
                console=console,
            )
        )
    if as_json:
        data = result.to_json()
        if followed is not None:
            data["run"] = followed.to_json()
        console.data(json.dumps(data))
    if followed is not None:
        _finish_watch(followed, as_json=as_json)


@app.command()
def watch(
    target: Annotated[
        str | None,
        typer.Argument(
            metavar="TARGET",
            help="A tag (v0.1.1), a run id, or a run URL (default: the release tag at HEAD).",
            show_default=False,
        ),
    ] = None,
    workflow: Annotated[
        str | None,
        typer.Option(
            metavar="FILE", help="Publishing workflow file (default: [tool.release] or detected)."
        ),
    ] = None,
    interval: Annotated[
        float,
        typer.Option(metavar="SECONDS", help="Longest wait between polls, in seconds.", min=1.0),
    ] = 15.0,
    timeout: Annotated[
        float,
        typer.Option(metavar="SECONDS", help="Give up after this many seconds (exit 7).", min=1.0),
    ] = 1800.0,
    api_url: ApiUrl = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object when the run ends.")
    ] = False,
) -> None:
    """Follow the GitHub Actions run that a release tag started; exit with its outcome."""
    from .clock import SystemClock
    from .watch import WatchRequest, run_watch
    from .watchview import make_view

    stream = sys.stderr if as_json else sys.stdout
    view = make_view(stream, tty=stream.isatty() and not as_json, env=os.environ)
    request = WatchRequest(target, workflow, interval, timeout, api_url)
    result = _guarded(
        lambda: run_watch(request, cwd=Path.cwd(), env=os.environ, clock=SystemClock(), view=view)
    )
    if as_json:
        print(json.dumps(result.to_json()))
    _finish_watch(result, as_json=as_json)


def _finish_watch(result: WatchResult, *, as_json: bool) -> None:
    """Report a watched run to GitHub Actions; explain a failure; exit 6 unless it succeeded."""
    from .investigate import PublisherOptions, explain_run, render_explanation
    from .watch import outcome
    from .watchview import report_to_actions

    report_to_actions(result.run, result.jobs, os.environ, sys.stdout)
    if not result.run.succeeded and result.github is not None:
        stream = sys.stderr if as_json else sys.stdout
        github = result.github
        try:
            report, local = explain_run(github, result.run.id, PublisherOptions(), Path.cwd())
            print("\n" + render_explanation(report, local), file=stream)
        except ReleaseError as exc:
            print(f"note: could not explain the failure: {exc.message}", file=sys.stderr)
    _guarded(lambda: outcome(result))


INDEXES = ("pypi", "testpypi")


@app.command()
def explain(
    target: Annotated[
        str | None,
        typer.Argument(
            metavar="TARGET",
            help="A run id, run URL or tag (default: the release tag at HEAD). "
            "Not needed with --log.",
            show_default=False,
        ),
    ] = None,
    log: Annotated[
        list[str] | None,
        typer.Option(
            "--log",
            metavar="FILE",
            help="A saved log, run-logs zip, or - for stdin (repeatable); no network needed.",
        ),
    ] = None,
    owner: Annotated[
        str | None, typer.Option(metavar="OWNER", help="PyPI publisher: owner.")
    ] = None,
    repository: Annotated[
        str | None, typer.Option(metavar="REPO", help="PyPI publisher: repository name.")
    ] = None,
    workflow: Annotated[
        str | None, typer.Option(metavar="FILE", help="PyPI publisher: workflow file name.")
    ] = None,
    environment: Annotated[
        str | None, typer.Option(metavar="ENV", help='PyPI publisher: environment ("" means any).')
    ] = None,
    index: Annotated[
        str | None,
        typer.Option(metavar="INDEX", help="Which index the publisher is on: pypi or testpypi."),
    ] = None,
    api_url: ApiUrl = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Explain why publishing failed: which publisher field is wrong and what to change."""
    from .investigate import PublisherOptions

    options = PublisherOptions(owner, repository, workflow, environment, index)
    report, local = _guarded(lambda: _explain(target, log or [], options, api_url))
    if as_json:
        print(json.dumps(report.to_json()))
    else:
        from .investigate import render_explanation

        print(render_explanation(report, local))


def _explain(
    target: str | None, logs: list[str], options: PublisherOptions, api_url: str | None
) -> tuple[ExplainReport, LocalRepo]:
    from .errors import UsageError
    from .investigate import explain_run, read_local, resolve_publisher

    if options.index is not None and options.index not in INDEXES:
        raise UsageError(f"--index must be pypi or testpypi, not {options.index!r}")
    cwd = Path.cwd()
    if logs:
        if target is not None:
            raise UsageError("give either TARGET or --log, not both")
        from .explain import explain_logs

        local = read_local(cwd)
        publisher, source = resolve_publisher(options, local)
        return explain_logs(logs, publisher, source), local

    from .target import connect, find_run, resolve_target

    resolved = resolve_target(target, cwd=cwd, workflow=options.workflow)
    github = connect(resolved.repo, api_url=api_url, env=os.environ, own_retries=False)
    run_id = resolved.run_id or find_run(github, resolved)
    return explain_run(github, run_id, options, cwd)


@app.command()
def demo(
    scenario: Annotated[
        str,
        typer.Option(
            metavar="NAME",
            help="success, invalid-publisher, missing-id-token or file-exists.",
        ),
    ] = "success",
    keep: Annotated[
        bool, typer.Option("--keep", help="Keep the throwaway project and print where.")
    ] = False,
) -> None:
    """Rehearse cut, watch and explain offline on a throwaway project (no account, no token)."""
    from .clock import SystemClock
    from .console import Console
    from .demo import SCENARIOS, run_demo
    from .errors import UsageError

    def play() -> int:
        if scenario not in SCENARIOS:
            raise UsageError(
                f"unknown scenario {scenario!r}", f"choose one of {', '.join(SCENARIOS)}"
            )
        return run_demo(
            scenario,
            keep=keep,
            console=Console(),
            clock=SystemClock(),
            tty=sys.stdout.isatty(),
            env=os.environ,
        )

    raise typer.Exit(_guarded(play))


def main() -> None:
    """Console-script entry point."""
    app(prog_name="release")


@app.command()
def doctor(
    tag: Annotated[
        str | None,
        typer.Option(
            metavar="TAG",
            help="The tag to check (default: the tag release cut would create for the "
            "current version).",
        ),
    ] = None,
    index_url: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            hidden=True,
            help="Base URL of PyPI's JSON API (default: RELEASE_PYPI_URL, else the index).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Check the publishing workflow and PyPI's trusted publisher before the tag exists.

    Exit 0 when nothing is wrong (warnings allowed), 3 when an error was found.
    """
    from .doctor import DoctorRequest, render_report, run_doctor

    request = DoctorRequest(tag=tag, index_url=index_url)
    report = _guarded(lambda: run_doctor(Path.cwd(), request, os.environ))
    if as_json:
        print(json.dumps(report.to_json()))
    else:
        print(render_report(report), end="")
    if report.errors:
        raise typer.Exit(int(ExitCode.CHECK_FAILED))
