"""password-with-trusted-publishing and wrong-index: what the upload steps are given."""

from __future__ import annotations

from ..publisher import INDEX_HOSTS, INDEX_NAMES
from .facts import Facts, Finding, finding
from .topology import step_index, trusted, uses_password


def check_password(facts: Facts) -> list[Finding]:
    """password-with-trusted-publishing: a secret next to trusted publishing."""
    if facts.publishing is None or not trusted(facts):
        return []
    wf, job = facts.publishing.workflow, facts.publishing.job
    return [
        finding(
            "password-with-trusted-publishing",
            "error",
            (wf.path, step.line),
            "this upload is given a password or token besides trusted publishing: a set "
            "secret disables trusted publishing, and an empty or missing one silently falls "
            "back to it",
            "remove `password:` (and TWINE_PASSWORD/UV_PUBLISH_TOKEN): trusted publishing "
            "needs no secret",
        )
        for step in job.publish_steps
        if uses_password(step, job)
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
        if index == "other":
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
                f'"{sorted(known)[0]}" in [tool.release.pypi] and add the publisher on '
                f"{INDEX_HOSTS[sorted(known)[0]]}",
            )
        )
    return found
