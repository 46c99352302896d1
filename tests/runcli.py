"""Run the real ``release`` command line in-process and capture what it prints."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from release_orchestrator.adapters.pypi import PyPIClient
from release_orchestrator.cli import app
from release_orchestrator.deps import Deps

# A closed port: a PyPI lookup fails at once, which the doctor reports as a warning only.
NO_PYPI = PyPIClient(override="http://127.0.0.1:9")


@dataclass(frozen=True)
class Outcome:
    """Exit code and the two output streams of one ``release`` invocation."""

    code: int
    stdout: str
    stderr: str


def make_deps(*, cwd: Path, pypi: PyPIClient = NO_PYPI) -> Deps:
    """The Deps a test runs ``release`` with in ``cwd``: this process's environment, no PyPI."""
    return Deps(env=os.environ, cwd=cwd, pypi=pypi)


def release(
    *args: str, cwd: Path | None = None, input: str | None = None, deps: Deps | None = None
) -> Outcome:
    """Invoke ``release ARGS`` in ``cwd`` (or with ``deps``) as a user would (no terminal)."""
    if deps is None:
        assert cwd is not None, "pass the directory release runs in (cwd=) or the Deps"
        deps = make_deps(cwd=cwd)
    result = CliRunner().invoke(app, list(args), input=input, catch_exceptions=False, obj=deps)
    return Outcome(result.exit_code, result.stdout, result.stderr)
