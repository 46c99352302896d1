"""The OIDC claims GitHub will put in the publishing job's token for the tag."""

from __future__ import annotations

from ..publisher import Claims
from .facts import Publishing
from .topology import environment_claim

# The claims the doctor predicts, in the order the JSON object lists them.
PREDICTED_CLAIMS = (
    "repository",
    "repository_owner",
    "workflow_ref",
    "job_workflow_ref",
    "ref",
    "environment",
    "sub",
)


def predict_claims(
    owner: str,
    repository: str,
    *,
    workflow_path: str,
    job_workflow_path: str,
    tag: str,
    environment: str | None,
    event: str = "push",
    environment_known: bool = True,
) -> Claims:
    """The OIDC claims GitHub puts in the publishing job's token for a run on ``tag``.

    GitHub's documented formats: for a tag push and for a release event alike ``ref`` is
    ``refs/tags/TAG``; ``workflow_ref`` names the file whose trigger started the run and
    ``job_workflow_ref`` the file that holds the job (they differ for a reusable workflow),
    both ``OWNER/REPO/.github/workflows/FILE@refs/tags/TAG``; ``sub`` is
    ``repo:OWNER/REPO:environment:NAME`` for a job with an environment, else
    ``repo:OWNER/REPO:ref:refs/tags/TAG``.
    """
    full = f"{owner}/{repository}"
    ref = f"refs/tags/{tag}"
    if not environment_known:
        sub = None
    elif environment:
        sub = f"repo:{full}:environment:{environment}"
    else:
        sub = f"repo:{full}:ref:{ref}"
    return Claims(
        sub=sub,
        repository=full,
        repository_owner=owner,
        workflow_ref=f"{full}/{workflow_path}@{ref}",
        job_workflow_ref=f"{full}/{job_workflow_path}@{ref}",
        ref=ref,
        environment=environment,
        event_name=event,
        missing=frozenset({"environment"} if environment is None and environment_known else ()),
    )


def predict_for(
    publishing: Publishing, owner: str | None, repository: str | None, tag: str
) -> Claims:
    """The claims of the first run the tag starts (the job's own file when none does).

    Without a GitHub remote only the environment is known; a workflow_run runs on the
    default branch, whose name the doctor does not know, so its refs are left out.
    """
    job = publishing.job
    first = publishing.starts[0].workflow if publishing.starts else publishing.workflow
    event = publishing.starts[0].event if publishing.starts else "push"
    environment, known = environment_claim(job)
    if owner and repository and event == "workflow_run":
        full = f"{owner}/{repository}"
        sub = f"repo:{full}:environment:{environment}" if environment and known else None
        missing = frozenset({"environment"}) if environment is None and known else frozenset()
        return Claims(
            sub=sub,
            repository=full,
            repository_owner=owner,
            environment=environment,
            event_name=event,
            missing=missing,
        )
    if owner and repository:
        return predict_claims(
            owner,
            repository,
            workflow_path=first.path.as_posix(),
            job_workflow_path=publishing.workflow.path.as_posix(),
            tag=tag,
            environment=environment,
            event=event,
            environment_known=known,
        )
    missing = frozenset({"environment"}) if environment is None and known else frozenset()
    return Claims(environment=environment, missing=missing)
