"""Release notes from the changelog: each heading style, Unreleased renamed, missing refused.

The pure half (:mod:`release_orchestrator.core.changelog`) is checked on small changelogs
written here in the styles of Keep a Changelog, towncrier, scriv and commitizen; the command
half through the real ``release cut``, a real git repository and the GitHub emulator.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from packaging.version import Version

from emulator_fixtures import make_github
from gitfixtures import PYPROJECT, Project, git
from release_orchestrator.core.changelog import ChangelogPlan, plan_changelog
from release_orchestrator.deps import Deps
from release_orchestrator.sandbox import Fault, GitHubEmulator
from runcli import NO_PYPI, Outcome, release

TODAY = date(2026, 12, 1)
ROOT = Path("/project")


def _plan(text: str, version: str = "0.1.1", tag: str = "v0.1.1") -> ChangelogPlan:
    data = text.encode()
    return plan_changelog(ROOT / "CHANGELOG.md", "CHANGELOG.md", data, Version(version), tag, TODAY)


# --- the heading styles, one by one ---------------------------------------------------------

# Each: the heading of 0.1.1 and of the release before, as the tool writes them.
STYLES = {
    "keep-a-changelog": ("## [0.1.1] - 2026-12-01", "## [0.1.0] - 2026-11-01"),
    "towncrier": (
        "## anomaly-detection-toolkit 0.1.1 (2026-12-01)",
        "## anomaly-detection-toolkit 0.1.0 (2026-11-01)",
    ),
    "scriv": (
        "# <a id='changelog-0.1.1'></a>0.1.1 — 2026-12-01",
        "# <a id='changelog-0.1.0'></a>0.1.0 — 2026-11-01",
    ),
    "commitizen": ("## v0.1.1 (2026-12-01)", "## v0.1.0 (2026-11-01)"),
    "commitizen-dash": ("## 0.1.1 - 2026-12-01", "## 0.1.0 - 2026-11-01"),
    "bare-v": ("## v0.1.1", "## v0.1.0"),
    "setext": ("0.1.1 (2026-12-01)\n------------------", "0.1.0 (2026-11-01)\n------------------"),
}
NOTES = "### Fixed\n\n- The detector no longer drops the last point.\n"


@pytest.mark.parametrize("style", sorted(STYLES))
def test_each_heading_style_gives_its_section(style: str) -> None:
    new, old = STYLES[style]
    text = f"Changelog\n=========\n\n{new}\n\n{NOTES}\n{old}\n\n- First release.\n"

    plan = _plan(text)

    assert plan.problem is None
    assert plan.change is None  # the section is there: nothing to rename
    assert plan.notes == NOTES


@pytest.mark.parametrize("style", sorted(STYLES))
def test_each_heading_style_without_the_version_is_refused(style: str) -> None:
    _, old = STYLES[style]
    plan = _plan(f"# Changelog\n\n{old}\n\n- First release.\n")

    assert plan.notes is None and plan.change is None
    assert plan.problem is not None
    assert plan.problem.message == (
        "CHANGELOG.md has no section for 0.1.1 and no Unreleased section"
    )
    assert "add a `## [Unreleased]` section to CHANGELOG.md" in plan.problem.hint


def test_a_heading_in_a_code_block_is_not_a_heading() -> None:
    text = "# Changelog\n\n```markdown\n## [Unreleased]\n## [0.1.1]\n```\n\n## [0.1.0]\n\n- x\n"
    assert _plan(text).problem is not None


def test_the_section_ends_at_the_next_release_and_keeps_its_subheadings() -> None:
    text = (
        "# Changelog\n\n## 0.1.1\n\n### Added\n\n- a\n\n### Fixed\n\n- b\n\n"
        "## 0.1.0\n\n- c\n"
    )
    assert _plan(text).notes == "### Added\n\n- a\n\n### Fixed\n\n- b\n"


def test_pre_release_versions_compare_as_pep_440() -> None:
    text = "# Changelog\n\n## [1.0.0-rc1] - 2026-12-01\n\n- almost\n"
    assert _plan(text, "1.0.0rc1", "v1.0.0rc1").notes == "- almost\n"


def test_the_version_section_wins_over_unreleased() -> None:
    text = "# Changelog\n\n## [Unreleased]\n\n- later\n\n## [0.1.1] - 2026-12-01\n\n- now\n"
    plan = _plan(text)
    assert plan.change is None and plan.notes == "- now\n"


def test_an_empty_section_is_a_warning() -> None:
    plan = _plan("# Changelog\n\n## [0.1.1]\n\n## [0.1.0]\n\n- x\n")
    assert plan.notes == "" and plan.problem is None
    assert plan.warnings == ["the CHANGELOG.md section of this release has no text"]


# --- Unreleased, renamed ---------------------------------------------------------------------

KEEP_A_CHANGELOG = """\
# Changelog

All notable changes to this project are documented here.

## [Unreleased]

### Added

- Seasonal detectors ([#12]).

## [0.1.0] - 2026-11-01

- First release.

[Unreleased]: https://github.com/kylejones200/anomaly-detection-toolkit/compare/v0.1.0...HEAD
[0.1.0]: https://github.com/kylejones200/anomaly-detection-toolkit/releases/tag/v0.1.0
[#12]: https://github.com/kylejones200/anomaly-detection-toolkit/pull/12
"""
RENAMED = KEEP_A_CHANGELOG.replace("## [Unreleased]", "## [0.1.1] - 2026-12-01").replace(
    "[Unreleased]: https://github.com/kylejones200/anomaly-detection-toolkit/compare/v0.1.0...HEAD",
    "[0.1.1]: https://github.com/kylejones200/anomaly-detection-toolkit/compare/v0.1.0...v0.1.1",
)
SECTION = (
    "### Added\n\n- Seasonal detectors ([#12]).\n\n"
    "[#12]: https://github.com/kylejones200/anomaly-detection-toolkit/pull/12\n"
)


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_unreleased_is_renamed_byte_for_byte(newline: str) -> None:
    before = KEEP_A_CHANGELOG.replace("\n", newline).encode()

    plan = plan_changelog(
        ROOT / "CHANGELOG.md", "CHANGELOG.md", before, Version("0.1.1"), "v0.1.1", TODAY
    )

    assert plan.problem is None and plan.change is not None
    assert plan.change.before == before
    assert plan.change.after == RENAMED.replace("\n", newline).encode()
    # The Release body: the section, with the link definition it uses, in GitHub's \n.
    assert plan.notes == SECTION


def test_unreleased_follows_the_style_of_the_latest_release() -> None:
    text = "# Changes\n\n## Unreleased\n\n- y\n\n## v0.1.0 (2026-11-01)\n\n- x\n"
    plan = _plan(text)
    assert plan.change is not None
    assert plan.change.after == text.replace("## Unreleased", "## v0.1.1 (2026-12-01)").encode()


def test_other_link_definitions_and_an_atx_closing_sequence_are_left_alone() -> None:
    text = "## Unreleased ##\n\n- y\n\n[Unreleased]: https://example.com/changes\n"
    plan = _plan(text)
    assert plan.change is not None
    renamed = text.replace("## Unreleased ##", "## 0.1.1 - 2026-12-01 ##")
    assert plan.change.after == renamed.encode()


def test_bytes_that_are_not_utf8_survive_the_rename() -> None:
    before = b"# Changelog \xff\r\n\r\n## [Unreleased]\r\n\r\n- caf\xe9\r\n"
    plan = plan_changelog(
        ROOT / "CHANGELOG.md", "CHANGELOG.md", before, Version("0.1.1"), "v0.1.1", TODAY
    )
    assert plan.change is not None
    assert plan.change.after == before.replace(b"[Unreleased]", b"[0.1.1] - 2026-12-01")


# --- release cut ---------------------------------------------------------------------------


@dataclass
class FixedClock:
    """1 December 2026, noon UTC: the same date in every time zone a test machine uses."""

    time: float = datetime(2026, 12, 1, 12, tzinfo=timezone.utc).timestamp()

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.time += seconds


def cut(project: Project, *args: str) -> Outcome:
    deps = Deps(env=os.environ, cwd=project.work, clock=FixedClock(), pypi=NO_PYPI)
    return release("cut", *args, deps=deps)


@pytest.fixture
def with_changelog(project: Project) -> Project:
    """The seed project with a Keep a Changelog CHANGELOG.md (CRLF) and an Unreleased section."""
    project.write("CHANGELOG.md", KEEP_A_CHANGELOG, newline="\r\n")
    project.commit_all("Add the changelog")
    project.push()
    return project


def test_dry_run_shows_the_rename_in_the_plan_and_changes_nothing(with_changelog: Project) -> None:
    before = with_changelog.state()

    out = cut(with_changelog, "0.1.1", "--dry-run")

    assert out.code == 0, out.stderr
    assert with_changelog.state() == before
    assert "1. rewrite  pyproject.toml, CHANGELOG.md" in out.stdout
    assert "-## [Unreleased]" in out.stdout
    assert "+## [0.1.1] - 2026-12-01" in out.stdout
    assert "+[0.1.1]: https://github.com/kylejones200/anomaly-detection-toolkit/compare/" in (
        out.stdout
    )


def test_dry_run_json_lists_the_rewrite_and_changes_nothing(with_changelog: Project) -> None:
    before = with_changelog.state()

    out = cut(with_changelog, "0.1.1", "--dry-run", "--json")

    assert out.code == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["dry_run"] is True
    assert data["steps"][0] == {"name": "rewrite", "status": "skipped"}
    assert "+## [0.1.1] - 2026-12-01" in out.stderr  # the plan, on stderr with --json
    assert with_changelog.state() == before


def test_cut_commits_the_renamed_changelog_with_the_bump(with_changelog: Project) -> None:
    out = cut(with_changelog, "0.1.1", "--yes", "--json")

    assert out.code == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["steps"][0] == {"name": "rewrite", "status": "done"}
    work = with_changelog.work
    assert (work / "CHANGELOG.md").read_bytes() == RENAMED.replace("\n", "\r\n").encode()
    changed = git(work, "show", "--name-only", "--format=%s", "HEAD").splitlines()
    assert changed == ["Release 0.1.1", "", "CHANGELOG.md", "pyproject.toml"]
    assert git(work, "status", "--porcelain") == ""
    assert with_changelog.remote_tag_commit("v0.1.1") == git(work, "rev-parse", "HEAD")
    # The pushed commit holds the same bytes: git did not touch the CRLF endings.
    pushed = subprocess.run(
        ["git", "cat-file", "blob", "v0.1.1:CHANGELOG.md"],
        cwd=with_changelog.origin,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=30,
        check=True,
    ).stdout
    assert pushed == RENAMED.replace("\n", "\r\n").encode()


def test_versions_from_tags_commit_the_renamed_changelog_and_tag_it(project: Project) -> None:
    project.write(
        "pyproject.toml",
        '[build-system]\nrequires = ["setuptools>=64", "setuptools-scm>=8"]\n'
        '[project]\nname = "anomaly-detection-toolkit"\ndynamic = ["version"]\n'
        "[tool.setuptools_scm]\n",
    )
    project.write("CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n\n- y\n")
    head = project.commit_all("use setuptools-scm")
    project.push()
    git(project.work, "tag", "-a", "-m", "old", "v0.3.0", "HEAD~1")
    git(project.work, "push", "-q", "origin", "v0.3.0")

    out = cut(project, "minor", "--yes", "--json")

    assert out.code == 0, out.stderr
    assert [s["status"] for s in json.loads(out.stdout)["steps"]][:2] == ["done", "done"]
    release_commit = git(project.work, "rev-parse", "HEAD")
    assert git(project.work, "rev-parse", "HEAD~1") == head
    assert git(project.work, "show", "--name-only", "--format=", "HEAD") == "CHANGELOG.md"
    assert project.remote_tag_commit("v0.4.0") == release_commit
    assert (project.work / "CHANGELOG.md").read_text() == (
        "# Changelog\n\n## [0.4.0] - 2026-12-01\n\n- y\n"
    )


def test_a_refused_commit_puts_the_changelog_back(with_changelog: Project) -> None:
    hook = with_changelog.work / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'changelog lint failed' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = with_changelog.state()

    out = cut(with_changelog, "0.1.1", "--yes")

    assert out.code == 3
    assert "changelog lint failed" in out.stderr
    assert with_changelog.state() == before


def test_no_section_is_a_failed_check_with_the_others_and_nothing_changes(
    project: Project,
) -> None:
    project.write("CHANGELOG.md", "# Changelog\n\n## [0.1.0] - 2026-11-01\n\n- First.\n")
    project.commit_all("Add the changelog")
    project.push()
    project.write("README.md", "# edited\n")
    before = project.state()

    out = cut(project, "0.1.1", "--yes")

    assert out.code == 3, (out.stdout, out.stderr)
    assert out.stdout == ""
    assert project.state() == before
    lines = out.stderr.strip().splitlines()
    assert any("uncommitted changes to tracked files: README.md" in line for line in lines)
    (line,) = [line for line in lines if "CHANGELOG.md" in line]
    assert "CHANGELOG.md has no section for 0.1.1 and no Unreleased section" in line
    assert "add a `## [Unreleased]` section to CHANGELOG.md" in line


def test_no_changelog_means_no_check(project: Project) -> None:
    out = cut(project, "0.1.1", "--dry-run")
    assert out.code == 0, out.stderr
    assert "1. rewrite  pyproject.toml\n" in out.stdout


def test_changelog_false_turns_the_check_off(project: Project) -> None:
    project.write("pyproject.toml", PYPROJECT + "changelog = false\n")
    project.write("CHANGELOG.md", "# Changelog\n\nNothing yet.\n")
    project.commit_all("No notes in the changelog")
    project.push()

    out = cut(project, "0.1.1", "--yes")

    assert out.code == 0, out.stderr
    assert (project.work / "CHANGELOG.md").read_text() == "# Changelog\n\nNothing yet.\n"


def test_a_configured_changelog_is_used_instead_of_the_default(project: Project) -> None:
    project.write("pyproject.toml", PYPROJECT + 'changelog = "docs/HISTORY.md"\n')
    project.write("docs/HISTORY.md", "# History\n\n## Unreleased\n\n- y\n")
    project.write("CHANGELOG.md", "# Not this one\n")
    project.commit_all("A history file")
    project.push()

    out = cut(project, "0.1.1", "--yes")

    assert out.code == 0, out.stderr
    assert (project.work / "docs/HISTORY.md").read_text() == (
        "# History\n\n## 0.1.1 - 2026-12-01\n\n- y\n"
    )
    assert (project.work / "CHANGELOG.md").read_text() == "# Not this one\n"


@pytest.mark.parametrize(
    ("value", "shown"),
    [("true", "true"), ('""', "''"), ("1", "int"), ('["CHANGELOG.md"]', "list")],
)
def test_an_invalid_changelog_setting_is_one_line(project: Project, value: str, shown: str) -> None:
    project.write("pyproject.toml", PYPROJECT + f"changelog = {value}\n")
    project.commit_all("Bad setting")
    before = project.state()

    out = cut(project, "0.1.1", "--yes")

    assert out.code == 3
    assert out.stderr.strip() == (
        f"error: [tool.release] changelog must be a file name or false, not {shown}; "
        'write changelog = "CHANGELOG.md", or changelog = false to release without one'
    )
    assert project.state() == before


def test_a_configured_changelog_that_is_missing_is_refused(project: Project) -> None:
    project.write("pyproject.toml", PYPROJECT + 'changelog = "NEWS.md"\n')
    project.commit_all("Name a changelog")
    before = project.state()

    out = cut(project, "0.1.1", "--yes")

    assert out.code == 3
    assert out.stderr.strip() == (
        "error: NEWS.md does not exist; it is named by [tool.release] changelog"
    )
    assert project.state() == before


# --- the GitHub Release's body -------------------------------------------------------------


@pytest.fixture
def token_env(github_emulator: GitHubEmulator, monkeypatch: pytest.MonkeyPatch) -> str:
    assert github_emulator.token is not None
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)
    return github_emulator.token


def _release_body(emulator: GitHubEmulator, tag: str) -> str:
    repo = make_github(emulator).get_repo("kylejones200/anomaly-detection-toolkit")
    return str(repo.get_release(tag).body)


def test_the_release_body_is_the_changelog_section(
    with_changelog: Project, github_emulator: GitHubEmulator, token_env: str
) -> None:
    api = ("--api-url", github_emulator.url)
    dry = cut(with_changelog, "0.1.1", "--dry-run", "--github-release", *api)
    assert dry.code == 0, dry.stderr
    shown = json.dumps(SECTION)
    call = f'"make_latest": "true", "name": "v0.1.1", "body": {shown}}}'
    assert f'"generate_release_notes": false, {call}' in dry.stdout

    out = cut(with_changelog, "0.1.1", "--yes", "--github-release", *api)

    assert out.code == 0, out.stderr
    assert _release_body(github_emulator, "v0.1.1") == SECTION
    repo = make_github(github_emulator).get_repo("kylejones200/anomaly-detection-toolkit")
    assert repo.get_release("v0.1.1").name == "v0.1.1"


def test_generate_notes_adds_githubs_notes_after_the_section(
    with_changelog: Project, github_emulator: GitHubEmulator, token_env: str
) -> None:
    out = cut(
        with_changelog, "0.1.1", "--yes", "--github-release", "--generate-notes",
        "--api-url", github_emulator.url,
    )

    assert out.code == 0, out.stderr
    body = _release_body(github_emulator, "v0.1.1")
    assert body.startswith(SECTION)
    assert "**Full Changelog**" in body[len(SECTION) :]


def test_generate_notes_needs_github_release(with_changelog: Project) -> None:
    before = with_changelog.state()
    out = cut(with_changelog, "0.1.1", "--yes", "--generate-notes")
    assert out.code == 2
    assert out.stderr.strip() == (
        "error: --generate-notes applies to the GitHub Release; add --github-release"
    )
    assert with_changelog.state() == before


def test_no_section_sends_nothing_to_github(
    project: Project, github_emulator: GitHubEmulator, token_env: str
) -> None:
    project.write("CHANGELOG.md", "# Changelog\n\n## 0.1.0\n\n- First.\n")
    project.commit_all("Add the changelog")
    project.push()
    before = project.state()

    out = cut(project, "0.1.1", "--yes", "--github-release", "--api-url", github_emulator.url)

    assert out.code == 3
    assert "CHANGELOG.md has no section for 0.1.1" in out.stderr
    assert project.state() == before
    assert all(r.method == "GET" for r in github_emulator.requests)
    repo = make_github(github_emulator).get_repo("kylejones200/anomaly-detection-toolkit")
    assert list(repo.get_releases()) == []


def test_a_resumed_release_takes_its_body_from_the_renamed_section(
    with_changelog: Project, github_emulator: GitHubEmulator, token_env: str
) -> None:
    github_emulator.inject(Fault.forbidden("not now"), method="POST", path=r"/releases$")
    api = ("--api-url", github_emulator.url)
    first = cut(with_changelog, "0.1.1", "--yes", "--github-release", *api)
    assert first.code == 4
    assert b"## [0.1.1] - 2026-12-01" in (with_changelog.work / "CHANGELOG.md").read_bytes()

    second = cut(with_changelog, "0.1.1", "--yes", "--github-release", "--json", *api)

    assert second.code == 0, second.stderr
    statuses = [step["status"] for step in json.loads(second.stdout)["steps"]]
    assert statuses == ["already-done"] * 4 + ["done"]
    assert _release_body(github_emulator, "v0.1.1") == SECTION
