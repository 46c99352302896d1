"""build-in-publish-job: build in its own job and hand dist/ over as an artifact."""

from __future__ import annotations

from .facts import Facts, Finding, finding
from .topology import builds, handed_over, is_action

# download-artifact inputs that fetch from another workflow run.
_OTHER_RUN = ("run-id", "run_id", "github-token", "workflow")


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
    downloads = [step for step in job.steps if is_action(step, "download-artifact")]
    if any(key in step.with_ for step in downloads for key in _OTHER_RUN):
        return []  # the artifact comes from another workflow run
    given = handed_over(facts.workflows, wf, job, facts.publishing.entries)
    if given is not False:
        return []  # handed over in the needs closure, or by a workflow that cannot be seen
    names = ", ".join(repr(n) for n in job.needs) or "no job"
    return [
        finding(
            "build-in-publish-job",
            "warning",
            (wf.path, job.line),
            f"job {job.id!r} downloads artifacts, but it needs {names}, which upload none "
            "(nor do the jobs they need)",
            f"make job {job.id!r} `needs:` the build job, and upload dist/ there with "
            "actions/upload-artifact",
        )
    ]
