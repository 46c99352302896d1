"""A second, independent client: githubkit drives every endpoint the tool uses.

PyGithub tolerates missing fields (it reads attributes lazily); githubkit parses each answer
into pydantic models generated from GitHub's OpenAPI description, so a field the emulator
forgets or mistypes fails here. The emulator is the same one PyGithub talks to: nothing in it
knows which client calls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import pytest
from githubkit import GitHub, TokenAuthStrategy
from githubkit.exception import RequestFailed
from githubkit_schemas.v2022_11_28 import models as gh
from githubkit_schemas.v2022_11_28.rest import RestNamespace

from emulator_fixtures import push_tag
from gitfixtures import OWNER, REPO, Project, git
from release_orchestrator.sandbox import GitHubEmulator, JobSpec, Lifecycle, StepSpec

# The REST version PyGithub asks for and the emulator answers.
API_VERSION: Literal["2022-11-28"] = "2022-11-28"
RATE_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


@dataclass(frozen=True)
class Kit:
    """githubkit's REST API at the version the emulator speaks, and its Link-header pager."""

    api: RestNamespace
    paginate: Callable[..., Iterator[Any]]


@pytest.fixture
def kit(github_emulator: GitHubEmulator) -> Iterator[Kit]:
    """Githubkit pointed at the emulator: no cache, no retries, redirects left to the test."""
    client: GitHub[Any] = GitHub(
        TokenAuthStrategy(github_emulator.token or ""),
        base_url=github_emulator.url,
        follow_redirects=False,
        http_cache=False,
        auto_retry=False,
        timeout=5,
    )
    with client:
        yield Kit(client.rest(API_VERSION), client.rest.paginate)


@pytest.fixture
def tagged_run(kit: Kit, github_emulator: GitHubEmulator, project: Project) -> int:
    """A finished, failed publish run for the pushed tag ``v0.1.0``; its id."""
    jobs = [
        JobSpec("build"),
        JobSpec("pypi", steps=[StepSpec("Build"), StepSpec("Publish", "failure")]),
    ]
    github_emulator.add_workflow(
        "publish.yml", on_tags=["v*"], jobs=jobs, lifecycle=Lifecycle(0, 0)
    )
    push_tag(project, "v0.1.0")
    (run_id,) = github_emulator.run_ids()
    # The emulator moves a run along by polls; this one completes on its first.
    assert kit.api.actions.get_workflow_run(OWNER, REPO, run_id).parsed_data.status == "completed"
    return run_id


def _all(pages: Iterator[Any]) -> list[Any]:
    return list(pages)


def test_releases_by_tag_by_id_listed_and_edited(kit: Kit, project: Project) -> None:
    repos = kit.api.repos
    created = repos.create_release(
        OWNER, REPO, tag_name="v0.2.0", name="v0.2.0", body="notes", prerelease=True
    ).parsed_data
    repos.create_release(OWNER, REPO, tag_name="v0.3.0", name="v0.3.0", draft=True)

    by_tag = repos.get_release_by_tag(OWNER, REPO, "v0.2.0").parsed_data
    by_id = repos.get_release(OWNER, REPO, created.id).parsed_data
    edited = repos.update_release(OWNER, REPO, created.id, body="edited").parsed_data
    listed = _all(kit.paginate(repos.list_releases, owner=OWNER, repo=REPO, per_page=1))

    assert isinstance(created, gh.Release) and created.prerelease and not created.draft
    assert by_tag.id == by_id.id == created.id and by_tag.tag_name == "v0.2.0"
    assert edited.body == "edited"
    assert sorted(r.tag_name for r in listed) == ["v0.2.0", "v0.3.0"]
    # A draft has no by-tag lookup on GitHub: only the listing finds it.
    with pytest.raises(RequestFailed) as missing:
        repos.get_release_by_tag(OWNER, REPO, "v0.3.0")
    assert missing.value.response.status_code == 404
    assert isinstance(missing.value.response.parsed_data, gh.BasicError)
    repos.delete_release(OWNER, REPO, created.id)
    assert [r.tag_name for r in repos.list_releases(OWNER, REPO).parsed_data] == ["v0.3.0"]


def test_refs_and_annotated_tags(kit: Kit, project: Project) -> None:
    head = push_tag(project, "v0.1.0")
    git_api = kit.api.git

    ref = git_api.get_ref(OWNER, REPO, "tags/v0.1.0").parsed_data
    matching = git_api.list_matching_refs(OWNER, REPO, "tags/v").parsed_data
    tag = git_api.get_tag(OWNER, REPO, ref.object_.sha).parsed_data
    made = git_api.create_tag(
        OWNER, REPO, tag="v0.2.0", message="Release v0.2.0", object_=head, type="commit"
    ).parsed_data
    made_ref = git_api.create_ref(OWNER, REPO, ref="refs/tags/v0.2.0", sha=made.sha).parsed_data

    assert ref.ref == "refs/tags/v0.1.0" and ref.object_.type == "tag"
    assert [m.ref for m in matching] == ["refs/tags/v0.1.0"]
    assert tag.tag == "v0.1.0" and tag.object_.sha == head and tag.message.startswith("Release")
    assert made.object_.sha == head and made_ref.object_.sha == made.sha
    assert git(project.origin, "cat-file", "-t", "refs/tags/v0.2.0") == "tag"


def test_runs_filtered_by_workflow_branch_event_and_sha(
    kit: Kit, tagged_run: int, project: Project
) -> None:
    actions = kit.api.actions
    head = git(project.work, "rev-parse", "HEAD")

    workflow = actions.get_workflow(OWNER, REPO, "publish.yml").parsed_data
    workflows = actions.list_repo_workflows(OWNER, REPO).parsed_data
    filtered = actions.list_workflow_runs(
        OWNER, REPO, "publish.yml", branch="v0.1.0", event="push", head_sha=head
    ).parsed_data
    elsewhere = actions.list_workflow_runs_for_repo(OWNER, REPO, branch="main").parsed_data
    everything = actions.list_workflow_runs_for_repo(OWNER, REPO).parsed_data

    assert workflow.path == ".github/workflows/publish.yml"
    assert [w.id for w in workflows.workflows] == [workflow.id]
    assert [r.id for r in filtered.workflow_runs] == [tagged_run] and filtered.total_count == 1
    (run,) = filtered.workflow_runs
    assert run.head_branch == "v0.1.0" and run.head_sha == head and run.event == "push"
    assert run.workflow_id == workflow.id and run.conclusion == "failure"
    assert elsewhere.total_count == 0 and everything.total_count == 1


def test_a_run_by_id_answers_304_to_its_etag(kit: Kit, tagged_run: int) -> None:
    first = kit.api.actions.get_workflow_run(OWNER, REPO, tagged_run)
    etag = first.headers["etag"]

    again = kit.api.actions.get_workflow_run(
        OWNER, REPO, tagged_run, headers={"If-None-Match": etag}
    )

    assert isinstance(first.parsed_data, gh.WorkflowRun)
    assert first.parsed_data.status == "completed" and first.parsed_data.run_attempt == 1
    assert again.status_code == 304 and again.content == b""
    assert again.headers["x-ratelimit-remaining"] == first.headers["x-ratelimit-remaining"]


def test_jobs_of_a_run_and_of_an_attempt(kit: Kit, tagged_run: int) -> None:
    actions = kit.api.actions

    jobs = actions.list_jobs_for_workflow_run(OWNER, REPO, tagged_run).parsed_data
    of_attempt = actions.list_jobs_for_workflow_run_attempt(OWNER, REPO, tagged_run, 1)
    one = actions.get_job_for_workflow_run(OWNER, REPO, jobs.jobs[-1].id).parsed_data

    assert [j.name for j in jobs.jobs] == ["build", "pypi"] and jobs.total_count == 2
    assert [j.id for j in of_attempt.parsed_data.jobs] == [j.id for j in jobs.jobs]
    assert one.name == "pypi" and one.conclusion == "failure" and one.run_id == tagged_run
    assert [(s.name, s.conclusion) for s in one.steps or []][-1] == ("Publish", "failure")


def test_the_logs_redirect_is_a_signed_url_without_credentials(kit: Kit, tagged_run: int) -> None:
    jobs = kit.api.actions.list_jobs_for_workflow_run(OWNER, REPO, tagged_run).parsed_data

    redirect = kit.api.actions.download_job_logs_for_workflow_run(OWNER, REPO, jobs.jobs[-1].id)
    whole_run = kit.api.actions.download_workflow_run_logs(OWNER, REPO, tagged_run)
    blob = httpx.get(redirect.headers["location"], timeout=5)

    assert redirect.status_code == whole_run.status_code == 302
    assert blob.status_code == 200 and "Publish" in blob.text


def test_rerun_failed_jobs_starts_attempt_two(
    kit: Kit, tagged_run: int, github_emulator: GitHubEmulator
) -> None:
    actions = kit.api.actions

    answer = actions.re_run_workflow_failed_jobs(OWNER, REPO, tagged_run)
    attempt = actions.get_workflow_run_attempt(OWNER, REPO, tagged_run, 2).parsed_data
    latest = actions.get_workflow_run(OWNER, REPO, tagged_run).parsed_data

    assert answer.status_code == 201 and isinstance(answer.parsed_data, gh.EmptyObject)
    assert attempt.run_attempt == latest.run_attempt == 2
    assert latest.id == tagged_run


def test_a_run_waiting_for_reviewers_lists_its_pending_deployments(
    kit: Kit, github_emulator: GitHubEmulator, project: Project
) -> None:
    github_emulator.add_environment("pypi", reviewers=(OWNER, "maintainer2"), wait_timer=5)
    github_emulator.add_workflow(
        "publish.yml",
        on_tags=("v*",),
        jobs=[JobSpec("build"), JobSpec("publish", environment="pypi")],
        lifecycle=Lifecycle(queued=0, waiting=None, in_progress=1),
    )
    push_tag(project, "v0.1.0")
    actions = kit.api.actions
    run_id = github_emulator.run_ids()[-1]

    waiting = actions.get_workflow_run(OWNER, REPO, run_id).parsed_data
    pending = actions.get_pending_deployments_for_run(OWNER, REPO, run_id).parsed_data
    jobs = actions.list_jobs_for_workflow_run(OWNER, REPO, run_id).parsed_data.jobs
    github_emulator.approve(run_id)
    running = actions.get_workflow_run(OWNER, REPO, run_id).parsed_data
    after = actions.get_pending_deployments_for_run(OWNER, REPO, run_id).parsed_data

    assert waiting.status == "waiting" and running.status == "in_progress"
    assert [(job.name, job.status) for job in jobs] == [("build", "queued"), ("publish", "waiting")]
    (only,) = pending
    assert only.environment.name == "pypi" and only.wait_timer == 5
    assert only.current_user_can_approve is True
    assert [r.reviewer.login for r in only.reviewers if isinstance(r.reviewer, gh.SimpleUser)] == [
        OWNER,
        "maintainer2",
    ]
    assert after == []


def test_every_answer_reports_the_rate_limit(kit: Kit) -> None:
    overview = kit.api.rate_limit.get()
    repo = kit.api.repos.get(OWNER, REPO)

    assert overview.parsed_data.resources.core.limit == 5000
    assert repo.parsed_data.full_name == f"{OWNER}/{REPO}"
    for answer in (overview, repo):
        assert all(answer.headers[name].isdigit() for name in RATE_HEADERS)
    used = int(repo.headers["x-ratelimit-limit"]) - int(repo.headers["x-ratelimit-remaining"])
    assert used == int(repo.headers["x-ratelimit-used"]) >= 1


def test_pagination_follows_link_headers(
    kit: Kit, github_emulator: GitHubEmulator, project: Project
) -> None:
    github_emulator.add_workflow("publish.yml", on_tags=["v*"], lifecycle=Lifecycle(0, 0))
    for tag in ("v0.1.0", "v0.2.0", "v0.3.0"):
        push_tag(project, tag)
    runs: Callable[..., Any] = kit.api.actions.list_workflow_runs_for_repo

    first = runs(OWNER, REPO, per_page=2)
    every = _all(
        kit.paginate(
            runs, map_func=lambda r: r.parsed_data.workflow_runs, owner=OWNER, repo=REPO, per_page=2
        )
    )

    assert 'rel="next"' in first.headers["link"]
    assert len(first.parsed_data.workflow_runs) == 2
    assert sorted(r.head_branch for r in every) == ["v0.1.0", "v0.2.0", "v0.3.0"]
