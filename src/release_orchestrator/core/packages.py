"""Several packages in one repository: which directories they are, and each one's settings.

The packages are ``[tool.release] packages`` in the root ``pyproject.toml``, else the
members of a virtual uv workspace (``[tool.uv.workspace] members``, minus ``exclude``;
a root that is itself a ``[project]`` stays a one-package repository). Each package has
its own ``pyproject.toml`` and ``[tool.release]``; its tags are ``{name}-v{version}``
unless it sets ``tag-prefix``, so that one package's tags are never another's versions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

import msgspec
from msgspec.structs import replace

from ..errors import ConfigError, UsageError
from .config import ReleaseConfig, load_config
from .model import canonical_name
from .upload import version_of_tag


class Workspace(msgspec.Struct, frozen=True):
    """Where the root ``pyproject.toml`` says the packages are."""

    members: tuple[str, ...]  # directories, or globs of them (uv workspace)
    exclude: tuple[str, ...] = ()
    globs: bool = False  # False: ``members`` are exact paths ([tool.release] packages)
    source: str = "[tool.release] packages"


class Package(msgspec.Struct, frozen=True):
    """One package of the repository: its normalized name, directory and settings."""

    name: str
    path: str  # relative to the repository's root, with "/" separators
    config: ReleaseConfig


def find_workspace(root_pyproject: Mapping[str, Any]) -> Workspace | None:
    """The packages' locations the root ``pyproject.toml`` declares; None for one package."""
    config = load_config(dict(root_pyproject))
    if config.packages:
        return Workspace(config.packages)
    if isinstance(root_pyproject.get("project"), Mapping):
        return None  # the root is the package (its workspace members are its libraries)
    uv = root_pyproject.get("tool", {}).get("uv", {})
    table = uv.get("workspace") if isinstance(uv, Mapping) else None
    if not isinstance(table, Mapping):
        return None
    members = _strings(table.get("members", []), "[tool.uv.workspace] members")
    exclude = _strings(table.get("exclude", []), "[tool.uv.workspace] exclude")
    if not members:
        return None
    return Workspace(members, exclude, globs=True, source="[tool.uv.workspace] members")


def _strings(value: object, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{key} must be a list of strings", "fix it in pyproject.toml")
    return tuple(str(v) for v in value)


def _glob_match(path: Sequence[str], pattern: Sequence[str]) -> bool:
    """Whether the path's segments match the pattern's (``*`` within one, ``**`` across)."""
    if not pattern:
        return not path
    if pattern[0] == "**":
        return any(_glob_match(path[i:], pattern[1:]) for i in range(len(path) + 1))
    return bool(path) and fnmatchcase(path[0], pattern[0]) and _glob_match(path[1:], pattern[1:])


def _segments(path: str) -> list[str]:
    return [part for part in path.strip().split("/") if part not in ("", ".")]


def matches(path: str, pattern: str) -> bool:
    """Whether the relative ``path`` matches the glob ``pattern``, as uv's members do."""
    return _glob_match(_segments(path), _segments(pattern))


def member_paths(workspace: Workspace, candidates: Iterable[str]) -> list[str]:
    """The package directories among ``candidates`` (directories holding a pyproject.toml,
    relative to the root), in order: exact ``members`` as given, globbed ones sorted.
    """
    if not workspace.globs:
        return ["/".join(_segments(m)) for m in workspace.members]
    found = {
        "/".join(_segments(path))
        for path in candidates
        if any(matches(path, m) for m in workspace.members)
        and not any(matches(path, e) for e in workspace.exclude)
    }
    return sorted(found)


def package_from(path: str, pyproject: Mapping[str, Any]) -> Package:
    """The package at ``path``, from its own ``pyproject.toml`` (``[project] name`` needed).

    Its tags default to ``{name}-v`` and its messages name it, so that two packages
    released at the same version never share a tag, a commit message or a tag message.
    """
    project = pyproject.get("project")
    name = project.get("name") if isinstance(project, Mapping) else None
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(
            f"the package {path} has no [project] name in its pyproject.toml",
            "give it one: each package is released under its own name",
        )
    name = canonical_name(name)
    config = load_config(dict(pyproject))
    if config.packages:
        raise ConfigError(
            f"the package {path} lists packages of its own in [tool.release]",
            "list every package in the root pyproject.toml only",
        )
    table = pyproject.get("tool", {}).get("release", {})
    message = f"Release {name} {{version}}"
    config = replace(
        config,
        tag_prefix=config.tag_prefix if "tag-prefix" in table else f"{name}-v",
        commit_message=config.commit_message if "commit-message" in table else message,
        tag_message=config.tag_message if "tag-message" in table else message,
    )
    return Package(name, path, config)


def check_packages(packages: Sequence[Package]) -> None:
    """Refuse two packages with one name or one tag prefix: their tags would mix."""
    for attr, what in (("name", "name"), ("tag_prefix", "tag prefix")):
        seen: dict[str, str] = {}
        for package in packages:
            value = package.name if attr == "name" else package.config.tag_prefix
            if value in seen:
                raise ConfigError(
                    f"the packages {seen[value]} and {package.path} share the {what} {value!r}",
                    "give each package its own [project] name and tag-prefix",
                )
            seen[value] = package.path


def command(verb: str, package: str | None) -> str:
    """``release VERB``, with ``--package NAME`` when it is one package's (for the hints)."""
    return f"release {verb} --package {package}" if package else f"release {verb}"


def select_package(packages: Sequence[Package], wanted: str | None) -> Package | None:
    """The package ``--package`` names (None in a one-package repository without it).

    A name that is not a package, ``--package`` in a one-package repository, and no
    ``--package`` among several packages are usage errors.
    """
    names = ", ".join(p.name for p in packages)
    if not packages:
        if wanted is not None:
            raise UsageError(
                f"--package {wanted}: this repository holds one package",
                "drop --package, or list the packages in [tool.release] packages",
            )
        return None
    if wanted is None:
        raise UsageError(
            f"this repository holds several packages ({names})", "name one with --package NAME"
        )
    key = canonical_name(wanted)
    found = next((p for p in packages if key in (p.name, canonical_name(p.path))), None)
    if found is None:
        raise UsageError(f"--package {wanted} is not a package here", f"the packages: {names}")
    return found


def package_for_tag(packages: Sequence[Package], tag: str) -> Package | None:
    """The package whose tag prefix ``tag`` carries, followed by a version (the longest
    prefix wins, so ``a-b-v1.0`` is ``a-b``'s even beside a package tagged ``a-``).
    """
    owners = [p for p in packages if version_of_tag(tag, p.config.tag_prefix) is not None]
    return max(owners, key=lambda p: len(p.config.tag_prefix), default=None)


def package_of_target(
    packages: Sequence[Package], wanted: str | None, tag: str | None
) -> Package | None:
    """The package ``--package`` names, else the one whose prefix the TAG given carries
    (:func:`package_for_tag`): ``release watch b-v0.2.0`` is ``b``'s without ``--package``.

    Beyond :func:`select_package`'s refusals, a TAG that is no package's (without
    ``--package``) and a ``--package`` that another package's TAG contradicts are usage
    errors. A TAG of none of the packages with ``--package`` is left to the caller: it may
    be a version (``release status --package a 0.1.1``).
    """
    if tag is None or not packages:
        return select_package(packages, wanted)
    owner = package_for_tag(packages, tag)
    if wanted is None:
        if owner is None:
            names = ", ".join(p.name for p in packages)
            if tag[:1].isdigit() and version_of_tag(tag, "") is not None:
                # ``release status 0.2.0``: a version (PEP 440 would also read ``v9.0`` as
                # one, but that is a tag), which every package may have.
                tags = ", ".join(p.config.tag_for(tag) for p in packages)
                raise UsageError(
                    f"version {tag} of which package? This repository holds several ({names})",
                    f"name one with --package NAME, or give its tag ({tags})",
                )
            prefixes = ", ".join(f"{p.config.tag_prefix}*" for p in packages)
            raise UsageError(
                f"{tag} is a release tag of none of the packages ({names})",
                f"name a tag of one ({prefixes}), or the package with --package NAME",
            )
        return owner
    chosen = select_package(packages, wanted)
    if chosen is not None and owner is not None and owner is not chosen:
        raise UsageError(
            f"{tag} is not a release tag of --package {wanted} "
            f"({chosen.config.tag_prefix}*) but of {owner.name}",
            f"drop --package, or use --package {owner.name}",
        )
    return chosen
