"""Two packages of one repository cut and watched independently, end to end.

Real git, the GitHub emulator through PyGithub and the stand-in PyPI, all on one fake
clock: ``release cut --package a`` follows a's run (publish-a.yml, on ``a-v*`` tags) and
confirms a's upload; then ``release cut --package b`` does the same for b's own workflow,
and ``release watch --package`` finds each package's run by its tag.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from emulator_fixtures import FakeClock, StepClock
from gitfixtures import OWNER, PUBLISH_A, REPO, Project, git, make_monorepo, package_pyproject
from release_orchestrator.adapters.files import find_publish_workflow
from release_orchestrator.adapters.pypi import PyPIClient
from release_orchestrator.deps import Deps
from release_orchestrator.sandbox import GitHubEmulator, JobSpec, Lifecycle, StepSpec
from release_orchestrator.sandbox.pypi import Attested, PublishingJob, PyPIServer, TrustedPublisher
from release_orchestrator.sandbox.pypi import publish_job as pypi_publish_job
from runcli import Outcome, release

# Package b's publishing workflow: a's, on b's tags, building b.
PUBLISH_B = (
    PUBLISH_A.replace("name: Publish a", "name: Publish b")
    .replace('"a-v*"', '"b-v*"')
    .replace("packages/a", "packages/b")
)
PUBLISH_JOB = JobSpec("publish", steps=(StepSpec("Publish to PyPI"),))


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """Packages ``a`` and ``b``, each with its own publishing workflow (the emulator's origin)."""
    monorepo = make_monorepo(tmp_path)
    monorepo.write(".github/workflows/publish-a.yml", PUBLISH_A)
    monorepo.write(".github/workflows/publish-b.yml", PUBLISH_B)
    monorepo.commit_all("Publish each package from its own workflow")
    monorepo.push()
    return monorepo


@pytest.fixture
def emu(github_emulator: GitHubEmulator, monkeypatch: pytest.MonkeyPatch) -> GitHubEmulator:
    """The emulator playing both workflows: each starts on its own package's tags only."""
    assert github_emulator.token is not None
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)
    for name in ("a", "b"):
        github_emulator.add_workflow(
            f"publish-{name}.yml",
            name=f"Publish {name}",
            on_tags=(f"{name}-v*",),
            jobs=(PUBLISH_JOB,),
            lifecycle=Lifecycle(queued=1, in_progress=2),
        )
    return github_emulator


@pytest.fixture
def index(fake_clock: FakeClock, emu: GitHubEmulator) -> Iterator[PyPIServer]:
    """PyPI serves each package's next release once its own publish job has succeeded."""
    server = PyPIServer({"a": ("0.1.0",), "b": ("0.1.0",)}, clock=fake_clock)
    for name, tag in (("a", "a-v0.1.1"), ("b", "b-v0.2.0")):
        server.upload_when(
            name,
            tag.split("-v")[1],
            partial(emu.job_succeeded_at, "publish", tag),
            provenance=Attested(f"{OWNER}/{REPO}", f"publish-{name}.yml", "pypi"),
            lag=10,
        )
    yield server
    server.stop()


def run(
    project: Project, emu: GitHubEmulator, clock: StepClock, index: PyPIServer, *args: str
) -> Outcome:
    """``release ARGS --api-url EMU --json`` in the work tree, on the emulator's clock."""
    pypi = PyPIClient(override=index.url)
    deps = Deps(env=os.environ, cwd=project.work, clock=clock, pypi=pypi)
    return release(*args, "--api-url", emu.url, "--json", deps=deps)


def test_two_packages_are_cut_and_watched_independently(
    project: Project, emu: GitHubEmulator, index: PyPIServer, fake_clock: FakeClock
) -> None:
    clock = StepClock(fake_clock)
    b_before = (project.work / "packages/b/pyproject.toml").read_bytes()

    cut_a = run(project, emu, clock, index, "cut", "--package", "a", "patch", "--yes")

    assert cut_a.code == 0, cut_a.stderr
    a = json.loads(cut_a.stdout)
    assert (a["previous_version"], a["tag"]) == ("0.1.0", "a-v0.1.1")
    assert a["run"]["conclusion"] == "success"
    assert a["run"]["pypi"]["served"] is True
    assert a["run"]["pypi"]["publisher"]["workflow"] == "publish-a.yml"
    assert (project.work / "packages/b/pyproject.toml").read_bytes() == b_before
    assert git(project.work, "show", "--name-only", "--format=%s", "HEAD").split("\n") == [
        "Release a 0.1.1",
        "",
        "packages/a/pyproject.toml",
    ]

    a_after = (project.work / "packages/a/pyproject.toml").read_bytes()
    cut_b = run(project, emu, clock, index, "cut", "--package", "b", "minor", "--yes")

    assert cut_b.code == 0, cut_b.stderr
    b = json.loads(cut_b.stdout)
    # a's tag a-v0.1.1 is no version of b's: b goes from its own 0.1.0.
    assert (b["previous_version"], b["tag"]) == ("0.1.0", "b-v0.2.0")
    assert b["run"]["conclusion"] == "success"
    assert b["run"]["run_id"] != a["run"]["run_id"]
    assert b["run"]["pypi"]["served"] is True
    assert b["run"]["pypi"]["publisher"]["workflow"] == "publish-b.yml"
    assert "✓ on PyPI: b 0.2.0 — 2 files" in cut_b.stderr
    assert (project.work / "packages/a/pyproject.toml").read_bytes() == a_after
    assert (project.work / "packages/b/pyproject.toml").read_text() == package_pyproject(
        "b", "0.2.0"
    )
    assert git(project.work, "show", "--name-only", "--format=%s", "HEAD").split("\n") == [
        "Release b 0.2.0",
        "",
        "packages/b/pyproject.toml",
    ]
    assert sorted(git(project.origin, "tag", "-l").split()) == ["a-v0.1.1", "b-v0.2.0"]

    # HEAD is b's release now; each package's watch still finds its own run by its tag.
    watch_b = run(project, emu, clock, index, "watch", "--package", "b")
    watch_a = run(project, emu, clock, index, "watch", "--package", "a", "a-v0.1.1")

    assert watch_b.code == 0, watch_b.stderr
    assert json.loads(watch_b.stdout)["run_id"] == b["run"]["run_id"]
    assert watch_a.code == 0, watch_a.stderr
    assert json.loads(watch_a.stdout)["run_id"] == a["run"]["run_id"]


@pytest.mark.parametrize(
    ("tag", "workflow"),
    [("a-v0.1.1", "publish-a.yml"), ("b-v0.2.0", "publish-b.yml"), (None, "publish-a.yml")],
)
def test_the_publishing_workflow_is_the_one_the_tag_starts(
    project: Project, tag: str | None, workflow: str
) -> None:
    # publish-a.yml comes first in file order: b's tag must not pick it (its run never comes).
    found = find_publish_workflow(project.work, None, tag)

    assert found is not None and found.filename == workflow


def test_a_cut_of_the_second_package_follows_its_own_workflows_run(
    project: Project, emu: GitHubEmulator, index: PyPIServer, fake_clock: FakeClock
) -> None:
    clock = StepClock(fake_clock)

    out = run(project, emu, clock, index, "cut", "--package", "b", "minor", "--yes")

    assert out.code == 0, out.stderr
    assert "does not trigger on tag" not in out.stderr
    assert "waiting for the run to start" not in out.stderr  # the run was there at once
    # b's push started b's workflow alone, and that run is the one followed.
    assert emu.run_ids() == [json.loads(out.stdout)["run"]["run_id"]]
    assert sum(clock.sleeps) < 60  # followed to the end in the run's lifetime, not a timeout


def push_tag(project: Project, tag: str) -> None:
    """Tag HEAD and push the tag alone, as a release of one package would."""
    git(project.work, "tag", tag)
    git(project.work, "push", "-q", "origin", f"refs/tags/{tag}")


def refused_b_run(emu: GitHubEmulator, project: Project, *, id_token: bool = True) -> int:
    """Push b's release b-v0.2.0; PyPI refuses its upload, because the publisher entered for
    b names another workflow file (or the job may not ask for a token). Returns the run's id.
    """
    job = pypi_publish_job(
        "publish",
        project="b",
        version="0.2.0",
        publisher=TrustedPublisher(OWNER, REPO, "release.yml", "pypi"),
        job=PublishingJob("publish-b.yml", "pypi", id_token),
        owner=OWNER,
        repo=REPO,
    )
    emu.add_workflow("publish-b.yml", on_tags=("b-v*",), jobs=(job,), lifecycle=Lifecycle(0, 0))
    push_tag(project, "b-v0.2.0")
    return emu.run_ids()[-1]


@pytest.fixture
def token(github_emulator: GitHubEmulator, monkeypatch: pytest.MonkeyPatch) -> GitHubEmulator:
    """The emulator, its token in GH_TOKEN, playing no workflow yet."""
    assert github_emulator.token is not None
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)
    return github_emulator


@pytest.fixture
def refused(project: Project, token: GitHubEmulator) -> int:
    """The run of b's release, refused by PyPI for its publisher (see :func:`refused_b_run`)."""
    return refused_b_run(token, project)


def test_explain_of_a_run_compares_the_publisher_of_the_package_its_tag_names(
    project: Project, github_emulator: GitHubEmulator, refused: int
) -> None:
    # No --package: the run's tag b-v0.2.0 says it is b's, published from publish-b.yml.
    out = release(
        "explain", str(refused), "--api-url", github_emulator.url, "--json", cwd=project.work
    )

    assert out.code == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["findings"][0]["code"] == "invalid-publisher"
    assert data["source"] == "the local repository"
    workflow = next(item for item in data["checklist"] if item["field"] == "workflow")
    assert (workflow["publisher"], workflow["token"]) == ("publish-b.yml", "publish-b.yml")
    assert "/manage/project/b/settings/publishing/" in data["publisher_form_url"]
    # Its fix re-runs b's release: a bare `release retry` is refused among several packages.
    assert data["findings"][0]["fix"][-1] == "Re-run the failed jobs: `release retry --package b`."


def test_a_run_url_names_its_package_too(
    project: Project, github_emulator: GitHubEmulator, refused: int
) -> None:
    url = f"https://github.com/{OWNER}/{REPO}/actions/runs/{refused}"

    out = release("explain", url, "--api-url", github_emulator.url, "--json", cwd=project.work)

    assert out.code == 0, out.stderr
    workflow = next(i for i in json.loads(out.stdout)["checklist"] if i["field"] == "workflow")
    assert workflow["publisher"] == "publish-b.yml"


def test_retry_of_a_run_refuses_with_the_packages_commands(
    project: Project, token: GitHubEmulator
) -> None:
    # Without id-token: write a re-run fails the same way: a new release of b is the fix.
    run_id = refused_b_run(token, project, id_token=False)

    out = release("retry", str(run_id), "--yes", "--api-url", token.url, "--json", cwd=project.work)

    assert out.code == 3, out.stderr
    data = json.loads(out.stdout)
    assert data["finding"] == "missing-id-token-permission"
    assert data["reason"].endswith("release a new version: release cut --package b patch")


def test_a_tag_is_watched_and_looked_at_as_its_packages_without_package(
    project: Project, emu: GitHubEmulator, index: PyPIServer, fake_clock: FakeClock
) -> None:
    clock = StepClock(fake_clock)
    push_tag(project, "b-v0.2.0")
    before = project.state()

    watched = run(project, emu, clock, index, "watch", "b-v0.2.0")
    status = run(project, emu, clock, index, "status", "b-v0.2.0")

    assert watched.code == 0, watched.stderr
    data = json.loads(watched.stdout)
    # b's tag started publish-b.yml alone, and b's upload is the one PyPI is asked about.
    assert emu.run_ids() == [data["run_id"]]
    assert data["conclusion"] == "success"
    assert (data["pypi"]["served"], data["pypi"]["publisher"]["workflow"]) == (
        True,
        "publish-b.yml",
    )
    assert status.code == 0, status.stderr
    looked = json.loads(status.stdout)
    assert (looked["tag"]["name"], looked["run"]["id"]) == ("b-v0.2.0", data["run_id"])
    assert project.state() == before


def test_explain_of_a_tag_compares_the_publisher_of_its_package(
    project: Project, github_emulator: GitHubEmulator, refused: int
) -> None:
    out = release(
        "explain", "b-v0.2.0", "--api-url", github_emulator.url, "--json", cwd=project.work
    )

    assert out.code == 0, out.stderr
    data = json.loads(out.stdout)
    workflow = next(item for item in data["checklist"] if item["field"] == "workflow")
    assert (workflow["publisher"], workflow["token"]) == ("publish-b.yml", "publish-b.yml")
    assert data["findings"][0]["fix"][-1] == "Re-run the failed jobs: `release retry --package b`."


def test_retry_of_a_tag_refuses_with_its_packages_commands(
    project: Project, token: GitHubEmulator
) -> None:
    run_id = refused_b_run(token, project, id_token=False)
    before = project.state()

    out = release("retry", "b-v0.2.0", "--yes", "--api-url", token.url, "--json", cwd=project.work)

    assert out.code == 3, out.stderr
    data = json.loads(out.stdout)
    assert (data["run_id"], data["decision"]) == (run_id, "refused")
    assert data["reason"].endswith("release a new version: release cut --package b patch")
    assert not [r for r in token.requests if r.method == "POST"]  # nothing re-run
    assert project.state() == before


def test_a_package_the_tag_contradicts_is_refused_before_github_is_asked(
    project: Project, token: GitHubEmulator, refused: int
) -> None:
    before, asked = project.state(), len(token.requests)

    out = release(
        "retry", "--package", "a", "b-v0.2.0", "--yes", "--api-url", token.url, cwd=project.work
    )

    assert out.code == 2, out.stderr
    assert out.stderr.strip().splitlines() == [
        "error: b-v0.2.0 is not a release tag of --package a (a-v*) but of b; "
        "drop --package, or use --package b"
    ]
    assert len(token.requests) == asked
    assert project.state() == before
