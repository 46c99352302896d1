"""reusable-workflow: PyPI matches job_workflow_ref, the called file."""

from __future__ import annotations

from ..findings import Severity
from .facts import Facts, Finding, Where, finding
from .topology import hedge


def check_reusable(facts: Facts) -> list[Finding]:
    """reusable-workflow: publishing from a workflow another workflow calls."""
    if facts.publishing is None:
        return []
    pub = facts.publishing
    wf = pub.workflow
    callers = [(w, job) for w, job in pub.entries if job is not None]
    # A workflow that also runs on its own triggers is reusable only for the runs that
    # come through a caller; what matters is the run the tag starts. One the tag does not
    # start, with `on: workflow_call`, is meant to be called (from here or elsewhere).
    if pub.starts:
        callers = [(s.workflow, s.caller) for s in pub.starts if s.caller is not None]
        if not callers:
            return []
    elif "workflow_call" not in wf.triggers:
        return []
    # The action attests by default, and PyPI refuses attestations made in a reusable
    # workflow. Without attestations (turned off, or an uploader that makes none) a
    # same-repository reusable workflow at the same ref can match, if PyPI's publisher
    # names the called file: then it is a warning.
    actions = [s for s in pub.job.publish_steps if s.publish_action]
    attests = any(str(s.with_.get("attestations", "true")).lower() != "false" for s in actions)
    severity: Severity = "error" if attests else "warning"
    where: Where
    if callers:
        # Certain when one caller the tag starts is known to reach the upload.
        hedges = [hedge(facts, caller=job) for _, job in callers]
        unless = min(hedges, key=lambda h: (not h.certain, h.skipped is not None))
        caller_wf, caller = callers[0]
        where = (caller_wf.path, caller.line)
        how = f"job {caller.id!r} in {caller_wf.filename} calls {wf.filename}"
    else:
        unless = hedge(facts, unseen_caller=True)  # the run of a caller that is not here
        where = (wf.path, wf.on_line)
        how = f"{wf.filename} is a reusable workflow (on: workflow_call)"
    return [
        finding(
            "reusable-workflow",
            severity,
            where,
            f"{how}: PyPI takes the workflow from job_workflow_ref ({wf.filename}), not from "
            "the workflow the tag started, and refuses attestations made in a reusable "
            "workflow"
            + ("" if attests else f"; it matches only if the publisher names {wf.filename}"),
            f"move job {pub.job.id!r} into the workflow the tag starts; if it must stay, name "
            f"{wf.filename} in PyPI's publisher and set `attestations: false`",
            unless=unless,
        )
    ]
