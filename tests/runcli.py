"""Run the real ``release`` command line in-process and capture what it prints."""

from __future__ import annotations

from dataclasses import dataclass

from typer.testing import CliRunner

from release_orchestrator.cli import app


@dataclass(frozen=True)
class Outcome:
    """Exit code and the two output streams of one ``release`` invocation."""

    code: int
    stdout: str
    stderr: str


def release(*args: str, input: str | None = None) -> Outcome:
    """Invoke ``release ARGS`` as a user would (stdin is not a terminal)."""
    result = CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)
    return Outcome(result.exit_code, result.stdout, result.stderr)
