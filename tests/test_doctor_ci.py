"""``release doctor`` where maintainers run it unattended: ``--offline`` (the pre-commit hook)
and inside GitHub Actions (annotations on the workflow's lines, a step summary, the exit code).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

import runcli
from gitfixtures import Project
from release_orchestrator.adapters.pypi import PyPIClient
from release_orchestrator.sandbox.pypi import PyPIServer
from runcli import Outcome, make_deps

WORKFLOW = ".github/workflows/publish.yml"
SOUND = """\
name: Publish
on:
  push:
    tags: ["v*"]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: python -m build
      - uses: actions/upload-artifact@v4
        with: {name: dist, path: dist/}
  publish:
    needs: build
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: actions/download-artifact@v4
        with: {name: dist, path: dist/}
      - uses: pypa/gh-action-pypi-publish@release/v1
"""
# The publishing job cannot ask GitHub for its OIDC token: a blocking finding.
NO_ID_TOKEN = SOUND.replace("    permissions:\n      id-token: write\n", "")
BARE_SHA = SOUND.replace("@release/v1", "@0e7c2d8e4a1b2c3d4e5f60718293a4b5c6d7e8f9")


@pytest.fixture
def failing_index(isolated_env: None) -> Iterator[PyPIServer]:
    """A stand-in PyPI and GitHub API that fail every request: asking either shows."""
    server = PyPIServer()
    server.fail_every_request(500)
    yield server
    server.stop()


def doctor(project: Project, index: PyPIServer, *args: str) -> Outcome:
    deps = make_deps(cwd=project.work, pypi=PyPIClient(override=index.url))
    return runcli.release("doctor", *args, deps=deps)


def test_offline_asks_neither_pypi_nor_github(
    project: Project, failing_index: PyPIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_API_URL", failing_index.url)
    project.write(WORKFLOW, BARE_SHA)
    online = json.loads(doctor(project, failing_index, "--json").stdout)
    assert [f["code"] for f in online["findings"]] == ["index-unreachable"]
    assert "--offline" not in json.dumps(online["notes"])

    out = doctor(project, failing_index, "--json", "--offline")
    assert out.code == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["findings"] == []
    assert data["pending_publisher_needed"] is None
    (note,) = [n for n in data["notes"] if "0e7c2d8e4a1b" in n["message"]]
    assert "not looked up (--offline)" in note["message"]
    assert note["file"] == WORKFLOW


def test_offline_still_fails_on_a_blocking_finding(
    project: Project, failing_index: PyPIServer
) -> None:
    project.write(WORKFLOW, NO_ID_TOKEN)
    out = doctor(project, failing_index, "--offline")
    assert out.code == 3
    assert "error: missing-id-token" in out.stdout
    assert "Pending publisher: unknown" in out.stdout
