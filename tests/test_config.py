"""``[tool.release]``: defaults, every key, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from release_orchestrator.adapters.files import load_pyproject
from release_orchestrator.core.config import ReleaseConfig, load_config, parse_release_table
from release_orchestrator.errors import ConfigError, ExitCode


def test_defaults() -> None:
    config = parse_release_table({})
    assert config == ReleaseConfig()
    assert config.tag_for("1.0") == "v1.0"
    assert config.commit_message_for("1.0") == "Release 1.0"


def test_every_key() -> None:
    config = parse_release_table(
        {
            "tag-prefix": "",
            "remote": "upstream",
            "branch": "trunk",
            "commit-message": "bump: {version}",
            "tag-message": "v{version}!",
            "github-release": True,
            "version-files": ["a.py"],
            "workflow": "publish.yml",
            "pypi": {"owner": "o", "repository": "r", "environment": "", "index": "testpypi"},
        }
    )
    assert config.tag_for("1.0") == "1.0"
    assert (config.remote, config.branch, config.github_release) == ("upstream", "trunk", True)
    assert config.tag_message_for("2") == "v2!"
    assert config.version_files == ("a.py",)
    assert config.pypi is not None and config.pypi.index == "testpypi"
    assert config.pypi.environment == ""


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"tag_prefix": "v"}, "unknown key 'tag_prefix'"),
        ({"github-release": "yes"}, "github-release must be a bool"),
        ({"version-files": "a.py"}, "version-files must be a list"),
        ({"commit-message": "Release {ver}"}, "not a valid template"),
        ({"pypi": {"index": "warehouse"}}, "index must be 'pypi' or 'testpypi'"),
        ({"pypi": {"subject": "repo:o/r:ref:refs/tags/v*"}}, "unknown key 'subject'"),
    ],
)
def test_bad_config(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_release_table(table)
    assert message in info.value.message
    assert info.value.exit_code == ExitCode.CHECK_FAILED


def test_load_pyproject_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no pyproject\.toml"):
        load_pyproject(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[project\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_pyproject(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.release]\nremote = 'up'\n")
    assert load_config(load_pyproject(tmp_path)).remote == "up"
