"""The exit codes of the corner cases, as README's table documents them.

A remote that does not exist is a failed check (3); a run id or run URL that is not of
this repository is a usage error (2) saying what was expected; a token GitHub refuses
(401) is an authentication error (4). Each is one line on stderr, with nothing changed.
"""

from __future__ import annotations

import pytest

from gitfixtures import OWNER, REPO, Project, git
from release_orchestrator.sandbox import GitHubEmulator
from runcli import release

OURS = f"{OWNER}/{REPO}"


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.fixture
def token(github_emulator: GitHubEmulator, monkeypatch: pytest.MonkeyPatch) -> str:
    assert github_emulator.token is not None
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)
    return github_emulator.token


# --- a remote that does not exist: 3 -------------------------------------------------------


def test_cut_with_a_remote_that_does_not_exist_is_a_check(project: Project) -> None:
    before = project.state()

    out = release("cut", "0.1.1", "--yes", "--remote", "nope", cwd=project.work)

    assert out.code == 3
    assert _one_line(out.stderr) == (
        "error: there is no git remote named 'nope'; "
        "pass --remote NAME, or add it: git remote add nope URL"
    )
    assert project.state() == before


def test_cut_without_origin_is_a_check(project: Project) -> None:
    git(project.work, "remote", "remove", "origin")
    before = project.state()

    out = release("cut", "0.1.1", "--yes", "--github-release", cwd=project.work)

    assert out.code == 3
    assert "there is no git remote named 'origin'" in _one_line(out.stderr)
    assert project.state() == before


@pytest.mark.parametrize("argv", [("watch",), ("watch", "12"), ("explain", "v0.1.0")])
def test_watch_and_explain_without_origin_are_a_check(
    project: Project, monkeypatch: pytest.MonkeyPatch, argv: tuple[str, ...]
) -> None:
    monkeypatch.setenv("GH_TOKEN", "ghp_" + "A" * 36)
    git(project.work, "remote", "remove", "origin")

    out = release(*argv, "--api-url", "http://127.0.0.1:9", cwd=project.work)

    assert out.code == 3
    line = _one_line(out.stderr)
    assert "there is no git remote named 'origin' to tell the GitHub repository" in line
    assert "pass a run URL instead" in line


# --- a run of another repository: 2 --------------------------------------------------------


@pytest.mark.parametrize("command", ["watch", "explain"])
def test_a_run_url_of_another_repository_is_a_usage_error(
    project: Project, github_emulator: GitHubEmulator, token: str, command: str
) -> None:
    url = "https://github.com/someone/else/actions/runs/7"

    out = release(command, url, "--api-url", github_emulator.url, cwd=project.work)

    assert out.code == 2
    line = _one_line(out.stderr)
    assert f"the run URL is of someone/else, but this clone's 'origin' is {OURS}" in line
    assert f"expected a run of {OURS} (…/{OURS}/actions/runs/ID), a run id or a tag" in line
    assert github_emulator.requests == []  # refused before asking GitHub anything


@pytest.mark.parametrize("command", ["watch", "explain"])
def test_a_run_id_this_repository_does_not_have_is_a_usage_error(
    project: Project, github_emulator: GitHubEmulator, token: str, command: str
) -> None:
    out = release(command, "424242", "--api-url", github_emulator.url, cwd=project.work)

    assert out.code == 2
    line = _one_line(out.stderr)
    assert f"error: {OURS} has no Actions run 424242" in line
    assert f"expected the id of one of {OURS}'s runs" in line


def test_a_run_url_of_this_repository_with_other_case_is_accepted(
    project: Project, github_emulator: GitHubEmulator, token: str
) -> None:
    # GitHub's names are case-insensitive: the check is on the repository, not the spelling.
    url = f"https://github.com/{OWNER.upper()}/{REPO}/actions/runs/424242"

    out = release("watch", url, "--api-url", github_emulator.url, cwd=project.work)

    assert out.code == 2
    assert "has no Actions run 424242" in _one_line(out.stderr)  # asked GitHub: no such run


def test_a_repository_github_does_not_have_stays_a_remote_error(
    project: Project, github_emulator: GitHubEmulator, token: str
) -> None:
    git(project.work, "remote", "set-url", "origin", "https://github.com/someone/gone.git")

    out = release("watch", "12", "--api-url", github_emulator.url, cwd=project.work)

    assert out.code == 5
    assert "someone/gone" in _one_line(out.stderr)


# --- a token GitHub refuses: 4 -------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [("watch", "12"), ("explain", "12"), ("cut", "0.1.1", "--yes", "--github-release")],
    ids=["watch", "explain", "cut"],
)
def test_a_token_github_refuses_is_an_auth_error(
    project: Project,
    github_emulator: GitHubEmulator,
    monkeypatch: pytest.MonkeyPatch,
    argv: tuple[str, ...],
) -> None:
    wrong = "ghp_" + "W" * 36
    monkeypatch.setenv("GH_TOKEN", wrong)
    before = project.state()

    out = release(*argv, "--api-url", github_emulator.url, cwd=project.work)

    assert out.code == 4
    line = _one_line(out.stderr)
    assert "GitHub rejected the token" in line
    assert wrong not in out.stdout + out.stderr
    assert [r.status for r in github_emulator.requests] == [401]
    assert project.state() == before
