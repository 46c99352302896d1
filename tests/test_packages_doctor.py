"""``release doctor --package``: each package's publishing job starts on its own tags only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gitfixtures import PUBLISH_A as PUBLISH
from gitfixtures import Project, make_monorepo, package_pyproject
from runcli import Outcome, release


@pytest.fixture
def monorepo(tmp_path: Path) -> Project:
    """Packages ``a`` and ``b``, and ``a``'s publishing workflow."""
    project = make_monorepo(tmp_path)
    project.write(".github/workflows/publish-a.yml", PUBLISH)
    project.commit_all("Publish a")
    project.push()
    return project


def doctor(monorepo: Project, *args: str) -> tuple[Outcome, dict[str, Any]]:
    out = release("doctor", "--offline", "--json", "--package", "a", *args, cwd=monorepo.work)
    assert out.code in (0, 3), out.stderr
    return out, json.loads(out.stdout)


def codes(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f["code"], f["severity"]) for f in data["findings"]]


def test_a_workflow_on_the_packages_own_tags_is_sound(monorepo: Project) -> None:
    out, data = doctor(monorepo)

    assert out.code == 0
    assert codes(data) == []
    assert data["workflow"] == ".github/workflows/publish-a.yml"
    assert data["predicted_claims"]["ref"] == "refs/tags/a-v0.1.0"


def test_a_v_star_filter_does_not_match_the_packages_tag(monorepo: Project) -> None:
    monorepo.write(".github/workflows/publish-a.yml", PUBLISH.replace('"a-v*"', '"v*"'))

    out, data = doctor(monorepo)

    assert out.code == 3
    assert codes(data) == [("tag-not-triggering", "error")]


def test_a_star_filter_starts_on_the_other_packages_tags_too(monorepo: Project) -> None:
    monorepo.write(".github/workflows/publish-a.yml", PUBLISH.replace('"a-v*"', '"*"'))

    out, data = doctor(monorepo)

    assert out.code == 0  # a warning: a workflow may pick the package from the tag's name
    assert codes(data) == [("package-tags-overlap", "warning")]
    (found,) = data["findings"]
    assert (found["file"], found["line"]) == (".github/workflows/publish-a.yml", 2)
    assert "b's tag b-v0.1.0 also starts job 'publish'" in found["message"]
    assert 'tags: ["a-v*"]' in found["fix"]


def test_two_packages_publishing_one_pypi_project(monorepo: Project) -> None:
    extra = '\n[tool.release.pypi]\nproject = "B"\n'
    monorepo.write("packages/a/pyproject.toml", package_pyproject("a") + extra)

    out, data = doctor(monorepo)

    assert out.code == 3
    assert ("package-project-shared", "error") in codes(data)


def test_cut_refuses_a_package_whose_workflow_misses_its_tags(monorepo: Project) -> None:
    monorepo.write(".github/workflows/publish-a.yml", PUBLISH.replace('"a-v*"', '"v*"'))
    monorepo.commit_all("Publish on v*")
    before = monorepo.state()

    out = release("cut", "--package", "a", "patch", "--yes", cwd=monorepo.work)

    assert out.code == 3
    assert "doctor:" in out.stderr and "a-v0.1.1" in out.stderr
    assert monorepo.state() == before


def test_doctor_needs_a_package_among_several(monorepo: Project) -> None:
    out = release("doctor", "--offline", cwd=monorepo.work)

    assert out.code == 2
    assert out.stderr.strip() == (
        "error: this repository holds several packages (a, b); name one with --package NAME"
    )
