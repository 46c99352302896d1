"""Runs, jobs and steps parsed from GitHub's JSON: the status and conclusion vocabulary."""

from __future__ import annotations

import json

import pytest

from release_orchestrator.core.runs import Conclusion, JobState, RunState, RunStatus


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
