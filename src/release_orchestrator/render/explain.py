"""The human rendering of an :class:`ExplainReport`: plain text, no colour, no rich."""

from __future__ import annotations

from ..core.explain.report import ExplainReport, Finding
from ..core.publisher import INDEX_HOSTS, INDEX_NAMES, ChecklistItem, LocalRepo, Publisher
from .publisher_form import publisher_form_table, render_publisher_form

_MARKS = {"match": "✓", "mismatch": "✗", "unknown": "?", "unchecked": "?"}


def render_text(report: ExplainReport) -> str:
    """The report as text: cause, checklist, numbered fix steps, PyPI form values, links."""
    sections = [_headline(report)]
    if report.checklist:
        sections.append(_checklist(report))
    if report.findings:
        sections.append(_numbered("Fix:", report.findings[0].fix))
    if report.publisher_form:
        sections.append(_form(report))
    if len(report.findings) > 1:
        sections.append(_also_found(report.findings[1:]))
    if report.error_lines and (not report.findings or report.findings[0].code == "step-failed"):
        sections.append(_block("Last error lines in the log:", report.error_lines))
    links = _links(report)
    if links:
        sections.append(_block("Links:", links))
    return "\n\n".join(sections) + "\n"


def _headline(report: ExplainReport) -> str:
    logs = ", ".join(report.logs) or "the log"
    if not report.findings:
        lines = [f"No known publishing failure found in {logs}."]
        if not report.error_lines:
            lines.append("The log shows no error lines.")
        return "\n".join(lines)
    first = report.findings[0]
    lines = [f"Cause: {first.cause}", f"  [{first.code}] {first.title}"]
    if first.evidence:
        lines.append(f"  seen in the log: {first.evidence}")
    if report.index:
        name = INDEX_NAMES.get(report.index, report.index)
        lines.append(f"  index: {name} ({INDEX_HOSTS.get(report.index, report.index)})")
    return "\n".join(lines)


def _checklist(report: ExplainReport) -> str:
    if report.publisher is None:
        header = (
            "Checklist (no PyPI publisher given: what the token carried, how PyPI compares it):"
        )
    else:
        header = f"Checklist (PyPI publisher from {report.source}; token from the log):"
    rows = [("field", "PyPI publisher", "token", "")]
    rows += [
        (item.field, _shown(item.publisher, "(not given)"), _token(item), _mark(item))
        for item in report.checklist
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [header]
    for row in rows:
        cells = [row[i].ljust(widths[i]) for i in range(3)]
        lines.append(("  " + "  ".join(cells) + "  " + row[3]).rstrip())
    notes = [f"  {item.field}: {item.note}" for item in report.checklist if item.note != "Matches."]
    return "\n".join(lines + notes)


def _shown(value: str | None, empty: str) -> str:
    if value is None:
        return empty
    return repr(value) if value != value.strip() else (value or "(Any)")


def _token(item: ChecklistItem) -> str:
    if item.token is not None:
        return _shown(item.token, "")
    return "(not in log)" if item.status == "unknown" else "(none)"


def _mark(item: ChecklistItem) -> str:
    return _MARKS[item.status or ("match" if item.ok else "mismatch")]


def _numbered(title: str, steps: tuple[str, ...]) -> str:
    return "\n".join([title, *(f"  {n}. {step}" for n, step in enumerate(steps, 1))])


def _form(report: ExplainReport) -> str:
    form, host = report.publisher_form or {}, report.index_host or "pypi.org"
    url = report.publisher_form_url
    return "\n".join(render_publisher_form(form, host, missing="(not in log)", filled_in=url))


def _also_found(findings: tuple[Finding, ...]) -> str:
    lines = ["Also found:"]
    lines.extend(f"  - [{f.severity}] {f.code}: {f.cause}" for f in findings)
    return "\n".join(lines)


def _block(title: str, lines: tuple[str, ...] | list[str]) -> str:
    return "\n".join([title, *(f"  {line}" for line in lines)])


def _links(report: ExplainReport) -> list[str]:
    links: list[str] = []
    for finding in report.findings:
        if finding.docs and finding.docs not in links:
            links.append(finding.docs)
    return links


def where_to_change(local: LocalRepo, publisher: Publisher, wrong: set[str]) -> list[str]:
    """Lines of the local workflow file that the fix touches (``file:line: what``)."""
    workflow, job = local.workflow, local.job
    if workflow is None or job is None:
        return []
    lines = []
    if "environment" in wrong and publisher.environment:
        if job.environment is None:
            lines.append(
                f"{workflow.path}:{job.line}: job {job.id!r} has no environment; "
                f"add `environment: {publisher.environment}`"
            )
        else:
            lines.append(
                f"{workflow.path}:{job.environment_line}: environment is {job.environment!r}; "
                f"PyPI's publisher says {publisher.environment!r}"
            )
    if "workflow" in wrong and publisher.workflow:
        lines.append(
            f"{workflow.path}: PyPI's publisher names {publisher.workflow!r}; "
            f"this file is {workflow.filename!r}"
        )
    return lines


def render_explanation(report: ExplainReport, local: LocalRepo) -> str:
    """The human explanation, plus the lines of the local workflow file to change."""
    from ..render.explain import render_text

    text = render_text(report)
    if report.publisher is None:
        return text
    wrong: set[str] = {item.field for item in report.checklist if item.status == "mismatch"}
    places = where_to_change(local, report.publisher, wrong)
    if places:
        text = text.rstrip("\n") + "\n\nIn this repository:\n" + "".join(f"  {p}\n" for p in places)
    return text


def actions_summary(report: ExplainReport) -> str:
    """The explanation as the markdown of a job's step summary: cause, checklist, fix, the
    pre-filled PyPI form, read on the run page without installing anything.
    """
    from .actions import cell

    first = report.findings[0] if report.findings else None
    lines = ["### release explain", ""]
    if first is None:
        lines.append(f"No known publishing failure found in {', '.join(report.logs) or 'the log'}.")
    else:
        lines += [f"**Cause:** {first.cause}", "", f"`{first.code}`: {first.title}"]
        if first.evidence:
            # A double-backtick span: the log line may hold backticks of its own.
            lines += ["", f"Seen in the log: `` {cell(first.evidence)} ``"]
    if report.checklist:
        lines += ["", "#### Checklist", "", "| field | PyPI publisher | token | |"]
        lines.append("| --- | --- | --- | --- |")
        lines += [
            f"| {item.field} | {cell(_shown(item.publisher, '(not given)'))} "
            f"| {cell(_token(item))} | {_mark(item)} |"
            for item in report.checklist
        ]
    if first is not None:
        lines += ["", "#### Fix", ""]
        lines += [f"{n}. {cell(step)}" for n, step in enumerate(first.fix, 1)]
    if report.publisher_form:
        host = report.index_host or "pypi.org"
        form = publisher_form_table(report.publisher_form, host, missing="(not in log)", cell=cell)
        lines += ["", *form]
    if report.publisher_form_url:
        lines += ["", f"[PyPI's publisher form, filled in]({report.publisher_form_url})"]
    if len(report.findings) > 1:
        lines += ["", "Also found:", ""]
        lines += [f"- `{f.code}`: {cell(f.cause)}" for f in report.findings[1:]]
    if report.error_lines and (first is None or first.code == "step-failed"):
        lines += ["", "Last error lines in the log:", "", "```", *report.error_lines, "```"]
    links = _links(report)
    if links:
        lines += ["", *(f"- {link}" for link in links)]
    return "\n".join(lines) + "\n"
