"""``release status`` for each state of a release, against real git, the GitHub emulator
through PyGithub, and the stand-in PyPI."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator

import pytest

from emulator_fixtures import push_tag
from gitfixtures import OWNER, REPO, Project, git
from release_orchestrator.adapters.pypi import PyPIClient
from release_orchestrator.core.explain import RULES
from release_orchestrator.core.retry_policy import rerun_can_fix
from release_orchestrator.deps import Deps
from release_orchestrator.sandbox import GitHubEmulator, JobSpec, Lifecycle
from release_orchestrator.sandbox.pypi import (
    Attested,
    PublishingJob,
    PyPIServer,
    TrustedPublisher,
    publish_job,
)
from runcli import Outcome, release
from test_watch import PUBLISH_YML

KEYS = {"version", "tag", "release", "run", "pypi", "next"}


@pytest.fixture
def index() -> Iterator[PyPIServer]:
    server = PyPIServer()
    yield server
    server.stop()


@pytest.fixture
def workflow(project: Project) -> Project:
    project.write(".github/workflows/publish.yml", PUBLISH_YML)
    project.commit_all("Add the publish workflow")
    project.push()
    return project


def status(project: Project, index: PyPIServer, *args: str) -> tuple[Outcome, dict[str, object]]:
    deps = Deps(env=os.environ, cwd=project.work, pypi=PyPIClient(override=index.url))
    out = release("status", "--json", *args, deps=deps)
    assert out.code == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == KEYS
    return out, data


def pushed_with(
    emulator: GitHubEmulator, project: Project, job: JobSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    if emulator.token:
        monkeypatch.setenv("GH_TOKEN", emulator.token)
    emulator.add_workflow("publish.yml", on_tags=("v*",), jobs=(job,), lifecycle=Lifecycle(0, 0))
    push_tag(project, "v0.1.0")


def pypi_job(environment: str | None, id_token: bool = True) -> JobSpec:
    return publish_job(
        "publish",
        project=REPO,
        version="0.1.0",
        publisher=TrustedPublisher(OWNER, REPO, "publish.yml", "pypi"),
        job=PublishingJob("publish.yml", environment, id_token),
        owner=OWNER,
        repo=REPO,
    )


def test_nothing_yet(project: Project, index: PyPIServer) -> None:
    _, data = status(project, index)
    assert data == {
        "version": "0.1.0",
        "tag": {"name": "v0.1.0", "local": False, "remote": False, "commit": None},
        "release": None,
        "run": None,
        "pypi": {"served": False, "files": [], "publisher": None},
        "next": "release cut 0.1.0",
    }


def test_tagged_only_resumes_with_cut(project: Project, index: PyPIServer) -> None:
    git(project.work, "tag", "-a", "v0.1.0", "-m", "Release 0.1.0")
    out, data = status(project, index, "0.1.0")
    head = git(project.work, "rev-parse", "HEAD")
    assert data["tag"] == {"name": "v0.1.0", "local": True, "remote": False, "commit": head}
    assert data["next"] == "release cut 0.1.0"
    assert "local only, not pushed (annotated)" in out.stderr


def test_pushed_with_the_run_under_way_is_watched(
    workflow: Project,
    github_emulator: GitHubEmulator,
    index: PyPIServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GH_TOKEN", github_emulator.token or "")
    github_emulator.add_workflow(
        "publish.yml", on_tags=("v*",), jobs=(pypi_job("pypi"),), lifecycle=Lifecycle(5, 5)
    )
    push_tag(workflow, "v0.1.0")

    _, data = status(workflow, index, "--api-url", github_emulator.url)

    run = data["run"]
    assert isinstance(run, dict) and run["status"] == "queued" and run["conclusion"] is None
    assert run["url"].endswith(f"/actions/runs/{run['id']}") and run["attempt"] == 1
    assert data["tag"]["remote"] is True  # type: ignore[index]
    assert data["next"] == "release watch v0.1.0"


@pytest.mark.parametrize(
    ("job", "finding", "next_step"),
    [
        (pypi_job(None), "invalid-publisher", "release retry v0.1.0"),  # fixed on pypi.org
        (pypi_job("pypi", id_token=False), None, "release explain v0.1.0"),
    ],
    ids=["publisher-on-pypi", "needs-a-workflow-change"],
)
def test_failed_run_is_retried_only_when_a_rerun_can_fix_it(
    workflow: Project,
    github_emulator: GitHubEmulator,
    index: PyPIServer,
    monkeypatch: pytest.MonkeyPatch,
    job: JobSpec,
    finding: str | None,
    next_step: str,
) -> None:
    pushed_with(github_emulator, workflow, job, monkeypatch)

    out, data = status(workflow, index, "--api-url", github_emulator.url)

    assert data["run"]["conclusion"] == "failure"  # type: ignore[index]
    assert data["next"] == next_step
    if finding:
        assert f"[{finding}]" in out.stderr


def test_published_is_complete(
    workflow: Project,
    github_emulator: GitHubEmulator,
    index: PyPIServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pushed_with(github_emulator, workflow, pypi_job("pypi"), monkeypatch)
    index.add_release(REPO, "0.1.0", provenance=Attested(f"{OWNER}/{REPO}", "publish.yml", "pypi"))

    out, data = status(workflow, index, "--api-url", github_emulator.url)

    assert data["run"]["conclusion"] == "success"  # type: ignore[index]
    assert data["pypi"] == {
        "served": True,
        "files": [
            "anomaly_detection_toolkit-0.1.0.tar.gz",
            "anomaly_detection_toolkit-0.1.0-py3-none-any.whl",
        ],
        "publisher": {
            "repository": f"{OWNER}/{REPO}",
            "workflow": "publish.yml",
            "environment": "pypi",
        },
    }
    assert data["next"] is None
    assert "complete: PyPI serves this release" in out.stderr


def test_no_token_reads_a_public_repository_and_says_so(
    workflow: Project,
    emulator_factory: Callable[..., GitHubEmulator],
    index: PyPIServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    public = emulator_factory(token=None)
    pushed_with(public, workflow, pypi_job("pypi"), monkeypatch)

    out, data = status(workflow, index, "--api-url", public.url)

    assert "no GitHub token" in out.stderr
    assert data["run"]["conclusion"] == "success"  # type: ignore[index]
    assert data["next"] == "release watch v0.1.0"  # green, but PyPI does not serve it yet


def test_a_refused_token_is_exit_4(
    workflow: Project,
    github_emulator: GitHubEmulator,
    index: PyPIServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pushed_with(github_emulator, workflow, pypi_job("pypi"), monkeypatch)
    monkeypatch.setenv("GH_TOKEN", "ghp_" + "x" * 36)
    deps = Deps(env=os.environ, cwd=workflow.work, pypi=PyPIClient(override=index.url))

    out = release("status", "--api-url", github_emulator.url, deps=deps)

    assert out.code == 4, out.stderr
    assert "ghp_" not in out.stderr


def test_rerun_policy_names_only_real_finding_codes() -> None:
    codes = {rule.code for rule in RULES}
    assert rerun_can_fix("invalid-publisher") and rerun_can_fix("index-unavailable")
    assert not rerun_can_fix("missing-id-token-permission")
    assert not rerun_can_fix("file-already-exists") and not rerun_can_fix(None)
    from release_orchestrator.core import retry_policy

    assert codes >= retry_policy._FIXABLE_BY_RERUN
