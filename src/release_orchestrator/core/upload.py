"""What PyPI serves of a release, and whether this repository's workflow uploaded it.

PyPI's JSON API lists a release's files; its integrity API (PEP 740 provenance) names the
trusted publisher that uploaded each file. These values and checks are shared by the
confirmation after a green run and by ``release status``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
from packaging.version import InvalidVersion, Version

from .config import ReleaseConfig

DEFAULT_PYPI_TIMEOUT = 5 * 60.0  # PyPI's CDN usually serves a new release within a minute


class ProvenancePublisher(msgspec.Struct, frozen=True):
    """The trusted publisher a file's provenance names (PEP 740, GitHub kind)."""

    kind: str
    repository: str | None
    workflow: str | None
    environment: str | None = None

    def describe(self) -> str:
        """``owner/repo publish.yml (environment pypi)``, as the confirmation shows it."""
        if self.kind != "GitHub":
            return f"a {self.kind} trusted publisher"
        text = f"{self.repository} {self.workflow}"
        return text + (f" (environment {self.environment})" if self.environment else "")

    def to_json(self) -> dict[str, str | None]:
        """The ``publisher`` object of the ``pypi`` JSON shape."""
        return {
            "repository": self.repository,
            "workflow": self.workflow,
            "environment": self.environment,
        }


class ServedFile(msgspec.Struct, frozen=True):
    """One file of the release; ``publisher`` is None when PyPI has no provenance for it."""

    filename: str
    publisher: ProvenancePublisher | None = None


class PyPIRelease(msgspec.Struct, frozen=True):
    """A version as PyPI serves it (``served`` False: not, or not yet)."""

    project: str
    version: str
    served: bool
    files: tuple[ServedFile, ...] = ()

    @property
    def publisher(self) -> ProvenancePublisher | None:
        """The publisher every attested file names; None when none has one or they differ."""
        named = {f.publisher for f in self.files if f.publisher is not None}
        return named.pop() if len(named) == 1 else None

    def to_json(self) -> dict[str, Any]:
        """``{"served", "files", "publisher"}``, the ``pypi`` object of watch and status."""
        publisher = self.publisher
        return {
            "served": self.served,
            "files": [f.filename for f in self.files],
            "publisher": publisher.to_json() if publisher else None,
        }


class ExpectedPublisher(msgspec.Struct, frozen=True):
    """Who should have uploaded: this repository's workflow (and environment, when known)."""

    repository: str  # owner/name
    workflow: str | None
    environment: str | None = None  # None or "": not compared


def _same(a: str | None, b: str | None, *, fold: bool) -> bool:
    if a is None or b is None:
        return a is b
    return a.casefold() == b.casefold() if fold else a == b


def matches(publisher: ProvenancePublisher, expected: ExpectedPublisher) -> bool:
    """Whether the provenance names the expected publisher.

    GitHub names are case-insensitive; the workflow file name is compared exactly and the
    environment ignoring case, as PyPI matches publishers.
    """
    return (
        publisher.kind == "GitHub"
        and _same(publisher.repository, expected.repository, fold=True)
        and (expected.workflow is None or _same(publisher.workflow, expected.workflow, fold=False))
        and (
            not expected.environment
            or _same(publisher.environment, expected.environment, fold=True)
        )
    )


def _expected_words(expected: ExpectedPublisher) -> str:
    text = f"{expected.repository} {expected.workflow or ''}".rstrip()
    return text + (f" (environment {expected.environment})" if expected.environment else "")


def publisher_warnings(release: PyPIRelease, expected: ExpectedPublisher) -> list[str]:
    """One warning per file without provenance or uploaded by another publisher."""
    warnings = []
    for served in release.files:
        if served.publisher is None:
            warnings.append(
                f"PyPI has no provenance for {served.filename}: it was not uploaded by a "
                "trusted publisher with attestations, so who uploaded it is unknown"
            )
        elif not matches(served.publisher, expected):
            warnings.append(
                f"{served.filename} was uploaded by {served.publisher.describe()}, "
                f"not by {_expected_words(expected)}"
            )
    return warnings


def confirmation_line(release: PyPIRelease) -> str:
    """``✓ on PyPI: NAME VERSION — N files, published by … through trusted publishing``."""
    count = len(release.files)
    files = f"{count} file" + ("" if count == 1 else "s")
    head = f"✓ on PyPI: {release.project} {release.version} — {files}"
    publisher = release.publisher
    if publisher is None:
        return head + ", publisher unknown (no single provenance publisher)"
    return f"{head}, published by {publisher.describe()} through trusted publishing"


def project_name(config: ReleaseConfig, pyproject: Mapping[str, Any]) -> str | None:
    """The name on PyPI: ``[tool.release.pypi] project``, else the project's own name."""
    if config.pypi and config.pypi.project:
        return config.pypi.project
    for table in (pyproject.get("project"), pyproject.get("tool", {}).get("poetry")):
        if isinstance(table, Mapping) and isinstance(table.get("name"), str):
            return str(table["name"])
    return None


def version_of_tag(tag: str, prefix: str) -> str | None:
    """The PEP 440 version a release tag names (``v0.1.1`` → ``0.1.1``), or None."""
    if not tag.startswith(prefix):
        return None
    try:
        return str(Version(tag[len(prefix) :]))
    except InvalidVersion:
        return None
