"""outdated-action: pypa/gh-action-pypi-publish too old for the distributions it uploads."""

from __future__ import annotations

import re

from ..workflows import PUBLISH_ACTION
from .facts import Facts, Finding, finding

# pypa/gh-action-pypi-publish learned Metadata 2.4 (twine/pkginfo) in v1.12.
_MIN_ACTION = (1, 12)
_ACTION_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$")


def check_action_version(facts: Facts) -> list[Finding]:
    """outdated-action, for each step that uses the publishing action."""
    if facts.publishing is None:
        return []
    found = []
    for step in facts.publishing.job.publish_steps:
        if not step.uses or step.uses.split("@", 1)[0].strip() != PUBLISH_ACTION:
            continue
        ref = step.uses.split("@", 1)[1].strip() if "@" in step.uses else ""
        version = _ACTION_VERSION.match(ref)
        if not version:
            continue  # release/v1, a branch, or a commit sha: nothing to say
        if (int(version.group(1)), int(version.group(2) or 0)) < _MIN_ACTION:
            found.append(
                finding(
                    "outdated-action",
                    "error",
                    (facts.publishing.workflow.path, step.line),
                    f"{PUBLISH_ACTION}@{ref} predates Metadata 2.4: its twine check fails on "
                    "current builds with 'Metadata is missing required fields: Name, Version'",
                    f"use {PUBLISH_ACTION}@release/v1 (or v1.12 or later)",
                )
            )
    return found
