"""``release --help`` stays light: no PyGithub, GitPython or rich at start-up."""

from __future__ import annotations

import subprocess
import sys

import pytest

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


@pytest.mark.parametrize("args", [["--help"], ["cut", "--help"]])
def test_help_imports_no_heavy_library(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args, heavy=HEAVY)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Usage: release" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_module_entry_point_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "release_orchestrator", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.startswith("release-orchestrator ")
