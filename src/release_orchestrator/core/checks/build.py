"""build-in-publish-job: build in its own job and hand dist/ over as an artifact."""

from __future__ import annotations

from .facts import Facts, Finding, finding
from .topology import builds, is_action


def check_build_split(facts: Facts) -> list[Finding]:
    """build-in-publish-job: the publishing job builds, or is handed no distributions."""
    if facts.publishing is None:
        return []
    wf, job = facts.publishing.workflow, facts.publishing.job
    building = [step for step in job.steps if builds(step)]
    if building:
        return [
            finding(
                "build-in-publish-job",
                "warning",
                (wf.path, building[0].line),
                f"job {job.id!r} builds and publishes: every build step, and the build "
                "backend's plugins, run with the permission to mint a PyPI token",
                "build in a separate job, upload dist/ with actions/upload-artifact, and "
                "download it in the publishing job",
            )
        ]
    if not any(is_action(step, "download-artifact") for step in job.steps):
        return [
            finding(
                "build-in-publish-job",
                "warning",
                (wf.path, job.line),
                f"job {job.id!r} neither builds nor downloads the distributions, so dist/ is "
                "empty when it uploads ('MISSING DISTS')",
                "add actions/download-artifact for the dist/ the build job uploads",
            )
        ]
    needed = [wf.job(name) for name in job.needs]
    uploads = any(
        is_action(step, "upload-artifact")
        for needed_job in needed
        if needed_job
        for step in needed_job.steps
    )
    if uploads:
        return []
    names = ", ".join(repr(n) for n in job.needs) or "no job"
    return [
        finding(
            "build-in-publish-job",
            "warning",
            (wf.path, job.line),
            f"job {job.id!r} downloads artifacts, but it needs {names}, which upload none",
            f"make job {job.id!r} `needs:` the build job, and upload dist/ there with "
            "actions/upload-artifact",
        )
    ]
