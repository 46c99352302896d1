"""``release demo``: rehearse cut → watch → explain offline, on a throwaway project.

Everything is real except GitHub and PyPI: a git work tree with a bare ``origin``, the
real ``release`` code paths and PyGithub, talking to the built-in emulator
(:mod:`release_orchestrator.sandbox`), whose publish job plays PyPI's trusted publishing.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
from msgspec.structs import replace

from ..errors import ChecksFailed, ExitCode, ReleaseError, UsageError

if TYPE_CHECKING:
    from ..deps import Deps
    from ..sandbox import GitHubEmulator
    from ..sandbox.pypi import PyPIServer

OWNER = "kylejones200"
REPO = "anomaly-detection-toolkit"
VERSION = "0.1.0"
NEXT = "0.1.1"
# Short polls: the emulated run takes a few of them.
DEMO_INTERVAL = 1.0


class Scenario(msgspec.Struct, frozen=True):
    """One story the demo can tell."""

    description: str
    seen: str  # what the user has just watched, for the closing line
    job_environment: str | None  # the publishing job's `environment:`
    id_token: bool  # whether the job has `id-token: write`
    publisher_environment: str  # what the maintainer typed on PyPI ("" = any)
    already_on_pypi: bool = False


_REFUSED = "release doctor refusing a release that would fail, then the failure it prevented"
SCENARIOS: dict[str, Scenario] = {
    "success": Scenario(
        "everything matches: the release is published",
        "a release cut, pushed and followed to a green publish run",
        "pypi",
        True,
        "pypi",
    ),
    "invalid-publisher": Scenario(
        "PyPI's publisher names environment 'pypi', the job has none",
        "a publish run that PyPI refused, and release explain saying what to change",
        None,
        True,
        "pypi",
    ),
    "missing-id-token": Scenario(
        "the publishing job lacks `permissions: id-token: write`", _REFUSED, "pypi", False, "pypi"
    ),
    "file-exists": Scenario(
        f"version {NEXT} is already on PyPI", _REFUSED, "pypi", True, "pypi", already_on_pypi=True
    ),
}

WORKFLOW = """\
name: Publish
on:
  push:
    tags: ["v*"]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python -m pip install build && python -m build
      - uses: actions/upload-artifact@v4
        with: {{name: dist, path: dist/}}
  publish:
    needs: build
    runs-on: ubuntu-latest
{environment}{permissions}    steps:
      - uses: actions/download-artifact@v4
        with: {{name: dist, path: dist/}}
      - uses: pypa/gh-action-pypi-publish@release/v1
"""

PYPROJECT = f"""\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "{REPO}"
version = "{VERSION}"
description = "Find the odd ones out."
requires-python = ">=3.10"
"""


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)


def make_project(root: Path, scenario: Scenario) -> tuple[Path, Path]:
    """The throwaway project, committed and pushed to its bare origin; (work tree, origin)."""
    origin = root / "remote" / OWNER / f"{REPO}.git"
    origin.mkdir(parents=True)
    _git(origin, "init", "-q", "--bare", "-b", "main")
    work = root / REPO
    work.mkdir()
    _git(work, "init", "-q", "-b", "main")
    for key, value in (
        ("user.name", "Demo Maintainer"),
        ("user.email", "maintainer@example.com"),
        ("commit.gpgsign", "false"),  # the user's global signing setup is not ours to use
        ("tag.gpgsign", "false"),
    ):
        _git(work, "config", key, value)
    # The remote names the GitHub repository, as a clone's does; insteadOf sends the
    # transport to the local bare repository instead (the emulator serves the API).
    github_url = f"https://github.com/{OWNER}/{REPO}.git"
    _git(work, "remote", "add", "origin", github_url)
    _git(work, "config", f"url.{origin}.insteadOf", github_url)
    environment = (
        f"    environment: {scenario.job_environment}\n" if scenario.job_environment else ""
    )
    permissions = "    permissions:\n      id-token: write\n" if scenario.id_token else ""
    files = {
        "pyproject.toml": PYPROJECT,
        f"src/{REPO.replace('-', '_')}/__init__.py": '"""Find the odd ones out."""\n',
        "README.md": f"# {REPO}\n",
        ".github/workflows/publish.yml": WORKFLOW.format(
            environment=environment, permissions=permissions
        ),
    }
    for name, text in files.items():
        path = work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    _git(work, "add", "-A")
    _git(work, "commit", "-q", "-m", "Initial commit")
    _git(work, "push", "-q", "-u", "origin", "main")
    return work, origin


def start_emulator(origin: Path, scenario: Scenario) -> GitHubEmulator:
    """The GitHub emulator with the project's publish workflow and PyPI's publisher."""
    from ..sandbox import GitHubEmulator, JobSpec, Lifecycle, StepSpec
    from ..sandbox.pypi import PublishingJob, TrustedPublisher, publish_job

    emu = GitHubEmulator(OWNER, REPO, origin).start()
    publisher = TrustedPublisher(OWNER, REPO, "publish.yml", scenario.publisher_environment)
    job = PublishingJob("publish.yml", scenario.job_environment, scenario.id_token)
    build = JobSpec("build", steps=(StepSpec("Checkout"), StepSpec("Build distributions")))
    publish = publish_job(
        "publish",
        project=REPO,
        version=NEXT,
        publisher=publisher,
        job=job,
        owner=OWNER,
        repo=REPO,
        version_exists=scenario.already_on_pypi,
    )
    emu.add_workflow(
        "publish.yml",
        name="Publish",
        on_tags=("v*",),
        jobs=(build, publish),
        lifecycle=Lifecycle(queued=1, in_progress=2),
    )
    return emu


def demo_command(scenario: str, deps: Deps, *, keep: bool, tty: bool) -> int:
    """``release demo``: check the scenario's name, play it, return its exit code."""
    if scenario not in SCENARIOS:
        raise UsageError(f"unknown scenario {scenario!r}", f"choose one of {', '.join(SCENARIOS)}")
    return run_demo(scenario, deps, keep=keep, tty=tty)


def run_demo(name: str, deps: Deps, *, keep: bool, tty: bool) -> int:
    """Play scenario ``name``; return the exit code the real flow ended with."""
    from ..adapters.pypi import PyPIClient
    from ..core.publisher import Publisher
    from ..render.explain import render_explanation
    from ..render.watch import make_view
    from ..sandbox.pypi import Attested, PyPIServer
    from .cut import CutRequest, run_cut
    from .flow import conclude, explain_failure, follow_release

    console = deps.console

    scenario = SCENARIOS[name]
    root = Path(tempfile.mkdtemp(prefix="release-demo-"))
    emu: GitHubEmulator | None = None
    pypi: PyPIServer | None = None
    try:
        work, origin = make_project(root, scenario)
        emu = start_emulator(origin, scenario)
        on_pypi = (VERSION, NEXT) if scenario.already_on_pypi else (VERSION,)
        pypi = PyPIServer({REPO: on_pypi})
        # A green publish job uploads: the stand-in serves the release with its provenance.
        provenance = Attested(f"{OWNER}/{REPO}", "publish.yml", scenario.job_environment)
        tag = f"v{NEXT}"
        pypi.upload_when(
            REPO, NEXT, lambda: emu.job_succeeded_at("publish", tag), provenance=provenance
        )
        console.say(f"release demo: {name} — {scenario.description}")
        console.say(f"  project   {work} (origin: a bare repository beside it)")
        console.say(f"  GitHub    the built-in emulator at {emu.url}")
        console.say(
            f"  PyPI      a local stand-in at {pypi.url} (has {', '.join(on_pypi)})"
        )
        console.say("  no network, no token of yours")
        console.say("")
        console.say(f"$ release cut patch --yes    # {VERSION} → {NEXT}")
        demo_env = {**deps.env, "GH_TOKEN": emu.token or "", "GITHUB_API_URL": emu.url}
        demo_env.pop("GITHUB_TOKEN", None)
        demo = replace(deps, env=demo_env, cwd=work, pypi=PyPIClient(override=pypi.url))
        try:
            result = run_cut(CutRequest(spec="patch"), demo, confirm=None)
        except ChecksFailed as refused:
            for line in refused.lines():
                console.say(line)
            console.say(
                "\nrelease doctor stopped this release before anything changed. The demo "
                "goes on anyway, to show the failure it prevented:"
            )
            console.say("\n$ release cut patch --yes --skip-doctor")
            request = CutRequest(spec="patch", skip_doctor=True)
            result = run_cut(request, demo, confirm=None)
        view = make_view(console.human, tty=tty, env=demo_env)
        followed = follow_release(
            result, demo, api_url=emu.url, view=view, interval=DEMO_INTERVAL
        )
        if followed is None:
            return int(ExitCode.INTERNAL)
        # The maintainer tells explain what they typed into PyPI's form.
        typed = scenario.publisher_environment
        options = Publisher.given("the command line", environment=typed)
        if not followed.run.succeeded and followed.github is not None:
            console.say(f"\n$ release explain {followed.run.id} --environment {typed}")
        explained = explain_failure(followed, options, work)
        if explained is not None:
            console.say(render_explanation(*explained))
            if name == "invalid-publisher":
                console.say(
                    "release doctor can only compare what it is told: with\n"
                    '  [tool.release.pypi]\n  environment = "pypi"\n'
                    "in pyproject.toml, release cut refuses this before the tag exists."
                )
        code = int(ExitCode.OK)
        try:
            conclude(followed)
        except ReleaseError as exc:
            for line in exc.lines():
                console.say(line)
            code = int(exc.exit_code)
        console.say(
            f"\nYou just saw {scenario.seen}, on a throwaway project with GitHub and PyPI "
            "emulated. On your own project, run `release doctor` first."
        )
        return code
    finally:
        if emu is not None:
            emu.stop()
        if pypi is not None:
            pypi.stop()
        if keep:
            console.say(f"\nkept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
