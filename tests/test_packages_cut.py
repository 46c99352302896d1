"""``release cut --package``: one package of several is bumped, committed and tagged alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitfixtures import OWNER, REPO, Project, git, make_monorepo, package_pyproject
from release_orchestrator.commands.confirm import upload_target
from release_orchestrator.core.model import RepoRef
from release_orchestrator.core.runs import RunState
from runcli import NO_PYPI, release


@pytest.fixture
def monorepo(tmp_path: Path) -> Project:
    """A repository of the packages ``a`` and ``b``, pushed to its bare origin."""
    return make_monorepo(tmp_path)


def test_cut_package_bumps_commits_and_tags_only_that_package(monorepo: Project) -> None:
    b_before = (monorepo.work / "packages/b/pyproject.toml").read_bytes()

    out = release("cut", "--package", "a", "patch", "--yes", "--json", cwd=monorepo.work)

    assert out.code == 0, out.stderr
    assert (monorepo.work / "packages/a/pyproject.toml").read_text() == package_pyproject(
        "a", "0.1.1"
    )
    assert (monorepo.work / "packages/b/pyproject.toml").read_bytes() == b_before
    head = git(monorepo.work, "rev-parse", "HEAD")
    assert git(monorepo.work, "show", "--name-only", "--format=%s", "HEAD").split("\n") == [
        "Release a 0.1.1",
        "",
        "packages/a/pyproject.toml",
    ]
    assert monorepo.remote_tag_commit("a-v0.1.1") == head
    assert git(monorepo.origin, "tag", "-l").split() == ["a-v0.1.1"]
    data = json.loads(out.stdout)
    assert (data["previous_version"], data["tag"]) == ("0.1.0", "a-v0.1.1")


def test_packages_are_cut_independently(monorepo: Project) -> None:
    assert release("cut", "--package", "a", "minor", "--yes", cwd=monorepo.work).code == 0

    out = release("cut", "--package", "b", "patch", "--yes", "--json", cwd=monorepo.work)

    assert out.code == 0, out.stderr
    assert json.loads(out.stdout)["tag"] == "b-v0.1.1"
    assert sorted(git(monorepo.origin, "tag", "-l").split()) == ["a-v0.2.0", "b-v0.1.1"]


def test_another_packages_tags_are_not_this_ones_versions(monorepo: Project) -> None:
    # b has been released far ahead, and an old single-package tag exists: neither is a's.
    git(monorepo.work, "tag", "b-v5.0.0")
    git(monorepo.work, "tag", "v9.0.0")

    out = release("cut", "--package", "a", "patch", "--dry-run", cwd=monorepo.work)

    assert out.code == 0, out.stderr
    assert "below the highest tagged version" not in out.stdout + out.stderr
    assert "refs/tags/a-v0.1.1" in out.stdout


def test_a_packages_own_tag_prefix_is_used(monorepo: Project) -> None:
    monorepo.write(
        "packages/b/pyproject.toml",
        package_pyproject("b") + '\n[tool.release]\ntag-prefix = "b/"\n',
    )
    monorepo.commit_all("b tags as b/")

    out = release("cut", "--package", "b", "patch", "--yes", "--no-watch", cwd=monorepo.work)

    assert out.code == 0, out.stderr
    assert git(monorepo.origin, "tag", "-l").split() == ["b/0.1.1"]


def test_the_plan_names_the_package_it_releases(monorepo: Project) -> None:
    before = monorepo.state()

    out = release("cut", "--package", "b", "minor", "--dry-run", cwd=monorepo.work)

    assert out.code == 0, out.stderr
    assert out.stdout.splitlines()[:2] == [
        "Release b 0.2.0 (from 0.1.0, [project].version in pyproject.toml)",
        "  branch main on origin, tag b-v0.2.0",
    ]
    # The JSON object has no key for the package: its tag and its commit message name it.
    data = json.loads(
        release("cut", "--package", "b", "minor", "--dry-run", "--json", cwd=monorepo.work).stdout
    )
    assert (data["tag"], "package" in data) == ("b-v0.2.0", False)
    assert monorepo.state() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("cut", "patch"),
            "error: this repository holds several packages (a, b); name one with --package NAME",
        ),
        (
            ("cut", "--package", "c", "patch"),
            "error: --package c is not a package here; the packages: a, b",
        ),
    ],
)
def test_refusals_are_one_usage_line_and_change_nothing(
    monorepo: Project, args: tuple[str, ...], message: str
) -> None:
    before = monorepo.state()

    out = release(*args, "--yes", cwd=monorepo.work)

    assert out.code == 2
    assert out.stderr.strip() == message
    assert monorepo.state() == before


def test_package_in_a_one_package_repository_is_a_usage_error(project: Project) -> None:
    before = project.state()

    out = release("cut", "--package", "a", "patch", "--yes", cwd=project.work)

    assert out.code == 2
    assert out.stderr.strip().startswith("error: --package a: this repository holds one package")
    assert project.state() == before


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("b-v0.1.1", ("b", "0.1.1")),
        ("a-v0.2.0", ("a", "0.2.0")),
    ],
)
def test_after_the_run_pypi_is_asked_for_the_tags_package(
    monorepo: Project, tag: str, expected: tuple[str, str]
) -> None:
    run = RunState.from_json(
        {"id": 1, "path": ".github/workflows/publish.yml", "head_branch": tag, "head_sha": "0"}
    )
    repo = RepoRef("github.com", OWNER, REPO)

    target, why = upload_target(monorepo.work, NO_PYPI, repo, run)

    assert why is None and target is not None
    assert (target.project, target.version) == expected


def test_a_tag_of_no_package_is_not_looked_up_on_pypi(monorepo: Project) -> None:
    run = RunState.from_json({"id": 1, "head_branch": "v0.1.1", "head_sha": "0"})

    target, why = upload_target(monorepo.work, NO_PYPI, RepoRef("github.com", OWNER, REPO), run)

    assert target is None
    assert why == "PyPI not checked: pyproject.toml names no project"
