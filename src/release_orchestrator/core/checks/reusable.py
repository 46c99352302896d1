"""reusable-workflow: PyPI matches job_workflow_ref, the called file."""

from __future__ import annotations

from ..findings import Severity
from .facts import Facts, Finding, Where, finding


def check_reusable(facts: Facts) -> list[Finding]:
    """reusable-workflow: publishing from a workflow another workflow calls."""
    if facts.publishing is None:
        return []
    pub = facts.publishing
    wf = pub.workflow
    callers = [(w, job) for w, job in pub.entries if job is not None]
    direct = any(job is None for _, job in pub.entries)
    # A workflow that also runs on its own triggers is reusable only for the runs that
    # come through a caller; what matters is the run the tag starts.
    if pub.starts:
        callers = [(s.workflow, s.caller) for s in pub.starts if s.caller is not None]
        if not callers:
            return []
    elif direct or "workflow_call" not in wf.triggers:
        return []
    # With attestations off, a same-repository reusable workflow can work, if PyPI's
    # publisher names the called file; with them on (the default) the upload is refused.
    attestations_off = all(
        str(s.with_.get("attestations", "true")).lower() == "false"
        for s in pub.job.publish_steps
        if s.uses
    )
    severity: Severity = "warning" if attestations_off else "error"
    where: Where
    if callers:
        caller_wf, caller = callers[0]
        where = (caller_wf.path, caller.line)
        how = f"job {caller.id!r} in {caller_wf.filename} calls {wf.filename}"
    else:
        where = (wf.path, wf.on_line)
        how = f"{wf.filename} is a reusable workflow (on: workflow_call)"
    return [
        finding(
            "reusable-workflow",
            severity,
            where,
            f"{how}: PyPI takes the workflow from job_workflow_ref ({wf.filename}), not from "
            "the workflow the tag started, does not support reusable workflows, and refuses "
            "their attestations",
            f"move job {pub.job.id!r} into the workflow the tag starts; if it must stay, name "
            f"{wf.filename} in PyPI's publisher and set `attestations: false`",
        )
    ]
