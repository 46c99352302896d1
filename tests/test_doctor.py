"""``release doctor``: every finding on real workflow files, the claim prediction, PyPI's
JSON API on a local server, the self-check of this repository, and the gate in ``release cut``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import runcli
from gitfixtures import OWNER, PYPROJECT, REPO, Project, add_github_remote, git
from release_orchestrator.adapters.pypi import PyPIClient, lookup_project
from release_orchestrator.core.checks.claims import PREDICTED_CLAIMS, predict_claims
from release_orchestrator.sandbox import RunContext
from release_orchestrator.sandbox.pypi import PyPIServer, oidc_claims
from runcli import NO_PYPI, Outcome, make_deps

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ".github/workflows/publish.yml"

GOOD = """\
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
      - uses: actions/checkout@v4
      - run: python -m build
      - uses: actions/upload-artifact@v4
        with: {name: dist, path: dist/}
  publish:
    needs: build
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: actions/download-artifact@v4
        with: {name: dist, path: dist/}
      - uses: pypa/gh-action-pypi-publish@release/v1
"""


# --- a local PyPI JSON API ---------------------------------------------------------------


@pytest.fixture(autouse=True)
def pypi(isolated_env: None) -> Iterator[PyPIServer]:
    """The sandbox's stand-in PyPI (it knows no project unless told); every doctor here asks
    it through :func:`release`.
    """
    server = PyPIServer()
    _CURRENT[:] = [server]
    yield server
    _CURRENT.clear()
    server.stop()


# The stand-in PyPI of the running test, for release() (the tests call it without the fixture).
_CURRENT: list[PyPIServer] = []


def local_index() -> PyPIClient:
    """A PyPI client asking the running test's stand-in PyPI."""
    return PyPIClient(override=_CURRENT[0].url)


# --- helpers -----------------------------------------------------------------------------


def release(*args: str, cwd: Path, pypi: PyPIClient | None = None) -> Outcome:
    """``release ARGS`` asking this module's local index (or ``pypi``), in ``cwd``."""
    index = pypi or local_index()
    return runcli.release(*args, deps=make_deps(cwd=cwd, pypi=index))


def doctor(
    *args: str, cwd: Path, pypi: PyPIClient | None = None
) -> tuple[Outcome, dict[str, Any]]:
    out = release("doctor", "--json", *args, pypi=pypi, cwd=cwd)
    assert out.code in (0, 3), out.stderr
    data = json.loads(out.stdout)
    assert out.code == (3 if any(f["severity"] == "error" for f in data["findings"]) else 0)
    return out, data


def codes(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f["code"], f["severity"]) for f in data["findings"]]


def finding(data: dict[str, Any], code: str) -> dict[str, Any]:
    (found,) = [f for f in data["findings"] if f["code"] == code]
    return dict(found)


def line_of(text: str, needle: str, start: int = 1) -> int:
    """The 1-based number of the first line at or after ``start`` that contains ``needle``."""
    lines = text.splitlines()
    return next(n for n in range(start, len(lines) + 1) if needle in lines[n - 1])


def use(project: Project, text: str, name: str = WORKFLOW, pyproject_extra: str = "") -> None:
    project.write(name, text)
    if pyproject_extra:
        project.write("pyproject.toml", PYPROJECT + pyproject_extra)


# --- the valid workflow ------------------------------------------------------------------


def test_valid_workflow_no_findings_claims_and_form(project: Project, pypi: PyPIServer) -> None:
    use(project, GOOD)

    out, data = doctor(cwd=project.work)

    assert out.code == 0
    assert data == {
        "findings": [],
        "workflow": WORKFLOW,
        "job": "publish",
        "predicted_claims": {
            "repository": f"{OWNER}/{REPO}",
            "repository_owner": OWNER,
            "workflow_ref": f"{OWNER}/{REPO}/{WORKFLOW}@refs/tags/v0.1.0",
            "job_workflow_ref": f"{OWNER}/{REPO}/{WORKFLOW}@refs/tags/v0.1.0",
            "ref": "refs/tags/v0.1.0",
            "environment": "pypi",
            "sub": f"repo:{OWNER}/{REPO}:environment:pypi",
        },
        "publisher_form": {
            "owner": OWNER,
            "repository": REPO,
            "workflow": "publish.yml",
            "environment": "pypi",
        },
        "pending_publisher_needed": True,  # the local index knows no such project
        # a pending publisher is added on the account page, which PyPI does not pre-fill
        "publisher_form_url": "https://pypi.org/manage/account/publishing/",
        "notes": [],
    }
    assert pypi.paths == [f"/pypi/{REPO}/json"]


def test_human_output_names_the_form_values_and_the_pending_publisher(project: Project) -> None:
    use(project, GOOD)
    out = release("doctor", cwd=project.work)
    assert out.code == 0, out.stderr
    assert "Workflow name     publish.yml" in out.stdout
    assert "Environment name  pypi" in out.stdout
    assert f"add the publisher with project name '{REPO}'" in out.stdout
    assert "No problems found." in out.stdout


def test_an_error_exits_3_and_names_file_line_and_fix(project: Project) -> None:
    text = GOOD.replace("    permissions:\n      id-token: write\n", "")
    use(project, text)
    out = release("doctor", cwd=project.work)
    assert out.code == 3
    assert f"error: missing-id-token  {WORKFLOW}:{line_of(text, 'publish:')}" in out.stdout
    assert "fix: add `permissions: {id-token: write}` to job 'publish'" in out.stdout
    assert "1 error(s), 0 warning(s)." in out.stdout


# --- triggers ----------------------------------------------------------------------------

ON_BLOCK = 'on:\n  push:\n    tags: ["v*"]\n'


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        ('on:\n  push:\n    tags: ["release-*"]\n', "do not match tag v0.1.0"),
        # trunk: not the branch release cut pushes (main is: tests/test_doctor_sweep.py)
        ("on:\n  push:\n    branches: [trunk]\n", "do not match tag v0.1.0"),
        ('on:\n  push:\n    tags: ["v*", "!v0.*"]\n', "do not match tag v0.1.0"),
        ("on:\n  release:\n    types: [published]\n", "release cut makes no GitHub Release"),
        ("on: workflow_dispatch\n", "runs only on workflow_dispatch"),
    ],
)
def test_tag_not_triggering(project: Project, on: str, expected: str) -> None:
    text = GOOD.replace(ON_BLOCK, on)
    use(project, text)
    _, data = doctor(cwd=project.work)
    assert codes(data) == [("tag-not-triggering", "error")]
    found = finding(data, "tag-not-triggering")
    assert (found["file"], found["line"]) == (WORKFLOW, 2)
    assert expected in found["message"]
    assert 'tags: ["v*"]' in found["fix"]


@pytest.mark.parametrize(
    "on",
    [
        "on: push\n",  # no filters: every tag
        "on: [push]\n",
        '"on": push\n',  # quoted key
        "'on':\n  push:\n    tags: [v*]\n",
        "on: {push: {tags: ['v[0-9]+.[0-9]+.[0-9]+']}}\n",  # flow style, GitHub's + quantifier
        "on:\n  push:\n    tags-ignore: ['*rc*']\n",
        "on:\n  push:\n    branches: [main]\n    tags: ['v*']\n",
    ],
)
def test_triggers_that_fire_on_the_tag(project: Project, on: str) -> None:
    use(project, GOOD.replace(ON_BLOCK, on))
    _, data = doctor(cwd=project.work)
    assert codes(data) == []


def test_release_event_in_github_release_mode(project: Project) -> None:
    text = GOOD.replace(ON_BLOCK, "on:\n  release:\n    types: [published]\n")
    use(project, text, pyproject_extra="github-release = true\n")
    _, data = doctor(cwd=project.work)
    assert codes(data) == []
    claims = data["predicted_claims"]
    # A release event runs at the release's tag: the same ref and sub as a tag push.
    assert claims["ref"] == "refs/tags/v0.1.0"
    assert claims["workflow_ref"].endswith("publish.yml@refs/tags/v0.1.0")


def test_tag_push_and_release_both_fire_in_github_release_mode(project: Project) -> None:
    on = 'on:\n  push:\n    tags: ["v*"]\n  release:\n    types: [published]\n'
    use(project, GOOD.replace(ON_BLOCK, on), pyproject_extra="github-release = true\n")
    _, data = doctor(cwd=project.work)
    assert codes(data) == [("double-trigger", "error")]
    assert "runs twice for v0.1.0" in finding(data, "double-trigger")["message"]


def test_release_trigger_without_github_release_mode_is_a_warning(project: Project) -> None:
    on = 'on:\n  push:\n    tags: ["v*"]\n  release:\n'
    use(project, GOOD.replace(ON_BLOCK, on))
    out, data = doctor(cwd=project.work)
    assert out.code == 0
    assert codes(data) == [("double-trigger", "warning")]


def test_a_second_publishing_workflow_on_the_same_tag(project: Project) -> None:
    use(project, GOOD)
    other = "on: push\njobs:\n  upload:\n    steps:\n      - run: twine upload dist/*\n"
    use(project, other, name=".github/workflows/legacy.yml")
    _, data = doctor(cwd=project.work)
    # legacy.yml sorts first, but publish.yml is the trusted-publishing job: it is checked,
    # and legacy.yml may be the second upload (a warning: it may upload another project).
    assert (data["workflow"], data["job"]) == (WORKFLOW, "publish")
    assert codes(data) == [("double-trigger", "warning")]
    found = finding(data, "double-trigger")
    assert (found["file"], found["line"]) == (".github/workflows/legacy.yml", 3)
    assert "second upload fails" in found["message"]


def test_a_second_publishing_job_to_testpypi_is_fine(project: Project) -> None:
    text = GOOD + (
        "  testpypi:\n    needs: build\n    if: github.ref == 'refs/heads/main'\n"
        "    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n"
        "        with: {repository-url: 'https://test.pypi.org/legacy/'}\n"
    )
    use(project, text)
    _, data = doctor(cwd=project.work)
    assert codes(data) == []
    assert data["job"] == "publish"


@pytest.mark.parametrize(
    ("on", "guard", "expected"),
    [
        ('on:\n  push:\n    tags: ["v*"]\n  pull_request_target:\n', "", "error"),
        ('on:\n  push:\n    tags: ["v*"]\n  pull_request_target:\n', "    if: true\n", "error"),
        # Guarded: the upload never runs there, but the workflow still runs with secrets.
        (
            'on:\n  push:\n    tags: ["v*"]\n  pull_request_target:\n',
            "    if: startsWith(github.ref, 'refs/tags/')\n",
            "warning",
        ),
        # A fork's pull request gets no OIDC token: those runs fail, nothing is published.
        ('on:\n  push:\n    tags: ["v*"]\n  pull_request:\n', "", "warning"),
        (
            'on:\n  push:\n    tags: ["v*"]\n  pull_request:\n',
            "    if: startsWith(github.ref, 'refs/tags/')\n",
            None,
        ),
    ],
)
def test_pull_request_triggers(
    project: Project, on: str, guard: str, expected: str | None
) -> None:
    text = GOOD.replace(ON_BLOCK, on).replace("    needs: build\n", "    needs: build\n" + guard)
    use(project, text)
    _, data = doctor(cwd=project.work)
    assert codes(data) == ([("pull-request-target", expected)] if expected else [])


# --- permissions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("workflow_perms", "job_perms", "ok", "why"),
    [
        ("permissions: write-all\n", "", True, ""),
        ("permissions: read-all\n", "", False, "nothing grants"),
        ("permissions:\n  id-token: write\n", "", True, ""),
        (
            "permissions:\n  id-token: write\n",
            "    permissions:\n      contents: read\n",
            False,
            "replaces the workflow-level one",
        ),
        ("", "    permissions: write-all\n", True, ""),
        ("", "    permissions:\n      id-token: read\n", False, "nothing grants"),
        ("", "", False, "nothing grants"),
    ],
)
def test_id_token_permission(
    project: Project, workflow_perms: str, job_perms: str, ok: bool, why: str
) -> None:
    text = GOOD.replace("permissions:\n  contents: read\n", workflow_perms).replace(
        "    permissions:\n      id-token: write\n", job_perms
    )
    use(project, text)
    _, data = doctor(cwd=project.work)
    if ok:
        assert codes(data) == []
        return
    assert codes(data) == [("missing-id-token", "error")]
    found = finding(data, "missing-id-token")
    assert found["line"] == line_of(text, "  publish:")
    assert why in found["message"]


def test_token_uploads_need_no_id_token(project: Project) -> None:
    """A password without id-token and without a configured publisher: not trusted publishing."""
    text = GOOD.replace("    permissions:\n      id-token: write\n", "").replace(
        "@release/v1\n", "@release/v1\n        with:\n          password: ${{ secrets.PYPI }}\n"
    )
    use(project, text)
    _, data = doctor(cwd=project.work)
    assert codes(data) == []


# --- publishing steps --------------------------------------------------------------------


def test_password_alongside_trusted_publishing(project: Project) -> None:
    text = GOOD.replace(
        "@release/v1\n", "@release/v1\n        with:\n          password: ${{ secrets.PYPI }}\n"
    )
    use(project, text)
    _, data = doctor(cwd=project.work)
    assert codes(data) == [("password-with-trusted-publishing", "error")]
    assert finding(data, "password-with-trusted-publishing")["line"] == line_of(
        text, "gh-action-pypi-publish"
    )


SECOND_UPLOAD = """\
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          user: {user}
          password: ${{{{ secrets.OTHER_INDEX_KEY }}}}
          repository-url: {url}
"""


@pytest.mark.parametrize(
    ("user", "url"),
    [
        ("jazzband", "https://jazzband.co/projects/example/upload"),
        # a folded URL with an expression after its host
        ("jazzband", ">-\n            https://jazzband.co/projects/${{ env.NAME }}/upload"),
        ("__token__", "https://test.pypi.org/legacy/"),
    ],
)
def test_a_token_for_a_second_index_beside_the_trusted_upload(
    project: Project, user: str, url: str
) -> None:
    """The password belongs to the other index's upload; PyPI's goes by trusted publishing."""
    text = GOOD + SECOND_UPLOAD.format(user=user, url=url)
    use(project, text, pyproject_extra='\n[tool.release.pypi]\nindex = "pypi"\n')
    _, data = doctor(cwd=project.work)
    assert codes(data) == []


@pytest.mark.parametrize(
    ("run", "env"),
    [
        ("twine upload --repository-url https://pkgs.example.com/up/ -p ${{ secrets.X }} d/*", ""),
        (
            "twine upload d/*",
            "TWINE_REPOSITORY_URL: https://pkgs.example.com/\n          "
            "TWINE_PASSWORD: ${{ secrets.X }}",
        ),
        ("maturin upload --repository-url https://pkgs.example.com/ -p ${{ secrets.X }} d/*", ""),
        ("hatch publish -r test", "HATCH_INDEX_AUTH: ${{ secrets.TEST }}"),
        ("uv publish --publish-url https://test.pypi.org/legacy/ --token ${{ secrets.TEST }}", ""),
    ],
)
def test_a_run_step_token_upload_to_a_second_index(project: Project, run: str, env: str) -> None:
    """Beside the trusted upload to PyPI, an uploader pointed elsewhere keeps its token."""
    extra = f"        env:\n          {env}\n" if env else ""
    text = GOOD + f"      - run: {run}\n{extra}"
    use(project, text, pyproject_extra='\n[tool.release.pypi]\nindex = "pypi"\n')
    _, data = doctor(cwd=project.work)
    assert codes(data) == []


def test_a_run_step_uploading_only_to_a_private_index(project: Project) -> None:
    run = "twine upload --repository-url https://pkgs.example.com/upload/ -p ${{ secrets.X }} d/*"
    action = "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    text = GOOD.replace(action, f"      - run: {run}\n")
    use(project, text, pyproject_extra='\n[tool.release.pypi]\nindex = "pypi"\n')
    _, data = doctor(cwd=project.work)
    assert sorted(codes(data)) == [
        ("password-with-trusted-publishing", "error"),
        ("wrong-index", "warning"),
    ]


def test_a_token_on_the_publisher_s_own_upload_is_still_reported(project: Project) -> None:
    """TestPyPI by trusted publishing, but PyPI (the publisher's index) with a token."""
    text = GOOD.replace(
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n",
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
        "        with:\n          repository-url: https://test.pypi.org/legacy/\n",
    ) + SECOND_UPLOAD.format(user="__token__", url="https://upload.pypi.org/legacy/")
    use(project, text, pyproject_extra='\n[tool.release.pypi]\nindex = "pypi"\n')
    _, data = doctor(cwd=project.work)
    assert codes(data) == [("password-with-trusted-publishing", "error")]


def test_a_token_upload_to_another_index_only_is_reported_with_wrong_index(
    project: Project,
) -> None:
    """No step uploads to the publisher's index: the token and the index both matter."""
    text = GOOD.replace(
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n",
        SECOND_UPLOAD.format(user="jazzband", url="https://jazzband.co/projects/example/upload"),
    )
    use(project, text, pyproject_extra='\n[tool.release.pypi]\nindex = "pypi"\n')
    _, data = doctor(cwd=project.work)
    assert sorted(codes(data)) == [
        ("password-with-trusted-publishing", "error"),
        ("wrong-index", "warning"),
    ]


@pytest.mark.parametrize(
    ("run", "env", "flagged"),
    [
        ("twine upload dist/*", "", False),
        ("mkdir -p dist && twine upload dist/*", "", False),  # -p before the upload
        ("twine upload -p ${{ secrets.PYPI }} dist/*", "", True),
        ("uv publish --token ${{ secrets.PYPI }}", "", True),
        ("uv publish", "        env:\n          UV_PUBLISH_TOKEN: x\n", True),
        ("twine upload dist/*", "        env:\n          TWINE_PASSWORD: x\n", True),
    ],
)
def test_password_in_run_steps(project: Project, run: str, env: str, flagged: bool) -> None:
    text = GOOD.replace(
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n", f"      - run: {run}\n{env}"
    )
    use(project, text)
    _, data = doctor(cwd=project.work)
    assert codes(data) == ([("password-with-trusted-publishing", "error")] if flagged else [])


@pytest.mark.parametrize(
    ("ref", "outdated"),
    [
        ("release/v1", False),
        ("v1.12.4", False),
        ("v1.13.0", False),
        ("v1.8.14", True),
        ("v1.11", True),
        ("0e7c2d8e4a1b2c3d4e5f60718293a4b5c6d7e8f9", False),  # a pinned sha: cannot tell
    ],
)
def test_action_version(
    project: Project, ref: str, outdated: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_API_URL", "http://127.0.0.1:9")  # a bare SHA asks GitHub: offline
    use(project, GOOD.replace("@release/v1", f"@{ref}"))
    _, data = doctor(cwd=project.work)
    assert codes(data) == ([("outdated-action", "error")] if outdated else [])


@pytest.mark.parametrize(
    ("url", "config", "expected"),
    [
        ("https://test.pypi.org/legacy/", "", []),  # nothing configured: the job decides
        ("https://test.pypi.org/legacy/", 'index = "pypi"\n', [("wrong-index", "error")]),
        (None, 'index = "testpypi"\n', [("wrong-index", "error")]),
        ("https://test.pypi.org/legacy/", 'index = "testpypi"\n', []),
        ("https://upload.pypi.org/legacy/", 'index = "pypi"\n', []),
        ("https://pypi.example.org/upload/", "", [("wrong-index", "warning")]),
    ],
)
def test_repository_url_and_index(
    project: Project, url: str | None, config: str, expected: list[tuple[str, str]]
) -> None:
    text = GOOD
    if url:
        text = GOOD.replace(
            "@release/v1\n", f"@release/v1\n        with:\n          repository-url: {url}\n"
        )
    extra = f"\n[tool.release.pypi]\n{config}" if config else ""
    use(project, text, pyproject_extra=extra)
    _, data = doctor(cwd=project.work)
    assert codes(data) == expected


def test_testpypi_job_gets_testpypi_form(project: Project) -> None:
    text = GOOD.replace(
        "@release/v1\n",
        "@release/v1\n        with:\n          repository-url: https://test.pypi.org/legacy/\n",
    )
    use(project, text)
    out = release("doctor", cwd=project.work)
    assert "PyPI publisher form (test.pypi.org:" in out.stdout
    assert "https://test.pypi.org/manage/account/publishing/" in out.stdout


def test_build_in_the_publish_job(project: Project) -> None:
    text = GOOD.replace(
        "      - uses: actions/download-artifact@v4\n        with: {name: dist, path: dist/}\n",
        "      - uses: actions/checkout@v4\n      - run: uv build\n",
    )
    use(project, text)
    out, data = doctor(cwd=project.work)
    assert out.code == 0
    assert codes(data) == [("build-in-publish-job", "warning")]
    assert finding(data, "build-in-publish-job")["line"] == line_of(text, "uv build")


def test_publish_job_without_distributions(project: Project) -> None:
    text = GOOD.replace(
        "      - uses: actions/download-artifact@v4\n        with: {name: dist, path: dist/}\n", ""
    )
    use(project, text)
    _, data = doctor(cwd=project.work)
    assert codes(data) == [("build-in-publish-job", "warning")]
    assert "MISSING DISTS" in finding(data, "build-in-publish-job")["message"]


def test_artifacts_not_uploaded_by_the_needed_job(project: Project) -> None:
    text = GOOD.replace(
        "      - uses: actions/upload-artifact@v4\n        with: {name: dist, path: dist/}\n", ""
    )
    use(project, text)
    _, data = doctor(cwd=project.work)
    assert codes(data) == [("build-in-publish-job", "warning")]
    assert "'build', which upload none" in finding(data, "build-in-publish-job")["message"]


# --- reusable workflows ------------------------------------------------------------------

CALLED = GOOD.replace(ON_BLOCK, "on:\n  workflow_call:\n")
CALLER = """\
on:
  push:
    tags: ["v*"]
jobs:
  release:
    permissions:
      id-token: write
    uses: ./.github/workflows/publish.yml
"""


def test_publish_job_in_a_reusable_workflow(project: Project) -> None:
    use(project, CALLED)
    use(project, CALLER, name=".github/workflows/release.yml")
    _, data = doctor(cwd=project.work)
    assert codes(data) == [("reusable-workflow", "error")]
    found = finding(data, "reusable-workflow")
    assert (found["file"], found["line"]) == (".github/workflows/release.yml", 5)
    claims = data["predicted_claims"]
    # workflow_ref names the file the tag started, job_workflow_ref the called file.
    assert (
        claims["workflow_ref"] == f"{OWNER}/{REPO}/.github/workflows/release.yml@refs/tags/v0.1.0"
    )
    assert claims["job_workflow_ref"] == f"{OWNER}/{REPO}/{WORKFLOW}@refs/tags/v0.1.0"
    assert data["publisher_form"]["workflow"] == "publish.yml"  # what PyPI matches


def test_reusable_workflow_with_attestations_off_is_a_warning(project: Project) -> None:
    text = CALLED.replace(
        "@release/v1\n", "@release/v1\n        with:\n          attestations: false\n"
    )
    use(project, text)
    use(project, CALLER, name=".github/workflows/release.yml")
    out, data = doctor(cwd=project.work)
    assert out.code == 0
    assert codes(data) == [("reusable-workflow", "warning")]


def test_caller_without_id_token(project: Project) -> None:
    use(project, CALLED)
    caller = CALLER.replace("    permissions:\n      id-token: write\n", "")
    use(project, caller, name=".github/workflows/release.yml")
    _, data = doctor(cwd=project.work)
    assert ("missing-id-token", "error") in codes(data)
    assert finding(data, "missing-id-token")["file"] == ".github/workflows/release.yml"


def test_reusable_workflow_nobody_calls(project: Project) -> None:
    use(project, CALLED)
    _, data = doctor(cwd=project.work)
    assert codes(data) == [("tag-not-triggering", "error"), ("reusable-workflow", "error")]
    assert "no workflow here calls it" in finding(data, "tag-not-triggering")["message"]


# --- the publisher -----------------------------------------------------------------------


def test_environment_mismatch_job_without_environment(project: Project) -> None:
    text = GOOD.replace("    environment: pypi\n", "")
    use(project, text, pyproject_extra='\n[tool.release.pypi]\nenvironment = "pypi"\n')
    _, data = doctor(cwd=project.work)
    assert codes(data) == [("environment-mismatch", "error")]
    found = finding(data, "environment-mismatch")
    assert found["line"] == line_of(text, "  publish:")
    assert "add `environment: pypi`" in found["fix"]
    assert data["predicted_claims"]["environment"] is None
    assert data["predicted_claims"]["sub"] == f"repo:{OWNER}/{REPO}:ref:refs/tags/v0.1.0"


@pytest.mark.parametrize(
    ("job_env", "configured", "mismatch"),
    [
        ("release", "pypi", True),
        ("{name: pypi, url: 'https://pypi.org/p/x'}", "pypi", False),
        ("PyPI", "pypi", False),  # PyPI compares environments ignoring case
        ("release", "", False),  # an empty publisher environment accepts any
    ],
)
def test_environment_values(
    project: Project, job_env: str, configured: str, mismatch: bool
) -> None:
    text = GOOD.replace("    environment: pypi\n", f"    environment: {job_env}\n")
    use(project, text, pyproject_extra=f'\n[tool.release.pypi]\nenvironment = "{configured}"\n')
    _, data = doctor(cwd=project.work)
    assert codes(data) == ([("environment-mismatch", "error")] if mismatch else [])
    if mismatch:
        assert finding(data, "environment-mismatch")["line"] == line_of(text, "environment:")


@pytest.mark.parametrize(
    ("key", "value", "mismatch"),
    [
        ("owner", "someone-else", True),
        # PyPI compares the owner it stored exactly: a case-only rename since breaks it.
        ("owner", OWNER.upper(), True),
        ("repository", "Anomaly-Detection-Toolkit", True),  # the name is compared exactly
        ("workflow", "release.yml", True),
        ("workflow", "publish.yml", False),
    ],
)
def test_publisher_fields(project: Project, key: str, value: str, mismatch: bool) -> None:
    extra = f'\n[tool.release.pypi]\n{key} = "{value}"\n'
    use(project, GOOD, pyproject_extra=extra)
    _, data = doctor(cwd=project.work)
    assert codes(data) == ([("publisher-mismatch", "error")] if mismatch else [])
    if mismatch:
        found = finding(data, "publisher-mismatch")
        text = (project.work / "pyproject.toml").read_text()
        assert (found["file"], found["line"]) == ("pyproject.toml", line_of(text, f"{key} ="))


# --- YAML edge cases ---------------------------------------------------------------------


def test_flow_style_workflow_with_anchors(project: Project) -> None:
    text = (
        "'on': {push: {tags: ['v*']}}\n"
        "x-env: &env pypi\n"
        "x-publish: &publish {uses: pypa/gh-action-pypi-publish@release/v1}\n"
        "jobs: {build: {steps: [{run: python -m build}, {uses: actions/upload-artifact@v4}]},"
        " publish: {needs: [build], environment: *env, permissions: {id-token: write},"
        " steps: [{uses: actions/download-artifact@v4}, *publish]}}\n"
    )
    use(project, text)
    _, data = doctor(cwd=project.work)
    assert codes(data) == []
    assert data["predicted_claims"]["environment"] == "pypi"


def test_broken_yaml_is_named_in_the_finding(project: Project) -> None:
    use(project, "on: [push\njobs:\n")
    out, data = doctor(cwd=project.work)
    assert out.code == 0
    assert codes(data) == [("no-publish-workflow", "warning")]
    assert "publish.yml is not valid YAML" in finding(data, "no-publish-workflow")["message"]


def test_environment_from_an_expression_is_not_guessed(project: Project) -> None:
    use(project, GOOD.replace("environment: pypi", "environment: ${{ inputs.env }}"))
    _, data = doctor(cwd=project.work)
    assert codes(data) == []
    assert data["predicted_claims"]["environment"] is None
    assert data["predicted_claims"]["sub"] is None


# --- no workflow -------------------------------------------------------------------------


def test_no_workflow_is_a_warning_for_hand_uploads(project: Project) -> None:
    out, data = doctor(cwd=project.work)
    assert out.code == 0
    assert codes(data) == [("no-publish-workflow", "warning")]
    assert data["workflow"] is data["job"] is data["predicted_claims"] is None
    assert data["publisher_form"] is None
    assert data["pending_publisher_needed"] is True


@pytest.mark.parametrize(
    "extra",
    ['\n[tool.release.pypi]\nenvironment = "pypi"\n', 'workflow = "publish.yml"\n'],
)
def test_no_workflow_is_an_error_when_the_project_says_it_publishes(
    project: Project, extra: str
) -> None:
    use(project, "on: push\njobs: {test: {steps: [{run: pytest}]}}\n")
    project.write("pyproject.toml", PYPROJECT + extra)
    out, data = doctor(cwd=project.work)
    assert out.code == 3
    assert codes(data) == [("no-publish-workflow", "error")]


# --- versions and PyPI's JSON API --------------------------------------------------------


def test_tag_and_pyproject_disagree(project: Project) -> None:
    use(project, GOOD)
    _, data = doctor("--tag", "v0.2.0", cwd=project.work)
    assert codes(data) == [("version-mismatch", "error")]
    assert (
        "tag v0.2.0 says 0.2.0, but the project's version is 0.1.0"
        in data["findings"][0]["message"]
    )
    assert data["predicted_claims"]["ref"] == "refs/tags/v0.2.0"


def test_tag_without_the_prefix(project: Project) -> None:
    use(project, GOOD)
    _, data = doctor("--tag", "0.1.0", cwd=project.work)
    assert ("version-mismatch", "error") in codes(data)
    assert ("tag-not-triggering", "error") in codes(data)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (["anomaly_detection_toolkit-0.1.0.tar.gz"], []),
        (["anomaly_detection_toolkit-0.1.0-py3-none-any.whl"], []),
        (
            ["anomaly_detection_toolkit-0.0.9.tar.gz", "other_project-0.1.0.tar.gz"],
            [("version-mismatch", "warning")],
        ),
        (["anomaly_detection_toolkit-0.0.9.tar.gz", "anomaly_detection_toolkit-0.1.0.zip"], []),
        (["notes.txt"], []),
    ],
)
def test_built_distributions(
    project: Project, files: list[str], expected: list[tuple[str, str]]
) -> None:
    use(project, GOOD)
    for name in files:
        project.write(f"dist/{name}", "")
    _, data = doctor(cwd=project.work)
    assert codes(data) == expected


def test_version_already_on_pypi(project: Project, pypi: PyPIServer) -> None:
    use(project, GOOD)
    pypi.add_versions(REPO, ["0.0.9", "0.1.0"])
    out, data = doctor(cwd=project.work)
    assert out.code == 3
    assert codes(data) == [("version-already-published", "error")]
    assert "File already exists" in data["findings"][0]["message"]
    assert data["pending_publisher_needed"] is False


def test_project_exists_without_the_version(project: Project, pypi: PyPIServer) -> None:
    use(project, GOOD)
    pypi.add_versions(REPO, ["0.0.9"])
    _, data = doctor(cwd=project.work)
    assert codes(data) == []
    assert data["pending_publisher_needed"] is False


def test_an_existing_project_links_to_its_form_filled_in(
    project: Project, pypi: PyPIServer
) -> None:
    use(project, GOOD)
    pypi.add_versions(REPO, ["0.0.9"])
    url = (
        f"https://pypi.org/manage/project/{REPO}/settings/publishing/?provider=github"
        f"&owner={OWNER}&repository={REPO}&workflow_filename=publish.yml&environment=pypi"
    )
    _, data = doctor(cwd=project.work)
    assert data["publisher_form_url"] == url
    out = release("doctor", cwd=project.work)
    assert f"  Filled in: {url}\n" in out.stdout


def test_a_pending_publisher_is_not_offered_a_filled_in_link(project: Project) -> None:
    use(project, GOOD)
    out = release("doctor", cwd=project.work)
    assert "Filled in:" not in out.stdout  # the account page takes no values from a link
    assert "https://pypi.org/manage/account/publishing/" in out.stdout


def test_project_name_comes_from_the_configured_publisher(
    project: Project, pypi: PyPIServer
) -> None:
    use(project, GOOD, pyproject_extra='\n[tool.release.pypi]\nproject = "Other.Name"\n')
    doctor(cwd=project.work)
    assert pypi.paths == ["/pypi/other-name/json"]  # normalised: PyPI would redirect


@pytest.mark.parametrize(
    ("status", "body", "problem"),
    [(503, None, "HTTP 503"), (None, b"<html>", "unexpected answer")],
)
def test_index_trouble_is_a_warning(
    project: Project, pypi: PyPIServer, status: int | None, body: bytes | None, problem: str
) -> None:
    use(project, GOOD)
    if status is not None:
        pypi.fail_every_request(status)
    if body is not None:
        pypi.fail_every_request(200, body)
    out, data = doctor(cwd=project.work)
    assert out.code == 0
    assert codes(data) == [("index-unreachable", "warning")]
    assert problem in data["findings"][0]["message"]
    assert data["pending_publisher_needed"] is None


def test_unreachable_index(project: Project) -> None:
    use(project, GOOD)
    out, data = doctor(pypi=NO_PYPI, cwd=project.work)
    assert out.code == 0
    assert codes(data) == [("index-unreachable", "warning")]
    assert data["pending_publisher_needed"] is None
    assert data["publisher_form"]["workflow"] == "publish.yml"  # the rest still works


def test_index_url_option_wins(
    project: Project, pypi: PyPIServer
) -> None:
    use(project, GOOD)
    _, data = doctor("--index-url", pypi.url, pypi=NO_PYPI, cwd=project.work)
    assert codes(data) == []


def test_lookup_project_reads_releases(pypi: PyPIServer) -> None:
    pypi.add_versions("pkg", ["1.0", "1.1.0"])
    info = lookup_project(pypi.url, "PKG")
    assert info.exists is True
    assert info.has_version("1.0.0") and not info.has_version("1.2")
    assert lookup_project(pypi.url, "missing").exists is False


def test_scm_versions_need_a_tag(project: Project) -> None:
    project.write(
        "pyproject.toml",
        '[project]\nname = "anomaly-detection-toolkit"\ndynamic = ["version"]\n'
        "[tool.hatch.version]\nsource = 'vcs'\n[build-system]\nrequires = ['hatch-vcs']\n",
    )
    use(project, GOOD)
    out = release("doctor", cwd=project.work)
    assert out.code == 2
    assert "release doctor --tag" in out.stderr
    _, data = doctor("--tag", "v2.0.0", cwd=project.work)
    assert codes(data) == []


def test_broken_pyproject_is_one_line_and_exit_3(project: Project) -> None:
    project.write("pyproject.toml", "[broken\n")
    out = release("doctor", cwd=project.work)
    assert out.code == 3
    assert out.stderr.startswith("error: pyproject.toml is not valid TOML")
    assert out.stdout == ""


# --- claims ------------------------------------------------------------------------------


@pytest.mark.parametrize("environment", ["pypi", None])
@pytest.mark.parametrize("event", ["push", "release"])
def test_claims_agree_with_the_emulator(environment: str | None, event: str) -> None:
    """The emulator's claims are written independently of the doctor, from GitHub's docs."""
    context = RunContext(OWNER, REPO, 1, 2, WORKFLOW, event, "refs/tags/v1.2.3", "0" * 40)
    expected = oidc_claims(context, environment)
    claims = predict_claims(
        OWNER,
        REPO,
        workflow_path=WORKFLOW,
        job_workflow_path=WORKFLOW,
        tag="v1.2.3",
        environment=environment,
        event=event,
    ).as_dict()
    assert {name: claims[name] for name in PREDICTED_CLAIMS} == {
        name: expected[name] for name in PREDICTED_CLAIMS
    }


# --- this repository ---------------------------------------------------------------------


def test_this_repository_has_no_error() -> None:
    out, data = doctor(cwd=ROOT)
    assert out.code == 0, data["findings"]
    assert data["workflow"] == WORKFLOW and data["job"] == "publish"


def test_this_repositorys_publisher_form(tmp_path: Path) -> None:
    """The same files in a clone whose origin is on GitHub: the exact values for PyPI."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / ".github", tmp_path / ".github")
    git(tmp_path, "init", "-q")
    git(tmp_path, "remote", "add", "origin", "git@github.com:example-org/release-orchestrator.git")
    out, data = doctor(cwd=tmp_path)
    assert out.code == 0, data["findings"]
    assert data["publisher_form"] == {
        "owner": "example-org",
        "repository": "release-orchestrator",
        "workflow": "publish.yml",
        "environment": "pypi",
    }


# --- release cut runs the doctor ---------------------------------------------------------


def _commit(project: Project, text: str) -> None:
    use(project, text)
    project.commit_all("publishing workflow")
    project.push()


def test_cut_refuses_on_doctor_errors_and_changes_nothing(project: Project) -> None:
    text = GOOD.replace("    permissions:\n      id-token: write\n", "").replace(
        "    environment: pypi\n", "    environment: release\n"
    )
    project.write("pyproject.toml", PYPROJECT + '\n[tool.release.pypi]\nenvironment = "pypi"\n')
    _commit(project, text)
    before = project.state()

    out = release("cut", "0.1.1", "--yes", cwd=project.work)

    assert out.code == 3
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"error: doctor: {WORKFLOW}:") for line in lines)
    assert "cannot request an OIDC token" in lines[0]
    assert "environment 'pypi'" in lines[1] and lines[1].endswith("(--skip-doctor to cut anyway)")
    assert project.state() == before


def test_cut_skip_doctor_is_stated_in_the_plan(project: Project) -> None:
    _commit(project, GOOD.replace("    permissions:\n      id-token: write\n", ""))
    out = release("cut", "0.1.1", "--yes", "--skip-doctor", "--no-watch", cwd=project.work)
    assert out.code == 0, out.stderr
    assert "doctor   skipped (--skip-doctor)" in out.stdout
    assert project.remote_tag_commit("v0.1.1") is not None


def test_cut_checks_the_new_version_on_pypi(project: Project, pypi: PyPIServer) -> None:
    _commit(project, GOOD)
    pypi.add_versions(REPO, ["0.1.0", "0.1.1"])
    before = project.state()
    out = release("cut", "patch", "--yes", cwd=project.work)
    assert out.code == 3
    assert "anomaly-detection-toolkit 0.1.1 is already on PyPI" in out.stderr
    assert project.state() == before
    dry = release("cut", "minor", "--dry-run", cwd=project.work)
    assert dry.code == 0, dry.stderr
    assert "doctor   no errors, no warnings" in dry.stdout


def test_cut_warnings_do_not_block(project: Project) -> None:
    out = release(
        "cut", "0.1.1", "--yes", "--no-watch", pypi=NO_PYPI, cwd=project.work
    )  # no workflow at all
    assert out.code == 0, out.stderr
    assert "warnings: no-publish-workflow, index-unreachable" in out.stdout
    assert out.stderr == ""


def test_cut_resume_after_the_push_does_not_run_the_doctor(
    project: Project, pypi: PyPIServer
) -> None:
    _commit(project, GOOD)
    assert release("cut", "0.1.1", "--yes", "--no-watch", cwd=project.work).code == 0
    pypi.add_versions(REPO, ["0.1.1"])  # published by the run the push started
    out = release("cut", "0.1.1", "--yes", "--no-watch", cwd=project.work)
    assert out.code == 0, out.stderr
    assert "doctor   not run: v0.1.1 is already on origin" in out.stdout


def test_cut_uses_the_remote_it_pushes_to(project: Project, tmp_path: Path) -> None:
    fork = tmp_path / "mirror" / "fork.git"
    git(tmp_path, "clone", "-q", "--bare", str(project.origin), str(fork))
    add_github_remote(project.work, "fork", fork, owner="someone-else")
    project.write("pyproject.toml", PYPROJECT + f'\n[tool.release.pypi]\nowner = "{OWNER}"\n')
    _commit(project, GOOD)
    out = release("cut", "0.1.1", "--yes", "--remote", "fork", "--branch", "main", cwd=project.work)
    assert out.code == 3
    assert "someone-else" in out.stderr and "publisher is for owner" in out.stderr


def test_a_workflow_that_is_also_reusable_but_runs_on_the_tag_itself(project: Project) -> None:
    use(project, GOOD.replace(ON_BLOCK, 'on:\n  workflow_call:\n  push:\n    tags: ["v*"]\n'))
    _, data = doctor(cwd=project.work)
    assert codes(data) == []
