"""The ``release-doctor`` pre-commit hook, run by the real pre-commit on a temporary repository.

``pre-commit try-repo`` installs this project into a fresh environment, as a user's
``pre-commit install`` would; pip finds every wheel in a wheelhouse rebuilt from this
interpreter (:mod:`wheelhouse`), so the test asks no index and no network.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from gitfixtures import git
from test_doctor_ci import NO_ID_TOKEN, SOUND, WORKFLOW
from wheelhouse import environment_without, pip_without_index, this_project_wheelhouse

ROOT = Path(__file__).resolve().parents[1]
HOOK = "release-doctor"
# pre-commit installs the package into its own environment: allow what try_repo allows.
pytestmark = pytest.mark.timeout(300)
PYPROJECT = """\
[project]
name = "hook-sample"
version = "0.1.0"
"""


@pytest.fixture(scope="module")
def hook_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment pre-commit runs in: its own home, pip held to the local wheelhouse."""
    base = tmp_path_factory.mktemp("pre-commit")
    home = base / "home"
    home.mkdir()
    env = environment_without(("PIP_", "GH_", "GITHUB_", "VIRTUALENV_"))
    env.update(pip_without_index(this_project_wheelhouse(base / "wheels")))
    env.update(
        PRE_COMMIT_HOME=str(base / "cache"),
        HOME=str(home),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=str(home / ".gitconfig"),
        PATH="/usr/bin:/bin",
    )
    return env


def sample_repo(tmp_path: Path, workflow: str) -> Path:
    repo = tmp_path / "sample"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / WORKFLOW).parent.mkdir(parents=True)
    (repo / WORKFLOW).write_text(workflow, encoding="utf-8")
    (repo / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    git(repo, "add", "-A")
    return repo


def try_repo(repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), HOOK, "--all-files"],
        cwd=repo,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_hook_is_declared_as_documented() -> None:
    (hook,) = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == HOOK
    assert hook["entry"] == "release doctor --offline"
    assert hook["files"] == r"^(\.github/workflows/.*\.ya?ml|pyproject\.toml)$"
    assert hook["pass_filenames"] is False


def test_a_sound_workflow_passes(tmp_path: Path, hook_env: dict[str, str]) -> None:
    result = try_repo(sample_repo(tmp_path, SOUND), hook_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "release doctor" in result.stdout
    assert "Passed" in result.stdout


def test_a_blocking_finding_fails_and_is_shown(tmp_path: Path, hook_env: dict[str, str]) -> None:
    result = try_repo(sample_repo(tmp_path, NO_ID_TOKEN), hook_env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Failed" in result.stdout
    assert "error: missing-id-token" in result.stdout
    assert f"{WORKFLOW}:" in result.stdout
