"""``zizmor:<audit>``: zizmor's security findings for the publishing job, folded in.

The audits are zizmor's (the maintained static analyser for GitHub Actions); this module
only reads its JSON output (``--format=json``, its v1 format) and keeps what concerns the
publishing job: findings located in that job, in a job that calls it (a reusable workflow's
caller), or at the workflow level of those files (triggers, ``permissions:``, ``env:``).
Every folded finding is a warning: a security weakness does not make the upload fail, nor
publish from another place, so it never blocks ``release cut``. A problem that one of our own
checks reports too (:data:`OURS_TOO`) is reported once, as ours.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import msgspec

from ..workflows import Job, Workflow
from .facts import Facts, Finding, Note, finding, note

# README's table lists the codes as this one row; <audit> is zizmor's audit name.
CODE = "zizmor:<audit>"
INSTALL_HINT = "pip install 'release-orchestrator[security]'"

# The three audits that matter most for a release: why, in our words, and the fix.
EXPLAINED: Mapping[str, tuple[str, str]] = {
    "cache-poisoning": (
        "a cache restored in the publishing job can be written by other runs of the "
        "repository (pull requests' included), so the release may be built from poisoned files",
        "restore no cache in the job that builds or uploads the release "
        "(drop `cache:` there, or build in a job without one)",
    ),
    "template-injection": (
        "`${{ … }}` pasted into a script lets whoever controls that value (a branch name, a "
        "title, a message) run code next to the credentials that publish to PyPI",
        'pass the value through `env:` and use it as "$VARIABLE" in the script',
    ),
    "artipacked": (
        "actions/checkout leaves the job's GitHub token in .git/config, where every later step "
        "of the publishing job, and any artifact of the work tree, can read it",
        "add `with: {persist-credentials: false}` to the actions/checkout step",
    ),
}


# zizmor's audits that one of our own checks makes too, with our codes for the same problem.
# Where both point at the same place, zizmor's finding is dropped: ours names the fix for
# PyPI's trusted publishing, and it is an error that blocks the release where it must.
# "The same place" is zizmor's line, or the line of the step, job or `on:` block it lies
# in, which is where our checks put theirs (zizmor points inside: at `with: password:`, at
# `on: pull_request_target:`).
OURS_TOO: Mapping[str, frozenset[str]] = {
    # the upload is given a password or an API token instead of the OIDC exchange
    "use-trusted-publishing": frozenset({"password-with-trusted-publishing"}),
    # pull_request_target, or workflow_run, starts the publishing workflow
    "dangerous-triggers": frozenset({"pull-request-target"}),
}


class Audited(msgspec.Struct, frozen=True):
    """A workflow file audited for the release, and its jobs that take part in publishing."""

    workflow: Workflow
    jobs: tuple[Job, ...]


def audited_files(facts: Facts) -> list[Audited]:
    """The publishing job's file, and each caller's file with its calling job, in order."""
    pub = facts.publishing
    if pub is None:
        return []
    jobs: dict[Path, tuple[Workflow, list[Job]]] = {pub.workflow.path: (pub.workflow, [pub.job])}
    for workflow, caller in pub.entries:
        _, known = jobs.setdefault(workflow.path, (workflow, []))
        if caller is not None and caller not in known:
            known.append(caller)
    return [Audited(workflow, tuple(known)) for workflow, known in jobs.values()]


def _primary(item: Mapping[str, Any]) -> Mapping[str, Any] | None:
    locations = item.get("locations")
    if not isinstance(locations, list):
        return None
    return next(
        (
            loc
            for loc in locations
            if isinstance(loc, Mapping) and loc.get("symbolic", {}).get("kind") == "Primary"
        ),
        None,
    )


def _where(location: Mapping[str, Any]) -> tuple[str | None, list[Any], int | None]:
    """The file zizmor was given, the route into its YAML, and the 1-based line."""
    symbolic = location.get("symbolic", {})
    path = symbolic.get("key", {}).get("Local", {}).get("verbatim_path")
    route = [next(iter(part.values())) for part in symbolic.get("route", {}).get("route", [])]
    row = location.get("concrete", {}).get("location", {}).get("start_point", {}).get("row")
    return path, route, row + 1 if isinstance(row, int) else None


def _enclosing_line(workflow: Workflow, route: Sequence[Any]) -> int | None:
    """The line of the step, else the job, else the ``on:`` block that ``route`` lies in."""
    if route and route[0] == "on":
        return workflow.on_line
    job = workflow.job(route[1]) if len(route) > 1 and route[0] == "jobs" else None
    if job is None:
        return None
    index = route[3] if len(route) > 3 and route[2] == "steps" else None
    if isinstance(index, int) and 0 <= index < len(job.steps):
        return job.steps[index].line
    return job.line


def _ours_too(ident: str, path: str, lines: set[int | None], ours: Sequence[Finding]) -> bool:
    """Whether one of ``ours`` reports zizmor's ``ident`` problem at ``path``, on ``lines``."""
    codes = OURS_TOO.get(ident, frozenset())
    lines = lines - {None}  # no line is no place: it matches nothing
    return any(f.code in codes and f.file == path and f.line in lines for f in ours)


def _concerns(audited: Audited, route: Sequence[Any]) -> bool:
    """Whether a finding at ``route`` in ``audited``'s file touches the publishing job."""
    if route and route[0] == "jobs":
        return len(route) > 1 and any(job.id == route[1] for job in audited.jobs)
    if not route or route[0] == "permissions":
        # The workflow's permissions (or their absence) apply only where no job sets its own.
        return any(job.permissions is None for job in audited.jobs)
    return True  # triggers, env, defaults, concurrency: every job runs with them


def _message(item: Mapping[str, Any], location: Mapping[str, Any]) -> tuple[str, str]:
    ident = str(item["ident"])
    said = str(item.get("desc", ident))
    annotation = location.get("symbolic", {}).get("annotation")
    if annotation:
        said = f"{said}: {annotation}"
    if ident in EXPLAINED:
        why, fix = EXPLAINED[ident]
        return f"zizmor: {said}. For a release: {why}", fix
    url = item.get("url") or "https://docs.zizmor.sh/audits/"
    return f"zizmor: {said}", f"see {url}"


def fold_zizmor(
    output: str, audited: Sequence[Audited], ours: Sequence[Finding] = ()
) -> list[Finding] | None:
    """The findings of zizmor's JSON that concern the publishing job, as warnings, less
    those that one of ``ours`` (our checks' findings) reports too (:data:`OURS_TOO`).

    None when ``output`` is not zizmor's JSON list of findings.
    """
    try:
        items = json.loads(output)
    except json.JSONDecodeError:
        return None
    if not isinstance(items, list):
        return None
    by_path = {entry.workflow.path.as_posix(): entry for entry in audited}
    found: list[Finding] = []
    for item in items:
        if not isinstance(item, Mapping) or "ident" not in item or item.get("ignored"):
            continue
        location = _primary(item)
        if location is None:
            continue
        path, route, line = _where(location)
        entry = by_path.get(Path(path).as_posix()) if path else None
        if entry is None or not _concerns(entry, route):
            continue
        places = {line, _enclosing_line(entry.workflow, route)}
        if _ours_too(str(item["ident"]), entry.workflow.path.as_posix(), places, ours):
            continue
        message, fix = _message(item, location)
        code = CODE.replace("<audit>", str(item["ident"]))
        found.append(finding(code, "warning", (path, line), message, fix))
    return found


def check_security(facts: Facts, ours: Sequence[Finding]) -> list[Finding | Note]:
    """zizmor:<audit> findings for the publishing job, less those ``ours`` (our checks'
    findings) report too; a note when zizmor did not run.
    """
    run = facts.zizmor
    if run is None or facts.publishing is None:
        return []
    if run.output is None and run.problem is None:
        return [
            note(
                "the publishing workflow's security was not audited: zizmor is not installed "
                f"({INSTALL_HINT} adds it)"
            )
        ]
    if run.output is None:
        return [note(f"zizmor could not audit the publishing workflow: {run.problem}")]
    folded = fold_zizmor(run.output, audited_files(facts), ours)
    if folded is None:
        return [note("zizmor's output could not be read, so its findings are not shown")]
    return list(folded)
