"""``release watch`` against the GitHub emulator: real git pushes, real PyGithub, fake time."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from msgspec.structs import replace

from emulator_fixtures import PUBLISH_YML, StepClock, make_github, push_tag
from gitfixtures import OWNER, REPO, Project, git
from release_orchestrator.commands.watch import WatchRequest, WatchResult, outcome, run_watch
from release_orchestrator.core.runs import Conclusion, RunStatus
from release_orchestrator.errors import ExitCode, Interrupted, ReleaseError, RunFailed, WatchTimeout
from release_orchestrator.render.watch import PlainView
from release_orchestrator.sandbox import Fault, GitHubEmulator, JobSpec, Lifecycle, StepSpec
from runcli import make_deps, release

BUILD = JobSpec("build", steps=(StepSpec("Set up job"), StepSpec("Build distributions")))
TEST = JobSpec("test", steps=(StepSpec("Set up job"), StepSpec("Run tests")))


def publish_job(conclusion: str = "success") -> JobSpec:
    return JobSpec(
        "publish",
        steps=(StepSpec("Set up job"), StepSpec("Publish to PyPI", conclusion=conclusion)),
    )


def watch(
    project: Project,
    emu: GitHubEmulator,
    clock: StepClock,
    target: str | None = None,
    **options: float,
) -> tuple[WatchResult, str]:
    out = io.StringIO()
    request = WatchRequest(target=target, api_url=emu.url, **options)  # type: ignore[arg-type]
    deps = replace(make_deps(cwd=project.work), clock=clock)
    result = run_watch(request, deps, PlainView(out))
    return result, out.getvalue()


def add_publish(emu: GitHubEmulator, *jobs: JobSpec, lifecycle: Lifecycle | None = None) -> None:
    emu.add_workflow(
        "publish.yml",
        name="Publish",
        on_tags=("v*",),
        on_branches=("main",),  # the branch push gets a run with the same head_sha
        jobs=jobs or (BUILD, TEST, publish_job()),
        lifecycle=lifecycle or Lifecycle(queued=2, in_progress=3),
    )


def test_follows_the_tag_run_to_success_cheaply(
    published: Project, emu: GitHubEmulator, clock: StepClock
) -> None:
    add_publish(emu)
    git(published.work, "commit", "-q", "--allow-empty", "-m", "more")
    published.push()  # a branch run on the same commit as the tag
    sha = push_tag(published, "v0.1.1")

    result, text = watch(published, emu, clock)  # no TARGET: the release tag at HEAD

    assert result.run.succeeded
    assert result.run.head_branch == "v0.1.1" and result.run.head_sha == sha
    assert result.run.event == "push"
    assert [job.name for job in result.jobs] == ["build", "test", "publish"]
    outcome(result)  # no exception: exit 0
    # Our own count agrees with what the server charged (304s are free).
    assert result.requests.counted == len(emu.counted_requests)
    assert result.requests.total == len(emu.requests)
    assert "run " in text and "completed: success" in text
    assert "\x1b[" not in text  # plain output, no ANSI codes
    data = result.to_json()
    assert data["run_id"] == result.run.id and data["attempt"] == 1
    assert data["jobs"][2]["steps"][1] == {"name": "Publish to PyPI", "conclusion": "success"}
    assert data["requests"]["total"] >= data["requests"]["counted"]


def test_failed_run_exits_6_naming_the_step(
    published: Project, emu: GitHubEmulator, clock: StepClock
) -> None:
    add_publish(emu, BUILD, publish_job("failure"))
    push_tag(published, "v0.1.1")

    result, text = watch(published, emu, clock, "v0.1.1")

    assert result.run.conclusion == "failure"
    with pytest.raises(RunFailed) as info:
        outcome(result)
    assert info.value.exit_code == ExitCode.RUN_FAILED
    assert "publish at step 'Publish to PyPI'" in info.value.message
    assert f"release explain {result.run.id}" in (info.value.hint or "")
    assert "publish > Publish to PyPI: failure" in text


def test_cancelled_run_exits_6(published: Project, emu: GitHubEmulator, clock: StepClock) -> None:
    add_publish(emu, BUILD, publish_job("cancelled"))
    push_tag(published, "v0.1.1")
    result, _ = watch(published, emu, clock, "v0.1.1")
    assert result.run.conclusion == "cancelled"
    with pytest.raises(RunFailed):
        outcome(result)


def test_run_created_late_is_waited_for(
    published: Project, emu: GitHubEmulator, clock: StepClock
) -> None:
    add_publish(emu, lifecycle=Lifecycle(queued=1, in_progress=1, appear_after=3))
    push_tag(published, "v0.1.1")
    result, text = watch(published, emu, clock, "v0.1.1")
    assert result.run.succeeded
    assert text.count("waiting for the run to start") == 1
    assert "publish.yml run for the push of tag v0.1.1" in text


def test_run_never_created_times_out_naming_the_search(
    published: Project, emu: GitHubEmulator, clock: StepClock
) -> None:
    add_publish(emu, lifecycle=Lifecycle(appear_after=None))
    sha = push_tag(published, "v0.1.1")
    with pytest.raises(WatchTimeout) as info:
        watch(published, emu, clock, "v0.1.1")
    assert info.value.exit_code == ExitCode.TIMEOUT
    assert f"publish.yml run for the push of tag v0.1.1 (commit {sha[:7]})" in info.value.message
    assert sum(clock.sleeps) <= 300 + 15


def test_rerun_is_followed_as_the_latest_attempt(
    published: Project, emu: GitHubEmulator, clock: StepClock
) -> None:
    add_publish(emu, BUILD, publish_job("failure"))
    push_tag(published, "v0.1.1")
    first, _ = watch(published, emu, clock, "v0.1.1")
    assert first.run.conclusion == "failure"
    emu.script_next_attempt(first.run.id, [publish_job("success")])
    run = make_github(emu).get_repo(f"{OWNER}/{REPO}").get_workflow_run(first.run.id)
    assert run.rerun()

    second, text = watch(published, emu, clock, str(first.run.id))

    assert second.run.id == first.run.id and second.run.attempt == 2
    assert second.run.succeeded
    assert "attempt 2" in text


def test_watch_by_run_url(published: Project, emu: GitHubEmulator, clock: StepClock) -> None:
    add_publish(emu)
    push_tag(published, "v0.1.1")
    found, _ = watch(published, emu, clock, "v0.1.1")
    again, _ = watch(published, emu, clock, found.run.html_url)
    assert again.run.id == found.run.id


@pytest.mark.parametrize(
    ("fault", "path", "waited_at_least", "says"),
    [
        (Fault.primary_rate_limit(reset_in=120), r"/actions/runs/\d+$", 120, "rate limit"),
        (
            Fault.secondary_rate_limit(retry_after=30),
            r"/actions/runs/\d+$",
            30,
            "secondary rate limit",
        ),
        (Fault.secondary_rate_limit(), r"/actions/runs/\d+$", 60, "secondary rate limit"),
        (Fault.too_many_requests(retry_after=7), r"/actions/runs/\d+$", 7, "rate limit"),
        (Fault.server_error(502), r"/jobs$", 2, "HTTP 502"),
        (Fault.dropped(), r"/actions/runs/\d+$", 2, "cannot reach"),
    ],
    ids=["primary", "secondary-retry-after", "secondary-bare", "429", "502", "dropped"],
)
def test_keeps_watching_through_limits_and_faults(
    published: Project,
    emu: GitHubEmulator,
    clock: StepClock,
    fault: Fault,
    path: str,
    waited_at_least: float,
    says: str,
) -> None:
    add_publish(emu)
    push_tag(published, "v0.1.1")
    emu.inject(fault, method="GET", path=path, times=2)

    result, text = watch(published, emu, clock, "v0.1.1")

    assert result.run.succeeded
    assert says in text and "waiting until" in text
    assert max(clock.sleeps) >= waited_at_least
    assert emu.pending_faults == 0


def test_timeout_exits_7_with_the_resume_command(
    published: Project, emu: GitHubEmulator, clock: StepClock
) -> None:
    add_publish(emu, lifecycle=Lifecycle(queued=1000, in_progress=1))
    push_tag(published, "v0.1.1")
    with pytest.raises(WatchTimeout) as info:
        watch(published, emu, clock, "v0.1.1", timeout=120)
    assert "is still queued after 2 min" in info.value.message
    assert "release watch " in (info.value.hint or "")
    assert sum(clock.sleeps) <= 120


def test_ctrl_c_exits_130_with_the_resume_command(
    published: Project, emu: GitHubEmulator, clock: StepClock
) -> None:
    add_publish(emu)
    push_tag(published, "v0.1.1")

    def interrupt(count: int) -> None:
        if count == 3:
            raise KeyboardInterrupt

    clock.on_sleep = interrupt
    with pytest.raises(Interrupted) as info:
        watch(published, emu, clock, "v0.1.1")
    assert info.value.exit_code == 130
    assert "resume with: release watch " in (info.value.hint or "")


def test_bad_target_and_missing_token(
    published: Project, emu: GitHubEmulator, clock: StepClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_publish(emu)
    with pytest.raises(ReleaseError, match="no release tag"):
        watch(published, emu, clock)
    with pytest.raises(ReleaseError, match="exists neither locally"):
        watch(published, emu, clock, "v9.9.9")
    push_tag(published, "v0.1.1")
    monkeypatch.delenv("GH_TOKEN")
    with pytest.raises(ReleaseError) as info:
        watch(published, emu, clock, "v0.1.1")
    assert info.value.exit_code == ExitCode.AUTH


def test_cli_exit_codes_and_json(published: Project, emu: GitHubEmulator) -> None:
    # A run that is complete at the first poll needs no sleeping: the real clock is fine here.
    add_publish(emu, BUILD, publish_job("failure"), lifecycle=Lifecycle(queued=0, in_progress=0))
    push_tag(published, "v0.1.1")

    out = release("watch", "v0.1.1", "--api-url", emu.url, "--json", cwd=published.work)

    assert out.code == 6, out.stderr
    data = json.loads(out.stdout)
    keys = {"run_id", "url", "attempt", "status", "conclusion", "jobs", "requests", "pypi"}
    assert set(data) == keys
    assert data["conclusion"] == "failure"
    assert data["pypi"] is None  # a failed run uploaded nothing to confirm
    assert "release explain" in out.stderr
    assert "\x1b[" not in out.stderr


def test_github_actions_summary_and_annotations(
    published: Project, emu: GitHubEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    add_publish(emu, BUILD, publish_job("failure"), lifecycle=Lifecycle(queued=0, in_progress=0))
    push_tag(published, "v0.1.1")
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))

    out = release("watch", "v0.1.1", "--api-url", emu.url, cwd=published.work)

    assert out.code == 6
    assert (
        "::error title=Publish failed::job 'publish' failure at step 'Publish to PyPI'"
        in out.stdout
    )
    assert "| publish | ✗ failure |" in summary.read_text()


def test_cut_follows_the_run_it_started(published: Project, emu: GitHubEmulator) -> None:
    add_publish(emu, BUILD, publish_job("failure"), lifecycle=Lifecycle(queued=0, in_progress=0))

    out = release("cut", "0.1.1", "--yes", "--api-url", emu.url, "--json", cwd=published.work)

    assert out.code == 6, out.stderr
    data = json.loads(out.stdout)
    assert data["pushed"] is True
    assert data["run"]["conclusion"] == "failure"
    assert "release explain" in out.stderr

    skipped = release(
        "cut", "0.1.2", "--yes", "--api-url", emu.url, "--no-watch", "--json", cwd=published.work
    )
    assert skipped.code == 0, skipped.stderr
    assert "run" not in json.loads(skipped.stdout)


def test_unchanged_polls_are_free_and_fetch_no_jobs(
    published: Project, emu: GitHubEmulator, clock: StepClock
) -> None:
    add_publish(emu, BUILD, lifecycle=Lifecycle(seconds=(10.0, 100.0)))
    push_tag(published, "v0.1.1")

    result, _ = watch(published, emu, clock, "v0.1.1")

    assert result.run.succeeded
    free = [r for r in emu.requests if r.status == 304]
    assert free and all(not r.counted for r in free)
    jobs_calls = [r for r in emu.requests if r.path.endswith("/jobs")]
    run_changes = [
        r for r in emu.requests if r.path.endswith(f"/runs/{result.run.id}") and r.status == 200
    ]
    assert len(jobs_calls) < len(run_changes)


RELEASE_YML = PUBLISH_YML.replace('push:\n    tags: ["v*"]', "release:\n    types: [published]")


def test_release_mode_follows_the_release_event_run(project: Project, emu: GitHubEmulator) -> None:
    project.write(".github/workflows/publish.yml", RELEASE_YML)
    project.commit_all("publish on releases")
    project.push()
    emu.add_workflow(
        "publish.yml",
        on_release=True,
        jobs=(BUILD, publish_job()),
        lifecycle=Lifecycle(queued=0, in_progress=0),
    )

    out = release(
        "cut", "0.1.1", "--yes", "--github-release", "--api-url", emu.url, "--json",
        cwd=project.work,
    )

    assert out.code == 0, out.stderr
    run = json.loads(out.stdout)["run"]
    assert run["conclusion"] == "success"
    runs = make_github(emu).get_repo(f"{OWNER}/{REPO}").get_workflow_runs()
    assert [r.event for r in runs if r.id == run["run_id"]] == ["release"]


def test_live_view_draws_jobs_and_steps() -> None:
    from release_orchestrator.core.runs import JobState, RunState, StepState
    from release_orchestrator.render.watch import LiveView

    stream = io.StringIO()
    view = LiveView(stream, color=False)
    run = RunState.from_json(
        {
            "id": 7,
            "name": "Publish",
            "event": "push",
            "head_branch": "v1",
            "head_sha": "abcdef0",
            "status": "completed",
            "conclusion": "failure",
            "run_attempt": 2,
            "html_url": "https://x/7",
            "created_at": "2024-05-01T12:00:00Z",
            "run_started_at": "2024-05-01T12:00:00Z",
        }
    )
    done, failed = RunStatus.COMPLETED, Conclusion.FAILURE
    step = StepState(1, "Publish to PyPI", done, failed, None, None)
    job = JobState(1, "publish", done, failed, None, None, None, (step,))
    view.update(run, [job], 1_714_564_900.0)
    view.close()
    text = stream.getvalue()
    assert "Publish · v1 @ abcdef0, attempt 2" in text
    assert "✗ publish" in text and "✗ Publish to PyPI" in text
    assert "\x1b[3" not in text  # no colour when colour is off


def test_reports_the_end_within_3_s_on_the_counted_budget(
    published: Project, emu: GitHubEmulator, clock: StepClock
) -> None:
    # A 2-minute run with three jobs whose end falls between two polls.
    add_publish(emu, BUILD, TEST, publish_job(), lifecycle=Lifecycle(seconds=(10.4, 109.9)))
    push_tag(published, "v0.1.1")
    ended_at = clock.now() + 10.4 + 109.9

    result, _ = watch(published, emu, clock, "v0.1.1")

    assert result.run.succeeded
    assert ended_at <= clock.now() <= ended_at + 3.0
    assert result.requests.counted == len(emu.counted_requests) <= 10
    assert max(clock.sleeps) <= 3.0


def protected_publish(emu: GitHubEmulator, waiting: int | None) -> None:
    emu.add_environment("pypi", reviewers=(OWNER,))
    publish = replace(publish_job(), environment="pypi")
    add_publish(emu, BUILD, publish, lifecycle=Lifecycle(queued=1, waiting=waiting, in_progress=2))


def test_a_run_waiting_for_approval_says_who_can_approve_and_goes_on_once_approved(
    published: Project, emu: GitHubEmulator, clock: StepClock
) -> None:
    protected_publish(emu, waiting=None)
    push_tag(published, "v0.1.1")

    def approve(count: int) -> None:
        if count == 5:
            emu.approve(emu.run_ids()[-1])

    clock.on_sleep = approve
    result, text = watch(published, emu, clock, "v0.1.1")

    assert result.run.succeeded
    assert f"run {result.run.id} is waiting for approval" in text
    assert f"environment 'pypi': approved by {OWNER} (you can approve)" in text
    assert f"review it at {result.run.html_url}" in text
    assert "release watch keeps waiting until 12:30:" in text  # the default 30-minute timeout
    assert text.count("is waiting for approval") == 1  # said once, not at every poll
    pending = [r for r in emu.requests if r.path.endswith("/pending_deployments")]
    assert len(pending) == 1


def test_a_run_never_approved_times_out_saying_it_waits_for_a_reviewer(
    published: Project, emu: GitHubEmulator, clock: StepClock
) -> None:
    protected_publish(emu, waiting=None)
    push_tag(published, "v0.1.1")

    with pytest.raises(WatchTimeout) as info:
        watch(published, emu, clock, "v0.1.1", timeout=600)

    assert info.value.exit_code == ExitCode.TIMEOUT
    assert "is still waiting for a reviewer to approve 'pypi' after 10 min" in info.value.message
    hint = info.value.hint or ""
    assert "/actions/runs/" in hint and "release watch " in hint
    assert 600 - 3 <= sum(clock.sleeps) <= 600  # kept waiting up to the timeout
