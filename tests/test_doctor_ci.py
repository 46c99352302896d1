"""``release doctor`` where maintainers run it unattended: ``--offline`` (the pre-commit hook)
and inside GitHub Actions (annotations on the workflow's lines, a step summary, the exit code).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import runcli
from gitfixtures import Project
from release_orchestrator.adapters.pypi import PyPIClient
from release_orchestrator.render.actions import annotation
from release_orchestrator.sandbox.pypi import PyPIServer
from runcli import Outcome, make_deps
from test_doctor import GOOD

WORKFLOW = ".github/workflows/publish.yml"
SOUND = GOOD  # the doctor's sound workflow: no finding
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


def test_in_actions_findings_are_annotations_and_a_summary_table(
    project: Project, failing_index: PyPIServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    project.write(WORKFLOW, NO_ID_TOKEN)
    out = doctor(project, failing_index, "--offline")
    assert out.code == 3
    line = next(n for n, text in enumerate(NO_ID_TOKEN.splitlines(), 1) if "publish:" in text)
    (error,) = [text for text in out.stdout.splitlines() if text.startswith("::error ")]
    assert error.startswith(
        f"::error file={WORKFLOW},line={line},title=release doctor%3A missing-id-token::"
    )
    assert "Fix: " in error
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n### release doctor: tag v0.1.0\n")
    assert "| severity | code | where | problem | fix |" in text
    assert f"| error | `missing-id-token` | {WORKFLOW}:{line} |" in text
    assert "**1 error(s), 0 warning(s).**" in text


def test_in_actions_json_stays_one_object(
    project: Project, failing_index: PyPIServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    project.write(WORKFLOW, SOUND)
    out = doctor(project, failing_index, "--offline", "--json")
    assert out.code == 0
    assert json.loads(out.stdout)["findings"] == []
    assert "::error" not in out.stderr
    assert "**No problems found.**" in (tmp_path / "summary.md").read_text(encoding="utf-8")


def test_outside_actions_nothing_is_annotated(project: Project, failing_index: PyPIServer) -> None:
    project.write(WORKFLOW, NO_ID_TOKEN)
    out = doctor(project, failing_index, "--offline")
    assert out.code == 3
    assert "::error" not in out.stdout


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "::warning::a%25b%0Ac: d, e"),
        ({"file": "a,b.yml", "line": 3}, "::warning file=a%2Cb.yml,line=3::a%25b%0Ac: d, e"),
        ({"title": "t: x"}, "::warning title=t%3A x::a%25b%0Ac: d, e"),
    ],
)
def test_annotations_are_escaped_as_github_reads_them(
    kwargs: dict[str, Any], expected: str
) -> None:
    assert annotation("warning", "a%b\nc: d, e", **kwargs) == expected
