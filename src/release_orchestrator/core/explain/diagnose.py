"""Decide which findings the evidence supports, in order of likelihood, with precise causes.

Rules fire line by line; this module adds the findings that only the whole log reveals
(a reusable workflow seen in the claims, an empty secret followed by a failed exchange, a
job that failed before publishing), drops the ones a more precise finding makes redundant,
and, for a publisher refusal, names the field that differs (from the checklist) instead of
the generic "no publisher matches".
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from ..findings import Severity
from ..packages import command
from ..publisher import INDEX_HOSTS, INDEX_NAMES, ChecklistItem, Publisher, is_reusable
from .report import Finding
from .rules import IDENTITY_MISMATCH, RANK, RETRY_STEP, RULES_BY_CODE, Rule, Variant
from .scan import Evidence

# Findings whose cause the checklist can make precise.
_PUBLISHER_REFUSALS = ("invalid-publisher", "trusted-publishing-failed")


class _Match(msgspec.Struct, frozen=True):
    variant: Variant | None
    line: str | None


def diagnose(
    evidence: Evidence,
    publisher: Publisher | None,
    checklist: Sequence[ChecklistItem],
    package: str | None = None,
) -> list[Finding]:
    """The findings for ``evidence``, most likely first; the fixes' commands name
    ``package`` (the one the failed run released, among several).
    """
    matches = {code: _Match(hit.variant, hit.line) for code, hit in evidence.hits.items()}
    _add_derived(matches, evidence)
    severities = {code: _severity(code, matches) for code in matches}
    codes = _prune(matches, severities)
    codes.sort(key=lambda code: (severities[code] != "error", RANK[code]))
    host = INDEX_HOSTS.get(evidence.index or "pypi", "pypi.org")
    findings = []
    for code in codes:
        rule = RULES_BY_CODE[code]
        match = matches[code]
        cause, fix = _explain(rule, match.variant, publisher, checklist, evidence)
        findings.append(
            Finding(
                code=code,
                severity=severities[code],
                title=rule.title,
                cause=cause.replace("{host}", host),
                fix=tuple(_for_package(step.replace("{host}", host), package) for step in fix),
                docs=rule.docs,
                evidence=match.line,
            )
        )
    return findings


def _for_package(step: str, package: str | None) -> str:
    """The step with its ``release`` commands for ``package``: among several packages,
    ``release retry`` and ``release cut`` without ``--package`` are refused.
    """
    if package is None:
        return step
    for verb in ("retry", "cut"):
        step = step.replace(f"`release {verb}", f"`{command(verb, package)}")
    return step


def _add_derived(matches: dict[str, _Match], evidence: Evidence) -> None:
    stages = {RULES_BY_CODE[code].stage for code in matches}
    claims = evidence.claims
    if claims is not None and is_reusable(claims) and "reusable-workflow" not in matches:
        line = f"workflow_ref {claims.workflow_ref} != job_workflow_ref {claims.job_workflow_ref}"
        if claims.workflow_ref is None:
            line = f"job_workflow_ref {claims.job_workflow_ref} in repository {claims.repository}"
        matches["reusable-workflow"] = _Match(None, line)
    if (
        evidence.empty_secret
        and "empty-password-secret" not in matches
        and ("exchange" in stages or "invalid-credentials" in matches)
    ):
        matches["empty-password-secret"] = _Match(None, f"{evidence.empty_secret}: (empty)")
    if (
        evidence.legacy_exchange
        and "missing-id-token-permission" in matches
        and "empty-password-secret" not in matches
    ):
        # Before v1.9 the action fell back to trusted publishing on an empty password, so a
        # job with no id-token most likely meant to upload with a secret that expanded empty.
        matches["empty-password-secret"] = _Match(
            None, f"action before v1.9: {evidence.legacy_exchange}"
        )
    if evidence.exit_code and not evidence.publish_step and not matches:
        matches["step-failed"] = _Match(None, None)


def _severity(code: str, matches: dict[str, _Match]) -> Severity:
    rule = RULES_BY_CODE[code]
    if code == "reusable-workflow":
        # Only a warning from the action, unless the exchange failed too, or the index
        # refused an attestation signed for another workflow (the caller) than its publisher.
        refused = any(
            RULES_BY_CODE[other].stage == "exchange" for other in matches if other != code
        )
        attestation = matches.get("attestation-failure")
        identity = (
            attestation is not None
            and attestation.variant is not None
            and attestation.variant.phrases == IDENTITY_MISMATCH
        )
        return "error" if refused or identity or matches[code].variant is not None else "warning"
    return rule.severity


def _prune(matches: dict[str, _Match], severities: dict[str, Severity]) -> list[str]:
    superseded = {gone for code in matches for gone in RULES_BY_CODE[code].supersedes}
    codes = [code for code in matches if code not in superseded]
    specific = any(
        not RULES_BY_CODE[code].generic and severities[code] == "error" for code in codes
    )
    return [code for code in codes if not (specific and RULES_BY_CODE[code].generic)]


def _explain(
    rule: Rule,
    variant: Variant | None,
    publisher: Publisher | None,
    checklist: Sequence[ChecklistItem],
    evidence: Evidence,
) -> tuple[str, tuple[str, ...]]:
    cause = variant.cause if variant else rule.cause
    fix = variant.fix if variant and variant.fix else rule.fix
    if rule.code not in _PUBLISHER_REFUSALS or not checklist:
        return cause, fix
    index_cause = _index_mismatch(publisher, evidence.index)
    if index_cause:
        return index_cause
    mismatched = [item for item in checklist if item.status == "mismatch"]
    if mismatched:
        fields = [item.field for item in mismatched]
        if len(mismatched) == 1:
            cause = mismatched[0].note
        else:
            cause = f"The job's {_join(fields)} differ from PyPI's publisher (see the checklist)."
        reusable = evidence.claims is not None and is_reusable(evidence.claims)
        steps = [step for item in mismatched for step in _field_fix(item, reusable)]
        return cause, (*steps, RETRY_STEP)
    if variant is not None:
        # PyPI named the failed check (e.g. the owner's id), which the checklist cannot see.
        return cause, fix
    if publisher is not None and all(item.status == "match" for item in checklist):
        return (
            "Every field PyPI compares matches the publisher given here, so the publisher on "
            "{host} differs from it, belongs to another project, or predates an owner's "
            "re-creation (new repository_owner_id).",
            (
                "Open the project's Settings > Publishing on {host} and compare it with the "
                "form values below.",
                "If the owner account was deleted and recreated, delete the publisher and add "
                "it again.",
                RETRY_STEP,
            ),
        )
    return cause, fix


def _index_mismatch(
    publisher: Publisher | None, index: str | None
) -> tuple[str, tuple[str, ...]] | None:
    """PyPI and TestPyPI are separate services, each with its own publishers."""
    if publisher is None or index is None or publisher.index == index:
        return None
    used = INDEX_NAMES.get(index, index)
    configured = INDEX_NAMES.get(publisher.index, publisher.index)
    return (
        f"The job exchanged its token with {used}, but the publisher compared here is on "
        f"{configured}; the two indexes need separate publishers.",
        (
            f"Add the publisher on {used} as well (it has its own accounts and projects), "
            "with the form values below.",
            "Or point the publish step at the index you meant (`repository-url`).",
            RETRY_STEP,
        ),
    )


def _field_fix(item: ChecklistItem, reusable: bool) -> tuple[str, ...]:
    token = item.token
    wanted = (item.publisher or "").strip()
    if token is not None and wanted.casefold() == token.casefold():
        # Only case or whitespace differs: the fix is to retype it exactly.
        return (f"Re-enter the publisher's {item.field} on {{host}} exactly as {token!r}.",)
    if item.field == "owner":
        return (
            f"On {{host}}, add a publisher for owner {token!r} (a transferred repository or "
            "renamed owner needs a new publisher), then delete the old one.",
        )
    if item.field == "repository":
        return (
            f"Edit the publisher on {{host}}: set Repository name to {token!r}, exactly as "
            "GitHub spells it.",
        )
    if item.field == "workflow":
        if reusable:
            return (
                "Publish from the top-level workflow; PyPI does not support reusable workflows.",
            )
        return (
            f"Set the publisher's Workflow name to {token!r} on {{host}}, or rename the "
            f"workflow file back to {wanted!r}.",
        )
    if token is None:
        return (
            f"Add `environment: {wanted}` to the publishing job, or clear the publisher's "
            "Environment name on {host} (Any).",
        )
    return (
        f"Set the job's `environment:` to {wanted!r}, or change the publisher's Environment "
        f"name on {{host}} to {token!r}.",
    )


def _join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
