"""``release cut`` under faults: unusable names and files, local hooks, no stdin, interrupts.

Each refusal is one line on stderr, a documented exit code, and no change to the files,
the index, the refs or the remote.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gitfixtures import PYPROJECT, Project, git
from runcli import release


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def _configure(project: Project, extra: str) -> None:
    project.write("pyproject.toml", PYPROJECT + extra)
    project.commit_all("configure release")
    project.push()


def test_a_tag_prefix_git_refuses_is_a_check(project: Project) -> None:
    project.write("pyproject.toml", PYPROJECT.replace('"v"', '"release "'))
    project.commit_all("bad prefix")
    project.push()
    before = project.state()

    out = release("cut", "0.1.1", "--yes")

    assert out.code == 3
    line = _one_line(out.stderr)
    assert "the tag name 'release 0.1.1' is not a valid git ref name" in line
    assert project.state() == before


@pytest.fixture
def immutable(project: Project) -> Iterator[Path]:
    """pyproject.toml with the immutable attribute: unwritable even for root."""
    path = project.work / "pyproject.toml"
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed: cannot make a file unwritable for root")
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip("this file system has no immutable attribute (chattr +i failed)")
    yield path
    subprocess.run(["chattr", "-i", str(path)], check=True)


def test_an_unwritable_pyproject_is_a_check(project: Project, immutable: Path) -> None:
    before = project.state()

    out = release("cut", "0.1.1", "--yes")

    assert out.code == 3
    line = _one_line(out.stderr)
    assert "cannot write pyproject.toml: Operation not permitted" in line
    assert project.state() == before


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("Release {name}", "commit-message 'Release {name}' is not a valid template"),
        ("Release {version.major}", "is not a valid template"),
        ("   ", "commit-message renders to an empty message"),
    ],
)
def test_messages_that_do_not_render_are_a_check(
    project: Project, template: str, message: str
) -> None:
    _configure(project, f'commit-message = "{template}"\n')
    before = project.state()

    out = release("cut", "0.1.1", "--yes")

    assert out.code == 3
    assert message in _one_line(out.stderr)
    assert project.state() == before


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        ("ghp_ÄBC", "non-ASCII character at position 5"),
        ("ghp_a\nb", "space or control character at position 6"),
    ],
)
def test_a_token_http_cannot_carry_is_an_auth_error(
    project: Project, monkeypatch: pytest.MonkeyPatch, token: str, problem: str
) -> None:
    monkeypatch.setenv("GH_TOKEN", token)
    before = project.state()

    out = release("cut", "0.1.1", "--yes", "--github-release", "--api-url", "http://127.0.0.1:9")

    assert out.code == 4
    line = _one_line(out.stderr)
    assert f"the GitHub token from GH_TOKEN has a {problem}" in line
    assert token not in line
    assert project.state() == before


def _hook(project: Project, name: str, body: str) -> None:
    hook = project.work / ".git" / "hooks" / name
    hook.write_text("#!/bin/sh\n" + body)
    hook.chmod(0o755)


def test_a_pre_commit_hook_that_refuses_restores_everything(project: Project) -> None:
    _hook(project, "pre-commit", "echo 'lint failed: trailing whitespace' >&2\nexit 1\n")
    before = project.state()

    out = release("cut", "0.1.1", "--yes")

    assert out.code == 3
    line = _one_line(out.stderr)
    assert "git commit was refused locally: lint failed: trailing whitespace" in line
    assert project.state() == before  # files, index (nothing staged), HEAD, tags, remote


def test_a_hook_that_refuses_the_tag_restores_everything(project: Project) -> None:
    _hook(
        project,
        "reference-transaction",
        '[ "$1" = prepared ] || exit 0\n'
        "while read old new ref; do case $ref in refs/tags/*)\n"
        "  echo 'tags are made by CI only' >&2; exit 1;; esac; done\n",
    )
    before = project.state()

    out = release("cut", "0.1.1", "--yes")

    assert out.code == 3
    line = _one_line(out.stderr)
    assert "git tag was refused locally: tags are made by CI only" in line
    assert "aborted by hook" in line
    assert project.state() == before


def _subprocess_env() -> dict[str, str]:
    """This test's environment for a real ``release`` process, with no reachable PyPI."""
    env = dict(os.environ)
    env["RELEASE_PYPI_URL"] = "http://127.0.0.1:9"
    return env


def _run_closed_stdin(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``release ARGS <&-``: stdin closed, as daemons and some CI runners start us."""
    argv = [sys.executable, "-m", "release_orchestrator", *args]
    return subprocess.run(
        ["sh", "-c", 'exec "$@" <&-', "sh", *argv],
        cwd=cwd,
        env=_subprocess_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cut_with_stdin_closed_runs_without_a_prompt(project: Project) -> None:
    done = _run_closed_stdin(project.work, "cut", "0.1.1", "--no-watch")

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "Go ahead?" not in done.stdout + done.stderr
    assert project.remote_tag_commit("v0.1.1") == git(project.work, "rev-parse", "HEAD")


def test_explain_log_from_a_closed_stdin_is_a_usage_error(tmp_path: Path) -> None:
    done = _run_closed_stdin(tmp_path, "explain", "--log", "-")

    assert done.returncode == 2
    line = _one_line(done.stderr)
    assert "--log - reads the log from stdin, but there is no stdin" in line
