"""tag-not-triggering, double-trigger and pull-request-target: what the tag starts."""

from __future__ import annotations

from ..publisher import INDEX_NAMES
from ..workflows import publishing_jobs, release_triggers_on_publish
from .facts import Facts, Finding, finding
from .topology import entry_points, job_indexes, starts


def check_triggers(facts: Facts) -> list[Finding]:
    """tag-not-triggering, double-trigger and pull-request-target."""
    if facts.publishing is None:
        return []
    pub, tag = facts.publishing, facts.tag
    wf = pub.workflow
    where = (wf.path, wf.on_line)
    prefix = facts.config.tag_prefix
    pattern = f"{prefix}*" if prefix else "*"
    found: list[Finding] = []
    if not pub.starts:
        if not pub.entries:
            message = (
                f"{wf.filename} is a reusable workflow (on: workflow_call) and no workflow "
                "here calls it, so nothing runs it for the tag"
            )
        elif not facts.github_release and any(
            release_triggers_on_publish(w) for w, _ in pub.entries
        ):
            message = (
                f"{wf.filename} runs on `release: published`, but release cut makes no GitHub "
                f"Release (github-release is off), and on.push does not match tag {tag}"
            )
        elif any("push" in w.triggers for w, _ in pub.entries):
            message = f"the on.push filters of {wf.filename} do not match tag {tag}"
        else:
            events = ", ".join(sorted({e for w, _ in pub.entries for e in w.triggers})) or "-"
            message = f"{wf.filename} runs only on {events}, so pushing tag {tag} does not start it"
        found.append(
            finding(
                "tag-not-triggering",
                "error",
                where,
                message,
                f'add `on: push: tags: ["{pattern}"]` to {wf.filename}, or set github-release = '
                "true in [tool.release] if it should run on `release: published`",
            )
        )
    if len(pub.starts) > 1:
        runs = " and ".join(
            f"{s.workflow.filename} on the {'tag push' if s.event == 'push' else 'GitHub Release'}"
            for s in pub.starts
        )
        found.append(
            finding(
                "double-trigger",
                "error",
                where,
                f"job {pub.job.id!r} runs twice for {tag} ({runs}), and the second upload fails "
                "with 'File already exists'",
                "keep one trigger: release cut pushes the tag, so drop `release:` from `on:` "
                "(or keep only `release: published` and cut with --github-release)",
            )
        )
    elif not facts.github_release and any(
        s.event == "push" and release_triggers_on_publish(s.workflow) for s in pub.starts
    ):
        found.append(
            finding(
                "double-trigger",
                "warning",
                where,
                f"{wf.filename} runs on the tag push and on `release: published`: a GitHub "
                f"Release made later for {tag} runs the upload again, which fails with 'File "
                "already exists'",
                "drop `release:` from `on:` (release cut pushes the tag)",
            )
        )
    found += _other_publishers(facts)
    for workflow, _ in pub.entries:
        if "pull_request_target" in workflow.triggers:
            found.append(
                finding(
                    "pull-request-target",
                    "error",
                    (workflow.path, workflow.on_line),
                    f"{workflow.filename} runs on pull_request_target: PyPI refuses tokens from "
                    "that event, and it runs untrusted pull-request code with your secrets",
                    "publish only on the tag (on: push: tags) or a GitHub Release, and move "
                    "pull-request checks to a workflow that does not publish",
                )
            )
        elif "pull_request" in workflow.triggers and pub.job.condition is None:
            found.append(
                finding(
                    "pull-request-target",
                    "error",
                    (workflow.path, workflow.on_line),
                    f"{workflow.filename} runs on pull_request and job {pub.job.id!r} has no "
                    "`if:`: it tries to publish from every pull request, and pull requests from "
                    "forks get no OIDC token",
                    "publish only on tags: add `if: startsWith(github.ref, 'refs/tags/')` to "
                    f"job {pub.job.id!r}, or remove pull_request from this workflow",
                )
            )
    return found


def _other_publishers(facts: Facts) -> list[Finding]:
    """Another job that uploads to the same index on the same tag makes a second upload."""
    assert facts.publishing is not None
    pub = facts.publishing
    index = pub.publisher.index
    found = []
    for workflow, job in publishing_jobs(list(facts.workflows)):
        if (workflow.path, job.id) == (pub.workflow.path, pub.job.id) or job.condition:
            continue  # an `if:` may well keep it apart; it cannot be evaluated here
        if index not in job_indexes(job):
            continue
        if starts(entry_points(facts.workflows, workflow), facts.tag, facts.github_release):
            found.append(
                finding(
                    "double-trigger",
                    "error",
                    (workflow.path, job.line),
                    f"job {job.id!r} in {workflow.filename} also uploads to "
                    f"{INDEX_NAMES.get(index, index)} for {facts.tag}, and the second upload "
                    "fails with 'File already exists'",
                    "keep one publishing job per index, or give the others an `if:` that keeps "
                    "them off release tags",
                )
            )
    return found
