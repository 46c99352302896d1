"""``release status`` as lines: one per place the release lives, then what comes next."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.upload import confirmation_line

if TYPE_CHECKING:
    from ..commands.status import StatusReport


def _tag_line(report: StatusReport) -> str:
    tag = report.tag
    if not tag.local and not tag.remote:
        return f"{tag.name}: missing (not created yet)"
    kind = {True: "annotated", False: "lightweight", None: "remote only"}[tag.annotated]
    where = (
        "local and on " + report.remote
        if tag.local and tag.remote
        else ("local only, not pushed" if tag.local else f"on {report.remote} only")
    )
    head = "; HEAD is on it" if tag.head_on_it else ""
    sha = tag.commit[:7] if tag.commit else "?"
    return f"{tag.name}: {where} ({kind}), at {sha}{head}"


def _release_line(report: StatusReport) -> str:
    release = report.release
    if release is not None:
        state = "draft" if release.draft else "prerelease" if release.prerelease else "published"
        return f"{state}, {release.url}"
    if not report.tag.remote:
        return "not looked up (the tag is not on GitHub)"
    if report.github_release_project:
        return "missing (this project publishes from GitHub Releases)"
    return "none (not needed: the tag push starts the publish run)"


def _run_line(report: StatusReport) -> str:
    run = report.run
    if run is None:
        return "none found for the tag" if report.tag.remote else "none (the tag is not pushed)"
    state = run.status.words
    if run.conclusion is not None:
        state += f", {run.conclusion}"
    finding = f" [{report.finding}]" if report.finding else ""
    return f"{run.name} run {run.id}, attempt {run.attempt}: {state}{finding}, {run.html_url}"


def _pypi_line(report: StatusReport) -> str:
    pypi = report.pypi
    if pypi is None:
        return "unknown (not asked)"
    if not pypi.served:
        return f"{pypi.project} {pypi.version} not served"
    return confirmation_line(pypi).removeprefix("✓ on PyPI: ")


def render_status(report: StatusReport) -> str:
    """The report as aligned lines, ending with the command that carries the release on."""
    rows = [
        ("version", f"{report.version} ({report.version_source})"),
        ("tag", _tag_line(report)),
        ("release", _release_line(report)),
        ("run", _run_line(report)),
        ("PyPI", _pypi_line(report)),
    ]
    title = f"release status: {report.project or 'this project'} {report.version}"
    lines = [title, *(f"  {name:<8} {text}" for name, text in rows)]
    if report.next is None:
        lines.append("complete: PyPI serves this release")
    else:
        lines.append(f"next: {report.next}")
    return "\n".join(lines)
