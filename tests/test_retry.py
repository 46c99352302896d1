"""``release retry`` against the emulator: real git, real PyGithub, PyPI's side played by the
sandbox, fake time. Each decision: re-run and follow the new attempt, or refuse (exit 3).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
from msgspec.structs import replace

from emulator_fixtures import StepClock, push_tag
from gitfixtures import OWNER, PYPROJECT, REPO, Project
from release_orchestrator.adapters.pypi import PyPIClient
from release_orchestrator.commands.retry import RetryRequest, run_retry
from release_orchestrator.core.explain import RULES, LogInput, Rule, explain
from release_orchestrator.core.retry import Published, decide_retry
from release_orchestrator.core.retry_policy import rerun_can_fix
from release_orchestrator.core.runs import RunState
from release_orchestrator.deps import Deps
from release_orchestrator.errors import Cancelled, ExitCode
from release_orchestrator.render.watch import PlainView
from release_orchestrator.sandbox import GitHubEmulator, JobSpec, Lifecycle, StepSpec
from release_orchestrator.sandbox.pypi import DistFile, PublishingJob, PyPIServer, TrustedPublisher
from release_orchestrator.sandbox.pypi import publish_job as pypi_publish_job
from runcli import Outcome, make_deps, release
from test_watch import BUILD

VERSION = "0.1.1"
TAG = f"v{VERSION}"
WHEEL = f"anomaly_detection_toolkit-{VERSION}-py3-none-any.whl"
# What the maintainer entered on PyPI: right, or with the wrong workflow file name.
RIGHT = TrustedPublisher(OWNER, REPO, "publish.yml", "pypi")
WRONG = replace(RIGHT, workflow="release.yml")
DONE_AT_ONCE = Lifecycle(queued=0, in_progress=0)
AFTER_A_FEW_POLLS = Lifecycle(queued=1, in_progress=2)


def publish(publisher: TrustedPublisher = RIGHT, *, id_token: bool = True) -> JobSpec:
    """The publishing job as PyPI would answer it."""
    job = PublishingJob("publish.yml", "pypi", id_token)
    return pypi_publish_job(
        "publish",
        project=REPO,
        version=VERSION,
        publisher=publisher,
        job=job,
        owner=OWNER,
        repo=REPO,
    )


# The upload reached PyPI with the wheel, then PyPI failed on the sdist (a 503).
PARTIAL_UPLOAD = JobSpec(
    "publish",
    steps=(StepSpec("Download dists"), StepSpec("Publish to PyPI", "failure")),
    log="\n".join(
        (
            "##[group]Run pypa/gh-action-pypi-publish@release/v1",
            "##[endgroup]",
            "Uploading distributions to https://upload.pypi.org/legacy/",
            f"Uploading {WHEEL}",
            "Uploading anomaly_detection_toolkit-0.1.1.tar.gz",
            "ERROR    HTTPError: 503 Service Unavailable from https://upload.pypi.org/legacy/",
            "##[error]Process completed with exit code 1.",
        )
    ),
)


@pytest.fixture
def pypi() -> Iterator[PyPIServer]:
    """PyPI's JSON API: the project exists, and has only the wheel of 0.1.1."""
    server = PyPIServer({REPO: ("0.1.0",)})
    server.add_release(REPO, VERSION, [DistFile(WHEEL)])
    yield server
    server.stop()


def failed_run(project: Project, emu: GitHubEmulator, job: JobSpec, then: JobSpec | None) -> int:
    """Push the tag; its run fails at once with ``job``; a re-run plays ``then``."""
    emu.add_workflow(
        "publish.yml", name="Publish", on_tags=("v*",), jobs=(BUILD, job), lifecycle=DONE_AT_ONCE
    )
    push_tag(project, TAG)
    run_id = emu.run_ids()[-1]
    if then is not None:
        emu.script_next_attempt(run_id, [then], lifecycle=AFTER_A_FEW_POLLS)
    return run_id


def deps_for(project: Project, clock: StepClock, pypi: PyPIServer | None = None) -> Deps:
    client = PyPIClient(override=pypi.url) if pypi else None
    deps = make_deps(cwd=project.work, **({"pypi": client} if client else {}))
    return replace(deps, clock=clock)


def retry(project: Project, emu: GitHubEmulator, deps: Deps, *args: str) -> Outcome:
    return release("retry", *args, "--api-url", emu.url, "--json", deps=deps)


def reruns(emu: GitHubEmulator) -> int:
    return sum(1 for r in emu.requests if r.method == "POST" and "rerun" in r.path)


def test_a_publisher_fixed_on_pypi_is_rerun_and_attempt_2_followed_to_success(
    published: Project, emu: GitHubEmulator, clock: StepClock
) -> None:
    run_id = failed_run(published, emu, publish(WRONG), then=publish(RIGHT))

    out = retry(published, emu, deps_for(published, clock), TAG)

    assert out.code == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"run_id", "decision", "reason", "finding", "attempt", "run"}
    assert data["run_id"] == run_id and data["decision"] == "rerun"
    assert data["finding"] == "invalid-publisher" and data["attempt"] == 2
    assert "fixed outside the repository" in data["reason"]
    assert data["run"]["attempt"] == 2 and data["run"]["conclusion"] == "success"
    assert [job["name"] for job in data["run"]["jobs"]] == ["build", "publish"]
    assert reruns(emu) == 1
    assert any(r.path.endswith(f"/runs/{run_id}/rerun-failed-jobs") for r in emu.requests)
    # The same diagnosis as release explain, then the decision, then the new attempt.
    assert "[invalid-publisher]" in out.stderr and "Re-run: invalid-publisher" in out.stderr
    assert "attempt 2" in out.stderr and "completed: success" in out.stderr
    assert clock.sleeps and max(clock.sleeps) <= 3.0


def test_a_publisher_that_still_differs_is_refused_naming_the_field(
    published: Project, emu: GitHubEmulator, clock: StepClock
) -> None:
    published.write(
        "pyproject.toml", PYPROJECT + '\n[tool.release.pypi]\nworkflow = "release.yml"\n'
    )
    published.commit_all("record the publisher")
    published.push()
    failed_run(published, emu, publish(WRONG), then=publish(RIGHT))
    before = published.state()

    out = retry(published, emu, deps_for(published, clock), TAG)

    assert out.code == ExitCode.CHECK_FAILED, out.stderr
    data = json.loads(out.stdout)
    assert data["decision"] == "refused" and data["finding"] == "invalid-publisher"
    assert data["attempt"] is None and data["run"] is None
    assert "still differs from the token" in data["reason"]
    assert "workflow: publisher 'release.yml', token 'publish.yml'" in data["reason"]
    assert "error: the publisher as configured" in out.stderr
    assert reruns(emu) == 0 and published.state() == before


def test_a_failure_that_needs_a_workflow_change_is_refused_and_nothing_rerun(
    published: Project, emu: GitHubEmulator, clock: StepClock
) -> None:
    failed_run(published, emu, publish(id_token=False), then=publish())

    out = retry(published, emu, deps_for(published, clock), TAG)

    assert out.code == ExitCode.CHECK_FAILED
    data = json.loads(out.stdout)
    assert data["decision"] == "refused" and data["finding"] == "missing-id-token-permission"
    assert "same workflow file at the same commit" in data["reason"]
    assert "release cut patch" in data["reason"]
    assert "release cut patch" in out.stderr.splitlines()[-1]
    assert reruns(emu) == 0


def test_files_already_on_pypi_are_warned_about_before_the_rerun(
    published: Project, emu: GitHubEmulator, clock: StepClock, pypi: PyPIServer
) -> None:
    failed_run(published, emu, PARTIAL_UPLOAD, then=publish())

    out = retry(published, emu, deps_for(published, clock, pypi), TAG)

    assert out.code == 0, out.stderr
    assert json.loads(out.stdout)["finding"] == "index-unavailable"
    warning = next(line for line in out.stderr.splitlines() if "already has" in line)
    assert f"PyPI already has 1 file(s) of {REPO} {VERSION} ({WHEEL})" in warning
    assert '"File already exists" unless the upload step has `skip-existing: true`' in warning
    assert reruns(emu) == 1


def test_a_run_that_has_not_failed_is_not_rerun(
    published: Project, emu: GitHubEmulator, clock: StepClock
) -> None:
    emu.add_workflow(
        "publish.yml", on_tags=("v*",), jobs=(BUILD,), lifecycle=Lifecycle(queued=1000)
    )
    push_tag(published, TAG)
    running = retry(published, emu, deps_for(published, clock), TAG)

    assert running.code == ExitCode.CHECK_FAILED
    assert "has not finished (it is queued)" in running.stderr
    assert "release watch" in running.stderr.splitlines()[-1]
    assert json.loads(running.stdout)["decision"] == "refused"
    assert reruns(emu) == 0


def test_a_green_run_is_not_rerun(
    published: Project, emu: GitHubEmulator, clock: StepClock
) -> None:
    run_id = failed_run(published, emu, publish(RIGHT), then=None)

    out = retry(published, emu, deps_for(published, clock), str(run_id))

    assert out.code == ExitCode.CHECK_FAILED
    data = json.loads(out.stdout)
    assert data == {
        "run_id": run_id,
        "decision": "refused",
        "reason": f"run {run_id} succeeded (success); there is nothing to re-run",
        "finding": None,
        "attempt": None,
        "run": None,
    }
    assert reruns(emu) == 0


def test_declining_at_the_prompt_reruns_nothing(
    published: Project, emu: GitHubEmulator, clock: StepClock
) -> None:
    failed_run(published, emu, publish(WRONG), then=publish(RIGHT))
    asked: list[str] = []

    def decline(question: str) -> bool:
        asked.append(question)
        return False

    request = RetryRequest(target=TAG, api_url=emu.url)
    with pytest.raises(Cancelled) as info:
        run_retry(request, deps_for(published, clock), PlainView(io.StringIO()), confirm=decline)

    assert info.value.exit_code == ExitCode.INTERRUPTED
    assert asked and "Re-run the failed jobs of run" in asked[0]
    assert reruns(emu) == 0


# --- the decision itself (pure) ------------------------------------------------------------


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_explain_ends_with_release_retry_exactly_where_a_rerun_can_fix_it(rule: Rule) -> None:
    steps = [*rule.fix, *(step for variant in rule.variants for step in variant.fix)]
    says_retry = [step for step in steps if "release retry" in step]
    if rerun_can_fix(rule.code):
        assert any("release retry" in step for step in rule.fix), rule.fix
    else:
        assert not says_retry, says_retry


def run_state(conclusion: str | None, status: str = "completed") -> RunState:
    return RunState.from_json(
        {"id": 7, "status": status, "conclusion": conclusion, "html_url": "https://x/runs/7"}
    )


def test_a_cancelled_run_with_nothing_in_its_logs_is_rerun_and_an_unexplained_failure_not() -> None:
    nothing = explain([LogInput("job", iter([b"all good\n"]))], None, "none")

    cancelled = decide_retry(run_state("cancelled"), nothing, None)
    unexplained = decide_retry(run_state("failure"), nothing, None)

    assert cancelled.rerun and cancelled.finding is None
    assert not unexplained.rerun and "release explain 7" in (unexplained.instead or "")
    assert "https://x/runs/7" in (unexplained.instead or "")


@pytest.mark.parametrize(
    ("skips", "option", "said"),
    [
        (True, "--skip-existing", "; the upload step has `--skip-existing`, so it skips them"),
        (
            False,
            "--check-url",
            ': a re-run fails with "File already exists" unless the upload step has `--check-url`',
        ),
        (
            False,
            None,
            ': a re-run fails with "File already exists", and the upload step\'s '
            "uploader cannot skip them",
        ),
    ],
)
def test_files_on_pypi_are_weighed_with_the_uploaders_own_option(
    skips: bool, option: str | None, said: str
) -> None:
    log = b"ERROR    HTTPError: 503 Service Unavailable from https://upload.pypi.org/legacy/\n"
    report = explain([LogInput("job", iter([log]))], None, "none")
    published = Published(REPO, VERSION, (WHEEL,), skip_existing=skips, skip_option=option)

    decision = decide_retry(run_state("failure"), report, published)

    assert decision.warnings == (f"PyPI already has 1 file(s) of {REPO} {VERSION} ({WHEEL}){said}",)


def test_files_on_pypi_with_skip_existing_are_noted_not_warned_against() -> None:
    log = b"ERROR    HTTPError: 503 Service Unavailable from https://upload.pypi.org/legacy/\n"
    report = explain([LogInput("job", iter([log]))], None, "none")
    skipping = Published(REPO, VERSION, (WHEEL,), skip_existing=True)

    decision = decide_retry(run_state("failure"), report, skipping)

    assert decision.rerun and decision.finding == "index-unavailable"
    assert decision.warnings == (
        f"PyPI already has 1 file(s) of {REPO} {VERSION} ({WHEEL}); the upload step has "
        "`skip-existing: true`, so it skips them",
    )
