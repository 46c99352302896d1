"""``release doctor`` with zizmor: its findings for the publishing job folded in as
``zizmor:<audit>`` warnings (run for real: the test extra installs zizmor), and a note when
zizmor is absent, fails, times out or prints what is not its JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from msgspec.structs import replace

import runcli
from gitfixtures import Project
from release_orchestrator.adapters.zizmor import Zizmor
from release_orchestrator.core.checks.facts import finding
from release_orchestrator.core.checks.security import (
    INSTALL_HINT,
    OURS_TOO,
    Audited,
    fold_zizmor,
)
from release_orchestrator.core.workflows import parse_workflow
from release_orchestrator.deps import Deps
from runcli import make_deps
from test_readme_tables import doctor_emitted_codes

WORKFLOW = ".github/workflows/publish.yml"

# The lint job has a template injection (not the release's concern); the publishing job
# keeps checkout's credentials and restores pip's cache.
RISKY = """\
name: Publish
on:
  push:
    tags: ["v*"]
jobs:
  lint:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - run: echo "${{ github.event.head_commit.message }}"
  publish:
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
          cache: pip
      - run: python -m build
      - uses: pypa/gh-action-pypi-publish@release/v1
"""


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def write_fake(directory: Path, script: str) -> Path:
    """A ``zizmor`` shell script in ``directory``, which the adapter finds instead."""
    directory.mkdir(exist_ok=True)
    fake = directory / "zizmor"
    fake.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    fake.chmod(0o755)
    return directory


def doctor(project: Project, deps: Deps, *args: str) -> dict[str, Any]:
    out = runcli.release("doctor", "--json", "--offline", *args, deps=deps)
    assert out.code == 0, out.stderr
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def zizmor_findings(data: dict[str, Any]) -> list[dict[str, Any]]:
    assert not any(f["code"].startswith("zizmor:") for f in data["findings"])
    return [f for f in data.get("security", []) if f["code"].startswith("zizmor:")]


@pytest.fixture
def risky(project: Project) -> Project:
    project.write(WORKFLOW, RISKY)
    return project


@pytest.fixture
def default_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit as a user gets it: zizmor found next to this interpreter (the test extra)."""
    monkeypatch.delenv("RELEASE_ZIZMOR")


def test_publishing_job_findings_are_folded_with_file_and_line(
    risky: Project, default_lookup: None
) -> None:
    data = doctor(risky, make_deps(cwd=risky.work))

    found = zizmor_findings(data)
    checkout = line_of(RISKY, "actions/checkout@v4")
    setup = line_of(RISKY, "actions/setup-python@v5")
    upload = line_of(RISKY, "pypa/gh-action-pypi-publish")
    assert sorted((f["code"], f["line"]) for f in found) == sorted(
        [
            ("zizmor:artipacked", checkout),
            ("zizmor:cache-poisoning", setup),
            ("zizmor:unpinned-uses", checkout),
            ("zizmor:unpinned-uses", setup),
            ("zizmor:unpinned-uses", upload),
        ]
    )
    assert {f["severity"] for f in found} == {"warning"}
    assert {f["file"] for f in found} == {WORKFLOW}
    # The same shape as every other finding, with our own words for the ones that matter.
    assert all(set(f) == {"code", "severity", "file", "line", "message", "fix"} for f in found)
    (artipacked,) = [f for f in found if f["code"] == "zizmor:artipacked"]
    assert "persist-credentials: false" in artipacked["fix"]
    assert ".git/config" in artipacked["message"]
    (cache,) = [f for f in found if f["code"] == "zizmor:cache-poisoning"]
    assert "poisoned" in cache["message"]
    assert not any("zizmor" in n["message"] for n in data["notes"])


def test_a_finding_outside_the_publishing_job_is_not_folded(
    risky: Project, default_lookup: None
) -> None:
    # zizmor alone reports the lint job's template injection ...
    alone = subprocess.run(
        [str(Path(sys.executable).parent / "zizmor"), "--offline", "--format=json", WORKFLOW],
        cwd=risky.work,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    injected = line_of(RISKY, "head_commit.message")
    assert any(
        item["ident"] == "template-injection"
        and any(
            loc["concrete"]["location"]["start_point"]["row"] + 1 == injected
            for loc in item["locations"]
        )
        for item in json.loads(alone.stdout)
    )
    # ... the doctor does not: it is not in the job that publishes.
    found = zizmor_findings(doctor(risky, make_deps(cwd=risky.work)))
    assert found
    assert all(f["line"] >= line_of(RISKY, "  publish:") for f in found)


def test_template_injection_in_the_publishing_job_is_explained(
    project: Project, default_lookup: None
) -> None:
    text = RISKY.replace("run: python -m build", 'run: echo "${{ github.head_ref }}"')
    project.write(WORKFLOW, text)

    found = zizmor_findings(doctor(project, make_deps(cwd=project.work)))

    (injection,) = [f for f in found if f["code"] == "zizmor:template-injection"]
    assert injection["line"] == line_of(text, "github.head_ref")
    assert "credentials that publish to PyPI" in injection["message"]
    assert "env:" in injection["fix"]


def test_zizmor_findings_never_block(risky: Project, default_lookup: None) -> None:
    out = runcli.release("doctor", "--offline", deps=make_deps(cwd=risky.work))
    assert out.code == 0, out.stderr
    assert "warning: zizmor:artipacked  .github/workflows/publish.yml:" in out.stdout
    assert "0 error(s)" in out.stdout


CALLER = """\
on:
  push:
    tags: ["v*"]
jobs:
  release:
    permissions:
      id-token: write
    uses: ./.github/workflows/publish.yml
    secrets: inherit
  notify:
    permissions: {}
    uses: ./.github/workflows/notify.yml
    secrets: inherit
"""


def test_the_job_calling_a_reusable_publishing_workflow_is_audited(
    project: Project, default_lookup: None
) -> None:
    called = RISKY.replace('on:\n  push:\n    tags: ["v*"]\n', "on:\n  workflow_call:\n")
    project.write(WORKFLOW, called)
    project.write(".github/workflows/release.yml", CALLER)
    project.write(".github/workflows/notify.yml", "on: workflow_call\njobs: {}\n")

    out = runcli.release("doctor", "--json", "--offline", deps=make_deps(cwd=project.work))

    data = json.loads(out.stdout)
    found = {(f["code"], f["file"], f["line"]) for f in zizmor_findings(data)}
    caller = ".github/workflows/release.yml"
    # The caller's `secrets: inherit` hands every secret to the publishing job; the notify
    # job's does not concern the release.
    calls = line_of(CALLER, "uses: ./.github/workflows/publish.yml")
    assert ("zizmor:secrets-inherit", caller, calls) in found
    assert not any(f == caller and line > line_of(CALLER, "notify:") for _, f, line in found)
    assert ("zizmor:artipacked", WORKFLOW, line_of(called, "actions/checkout")) in found


# Two problems our checks and zizmor both see: pull_request_target starts the publishing
# workflow, and the upload is handed an API token. zizmor points inside the `on:` block and
# at the step's `uses:`; our checks at the `on:` line and the step's first line.
TWICE = """\
name: Publish
on:
  pull_request_target:
  push:
    tags: ["v*"]
jobs:
  publish:
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: actions/checkout@v4
      - name: Upload
        uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{ secrets.PYPI_TOKEN }}
"""


def zizmor_alone(root: Path) -> set[str]:
    """The audits zizmor itself reports on the publishing workflow."""
    done = subprocess.run(
        [str(Path(sys.executable).parent / "zizmor"), "--offline", "--format=json", WORKFLOW],
        cwd=root,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return {str(item["ident"]) for item in json.loads(done.stdout)}


def test_a_problem_our_checks_report_is_not_reported_again_by_zizmor(
    project: Project, default_lookup: None
) -> None:
    project.write(WORKFLOW, TWICE)
    assert {"use-trusted-publishing", "dangerous-triggers"} <= zizmor_alone(project.work)

    out = runcli.release("doctor", "--json", "--offline", deps=make_deps(cwd=project.work))

    assert out.code == 3, out.stderr  # ours are errors: the token, pull_request_target
    data = json.loads(out.stdout)
    ours = {(f["code"], f["line"]) for f in data["findings"]}
    assert ("password-with-trusted-publishing", line_of(TWICE, "- name: Upload")) in ours
    assert ("pull-request-target", line_of(TWICE, "on:")) in ours
    folded = {f["code"] for f in zizmor_findings(data)}
    assert "zizmor:use-trusted-publishing" not in folded
    assert "zizmor:dangerous-triggers" not in folded
    # What only zizmor sees stays.
    assert {"zizmor:artipacked", "zizmor:unpinned-uses"} <= folded


def test_zizmor_keeps_a_problem_our_checks_only_note(
    project: Project, default_lookup: None
) -> None:
    # No `id-token: write` and no publisher configured: the token upload is on purpose, a
    # note of ours, not a finding; zizmor's advice to move to trusted publishing stands.
    text = TWICE.replace("    permissions:\n      id-token: write\n", "")
    text = text.replace("  pull_request_target:\n", "")
    project.write(WORKFLOW, text)

    data = doctor(project, make_deps(cwd=project.work))

    assert "password-with-trusted-publishing" not in {f["code"] for f in data["findings"]}
    upload = [f for f in zizmor_findings(data) if f["code"] == "zizmor:use-trusted-publishing"]
    assert [f["line"] for f in upload] == [line_of(text, "uses: pypa/gh-action-pypi-publish")]


def test_the_same_problem_table_names_our_codes() -> None:
    ours = set().union(*OURS_TOO.values())
    assert ours
    assert ours <= doctor_emitted_codes()


def test_cut_names_zizmor_warnings_and_goes_on(project: Project, default_lookup: None) -> None:
    project.write(WORKFLOW, RISKY)
    project.commit_all("publishing workflow")
    project.push()

    out = runcli.release("cut", "0.1.1", "--yes", "--no-watch", deps=make_deps(cwd=project.work))

    assert out.code == 0, out.stderr
    (line,) = [x for x in out.stdout.splitlines() if x.startswith("  doctor   no errors; warn")]
    assert "zizmor:artipacked" in line and "zizmor:cache-poisoning" in line
    assert project.remote_tag_commit("v0.1.1") is not None


def test_without_zizmor_one_note_says_the_extra_has_it(risky: Project, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    deps = replace(make_deps(cwd=risky.work), zizmor=Zizmor(search=(empty,)))

    data = doctor(risky, deps)

    assert zizmor_findings(data) == []
    (said,) = [n for n in data["notes"] if "zizmor" in n["message"]]
    assert INSTALL_HINT in said["message"]
    assert "not installed" in said["message"]


@pytest.mark.parametrize(
    ("script", "timeout", "said"),
    [
        ("echo 'zizmor: broken' >&2; exit 2", 30.0, "exited with code 2 (zizmor: broken)"),
        ("exec tail -f /dev/null", 0.3, "did not finish within 0.3 s"),
        ("echo 'not JSON'", 30.0, "output could not be read"),
    ],
    ids=["fails", "hangs", "not-json"],
)
def test_a_zizmor_that_fails_is_a_note_never_a_crash(
    risky: Project, tmp_path: Path, script: str, timeout: float, said: str
) -> None:
    fake = write_fake(tmp_path / "bin", script)
    deps = replace(make_deps(cwd=risky.work), zizmor=Zizmor(search=(fake,), timeout=timeout))

    data = doctor(risky, deps)

    assert zizmor_findings(data) == []
    assert any(said in n["message"] for n in data["notes"]), data["notes"]


def test_release_zizmor_names_the_executable_or_turns_the_audit_off(
    risky: Project, tmp_path: Path
) -> None:
    fake = write_fake(tmp_path / "bin", "exit 2") / "zizmor"
    named = Deps(env={**os.environ, "RELEASE_ZIZMOR": str(fake)}, cwd=risky.work)
    assert any("exited with code 2" in n["message"] for n in doctor(risky, named)["notes"])

    off = doctor(risky, make_deps(cwd=risky.work))  # the suite's RELEASE_ZIZMOR=""
    assert not any("zizmor" in n["message"] for n in off["notes"])
    assert zizmor_findings(off) == []


def test_the_audit_runs_without_the_token_and_zizmors_own_settings(risky: Project) -> None:
    # An empty GH_TOKEN (a step given a secret that is not set) makes zizmor refuse to start;
    # ZIZMOR_CONFIG would replace the configuration the doctor chose.
    env = {name: value for name, value in os.environ.items() if name != "RELEASE_ZIZMOR"}
    env.update(GH_TOKEN="", GITHUB_TOKEN="", ZIZMOR_CONFIG=str(risky.work / "missing.yml"))

    data = doctor(risky, Deps(env=env, cwd=risky.work))

    assert "zizmor:artipacked" in {f["code"] for f in zizmor_findings(data)}
    assert not any("zizmor" in n["message"] for n in data["notes"])


def test_offline_is_always_passed_and_the_repository_config_is_used(
    risky: Project, tmp_path: Path
) -> None:
    # A fake that records its arguments and answers "no findings".
    record = tmp_path / "args"
    fake = write_fake(tmp_path / "bin", f'printf "%s\\n" "$@" > {record}; echo "[]"')
    deps = replace(make_deps(cwd=risky.work), zizmor=Zizmor(search=(fake,)))

    runcli.release("doctor", "--json", deps=deps)  # online doctor: zizmor stays offline
    first = record.read_text(encoding="utf-8").splitlines()
    assert "--offline" in first
    assert "--no-config" in first
    assert first[-1] == WORKFLOW

    risky.write(".github/zizmor.yml", "rules: {}\n")
    doctor(risky, deps)
    second = record.read_text(encoding="utf-8").splitlines()
    assert second[second.index("--config") + 1] == ".github/zizmor.yml"
    assert "--no-config" not in second


# --- the pure folding, over zizmor's JSON shape --------------------------------------------


def _item(ident: str, route: list[Any], row: int) -> dict[str, Any]:
    """One finding as zizmor's JSON (v1) gives it, reduced to what is read."""
    return {
        "ident": ident,
        "desc": f"{ident} description",
        "url": f"https://docs.zizmor.sh/audits/#{ident}",
        "ignored": False,
        "locations": [
            {
                "symbolic": {
                    "key": {"Local": {"verbatim_path": WORKFLOW}},
                    "annotation": "here",
                    "route": {
                        "route": [{"Key": p} if isinstance(p, str) else {"Index": p} for p in route]
                    },
                    "kind": "Primary",
                },
                "concrete": {"location": {"start_point": {"row": row - 1, "column": 0}}},
            }
        ],
    }


WORKFLOW_LEVEL = """\
on:
  pull_request_target:
permissions: write-all
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
  other:
    runs-on: ubuntu-latest
    steps:
      - run: echo
"""


def test_workflow_level_findings_fold_when_they_apply_to_the_publishing_job() -> None:
    workflow = parse_workflow(WORKFLOW_LEVEL, Path(WORKFLOW))
    publish = workflow.jobs[0]
    output = json.dumps(
        [
            _item("dangerous-triggers", ["on"], 1),
            _item("excessive-permissions", ["permissions"], 3),
            _item("unpinned-uses", ["jobs", "publish", "steps", 0, "uses"], 8),
            _item("template-injection", ["jobs", "other", "steps", 0, "run"], 12),
            {**_item("artipacked", ["jobs", "publish"], 5), "ignored": True},
        ]
    )

    folded = fold_zizmor(output, [Audited(workflow, (publish,))])
    assert folded is not None
    assert [(f.code, f.line) for f in folded] == [
        ("zizmor:dangerous-triggers", 1),
        ("zizmor:excessive-permissions", 3),
        ("zizmor:unpinned-uses", 8),
    ]
    assert folded[0].fix == "see https://docs.zizmor.sh/audits/#dangerous-triggers"

    # The job's own permissions replace the workflow's: that finding is then not its.
    narrowed = replace(publish, permissions={"id-token": "write"})
    again = fold_zizmor(output, [Audited(workflow, (narrowed,))])
    assert again is not None
    assert "zizmor:excessive-permissions" not in {f.code for f in again}
    # A file zizmor was not asked about for this release is not folded either.
    assert fold_zizmor(output, [Audited(replace(workflow, path=Path("x.yml")), (publish,))]) == []


TWO_UPLOADS = """\
on:
  push:
    tags: ["v*"]
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - name: PyPI
        uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{ secrets.PYPI_TOKEN }}
      - name: TestPyPI
        uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{ secrets.TEST_PYPI_TOKEN }}
"""


def test_only_the_step_our_check_names_is_left_to_ours() -> None:
    workflow = parse_workflow(TWO_UPLOADS, Path(WORKFLOW))
    pypi_step = workflow.jobs[0].steps[0]
    password = line_of(TWO_UPLOADS, "secrets.PYPI_TOKEN")
    test_password = line_of(TWO_UPLOADS, "TEST_PYPI_TOKEN")
    output = json.dumps(
        [
            _item("use-trusted-publishing", ["jobs", "publish", "steps", 0, "with"], password),
            _item("use-trusted-publishing", ["jobs", "publish", "steps", 1, "with"], test_password),
            _item("unpinned-uses", ["jobs", "publish", "steps", 0, "uses"], password - 2),
        ]
    )
    audited = [Audited(workflow, workflow.jobs[:1])]
    at = (WORKFLOW, pypi_step.line)
    ours = [finding("password-with-trusted-publishing", "error", at, "token", "remove it")]

    folded = fold_zizmor(output, audited, ours)

    assert folded is not None
    # The first step's token is ours to report; the second's, and another audit of the first
    # step, are zizmor's.
    assert [(f.code, f.line) for f in folded] == [
        ("zizmor:use-trusted-publishing", test_password),
        ("zizmor:unpinned-uses", password - 2),
    ]
    # Our finding in another file, or under another code, leaves zizmor's alone.
    elsewhere = [replace(ours[0], file=".github/workflows/other.yml")]
    other_code = [replace(ours[0], code="build-in-publish-job")]
    for unrelated in (elsewhere, other_code):
        kept = fold_zizmor(output, audited, unrelated)
        assert kept is not None
        assert len(kept) == 3


@pytest.mark.parametrize("output", ["", "{}", "not json", '{"ident": 1}'])
def test_output_that_is_not_a_list_of_findings_is_unreadable(output: str) -> None:
    workflow = parse_workflow(WORKFLOW_LEVEL, Path(WORKFLOW))
    assert fold_zizmor(output, [Audited(workflow, workflow.jobs[:1])]) is None
