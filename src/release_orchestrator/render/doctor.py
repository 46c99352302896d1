"""``release doctor``'s report for people: findings with their fixes, the claims, PyPI's form."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.publisher import INDEX_HOSTS, INDEX_NAMES
from .publisher_form import render_publisher_form

if TYPE_CHECKING:
    from ..core.checks.facts import Finding
    from ..core.checks.report import DoctorReport


_STARTED_BY = {
    "push": "the tag push",
    "create": "the tag's creation (on: create)",
    "release": "the GitHub Release (release: published)",
    "workflow_run": "a workflow_run after a workflow the tag starts",
}


def render_report(report: DoctorReport) -> str:
    """The report for people: findings with their fixes, the claims, PyPI's form, a verdict."""
    lines = [f"release doctor: tag {report.tag}"]
    if report.workflow:
        started = f", started by {_STARTED_BY[report.event]}" if report.event else ""
        lines.append(f"  publishing job  {report.job!r} in {report.workflow}{started}")
    if report.publisher is not None:
        name = INDEX_NAMES.get(report.index, report.index)
        lines.append(f"  publisher       {name}, from {report.publisher_source}")
    sections = ["\n".join(lines)]
    if report.findings:
        sections.append(_render_findings(report.findings))
    if report.security:
        heading = "The publishing job's security (zizmor; never blocks release cut):"
        sections.append("\n".join([heading, _render_findings(report.security)]))
    if report.notes:
        noted = []
        for item in report.notes:
            at = f"  {item.file}:{item.line}" if item.file and item.line else ""
            noted.append(f"note:{at}")
            noted.append(f"  {item.message}")
        sections.append("\n".join(noted))
    if report.predicted_claims is not None:
        width = max(len(name) for name in report.predicted_claims)
        claims = [f"Predicted OIDC claims for {report.tag}:"]
        claims += [
            f"  {name.ljust(width)}  {value if value is not None else '(none)'}"
            for name, value in report.predicted_claims.items()
        ]
        sections.append("\n".join(claims))
    elif report.workflow:
        sections.append("No GitHub remote: the token's claims and PyPI's form cannot be predicted.")
    if report.publisher_form is not None:
        sections.append(_render_form(report))
    else:
        sections.append(_pending(report))
    if report.findings:
        verdict = f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)."
    else:
        verdict = "No problems found."
    if report.security:
        verdict += f" zizmor: {len(report.security)} security warning(s)."
    sections.append(verdict)
    return "\n\n".join(sections) + "\n"


def _render_findings(findings: list[Finding]) -> str:
    lines = []
    for finding in findings:
        at = f"  {finding.location}" if finding.location else ""
        lines.append(f"{finding.severity}: {finding.code}{at}")
        lines.append(f"  {finding.message}")
        lines.append(f"  fix: {finding.fix}")
    return "\n".join(lines)


def _render_form(report: DoctorReport) -> str:
    host = INDEX_HOSTS.get(report.index, "pypi.org")
    # A pending publisher is added on the account page, which the next line names and PyPI
    # does not pre-fill: no "Filled in" link then.
    url = None if report.pending_publisher_needed else report.publisher_form_url
    lines = render_publisher_form(report.publisher_form or {}, host, missing="", filled_in=url)
    return "\n".join([*lines, _pending(report)])


def _pending(report: DoctorReport) -> str:
    host = INDEX_HOSTS.get(report.index, "pypi.org")
    if report.pending_publisher_needed is None:
        return "Pending publisher: unknown (the index was not asked, or did not answer)."
    if report.pending_publisher_needed:
        return (
            f"Pending publisher: needed. {report.project} is not on {host} yet: add the "
            f"publisher with project name {report.project!r} at "
            f"https://{host}/manage/account/publishing/"
        )
    return f"Pending publisher: not needed ({report.project} exists on {host})."




def actions_annotations(report: DoctorReport) -> list[str]:
    """Inside GitHub Actions: each finding as an annotation on the workflow line it names
    (``::error file=…,line=…::``), each note as a notice.
    """
    from .actions import annotation

    lines = [
        annotation(
            finding.severity,  # error and warning are the names of GitHub's levels too
            f"{finding.message} Fix: {finding.fix}",
            file=finding.file,
            line=finding.line,
            title=f"release doctor: {finding.code}",
        )
        for finding in report.findings + report.security
    ]
    lines += [
        annotation("notice", item.message, file=item.file, line=item.line, title="release doctor")
        for item in report.notes
    ]
    return lines


def actions_summary(report: DoctorReport) -> str:
    """The report as the markdown of a job's step summary: a table of the findings."""
    from .actions import cell

    lines = [f"### release doctor: tag {report.tag}", ""]
    if report.workflow:
        lines += [f"Publishing job `{report.job}` in `{report.workflow}`.", ""]
    if report.findings or report.security:
        lines += ["| severity | code | where | problem | fix |", "| --- | --- | --- | --- | --- |"]
        lines += [
            f"| {f.severity} | `{f.code}` | {cell(f.location) or '-'} | {cell(f.message)} "
            f"| {cell(f.fix)} |"
            for f in report.findings + report.security
        ]
        verdict = f"**{len(report.errors)} error(s), {len(report.warnings)} warning(s).**"
        if report.security:  # counted apart, as in the report for people: they never block
            verdict += f" zizmor: {len(report.security)} security warning(s)."
        lines += ["", verdict]
    else:
        lines.append("**No problems found.**")
    if report.notes:
        lines += ["", "Notes:", ""]
        lines += [f"- {cell(item.message)}" for item in report.notes]
    if report.publisher_form_url and not report.pending_publisher_needed:
        lines += ["", f"[PyPI's publisher form, filled in]({report.publisher_form_url})"]
    return "\n".join(lines) + "\n"
