"""Runs, jobs and steps parsed from GitHub's JSON: the status and conclusion vocabulary."""

from __future__ import annotations

import json

import pytest

from release_orchestrator.core.runs import Conclusion, JobState, RunQuery, RunState, RunStatus


def _run(status: str | None, conclusion: str | None) -> RunState:
    return RunState.from_json({"id": 1, "status": status, "conclusion": conclusion})


FAILING = ["failure", "cancelled", "timed_out", "startup_failure", "action_required", "stale"]


@pytest.mark.parametrize("conclusion", FAILING)
def test_failing_conclusions_fail_the_job(conclusion: str) -> None:
    job = JobState.from_json({"id": 1, "status": "completed", "conclusion": conclusion})
    assert job.failed
    assert not _run("completed", conclusion).succeeded


@pytest.mark.parametrize("conclusion", ["success", "neutral", "skipped"])
def test_passing_conclusions_succeed(conclusion: str) -> None:
    assert _run("completed", conclusion).succeeded
    assert not JobState.from_json({"status": "completed", "conclusion": conclusion}).failed


def test_a_run_without_a_conclusion_has_neither_outcome() -> None:
    run = _run("in_progress", None)
    assert run.status is RunStatus.IN_PROGRESS
    assert run.conclusion is None
    assert not run.completed and not run.succeeded


def test_a_missing_status_reads_as_queued() -> None:
    assert _run(None, None).status is RunStatus.QUEUED


def test_an_unknown_word_is_kept_as_github_wrote_it() -> None:
    run = _run("deferred", "superseded")
    assert str(run.status) == "deferred" and run.status.words == "deferred"
    assert json.dumps([run.status, run.conclusion]) == '["deferred", "superseded"]'
    assert not run.completed
    assert run.conclusion is not None and not run.conclusion.failed
    assert not run.conclusion.succeeded


def test_words_print_as_their_value() -> None:
    assert f"{Conclusion.TIMED_OUT}" == "timed_out"
    assert RunStatus.IN_PROGRESS.words == "in progress"


def _listed(run_id: int, event: str, branch: str, created: str) -> RunState:
    return RunState.from_json(
        {
            "id": run_id,
            "event": event,
            "head_branch": branch,
            "head_sha": "a" * 40,
            "created_at": created,
            "updated_at": created,
            "status": "completed",
        }
    )


def test_a_workflow_run_query_takes_the_first_run_after_the_build_ended() -> None:
    build = RunQuery("build.yml", "push", "v1.0.0", "a" * 40)
    query = RunQuery("publish.yml", "workflow_run", "v1.0.0", "a" * 40, after=build)
    ended = _listed(5, "push", "v1.0.0", "2024-05-01T12:00:10Z")
    runs = [
        _listed(9, "workflow_run", "main", "2024-05-01T12:05:00Z"),  # after a later build
        _listed(7, "workflow_run", "main", "2024-05-01T12:00:10Z"),
        _listed(6, "workflow_run", "main", "2024-05-01T12:00:09Z"),  # before it ended
        _listed(8, "push", "main", "2024-05-01T12:01:00Z"),
    ]

    assert query.branch is None and build.branch == "v1.0.0"
    assert query.latest(runs) is None  # not before the build has ended
    assert query.following(ended).latest(runs) == runs[1]
    assert build.latest([ended, runs[0]]) == ended
    assert query.describe() == (
        "publish.yml run on workflow_run after the build.yml run for the push of tag v1.0.0 "
        "(commit aaaaaaa)"
    )
    assert RunQuery("p.yml", "create", "v1", "b" * 40).describe() == (
        "p.yml run for the creation of tag v1 (commit bbbbbbb)"
    )
