"""Time ``release --help`` and ``release cut --dry-run`` against tbump on the same repository.

Run by hand (``python benchmarks/bench_cli.py``); it prints a report and asserts nothing.
tbump runs from a virtual environment of its own, made on first use in the temporary
directory (it pins an older tomlkit than this project needs), or from ``PATH`` when it is
installed there; the medians are printed as ratios.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 25
BIN = Path(sys.executable).parent
TBUMP_VENV = Path(tempfile.gettempdir()) / "release-bench-tbump"

PYPROJECT = """\
[project]
name = "anomaly-detection-toolkit"
version = "0.1.0"

[tool.tbump]
github_url = "https://github.com/kylejones200/anomaly-detection-toolkit/"

[tool.tbump.version]
current = "0.1.0"
regex = '''(?P<major>\\d+)\\.(?P<minor>\\d+)\\.(?P<patch>\\d+)'''

[tool.tbump.git]
message_template = "Release {new_version}"
tag_template = "v{new_version}"

[[tool.tbump.file]]
src = "pyproject.toml"
search = 'version = "{current_version}"'
"""


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def make_repo(root: Path, *, workflow: bool = False) -> Path:
    """The example project of tbump's docs, pushed to a bare ``origin``; with publish.yml
    when ``workflow``.
    """
    root = root / ("with-workflow" if workflow else "plain")
    origin = root / "kylejones200" / "anomaly-detection-toolkit.git"
    origin.mkdir(parents=True)
    git(origin, "init", "-q", "--bare", "-b", "main")
    work = root / "work"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    git(work, "config", "user.name", "Bench")
    git(work, "config", "user.email", "bench@example.com")
    (work / "pyproject.toml").write_text(PYPROJECT)
    if workflow:
        # The demo's sound workflow: a trusted-publishing job with its environment.
        from release_orchestrator.commands.demo import WORKFLOW

        permissions = "    permissions:\n      id-token: write\n"
        text = WORKFLOW.format(environment="    environment: pypi\n", permissions=permissions)
        (work / ".github" / "workflows").mkdir(parents=True)
        (work / ".github" / "workflows" / "publish.yml").write_text(text)
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "init")
    git(work, "remote", "add", "origin", str(origin))
    git(work, "push", "-q", "-u", "origin", "main")
    return work


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Wall time of one run of ``cmd`` in milliseconds."""
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, env=env, check=False)
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.decode()}")
    return elapsed


def find_tbump() -> str | None:
    """The tbump on ``PATH``, else in :data:`TBUMP_VENV` (installed there when missing)."""
    found = shutil.which("tbump") or shutil.which("tbump", path=str(TBUMP_VENV / "bin"))
    if found:
        return found
    print(f"installing tbump into {TBUMP_VENV} ...")
    try:
        subprocess.run([sys.executable, "-m", "venv", str(TBUMP_VENV)], check=True)
        pip = [str(TBUMP_VENV / "bin" / "python"), "-m", "pip", "install", "-q", "tbump"]
        subprocess.run(pip, check=True, stdin=subprocess.DEVNULL, timeout=600)
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"cannot install tbump ({exc}): nothing to compare with")
        return None
    return shutil.which("tbump", path=str(TBUMP_VENV / "bin"))


def compile_package() -> None:
    """Compile this package's modules, as an install from a wheel does.

    An editable install leaves ``src`` uncompiled, and with PYTHONDONTWRITEBYTECODE set
    (as on some machines) every run would compile it again, while tbump's modules were
    compiled by pip: that would time Python's compiler, not the command.
    """
    import compileall

    import release_orchestrator

    compileall.compile_dir(Path(release_orchestrator.__file__).parent, quiet=1)


def main() -> None:
    release = str(BIN / "release")
    tbump = find_tbump()
    compile_package()
    # The doctor's PyPI look-up goes to the sandbox's stand-in on 127.0.0.1, so the
    # numbers do not depend on the network (the look-up itself still runs).
    from release_orchestrator.sandbox.pypi import PyPIServer

    index = PyPIServer({"anomaly-detection-toolkit": ["0.1.0"]})
    env = {**os.environ, "RELEASE_PYPI_URL": index.url}
    with tempfile.TemporaryDirectory() as tmp:
        try:
            _compare(Path(tmp), release, tbump, env)
        finally:
            index.stop()


def _compare(tmp: Path, release: str, tbump: str | None, env: dict[str, str]) -> None:
    """Time each command in a fresh repository and print the medians and the ratios.

    tbump reads no workflow, so the rows with one show what the doctor costs where it has
    something to read, and are held to no target.
    """
    work, real = make_repo(tmp), make_repo(tmp, workflow=True)
    no_zizmor = {**env, "RELEASE_ZIZMOR": ""}
    rows = [
        ("release --help", [release, "--help"], work, env),
        ("release cut 0.1.1 --dry-run", [release, "cut", "0.1.1", "--dry-run"], work, env),
        ("  the same with publish.yml", [release, "cut", "0.1.1", "--dry-run"], real, no_zizmor),
        ("  and zizmor, if installed", [release, "cut", "0.1.1", "--dry-run"], real, env),
    ]
    if tbump:
        tbump_rows = [
            ("tbump --help", [tbump, "--help"]),
            ("tbump 0.1.1 --dry-run", [tbump, "--non-interactive", "--dry-run", "0.1.1"]),
        ]
        rows += [(name, cmd, work, env) for name, cmd in tbump_rows]
    # Round robin, so that both tools see the same load on a shared machine.
    times: list[list[float]] = [[] for _ in rows]
    for _ in range(RUNS):
        for (_name, cmd, cwd, cmd_env), runs in zip(rows, times, strict=True):
            runs.append(timed(cmd, cwd, cmd_env))
    print(f"{'command':34} {'median ms':>10} {'best ms':>9}   ({RUNS} runs each)")
    medians = [statistics.median(runs) for runs in times]
    for (name, *_), runs, median in zip(rows, times, medians, strict=True):
        print(f"{name:34} {median:10.1f} {min(runs):9.1f}")
    if not tbump:
        print("tbump is not installed: pip install tbump to compare")
        return
    # The targets: --help no slower than tbump's, cut --dry-run within 2x of tbump's.
    help_ratio, cut_ratio = medians[0] / medians[4], medians[1] / medians[5]
    print(f"ratio --help     release/tbump {help_ratio:5.2f}x  (target <= 1.00x)")
    print(f"ratio --dry-run  release/tbump {cut_ratio:5.2f}x  (target <= 2.00x)")
    real_ratio = medians[2] / medians[5]
    print(f"  with publish.yml             {real_ratio:5.2f}x  (no target: tbump reads none)")


if __name__ == "__main__":
    main()
