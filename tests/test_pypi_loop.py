"""The closed loop: after a green run, PyPI must serve the version, uploaded by this workflow.

Real git, the GitHub emulator through PyGithub, and the sandbox's stand-in PyPI (JSON and
integrity APIs) over HTTP, all on one fake clock: the CDN lag costs no real time.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator_fixtures import PUBLISH_YML, FakeClock, StepClock, push_tag
from gitfixtures import OWNER, REPO, Project
from release_orchestrator.adapters.pypi import IndexUnreachable, PyPIClient
from release_orchestrator.deps import Deps
from release_orchestrator.sandbox import GitHubEmulator, JobSpec, Lifecycle, StepSpec
from release_orchestrator.sandbox.pypi import Attested, DistFile, PyPIServer
from runcli import NO_PYPI, Outcome, release

THIS = Attested(f"{OWNER}/{REPO}", "publish.yml", "pypi")
LINE = (
    "✓ on PyPI: anomaly-detection-toolkit 0.1.1 — 2 files, published by "
    "kylejones200/anomaly-detection-toolkit publish.yml (environment pypi) "
    "through trusted publishing"
)
FILES = [
    "anomaly_detection_toolkit-0.1.1.tar.gz",
    "anomaly_detection_toolkit-0.1.1-py3-none-any.whl",
]


@pytest.fixture
def index(fake_clock: FakeClock) -> Iterator[PyPIServer]:
    server = PyPIServer({REPO: ("0.1.0",)}, clock=fake_clock)
    yield server
    server.stop()


@pytest.fixture
def tagged(
    project: Project, github_emulator: GitHubEmulator, monkeypatch: pytest.MonkeyPatch
) -> GitHubEmulator:
    """The project's publish workflow, and v0.1.1 pushed: its run succeeds."""
    assert github_emulator.token is not None
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)
    project.write(".github/workflows/publish.yml", PUBLISH_YML)
    project.commit_all("Add the publish workflow")
    project.push()
    publish = JobSpec("publish", steps=(StepSpec("Publish to PyPI"),))
    github_emulator.add_workflow(
        "publish.yml", on_tags=("v*",), jobs=(publish,), lifecycle=Lifecycle(1, 1)
    )
    push_tag(project, "v0.1.1")
    return github_emulator


def watch(
    project: Project, emu: GitHubEmulator, clock: StepClock, pypi: PyPIClient, *args: str
) -> Outcome:
    deps = Deps(env=os.environ, cwd=project.work, clock=clock, pypi=pypi)
    return release("watch", "v0.1.1", "--api-url", emu.url, "--json", *args, deps=deps)


def served_by(index: PyPIServer) -> PyPIClient:
    return PyPIClient(override=index.url)


def test_served_after_the_cdn_lag_is_confirmed_with_its_publisher(
    project: Project, tagged: GitHubEmulator, index: PyPIServer, fake_clock: FakeClock
) -> None:
    # The publish job's success is the upload; the CDN serves it 40 s later.
    index.upload_when(
        REPO, "0.1.1", lambda: tagged.job_succeeded_at("publish", "v0.1.1"), provenance=THIS, lag=40
    )
    clock = StepClock(fake_clock)

    out = watch(project, tagged, clock, served_by(index))

    assert out.code == 0, out.stderr
    assert LINE in out.stderr.splitlines()  # human output goes to stderr beside --json
    assert "waiting for PyPI to serve anomaly-detection-toolkit 0.1.1" in out.stderr
    assert "warning" not in out.stderr
    data = json.loads(out.stdout)
    assert data["pypi"] == {
        "served": True,
        "files": FILES,
        "publisher": {
            "repository": f"{OWNER}/{REPO}",
            "workflow": "publish.yml",
            "environment": "pypi",
        },
    }
    uploaded = tagged.job_succeeded_at("publish", "v0.1.1")
    assert uploaded is not None and fake_clock.now >= uploaded + 40  # it waited out the lag


def test_never_served_exits_7_and_still_prints_the_json(
    project: Project, tagged: GitHubEmulator, index: PyPIServer, fake_clock: FakeClock
) -> None:
    clock = StepClock(fake_clock)

    out = watch(project, tagged, clock, served_by(index), "--pypi-timeout", "60")

    assert out.code == 7, out.stderr
    assert "did not serve anomaly-detection-toolkit 0.1.1 within 60 s" in out.stderr
    data = json.loads(out.stdout)
    assert data["conclusion"] == "success"
    assert data["pypi"] == {"served": False, "files": [], "publisher": None}
    # Backoff, not a poll a second: a few questions over the minute.
    assert 3 <= len([s for s in clock.sleeps if s >= 2]) <= 8


def test_another_publishers_file_is_a_warning(
    project: Project, tagged: GitHubEmulator, index: PyPIServer
) -> None:
    other = Attested("someone/fork", "release.yml", None)
    index.add_release(REPO, "0.1.1", [DistFile(FILES[0], THIS), DistFile(FILES[1], other)])

    out = watch(project, tagged, StepClock(FakeClock()), served_by(index))

    assert out.code == 0, out.stderr
    assert (
        f"warning: {FILES[1]} was uploaded by someone/fork release.yml, not by "
        f"{OWNER}/{REPO} publish.yml (environment pypi)"
    ) in out.stderr
    assert json.loads(out.stdout)["pypi"]["publisher"] is None  # the files disagree


def test_a_file_without_provenance_is_a_warning(
    project: Project, tagged: GitHubEmulator, index: PyPIServer
) -> None:
    index.add_release(REPO, "0.1.1", [DistFile(FILES[0], THIS), DistFile(FILES[1])])

    out = watch(project, tagged, StepClock(FakeClock()), served_by(index))

    assert out.code == 0, out.stderr
    assert f"warning: PyPI has no provenance for {FILES[1]}" in out.stderr
    assert json.loads(out.stdout)["pypi"]["files"] == FILES


def test_an_unreachable_index_is_a_warning_and_the_run_decides(
    project: Project, tagged: GitHubEmulator
) -> None:
    out = watch(project, tagged, StepClock(FakeClock()), NO_PYPI)

    assert out.code == 0, out.stderr
    assert "warning: upload unconfirmed: cannot reach http://127.0.0.1:9" in out.stderr
    assert json.loads(out.stdout)["pypi"] is None


def test_no_pypi_check_skips_the_index(
    project: Project, tagged: GitHubEmulator, index: PyPIServer
) -> None:
    out = watch(project, tagged, StepClock(FakeClock()), served_by(index), "--no-pypi-check")

    assert out.code == 0, out.stderr
    assert "on PyPI" not in out.stderr and "unconfirmed" not in out.stderr
    assert json.loads(out.stdout)["pypi"] is None


def test_cut_follows_the_run_and_confirms_the_upload(
    project: Project, tagged: GitHubEmulator, index: PyPIServer, fake_clock: FakeClock
) -> None:
    index.upload_when(
        REPO, "0.1.2", lambda: tagged.job_succeeded_at("publish", "v0.1.2"), provenance=THIS
    )
    deps = Deps(
        env=os.environ, cwd=project.work, clock=StepClock(fake_clock), pypi=served_by(index)
    )
    # The seed project is at 0.1.0 with v0.1.1 already tagged: cut 0.1.2 from there.
    out = release("cut", "0.1.2", "--yes", "--api-url", tagged.url, "--json", deps=deps)

    assert out.code == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["run"]["pypi"]["served"] is True
    assert "✓ on PyPI: anomaly-detection-toolkit 0.1.2 — 2 files" in out.stderr


def test_the_adapter_tells_unreachable_from_not_found(index: PyPIServer) -> None:
    assert PyPIClient().release(index.url, REPO, "9.9.9").served is False  # a 404
    with pytest.raises(IndexUnreachable):
        NO_PYPI.release("http://127.0.0.1:9", REPO, "0.1.1")


def test_stand_in_serves_the_documented_shapes(index: PyPIServer, tmp_path: Path) -> None:
    index.add_release(REPO, "0.1.1", provenance=THIS)
    status, data = index.answer(f"/pypi/{REPO}/0.1.1/json")
    assert status == 200 and set(data) >= {"info", "urls", "last_serial", "vulnerabilities"}
    wheel = data["urls"][1]
    assert wheel["packagetype"] == "bdist_wheel" and set(wheel["digests"]) == {
        "blake2b_256",
        "md5",
        "sha256",
    }
    status, provenance = index.answer(f"/integrity/{REPO}/0.1.1/{FILES[0]}/provenance")
    assert status == 200 and provenance["version"] == 1
    bundle = provenance["attestation_bundles"][0]
    assert bundle["publisher"]["kind"] == "GitHub" and bundle["attestations"]
    assert index.answer(f"/integrity/{REPO}/0.1.1/other.whl/provenance")[0] == 404
    assert index.answer(f"/pypi/{REPO}/0.2.0/json")[0] == 404
    assert "0.1.1" in index.answer(f"/pypi/{REPO}/json")[1]["releases"]
