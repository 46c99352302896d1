"""version-mismatch, version-already-published and index-unreachable: the release's version."""

from __future__ import annotations

from packaging.version import InvalidVersion, Version

from ..packages import command
from ..publisher import INDEX_NAMES
from .facts import Facts, Finding, finding


def tagged_version(facts: Facts) -> Version | None:
    """The version the tag names after the tag prefix, or None when it names none."""
    prefix = facts.config.tag_prefix
    if not facts.tag.startswith(prefix):
        return None
    try:
        return Version(facts.tag[len(prefix) :])
    except InvalidVersion:
        return None


def released_version(facts: Facts) -> Version | None:
    """The version the release publishes: the tag's, else the project's."""
    tagged = tagged_version(facts)
    return tagged if tagged is not None else facts.version


def check_versions(facts: Facts) -> list[Finding]:
    """version-mismatch: tag, project version and dist/ disagree."""
    prefix, tag = facts.config.tag_prefix, facts.tag
    tagged = tagged_version(facts)
    if tagged is None:
        problem = (
            f"tag {tag} does not start with the tag prefix {prefix!r}"
            if not tag.startswith(prefix)
            else f"tag {tag} does not name a PEP 440 version after {prefix!r}"
        )
        return [
            finding(
                "version-mismatch",
                "error",
                ("pyproject.toml", None),
                problem,
                f"tag releases as {facts.config.tag_for('X.Y.Z')} (release cut does), or change "
                "tag-prefix in [tool.release]",
            )
        ]
    found = []
    if facts.version is not None and tagged != facts.version:
        found.append(
            finding(
                "version-mismatch",
                "error",
                ("pyproject.toml", None),
                f"tag {tag} says {tagged}, but the project's version is {facts.version}: the "
                f"distributions built for {tag} would be {facts.version}",
                f"let {command('cut', facts.package)} {tagged} set the version and the tag "
                "together",
            )
        )
    built = facts.dist_versions
    if facts.check_dist and facts.project and built and tagged not in built:
        names = ", ".join(sorted(str(v) for v in built))
        found.append(
            finding(
                "version-mismatch",
                "warning",
                ("dist", None),
                f"dist/ holds builds of {names}, none of {tagged}",
                "rebuild (python -m build) or empty dist/ before uploading by hand; the "
                "publish workflow builds its own",
            )
        )
    return found


def check_index_answer(facts: Facts) -> list[Finding]:
    """version-already-published and index-unreachable, from the JSON API's answer."""
    answer, project = facts.index_answer, facts.project
    if answer is None or project is None:
        return []
    name = INDEX_NAMES.get(facts.index, facts.index)
    if answer.exists is None:
        return [
            finding(
                "index-unreachable",
                "warning",
                (None, None),
                f"could not ask {answer.url} ({answer.problem}): whether {project} exists on "
                f"{name} (and needs a pending publisher) and whether the version is taken is "
                "unknown",
                "check the network, or set RELEASE_PYPI_URL to a reachable mirror of the JSON API",
            )
        ]
    version = released_version(facts)
    if answer.exists and version is not None and answer.has_version(str(version)):
        return [
            finding(
                "version-already-published",
                "error",
                ("pyproject.toml", None),
                f"{project} {version} is already on {name}: uploading it again fails with "
                "'File already exists'",
                f"release a new version (e.g. {command('cut', facts.package)} patch)",
            )
        ]
    return []
