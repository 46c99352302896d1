"""The value types the layers exchange: repositories, remote state, releases, versions, files.

Plain frozen values, no behaviour beyond formatting: the adapters produce them, the core
plans with them, the renderers show them.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Literal

import msgspec
from packaging.version import Version

SourceKind = Literal["project", "poetry", "file", "scm"]


def canonical_name(name: str) -> str:
    """A project's name as PyPI compares it: PEP 503's ``re.sub(r"[-_.]+", "-", name).lower()``.

    The same as ``packaging.utils.canonicalize_name``, whose module also loads
    ``packaging.tags`` (the platform's wheel tags), which ``release cut`` has no use for.
    """
    return re.sub(r"[-_.]+", "-", name).lower()


def display_path(root: Path, path: Path) -> str:
    """``path`` relative to ``root`` in POSIX form, or the full path when it is outside."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


class RepoRef(msgspec.Struct, frozen=True):
    """A repository on a GitHub host, as named by a git remote."""

    host: str
    owner: str
    name: str

    @property
    def full_name(self) -> str:
        """``owner/name``, the form the API and PyPI's publisher form use."""
        return f"{self.owner}/{self.name}"


class RemoteState(msgspec.Struct, frozen=True):
    """What ``git ls-remote`` says about the remote: its default branch, branches and tags."""

    default_branch: str | None
    heads: dict[str, str] = msgspec.field(default_factory=dict)
    tags: dict[str, str] = msgspec.field(default_factory=dict)  # tag name -> peeled commit sha


class ReleaseInfo(msgspec.Struct, frozen=True):
    """A GitHub Release as the tool reports it."""

    id: int
    tag: str
    url: str
    draft: bool
    prerelease: bool


class VersionSource(msgspec.Struct, frozen=True):
    """Where the current version was found, and what ``release`` says about it."""

    kind: SourceKind
    path: Path | None  # the file that holds the version; None for scm
    description: str  # e.g. "[project].version in pyproject.toml", "git tags (hatch-vcs)"
    current: Version | None  # None for scm: the caller reads it from the tags
    pattern: str | None = None  # kind "file": the regex whose `version` group holds it


class FileChange(msgspec.Struct, frozen=True):
    """One file's content before and after the version is rewritten."""

    path: Path
    before: bytes
    after: bytes

    def diff(self, root: Path) -> str:
        """A unified diff with paths relative to ``root`` (line endings not shown)."""
        name = display_path(root, self.path)
        lines = difflib.unified_diff(
            self.before.decode("utf-8", "replace").splitlines(),
            self.after.decode("utf-8", "replace").splitlines(),
            f"a/{name}",
            f"b/{name}",
            lineterm="",
        )
        return "".join(f"{line}\n" for line in lines)
