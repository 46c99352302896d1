"""``release explain`` on the command line: saved logs offline, and runs through the emulator."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from emulator_fixtures import push_tag
from gitfixtures import PYPROJECT, Project
from release_orchestrator.sandbox import GitHubEmulator, JobSpec, Lifecycle, StepSpec
from runcli import release

SEED = Path(__file__).parent / "fixtures" / "logs" / "seed-anomaly-detection-toolkit.log"
PUBLISHER = (
    "--owner",
    "kylejones200",
    "--repository",
    "anomaly-detection-toolkit",
    "--workflow",
    "release.yml",
    "--environment",
    "pypi",
)
RELEASE_YML = """\
on:
  push:
    tags: ["v*"]
jobs:
  release:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
"""


def seed_log_body() -> str:
    """The seed fixture as a job would print it (the emulator adds the timestamps)."""
    lines = [line for line in SEED.read_text().splitlines() if not line.startswith("#")]
    return "\n".join(re.sub(r"^\S+Z ", "", line) for line in lines) + "\n"


def test_saved_log_with_the_publisher_on_the_command_line(tmp_path: Path) -> None:
    # An empty directory: no repository, no pyproject, nothing else to draw on.
    out = release("explain", "--log", str(SEED), *PUBLISHER, cwd=tmp_path)

    assert out.code == 0, out.stderr
    assert "environment  pypi" in out.stdout and "✗" in out.stdout
    assert "the command line" in out.stdout


def test_json_object(tmp_path: Path) -> None:
    out = release("explain", "--log", str(SEED), *PUBLISHER, "--json", cwd=tmp_path)
    data = json.loads(out.stdout)
    assert set(data) == {
        "source",
        "findings",
        "claims",
        "checklist",
        "publisher_form",
        "publisher_form_url",
    }
    assert data["findings"][0]["code"] == "invalid-publisher"
    env = next(item for item in data["checklist"] if item["field"] == "environment")
    assert env["ok"] is False and env["publisher"] == "pypi"


def test_stdin(tmp_path: Path) -> None:
    out = release(
        "explain", "--log", "-", *PUBLISHER, "--json", input=SEED.read_text(), cwd=tmp_path
    )
    assert json.loads(out.stdout)["findings"][0]["code"] == "invalid-publisher"


def test_publisher_from_pyproject_and_the_line_to_change(project: Project) -> None:
    project.write(
        "pyproject.toml",
        PYPROJECT + '\n[tool.release.pypi]\nenvironment = "pypi"\n',
    )
    project.write(".github/workflows/release.yml", RELEASE_YML)
    project.commit_all("publishing")

    out = release("explain", "--log", str(SEED), cwd=project.work)

    assert out.code == 0, out.stderr
    assert "[tool.release.pypi] in pyproject.toml and the local repository" in out.stdout
    assert "In this repository:" in out.stdout
    assert (
        ".github/workflows/release.yml:5: job 'release' has no environment; add `environment: pypi`"
        in out.stdout
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--log", "/nonexistent/job.log"), "/nonexistent/job.log"),
        (("--log", str(SEED), "--index", "warehouse"), "--index must be pypi or testpypi"),
        (("12", "--log", str(SEED)), "either TARGET or --log"),
    ],
)
def test_bad_input_exits_2(args: tuple[str, ...], message: str, tmp_path: Path) -> None:
    out = release("explain", *args, cwd=tmp_path)
    assert out.code == 2
    assert message in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_explaining_a_saved_log_loads_no_github_or_git_library(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from release_orchestrator.cli import app\n"
        f"try:\n    app(prog_name='release', args=['explain', '--log', {str(SEED)!r}])\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in ('github', 'git', 'requests') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert "invalid-publisher" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"


@pytest.fixture
def failed_run(
    project: Project, github_emulator: GitHubEmulator, monkeypatch: pytest.MonkeyPatch
) -> GitHubEmulator:
    project.write(".github/workflows/release.yml", RELEASE_YML)
    project.commit_all("publishing")
    project.push()
    github_emulator.add_workflow(
        "release.yml",
        on_tags=("v*",),
        jobs=[
            JobSpec("build", steps=(StepSpec("Build"),)),
            JobSpec("release", steps=(StepSpec("Publish", "failure"),), log=seed_log_body()),
        ],
        lifecycle=Lifecycle(queued=0, in_progress=0),
    )
    push_tag(project, "v0.1.1")
    assert github_emulator.token
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)
    return github_emulator


def test_explain_a_run_by_tag_and_by_id(project: Project, failed_run: GitHubEmulator) -> None:
    out = release(
        "explain", "v0.1.1", "--api-url", failed_run.url, "--environment", "pypi", "--json",
        cwd=project.work,
    )
    assert out.code == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["findings"][0]["code"] == "invalid-publisher"
    assert data["claims"]["repository"] == "kylejones200/anomaly-detection-toolkit"
    (run_id,) = failed_run.run_ids()
    by_id = release("explain", str(run_id), "--api-url", failed_run.url, "--json", cwd=project.work)
    assert (
        by_id.code == 0 and json.loads(by_id.stdout)["findings"][0]["code"] == "invalid-publisher"
    )
    # The log was fetched through the 302 without the token (the emulator refuses it otherwise).
    assert any(r.path.endswith("/logs") and r.status == 302 for r in failed_run.requests)


def test_watch_explains_a_failed_run_by_itself(
    project: Project, failed_run: GitHubEmulator
) -> None:
    out = release("watch", "v0.1.1", "--api-url", failed_run.url, cwd=project.work)
    assert out.code == 6
    assert "Cause:" in out.stdout and "invalid-publisher" in out.stdout


def test_a_run_without_failed_jobs_is_bad_input(
    project: Project, github_emulator: GitHubEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write(".github/workflows/release.yml", RELEASE_YML)
    project.commit_all("publishing")
    project.push()
    github_emulator.add_workflow(
        "release.yml", on_tags=("v*",), lifecycle=Lifecycle(queued=0, in_progress=0)
    )
    push_tag(project, "v0.1.1")
    assert github_emulator.token
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)
    out = release("explain", "v0.1.1", "--api-url", github_emulator.url, cwd=project.work)
    assert out.code == 2
    assert "has no failed job" in out.stderr


def test_explain_without_token_is_an_auth_error(
    project: Project, failed_run: GitHubEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GH_TOKEN")
    out = release("explain", "v0.1.1", "--api-url", failed_run.url, cwd=project.work)
    assert out.code == 4
