"""``watch``, ``retry``, ``explain``, ``status`` and ``doctor``: ``--package``'s tags only;
without it, a tag names its package.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from gitfixtures import OWNER, PUBLISH_A, REPO, Project, git, make_monorepo
from release_orchestrator.adapters.pypi import PyPIClient
from release_orchestrator.commands.target import resolve_target
from release_orchestrator.core.packages import command
from release_orchestrator.deps import Deps
from release_orchestrator.errors import UsageError
from release_orchestrator.sandbox.pypi import PyPIServer
from runcli import release


@pytest.fixture
def monorepo(tmp_path: Path) -> Project:
    """Packages ``a`` and ``b``, ``a``'s publishing workflow, and a tag of each at HEAD."""
    project = make_monorepo(tmp_path)
    project.write(".github/workflows/publish-a.yml", PUBLISH_A)
    project.commit_all("Publish a")
    project.push()
    for tag in ("a-v0.1.0", "b-v3.0.0", "v9.0.0"):
        git(project.work, "tag", tag)
    return project


def test_the_release_tag_at_head_is_the_packages(monorepo: Project) -> None:
    target = resolve_target(None, cwd=monorepo.work, workflow=None, api_url=None, package="a")

    assert target.query is not None
    assert (target.query.tag, target.query.workflow) == ("a-v0.1.0", "publish-a.yml")
    assert target.query.event == "push"


def test_another_packages_tag_is_refused(monorepo: Project) -> None:
    with pytest.raises(UsageError, match=r"b-v3\.0\.0 is not a release tag of --package a"):
        resolve_target("b-v3.0.0", cwd=monorepo.work, workflow=None, api_url=None, package="a")


def test_a_package_without_a_tag_at_head(monorepo: Project) -> None:
    git(monorepo.work, "tag", "-d", "a-v0.1.0")
    with pytest.raises(UsageError, match=r"no release tag \(a-v\*\) points at HEAD"):
        resolve_target(None, cwd=monorepo.work, workflow=None, api_url=None, package="a")


@pytest.mark.parametrize(
    "args",
    [
        ("watch",),
        ("retry", "--yes"),
        ("explain",),
        ("status",),
        ("watch", "--package", "c"),
        ("retry", "--package", "c", "--yes"),
        ("explain", "--package", "c"),
        ("status", "--package", "c"),
    ],
)
def test_without_or_with_a_wrong_package_is_one_usage_line(
    monorepo: Project, args: tuple[str, ...]
) -> None:
    before = monorepo.state()

    out = release(*args, cwd=monorepo.work)

    assert out.code == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0] in (
        "error: this repository holds several packages (a, b); name one with --package NAME",
        "error: --package c is not a package here; the packages: a, b",
    )
    assert monorepo.state() == before


NONE_OF = (
    "error: v9.0.0 is a release tag of none of the packages (a, b); "
    "name a tag of one (a-v*, b-v*), or the package with --package NAME"
)
VERSION_OF = (
    "error: version 3.0.0 of which package? This repository holds several (a, b); "
    "name one with --package NAME, or give its tag (a-v3.0.0, b-v3.0.0)"
)
CONTRADICTED = (
    "error: b-v3.0.0 is not a release tag of --package a (a-v*) but of b; "
    "drop --package, or use --package b"
)


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("watch", "v9.0.0"), NONE_OF),
        (("retry", "v9.0.0", "--yes"), NONE_OF),
        (("explain", "v9.0.0"), NONE_OF),
        (("status", "v9.0.0"), NONE_OF),
        (("status", "3.0.0"), VERSION_OF),
        (("doctor", "--offline", "--tag", "v9.0.0"), NONE_OF),
        (("watch", "--package", "a", "b-v3.0.0"), CONTRADICTED),
        (("retry", "--package", "a", "b-v3.0.0", "--yes"), CONTRADICTED),
        (("explain", "--package", "a", "b-v3.0.0"), CONTRADICTED),
        (("status", "--package", "a", "b-v3.0.0"), CONTRADICTED),
        (("doctor", "--offline", "--package", "a", "--tag", "b-v3.0.0"), CONTRADICTED),
    ],
)
def test_a_tag_of_no_package_or_against_package_is_one_usage_line(
    monorepo: Project, args: tuple[str, ...], line: str
) -> None:
    before = monorepo.state()

    out = release(*args, cwd=monorepo.work)

    assert out.code == 2, out.stderr
    assert out.stderr.strip().splitlines() == [line]
    assert monorepo.state() == before


def test_a_tag_names_its_package(monorepo: Project) -> None:
    target = resolve_target("b-v3.0.0", cwd=monorepo.work, workflow=None, api_url=None)

    assert target.package == "b"  # for the hints: where an interrupted watch resumes
    assert target.query is not None and target.query.tag == "b-v3.0.0"


@pytest.fixture
def index() -> Iterator[PyPIServer]:
    server = PyPIServer()
    yield server
    server.stop()


def test_status_of_a_package_looks_at_its_tag_and_says_what_next(
    monorepo: Project, index: PyPIServer
) -> None:
    deps = Deps(env=os.environ, cwd=monorepo.work, pypi=PyPIClient(override=index.url))

    out = release("status", "--package", "a", "0.1.1", "--json", deps=deps)

    assert out.code == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["version"] == "0.1.1"
    assert data["tag"]["name"] == "a-v0.1.1"
    assert data["next"] == "release cut --package a 0.1.1"


def test_status_of_a_tag_is_its_packages_without_package(
    monorepo: Project, index: PyPIServer
) -> None:
    deps = Deps(env=os.environ, cwd=monorepo.work, pypi=PyPIClient(override=index.url))

    out = release("status", "b-v3.0.0", "--json", deps=deps)

    assert out.code == 0, out.stderr
    data = json.loads(out.stdout)
    assert (data["version"], data["tag"]["name"]) == ("3.0.0", "b-v3.0.0")
    assert data["next"] == "release cut --package b 3.0.0"


def test_a_run_id_needs_no_package(monorepo: Project) -> None:
    target = resolve_target("123", cwd=monorepo.work, workflow=None, api_url=None)

    assert (target.run_id, target.repo.full_name) == (123, f"{OWNER}/{REPO}")


def test_a_run_url_of_another_repository_is_still_refused(monorepo: Project) -> None:
    url = "https://github.com/someone/else/actions/runs/5"
    with pytest.raises(UsageError, match="the run URL is of someone/else"):
        resolve_target(url, cwd=monorepo.work, workflow=None, api_url=None)


def test_hints_name_the_package() -> None:
    assert command("watch", "a") == "release watch --package a"
    assert command("watch", None) == "release watch"
