"""missing-id-token: the publishing job (and a reusable workflow's caller) may mint a token."""

from __future__ import annotations

from msgspec.structs import replace

from ..workflows import grants_id_token
from .facts import Facts, Finding, finding
from .topology import hedge, token_use, trusted


def check_permissions(facts: Facts) -> list[Finding]:
    """missing-id-token (the publishing job, and the caller of a reusable workflow)."""
    if facts.publishing is None or not trusted(facts):
        return []
    pub = facts.publishing
    if token_use(pub.workflow, pub.job, pub.publisher.index) is not None:
        return []  # a token upload needs no OIDC token: password-with-trusted-publishing says it
    wf, job = pub.workflow, pub.job
    found = []
    # A called workflow without its own `permissions:` runs with its caller's (which the
    # caller check below looks at); with its own, it can only narrow them.
    inherits = job.permissions is None and wf.permissions is None
    if not (inherits and any(caller for _, caller in pub.entries)) and not grants_id_token(wf, job):
        # Granted at workflow level but replaced by the job's own block: a common surprise.
        replaced = job.permissions is not None and grants_id_token(
            wf, replace(job, permissions=None)
        )
        reason = (
            "its own `permissions:` block replaces the workflow-level one, which grants it"
            if replaced
            else "nothing grants `id-token: write` (read-all and the repository default do not)"
        )
        found.append(
            finding(
                "missing-id-token",
                "error",
                (wf.path, job.line),
                f"job {job.id!r} cannot request an OIDC token: {reason}",
                f"add `permissions: {{id-token: write}}` to job {job.id!r} (job level, so only "
                "the publishing job gets it)",
                unless=hedge(facts),
            )
        )
    for caller_wf, caller in pub.entries:
        if caller is not None and not grants_id_token(caller_wf, caller):
            found.append(
                finding(
                    "missing-id-token",
                    "error",
                    (caller_wf.path, caller.line),
                    f"job {caller.id!r} calls {wf.filename} without `id-token: write`, and a "
                    "called workflow gets no more permissions than its caller",
                    f"add `permissions: {{id-token: write}}` to job {caller.id!r}",
                    unless=hedge(facts, caller=caller),
                )
            )
    return found
