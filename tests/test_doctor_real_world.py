"""``release doctor`` on the patterns real publishing workflows use.

Each fixture is written here, small, for one pattern seen in public repositories' publishing
workflows: the many ways to upload with a token, every uploader, every form of action ref,
reusable workflows from both sides, artifacts handed over from afar, and triggers and
``if:`` guards as GitHub evaluates them. The rule throughout: an error only where the
upload is certain to fail or to publish from the wrong place.
"""

from __future__ import annotations

from typing import Any

import pytest

from gitfixtures import OWNER, PYPROJECT, REPO, Project
from test_doctor import (  # the local PyPI and the helpers of the doctor's own tests
    GOOD,
    WORKFLOW,
    codes,
    doctor,
    finding,
    pypi,
    release,
    use,
)

pytestmark = pytest.mark.usefixtures("pypi", "offline_github")
__all__ = ["pypi"]  # fixtures, used through pytestmark


@pytest.fixture
def offline_github(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bare SHA pin makes the doctor ask GitHub: here nothing answers (a closed port)."""
    monkeypatch.setenv("GITHUB_API_URL", "http://127.0.0.1:9")


CONFIGURED = f'\n[tool.release.pypi]\nowner = "{OWNER}"\nrepository = "{REPO}"\n'
ON_TAG = 'on:\n  push:\n    tags: ["v*"]\n'
BUILD_JOB = (
    "  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python -m build\n"
    "      - uses: actions/upload-artifact@v4\n        with: {name: dist, path: dist/}\n"
)
DOWNLOAD = "      - uses: actions/download-artifact@v4\n"
BUILD_JOB_IN_GOOD = GOOD[GOOD.index("  build:\n") : GOOD.index("  publish:\n")]


def publish_job(steps: str, *, head: str = "", perms: bool = True) -> str:
    """A workflow on the tag: the build job, then `publish` (with `head` lines) running `steps`."""
    grant = "    permissions:\n      id-token: write\n" if perms else ""
    return (
        f"{ON_TAG}jobs:\n{BUILD_JOB}  publish:\n    needs: build\n    runs-on: ubuntu-latest\n"
        f"    environment: pypi\n{grant}{head}    steps:\n{DOWNLOAD}{steps}"
    )


def notes(data: dict[str, Any]) -> list[str]:
    return [str(n["message"]) for n in data["notes"]]


# --- token uploads: one finding, both halves of the fix ----------------------------------

TOKEN_FORMS = [
    (
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
        "        with: {password: '${{ secrets.PYPI }}'}\n",
        "",
    ),
    ("      - run: twine upload dist/*\n        env: {TWINE_PASSWORD: '${{ secrets.T }}'}\n", ""),
    ("      - run: twine upload dist/*\n", "env:\n  TWINE_PASSWORD: ${{ secrets.T }}\n"),
    ("      - run: uv publish\n        env: {UV_PUBLISH_TOKEN: '${{ secrets.T }}'}\n", ""),
    ("      - run: poetry publish\n        env: {POETRY_PYPI_TOKEN_PYPI: x}\n", ""),
    ("      - run: pdm publish --no-build\n        env: {PDM_PUBLISH_PASSWORD: x}\n", ""),
    ("      - run: maturin upload dist/*\n        env: {MATURIN_PYPI_TOKEN: x}\n", ""),
    ("      - run: uv publish --token ${{ secrets.T }}\n", ""),
    ("      - run: python -m twine upload -u __token__ -p ${{ secrets.T }} dist/*\n", ""),
    ("      - run: twine upload --password ${{ secrets.T }} dist/*\n", ""),
    (
        "      - run: printf '[pypi]\\npassword = %s\\n' \"$T\" > ~/.pypirc\n"
        "      - run: twine upload dist/*\n",
        "",
    ),
    (
        "      - run: poetry config pypi-token.pypi ${{ secrets.T }}\n"
        "      - run: poetry publish\n",
        "",
    ),
    # set in the script itself, or written to $GITHUB_ENV for the later steps
    ('      - run: |\n          export HATCH_INDEX_AUTH="$T"\n          hatch publish\n', ""),
    ("      - run: TWINE_PASSWORD=$T twine upload dist/*\n", ""),
    (
        '      - run: echo "UV_PUBLISH_TOKEN=$T" >> "$GITHUB_ENV"\n'
        "      - run: uv publish\n",
        "",
    ),
]


@pytest.mark.parametrize(("steps", "top"), TOKEN_FORMS)
def test_a_token_upload_is_one_finding_that_says_both_halves(
    project: Project, steps: str, top: str
) -> None:
    """Pattern: a token upload in any form, no `id-token: write`, a publisher configured."""
    use(project, top + publish_job(steps, perms=False), pyproject_extra=CONFIGURED)
    _, data = doctor(cwd=project.work)
    assert codes(data) == [("password-with-trusted-publishing", "error")]
    fix = finding(data, "password-with-trusted-publishing")["fix"]
    assert "remove the token" in fix and "id-token: write" in fix


def test_a_token_next_to_id_token_asks_only_to_drop_it(project: Project) -> None:
    use(project, publish_job(TOKEN_FORMS[0][0]))
    _, data = doctor(cwd=project.work)
    assert codes(data) == [("password-with-trusted-publishing", "error")]
    assert "id-token" not in finding(data, "password-with-trusted-publishing")["fix"]


def test_a_deliberate_token_upload_is_a_note(project: Project) -> None:
    """Pattern: no publisher configured, no id-token: the project uploads with a token."""
    use(project, publish_job(TOKEN_FORMS[3][0], perms=False))
    _, data = doctor(cwd=project.work)
    assert codes(data) == []
    assert any("uploads with a token" in n for n in notes(data))


# --- every uploader is a publishing step -------------------------------------------------


@pytest.mark.parametrize(
    "run",
    [
        "poetry publish",
        "pdm publish --no-build",
        "hatch publish",
        "flit publish",
        "maturin upload dist/*",
        "python -m twine upload dist/*",
        "uv publish --trusted-publishing always",
    ],
)
def test_every_uploader_publishes(project: Project, run: str) -> None:
    """Pattern: uploaders other than the action; token-less under id-token: no error."""
    use(project, publish_job(f"      - run: {run}\n"))
    _, data = doctor(cwd=project.work)
    assert data["job"] == "publish"
    assert [c for c in codes(data) if c[1] == "error"] == []


@pytest.mark.parametrize(
    "run", ["poetry publish --build", "maturin publish", "flit publish", "pdm publish"]
)
def test_uploaders_that_build_first_build_in_the_publish_job(project: Project, run: str) -> None:
    use(project, publish_job(f"      - run: {run}\n"))
    _, data = doctor(cwd=project.work)
    assert codes(data) == [("build-in-publish-job", "warning")]


# maturin's generated CI uploads through its own action, `command: upload` (or `publish`).
MATURIN_UPLOAD = (
    "      - uses: PyO3/maturin-action@v1\n"
    "        with: {command: upload, args: --non-interactive --skip-existing dist/*}\n"
)


def test_maturin_action_upload_is_a_publishing_step(project: Project) -> None:
    """Pattern: maturin-action `command: upload` under id-token: trusted publishing, no build."""
    use(project, publish_job(MATURIN_UPLOAD), pyproject_extra=CONFIGURED)
    _, data = doctor(cwd=project.work)
    assert data["job"] == "publish"
    assert codes(data) == []


def test_maturin_action_upload_with_a_token(project: Project) -> None:
    """Pattern: the generated layout's MATURIN_PYPI_TOKEN next to `id-token: write`."""
    steps = MATURIN_UPLOAD + "        env: {MATURIN_PYPI_TOKEN: '${{ secrets.PYPI }}'}\n"
    use(project, publish_job(steps), pyproject_extra=CONFIGURED)
    _, data = doctor(cwd=project.work)
    assert codes(data) == [("password-with-trusted-publishing", "error")]
    assert "MATURIN_PYPI_TOKEN" in finding(data, "password-with-trusted-publishing")["message"]


def test_maturin_action_publish_builds_and_its_default_command_does_not_upload(
    project: Project,
) -> None:
    """`command: publish` builds in the publishing job; the default command only builds."""
    steps = "      - uses: messense/maturin-action@v1\n        with: {command: publish}\n"
    use(project, publish_job(steps), pyproject_extra=CONFIGURED)
    _, data = doctor(cwd=project.work)
    assert codes(data) == [("build-in-publish-job", "warning")]
    use(project, publish_job("      - uses: PyO3/maturin-action@v1\n"), pyproject_extra=CONFIGURED)
    _, data = doctor(cwd=project.work)
    assert ("no-publish-workflow", "error") in codes(data)


# --- every form of action ref ------------------------------------------------------------

SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    ("ref", "outdated"),
    [
        ("master", True),  # the frozen, Docker-based line
        ("main", True),
        ("v1.4", True),
        ("v1.4.2", True),
        ("release/v1.8", True),
        ("release/v1.6.4", True),  # no such ref, but it states its version
        (f"{SHA}  # v1.9.0", True),  # a pin with its version in a comment
        (f"{SHA} # v1.12.4", False),
        ("release/v1", False),
        ("v1.13.0", False),
    ],
)
def test_action_version_from_every_ref_form(project: Project, ref: str, outdated: bool) -> None:
    use(project, publish_job(f"      - uses: pypa/gh-action-pypi-publish@{ref}\n"))
    _, data = doctor(cwd=project.work)
    assert codes(data) == ([("outdated-action", "error")] if outdated else [])


@pytest.mark.parametrize("ref", [SHA, "v1", "my-branch"])
def test_an_unreadable_version_is_a_note_not_a_finding(project: Project, ref: str) -> None:
    """Pattern: a bare SHA (no version comment), `@v1`, a branch: the version is unknown."""
    use(project, publish_job(f"      - uses: pypa/gh-action-pypi-publish@{ref}\n"))
    out, data = doctor(cwd=project.work)
    assert out.code == 0
    assert codes(data) == []
    assert any("version unknown" in n for n in notes(data))


# --- reusable workflows, both sides ------------------------------------------------------

CALLEE = (
    "on: workflow_call\njobs:\n  upload:\n    runs-on: ubuntu-latest\n    environment: pypi\n"
    "    steps:\n      - uses: actions/download-artifact@v4\n"
    "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
)
CALLER = (
    f"{ON_TAG}jobs:\n{BUILD_JOB}  publish:\n    needs: build\n"
    "    permissions:\n      id-token: write\n    uses: ./.github/workflows/upload.yml\n"
)


def test_a_caller_of_a_publishing_callee(project: Project) -> None:
    """Pattern: the tag starts the caller; the callee's job publishes (job_workflow_ref)."""
    use(project, CALLEE, name=".github/workflows/upload.yml")
    use(project, CALLER)
    _, data = doctor(cwd=project.work)
    assert (data["workflow"], data["job"]) == (".github/workflows/upload.yml", "upload")
    claims = data["predicted_claims"]
    assert claims["workflow_ref"].startswith(f"{OWNER}/{REPO}/{WORKFLOW}@")
    assert claims["job_workflow_ref"].startswith(f"{OWNER}/{REPO}/.github/workflows/upload.yml@")
    assert codes(data) == [("reusable-workflow", "error")]


def test_the_callers_permissions_limit_the_callee(project: Project) -> None:
    use(project, CALLEE, name=".github/workflows/upload.yml")
    use(project, CALLER.replace("    permissions:\n      id-token: write\n", ""))
    _, data = doctor(cwd=project.work)
    assert ("missing-id-token", "error") in codes(data)


def test_a_callee_with_workflow_call_and_other_triggers_graded_alone(project: Project) -> None:
    """Pattern: `on: [workflow_call, workflow_dispatch]`, no caller here."""
    use(project, CALLEE.replace("on: workflow_call", "on: [workflow_call, workflow_dispatch]"))
    _, data = doctor(cwd=project.work)
    assert ("reusable-workflow", "error") in codes(data)


def test_a_callee_without_attestations_is_a_warning(project: Project) -> None:
    """Pattern: a reusable `uv publish` job makes no attestation: it can match PyPI."""
    callee = CALLEE.replace(
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n", "      - run: uv publish\n"
    )
    use(project, callee, name=".github/workflows/upload.yml")
    use(project, CALLER)
    _, data = doctor(cwd=project.work)
    assert ("reusable-workflow", "warning") in codes(data)


@pytest.mark.parametrize(
    "uses",
    [
        "./.github/workflows/tests.yml",
        "slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@v2.0.0",
    ],
)
def test_a_non_publishing_reusable_call_is_not_reusable_workflow(
    project: Project, uses: str
) -> None:
    """Pattern: a test matrix or provenance job next to the publishing job."""
    tests = "on: workflow_call\njobs:\n  test:\n    steps:\n      - run: pytest\n"
    use(project, tests, name=".github/workflows/tests.yml")
    use(project, GOOD + f"  provenance:\n    needs: build\n    uses: {uses}\n")
    _, data = doctor(cwd=project.work)
    assert codes(data) == []


def test_an_absent_callee_is_named_not_a_crash(project: Project) -> None:
    use(project, CALLER)
    out, data = doctor(cwd=project.work)
    assert out.code == 0
    assert codes(data) == [("no-publish-workflow", "warning")]
    message = finding(data, "no-publish-workflow")["message"]
    assert ".github/workflows/upload.yml, which could not be read" in message


# --- artifacts handed over ---------------------------------------------------------------


def test_artifacts_through_the_needs_closure(project: Project) -> None:
    """Pattern: publish needs a check job that only downloads; the build job uploads."""
    text = (
        publish_job("      - uses: pypa/gh-action-pypi-publish@release/v1\n").replace(
            "    needs: build\n    runs-on: ubuntu-latest\n    environment",
            "    needs: check\n    runs-on: ubuntu-latest\n    environment",
        )
        + f"  check:\n    needs: build\n    steps:\n{DOWNLOAD}      - run: twine check dist/*\n"
    )
    use(project, text)
    _, data = doctor(cwd=project.work)
    assert codes(data) == []


@pytest.mark.parametrize(
    "build",
    [
        "  build:\n    uses: ./.github/workflows/build.yml\n",  # a local callee uploads
        "  build:\n    steps:\n      - uses: hynek/build-and-inspect-python-package@v2\n",
        "  build:\n    uses: org/workflows/.github/workflows/wheels.yml@v1\n",  # cannot be seen
    ],
)
def test_artifacts_from_any_producer(project: Project, build: str) -> None:
    callee = f"on: workflow_call\njobs:\n{BUILD_JOB.replace('  build:', '  wheels:')}"
    use(project, callee, name=".github/workflows/build.yml")
    use(project, GOOD.replace(BUILD_JOB_IN_GOOD, build))
    _, data = doctor(cwd=project.work)
    assert codes(data) == []


@pytest.mark.parametrize("run", ["pipx run build", "uv build", "hatch build", "cibuildwheel"])
def test_building_in_the_publish_job(project: Project, run: str) -> None:
    use(project, publish_job(f"      - run: {run}\n      - run: uv publish\n"))
    _, data = doctor(cwd=project.work)
    assert codes(data) == [("build-in-publish-job", "warning")]


# --- triggers as GitHub evaluates them ---------------------------------------------------

RELEASE_MODE = "github-release = true\n"


@pytest.mark.parametrize(
    ("on", "guard", "expected"),
    [
        ("on: release\n", "", [("double-trigger", "error")]),  # created, published, released
        ("on:\n  release:\n    types: [published, released]\n", "", [("double-trigger", "error")]),
        ("on:\n  release:\n    types: [published]\n", "", []),
        ("on: release\n", "    if: github.event.action == 'published'\n", []),
        ("on: release\n", "    if: ${{ github.event.action == 'published' }}\n", []),
        (
            'on:\n  push:\n    tags: ["v*"]\n  release:\n    types: [published]\n',
            "    if: github.event_name == 'release'\n",
            [],
        ),
        (
            'on:\n  push:\n    tags: ["v*"]\n  release:\n    types: [published]\n',
            "    if: github.event_name == 'push' && startsWith(github.ref, 'refs/tags/')\n",
            [],
        ),
        ('on:\n  push:\n    tags: ["release-*"]\n  release:\n    types: [published]\n', "", []),
    ],
)
def test_runs_per_release_counted_as_github_starts_them(
    project: Project, on: str, guard: str, expected: list[tuple[str, str]]
) -> None:
    text = GOOD.replace(ON_TAG, on).replace("    needs: build\n", "    needs: build\n" + guard)
    use(project, text, pyproject_extra=RELEASE_MODE)
    _, data = doctor(cwd=project.work)
    assert codes(data) == expected


def test_an_if_it_cannot_evaluate_is_assumed_to_run_and_noted(project: Project) -> None:
    """Pattern: a guard on a repository variable: a possible double upload is a warning."""
    on = 'on:\n  push:\n    tags: ["v*"]\n  release:\n    types: [published]\n'
    guard = "    if: vars.PUBLISH == 'yes'\n"
    text = GOOD.replace(ON_TAG, on).replace("    needs: build\n", "    needs: build\n" + guard)
    use(project, text, pyproject_extra=RELEASE_MODE)
    out, data = doctor(cwd=project.work)
    assert out.code == 0
    assert codes(data) == [("double-trigger", "warning")]
    assert any("cannot be evaluated" in n for n in notes(data))


def test_an_if_that_skips_every_run_of_the_tag(project: Project) -> None:
    guard = "    if: github.event_name == 'release'\n"
    use(project, GOOD.replace("    needs: build\n", "    needs: build\n" + guard))
    _, data = doctor(cwd=project.work)
    assert codes(data) == [("tag-not-triggering", "error")]
    assert "skips the upload" in finding(data, "tag-not-triggering")["message"]


def test_a_gate_job_keeps_pull_requests_from_a_reusable_upload(project: Project) -> None:
    """Pattern: the caller job needs a gate that runs only on workflow_dispatch."""
    use(project, CALLEE, name=".github/workflows/upload.yml")
    caller = (
        "on: [pull_request, workflow_dispatch]\njobs:\n"
        "  gate:\n    if: github.event_name == 'workflow_dispatch'\n    steps:\n"
        "      - run: 'true'\n"
        "  publish:\n    needs: gate\n    if: ${{ !fromJson(inputs.plan).dry }}\n"
        "    permissions: {id-token: write}\n    uses: ./.github/workflows/upload.yml\n"
    )
    use(project, caller)
    _, data = doctor(cwd=project.work)
    assert not [c for c in codes(data) if c[0] == "pull-request-target"]


def test_a_step_guard_keeps_pull_requests_from_the_upload(project: Project) -> None:
    on = 'on:\n  push:\n    tags: ["v*"]\n  pull_request:\n'
    step = (
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
        "        if: startsWith(github.ref, 'refs/tags/')\n"
    )
    use(project, publish_job(step).replace(ON_TAG, on))
    _, data = doctor(cwd=project.work)
    assert codes(data) == []


def test_a_workflow_run_started_by_pull_requests(project: Project) -> None:
    """Pattern: publish on workflow_run after a CI workflow that pull requests start."""
    use(
        project,
        "name: CI\non:\n  push:\n    branches: [main]\n  pull_request:\n"
        "jobs:\n  test:\n    steps:\n      - run: x\n",
        name=".github/workflows/ci.yml",
    )
    on = 'on:\n  push:\n    tags: ["v*"]\n  workflow_run:\n    workflows: [CI]\n'
    use(project, GOOD.replace(ON_TAG, on))
    _, data = doctor(cwd=project.work)
    assert codes(data) == [("pull-request-target", "error")]


CREATE_GUARD = "    if: github.event_name == 'create' && github.event.ref_type == 'tag'\n"


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        ("on: create\n", []),
        ("on:\n  push:\n    branches: [main]\n  create:\n", []),
        # pushing a new tag fires both events, and nothing tells them apart here
        ('on:\n  push:\n    tags: ["v*"]\n  create:\n', [("double-trigger", "error")]),
    ],
)
def test_the_tags_creation_starts_an_on_create_workflow(
    project: Project, on: str, expected: list[tuple[str, str]]
) -> None:
    """Pattern: `on: create` with a job guarded by `github.event.ref_type == 'tag'`."""
    guard = CREATE_GUARD if "tags:" not in on else ""
    text = GOOD.replace(ON_TAG, on).replace("    needs: build\n", "    needs: build\n" + guard)
    use(project, text)
    out, data = doctor(cwd=project.work)
    assert codes(data) == expected
    assert out.code == (3 if expected else 0)


def test_create_runs_see_the_short_ref_and_no_branch(project: Project) -> None:
    """A create's payload names the tag without refs/tags/; a branch's creation is skipped."""
    guard = "    if: github.event.ref == 'refs/tags/v0.1.1'\n"
    text = GOOD.replace(ON_TAG, "on: create\n")
    use(project, text.replace("    needs: build\n", "    needs: build\n" + guard))
    _, data = doctor(cwd=project.work)
    assert codes(data) == [("tag-not-triggering", "error")]


WHEELS = (
    "name: Wheels\non:\n  push:\n    tags: ['*.*']\n"
    "jobs:\n  build:\n    steps:\n      - run: python -m build\n"
)


@pytest.mark.parametrize(
    ("guard", "expected"),
    [
        ("    if: github.event.workflow_run.conclusion == 'success'\n", []),
        # a workflow_run runs on the default branch, never at the tag
        ("    if: startsWith(github.ref, 'refs/tags/')\n", [("tag-not-triggering", "error")]),
    ],
)
def test_a_workflow_run_after_a_workflow_the_tag_starts(
    project: Project, guard: str, expected: list[tuple[str, str]]
) -> None:
    """Pattern: build on the tag push, publish on the build's completion (workflow_run)."""
    use(project, WHEELS, name=".github/workflows/wheels.yml")
    on = "on:\n  workflow_run:\n    workflows: [Wheels]\n    types: [completed]\n"
    text = GOOD.replace(ON_TAG, on).replace("    needs: build\n", "    needs: build\n" + guard)
    use(project, text)
    _, data = doctor(cwd=project.work)
    assert codes(data) == expected
    if not expected:
        assert any("workflow_run after wheels.yml" in n for n in notes(data))
        claims = data["predicted_claims"]
        assert claims["repository"] == f"{OWNER}/{REPO}"
        assert claims.get("ref") is None  # the default branch's name is not known


def test_a_workflow_run_that_follows_only_requests_is_not_a_run_of_the_tag(
    project: Project,
) -> None:
    use(project, WHEELS, name=".github/workflows/wheels.yml")
    on = "on:\n  workflow_run:\n    workflows: [Wheels]\n    types: [requested]\n"
    use(project, GOOD.replace(ON_TAG, on))
    _, data = doctor(cwd=project.work)
    assert codes(data) == [("tag-not-triggering", "error")]


def test_two_projects_from_two_folders_are_not_a_double_upload(project: Project) -> None:
    """Pattern: a monorepo's two publishing jobs, each uploading its own folder."""
    second = (
        "  publish-core:\n    needs: build\n    permissions: {id-token: write}\n    steps:\n"
        f"{DOWNLOAD}      - run: uv publish core-dist/*\n"
    )
    use(project, GOOD + second)
    _, data = doctor(cwd=project.work)
    assert codes(data) == []
    use(project, GOOD + second.replace("core-dist/*", "dist/*"))
    _, data = doctor(cwd=project.work)
    assert codes(data) == [("double-trigger", "warning")]


# --- an error on a path that an `if:` the doctor cannot evaluate decides ---------------

OLD_ACTION = "      - uses: pypa/gh-action-pypi-publish@v1.8.0\n"
# Pattern (yt-dlp): the upload runs only when the workflow was dispatched itself, which a
# workflow_call from another file, or the tag, cannot tell before the run.
DISPATCHED = "        if: github.event.workflow == '.github/workflows/publish.yml'\n"


@pytest.mark.parametrize(
    ("step_if", "severity"),
    [
        (DISPATCHED, "warning"),
        ("        if: vars.PUBLISH == 'yes'\n", "warning"),
        ("", "error"),
        ("        if: startsWith(github.ref, 'refs/tags/')\n", "error"),
        ("        if: github.event_name == 'push' || vars.PUBLISH == 'yes'\n", "error"),
        ("        if: success() && github.ref_type == 'tag'\n", "error"),
    ],
)
def test_an_outdated_action_under_a_step_if(project: Project, step_if: str, severity: str) -> None:
    use(project, publish_job(OLD_ACTION + step_if))
    out, data = doctor(cwd=project.work)
    assert codes(data) == [("outdated-action", severity)]
    assert out.code == (3 if severity == "error" else 0)
    message = finding(data, "outdated-action")["message"]
    hedged = "cannot be known before the run" in message
    assert hedged == (severity == "warning")
    if step_if:
        condition = step_if.split("if: ", 1)[1].strip()
        assert (f"`{condition}` of the upload step" in message) == hedged


@pytest.mark.parametrize(
    ("job_if", "severity"),
    [
        ("    if: vars.PUBLISH == 'yes'\n", "warning"),
        ("    if: ${{ needs.build.outputs.publish == 'true' }}\n", "warning"),
        ("    if: github.event_name == 'push'\n", "error"),
        (f"    if: github.repository == '{OWNER}/{REPO}'\n", "error"),
    ],
)
def test_a_missing_id_token_under_a_job_if(project: Project, job_if: str, severity: str) -> None:
    upload = "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    use(project, publish_job(upload, head=job_if, perms=False))
    _, data = doctor(cwd=project.work)
    assert codes(data) == [("missing-id-token", severity)]
    message = finding(data, "missing-id-token")["message"]
    assert ("of job 'publish' lets it run" in message) == (severity == "warning")


def test_a_callee_whose_upload_runs_only_when_dispatched_itself(project: Project) -> None:
    """Pattern (yt-dlp): on [workflow_call, workflow_dispatch], nothing calls it here, and
    the upload step's `if:` keeps it to the file's own dispatch: reusable-workflow may not
    happen, so it is a warning; nothing starts it for the tag, which stays an error.
    """
    callee = CALLEE.replace("on: workflow_call", "on: [workflow_call, workflow_dispatch]")
    granted = callee.replace("    steps:", "    permissions: {id-token: write}\n    steps:")
    use(project, granted + DISPATCHED)
    _, data = doctor(cwd=project.work)
    assert codes(data)[:2] == [("tag-not-triggering", "error"), ("reusable-workflow", "warning")]
    message = finding(data, "reusable-workflow")["message"]
    assert f"`{DISPATCHED.split('if: ')[1].strip()}` of the upload step" in message


def test_a_caller_known_to_reach_the_upload_keeps_the_error(project: Project) -> None:
    """Two callers on the tag: one behind an unknown `if:`, one without; the failure is sure."""
    use(project, CALLEE, name=".github/workflows/upload.yml")
    guarded = CALLER.replace("    needs: build\n", "    needs: build\n    if: vars.GO\n")
    second = (
        "  publish-again:\n    needs: build\n    permissions:\n      id-token: write\n"
        "    uses: ./.github/workflows/upload.yml\n"
    )
    use(project, guarded + second)
    _, data = doctor(cwd=project.work)
    assert ("reusable-workflow", "error") in codes(data)
    assert "cannot be known" not in finding(data, "reusable-workflow")["message"]


# --- an error on a path known not to run for the tag --------------------------------------

NEW_ACTION = "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
ON_TAG_AND_DISPATCH = 'on:\n  push:\n    tags: ["v*"]\n  workflow_dispatch:\n'


def two_uploads(kept: str, old_if: str) -> str:
    """The tag's upload under `if: kept`, and an outdated action under `if: old_if`."""
    steps = f"{NEW_ACTION}        if: {kept}\n{OLD_ACTION}        if: {old_if}\n"
    return publish_job(steps).replace(ON_TAG, ON_TAG_AND_DISPATCH)


@pytest.mark.parametrize(
    ("old_if", "severity"),
    [
        ("github.event_name == 'workflow_dispatch'", "warning"),
        ("inputs.republish", "warning"),  # a push has no inputs: null, falsy
        ("github.event.inputs.republish == 'true'", "warning"),
        ("${{ !inputs.skip_pypi }}", "error"),
        ("github.event_name != 'workflow_dispatch'", "error"),
    ],
)
def test_an_outdated_action_in_a_step_the_tag_does_not_run(
    project: Project, old_if: str, severity: str
) -> None:
    """Pattern: a manual re-upload step beside the tag's own: its failure cannot fail the
    release the tag starts, so it is a warning that says the step does not run.
    """
    use(project, two_uploads("github.event_name == 'push'", old_if))
    out, data = doctor(cwd=project.work)
    assert codes(data) == [("outdated-action", severity)]
    assert out.code == (3 if severity == "error" else 0)
    message = finding(data, "outdated-action")["message"]
    condition = old_if.removeprefix("${{ ").removesuffix(" }}")
    skipped = f"; the step does not run for tag v0.1.0 (its if: `{condition}`)"
    assert message.endswith(skipped) == (severity == "warning")
    assert "cannot be known" not in message


def test_an_unknown_run_of_a_step_stays_unknown_beside_a_known_skip(project: Project) -> None:
    """The step is known not to run on the tag push but may on the GitHub Release: unknown."""
    on = 'on:\n  push:\n    tags: ["v*"]\n  release:\n    types: [published]\n'
    old_if = "github.event_name == 'release' && vars.REUPLOAD == 'yes'"
    text = two_uploads("github.event_name == 'push'", old_if).replace(ON_TAG_AND_DISPATCH, on)
    use(project, text, pyproject_extra="github-release = true\n")
    _, data = doctor(cwd=project.work)
    assert ("outdated-action", "warning") in codes(data)
    message = finding(data, "outdated-action")["message"]
    assert "cannot be known before the run" in message
    assert "does not run for tag" not in message


MANUAL_CALLER = (
    "on: workflow_dispatch\njobs:\n  by-hand:\n    uses: ./.github/workflows/upload.yml\n"
)


def test_a_caller_the_tag_never_starts_without_id_token(project: Project) -> None:
    """Pattern: the tag's caller grants id-token; a second, manual caller does not. Its
    failure cannot fail the release, so missing-id-token is a warning naming it.
    """
    use(project, CALLEE, name=".github/workflows/upload.yml")
    use(project, CALLER)
    use(project, MANUAL_CALLER, name=".github/workflows/manual.yml")
    _, data = doctor(cwd=project.work)
    assert ("missing-id-token", "warning") in codes(data)
    assert ("missing-id-token", "error") not in codes(data)
    message = finding(data, "missing-id-token")["message"]
    assert message.startswith("job 'by-hand' calls upload.yml without `id-token: write`")
    assert message.endswith(
        "; job 'by-hand' does not run for tag v0.1.0 (it starts no run of manual.yml)"
    )


@pytest.mark.parametrize(
    ("caller_if", "severity", "said"),
    [
        ("github.event_name == 'workflow_dispatch'", "warning", "does not run for tag v0.1.0"),
        ("vars.PUBLISH == 'yes'", "warning", "cannot be known before the run"),
        ("startsWith(github.ref, 'refs/tags/v')", "error", None),
    ],
)
def test_a_caller_without_id_token_under_an_if(
    project: Project, caller_if: str, severity: str, said: str | None
) -> None:
    """The same caller rule as every path: known to run, an error; unknown or known not to
    run, a warning. A second caller with id-token keeps the tag's upload reached.
    """
    use(project, CALLEE, name=".github/workflows/upload.yml")
    bare = (
        f"  manual:\n    needs: build\n    if: {caller_if}\n"
        "    uses: ./.github/workflows/upload.yml\n"
    )
    use(project, CALLER.replace(ON_TAG, ON_TAG_AND_DISPATCH) + bare)
    _, data = doctor(cwd=project.work)
    found = [f for f in data["findings"] if f["code"] == "missing-id-token"]
    assert [f["severity"] for f in found] == [severity]
    message = found[0]["message"]
    assert message.startswith("job 'manual' calls upload.yml")
    if said is None:
        assert "does not run" not in message and "cannot be known" not in message
    else:
        assert said in message


def test_a_dispatch_only_upload_keeps_the_judgement_of_its_own_trigger(project: Project) -> None:
    """Nothing runs for the tag (tag-not-triggering): the runs of the file's own trigger
    decide, and its dispatch names the file itself, so the outdated action is an error.
    """
    on_dispatch = "on: workflow_dispatch\n"
    own = (
        f"{OLD_ACTION}        if: github.event.workflow == '.github/{WORKFLOW.split('/', 1)[1]}'\n"
    )
    use(project, publish_job(own).replace(ON_TAG, on_dispatch))
    _, data = doctor(cwd=project.work)
    assert codes(data)[:1] == [("tag-not-triggering", "error")]
    assert ("outdated-action", "error") in codes(data)
    assert "does not run" not in finding(data, "outdated-action")["message"]


# --- the gate ----------------------------------------------------------------------------


def test_cut_goes_on_when_the_doctor_cannot_be_sure(project: Project) -> None:
    """A plain pull_request trigger and an unknown `if:`: warnings, so `cut` proceeds."""
    on = 'on:\n  push:\n    tags: ["v*"]\n  pull_request:\n'
    use(project, GOOD.replace(ON_TAG, on))
    project.write("pyproject.toml", PYPROJECT)
    project.commit_all("publishing workflow")
    project.push()
    out = release("cut", "0.1.1", "--yes", "--no-watch", cwd=project.work)
    assert out.code == 0, out.stderr
    assert "warnings: pull-request-target" in out.stdout


def test_cut_goes_on_when_an_unknown_if_decides_the_failing_step(project: Project) -> None:
    """An outdated action behind an `if:` the doctor cannot evaluate: a warning, so `cut`
    pushes the tag; the same step without the `if:` is an error that refuses the release.
    """
    use(project, publish_job(OLD_ACTION))
    project.write("pyproject.toml", PYPROJECT)
    project.commit_all("publishing workflow")
    project.push()
    before = project.state()
    refused = release("cut", "0.1.1", "--yes", "--no-watch", cwd=project.work)
    assert refused.code == 3
    assert "gh-action-pypi-publish@v1.8.0" in refused.stderr
    assert project.state() == before

    use(project, publish_job(OLD_ACTION + DISPATCHED))
    project.commit_all("upload only when dispatched")
    project.push()
    out = release("cut", "0.1.1", "--yes", "--no-watch", cwd=project.work)
    assert out.code == 0, out.stderr
    assert "warnings: outdated-action" in out.stdout
    assert project.remote_tag_commit("v0.1.1") is not None


def test_cut_goes_on_when_the_failing_step_does_not_run_for_the_tag(project: Project) -> None:
    """An outdated action kept to workflow_dispatch beside the tag's upload: cut pushes the
    tag and says why the warning is one.
    """
    use(project, two_uploads("github.event_name == 'push'", "github.event_name != 'release'"))
    project.write("pyproject.toml", PYPROJECT)
    project.commit_all("publishing workflow")
    project.push()
    before = project.state()
    refused = release("cut", "0.1.1", "--yes", "--no-watch", cwd=project.work)
    assert refused.code == 3
    assert project.state() == before

    use(
        project,
        two_uploads("github.event_name == 'push'", "github.event_name == 'workflow_dispatch'"),
    )
    project.commit_all("re-upload by hand only")
    project.push()
    out = release("cut", "0.1.1", "--yes", "--no-watch", cwd=project.work)
    assert out.code == 0, out.stderr
    assert "warnings: outdated-action" in out.stdout
    assert project.remote_tag_commit("v0.1.1") is not None
