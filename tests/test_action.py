"""The composite action (``action.yml``), run the way Actions runs it (:mod:`actionrunner`):
doctor as a pull-request check on a real repository, explain after a failed publish against
the GitHub emulator, and the install step for real from a local wheelhouse.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from actionrunner import ActionRun, run_action
from emulator_fixtures import push_tag
from gitfixtures import OWNER, REPO, Project
from release_orchestrator.sandbox import GitHubEmulator, JobSpec, Lifecycle, StepSpec
from release_orchestrator.sandbox.pypi import PyPIServer
from test_doctor_ci import NO_ID_TOKEN, SOUND, WORKFLOW
from test_doctor_zizmor import line_of
from test_explain_cli import RELEASE_YML, seed_log_body
from wheelhouse import environment_without, pip_without_index, this_project_wheelhouse

ROOT = Path(__file__).resolve().parents[1]
# The `release` this test runs: the one installed with the tests (the action's install: false).
TOOLS = str(Path(sys.executable).parent)


def github_context(**values: str) -> dict[str, str]:
    """A ``github`` context of a run in OWNER/REPO; no token unless given."""
    context = {
        "repository": f"{OWNER}/{REPO}",
        "server_url": "https://github.com",
        "api_url": "http://127.0.0.1:9",  # a closed port: nothing reaches a real GitHub
        "run_id": "1",
        "token": "",
        "event_name": "pull_request",
    }
    context.update(values)
    return context


def action(
    tmp_path: Path,
    workspace: Path,
    inputs: dict[str, str],
    *,
    path: str = TOOLS,
    timeout: float = 120,
    **github: str,
) -> ActionRun:
    env = environment_without(("GITHUB_", "GH_", "RUNNER_"))
    env["PATH"] = os.pathsep.join([path, "/usr/bin", "/bin"])
    return run_action(
        ROOT,
        inputs,
        workspace=workspace,
        github=github_context(**github),
        env=env,
        temp=tmp_path / "runner-temp",
        timeout=timeout,
    )


@pytest.fixture
def index(monkeypatch: pytest.MonkeyPatch) -> Iterator[PyPIServer]:
    """A stand-in PyPI for the doctor's look-up (RELEASE_PYPI_URL reaches the action)."""
    server = PyPIServer()
    monkeypatch.setenv("RELEASE_PYPI_URL", server.url)
    yield server
    server.stop()


def test_doctor_check_fails_with_annotations_and_a_summary(
    project: Project, index: PyPIServer, tmp_path: Path
) -> None:
    project.write(WORKFLOW, NO_ID_TOKEN)
    run = action(tmp_path, project.work, {"command": "doctor", "install": "false"})
    assert run.code == 3, run.stderr
    assert [step.name for step in run.steps] == ["release ${{ inputs.command }}"]
    (error,) = [line for line in run.stdout.splitlines() if line.startswith("::error ")]
    assert error.startswith(f"::error file={WORKFLOW},line=")
    assert "title=release doctor%3A missing-id-token::" in error
    assert "| error | `missing-id-token` |" in run.summary
    assert "**1 error(s), 0 warning(s).**" in run.summary


def test_doctor_check_passes_on_a_sound_workflow(
    project: Project, index: PyPIServer, tmp_path: Path
) -> None:
    project.write(WORKFLOW, SOUND)
    run = action(tmp_path, project.work, {"command": "doctor", "install": "false"})
    assert run.code == 0, run.stdout + run.stderr
    assert "::error" not in run.stdout
    assert "**No problems found.**" in run.summary
    assert "Pending publisher: needed" in run.stdout  # PyPI was asked: the stand-in's answer


def test_doctor_check_includes_zizmors_audit_and_passes_on_its_warnings(
    project: Project, index: PyPIServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RELEASE_ZIZMOR")  # the zizmor installed with the tests' `release`
    project.write(WORKFLOW, SOUND)
    run = action(tmp_path, project.work, {"command": "doctor", "install": "false"})
    assert run.code == 0, run.stdout + run.stderr
    upload = line_of(SOUND, "pypa/gh-action-pypi-publish")
    warning = f"::warning file={WORKFLOW},line={upload},title=release doctor%3A zizmor%3A"
    assert warning in run.stdout
    rows = [line for line in run.summary.splitlines() if line.startswith("| warning | `zizmor:")]
    assert rows
    assert f"**0 error(s), 0 warning(s).** zizmor: {len(rows)} security warning(s)." in run.summary


def test_doctor_offline_input(project: Project, tmp_path: Path) -> None:
    project.write(WORKFLOW, SOUND)
    inputs = {"command": "doctor", "install": "false", "offline": "true"}
    run = action(tmp_path, project.work, inputs)
    assert run.code == 0, run.stdout + run.stderr
    assert "Pending publisher: unknown" in run.stdout


def test_an_unknown_command_is_refused(tmp_path: Path) -> None:
    run = action(tmp_path, tmp_path, {"command": "cut", "install": "false"})
    assert run.code == 2
    refusal = "::error title=release-orchestrator::command must be doctor, explain, watch or status"
    assert refusal in run.stdout


@pytest.fixture
def failed_publish(
    project: Project, github_emulator: GitHubEmulator
) -> tuple[GitHubEmulator, int]:
    """A run of release.yml whose publish job failed (PyPI refused the publisher)."""
    project.write(".github/workflows/release.yml", RELEASE_YML)
    project.commit_all("publishing")
    project.push()
    github_emulator.add_workflow(
        "release.yml",
        on_tags=("v*",),
        jobs=[
            JobSpec("build", steps=(StepSpec("Build"),)),
            JobSpec("publish", steps=(StepSpec("Publish", "failure"),), log=seed_log_body()),
        ],
        lifecycle=Lifecycle(queued=0, in_progress=0),
    )
    push_tag(project, "v0.1.1")
    (run_id,) = github_emulator.run_ids()
    return github_emulator, run_id


def test_explain_after_a_failed_publish_writes_the_diagnosis_to_the_summary(
    project: Project, failed_publish: tuple[GitHubEmulator, int], tmp_path: Path
) -> None:
    emu, run_id = failed_publish
    assert emu.token
    # The job's checkout: its pyproject.toml names the project, for PyPI's form.
    run = action(
        tmp_path,
        project.work,
        {"command": "explain", "install": "false"},
        api_url=emu.url,
        run_id=str(run_id),
        token=emu.token,
    )
    assert run.code == 0, run.stdout + run.stderr
    assert "::error title=release explain::" in run.stdout
    summary = run.summary
    assert summary.startswith("### release explain\n")
    assert "**Cause:**" in summary
    assert "`invalid-publisher`" in summary
    assert "#### Checklist" in summary
    assert "| repository | " in summary
    assert "#### Fix\n\n1. " in summary
    assert "[PyPI's publisher form, filled in](https://pypi.org/" in summary
    # The log came through the API with the workflow's token.
    assert any(r.path.endswith(f"/runs/{run_id}/jobs") for r in emu.requests)
    assert "| Workflow name | release.yml |" in summary


def test_explain_needs_no_checkout(
    failed_publish: tuple[GitHubEmulator, int], tmp_path: Path
) -> None:
    emu, run_id = failed_publish
    assert emu.token
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    run = action(
        tmp_path,
        workspace,
        {"command": "explain", "install": "false"},
        api_url=emu.url,
        run_id=str(run_id),
        token=emu.token,
    )
    assert run.code == 0, run.stdout + run.stderr
    assert "`invalid-publisher`" in run.summary


def test_explain_without_the_token_fails_as_release_explain_does(
    failed_publish: tuple[GitHubEmulator, int], tmp_path: Path
) -> None:
    emu, run_id = failed_publish
    run = action(
        tmp_path, tmp_path, {"command": "explain", "install": "false"}, api_url=emu.url,
        run_id=str(run_id),
    )
    assert run.code == 4
    assert "GH_TOKEN" in run.stderr
    assert run.summary == ""


# pip installs the package for real: as long as the step may take, past the usual 120 s.
@pytest.mark.timeout(300)
def test_install_step_installs_the_actions_own_version(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pip installs this repository (GITHUB_ACTION_PATH) from local wheels only; `release` is
    # then found on the PATH the install step added, not in the test's own environment.
    # The [security] extra too: zizmor's binary wheel, from the same wheelhouse.
    wheels = this_project_wheelhouse(tmp_path / "wheels", extras=("security",))
    for name, value in pip_without_index(wheels).items():
        monkeypatch.setenv(name, value)
    # The audit as a user gets it: the zizmor installed next to the action's `release`.
    monkeypatch.delenv("RELEASE_ZIZMOR")
    project.write(WORKFLOW, NO_ID_TOKEN)
    inputs = {"command": "doctor", "offline": "true"}
    # pip builds and installs about 30 packages: 20-60 s on a busy machine.
    run = action(tmp_path, project.work, inputs, path="/nonexistent", timeout=300)
    assert [step.name for step in run.steps] == [
        "python",
        "Install release-orchestrator",
        "release ${{ inputs.command }}",
    ]
    assert run.outputs["python"] == {"found": "true"}
    assert run.code == 3, run.stdout + run.stderr
    assert "title=release doctor%3A missing-id-token" in run.stdout
    installed = tmp_path / "runner-temp" / "release-orchestrator" / "bin"
    assert (installed / "release").exists()
    assert os.access(installed / "zizmor", os.X_OK)
    # The doctor check folded in zizmor's audit of the publishing job.
    upload = line_of(NO_ID_TOKEN, "pypa/gh-action-pypi-publish")
    assert (
        f"::warning file={WORKFLOW},line={upload},title=release doctor%3A zizmor%3Aunpinned-uses::"
        in run.stdout
    )
    assert "| warning | `zizmor:unpinned-uses` |" in run.summary
    assert "zizmor is not installed" not in run.stdout + run.summary


def test_this_projects_workflows_use_the_action() -> None:
    yaml = YAML(typ="safe")
    workflows = ROOT / ".github" / "workflows"
    publish = yaml.load((workflows / "publish.yml").read_text(encoding="utf-8"))
    explain = publish["jobs"]["explain"]
    assert explain["needs"] == ["publish"]
    assert explain["if"] == "failure()"
    assert explain["permissions"]["actions"] == "read"
    assert {"uses": "./", "with": {"command": "explain"}} in explain["steps"]
    ci = yaml.load((workflows / "ci.yml").read_text(encoding="utf-8"))
    doctor = ci["jobs"]["doctor"]
    assert doctor["if"] == "github.event_name == 'pull_request'"
    assert {"uses": "./", "with": {"command": "doctor"}} in doctor["steps"]


def test_readme_documents_every_input() -> None:
    action_inputs = YAML(typ="safe").load((ROOT / "action.yml").read_text(encoding="utf-8"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## In GitHub Actions: the action")
    section = readme[start : readme.index("**The doctor as a check", start)]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    documented = [row.split("|")[1].strip().strip("`") for row in rows]
    assert sorted(documented) == sorted(action_inputs["inputs"])


def test_watch_follows_the_publish_run_and_reports_it(
    project: Project, failed_publish: tuple[GitHubEmulator, int], index: PyPIServer, tmp_path: Path
) -> None:
    emu, run_id = failed_publish
    assert emu.token
    inputs = {"command": "watch", "install": "false", "target": "v0.1.1", "workflow": "release.yml"}
    run = action(tmp_path, project.work, inputs, api_url=emu.url, token=emu.token)
    assert run.code == 6, run.stdout + run.stderr
    assert "::error title=" in run.stdout
    assert f"[run {run_id}](" in run.summary
    assert "| publish | ✗ failure |" in run.summary


def test_status_says_where_the_release_is(
    project: Project, failed_publish: tuple[GitHubEmulator, int], index: PyPIServer, tmp_path: Path
) -> None:
    emu, _ = failed_publish
    assert emu.token
    inputs = {"command": "status", "install": "false", "version": "0.1.1"}
    run = action(tmp_path, project.work, inputs, api_url=emu.url, token=emu.token)
    assert run.code == 0, run.stdout + run.stderr
    assert "completed, failure [invalid-publisher]" in run.stdout
    assert "next: release retry v0.1.1" in run.stdout
