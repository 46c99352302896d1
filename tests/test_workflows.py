"""Workflow parsing: triggers, tag filters, permissions, publishing jobs, YAML edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from release_orchestrator.adapters.files import find_publish_workflow
from release_orchestrator.core.checks.topology import publish_query
from release_orchestrator.core.workflows import (
    event_for,
    filter_matches,
    grants_id_token,
    parse_workflow,
    push_triggers_on_tag,
    release_triggers_on_publish,
)

PUBLISH = """\
name: Publish
on:
  push:
    tags: ["v*"]
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: python -m build
  publish:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: pypi
      url: https://pypi.org/p/anomaly-detection-toolkit
    permissions:
      id-token: write
    steps:
      - uses: actions/download-artifact@v4
      - uses: pypa/gh-action-pypi-publish@release/v1
"""


def test_publish_workflow_is_understood() -> None:
    workflow = parse_workflow(PUBLISH, Path(".github/workflows/publish.yml"))
    assert workflow.filename == "publish.yml"
    assert set(workflow.triggers) == {"push"}
    job = workflow.job("publish")
    assert job is not None
    assert job.environment == "pypi"
    assert job.environment_line == 15
    assert job.line == 12
    assert job.needs == ("build",)
    assert [s.index for s in job.publish_steps] == [1]
    assert job.publish_steps[0].line == 22
    assert grants_id_token(workflow, job)
    build = workflow.job("build")
    assert build is not None and not grants_id_token(workflow, build)
    assert push_triggers_on_tag(workflow, "v0.1.1")
    assert not push_triggers_on_tag(workflow, "0.1.1")


@pytest.mark.parametrize(
    ("on", "tag", "expected"),
    [
        ("on: push", "v1.0", True),
        ("on: [push]", "v1.0", True),
        ('"on": push', "v1.0", True),
        ("on: {push: {tags: ['v*']}}", "v1.0", True),
        ("on: {push: {tags: 'v*'}}", "v1.0", True),
        ("on: {push: {branches: [main]}}", "v1.0", False),
        ("on: {push: {branches: [main], tags: ['v*']}}", "v1.0", True),
        ("on: {push: {tags-ignore: ['*rc*']}}", "v1.0rc1", False),
        ("on: {push: {tags-ignore: ['*rc*']}}", "v1.0", True),
        ("on: {push: {paths: ['src/**']}}", "v1.0", True),
        ("on: {push: {tags: ['v[0-9]+.[0-9]+.[0-9]+']}}", "v10.2.3", True),
        ("on: {push: {tags: ['v[0-9]+.[0-9]+.[0-9]+']}}", "v1.2.3rc1", False),
        ("on: {push: {tags: ['v*', '!v*rc*']}}", "v1.2.3rc1", False),
        ("on: {push: {tags: ['release/*']}}", "release/a/b", False),
        ("on: {push: {tags: ['release/**']}}", "release/a/b", True),
        ("on: [pull_request]", "v1.0", False),
        ("on: {release: {types: [published]}}", "v1.0", False),
    ],
)
def test_push_tag_filters(on: str, tag: str, expected: bool) -> None:
    workflow = parse_workflow(on + "\njobs: {}\n", Path("x.yml"))
    assert push_triggers_on_tag(workflow, tag) is expected


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        ("on: release", True),
        ("on: {release: {types: [published]}}", True),
        ("on: {release: {types: [edited]}}", False),
        ("on: {push: {tags: ['v*']}}", False),
    ],
)
def test_release_trigger(on: str, expected: bool) -> None:
    assert release_triggers_on_publish(parse_workflow(on + "\n", Path("x.yml"))) is expected


@pytest.mark.parametrize(
    ("patterns", "name", "expected"),
    [
        (["v*"], "v1", True),
        (["v*"], "a/v1", False),
        (["**"], "a/b", True),
        (["v1.?0"], "v10", True),  # ? makes the preceding "." optional
        (["v\\*"], "v*", True),
        (["v\\*"], "v1", False),
        (["*", "!v2*", "v2.1"], "v2.1", True),
        (["*", "!v2*"], "v2.1", False),
    ],
)
def test_filter_patterns(patterns: list[str], name: str, expected: bool) -> None:
    assert filter_matches(patterns, name) is expected


@pytest.mark.parametrize(
    ("workflow_perms", "job_perms", "expected"),
    [
        ("write-all", None, True),
        ("read-all", None, False),
        ("{id-token: write}", None, True),
        ("{id-token: write}", "{contents: read}", False),  # job level replaces workflow level
        (None, "write-all", True),
        (None, "{id-token: read}", False),
        (None, None, False),
    ],
)
def test_id_token_permission(
    workflow_perms: str | None, job_perms: str | None, expected: bool
) -> None:
    text = "on: push\n"
    if workflow_perms:
        text += f"permissions: {workflow_perms}\n"
    text += "jobs:\n  publish:\n    runs-on: ubuntu-latest\n"
    if job_perms:
        text += f"    permissions: {job_perms}\n"
    text += "    steps:\n      - run: uv publish\n"
    workflow = parse_workflow(text, Path("x.yml"))
    job = workflow.job("publish")
    assert job is not None and job.publish_steps
    assert grants_id_token(workflow, job) is expected


def test_yaml_edge_cases_anchors_and_flow_style() -> None:
    text = (
        "on: {push: {tags: ['v*']}}\n"
        "x-env: &env pypi\n"
        "jobs: {publish: {environment: *env, steps: [{run: 'twine upload dist/*'}]}}\n"
    )
    job = parse_workflow(text, Path("x.yml")).job("publish")
    assert job is not None and job.environment == "pypi" and job.publish_steps


def test_broken_yaml_is_reported_not_raised() -> None:
    workflow = parse_workflow("on: [push\njobs:\n", Path("x.yml"))
    assert workflow.errors and workflow.errors[0].startswith("not valid YAML")
    assert parse_workflow("- just a list\n", Path("x.yml")).errors


def test_find_publish_workflow(tmp_path: Path) -> None:
    folder = tmp_path / ".github" / "workflows"
    assert find_publish_workflow(tmp_path) is None
    folder.mkdir(parents=True)
    (folder / "ci.yml").write_text("on: push\njobs: {test: {steps: [{run: pytest}]}}\n")
    (folder / "release.yaml").write_text(PUBLISH)
    (folder / "notes.txt").write_text("not a workflow")
    found = find_publish_workflow(tmp_path)
    assert found is not None and found.filename == "release.yaml"
    configured = find_publish_workflow(tmp_path, "ci.yml")
    assert configured is not None and configured.filename == "ci.yml"
    assert find_publish_workflow(tmp_path, "missing.yml") is None


def test_the_watch_looks_for_a_create_run_or_a_workflow_run_after_the_tags_build() -> None:
    sha = "c" * 40
    created = parse_workflow(PUBLISH.replace('push:\n    tags: ["v*"]', "create:"), Path("p.yml"))
    assert event_for(created, "v1.0.0", False) == ("create", None)
    build = parse_workflow(PUBLISH.replace("name: Publish", "name: Build"), Path("build.yml"))
    after = parse_workflow(
        PUBLISH.replace('push:\n    tags: ["v*"]', "workflow_run:\n    workflows: [Build]"),
        Path("publish.yml"),
    )
    query, warning = publish_query(after, [build, after], "publish.yml", "v1.0.0", sha, False)
    assert warning is None
    assert (query.workflow, query.event, query.branch) == ("publish.yml", "workflow_run", None)
    assert query.after is not None
    assert (query.after.workflow, query.after.event, query.after.tag) == (
        "build.yml",
        "push",
        "v1.0.0",
    )
    alone, warned = publish_query(after, [after], "publish.yml", "v1.0.0", sha, False)
    assert alone.after is None and warned is not None and "does not trigger" in warned


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ("uses: pypa/gh-action-pypi-publish@release/v1", ("skip-existing: true", False)),
        (
            "uses: pypa/gh-action-pypi-publish@release/v1\n        with: {skip-existing: true}",
            ("skip-existing: true", True),
        ),
        ("run: twine upload --skip-existing dist/*", ("--skip-existing", True)),
        ("run: python -m twine upload dist/*", ("--skip-existing", False)),
        ("run: poetry publish --build", ("--skip-existing", False)),
        ("run: pdm publish --skip-existing", ("--skip-existing", True)),
        ("run: uv publish", ("--check-url", False)),
        ("run: uv publish --check-url https://pypi.org/simple/", ("--check-url", True)),
        (
            "uses: PyO3/maturin-action@v1\n        with: {command: upload, args: --skip-existing}",
            ("--skip-existing", True),
        ),
        ("run: hatch publish", None),
        ("run: flit publish", None),
    ],
)
def test_how_an_upload_step_skips_the_files_the_index_has(
    step: str, expected: tuple[str, bool] | None
) -> None:
    text = f"on: push\njobs:\n  publish:\n    runs-on: x\n    steps:\n      - {step}\n"
    (job,) = parse_workflow(text, Path(".github/workflows/p.yml")).jobs
    (upload,) = job.publish_steps

    assert upload.skip_existing == expected
