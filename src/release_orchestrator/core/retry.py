"""``release retry``'s decision: re-run the failed jobs, or say what to do instead.

Built on :func:`.retry_policy.rerun_can_fix` (which causes a re-run can fix at all) with
what only this run shows: whether it failed, the publisher compared again with the token
of the failed run, and the files PyPI already has of the version.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from .explain import ExplainReport
from .packages import command
from .publisher import ChecklistItem
from .retry_policy import rerun_can_fix
from .runs import Conclusion, RunState

# The refusals whose cause is the publisher's fields, which the checklist compares again.
_PUBLISHER_REFUSALS = ("invalid-publisher", "trusted-publishing-failed")


class RetryDecision(msgspec.Struct, frozen=True):
    """Whether to re-run, why (one sentence), what to do instead, and what to beware of.

    ``finding`` is the explain code behind the decision (None when no log was read or
    nothing was recognised).
    """

    rerun: bool
    reason: str
    finding: str | None = None
    instead: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def sentence(self) -> str:
        """The reason with what to do instead, as ``--json``'s ``reason`` gives it."""
        return f"{self.reason}; {self.instead}" if self.instead else self.reason


class Published(msgspec.Struct, frozen=True):
    """What PyPI serves of the version being retried (``files`` None: could not tell)."""

    project: str
    version: str
    files: tuple[str, ...] | None
    skip_existing: bool = False  # the local upload step skips the files the index has,
    skip_option: str | None = "skip-existing: true"  # with this option (None: it has none)


def decide_retry(
    run: RunState,
    report: ExplainReport | None,
    published: Published | None,
    package: str | None = None,
) -> RetryDecision:
    """Can re-running the failed jobs of ``run`` succeed? ``report`` explains its logs;
    ``package`` is the one the run released, among several (named in the new release's
    command).
    """
    new_release = f"{command('cut', package)} patch"
    if not run.completed:
        return RetryDecision(
            False,
            f"run {run.id} has not finished (it is {run.status.words}), so there is nothing "
            "to re-run",
            instead=f"follow it with: release watch {run.id}",
        )
    if run.succeeded:
        return RetryDecision(
            False, f"run {run.id} succeeded ({run.conclusion}); there is nothing to re-run"
        )
    finding = report.findings[0] if report is not None and report.findings else None
    if finding is None:
        return _unexplained(run)
    code = finding.code
    if not rerun_can_fix(code):
        return RetryDecision(
            False,
            f"{code}: {finding.cause} A re-run runs the same workflow file at the same commit, "
            "so it would fail the same way",
            finding=code,
            instead=f"fix the cause (release explain {run.id} says how), commit, and release a "
            f"new version: {new_release}",
        )
    assert report is not None
    matches = ""
    if code in _PUBLISHER_REFUSALS:
        differing = [item for item in report.checklist if item.status == "mismatch"]
        if differing:
            return _publisher_still_differs(run, report.source, differing, code, new_release)
        if report.claims is not None:
            matches = f", and the publisher as configured ({report.source}) matches its token"
    return RetryDecision(
        True,
        f"{code} ({finding.title}) can be fixed outside the repository{matches}, so "
        f"re-running the failed jobs of run {run.id} at the same commit can succeed",
        finding=code,
        warnings=_warnings(code, report, published),
    )


def _unexplained(run: RunState) -> RetryDecision:
    if run.conclusion in (Conclusion.CANCELLED, Conclusion.TIMED_OUT):
        return RetryDecision(
            True,
            f"run {run.id} was {run.conclusion.words if run.conclusion else 'stopped'} and its "
            "logs show no failure that a re-run would repeat",
        )
    return RetryDecision(
        False,
        f"release explain recognised no cause in the failed jobs of run {run.id}, so whether "
        "a re-run can succeed is unknown",
        instead=f"read the last error lines (release explain {run.id}); if the failure was "
        f"passing, re-run it from {run.html_url}",
    )


def _publisher_still_differs(
    run: RunState, source: str, differing: Sequence[ChecklistItem], code: str, new_release: str
) -> RetryDecision:
    """A re-run sends the same claims: a publisher that still differs refuses it again."""
    fields = "; ".join(
        f"{item.field}: publisher {item.publisher!r}, token "
        + (repr(item.token) if item.token is not None else "none (the job has no such claim)")
        for item in differing
    )
    names = " and ".join(item.field for item in differing)
    return RetryDecision(
        False,
        f"the publisher as configured ({source}) still differs from the token of run "
        f"{run.id} in {names} ({fields}); a re-run sends the same claims, so PyPI would "
        "refuse it again",
        finding=code,
        instead="if PyPI's publisher now has the token's values, put them in "
        f"[tool.release.pypi] and run release retry {run.id} again; if the workflow must "
        f"change instead, commit the fix and release a new version: {new_release}",
    )


def _warnings(code: str, report: ExplainReport, published: Published | None) -> tuple[str, ...]:
    warnings = []
    if code in _PUBLISHER_REFUSALS and report.claims is None:
        warnings.append(
            "the log does not show the token's claims, so the publisher could not be "
            "compared with them again"
        )
    if code == "too-many-new-projects":
        warnings.append(
            "PyPI's limit on new projects lasts about a day; a re-run before then fails the "
            "same way"
        )
    if published is not None and published.files:
        shown = ", ".join(published.files[:3]) + (" …" if len(published.files) > 3 else "")
        what = (
            f"PyPI already has {len(published.files)} file(s) of {published.project} "
            f"{published.version} ({shown})"
        )
        option = published.skip_option
        if published.skip_existing:
            warnings.append(f"{what}; the upload step has `{option}`, so it skips them")
        elif option is not None:
            warnings.append(
                f'{what}: a re-run fails with "File already exists" unless the upload step '
                f"has `{option}`"
            )
        else:
            warnings.append(
                f'{what}: a re-run fails with "File already exists", and the upload step\'s '
                "uploader cannot skip them"
            )
    return tuple(warnings)
