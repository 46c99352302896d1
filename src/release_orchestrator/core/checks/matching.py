"""publisher-mismatch and environment-mismatch, with PyPI's rules (publisher.compare)."""

from __future__ import annotations

import re

from ..publisher import compare
from .facts import Facts, Finding, finding
from .topology import hedge


def check_publisher(facts: Facts) -> list[Finding]:
    """publisher-mismatch and environment-mismatch: the predicted claims against PyPI's."""
    if facts.publishing is None:
        return []
    pub = facts.publishing
    wf, job = pub.workflow, pub.job
    found = [] if facts.owner and facts.repository else [_unknown_repository()]
    unless = hedge(facts)
    for item in compare(pub.publisher, pub.claims):
        if item.status != "mismatch":
            continue
        if item.field == "environment":
            expected = (pub.publisher.environment or "").strip()
            if job.environment is None:
                fix = (
                    f"add `environment: {expected}` to job {job.id!r}, or set the publisher's "
                    "environment on PyPI to empty (Any) and update [tool.release.pypi]"
                )
            else:
                fix = (
                    f"rename job {job.id!r}'s environment to {expected!r}, or set the "
                    f"publisher's environment on PyPI to {job.environment!r} and update "
                    "[tool.release.pypi]"
                )
            where = (wf.path, job.environment_line or job.line)
            message = item.note.rstrip(".")
            found.append(
                finding("environment-mismatch", "error", where, message, fix, unless=unless)
            )
            continue
        line = toml_line(facts.pyproject_text, "tool.release.pypi", item.field)
        found.append(
            finding(
                "publisher-mismatch",
                "error",
                ("pyproject.toml", line),
                item.note.rstrip("."),
                f"edit the publisher on PyPI so that {item.field} is {item.token!r}, and set "
                f'{item.field} = "{item.token}" in [tool.release.pypi]',
                unless=unless,
            )
        )
    return found


def _unknown_repository() -> Finding:
    # No GitHub remote and nothing configured: owner and repository are never guessed.
    return finding(
        "unknown-repository",
        "warning",
        ("pyproject.toml", None),
        "cannot tell the GitHub repository: the git remote names none on github.com and "
        "[tool.release.pypi] does not set owner and repository, so the "
        "publisher's owner and repository were not checked",
        "point the remote at https://github.com/OWNER/REPO.git (url.<base>.insteadOf can "
        "still send git to a mirror), or set owner and repository in [tool.release.pypi]",
    )


def toml_line(text: str, table: str, key: str) -> int | None:
    """The 1-based line of ``key = …`` inside ``[table]`` (a plain scan; None if absent)."""
    inside = False
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("["):
            inside = line.split("#", 1)[0].strip() == f"[{table}]"
        elif inside and re.match(rf"{re.escape(key)}\s*=", line):
            return number
    return None
