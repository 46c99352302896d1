"""``release doctor`` on a publishing action pinned to a bare commit SHA (no version comment).

The doctor asks the action repository's tags which release the commit is, with a short
timeout and no retries, anonymously; here the emulator serves that repository's tags.
"""

from __future__ import annotations

import inspect
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

import runcli
from gitfixtures import Project
from release_orchestrator.adapters.auth import LOOKUP_TIMEOUT
from release_orchestrator.adapters.github import GitHub
from release_orchestrator.core.model import RepoRef
from release_orchestrator.deps import Deps, GitHubFactory, _github
from release_orchestrator.sandbox import GitHubEmulator
from test_doctor import codes, local_index, pypi, use
from test_doctor_real_world import notes, publish_job

pytestmark = pytest.mark.usefixtures("pypi")
__all__ = ["pypi"]  # fixtures, used through pytestmark

OLD = "1111111111111111111111111111111111111111"  # the commit of v1.9.0
NEW = "2222222222222222222222222222222222222222"  # the commit of v1.12.4
UNTAGGED = "3333333333333333333333333333333333333333"
CLOSED = "http://127.0.0.1:9"  # nothing listens: the connection is refused at once


@dataclass
class Recorder:
    """Deps' GitHub factory, recording the arguments each connection was asked for with."""

    calls: list[dict[str, Any]] = field(default_factory=list)

    @property
    def factory(self) -> GitHubFactory:
        """The production factory, which records each call's arguments by name first."""

        def record(*args: Any, **kwargs: Any) -> GitHub:
            bound = inspect.signature(_github).bind(*args, **kwargs)
            bound.apply_defaults()
            self.calls.append(dict(bound.arguments))
            return _github(*args, **kwargs)

        return record


def run_doctor(project: Project, api: str, factory: Recorder) -> dict[str, Any]:
    env = {**os.environ, "GITHUB_API_URL": api}
    deps = Deps(env=env, cwd=project.work, pypi=local_index(), github=factory.factory)
    out = runcli.release("doctor", "--json", deps=deps)
    assert out.code in (0, 3), out.stderr
    data: dict[str, Any] = json.loads(out.stdout)
    return data


@pytest.fixture
def action_tags(emulator_factory: Callable[..., GitHubEmulator]) -> GitHubEmulator:
    """An emulator that answers anonymously and knows the action's tags."""
    emu = emulator_factory(token=None)
    emu.add_foreign_tags(
        "pypa", "gh-action-pypi-publish", [("v1.12.4", NEW), ("v1.9.0", OLD), ("v1.8", OLD)]
    )
    return emu


def pin(project: Project, sha: str) -> None:
    use(project, publish_job(f"      - uses: pypa/gh-action-pypi-publish@{sha}\n"))


def test_a_sha_of_an_old_release_is_outdated(project: Project, action_tags: GitHubEmulator) -> None:
    pin(project, OLD)
    factory = Recorder()
    data = run_doctor(project, action_tags.url, factory)
    assert codes(data) == [("outdated-action", "error")]
    (found,) = data["findings"]
    assert "runs v1.9" in found["message"]
    # The fix agrees with zizmor's unpinned-uses, which asks for a SHA on this same line.
    assert "pin the commit SHA of v1.12 or later" in found["fix"]
    # The public repository's tags, asked once, anonymously (no token in this environment).
    (call,) = factory.calls
    assert call["token"] == ""
    assert call["repo"] == RepoRef("github.com", "pypa", "gh-action-pypi-publish")
    paths = [r.path for r in action_tags.requests]
    assert paths == ["/repos/pypa/gh-action-pypi-publish/tags"]


def test_a_sha_of_a_current_release_is_fine(project: Project, action_tags: GitHubEmulator) -> None:
    pin(project, NEW)
    data = run_doctor(project, action_tags.url, Recorder())
    assert codes(data) == []
    assert not any("version unknown" in n for n in notes(data))


def test_a_sha_that_no_tag_names_is_a_note(project: Project, action_tags: GitHubEmulator) -> None:
    pin(project, UNTAGGED)
    data = run_doctor(project, action_tags.url, Recorder())
    assert codes(data) == []
    assert any("version unknown" in n and "not the commit of any tag" in n for n in notes(data))


def test_an_unreachable_api_is_a_note_asked_quickly(project: Project) -> None:
    pin(project, OLD)
    factory = Recorder()
    data = run_doctor(project, CLOSED, factory)
    assert codes(data) == []
    assert any("version unknown" in n and "could not be read" in n for n in notes(data))
    # Quick: one connection with the short timeout and no retries.
    (call,) = factory.calls
    assert (call["own_retries"], call["timeout"]) == (True, LOOKUP_TIMEOUT)
    assert LOOKUP_TIMEOUT <= 2


def test_a_pin_with_a_version_comment_asks_nothing(project: Project) -> None:
    use(project, publish_job(f"      - uses: pypa/gh-action-pypi-publish@{OLD}  # v1.12.4\n"))
    factory = Recorder()
    data = run_doctor(project, CLOSED, factory)
    assert codes(data) == []
    assert factory.calls == []
