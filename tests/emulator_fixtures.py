"""Pytest fixtures for the GitHub emulator (load with ``pytest_plugins = ["emulator_fixtures"]``).

* ``github_emulator``: a started :class:`GitHubEmulator` serving the seed project's bare
  origin (``project.origin``) as ``OWNER/REPO``, on a :class:`FakeClock`. Every JSON body it
  sends is validated against githubkit's models of GitHub's schemas; a test that made it send a
  wrong body fails at teardown, listing the problems.
* ``api_prefix``: ``""`` by default; parametrize it (``@BASE_URL_MODES``) to run a test
  against both ``http://127.0.0.1:PORT`` and the GitHub Enterprise form ``…/api/v3``.
* ``emulator_factory``: for more emulators or other options (token, rate limit, sleep…).
* :func:`make_github`: a PyGithub client for an emulator, with test-friendly throttling and
  retry settings.
* ``published`` (the seed project with :data:`PUBLISH_YML` pushed), ``emu`` (the emulator,
  its token in ``GH_TOKEN``) and ``clock`` (a :class:`StepClock` on the emulator's time):
  what a test of ``release watch`` or ``release retry`` starts from.

The fake clock starts on 2024-05-01, in the past: rate-limit resets the emulator reports are
then already over by the wall clock, so PyGithub's retry never sleeps on them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from github import Auth, Github, GithubRetry

from gitfixtures import OWNER, REPO, Project, git
from github_schemas import shared_validator
from release_orchestrator.sandbox import GitHubEmulator

START = 1714564800.0  # 2024-05-01T12:00:00Z
# The seed project's publishing workflow: build, then publish from environment pypi.
PUBLISH_YML = """\
name: Publish
on:
  push:
    tags: ["v*"]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: python -m build
  publish:
    needs: build
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
"""
BASE_URL_MODES = pytest.mark.parametrize("api_prefix", ["", "/api/v3"], ids=["plain", "ghes"])


@dataclass
class FakeClock:
    """A clock that moves only when told to."""

    now: float = START

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


@dataclass
class StepClock:
    """A command's clock: sleeping only moves the emulator's fake time forward."""

    fake: FakeClock
    sleeps: list[float] = field(default_factory=list)
    on_sleep: Callable[[int], None] | None = None

    def now(self) -> float:
        return self.fake.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if self.on_sleep:
            self.on_sleep(len(self.sleeps))
        self.fake.advance(seconds)


def make_github(
    emu: GitHubEmulator, *, retry: Any = "default", token: str | None = None, **kwargs: Any
) -> Github:
    """A PyGithub client for ``emu``: no throttling, ``GithubRetry(total=3, …)`` with short waits
    (``retry=None`` disables retries, as a production caller may); ``token`` overrides the
    emulator's.
    """
    if retry == "default":
        retry = GithubRetry(total=3, secondary_rate_wait=0.1, max_rate_limit_wait=5)
    return Github(
        auth=Auth.Token(token or emu.token or "no-token"),
        base_url=emu.url,
        seconds_between_requests=0,
        seconds_between_writes=0,
        retry=retry,
        **kwargs,
    )


def push_tag(project: Project, tag: str, *, annotated: bool = True) -> str:
    """Tag the work tree's HEAD and ``git push`` the tag to the bare origin; return the commit."""
    if annotated:
        git(project.work, "tag", "-a", tag, "-m", f"Release {tag}")
    else:
        git(project.work, "tag", tag)
    git(project.work, "push", "-q", "origin", f"refs/tags/{tag}")
    return git(project.work, "rev-parse", "HEAD")


@pytest.fixture
def fake_clock() -> FakeClock:
    """The emulator's clock (shared by every emulator of the test)."""
    return FakeClock()


@pytest.fixture
def api_prefix() -> str:
    """The emulator's API prefix; parametrize with :data:`BASE_URL_MODES` for both forms."""
    return ""


@pytest.fixture
def emulator_factory(
    project: Project, fake_clock: FakeClock
) -> Iterator[Callable[..., GitHubEmulator]]:
    """``make(**options)`` starts an emulator over ``project.origin``; all stop at teardown."""
    started: list[GitHubEmulator] = []

    def make(**options: Any) -> GitHubEmulator:
        options.setdefault("clock", fake_clock)
        options.setdefault("on_json", shared_validator())
        emu = GitHubEmulator(OWNER, REPO, project.origin, **options).start()
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()
    problems = [f"{type(e).__name__}: {e}" for emu in started for e in emu.errors]
    if problems:
        pytest.fail("the GitHub emulator misbehaved:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def github_emulator(
    emulator_factory: Callable[..., GitHubEmulator], api_prefix: str
) -> GitHubEmulator:
    """A started emulator for ``OWNER/REPO`` (see the module docstring)."""
    return emulator_factory(api_prefix=api_prefix)


@pytest.fixture
def github_client(github_emulator: GitHubEmulator) -> Github:
    """A PyGithub client pointed at ``github_emulator``."""
    return make_github(github_emulator)


@pytest.fixture
def published(project: Project) -> Project:
    """The seed project with its publishing workflow committed and pushed."""
    project.write(".github/workflows/publish.yml", PUBLISH_YML)
    project.commit_all("Add the publish workflow")
    project.push()
    return project


@pytest.fixture
def clock(fake_clock: FakeClock) -> StepClock:
    return StepClock(fake_clock)


@pytest.fixture
def emu(github_emulator: GitHubEmulator, monkeypatch: pytest.MonkeyPatch) -> GitHubEmulator:
    assert github_emulator.token is not None
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)
    return github_emulator
