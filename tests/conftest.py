"""Shared fixtures: an isolated git environment and the seed project with a bare origin."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitfixtures import Project, make_project

pytest_plugins = ["emulator_fixtures"]


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user or system git config, no GitHub token, no CI variables leak into a test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")
    for name in (
        "GH_TOKEN",
        "GITHUB_TOKEN",
        "GITHUB_API_URL",
        "GITHUB_ACTIONS",
        "NO_COLOR",
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
    ):
        monkeypatch.delenv(name, raising=False)
    # `gh auth token` must not find a real login on this machine.
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    # The optional zizmor audit is off, so that what a test expects does not depend on
    # whether the [security] extra is installed; tests/test_doctor_zizmor.py turns it on.
    monkeypatch.setenv("RELEASE_ZIZMOR", "")


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """The seed project; commands are given its work tree as their cwd (no chdir)."""
    return make_project(tmp_path)
