"""``release --help`` stays light: no PyGithub, GitPython or rich at start-up; and
``release cut --dry-run`` loads only what its checks use.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gitfixtures import Project
from release_orchestrator.cli import app

HEAVY = ("github", "git", "rich", "requests")

PROBE = """
import sys
from release_orchestrator.cli import app
try:
    app(prog_name="release", args={args!r})
except SystemExit as exc:
    code = exc.code
print(sorted(m for m in {heavy!r} if m in sys.modules))
"""


def run_probe(probe: str, cwd: Path | None = None, **env: str) -> str:
    """Run ``probe`` in a fresh interpreter (in ``cwd``, with ``env`` added); its stdout.

    The doctor's PyPI look-up finds nothing listening: a dry run reports it and goes on.
    """
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
        env={**os.environ, "RELEASE_PYPI_URL": "http://127.0.0.1:9", **env},
    )
    return done.stdout


@pytest.mark.parametrize("args", [["--help"], ["cut", "--help"]])
def test_help_imports_no_heavy_library(args: list[str]) -> None:
    out = run_probe(PROBE.format(args=args, heavy=HEAVY))
    assert "Usage: release" in out
    assert out.strip().splitlines()[-1] == "[]"


# What only a real cut uses: the writes (GitPython), GitHub (PyGithub, requests), the live
# view (rich), the confirmation on PyPI after the run, and packaging's platform tags.
NOT_IN_A_DRY_RUN = (*HEAVY, "packaging.tags", "release_orchestrator.commands.confirm")


def test_a_dry_run_cut_loads_only_what_its_checks_use(project: Project) -> None:
    probe = PROBE.format(args=["cut", "patch", "--dry-run"], heavy=NOT_IN_A_DRY_RUN)
    out = run_probe(probe, project.work)
    assert "Dry run: nothing was changed." in out
    assert out.strip().splitlines()[-1] == "[]"


def test_commands_annotations_are_objects_not_strings() -> None:
    # typer reads every command's annotations at each start; a string costs an eval each.
    callbacks = [info.callback for info in app.registered_commands]
    assert len(callbacks) == 7
    for callback in callbacks:
        assert callback is not None
        annotations = callback.__annotations__
        assert annotations
        assert not [name for name, kind in annotations.items() if isinstance(kind, str)]


def test_module_entry_point_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "release_orchestrator", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.startswith("release-orchestrator ")


ORDER_PROBE = """
import sys
from pathlib import Path
events = []

def hook(name, args):
    if name == "subprocess.Popen" and (Path(args[1][0]).stem, args[1][1]) == ("git", "ls-remote"):
        events.append("git ls-remote")
    elif name == "import" and args[0] in {modules!r} and args[0] not in events:
        events.append(args[0])

sys.addaudithook(hook)
from release_orchestrator.cli import app
try:
    app(prog_name="release", args=["cut", "patch", "--dry-run"])
except SystemExit:
    pass
print(events)
"""
# Loaded while git answers: imported before it started, they would hold it up.
LOADED_WHILE_GIT_RUNS = ("release_orchestrator.commands.doctor", "urllib.request")


def test_a_dry_run_starts_git_before_the_doctor_and_the_http_client_load(
    project: Project,
) -> None:
    out = run_probe(ORDER_PROBE.format(modules=LOADED_WHILE_GIT_RUNS), project.work)
    events = eval(out.strip().splitlines()[-1])  # noqa: S307 - our probe's own list
    assert events[0] == "git ls-remote"
    assert set(events[1:]) == set(LOADED_WHILE_GIT_RUNS)


READS_PROBE = """
import collections, sys
reads = collections.Counter()

def hook(name, args):
    if name == "open" and isinstance(args[0], str) and "/.github/workflows/" in args[0]:
        reads[args[0].rsplit("/", 1)[1]] += 1

sys.addaudithook(hook)
from release_orchestrator.cli import app
try:
    app(prog_name="release", args={args!r})
except SystemExit:
    pass
print(sorted(reads.items()))
"""


@pytest.mark.parametrize("args", [["doctor"], ["cut", "patch", "--dry-run"]])
def test_the_doctor_reads_each_workflow_once(project: Project, args: list[str]) -> None:
    # Parsing a workflow (ruamel's round trip) costs milliseconds a file: a repository's
    # dozen CI workflows were each parsed twice, once more to find the publishing job again.
    from release_orchestrator.commands.demo import WORKFLOW

    permissions = "    permissions:\n      id-token: write\n"
    project.write(
        ".github/workflows/publish.yml",
        WORKFLOW.format(environment="    environment: pypi\n", permissions=permissions),
    )
    project.write(".github/workflows/ci.yml", "on: push\njobs:\n  t:\n    runs-on: x\n")
    project.commit_all("workflows")
    project.push()
    out = run_probe(READS_PROBE.format(args=args), project.work, RELEASE_ZIZMOR="")
    assert out.strip().splitlines()[-1] == "[('ci.yml', 1), ('publish.yml', 1)]"
