"""Conformance: the emulator against what GitHub really sends, not against itself.

Real api.github.com exchanges recorded by PyGithub's test suite and the emulator's own bodies
go through the same githubkit models; the emulator's objects must carry every field the
recorded ones carry, and its headers must have the recorded forms.

The recordings are not part of this repository. They are read from
``$RELEASE_GITHUB_RECORDINGS`` or, by default, from the ``shared/github-recordings`` folder
beside the checkout (the developers' machines have one). Where neither exists these tests skip
with one line; with ``RELEASE_REQUIRE_RECORDINGS=1`` (set by ``.ci/run``) a skip is a failure,
so CI can never pass them silently.
"""

from __future__ import annotations

import ast
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import requests

from emulator_fixtures import make_github, push_tag
from gitfixtures import OWNER, REPO, Project, git
from github_schemas import SchemaViolation, shared_validator
from release_orchestrator.sandbox import GitHubEmulator, JobSpec, Lifecycle, StepSpec

_BESIDE_CHECKOUT = Path(__file__).resolve().parents[2] / "shared" / "github-recordings"
RECORDINGS = Path(os.environ.get("RELEASE_GITHUB_RECORDINGS") or _BESIDE_CHECKOUT)

if not any(RECORDINGS.glob("*.txt")):
    _REASON = f"no GitHub recordings at {RECORDINGS} (set RELEASE_GITHUB_RECORDINGS to a copy)"
    if os.environ.get("RELEASE_REQUIRE_RECORDINGS") == "1":
        pytest.fail(f"{_REASON}; RELEASE_REQUIRE_RECORDINGS=1 forbids skipping", pytrace=False)
    pytest.skip(_REASON, allow_module_level=True)


@dataclass(frozen=True)
class Exchange:
    """One recorded request and GitHub's answer."""

    file: str
    method: str
    path: str
    status: int
    headers: dict[str, str]  # lower-case names
    body: object

    @property
    def year(self) -> int:
        found = re.search(r"\b(\d{4})\b", self.headers.get("date", ""))
        return int(found[1]) if found else 0


@cache
def _exchanges() -> tuple[Exchange, ...]:
    """Every exchange of every recording (format: see the recordings' README)."""
    return tuple(_parse())


def _parse() -> Iterator[Exchange]:
    for file in sorted(RECORDINGS.glob("*.txt")):
        lines = file.read_text(encoding="utf-8").split("\n")
        index = 0
        while index < len(lines):
            if lines[index] not in ("http", "https"):
                index += 1
                continue
            _, method, _, _, target, _, _, status, headers, body = lines[index : index + 10]
            index += 10
            yield Exchange(
                file=file.name,
                method=method,
                path=target.split("?")[0],
                status=int(status),
                headers={k.lower(): v for k, v in ast.literal_eval(headers)},
                body=json.loads(body) if body[:1] in ("{", "[") else None,
            )


def _recorded(file: str, method: str, path_end: str) -> dict[str, object]:
    found = next(
        e.body
        for e in _exchanges()
        if e.file == file and e.method == method and e.path.endswith(path_end)
    )
    assert isinstance(found, dict)
    return found


def _validatable(exchange: Exchange) -> bool:
    known = exchange.path.startswith("/repos/") or exchange.path == "/rate_limit"
    return exchange.body is not None and known


def test_recorded_bodies_since_2023_match_the_schemas() -> None:
    checked = [e for e in _exchanges() if e.year >= 2023 and _validatable(e)]
    validate = shared_validator()

    for exchange in checked:
        validate(exchange.method, exchange.path, exchange.status, exchange.body)

    kinds = {(e.method, re.sub(r"\d+", "N", e.path.split("/", 4)[-1])) for e in checked}
    assert len(checked) >= 15 and len(kinds) >= 8


def test_older_recordings_fail_only_on_fields_required_later() -> None:
    old_runs = [
        e for e in _exchanges() if e.year == 2020 and e.path.endswith("/actions/runs") and e.body
    ]
    validate = shared_validator()
    assert old_runs
    for exchange in old_runs:
        with pytest.raises(SchemaViolation) as caught:
            validate(exchange.method, exchange.path, exchange.status, exchange.body)
        problems = str(caught.value).splitlines()[1:]
        assert problems and all(
            re.search(r"/(path|display_title): Field required", p) for p in problems
        )


@pytest.fixture
def sent_bodies(
    emulator_factory: Callable[..., GitHubEmulator],
) -> tuple[GitHubEmulator, list[tuple[str, str, int, object]]]:
    """An emulator whose every JSON body is validated and also kept for the test."""
    bodies: list[tuple[str, str, int, object]] = []
    validate = shared_validator()

    def keep(method: str, path: str, status: int, body: object) -> None:
        bodies.append((method, path, status, body))
        validate(method, path, status, body)

    return emulator_factory(on_json=keep), bodies


def _exercise(emu: GitHubEmulator, project: Project) -> None:
    """Make the emulator send one of each kind of body."""
    job = JobSpec("pypi", steps=[StepSpec("Build"), StepSpec("Publish", "failure")])
    emu.add_workflow("publish.yml", on_tags=["v*"], jobs=[job], lifecycle=Lifecycle(0, 0))
    push_tag(project, "v0.1.0")
    repo = make_github(emu).get_repo(f"{OWNER}/{REPO}")
    workflow = repo.get_workflow("publish.yml")
    run = next(iter(workflow.get_runs(branch="v0.1.0")))
    run = repo.get_workflow_run(run.id)
    run.rerun()
    repo.get_workflow_run(run.id).get_attempt(1)
    (first,) = run.jobs()
    repo.get_workflow_job(first.id).logs_url()
    release = repo.create_git_release("v0.2.0", "v0.2.0", "notes")
    release.update_release("v0.2.0", "edited")
    repo.get_git_tag(repo.get_git_ref("tags/v0.1.0").object.sha)
    repo.create_git_tag("v0.3.0", "m", git(project.work, "rev-parse", "HEAD"), "commit")
    make_github(emu).get_rate_limit()


def _first(
    bodies: list[tuple[str, str, int, object]], method: str, pattern: str
) -> dict[str, object]:
    for sent_method, path, _, body in bodies:
        if sent_method == method and re.search(pattern, path) and isinstance(body, dict):
            return body
    raise AssertionError(f"the emulator sent no {method} {pattern}")


# Recorded for organization-owned repositories only; the emulated owner is a user.
_ORG_ONLY = {"organization"}


def _missing(recorded: dict[str, object], ours: dict[str, object]) -> set[str]:
    return set(recorded) - set(ours) - _ORG_ONLY


def test_the_emulators_bodies_validate_and_carry_every_recorded_field(
    sent_bodies: tuple[GitHubEmulator, list[tuple[str, str, int, object]]], project: Project
) -> None:
    emu, bodies = sent_bodies
    _exercise(emu, project)
    assert not emu.errors

    repo = _first(bodies, "GET", rf"/repos/{OWNER}/{REPO}$")
    run = _first(bodies, "GET", r"/actions/runs/\d+$")
    attempt = _first(bodies, "GET", r"/attempts/1$")
    jobs = _first(bodies, "GET", r"/runs/\d+/jobs$")
    job = _first(bodies, "GET", r"/actions/jobs/\d+$")
    tag = _first(bodies, "GET", r"/git/tags/")
    release = _first(bodies, "POST", r"/releases$")
    rec_run = _recorded("WorkflowRun.setUp.txt", "GET", "/actions/runs/3881497935")
    rec_jobs = _recorded("WorkflowJob.setUp.txt", "GET", "/jobs")
    rec_job = _recorded("Repository.testGetWorkflowJob.txt", "GET", "/actions/jobs/54251022208")
    pairs = {
        "repository": (_recorded("WorkflowRun.setUp.txt", "GET", "/PyGithub"), repo),
        "workflow": (
            _recorded("Workflow.setUp.txt", "GET", "/check.yml"),
            _first(bodies, "GET", r"/workflows/publish\.yml$"),
        ),
        "run": (rec_run, run),
        "run.head_commit": (rec_run["head_commit"], run["head_commit"]),
        "run.repository": (rec_run["repository"], run["repository"]),
        "run.actor": (rec_run["actor"], run["actor"]),
        "attempt": (_recorded("WorkflowRun.testGetAttempt.txt", "GET", "/attempts/2"), attempt),
        "jobs": (rec_jobs, jobs),
        "job": (rec_job, job),
        "job.step": (rec_job["steps"][0], job["steps"][0]),  # type: ignore[index]
        "git tag": (
            _recorded(
                "GitTag.setUp.txt", "GET", "/git/tags/f5f37322407b02a80de4526ad88d5f188977bc3c"
            ),
            tag,
        ),
        "release": (
            _recorded("GitRelease.testGetRelease.txt", "GET", "/releases/tags/v1.0"),
            release,
        ),
    }
    missing = {name: _missing(theirs, ours) for name, (theirs, ours) in pairs.items()}
    assert missing == {name: set() for name in pairs}
    # Every body sent was validated (the hook raised on none); all kinds were exercised.
    kinds = {(m, re.sub(r"/\d+", "/N", p)) for m, p, _, _ in bodies}
    assert len(kinds) >= 14


def test_headers_have_the_recorded_forms(github_emulator: GitHubEmulator, project: Project) -> None:
    recorded = next(
        e for e in _exchanges() if e.file == "WorkflowRun.setUp.txt" and e.status == 200
    )
    auth = {"Authorization": f"token {github_emulator.token}"}
    ours = requests.get(f"{github_emulator.url}/repos/{OWNER}/{REPO}", headers=auth, timeout=5)

    for name in (
        "content-type",
        "etag",
        "x-github-api-version-selected",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "x-ratelimit-used",
        "x-ratelimit-resource",
    ):
        assert name in recorded.headers and name in ours.headers, name
        shape = re.sub(r"[0-9a-f]", "x", recorded.headers[name])
        if name in (
            "content-type",
            "etag",
            "x-github-api-version-selected",
            "x-ratelimit-resource",
        ):
            assert re.sub(r"[0-9a-f]", "x", ours.headers[name]) == shape, name
        else:
            assert ours.headers[name].isdigit(), name

    conditional = requests.get(
        ours.url, headers=auth | {"If-None-Match": ours.headers["ETag"]}, timeout=5
    )
    recorded_304 = next(e for e in _exchanges() if e.status == 304)
    assert conditional.status_code == recorded_304.status == 304
    assert conditional.content == b"" and "content-type" not in conditional.headers
    assert conditional.headers["x-ratelimit-remaining"] == ours.headers["x-ratelimit-remaining"]

    github_emulator.add_workflow("publish.yml", on_tags=["v*"], lifecycle=Lifecycle(0, 0))
    push_tag(project, "v0.1.0")
    job_id = next(
        iter(
            make_github(github_emulator)
            .get_repo(f"{OWNER}/{REPO}")
            .get_workflow_run(github_emulator.run_ids()[0])
            .jobs()
        )
    ).id
    redirect = requests.get(
        f"{github_emulator.url}/repos/{OWNER}/{REPO}/actions/jobs/{job_id}/logs",
        headers=auth,
        allow_redirects=False,
        timeout=5,
    )
    recorded_302 = next(e for e in _exchanges() if e.status == 302)
    assert redirect.status_code == recorded_302.status == 302
    assert redirect.content == b"" and redirect.headers["Content-Length"] == "0"
    assert redirect.headers["Content-Type"] == recorded_302.headers["content-type"]
    assert Path(redirect.headers["Location"]).parent.name == "_blobs"
