"""``release cut`` and ``release watch`` for workflows the tag starts indirectly: by its
creation (``on: create``), and after the build it starts (``on: workflow_run``).

Real git pushes, the GitHub emulator through real PyGithub, and the emulator's fake time.
"""

from __future__ import annotations

import json

import pytest
from msgspec.structs import replace

from emulator_fixtures import FakeClock, StepClock, make_github
from gitfixtures import OWNER, REPO, Project
from release_orchestrator.adapters.pypi import PyPIClient
from release_orchestrator.commands.watch import FIND_DEADLINE
from release_orchestrator.sandbox import GitHubEmulator, JobSpec, Lifecycle, StepSpec
from release_orchestrator.sandbox.pypi import Attested, PyPIServer
from runcli import NO_PYPI, Outcome, make_deps, release

PUBLISH_JOB = """\
  publish:
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
"""
CREATE_YML = f"""\
name: Publish
on: create
jobs:
{PUBLISH_JOB}"""
BUILD_YML = """\
name: Build
on:
  push:
    tags: ["v*"]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: python -m build
      - uses: actions/upload-artifact@v4
"""
AFTER_BUILD_YML = """\
name: Publish
on:
  workflow_run:
    workflows: [Build]
    types: [completed]
jobs:
""" + PUBLISH_JOB.replace(
    "    runs-on:", "    if: github.event.workflow_run.conclusion == 'success'\n    runs-on:", 1
)
BUILD = JobSpec("build", steps=(StepSpec("Set up job"), StepSpec("Build distributions")))
PUBLISH = JobSpec("publish", steps=(StepSpec("Set up job"), StepSpec("Publish to PyPI")))
STEADY = Lifecycle(queued=2, in_progress=3)


def cut(
    project: Project, emu: GitHubEmulator, clock: StepClock, pypi: PyPIClient = NO_PYPI
) -> Outcome:
    deps = replace(make_deps(cwd=project.work, pypi=pypi), clock=clock)
    return release("cut", "0.1.1", "--yes", "--api-url", emu.url, "--json", deps=deps)


def watch(project: Project, emu: GitHubEmulator, clock: StepClock, tag: str) -> Outcome:
    deps = replace(make_deps(cwd=project.work), clock=clock)
    return release("watch", tag, "--api-url", emu.url, "--json", deps=deps)


def commit_workflows(project: Project, **files: str) -> None:
    for name, text in files.items():
        project.write(f".github/workflows/{name}.yml", text)
    project.commit_all("Add the workflows")
    project.push()


def run_of(emu: GitHubEmulator, run_id: int) -> tuple[str, str | None, str]:
    run = make_github(emu).get_repo(f"{OWNER}/{REPO}").get_workflow_run(run_id)
    return run.path.rsplit("/", 1)[-1], run.head_branch, run.event


def test_cut_follows_the_tags_create_run_to_green(
    project: Project, emu: GitHubEmulator, clock: StepClock
) -> None:
    commit_workflows(project, publish=CREATE_YML)
    emu.add_workflow("publish.yml", name="Publish", on_create=True, jobs=(PUBLISH,))

    out = cut(project, emu, clock)

    assert out.code == 0, out.stderr
    run = json.loads(out.stdout)["run"]
    assert run["conclusion"] == "success"
    assert run_of(emu, run["run_id"]) == ("publish.yml", "v0.1.1", "create")
    again = watch(project, emu, clock, "v0.1.1")
    assert again.code == 0, again.stderr
    assert json.loads(again.stdout)["run_id"] == run["run_id"]


def test_cut_follows_the_build_then_the_workflow_run_after_it_to_green(
    project: Project, emu: GitHubEmulator, clock: StepClock, fake_clock: FakeClock
) -> None:
    commit_workflows(project, build=BUILD_YML, publish=AFTER_BUILD_YML)
    emu.add_workflow("build.yml", name="Build", on_tags=("v*",), jobs=(BUILD,), lifecycle=STEADY)
    emu.add_workflow(
        "publish.yml",
        name="Publish",
        on_workflow_run=("Build",),
        workflow_run_types=("completed",),
        jobs=(PUBLISH,),
        lifecycle=STEADY,
    )
    index = PyPIServer({REPO: ("0.1.0",)}, clock=fake_clock)
    # The publish job's success is the upload (its run is on main, as workflow_runs are).
    attested = Attested(f"{OWNER}/{REPO}", "publish.yml", "pypi")
    index.upload_when(
        REPO, "0.1.1", lambda: emu.job_succeeded_at("publish", "main"), provenance=attested
    )

    try:
        out = cut(project, emu, clock, PyPIClient(override=index.url))
    finally:
        index.stop()

    assert out.code == 0, out.stderr
    data = json.loads(out.stdout)["run"]
    assert data["conclusion"] == "success"
    assert [job["name"] for job in data["jobs"]] == ["publish"]
    # A workflow_run runs on the default branch: the tag is what led to it.
    assert run_of(emu, data["run_id"]) == ("publish.yml", "main", "workflow_run")
    build_id = min(emu.run_ids())
    assert run_of(emu, build_id) == ("build.yml", "v0.1.1", "push")
    said = out.stderr
    assert "publish.yml runs after build.yml (on: workflow_run)" in said
    assert f"build.yml run {build_id} completed: success" in said
    assert said.index(f"run {build_id} completed: success") < said.index(
        f"run {data['run_id']} completed: success"
    )
    # The release tag, not the run's branch (main), names the version to confirm.
    assert data["pypi"]["served"] is True
    assert "✓ on PyPI: anomaly-detection-toolkit 0.1.1" in said

    again = watch(project, emu, clock, "v0.1.1")
    assert again.code == 0, again.stderr
    assert json.loads(again.stdout)["run_id"] == data["run_id"]


@pytest.mark.parametrize("publish_starts", [True, False], ids=["skipped", "absent"])
def test_a_failed_build_ends_the_watch_with_its_failure_at_once(
    project: Project, emu: GitHubEmulator, clock: StepClock, publish_starts: bool
) -> None:
    commit_workflows(project, build=BUILD_YML, publish=AFTER_BUILD_YML)
    failing = JobSpec(
        "build",
        steps=(StepSpec("Set up job"), StepSpec("Build distributions", conclusion="failure")),
    )
    emu.add_workflow("build.yml", name="Build", on_tags=("v*",), jobs=(failing,), lifecycle=STEADY)
    skipped = JobSpec("publish", steps=(StepSpec("Publish to PyPI", conclusion="skipped"),))
    emu.add_workflow(
        "publish.yml",
        name="Publish",
        on_workflow_run=("Build",) if publish_starts else (),
        workflow_run_types=("completed",),
        jobs=(skipped,),
    )

    out = cut(project, emu, clock)

    assert out.code == 6, out.stderr
    data = json.loads(out.stdout)["run"]
    assert data["conclusion"] == "failure"
    assert run_of(emu, data["run_id"]) == ("build.yml", "v0.1.1", "push")
    assert (
        f"run {data['run_id']} ended failure: build at step 'Build distributions'; so "
        "publish.yml, which runs after it (on: workflow_run), has no build to publish"
    ) in out.stderr
    assert f"release explain {data['run_id']}" in out.stderr
    assert "[step-failed] The job failed before publishing" in out.stderr  # explained
    assert "waiting for the publish.yml" not in out.stderr
    assert sum(clock.sleeps) < FIND_DEADLINE
