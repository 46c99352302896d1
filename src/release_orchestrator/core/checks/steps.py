"""password-with-trusted-publishing and wrong-index: what the upload steps are given."""

from __future__ import annotations

from ..publisher import INDEX_HOSTS, INDEX_NAMES
from ..workflows import grants_id_token
from .facts import Facts, Finding, Outcome, finding, note
from .topology import hedge, side_upload, step_index, token_use, trusted


def check_password(facts: Facts) -> list[Outcome]:
    """password-with-trusted-publishing: the upload is given a password or an API token.

    One finding for the job, never a second one for the missing ``id-token: write``: a
    token upload needs none, so the fix names both halves of moving to trusted publishing.
    Without a configured publisher and without ``id-token: write`` the project uploads
    with a token on purpose; that is a note, not a finding.
    """
    if facts.publishing is None:
        return []
    wf, job = facts.publishing.workflow, facts.publishing.job
    used = token_use(wf, job, facts.publishing.publisher.index)
    if used is None:
        return []
    step, how = used
    if not trusted(facts):
        return [
            note(
                f"job {job.id!r} uploads with a token ({how}), not with trusted publishing: "
                "the publisher checks do not apply to it",
                (wf.path, step.line),
            )
        ]
    grant = (
        ""
        if grants_id_token(wf, job)
        else f", and grant `permissions: {{id-token: write}}` to job {job.id!r}"
    )
    return [
        finding(
            "password-with-trusted-publishing",
            "error",
            (wf.path, step.line),
            f"job {job.id!r} uploads with a password or API token ({how}), not with trusted "
            "publishing: a set secret bypasses the publisher, and an empty or missing one "
            "silently falls back to it",
            f"remove the token ({how}){grant}: trusted publishing needs no secret",
            unless=hedge(facts, step=step),
        )
    ]


def check_index(facts: Facts) -> list[Finding]:
    """wrong-index: the job uploads elsewhere than the configured publisher's index."""
    if facts.publishing is None:
        return []
    pub = facts.publishing
    wf, job = pub.workflow, pub.job
    found = []
    indexes = [(step, step_index(step)) for step in job.publish_steps]
    wanted = pub.publisher.index
    for step, index in indexes:
        if index == "other" and not side_upload(wf, job, step, wanted):
            found.append(
                finding(
                    "wrong-index",
                    "warning",
                    (wf.path, step.line),
                    "repository-url names neither PyPI nor TestPyPI: trusted publishing works "
                    "only with an index that supports it",
                    "use https://upload.pypi.org/legacy/ (the default) or "
                    "https://test.pypi.org/legacy/",
                )
            )
    known = {index for _, index in indexes if index in INDEX_NAMES}
    if facts.config.pypi is not None and known and wanted not in known:
        step = next(s for s, index in indexes if index in known)
        used = " and ".join(INDEX_NAMES[i] for i in sorted(known))
        other = "https://test.pypi.org/legacy/" if wanted == "testpypi" else "(none: the default)"
        found.append(
            finding(
                "wrong-index",
                "error",
                (wf.path, step.line),
                f"[tool.release.pypi] says the publisher is on "
                f"{INDEX_NAMES.get(wanted, wanted)}, but job {job.id!r} uploads to {used} (each "
                "index needs its own publisher)",
                f"set repository-url to {other}, or set index = "
                f'"{min(known)}" in [tool.release.pypi] and add the publisher on '
                f"{INDEX_HOSTS[min(known)]}",
                unless=hedge(facts, step=step),
            )
        )
    return found
