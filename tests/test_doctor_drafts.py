"""``release doctor`` and ``release cut`` for draft GitHub Releases and pre-releases.

GitHub's release event fires other activity types depending on how the Release is made: a
full Release fires created, published and released; a pre-release fires prereleased instead
of released; a draft starts no workflow at all until the maintainer publishes it, which
fires published (and released, for a full release only). Each fixture is a small workflow
written here for one of those cases.
"""

from __future__ import annotations

import pytest

from gitfixtures import PYPROJECT, Project
from release_orchestrator.core.checks.topology import release_fires
from release_orchestrator.sandbox import GitHubEmulator
from test_doctor import GOOD, WORKFLOW, codes, doctor, finding, pypi, release, use

pytestmark = pytest.mark.usefixtures("pypi")
__all__ = ["pypi"]  # a fixture, used through pytestmark

ON_TAG = 'on:\n  push:\n    tags: ["v*"]\n'
RELEASE_MODE = "github-release = true\n"


def on_release(types: str) -> str:
    """GOOD, run on `release: types: [types]` only."""
    return GOOD.replace(ON_TAG, f"on:\n  release:\n    types: [{types}]\n")


def as_prerelease(project: Project) -> None:
    """The project at version 0.2.0rc1, made as a GitHub Release by default."""
    text = PYPROJECT.replace('version = "0.1.0"', 'version = "0.2.0rc1"') + RELEASE_MODE
    project.write("pyproject.toml", text)


def notes(data: dict[str, object]) -> list[str]:
    listed = data["notes"]
    assert isinstance(listed, list)
    return [str(n["message"]) for n in listed]


@pytest.mark.parametrize(
    ("github_release", "draft", "prerelease", "fired"),
    [
        (False, False, False, ()),
        (True, False, False, ("created", "published", "released")),
        (True, False, True, ("created", "published", "prereleased")),
        (True, True, False, ("published", "released")),
        (True, True, True, ("published",)),  # prereleased does not fire from a draft
    ],
)
def test_the_activity_types_a_release_fires(
    github_release: bool, draft: bool, prerelease: bool, fired: tuple[str, ...]
) -> None:
    assert release_fires(github_release, draft=draft, prerelease=prerelease) == fired


# --- drafts --------------------------------------------------------------------------------


def test_a_draft_on_published_runs_when_it_is_published(project: Project) -> None:
    use(project, on_release("published"), pyproject_extra=RELEASE_MODE)
    out, data = doctor("--draft", cwd=project.work)
    assert out.code == 0
    assert codes(data) == []
    (message,) = [n for n in notes(data) if "draft" in n]
    assert "starts the upload when the draft is published" in message
    assert "release watch v0.1.0" in message
    human = release("doctor", "--draft", cwd=project.work)
    assert human.code == 0
    assert "when the draft is published" in human.stdout


def test_without_draft_there_is_no_draft_note(project: Project) -> None:
    use(project, on_release("published"), pyproject_extra=RELEASE_MODE)
    _, data = doctor(cwd=project.work)
    assert codes(data) == []
    assert not [n for n in notes(data) if "draft" in n]


def test_a_draft_never_fires_created(project: Project) -> None:
    use(project, on_release("created"), pyproject_extra=RELEASE_MODE)
    out, data = doctor("--draft", cwd=project.work)
    assert out.code == 3
    assert codes(data) == [("tag-not-triggering", "error")]
    found = finding(data, "tag-not-triggering")
    assert (found["file"], found["line"]) == (WORKFLOW, 2)
    assert "release: types: [created]" in found["message"]
    assert "GitHub runs no workflow for a draft" in found["message"]
    assert "release: types: [published]" in found["fix"]


def test_created_and_published_run_twice_for_a_full_release_once_for_a_draft(
    project: Project,
) -> None:
    use(project, on_release("created, published"), pyproject_extra=RELEASE_MODE)
    _, full = doctor(cwd=project.work)
    assert codes(full) == [("double-trigger", "error")]
    assert "(created) and publish.yml on the GitHub Release (published)" in (
        finding(full, "double-trigger")["message"]
    )
    out, draft = doctor("--draft", cwd=project.work)  # the draft's publication fires published
    assert out.code == 0
    assert codes(draft) == []


def test_a_bare_release_trigger_runs_twice_when_a_draft_is_published(project: Project) -> None:
    use(project, GOOD.replace(ON_TAG, "on: release\n"), pyproject_extra=RELEASE_MODE)
    _, data = doctor("--draft", cwd=project.work)
    assert codes(data) == [("double-trigger", "error")]
    message = finding(data, "double-trigger")["message"]
    assert "(published)" in message and "(released)" in message and "(created)" not in message


def test_draft_needs_a_github_release(project: Project) -> None:
    use(project, on_release("published"))
    before = project.state()
    out = release("doctor", "--draft", cwd=project.work)
    assert out.code == 2
    assert out.stdout == ""
    assert out.stderr == "error: --draft applies to the GitHub Release; add --github-release\n"
    assert project.state() == before
    ok = release("doctor", "--draft", "--github-release", "--json", cwd=project.work)
    assert ok.code == 0, ok.stderr


def test_github_release_option_overrides_the_configuration(project: Project) -> None:
    use(project, on_release("published"))
    _, tag_only = doctor(cwd=project.work)
    assert codes(tag_only) == [("tag-not-triggering", "error")]
    _, with_release = doctor("--github-release", cwd=project.work)
    assert codes(with_release) == []
    use(project, on_release("published"), pyproject_extra=RELEASE_MODE)
    _, turned_off = doctor("--no-github-release", cwd=project.work)
    assert codes(turned_off) == [("tag-not-triggering", "error")]


# --- pre-releases --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        ("released", [("tag-not-triggering", "error")]),  # a pre-release fires prereleased
        ("prereleased", []),
        ("published", []),
        ("published, released", []),  # released does not fire: one upload, not two
        ("published, prereleased", [("double-trigger", "error")]),
    ],
)
def test_a_pre_release_fires_prereleased_not_released(
    project: Project, types: str, expected: list[tuple[str, str]]
) -> None:
    as_prerelease(project)
    use(project, on_release(types))
    _, data = doctor(cwd=project.work)
    assert codes(data) == expected
    if expected == [("tag-not-triggering", "error")]:
        message = finding(data, "tag-not-triggering")["message"]
        assert "which the GitHub Release of pre-release v0.2.0rc1 never fires" in message
        assert "`created`, `published`, `prereleased`" in message


def test_a_draft_pre_release_fires_only_published(project: Project) -> None:
    as_prerelease(project)
    use(project, on_release("prereleased"))
    _, data = doctor("--draft", cwd=project.work)
    assert codes(data) == [("tag-not-triggering", "error")]
    assert "publishing the draft fires `published`" in (
        finding(data, "tag-not-triggering")["message"]
    )
    use(project, on_release("published, prereleased"))
    _, once = doctor("--draft", cwd=project.work)
    assert codes(once) == []


# --- release cut --draft --------------------------------------------------------------------


@pytest.fixture
def token_env(github_emulator: GitHubEmulator, monkeypatch: pytest.MonkeyPatch) -> str:
    assert github_emulator.token is not None
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)
    return github_emulator.token


def _commit(project: Project, text: str) -> None:
    use(project, text)
    project.commit_all("publishing workflow")
    project.push()


@pytest.mark.usefixtures("token_env")
@pytest.mark.parametrize(
    ("spec", "types", "draft", "expected"),
    [
        ("0.1.1", "created", ("--draft",), "GitHub runs no workflow for a draft"),
        ("0.2.0rc1", "released", (), "pre-release v0.2.0rc1"),
    ],
)
def test_cut_refuses_a_release_that_never_runs_the_upload(
    project: Project,
    github_emulator: GitHubEmulator,
    spec: str,
    types: str,
    draft: tuple[str, ...],
    expected: str,
) -> None:
    _commit(project, on_release(types))
    before = project.state()
    api = ("--api-url", github_emulator.url)
    out = release("cut", spec, "--yes", "--github-release", *draft, *api, cwd=project.work)
    assert out.code == 3
    assert out.stdout == ""
    (line,) = out.stderr.strip().splitlines()
    assert line.startswith(f"error: doctor: {WORKFLOW}:2: ")
    assert expected in line and line.endswith("(--skip-doctor to cut anyway)")
    assert project.state() == before
    assert all(r.method == "GET" for r in github_emulator.requests)


@pytest.mark.usefixtures("token_env")
def test_cut_draft_says_the_upload_waits_for_the_draft(
    project: Project, github_emulator: GitHubEmulator
) -> None:
    _commit(project, on_release("published"))
    api = ("--api-url", github_emulator.url)
    out = release(
        "cut", "0.1.1", "--yes", "--github-release", "--draft", "--no-watch", *api,
        cwd=project.work,
    )
    assert out.code == 0, out.stderr
    doctor_lines = "  doctor   no errors, no warnings\n  note     the GitHub Release is made as a"
    assert doctor_lines in out.stdout
    assert "then follow the run with release watch v0.1.1" in out.stdout
    plain = release(
        "cut", "0.1.2", "--yes", "--github-release", "--no-watch", *api, cwd=project.work
    )
    assert plain.code == 0, plain.stderr
    assert "  note     " not in plain.stdout


@pytest.mark.usefixtures("token_env")
def test_cut_draft_does_not_wait_for_a_run_the_draft_cannot_start(
    project: Project, github_emulator: GitHubEmulator
) -> None:
    _commit(project, on_release("published"))
    api = ("--api-url", github_emulator.url)
    out = release("cut", "0.1.1", "--yes", "--github-release", "--draft", *api, cwd=project.work)
    assert out.code == 0, out.stderr
    assert out.stderr == (
        "note: the GitHub Release of v0.1.1 is a draft: its publish run starts when it is "
        "published; then follow it with release watch v0.1.1\n"
    )
    assert not [r for r in github_emulator.requests if "/actions/runs" in r.path]
