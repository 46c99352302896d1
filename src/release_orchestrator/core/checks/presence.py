"""no-publish-workflow: nothing under .github/workflows uploads the release."""

from __future__ import annotations

from ..findings import Severity
from .facts import Facts, Finding, finding
from .topology import unreadable_callees

UPLOADERS = (
    "pypa/gh-action-pypi-publish, uv publish, twine upload, poetry publish, pdm publish, "
    "hatch publish, flit publish or maturin upload/publish (also through maturin-action)"
)


def check_publish_workflow(facts: Facts) -> list[Finding]:
    """no-publish-workflow: an error only when the project says it publishes from CI.

    A maintainer who uploads by hand (or from another CI) must still be able to cut a
    release, so the plain case is a warning; a configured publisher or workflow file means
    the release is meant to be published by a workflow, and then nothing will publish it.
    """
    if facts.publishing is not None:
        return []
    config = facts.config
    broken = [f"{w.path.as_posix()} is {w.errors[0]}" for w in facts.workflows if w.errors]
    broken += [
        f"job {job.id!r} in {w.filename} calls {path}, which could not be read"
        for w, job, path in unreadable_callees(facts.workflows)
        if not any(b.startswith(path) for b in broken)
    ]
    detail = f" ({', '.join(broken)})" if broken else ""
    if config.workflow:
        message = (
            f"[tool.release] workflow = {config.workflow!r}, but no job in that file publishes "
            f"({UPLOADERS}){detail}"
        )
        return [
            finding(
                "no-publish-workflow",
                "error",
                ("pyproject.toml", None),
                message,
                "fix the workflow setting, or add the publishing job to that file",
            )
        ]
    message = (
        f"no workflow under .github/workflows publishes to PyPI (no {UPLOADERS} step){detail}"
    )
    severity: Severity = "error" if config.pypi is not None else "warning"
    return [
        finding(
            "no-publish-workflow",
            severity,
            (".github/workflows", None),
            message,
            "add a publish workflow (a build job, then a publish job with environment: pypi, "
            "id-token: write and pypa/gh-action-pypi-publish@release/v1, on: push: tags)",
        )
    ]
