"""Property: an interrupt at any step boundary of ``release cut`` leaves no half release.

Driven through the steps' own hooks (``run_cut(..., hooks=...)``), no sleeps: at step k,
before or after it runs, either a ``KeyboardInterrupt`` is raised there (an interrupt
nothing deferred) or SIGINT is sent to this process while the deferred-interrupt handler
is installed (Ctrl-C as the command meets it). Afterwards, either nothing changed
anywhere (files, index, HEAD, local tags, remote refs, GitHub Releases), or the same
command run again completes the release: every step done or already-done, and the remote
with the branch and the tag at the release commit.
"""

from __future__ import annotations

import io
import os
import signal
import threading
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator_fixtures import make_github
from gitfixtures import OWNER, REPO, Project, git, make_project
from release_orchestrator.commands.cut import CutRequest, CutResult, run_cut
from release_orchestrator.core.plan import StepStatus
from release_orchestrator.core.steps import STEP_TYPES, Step, StepEvent
from release_orchestrator.deps import Deps
from release_orchestrator.errors import Interrupted
from release_orchestrator.render.console import Console
from release_orchestrator.sandbox import GitHubEmulator
from runcli import NO_PYPI

STEPS = tuple(kind.name for kind in STEP_TYPES)
FINISHED = (StepStatus.DONE, StepStatus.ALREADY_DONE)


@dataclass(frozen=True)
class Point:
    """Where and how the interrupt comes."""

    step: str
    event: StepEvent
    how: str  # "raise": KeyboardInterrupt from the hook; "signal": SIGINT to this process
    github_release: bool


@st.composite
def points(draw: st.DrawFn) -> Point:
    github_release = draw(st.booleans())
    # Without --github-release its step never runs, so no hook of it would fire.
    step = draw(st.sampled_from(STEPS if github_release else STEPS[:-1]))
    events: tuple[StepEvent, ...] = ("before", "after")
    event = draw(st.sampled_from(events))
    return Point(step, event, draw(st.sampled_from(("raise", "signal"))), github_release)


@dataclass
class InterruptAt:
    """The step hook that interrupts once, at ``point``."""

    point: Point
    fired: list[str] = field(default_factory=list)

    def __call__(self, step: Step, event: StepEvent) -> None:
        if self.fired or (step.name, event) != (self.point.step, self.point.event):
            return
        self.fired.append(f"{step.name}/{event}")
        if self.point.how == "raise":
            raise KeyboardInterrupt
        # The deferred-interrupt handler records it; the step carries on.
        os.kill(os.getpid(), signal.SIGINT)


def _releases(emu: GitHubEmulator | None) -> list[str]:
    if emu is None:
        return []
    return [r.tag_name for r in make_github(emu).get_repo(f"{OWNER}/{REPO}").get_releases()]


def _assert_released(project: Project, result: CutResult, emu: GitHubEmulator | None) -> None:
    statuses = {step.name: step.status for step in result.plan.steps}
    expected_release = FINISHED if emu is not None else (StepStatus.SKIPPED,)
    assert statuses.pop("github-release") in expected_release
    assert all(status in FINISHED for status in statuses.values()), statuses
    commit = result.commit
    assert commit is not None
    assert git(project.work, "rev-parse", "HEAD") == commit
    assert git(project.work, "rev-parse", "v0.1.1^{commit}") == commit
    assert git(project.work, "status", "--porcelain", "--untracked-files=no") == ""
    assert git(project.origin, "rev-parse", "refs/heads/main") == commit
    assert project.remote_tag_commit("v0.1.1") == commit
    assert git(project.origin, "cat-file", "-t", "refs/tags/v0.1.1") == "tag"
    assert _releases(emu) == (["v0.1.1"] if emu is not None else [])


@pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(),
    reason="signal handlers can only be installed from the main thread",
)
@settings(
    max_examples=25,
    deadline=None,
    # The autouse environment fixture (HOME, git config, no token) holds for every example.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(point=points())
def test_an_interrupt_anywhere_leaves_nothing_or_a_release_a_rerun_finishes(
    tmp_path_factory: pytest.TempPathFactory, point: Point
) -> None:
    project = make_project(tmp_path_factory.mktemp("cut"))
    emu = GitHubEmulator(OWNER, REPO, project.origin).start() if point.github_release else None
    try:
        env = dict(os.environ)
        if emu is not None:
            assert emu.token is not None
            env["GH_TOKEN"] = emu.token
        out = io.StringIO()
        deps = Deps(env=env, cwd=project.work, console=Console(out=out, err=out), pypi=NO_PYPI)
        request = CutRequest(
            "0.1.1",
            github_release=point.github_release,
            api_url=emu.url if emu is not None else None,
            watch=False,
        )
        before = project.state()
        hook = InterruptAt(point)

        # A recorded SIGINT ends in the command's own clean stop; a raised one goes through.
        expected = KeyboardInterrupt if point.how == "raise" else Interrupted
        with pytest.raises(expected):
            run_cut(request, deps, confirm=None, hooks=[hook])

        assert hook.fired, f"the hook never reached {point}"
        if project.state() == before:
            assert _releases(emu) == []
            return
        result = run_cut(request, deps, confirm=None)
        _assert_released(project, result, emu)
    finally:
        if emu is not None:
            emu.stop()
            assert emu.errors == []
