"""Messages that say the real cause: the actual timeout, an empty ``on:``, a BOM, a byte
that is not UTF-8, a directory where a file should be. Each is one line and no change.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from msgspec.structs import replace

from emulator_fixtures import FakeClock, push_tag
from gitfixtures import PYPROJECT, Project
from release_orchestrator.commands.watch import WatchRequest, run_watch
from release_orchestrator.errors import WatchTimeout
from release_orchestrator.render.watch import PlainView
from release_orchestrator.sandbox import GitHubEmulator, JobSpec, Lifecycle
from runcli import make_deps, release


@dataclass
class _Clock:
    """Sleeping moves the emulator's fake time forward; nothing really waits."""

    fake: FakeClock

    def now(self) -> float:
        return self.fake.now

    def sleep(self, seconds: float) -> None:
        self.fake.advance(seconds)


@pytest.mark.parametrize(("timeout", "said"), [(1.0, "within 1 s"), (90.0, "within 90 s")])
def test_the_watch_timeout_said_is_the_one_given(
    project: Project,
    github_emulator: GitHubEmulator,
    fake_clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    timeout: float,
    said: str,
) -> None:
    assert github_emulator.token is not None
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)
    github_emulator.add_workflow(
        "publish.yml",
        name="Publish",
        on_tags=("v*",),
        jobs=(JobSpec("publish"),),
        lifecycle=Lifecycle(appear_after=None),
    )
    push_tag(project, "v0.1.1")
    request = WatchRequest(
        target="v0.1.1", workflow="publish.yml", api_url=github_emulator.url, timeout=timeout
    )
    deps = replace(make_deps(cwd=project.work), clock=_Clock(fake_clock))

    with pytest.raises(WatchTimeout) as info:
        run_watch(request, deps, PlainView(io.StringIO()))

    assert said in info.value.message
    assert "300" not in info.value.message


PUBLISH = """\
name: Publish
on: {on}
jobs:
  publish:
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
"""


@pytest.mark.parametrize("on", ["", "null", "{}", "[]"])
def test_an_empty_on_says_the_workflow_has_no_triggers(project: Project, on: str) -> None:
    project.write(".github/workflows/publish.yml", PUBLISH.format(on=on))

    out = release("doctor", cwd=project.work)

    assert out.code == 3
    assert "publish.yml: the workflow has no triggers" in out.stdout + out.stderr
    assert "reusable" not in out.stdout + out.stderr


def _cut_refused(project: Project) -> str:
    before = project.state()
    out = release("cut", "0.1.1", "--yes", cwd=project.work)
    assert out.code == 3, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "internal error" not in lines[0]
    assert project.state() == before
    return lines[0]


def _commit_pyproject(project: Project, data: bytes) -> None:
    (project.work / "pyproject.toml").write_bytes(data)
    project.commit_all("pyproject")
    project.push()


def test_a_bom_is_named_as_a_bom(project: Project) -> None:
    _commit_pyproject(project, b"\xef\xbb\xbf" + PYPROJECT.encode())
    assert "pyproject.toml starts with a UTF-8 byte order mark (BOM)" in _cut_refused(project)


def test_a_byte_that_is_not_utf8_is_named_with_its_offset(project: Project) -> None:
    _commit_pyproject(project, b"# caf\xe9\n" + PYPROJECT.encode())
    line = _cut_refused(project)
    assert "pyproject.toml is not UTF-8: byte 0xe9 at offset 5 cannot be decoded" in line


def test_a_pyproject_directory_is_named_as_a_directory(project: Project) -> None:
    (project.work / "pyproject.toml").unlink()
    (project.work / "pyproject.toml").mkdir()
    line = _cut_refused(project)
    assert "pyproject.toml is a directory, not a file" in line


def test_a_version_file_that_is_a_directory_is_named_as_one(project: Project) -> None:
    project.write("pyproject.toml", PYPROJECT + 'version-files = ["src"]\n')
    project.commit_all("version-files")
    project.push()
    line = _cut_refused(project)
    assert "src is a directory, not a file" in line
