"""``release cut`` under faults: unusable names and files, local hooks, no stdin, interrupts.

Each refusal is one line on stderr, a documented exit code, and no change to the files,
the index, the refs or the remote.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
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

    out = release("cut", "0.1.1", "--yes", cwd=project.work)

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

    out = release("cut", "0.1.1", "--yes", cwd=project.work)

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

    out = release("cut", "0.1.1", "--yes", cwd=project.work)

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

    out = release(
        "cut",
        "0.1.1",
        "--yes",
        "--github-release",
        "--api-url",
        "http://127.0.0.1:9",
        cwd=project.work,
    )

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

    out = release("cut", "0.1.1", "--yes", cwd=project.work)

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

    out = release("cut", "0.1.1", "--yes", cwd=project.work)

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


# --- interrupts during the push ------------------------------------------------------------

PAUSING_HOOK = """\
#!/bin/sh
cat >/dev/null
echo started > {started}
read go < {gate}
"""


@pytest.fixture
def paused_push(project: Project, tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A pre-receive hook on origin that says it started, then waits for the test's word.

    Yields the gate to write to and the read end of the "started" pipe. The test's own
    write end keeps that pipe open, so reading it waits for the hook, not for an EOF.
    """
    started, gate = tmp_path / "started", tmp_path / "gate"
    os.mkfifo(started)
    os.mkfifo(gate)
    hook = project.origin / "hooks" / "pre-receive"
    hook.write_text(PAUSING_HOOK.format(started=started, gate=gate))
    hook.chmod(0o755)
    reader = os.open(started, os.O_RDONLY | os.O_NONBLOCK)
    keeper = os.open(started, os.O_WRONLY | os.O_NONBLOCK)
    try:
        yield gate, reader
    finally:
        _open_gate(gate, wait=False)
        os.close(reader)
        os.close(keeper)


def _open_gate(gate: Path, *, wait: bool = True) -> None:
    """Let the hook go on; ``wait``: until it opens the gate (it will, having started)."""
    try:
        fd = os.open(gate, os.O_WRONLY if wait else os.O_WRONLY | os.O_NONBLOCK)
    except OSError:  # the hook is not waiting (any more)
        return
    os.write(fd, b"go\n")
    os.close(fd)


def _read_until(proc: subprocess.Popen[str], needle: str) -> str:
    """Stderr up to ``needle`` (release prints it, then waits), read from the descriptor.

    Raw reads with a deadline: a text stream's readline could hold a line in its buffer
    while select waits on the pipe. If the line never comes, SIGABRT makes faulthandler
    show where release is stuck.
    """
    assert proc.stderr is not None
    fd = proc.stderr.fileno()
    seen = b""
    while needle.encode() not in seen:
        ready, _, _ = select.select([fd], [], [], 20)
        if not ready:
            proc.send_signal(signal.SIGABRT)
            pytest.fail(f"release never said {needle!r}: {seen.decode()}{proc.communicate()[1]}")
        chunk = os.read(fd, 4096)
        assert chunk, f"release ended before saying {needle!r}: {seen.decode()}"
        seen += chunk
    return seen.decode()


def _wait_for_hook(reader: int, proc: subprocess.Popen[str]) -> None:
    ready, _, _ = select.select([reader], [], [], 60)
    if not ready:
        proc.kill()
        pytest.fail(f"the push never reached the remote's hook: {proc.communicate()}")
    assert os.read(reader, 100) == b"started\n"


@pytest.mark.parametrize(
    "signals", [("process",), ("group",), ("process", "group")], ids=["pid", "group", "twice"]
)
def test_an_interrupt_during_the_push_lets_it_finish_then_stops_cleanly(
    project: Project, paused_push: tuple[Path, int], signals: tuple[str, ...]
) -> None:
    gate, reader = paused_push
    argv = [sys.executable, "-X", "faulthandler", "-m", "release_orchestrator"]
    argv += ["cut", "0.1.1", "--yes", "--no-watch"]
    proc = subprocess.Popen(
        argv,
        cwd=project.work,
        env=_subprocess_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own group: a terminal's Ctrl-C reaches exactly that
    )
    _wait_for_hook(reader, proc)
    said = ""
    for number, target in enumerate(signals):
        if target == "process":
            os.kill(proc.pid, signal.SIGINT)
        else:
            os.killpg(proc.pid, signal.SIGINT)
        # Signals sent back to back merge into one: wait until this one is acknowledged.
        said += _read_until(proc, "still waiting" if number else "interrupt received")
    _open_gate(gate)
    _, rest = proc.communicate(timeout=120)
    stderr = said + rest

    assert proc.returncode == 130, stderr
    lines = stderr.strip().splitlines()
    assert lines[-1] == (
        "error: interrupted after the push: main and v0.1.1 are on origin; "
        "follow the publish run with release watch v0.1.1"
    )
    assert "interrupt received: letting the push to origin finish first" in stderr
    if len(signals) == 2:
        assert "still waiting for the push to origin to finish" in stderr
    head = git(project.work, "rev-parse", "HEAD")
    assert git(project.work, "log", "-1", "--format=%s") == "Release 0.1.1"
    assert git(project.work, "rev-parse", "v0.1.1^{commit}") == head
    assert git(project.origin, "rev-parse", "refs/heads/main") == head
    assert project.remote_tag_commit("v0.1.1") == head
    assert git(project.work, "status", "--porcelain") == ""

    again = release("cut", "0.1.1", "--yes", "--json", "--no-watch", cwd=project.work)
    assert again.code == 0, again.stderr
    statuses = [s["status"] for s in json.loads(again.stdout)["steps"]]
    assert statuses == ["already-done"] * 4 + ["skipped"]
