"""``release demo``: every scenario runs the real flow offline and ends with its real exit code."""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from release_orchestrator.commands.demo import SCENARIOS, run_demo
from release_orchestrator.deps import Deps
from release_orchestrator.render.console import Console
from runcli import release


@dataclass
class InstantClock:
    """Sleeping only moves this clock (the emulator's lifecycle counts polls, not time)."""

    now_: float = 1_714_564_800.0
    slept: list[float] = field(default_factory=list)

    def now(self) -> float:
        return self.now_

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now_ += seconds


@pytest.mark.parametrize(
    ("scenario", "code", "expected"),
    [
        ("success", 0, "completed: success"),
        ("invalid-publisher", 6, "job 'publish' has no environment; add `environment: pypi`"),
        ("missing-id-token", 6, "[missing-id-token-permission]"),
        ("file-exists", 6, "[file-already-exists]"),
        ("missing-id-token", 6, "release doctor stopped this release before anything changed"),
        ("file-exists", 6, "0.1.1 is already on PyPI"),
    ],
)
def test_scenarios(scenario: str, code: int, expected: str) -> None:
    out = io.StringIO()
    clock = InstantClock()
    deps = Deps(env=os.environ, cwd=Path.cwd(), clock=clock, console=Console(out=out, err=out))
    result = run_demo(scenario, deps, keep=False, tty=False)
    text = out.getvalue()
    assert result == code, text
    assert expected in text
    assert "✓ pushed main and v0.1.1 to origin" in text
    project = re.search(r"project\s+(\S+)", text)
    assert project is not None and not Path(project.group(1)).exists()  # cleaned up
    assert clock.slept  # it polled, on the injected clock
    closing = text.rstrip().splitlines()[-1]
    assert closing.startswith("You just saw ") and SCENARIOS[scenario].seen in closing
    assert closing.endswith("On your own project, run `release doctor` first.")


def test_keep_leaves_the_project(tmp_path: Path) -> None:
    out = io.StringIO()
    deps = Deps(
        env=os.environ, cwd=tmp_path, clock=InstantClock(), console=Console(out=out, err=out)
    )
    run_demo("success", deps, keep=True, tty=False)
    kept = Path(out.getvalue().rsplit("kept: ", 1)[1].strip())
    try:
        assert (kept / "anomaly-detection-toolkit" / "pyproject.toml").read_text().count(
            'version = "0.1.1"'
        ) == 1
    finally:
        import shutil

        shutil.rmtree(kept)


def test_unknown_scenario_is_a_usage_error(tmp_path: Path) -> None:
    out = release("demo", "--scenario", "nope", cwd=tmp_path)
    assert out.code == 2
    assert all(name in out.stderr for name in SCENARIOS)


def test_emulated_claims_follow_githubs_formats() -> None:
    from release_orchestrator.sandbox import RunContext
    from release_orchestrator.sandbox.pypi import oidc_claims

    ctx = RunContext("o", "r", 7, 9, ".github/workflows/publish.yml", "push", "refs/tags/v1", "abc")
    with_env = oidc_claims(ctx, "pypi")
    assert with_env["sub"] == "repo:o/r:environment:pypi"
    assert with_env["job_workflow_ref"] == "o/r/.github/workflows/publish.yml@refs/tags/v1"
    assert oidc_claims(ctx, None)["sub"] == "repo:o/r:ref:refs/tags/v1"
    assert oidc_claims(ctx, None)["environment"] is None
