"""The doctor's checks: pure functions from :class:`Facts` to a list of :class:`Finding`.

:data:`CHECKS` is the one list, in report order (the workflow's findings first, then the
version's, then what the index said). Adding a check is adding a function to it.
"""

from __future__ import annotations

from collections.abc import Sequence

from .action import check_action_version
from .build import check_build_split
from .facts import Check, Facts, Finding, Note, Outcome
from .matching import check_publisher
from .packages import check_package_publishing
from .permissions import check_permissions
from .presence import check_publish_workflow
from .reusable import check_reusable
from .security import check_security
from .steps import check_index, check_password
from .triggers import check_triggers
from .versions import check_index_answer, check_versions

CHECKS: tuple[Check, ...] = (
    check_publish_workflow,
    check_triggers,
    check_package_publishing,
    check_permissions,
    check_reusable,
    check_password,
    check_action_version,
    check_index,
    check_build_split,
    check_publisher,
    check_versions,
    check_index_answer,
)


def run_checks(facts: Facts) -> tuple[list[Finding], list[Note]]:
    """Every check's findings and notes, in :data:`CHECKS` order."""
    return _split([outcome for check in CHECKS for outcome in check(facts)])


def run_security(facts: Facts, ours: Sequence[Finding]) -> tuple[list[Finding], list[Note]]:
    """The findings zizmor has for the publishing job, and its notes; a problem that one of
    ``ours`` (:func:`run_checks`' findings) reports too is left to ours.

    Kept apart from :func:`run_checks`: they say how safe the workflow is, not whether
    this upload will work, so they never block ``release cut`` and have their own list.
    """
    return _split(check_security(facts, ours))


def _split(outcomes: Sequence[Outcome]) -> tuple[list[Finding], list[Note]]:
    findings = [o for o in outcomes if isinstance(o, Finding)]
    return findings, [o for o in outcomes if isinstance(o, Note)]


__all__ = ["CHECKS", "Facts", "Finding", "Note", "run_checks", "run_security"]
