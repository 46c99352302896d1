"""In a repository of several packages, every ``release …`` a hint gives names ``--package``:
without it the command would be refused there.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator_fixtures import FakeClock, StepClock
from gitfixtures import PUBLISH_A, Project, git, make_monorepo
from release_orchestrator.adapters.pypi import PyPIClient
from release_orchestrator.core.version import next_version
from release_orchestrator.deps import Deps
from release_orchestrator.errors import UsageError
from release_orchestrator.sandbox import GitHubEmulator, JobSpec, Lifecycle, StepSpec
from release_orchestrator.sandbox.pypi import PyPIServer
from runcli import Outcome, release

# a's workflow started by publishing a GitHub Release instead of by the tag.
ON_RELEASE = PUBLISH_A.replace('push:\n    tags: ["a-v*"]', "release:\n    types: [published]")


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """Packages ``a`` and ``b`` (both 0.1.0), and a's publishing workflow, pushed."""
    monorepo = make_monorepo(tmp_path)
    monorepo.write(".github/workflows/publish-a.yml", PUBLISH_A)
    monorepo.commit_all("Publish a")
    monorepo.push()
    return monorepo


@pytest.fixture
def index(fake_clock: FakeClock) -> Iterator[PyPIServer]:
    """PyPI, which already serves a 0.1.0."""
    server = PyPIServer({"a": ("0.1.0",)}, clock=fake_clock)
    yield server
    server.stop()


def doctor(project: Project, *args: str, deps: Deps | None = None) -> dict[str, Any]:
    out = release("doctor", "--package", "a", "--json", *args, cwd=project.work, deps=deps)
    assert out.code in (0, 3), out.stderr
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def fixes(data: dict[str, Any], code: str) -> list[str]:
    return [f["fix"] for f in data["findings"] if f["code"] == code]


def test_the_draft_note_says_how_to_follow_the_packages_run(project: Project) -> None:
    project.write(".github/workflows/publish-a.yml", ON_RELEASE)
    project.commit_all("a publishes on a GitHub Release")

    data = doctor(project, "--offline", "--github-release", "--draft")

    notes = [n["message"] for n in data["notes"]]
    expected = "then follow the run with release watch --package a a-v0.1.0"
    assert any(n.endswith(expected) for n in notes), notes


def test_the_version_mismatch_fix_is_the_packages_cut(project: Project) -> None:
    data = doctor(project, "--offline", "--tag", "a-v0.2.0")

    assert fixes(data, "version-mismatch") == [
        "let release cut --package a 0.2.0 set the version and the tag together"
    ]


def test_a_published_version_asks_for_the_packages_next_release(
    project: Project, index: PyPIServer
) -> None:
    deps = Deps(env=os.environ, cwd=project.work, pypi=PyPIClient(override=index.url))

    data = doctor(project, deps=deps)

    assert fixes(data, "version-already-published") == [
        "release a new version (e.g. release cut --package a patch)"
    ]


@pytest.mark.parametrize(
    ("version", "hint"),
    [
        ("0.1.0", "ask for a higher version, e.g. release cut --package a patch;"),
        ("0.0.9", "ask for a higher version (release cut --package a patch|minor|major|X.Y.Z)"),
    ],
)
def test_cut_refusing_a_version_names_the_package(
    project: Project, version: str, hint: str
) -> None:
    before = project.state()

    out = release("cut", "--package", "a", version, "--yes", cwd=project.work)

    assert out.code == 3
    assert hint in out.stderr
    assert project.state() == before


def test_a_bump_without_a_version_asks_for_the_packages_first_one() -> None:
    with pytest.raises(UsageError) as info:
        next_version("patch", None, "a")
    assert info.value.hint == "give an explicit version, e.g. `release cut --package a 0.1.0`"


def test_cut_without_a_token_says_how_to_watch_the_packages_run(project: Project) -> None:
    out = release("cut", "--package", "a", "patch", "--yes", cwd=project.work)

    assert out.code == 0, out.stderr
    assert "set GH_TOKEN or GITHUB_TOKEN to watch the publish run (release watch --package a)" in (
        out.stderr
    )


@pytest.fixture
def emu(github_emulator: GitHubEmulator, monkeypatch: pytest.MonkeyPatch) -> GitHubEmulator:
    """The emulator playing a's workflow, its token in GH_TOKEN."""
    assert github_emulator.token is not None
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)
    publish = JobSpec("publish", steps=(StepSpec("Publish to PyPI"),))
    github_emulator.add_workflow(
        "publish-a.yml", on_tags=("a-v*",), jobs=(publish,), lifecycle=Lifecycle(0, 0)
    )
    return github_emulator


def run(project: Project, deps: Deps, emu: GitHubEmulator, *args: str) -> Outcome:
    return release(*args, "--api-url", emu.url, deps=deps)


def test_an_upload_not_served_says_how_to_look_at_the_packages_status(
    project: Project, emu: GitHubEmulator, index: PyPIServer, fake_clock: FakeClock
) -> None:
    clock = StepClock(fake_clock)
    pypi = PyPIClient(override=index.url)
    deps = Deps(env=os.environ, cwd=project.work, clock=clock, pypi=pypi)

    out = run(project, deps, emu, "cut", "--package", "a", "patch", "--yes", "--pypi-timeout", "10")

    assert out.code == 7, out.stderr
    assert "later, release status --package a 0.1.1" in out.stderr


def test_an_interrupted_watch_resumes_with_the_packages_watch(
    project: Project,
    github_emulator: GitHubEmulator,
    fake_clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a's run is not there yet when Ctrl-C comes.
    assert github_emulator.token is not None
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)
    github_emulator.add_workflow(
        "publish-a.yml", on_tags=("a-v*",), lifecycle=Lifecycle(appear_after=None)
    )
    git(project.work, "tag", "a-v0.1.1")
    git(project.work, "push", "-q", "origin", "refs/tags/a-v0.1.1")

    def interrupt(_: int) -> None:
        raise KeyboardInterrupt

    deps = Deps(env=os.environ, cwd=project.work, clock=StepClock(fake_clock, on_sleep=interrupt))

    out = run(project, deps, github_emulator, "watch", "--package", "a", "a-v0.1.1")

    assert out.code == 130, out.stderr
    assert "resume with: release watch --package a a-v0.1.1" in out.stderr
