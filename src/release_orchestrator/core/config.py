"""The project's settings: ``[tool.release]`` in ``pyproject.toml``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import msgspec

from ..errors import ConfigError
from .publisher import Publisher

DEFAULT_MESSAGE = "Release {version}"


class ReleaseConfig(msgspec.Struct, frozen=True):
    """``[tool.release]``, with the documented defaults filled in."""

    tag_prefix: str = "v"
    remote: str = "origin"
    branch: str | None = None  # None: the remote's default branch
    commit_message: str = DEFAULT_MESSAGE
    tag_message: str = DEFAULT_MESSAGE
    github_release: bool = False
    version_files: tuple[str, ...] = ()
    workflow: str | None = None
    # The changelog whose section is the release's notes; None: CHANGELOG.md if it exists.
    changelog: str | Literal[False] | None = None
    pypi: Publisher | None = None  # [tool.release.pypi]: the publisher configured on PyPI
    # In the root pyproject.toml: the packages' directories (several packages, one repository).
    packages: tuple[str, ...] = ()
    extra: Mapping[str, Any] = msgspec.field(default_factory=dict)

    def tag_for(self, version: str) -> str:
        """The tag name for ``version``."""
        return f"{self.tag_prefix}{version}"

    def commit_message_for(self, version: str) -> str:
        """The release commit's message for ``version``."""
        return _render(self.commit_message, version, "commit-message")

    def tag_message_for(self, version: str) -> str:
        """The annotated tag's message for ``version``."""
        return _render(self.tag_message, version, "tag-message")


def _render(template: str, version: str, key: str) -> str:
    try:
        return template.format(version=version)
    except (KeyError, IndexError, ValueError, AttributeError, TypeError) as exc:
        raise ConfigError(
            f"[tool.release] {key} {template!r} is not a valid template",
            "use {version} as the only placeholder",
        ) from exc


_STR_KEYS = {"tag-prefix", "remote", "branch", "commit-message", "tag-message", "workflow"}
_PYPI_KEYS = {"project", "owner", "repository", "workflow", "environment", "index"}


def _expect(value: object, kind: type, key: str) -> Any:
    if not isinstance(value, kind):
        raise ConfigError(
            f"[tool.release] {key} must be a {kind.__name__}, not {type(value).__name__}",
            "fix it in pyproject.toml (see README, Configuration)",
        )
    return value


def _parse_pypi(table: object) -> Publisher:
    data = _expect(table, dict, "pypi")
    unknown = sorted(set(data) - _PYPI_KEYS)
    if unknown:
        raise ConfigError(
            f"[tool.release.pypi] has unknown key {unknown[0]!r}",
            f"known keys: {', '.join(sorted(_PYPI_KEYS))}",
        )
    values = {k: str(_expect(v, str, f"pypi.{k}")) for k, v in data.items()}
    index = values.get("index", "pypi")
    if index not in ("pypi", "testpypi"):
        raise ConfigError(
            f"[tool.release.pypi] index must be 'pypi' or 'testpypi', not {index!r}",
            "PyPI and TestPyPI each need their own trusted publisher",
        )
    return Publisher.given("[tool.release.pypi] in pyproject.toml", **values)


def _parse_changelog(value: object) -> str | Literal[False]:
    if value is False:
        return False
    if isinstance(value, str) and value.strip():
        return value
    shown = "true" if value is True else repr(value) if isinstance(value, str) else None
    raise ConfigError(
        f"[tool.release] changelog must be a file name or false, not "
        f"{shown or type(value).__name__}",
        'write changelog = "CHANGELOG.md", or changelog = false to release without one',
    )


def parse_release_table(table: Mapping[str, Any]) -> ReleaseConfig:
    """Build a :class:`ReleaseConfig` from the ``[tool.release]`` table, checking every key."""
    kwargs: dict[str, Any] = {}
    for key, value in table.items():
        attr = key.replace("-", "_")
        if key in _STR_KEYS:
            kwargs[attr] = str(_expect(value, str, key))
        elif key == "github-release":
            kwargs[attr] = bool(_expect(value, bool, key))
        elif key in ("version-files", "packages"):
            items = _expect(value, list, key)
            kwargs[attr] = tuple(str(_expect(f, str, key)) for f in items)
        elif key == "pypi":
            kwargs["pypi"] = _parse_pypi(value)
        elif key == "changelog":
            kwargs[attr] = _parse_changelog(value)
        else:
            raise ConfigError(
                f"[tool.release] has unknown key {key!r}",
                "see README, Configuration, for the keys release understands",
            )
    config = ReleaseConfig(**kwargs)
    # Render once so that a broken template is reported before any change.
    config.commit_message_for("0")
    config.tag_message_for("0")
    return config


def load_config(pyproject: dict[str, Any]) -> ReleaseConfig:
    """The ``[tool.release]`` settings of a parsed pyproject.toml (defaults when absent)."""
    table = pyproject.get("tool", {}).get("release", {})
    return parse_release_table(_expect(table, dict, "table"))


def project_name(config: ReleaseConfig, pyproject: Mapping[str, Any]) -> str | None:
    """The project's name on PyPI: ``[tool.release.pypi] project``, else the package's name."""
    if config.pypi and config.pypi.project:
        return config.pypi.project
    for table in (pyproject.get("project"), pyproject.get("tool", {}).get("poetry")):
        if isinstance(table, Mapping) and isinstance(table.get("name"), str):
            return str(table["name"])
    return None
