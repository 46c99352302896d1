"""tag-not-triggering, double-trigger and pull-request-target: what the tag starts.

Runs are counted the way GitHub starts them: a tag push (on.push filters), one run per
activity type the GitHub Release fires (a draft's only when it is published; a
pre-release's are not a full release's), and each run only when the `if:` of the
jobs on the way (the caller's, the publishing job's, the jobs they need, the upload
step's) lets it reach the upload. An `if:` the doctor cannot evaluate is assumed to let
it through, and the report says so in a note.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..findings import Severity
from ..packages import command
from ..publisher import INDEX_NAMES
from ..workflows import Job, Workflow, publishing_jobs, push_triggers_on_branch
from .conditions import Context
from .facts import Facts, Finding, Note, Outcome, Publishing, Start, finding, note
from .topology import (
    DEFAULT_BRANCH_REF,
    entry_points,
    fired_for,
    job_indexes,
    reaches,
    release_activities,
    release_types,
    repository_of,
    runs_for_tag,
    upload_dir,
)

# The ref of a pull-request run: the merge ref for pull_request, the base branch for
# pull_request_target and workflow_run (the doctor cannot know the branch's name).
_PR_REF = {"pull_request": "refs/pull/1/merge"}


def check_triggers(facts: Facts) -> list[Outcome]:
    """tag-not-triggering, double-trigger and pull-request-target."""
    if facts.publishing is None:
        return []
    pub = facts.publishing
    found: list[Outcome] = []
    if not pub.starts:
        found.append(_not_triggering(facts, pub))
    found += _double(facts, pub)
    found += [
        note(
            f"an `if:` on the way to job {pub.job.id!r} cannot be evaluated before the run; "
            f"assumed that {s.label} ({s.workflow.filename}) reaches the upload",
            (s.workflow.path, s.workflow.on_line),
        )
        for s in pub.starts
        if not s.certain
    ]
    waits = draft_note(facts)
    found += [waits] if waits else []
    found += _other_publishers(facts)
    found += _pull_requests(facts, pub)
    return found


def draft_note(facts: Facts) -> Note | None:
    """For a draft GitHub Release whose publication alone reaches the upload: the note that
    the upload runs when the maintainer publishes the draft, not during release cut.
    """
    pub = facts.publishing
    if not facts.draft or pub is None or not pub.starts:
        return None
    if any(s.event != "release" for s in pub.starts):
        return None  # the tag push uploads now
    start = pub.starts[0]
    return note(
        f"the GitHub Release is made as a draft, and GitHub runs no workflow for a draft: "
        f"{start.workflow.filename} starts the upload when the draft is published "
        f"(`release: {start.action}`), not now; publish it on GitHub, then follow the run "
        f"with {command('watch', facts.package)} {facts.tag}",
        (start.workflow.path, start.workflow.on_line),
    )


def _unfired(facts: Facts, names: str, entries: list[Workflow]) -> tuple[str, str]:
    """Message and fix when the workflow listens to release types this release never fires."""
    listed = ", ".join(dict.fromkeys(t for w in entries for t in release_types(w) or []))
    fired = ", ".join(f"`{a}`" for a in fired_for(facts))
    what = "a draft GitHub Release" if facts.draft else "the GitHub Release"
    if facts.prerelease:
        what += f" of pre-release {facts.tag}"
    message = f"{names} runs only on `release: types: [{listed}]`, which {what} never fires"
    if facts.draft:
        message += (
            f": GitHub runs no workflow for a draft (`created` included), and publishing "
            f"the draft fires {fired}"
        )
    else:
        message += f": it fires {fired}"
    if any("push" in w.triggers for w in entries):
        message += f"; the on.push filters do not match tag {facts.tag}"
    fix = (
        f"listen to `release: types: [published]` in {names}: it fires once for every "
        "GitHub Release, draft or not, pre-release or not"
    )
    return message, fix


def _not_triggering(facts: Facts, pub: Publishing) -> Finding:
    wf, tag = pub.workflow, facts.tag
    prefix = facts.config.tag_prefix
    pattern = f"{prefix}*" if prefix else "*"
    entries = [w for w, _ in pub.entries]
    names = ", ".join(dict.fromkeys(w.filename for w in entries)) or wf.filename
    fix = (
        f'add `on: push: tags: ["{pattern}"]` to {names}, or set github-release = '
        "true in [tool.release] if it should run on `release: published`"
    )
    if not wf.triggers:
        message = f"{wf.filename}: the workflow has no triggers (on: is empty), so nothing runs"
    elif not pub.entries:
        message = (
            f"{wf.filename} is a reusable workflow (on: workflow_call) and no workflow "
            "here calls it, so nothing runs it for the tag"
        )
    elif pub.guarded:
        runs = " and ".join(dict.fromkeys(s.label for s in pub.guarded))
        message = (
            f"{names} starts for {runs} of {tag}, but the `if:` of job {pub.job.id!r} (or of "
            "a job it needs) skips the upload there"
        )
    elif not facts.github_release and any(release_activities(w) for w in entries):
        listed = ", ".join(dict.fromkeys(t for w in entries for t in release_types(w) or []))
        trigger = f"`release: types: [{listed}]`" if listed else "`release:`"
        message = (
            f"{names} runs on {trigger}, but release cut makes no GitHub "
            f"Release (github-release is off), and on.push does not match tag {tag}"
        )
    elif facts.github_release and any("release" in w.triggers for w in entries):
        message, fix = _unfired(facts, names, entries)
    elif any("push" in w.triggers for w in entries):
        message = f"the on.push filters of {names} do not match tag {tag}"
    else:
        events = ", ".join(sorted({e for w in entries for e in w.triggers})) or "-"
        message = f"{names} runs only on {events}, so pushing tag {tag} does not start it"
    severity: Severity = "error"
    pushed = _branch_push(facts, pub)
    if pushed is not None:
        # release cut pushes the branch with the tag: that run may upload the new version.
        branch, started = pushed
        message += (
            f"; but release cut also pushes branch {branch}, which starts {started.filename}: "
            "whether that run uploads this version cannot be known before the run"
        )
        severity = "warning"
    return finding(
        "tag-not-triggering",
        severity,
        (wf.path, wf.on_line),
        message,
        fix,
    )


def _branch_push(facts: Facts, pub: Publishing) -> tuple[str, Workflow] | None:
    """The branch release cut pushes, and the workflow its push starts, when that run may
    reach the upload; None when no branch push does.

    The branch is ``facts.branch``; when unknown, any branch the ``on.push.branches``
    filters name literally, or main or master.
    """
    for entry, caller in pub.entries:
        if facts.branch:
            branches = [facts.branch]
        else:
            config = entry.triggers.get("push")
            named = config.get("branches") if isinstance(config, Mapping) else None
            listed = named if isinstance(named, list) else [named] if named else []
            branches = [str(b) for b in listed if not set(str(b)) & set("*?[]!+")]
            branches += ["main", "master"]
        for branch in dict.fromkeys(branches):
            if not push_triggers_on_branch(entry, branch):
                continue
            context = Context(
                "push",
                f"refs/heads/{branch}",
                None,
                repository_of(facts),
                entry.path.as_posix(),
            )
            if reaches(pub.workflow, pub.job, Start(entry, caller, "push"), context) is not False:
                return branch, entry
    return None


def _double(facts: Facts, pub: Publishing) -> list[Outcome]:
    wf, tag = pub.workflow, facts.tag
    where = (wf.path, wf.on_line)
    if len(pub.starts) > 1:
        runs = " and ".join(f"{s.workflow.filename} on {s.label}" for s in pub.starts)
        certain = sum(s.certain for s in pub.starts) > 1
        times = "twice" if len(pub.starts) == 2 else f"{len(pub.starts)} times"
        return [
            finding(
                "double-trigger",
                "error" if certain else "warning",
                where,
                f"job {pub.job.id!r} {'runs' if certain else 'may run'} {times} for {tag} "
                f"({runs}), and the second upload fails with 'File already exists'",
                "keep one trigger: release cut pushes the tag, so drop `release:` from `on:` "
                "(or keep only `release: types: [published]` and cut with --github-release), "
                "or guard the job with `if: github.event_name == '…'`",
            )
        ]
    if facts.github_release:
        return []
    # Tag mode: a GitHub Release someone makes later for the tag would run it again.
    later = [
        Start(s.workflow, s.caller, "release", activity)
        for s in pub.starts
        for activity in release_activities(s.workflow)
    ]
    if any(
        reaches(wf, pub.job, s, Context("release", f"refs/tags/{tag}", s.action)) is not False
        for s in later
    ):
        return [
            finding(
                "double-trigger",
                "warning",
                where,
                f"{wf.filename} runs on the tag push and on `release:`: a GitHub Release "
                f"made later for {tag} runs the upload again, which fails with 'File "
                "already exists'",
                "drop `release:` from `on:` (release cut pushes the tag)",
            )
        ]
    return []


def _other_publishers(facts: Facts) -> list[Outcome]:
    """Another job that uploads to the same index on the same tag may make a second upload.

    A warning: it may upload another project (two packages from one repository), which
    the doctor cannot tell from the workflow.
    """
    assert facts.publishing is not None
    pub = facts.publishing
    index = pub.publisher.index
    found: list[Outcome] = []
    for workflow, job in publishing_jobs(list(facts.workflows)):
        if (workflow.path, job.id) == (pub.workflow.path, pub.job.id):
            continue
        if index not in job_indexes(job):
            continue
        if _different_files(pub.job, job):
            continue  # e.g. two projects of a monorepo, each from its own folder
        entries = entry_points(facts.workflows, workflow)
        reached, _ = runs_for_tag(
            entries,
            workflow,
            job,
            facts.tag,
            fired_for(facts),
            repository_of(facts),
            facts.workflows,
        )
        if reached:
            found.append(
                finding(
                    "double-trigger",
                    "warning",
                    (workflow.path, job.line),
                    f"job {job.id!r} in {workflow.filename} also uploads to "
                    f"{INDEX_NAMES.get(index, index)} for {facts.tag}: unless it uploads "
                    "another project, the second upload fails with 'File already exists'",
                    "keep one publishing job per index and project, or give the others an "
                    "`if:` that keeps them off release tags",
                )
            )
    return found


def _different_files(one: Job, other: Job) -> bool:
    """Whether two jobs upload from folders known to differ."""
    mine = {upload_dir(step) for step in one.publish_steps}
    theirs = {upload_dir(step) for step in other.publish_steps}
    if None in mine or None in theirs:
        return False
    return not mine & theirs


def _pr_started(facts: Facts, workflow: Workflow) -> bool:
    """Whether a workflow_run trigger follows a workflow that runs on pull requests."""
    config = workflow.triggers.get("workflow_run")
    names = config.get("workflows") if isinstance(config, Mapping) else None
    wanted = {str(n) for n in (names if isinstance(names, list) else [names] if names else [])}
    return any(
        (w.name in wanted or w.filename in wanted)
        and ("pull_request" in w.triggers or "pull_request_target" in w.triggers)
        for w in facts.workflows
    )


def _pull_requests(facts: Facts, pub: Publishing) -> list[Outcome]:
    """pull-request-target: pull_request_target, or a workflow_run a pull request started,
    reaching the upload (an error); a plain pull_request reaching it (a warning).
    """
    found: list[Outcome] = []
    for workflow, caller in pub.entries:
        where = (workflow.path, workflow.on_line)
        for event in ("pull_request_target", "workflow_run", "pull_request"):
            if event not in workflow.triggers:
                continue
            if event == "workflow_run" and not _pr_started(facts, workflow):
                continue
            ref = _PR_REF.get(event, DEFAULT_BRANCH_REF)
            context = Context(event, ref, None, repository_of(facts))
            runs = reaches(pub.workflow, pub.job, Start(workflow, caller, event), context)
            if event == "pull_request":
                if runs is True:
                    found.append(
                        finding(
                            "pull-request-target",
                            "warning",
                            where,
                            f"{workflow.filename} runs on pull_request and nothing keeps job "
                            f"{pub.job.id!r} from uploading there: those runs fail to publish "
                            "(a fork's pull request gets no OIDC token for this repository)",
                            "publish only on tags: add `if: startsWith(github.ref, "
                            f"'refs/tags/')` to job {pub.job.id!r}, or remove pull_request "
                            "from this workflow",
                        )
                    )
                continue
            what = (
                "runs on pull_request_target"
                if event == "pull_request_target"
                else "runs on workflow_run after a workflow that pull requests start"
            )
            if runs is False:
                message = (
                    f"{workflow.filename} {what}: the `if:` keeps job {pub.job.id!r} from "
                    "uploading there, but the publishing workflow runs pull-request code with "
                    "the repository's secrets, and PyPI refuses tokens from that event"
                )
            else:
                message = (
                    f"{workflow.filename} {what}, and job {pub.job.id!r} "
                    f"{'can' if runs else 'may'} upload there: PyPI refuses tokens from that "
                    "event, and it runs untrusted pull-request code with your secrets"
                )
            found.append(
                finding(
                    "pull-request-target",
                    "error" if runs is True else "warning",
                    where,
                    message,
                    "publish only on the tag (on: push: tags) or a GitHub Release, and move "
                    "pull-request checks to a workflow that does not publish",
                )
            )
    return found
