"""The command line's words: each command's help, and the arguments and options it takes."""

from __future__ import annotations

from typing import Annotated

import typer

from . import __version__

RELEASE_HELP = "Cut a Python release, watch its publish run, and explain what went wrong."
CUT_HELP = """\
Bump the version, commit, tag, push atomically, and optionally create a GitHub Release.

After the push it follows the publish run (like release watch) unless --no-watch, and
confirms the upload on PyPI unless --no-pypi-check."""
WATCH_HELP = """Follow the GitHub Actions run that a release tag started; exit with its outcome.

After a green run, confirm that PyPI serves the version, uploaded by this workflow."""
RETRY_HELP = """Re-run a failed publish run's failed jobs when that can succeed, and follow them.

Exit 3 (nothing re-run) when the failure needs a change to the workflow or the code, or
the run has not failed; otherwise as release watch exits for the new attempt."""
EXPLAIN_HELP = "Explain why publishing failed: which publisher field is wrong and what to change."
STATUS_HELP = """\
Show where a release is: tag, GitHub Release, publish run, PyPI, and what comes next.

Exit 0 whenever it could look; 4 or 5 when GitHub refuses or cannot be reached."""
DEMO_HELP = "Rehearse cut, watch and explain offline on a throwaway project (no account, no token)."
DOCTOR_HELP = """Check the publishing workflow and PyPI's trusted publisher before the tag exists.

Exit 0 when nothing is wrong (warnings allowed), 3 when an error was found."""


def _show_version(value: bool) -> None:
    if value:
        print(f"release-orchestrator {__version__}")
        raise typer.Exit


ShowVersion = Annotated[
    bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Show version.")
]
ApiUrl = Annotated[
    str | None,
    typer.Option(
        metavar="URL",
        help="GitHub API base URL (default: GITHUB_API_URL, else from the remote).",
    ),
]
CutSpec = Annotated[
    str,
    typer.Argument(
        metavar="SPEC",
        help="A version (0.1.1, v0.1.1, 1.0.0rc1) or a bump: major, minor, patch, release, "
        "alpha, beta, rc, post, dev, or major|minor|patch + ,alpha|,beta|,rc|,dev "
        "(e.g. minor,rc).",
    ),
]
WatchTarget = Annotated[
    str | None,
    typer.Argument(
        metavar="TARGET",
        help="A tag (v0.1.1), a run id, or a run URL (default: the release tag at HEAD).",
        show_default=False,
    ),
]
ExplainTarget = Annotated[
    str | None,
    typer.Argument(
        metavar="TARGET",
        help="A run id, run URL or tag (default: the release tag at HEAD). Not needed with --log.",
        show_default=False,
    ),
]
Owner = Annotated[str | None, typer.Option(metavar="OWNER", help="PyPI publisher: owner.")]
Repository = Annotated[
    str | None, typer.Option(metavar="REPO", help="PyPI publisher: repository name.")
]
WorkflowName = Annotated[
    str | None, typer.Option(metavar="FILE", help="PyPI publisher: workflow file name.")
]
Environment = Annotated[
    str | None,
    typer.Option(metavar="ENV", help='PyPI publisher: environment ("" means any).'),
]
Index = Annotated[
    str | None,
    typer.Option(metavar="INDEX", help="Which index the publisher is on: pypi or testpypi."),
]

DryRun = Annotated[bool, typer.Option("--dry-run", help="Show the plan and change nothing.")]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
GitHubRelease = Annotated[
    bool | None,
    typer.Option(
        "--github-release/--no-github-release",
        help="Also create a GitHub Release for the tag (default: [tool.release]).",
        show_default=False,
    ),
]
Draft = Annotated[bool, typer.Option("--draft", help="Create the Release as a draft.")]
GenerateNotes = Annotated[
    bool,
    typer.Option(
        "--generate-notes",
        help="Add GitHub's generated notes to the Release, after the changelog's section.",
    ),
]
Remote = Annotated[
    str | None, typer.Option(metavar="NAME", help="Git remote to push to (default: origin).")
]
Branch = Annotated[
    str | None,
    typer.Option(
        metavar="NAME", help="Branch to release from (default: the remote's default branch)."
    ),
]
NoPush = Annotated[bool, typer.Option("--no-push", help="Commit and tag locally; push nothing.")]
NoWatch = Annotated[
    bool, typer.Option("--no-watch", help="Do not follow the publish run after pushing.")
]
SkipDoctor = Annotated[
    bool, typer.Option("--skip-doctor", help="Cut even if release doctor finds errors.")
]
CutJson = Annotated[bool, typer.Option("--json", help="Print one JSON object with the result.")]
WatchWorkflow = Annotated[
    str | None,
    typer.Option(
        metavar="FILE", help="Publishing workflow file (default: [tool.release] or detected)."
    ),
]
Interval = Annotated[
    float,
    typer.Option(metavar="SECONDS", help="Longest wait between polls, in seconds.", min=1.0),
]
Timeout = Annotated[
    float,
    typer.Option(metavar="SECONDS", help="Give up after this many seconds (exit 7).", min=1.0),
]
WatchJson = Annotated[bool, typer.Option("--json", help="Print one JSON object when the run ends.")]
RetryJson = Annotated[
    bool,
    typer.Option("--json", help="Print one JSON object: the decision, and the new attempt's run."),
]
Logs = Annotated[
    list[str] | None,
    typer.Option(
        "--log",
        metavar="FILE",
        help="A saved log, run-logs zip, or - for stdin (repeatable); no network needed.",
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
Scenario = Annotated[
    str,
    typer.Option(
        metavar="NAME", help="success, invalid-publisher, missing-id-token or file-exists."
    ),
]
Keep = Annotated[bool, typer.Option("--keep", help="Keep the throwaway project and print where.")]
DoctorTag = Annotated[
    str | None,
    typer.Option(
        metavar="TAG",
        help="The tag to check (default: the tag release cut would create for the "
        "current version).",
    ),
]
DoctorGitHubRelease = Annotated[
    bool | None,
    typer.Option(
        "--github-release/--no-github-release",
        help="Check for a release made with a GitHub Release (default: [tool.release]).",
        show_default=False,
    ),
]
DoctorDraft = Annotated[
    bool,
    typer.Option(
        "--draft", help="Check for a draft GitHub Release, published later (as cut --draft)."
    ),
]
Offline = Annotated[
    bool,
    typer.Option(
        "--offline",
        help="Ask neither PyPI nor GitHub (no token needed): what only they know is a note.",
    ),
]
IndexUrl = Annotated[
    str | None,
    typer.Option(
        metavar="URL",
        hidden=True,
        help="Base URL of PyPI's JSON API (default: RELEASE_PYPI_URL, else the index).",
    ),
]
PyPITimeout = Annotated[
    float,
    typer.Option(
        "--pypi-timeout",
        metavar="SECONDS",
        help="After a green run, wait this long for PyPI to serve the version (exit 7).",
        min=0.0,
    ),
]
NoPyPICheck = Annotated[
    bool,
    typer.Option("--no-pypi-check", help="Do not confirm the upload on PyPI after a green run."),
]
StatusVersion = Annotated[
    str | None,
    typer.Argument(
        metavar="VERSION",
        help="The release to look at (default: the version in pyproject.toml).",
        show_default=False,
    ),
]
PackageName = Annotated[
    str | None,
    typer.Option(
        "--package",
        metavar="NAME",
        help="In a repository of several packages: the one to act on (see README).",
        show_default=False,
    ),
]
