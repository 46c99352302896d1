"""GitHub Actions runs, jobs and logs through the real PyGithub client (and ``requests``)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl

import pytest
import requests
from github import GithubException, UnknownObjectException
from github.Repository import Repository
from github.WorkflowRun import WorkflowRun

from emulator_fixtures import BASE_URL_MODES, FakeClock, make_github, push_tag
from gitfixtures import OWNER, REPO, Project, git
from release_orchestrator.sandbox import GitHubEmulator, JobSpec, Lifecycle, StepSpec

FAILING = JobSpec(
    "pypi",
    steps=[StepSpec("Checkout"), StepSpec("Build"), StepSpec("Publish", "failure")],
    log="##[group]Run pypa/gh-action-pypi-publish\nUploading\n##[endgroup]\n"
    "##[error]Trusted publishing exchange failure: invalid-publisher",
)
PASSING = JobSpec("pypi", steps=[StepSpec("Checkout"), StepSpec("Build"), StepSpec("Publish")])
QUICK = Lifecycle(queued=0, in_progress=0)  # completed on the first poll
LINE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z ")


def _repo(emu: GitHubEmulator, **options: Any) -> Repository:
    return make_github(emu, **options).get_repo(f"{OWNER}/{REPO}")


def _only_run(emu: GitHubEmulator) -> int:
    (run_id,) = emu.run_ids()
    return run_id


def _tag_run(
    emu: GitHubEmulator,
    project: Project,
    jobs: Sequence[JobSpec] = (PASSING,),
    lifecycle: Lifecycle = QUICK,
) -> tuple[Repository, WorkflowRun]:
    """Register ``publish.yml`` (on ``v*`` tags), push ``v0.2.0``, fetch its run (one poll)."""
    emu.add_workflow("publish.yml", on_tags=["v*"], jobs=jobs, lifecycle=lifecycle)
    push_tag(project, "v0.2.0")
    repo = _repo(emu)
    return repo, repo.get_workflow_run(_only_run(emu))


def _poll_until_done(run: WorkflowRun, limit: int = 20) -> None:
    for _ in range(limit):
        if run.status == "completed":
            return
        run.update()
    raise AssertionError(f"run {run.id} still {run.status}")


@BASE_URL_MODES
def test_a_pushed_tag_starts_a_push_run_found_by_event_and_branch(
    github_emulator: GitHubEmulator, project: Project
) -> None:
    push_tag(project, "v0.1.0")  # before the workflow exists: starts nothing
    github_emulator.add_workflow("publish.yml", name="Publish", on_tags=["v*"])
    repo = _repo(github_emulator)
    workflow = repo.get_workflow("publish.yml")
    assert (
        workflow.url
        == f"{github_emulator.url}/repos/{OWNER}/{REPO}/actions/workflows/{workflow.id}"
    )

    commit = push_tag(project, "v0.2.0")  # annotated: the run reports the peeled commit
    runs = list(workflow.get_runs(event="push", branch="v0.2.0"))

    assert [(r.event, r.head_branch, r.head_sha) for r in runs] == [("push", "v0.2.0", commit)]
    assert runs[0].path == ".github/workflows/publish.yml" and runs[0].name == "Publish"
    assert runs[0].workflow_id == workflow.id and runs[0].run_attempt == 1
    assert list(workflow.get_runs(event="release")) == []
    assert list(workflow.get_runs(branch="v0.1.0")) == []


def test_a_branch_push_run_shares_the_tag_runs_head_sha(
    github_emulator: GitHubEmulator, project: Project
) -> None:
    github_emulator.add_workflow("ci.yml", on_tags=["v*"], on_branches=["main"])
    project.write("x.txt", "x\n")
    sha = project.commit_all("Release 0.3.0")
    project.push()
    push_tag(project, "v0.3.0")
    repo = _repo(github_emulator)

    runs = list(repo.get_workflow_runs(head_sha=sha))

    # Newest first: the branch run, then the tag run; head_sha alone cannot tell them apart.
    assert [(r.head_branch, r.display_title) for r in runs] == [
        ("main", "Release 0.3.0"),
        ("v0.3.0", "Release 0.3.0"),
    ]
    by_tag = repo.get_workflow_runs(branch="v0.3.0")  # type: ignore[arg-type]  # str works too
    assert [r.head_branch for r in by_tag] == ["v0.3.0"]


def test_the_lifecycle_advances_by_poll_count(
    github_emulator: GitHubEmulator, project: Project
) -> None:
    _, run = _tag_run(github_emulator, project, [FAILING], Lifecycle(queued=2, in_progress=3))
    seen = [(run.status, run.conclusion)]
    for _ in range(6):
        run.update()
        seen.append((run.status, run.conclusion))

    assert (
        seen
        == [("queued", None)] * 2 + [("in_progress", None)] * 3 + [("completed", "failure")] * 2
    )


def test_a_late_run_appears_after_n_list_polls_and_a_lost_one_never(
    github_emulator: GitHubEmulator, project: Project
) -> None:
    github_emulator.add_workflow("late.yml", on_tags=["v*"], lifecycle=Lifecycle(appear_after=2))
    github_emulator.add_workflow("lost.yml", on_tags=["v*"], lifecycle=Lifecycle(appear_after=None))
    push_tag(project, "v0.2.0")
    repo = _repo(github_emulator)
    late, lost = repo.get_workflow("late.yml"), repo.get_workflow("lost.yml")

    counts = [late.get_runs(branch="v0.2.0").totalCount for _ in range(3)]

    assert counts == [0, 0, 1]
    assert lost.get_runs().totalCount == 0
    hidden = max(github_emulator.run_ids())
    with pytest.raises(UnknownObjectException):
        repo.get_workflow_run(hidden)


def test_jobs_and_steps_follow_the_script(
    github_emulator: GitHubEmulator, project: Project
) -> None:
    docs = JobSpec("docs", steps=[StepSpec("Build docs")], labels=["ubuntu-22.04"])
    repo, run = _tag_run(
        github_emulator, project, [FAILING, docs], Lifecycle(queued=1, in_progress=3)
    )  # poll 1: queued
    commit = git(project.work, "rev-parse", "HEAD")

    queued = list(run.jobs())
    unassigned = [(j.status, len(j.steps), j.runner_name is None) for j in queued]
    assert unassigned == [("queued", 0, True)] * 2
    run.update()  # poll 2: first step running
    run.update()  # poll 3: second step running
    middle = {j.name: j for j in run.jobs()}["pypi"]
    assert [(s.number, s.status, s.conclusion) for s in middle.steps] == [
        (1, "completed", "success"),
        (2, "in_progress", None),
        (3, "queued", None),
    ]
    _poll_until_done(run)

    jobs = {j.name: j for j in run.jobs()}
    assert (run.status, run.conclusion) == ("completed", "failure")
    assert (jobs["pypi"].conclusion, jobs["docs"].conclusion) == ("failure", "success")
    assert [(s.name, s.conclusion) for s in jobs["pypi"].steps] == [
        ("Checkout", "success"),
        ("Build", "success"),
        ("Publish", "failure"),
    ]
    single = repo.get_workflow_job(jobs["pypi"].id)
    assert (single.run_id, single.head_sha, single.workflow_name) == (run.id, commit, run.name)
    assert jobs["docs"].labels == ["ubuntu-22.04"] and jobs["docs"].runner_name


def test_job_logs_redirect_to_a_short_lived_unauthenticated_download(
    github_emulator: GitHubEmulator, project: Project, fake_clock: FakeClock
) -> None:
    _, run = _tag_run(github_emulator, project, [FAILING])
    (job,) = run.jobs()

    location = job.logs_url()  # PyGithub does not follow the 302
    assert location.startswith(github_emulator.url.split("/api/")[0] + "/_blobs/")
    text = requests.get(location, timeout=5).content.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    assert all(LINE.match(line) for line in lines)
    assert lines[0].endswith(" ##[group]Run pypa/gh-action-pypi-publish")
    assert lines[-1].endswith(" ##[error]Trusted publishing exchange failure: invalid-publisher")

    authed = requests.get(location, headers={"Authorization": "token x"}, timeout=5)
    assert authed.status_code == 403
    fake_clock.advance(61)
    assert requests.get(location, timeout=5).status_code == 403  # expired
    blob_requests = [r for r in github_emulator.requests if r.path.startswith("/_blobs/")]
    assert [(r.status, r.counted) for r in blob_requests] == [
        (200, False),
        (403, False),
        (403, False),
    ]


def test_run_logs_are_a_zip_of_jobs_and_steps(
    github_emulator: GitHubEmulator, project: Project
) -> None:
    _, run = _tag_run(github_emulator, project, [FAILING])

    redirect = requests.get(
        run.logs_url,
        headers={"Authorization": f"token {github_emulator.token}"},
        allow_redirects=False,
        timeout=5,
    )
    assert redirect.status_code == 302
    archive = zipfile.ZipFile(
        io.BytesIO(requests.get(redirect.headers["Location"], timeout=5).content)
    )

    assert sorted(archive.namelist()) == [
        "1_pypi.txt",
        "pypi/1_Checkout.txt",
        "pypi/2_Build.txt",
        "pypi/3_Publish.txt",
    ]
    failed = archive.read("pypi/3_Publish.txt").decode()
    assert failed.rstrip().endswith("##[error]Process completed with exit code 1.")


def test_a_rerun_keeps_the_id_and_bumps_the_attempt(
    github_emulator: GitHubEmulator, project: Project
) -> None:
    repo, run = _tag_run(github_emulator, project, [FAILING])
    assert run.conclusion == "failure"

    github_emulator.script_next_attempt(
        run.id, [PASSING], lifecycle=Lifecycle(queued=1, in_progress=0)
    )
    assert run.rerun() is True

    again = repo.get_workflow_run(run.id)
    assert (again.id, again.run_attempt, again.status) == (run.id, 2, "queued")
    assert again.previous_attempt_url == f"{run.url}/attempts/1"
    _poll_until_done(again)
    assert again.conclusion == "success"
    first = again.get_attempt(1)
    assert (first.run_attempt, first.conclusion) == (1, "failure")
    assert first.jobs_url.endswith(f"/actions/runs/{run.id}/attempts/1/jobs")
    assert [j.run_attempt for j in again.jobs()] == [2]
    assert sorted(j.run_attempt for j in again.jobs("all")) == [1, 2]


def test_rerun_failed_jobs_keeps_the_jobs_that_passed(
    github_emulator: GitHubEmulator, project: Project
) -> None:
    repo, run = _tag_run(github_emulator, project, [FAILING, JobSpec("docs")])

    assert run.rerun_failed_jobs() is True
    run = repo.get_workflow_run(run.id)  # attempt 2 completes on this poll, failing again

    latest = {j.name: (j.run_attempt, j.conclusion) for j in run.jobs()}
    assert latest == {"pypi": (2, "failure"), "docs": (1, "success")}
    assert (run.run_attempt, run.conclusion) == (2, "failure")


def test_a_run_still_running_cannot_be_rerun_and_a_finished_one_not_cancelled(
    github_emulator: GitHubEmulator, project: Project
) -> None:
    _, run = _tag_run(github_emulator, project, lifecycle=Lifecycle(queued=5))

    with pytest.raises(GithubException) as caught:  # GithubRetry raises on a plain 403
        run.rerun()
    assert caught.value.status == 403
    assert run.cancel() is True
    run.update()
    assert (run.status, run.conclusion) == ("completed", "cancelled")
    assert [j.conclusion for j in run.jobs()] == ["cancelled"]
    assert run.cancel() is False  # 409


def test_a_published_release_starts_release_runs_and_a_draft_does_not(
    github_emulator: GitHubEmulator, project: Project
) -> None:
    github_emulator.add_workflow("publish.yml", on_release=True)
    repo = _repo(github_emulator)
    workflow = repo.get_workflow("publish.yml")

    draft = repo.create_git_release("v0.2.0", "v0.2.0", "", draft=True)
    assert workflow.get_runs(event="release").totalCount == 0
    draft.update_release("v0.2.0", "", draft=False)

    runs = list(workflow.get_runs(event="release"))
    commit = git(project.work, "rev-parse", "HEAD")
    assert [(r.event, r.head_branch, r.head_sha) for r in runs] == [("release", "v0.2.0", commit)]


@BASE_URL_MODES
def test_pagination_follows_repositories_links_across_three_pages(
    github_emulator: GitHubEmulator, project: Project, api_prefix: str
) -> None:
    github_emulator.add_workflow("publish.yml", on_tags=["v*"], lifecycle=QUICK)
    for minor in range(5):
        git(project.work, "tag", f"v0.{minor}.0")
    git(project.work, "push", "-q", "origin", "--tags")
    repo = _repo(github_emulator, per_page=2)

    runs = repo.get_workflow_runs()
    tags = [r.head_branch for r in runs]

    assert sorted(tags) == [f"v0.{m}.0" for m in range(5)] and len(set(tags)) == 5
    assert runs.totalCount == 5
    sent = [
        (r.sent, dict(parse_qsl(r.query)))
        for r in github_emulator.requests
        if "actions/runs" in r.path
    ]
    by_id = f"{api_prefix}/repositories/{github_emulator.repo_id}/actions/runs"
    assert sent == [
        (f"{api_prefix}/repos/{OWNER}/{REPO}/actions/runs", {"per_page": "2"}),
        (by_id, {"per_page": "2", "page": "2"}),
        (by_id, {"per_page": "2", "page": "3"}),
    ]
    middle = requests.get(
        f"{github_emulator.url}/repositories/{github_emulator.repo_id}/actions/runs?per_page=2&page=2",
        headers={"Authorization": f"token {github_emulator.token}"},
        timeout=5,
    )
    rels = [part.split("; ")[1] for part in middle.headers["Link"].split(", ")]
    assert rels == ['rel="prev"', 'rel="next"', 'rel="last"', 'rel="first"']


def test_cancelling_mid_run_cancels_the_running_step_and_skips_the_rest(
    github_emulator: GitHubEmulator, project: Project
) -> None:
    _, run = _tag_run(github_emulator, project, lifecycle=Lifecycle(queued=0, in_progress=9))
    # poll 1 (the fetch above) started step 1
    run.update()  # poll 2: step 2 running

    assert run.cancel() is True
    run.update()

    (job,) = run.jobs()
    assert (run.conclusion, job.conclusion) == ("cancelled", "cancelled")
    assert [(s.status, s.conclusion) for s in job.steps] == [
        ("completed", "success"),
        ("completed", "cancelled"),
        ("completed", "skipped"),
    ]


def test_timed_lifecycle_follows_the_clock(
    project: Project, github_emulator: GitHubEmulator, fake_clock: FakeClock
) -> None:
    github_emulator.add_workflow(
        "publish.yml",
        on_tags=("v*",),
        jobs=[JobSpec("pypi", steps=[StepSpec("a"), StepSpec("b")])],
        lifecycle=Lifecycle(seconds=(10.0, 20.0)),
    )
    push_tag(project, "v1.0")
    repo = make_github(github_emulator).get_repo(f"{OWNER}/{REPO}")
    (run_id,) = github_emulator.run_ids()
    statuses = []
    for _ in range(4):
        statuses.append(repo.get_workflow_run(run_id).status)
        statuses.append(repo.get_workflow_run(run_id).status)  # polls alone do not advance it
        fake_clock.advance(10.0)
    assert (
        statuses
        == ["queued", "queued", "in_progress", "in_progress"]
        + ["in_progress"] * 2
        + ["completed"] * 2
    )


def test_a_new_tag_starts_a_create_run_and_a_moved_one_does_not(
    github_emulator: GitHubEmulator, project: Project
) -> None:
    github_emulator.add_workflow("publish.yml", on_create=True, lifecycle=QUICK)
    github_emulator.add_workflow("ci.yml", on_tags=["v*"], lifecycle=QUICK)
    commit = push_tag(project, "v0.2.0")
    repo = _repo(github_emulator)

    created = list(repo.get_workflow("publish.yml").get_runs())
    assert [(r.event, r.head_branch, r.head_sha) for r in created] == [("create", "v0.2.0", commit)]
    assert [r.event for r in repo.get_workflow("ci.yml").get_runs()] == ["push"]

    project.write("x.txt", "x\n")
    project.commit_all("Move the tag")
    git(project.work, "tag", "-f", "v0.2.0")
    git(project.work, "push", "-q", "-f", "origin", "refs/tags/v0.2.0")
    git(project.work, "push", "-q", "origin", "HEAD:refs/heads/topic")

    runs = list(repo.get_workflow("publish.yml").get_runs())
    assert [(r.event, r.head_branch) for r in runs] == [
        ("create", "topic"),  # a new branch is created too
        ("create", "v0.2.0"),
    ]
    assert len(list(repo.get_workflow("ci.yml").get_runs())) == 2  # the move is a push


def test_a_completed_run_starts_workflow_run_runs_on_the_default_branch(
    github_emulator: GitHubEmulator, project: Project
) -> None:
    github_emulator.add_workflow(
        "build.yml", name="Build", on_tags=["v*"], jobs=[FAILING], lifecycle=Lifecycle(1, 1)
    )
    github_emulator.add_workflow(
        "publish.yml", on_workflow_run=["Build"], workflow_run_types=["completed"]
    )
    github_emulator.add_workflow("other.yml", on_workflow_run=["Other"])
    push_tag(project, "v0.2.0")
    project.write("x.txt", "x\n")
    tip = project.commit_all("Later work on main")
    project.push()
    repo = _repo(github_emulator)
    publish = repo.get_workflow("publish.yml")
    (build,) = repo.get_workflow("build.yml").get_runs()
    assert build.status == "queued" and publish.get_runs().totalCount == 0

    _poll_until_done(build)

    runs = list(publish.get_runs(event="workflow_run"))
    # GitHub runs a workflow_run on the default branch's latest commit, whatever the
    # triggering run's branch and conclusion.
    assert build.conclusion == "failure"
    assert [(r.event, r.head_branch, r.head_sha) for r in runs] == [("workflow_run", "main", tip)]
    assert repo.get_workflow("other.yml").get_runs().totalCount == 0


def test_workflow_run_types_choose_the_activity_and_chains_stop_after_three_levels(
    github_emulator: GitHubEmulator, project: Project
) -> None:
    emu = github_emulator
    emu.add_workflow("a.yml", name="A", on_tags=["v*"], lifecycle=Lifecycle(queued=1))
    emu.add_workflow("started.yml", on_workflow_run=["A"], workflow_run_types=["in_progress"])
    for name, after in (("B", "A"), ("C", "B"), ("D", "C"), ("E", "D")):
        emu.add_workflow(
            f"{name.lower()}.yml",
            name=name,
            on_workflow_run=[after],
            workflow_run_types=["requested"],
        )
    push_tag(project, "v0.2.0")
    repo = _repo(emu)

    names = [r.name for r in repo.get_workflow_runs(event="workflow_run")]
    assert names == ["D", "C", "B"]  # E would be a fourth level
    (first,) = repo.get_workflow("a.yml").get_runs()
    assert first.status == "queued"
    assert repo.get_workflow("started.yml").get_runs().totalCount == 0
    first.update()  # the queue is over: in progress
    assert first.status == "in_progress"
    assert repo.get_workflow("started.yml").get_runs().totalCount == 1
    with pytest.raises(ValueError, match="unknown workflow_run types"):
        emu.add_workflow("bad.yml", on_workflow_run=["A"], workflow_run_types=["done"])
