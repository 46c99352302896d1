"""Several packages in one repository: where they are, and each one's settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from release_orchestrator.adapters.files import load_packages, load_project
from release_orchestrator.core.config import parse_release_table
from release_orchestrator.core.packages import (
    Package,
    Workspace,
    check_packages,
    find_workspace,
    matches,
    member_paths,
    package_from,
    package_of_target,
    select_package,
)
from release_orchestrator.errors import ConfigError, ExitCode, UsageError


def _pyproject(name: str, **release: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"project": {"name": name, "version": "0.1.0"}}
    if release:
        data["tool"] = {"release": release}
    return data


def test_packages_key_is_a_list_of_directories() -> None:
    assert parse_release_table({"packages": ["packages/a"]}).packages == ("packages/a",)
    with pytest.raises(ConfigError, match="packages must be a list"):
        parse_release_table({"packages": "packages/a"})


def test_configured_packages_win_over_the_uv_workspace() -> None:
    root = {
        "tool": {
            "release": {"packages": ["libs/a/"]},
            "uv": {"workspace": {"members": ["packages/*"]}},
        }
    }
    workspace = find_workspace(root)
    assert workspace == Workspace(("libs/a/",))
    assert member_paths(workspace, ["packages/b"]) == ["libs/a"]


def test_a_virtual_uv_workspace_lists_its_members_minus_exclude() -> None:
    root = {"tool": {"uv": {"workspace": {"members": ["packages/*"], "exclude": ["packages/c"]}}}}
    workspace = find_workspace(root)
    assert workspace is not None and workspace.globs
    found = member_paths(workspace, ["packages/b", "packages/a", "packages/c", "tools/x"])
    assert found == ["packages/a", "packages/b"]


def test_a_root_project_with_a_workspace_stays_one_package() -> None:
    root = _pyproject("app") | {"tool": {"uv": {"workspace": {"members": ["libs/*"]}}}}
    assert find_workspace(root) is None
    assert find_workspace(_pyproject("app")) is None


def test_uv_workspace_members_must_be_strings() -> None:
    with pytest.raises(ConfigError, match=r"\[tool.uv.workspace\] members must be a list"):
        find_workspace({"tool": {"uv": {"workspace": {"members": "packages/*"}}}})


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        ("packages/a", "packages/*", True),
        ("packages/a/sub", "packages/*", False),  # * stays within one directory
        ("packages/a/sub", "packages/**", True),
        ("packages/a", "packages/**/a", True),
        ("./packages/a", "packages/a/", True),
        ("other/a", "packages/*", False),
    ],
)
def test_member_globs(path: str, pattern: str, *, expected: bool) -> None:
    assert matches(path, pattern) is expected


def test_a_package_tags_with_its_normalized_name_by_default() -> None:
    package = package_from("packages/a", _pyproject("My_Pkg.A"))
    assert package.name == "my-pkg-a"
    assert package.config.tag_for("0.1.1") == "my-pkg-a-v0.1.1"
    assert package.config.commit_message_for("0.1.1") == "Release my-pkg-a 0.1.1"
    assert package.config.tag_message_for("0.1.1") == "Release my-pkg-a 0.1.1"


def test_a_package_keeps_its_own_tag_prefix_and_messages() -> None:
    pyproject = _pyproject("a", **{"tag-prefix": "a/", "commit-message": "a {version}"})
    config = package_from("packages/a", pyproject).config
    assert config.tag_for("1.0") == "a/1.0"
    assert config.commit_message_for("1.0") == "a 1.0"
    assert config.tag_message_for("1.0") == "Release a 1.0"


def test_a_package_needs_a_name() -> None:
    with pytest.raises(ConfigError, match="packages/a has no \\[project\\] name"):
        package_from("packages/a", {"project": {"version": "1"}})


def test_two_packages_cannot_share_a_tag_prefix() -> None:
    a = package_from("packages/a", _pyproject("a", **{"tag-prefix": "v"}))
    b = package_from("packages/b", _pyproject("b", **{"tag-prefix": "v"}))
    with pytest.raises(ConfigError, match="packages/a and packages/b share the tag prefix 'v'"):
        check_packages([a, b])


def _two() -> list[Package]:
    return [package_from(f"packages/{n}", _pyproject(n)) for n in ("a", "b")]


def test_select_package_by_name_or_path() -> None:
    a, b = _two()
    assert select_package([a, b], "b") is b
    assert select_package([a, b], "packages/a") is a
    assert select_package([], None) is None


@pytest.mark.parametrize(
    ("packages", "wanted", "message"),
    [
        (True, "c", "--package c is not a package here; the packages: a, b"),
        (True, None, "this repository holds several packages (a, b); name one with --package"),
        (False, "a", "--package a: this repository holds one package"),
    ],
)
def test_select_package_refusals_are_usage_errors(
    packages: bool, wanted: str | None, message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        select_package(_two() if packages else [], wanted)
    assert caught.value.exit_code == ExitCode.USAGE
    assert message in caught.value.lines()[0]
    assert len(caught.value.lines()) == 1


def test_a_tag_names_its_package_without_package() -> None:
    a, b = _two()
    # "a-" would read a-v1.0 as its version v1.0 too: the longest prefix is the tag's owner,
    # so that two packages never both claim one tag.
    short = package_from("packages/short", _pyproject("short", **{"tag-prefix": "a-"}))

    assert package_of_target([a, b], None, "b-v0.2.0") is b
    assert package_of_target([a, b, short], None, "a-v1.0") is a
    assert package_of_target([a, b, short], None, "a-1.0") is short
    assert package_of_target([a, b], "a", "a-v0.2.0") is a
    assert package_of_target([a, b], "a", "0.2.0") is a  # a version, not a tag: the caller's
    assert package_of_target([], None, "v1.0") is None


@pytest.mark.parametrize(
    ("packages", "wanted", "tag", "line"),
    [
        (
            True,
            None,
            "v9.0.0",
            "error: v9.0.0 is a release tag of none of the packages (a, b); "
            "name a tag of one (a-v*, b-v*), or the package with --package NAME",
        ),
        (
            True,
            "a",
            "b-v0.2.0",
            "error: b-v0.2.0 is not a release tag of --package a (a-v*) but of b; "
            "drop --package, or use --package b",
        ),
        (
            True,
            None,
            "0.2.0",
            "error: version 0.2.0 of which package? This repository holds several (a, b); "
            "name one with --package NAME, or give its tag (a-v0.2.0, b-v0.2.0)",
        ),
        (True, None, None, "error: this repository holds several packages (a, b)"),
        (True, "c", "c-v1.0", "error: --package c is not a package here"),
        (False, "a", "a-v1.0", "error: --package a: this repository holds one package"),
    ],
)
def test_a_tag_of_no_package_or_of_another_is_a_usage_error(
    packages: bool, wanted: str | None, tag: str | None, line: str
) -> None:
    with pytest.raises(UsageError) as caught:
        package_of_target(_two() if packages else [], wanted, tag)
    assert caught.value.exit_code == ExitCode.USAGE
    assert len(caught.value.lines()) == 1
    assert caught.value.lines()[0].startswith(line)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_load_packages_from_a_uv_workspace_on_disk(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", '[tool.uv.workspace]\nmembers = ["packages/*"]\n')
    for name in ("b", "a"):
        _write(tmp_path / f"packages/{name}/pyproject.toml", f'[project]\nname = "{name}"\n')
    (tmp_path / "packages/notes").mkdir()  # no pyproject.toml: not a member

    packages = load_packages(tmp_path, {"tool": {"uv": {"workspace": {"members": ["packages/*"]}}}})

    assert [(p.name, p.path) for p in packages] == [("a", "packages/a"), ("b", "packages/b")]
    project = load_project(tmp_path, "b")
    assert project.root == tmp_path / "packages/b"
    assert project.package is not None and project.package.name == "b"
    assert project.config.tag_prefix == "b-v"


def test_a_configured_package_without_pyproject_is_a_config_error(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", '[tool.release]\npackages = ["packages/a"]\n')
    with pytest.raises(ConfigError, match=r"names packages/a, which has no pyproject\.toml"):
        load_project(tmp_path, "a")


def test_load_project_of_one_package_is_the_root(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", '[project]\nname = "solo"\nversion = "1.0"\n')
    project = load_project(tmp_path)
    assert project.root == tmp_path and project.package is None
    assert project.config.tag_prefix == "v"
