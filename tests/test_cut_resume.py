"""``release cut`` picks up a release that is on the remote but not in the local repository.

The remote can hold the release while the clone does not: it was cut from another clone,
or pushed and then lost here (a run stopped after git had pushed, a ``git reset``). The
remote's tag is recognised as this release (annotated with the tag message, on a commit
with the commit message, whose parent is HEAD and whose only change is the version bump)
and the local branch is fast-forwarded to it. Anything else stays a refusal naming both
commits, with nothing changed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from msgspec.structs import replace

from gitfixtures import Project, add_github_remote, git
from release_orchestrator.core.model import FileChange
from release_orchestrator.core.resume import RemoteTag, foreign_reason
from release_orchestrator.sandbox import GitHubEmulator
from runcli import release

ALL_DONE = ["already-done"] * 4


def _other_clone(project: Project, tmp_path: Path) -> Path:
    """A second clone of origin, with an identity, as a colleague's machine would have."""
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(project.origin), str(other))
    # Its origin names the GitHub repository too, reached at the same bare repository.
    git(other, "remote", "remove", "origin")
    add_github_remote(other, "origin", project.origin)
    git(other, "fetch", "-q", "origin")
    git(other, "branch", "-q", "--set-upstream-to", "origin/main")
    git(other, "config", "user.name", "Colleague")
    git(other, "config", "user.email", "colleague@example.com")
    return other


def _track(project: Project) -> None:
    """Bring origin/main up to date first: cut fetches the branch to compare, and the
    remote-tracking ref it moves only mirrors the remote.
    """
    git(project.work, "fetch", "-q", "--no-tags", "origin")


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def _steps(stdout: str) -> list[str]:
    return [step["status"] for step in json.loads(stdout)["steps"]]


def _assert_released_here(project: Project, commit: str) -> None:
    """The clone holds the release exactly as origin does: branch, tag object, files."""
    assert git(project.work, "rev-parse", "HEAD") == commit
    assert git(project.work, "symbolic-ref", "--short", "HEAD") == "main"
    assert git(project.work, "rev-parse", "v0.1.1") == git(project.origin, "rev-parse", "v0.1.1")
    assert git(project.work, "status", "--porcelain", "--untracked-files=no") == ""
    assert 'version = "0.1.1"' in (project.work / "pyproject.toml").read_text()
    assert git(project.origin, "rev-parse", "refs/heads/main") == commit


def test_a_release_pushed_from_another_clone_is_picked_up(
    project: Project, tmp_path: Path
) -> None:
    other = _other_clone(project, tmp_path)
    assert release("cut", "0.1.1", "--yes", "--no-watch", cwd=other).code == 0
    commit = git(other, "rev-parse", "HEAD")
    remote_before = git(project.origin, "for-each-ref", "--format=%(refname) %(objectname)")

    out = release("cut", "0.1.1", "--yes", "--json", "--no-watch", cwd=project.work)

    assert out.code == 0, out.stderr
    assert _steps(out.stdout) == [*ALL_DONE, "skipped"]
    assert json.loads(out.stdout)["commit"] == commit
    assert "origin already has this release (v0.1.1 on" in out.stderr
    _assert_released_here(project, commit)
    # Nothing was pushed: origin is as the other clone left it.
    assert git(project.origin, "for-each-ref", "--format=%(refname) %(objectname)") == (
        remote_before
    )


@pytest.mark.parametrize("keep_tag", [False, True], ids=["tag-deleted", "tag-kept"])
def test_a_release_pushed_then_reset_locally_is_picked_up(
    project: Project, keep_tag: bool
) -> None:
    assert release("cut", "0.1.1", "--yes", "--no-watch", cwd=project.work).code == 0
    commit = git(project.work, "rev-parse", "HEAD")
    git(project.work, "reset", "-q", "--hard", "HEAD~1")
    if not keep_tag:
        git(project.work, "tag", "--delete", "v0.1.1")

    out = release("cut", "0.1.1", "--yes", "--json", "--no-watch", cwd=project.work)

    assert out.code == 0, out.stderr
    assert _steps(out.stdout) == [*ALL_DONE, "skipped"]
    _assert_released_here(project, commit)


def test_the_dry_run_says_it_would_fast_forward_and_changes_nothing(
    project: Project, tmp_path: Path
) -> None:
    other = _other_clone(project, tmp_path)
    assert release("cut", "0.1.1", "--yes", "--no-watch", cwd=other).code == 0
    _track(project)
    before = project.state()

    out = release("cut", "0.1.1", "--dry-run", "--no-watch", cwd=project.work)

    assert out.code == 0, out.stderr
    assert "the local branch is fast-forwarded to it" in out.stderr
    assert "2. commit   'Release 0.1.1'  [already-done]" in out.stdout
    assert project.state() == before


def test_only_the_tag_on_the_remote_then_the_branch_is_pushed(
    project: Project, tmp_path: Path
) -> None:
    # A non-atomic push that stopped half-way: the tag landed, the branch did not.
    other = _other_clone(project, tmp_path)
    assert release("cut", "0.1.1", "--yes", "--no-push", "--no-watch", cwd=other).code == 0
    git(other, "push", "-q", "origin", "refs/tags/v0.1.1")
    commit = git(other, "rev-parse", "HEAD")

    out = release("cut", "0.1.1", "--yes", "--json", "--no-watch", cwd=project.work)

    assert out.code == 0, out.stderr
    assert _steps(out.stdout) == ["already-done"] * 3 + ["done", "skipped"]
    _assert_released_here(project, commit)


def test_then_the_github_release_is_created(
    project: Project,
    tmp_path: Path,
    github_emulator: GitHubEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert github_emulator.token is not None
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)
    other = _other_clone(project, tmp_path)
    assert release("cut", "0.1.1", "--yes", "--no-watch", cwd=other).code == 0
    commit = git(other, "rev-parse", "HEAD")

    out = release(
        "cut", "0.1.1", "--yes", "--json", "--no-watch", "--github-release",
        "--api-url", github_emulator.url,
        cwd=project.work,
    )

    assert out.code == 0, out.stderr
    data = json.loads(out.stdout)
    assert _steps(out.stdout) == [*ALL_DONE, "done"]
    assert data["release_url"]
    _assert_released_here(project, commit)


def _refused(project: Project) -> str:
    _track(project)
    before = project.state()
    out = release("cut", "0.1.1", "--yes", "--no-watch", cwd=project.work)
    assert out.code == 3, out.stderr
    assert project.state() == before
    return out.stderr


def test_a_foreign_tag_of_the_same_name_is_refused_naming_both_commits(
    project: Project, tmp_path: Path
) -> None:
    other = _other_clone(project, tmp_path)
    (other / "README.md").write_text("# a fork's own 0.1.1\n")
    git(other, "commit", "-q", "-am", "Fork work")
    git(other, "tag", "-a", "v0.1.1", "-m", "Their 0.1.1")
    git(other, "push", "-q", "origin", "refs/tags/v0.1.1")
    theirs = git(other, "rev-parse", "HEAD")
    head = git(project.work, "rev-parse", "HEAD")

    line = _one_line(_refused(project))

    assert f"tag v0.1.1 already exists on 'origin' and points at {theirs[:7]}" in line
    assert f"not at HEAD {head[:7]}" in line
    assert "its message is 'Their 0.1.1', not 'Release 0.1.1'" in line


def test_a_remote_release_commit_with_an_extra_change_is_refused(
    project: Project, tmp_path: Path
) -> None:
    # Our messages and the version bump, but one more file changed: not ours to adopt.
    other = _other_clone(project, tmp_path)
    pyproject = other / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"0.1.0"', '"0.1.1"', 1))
    (other / "README.md").write_text("# anomaly-detection-toolkit, now with notes\n")
    git(other, "commit", "-q", "-am", "Release 0.1.1")
    git(other, "tag", "-a", "v0.1.1", "-m", "Release 0.1.1")
    git(other, "push", "-q", "--atomic", "origin", "main", "refs/tags/v0.1.1")
    theirs = git(other, "rev-parse", "HEAD")
    head = git(project.work, "rev-parse", "HEAD")

    err = _refused(project)

    assert "'main' is 1 commit(s) behind origin/main" in err
    (line,) = [line for line in err.splitlines() if "tag v0.1.1" in line]
    assert f"points at {theirs[:7]}, not at HEAD {head[:7]}" in line
    assert "its commit also changes README.md" in line


# --- the rule itself, on values (every way a remote tag can fail to be ours) ---------------

ROOT = Path("/project")
BUMP = FileChange(ROOT / "pyproject.toml", b'version = "0.1.0"\n', b'version = "0.1.1"\n')
OURS = RemoteTag(
    name="v0.1.1",
    tag_object="t" * 40,
    annotated=True,
    message="Release 0.1.1\n",
    commit="c" * 40,
    parents=("h" * 40,),
    commit_message="Release 0.1.1\n",
    changed={"pyproject.toml": BUMP.after},
)


def _reason(tag: RemoteTag) -> str | None:
    return foreign_reason(tag, "h" * 40, ROOT, [BUMP], "Release 0.1.1", "Release 0.1.1")


@pytest.mark.parametrize(
    ("changed", "reason"),
    [
        (
            {"annotated": False, "message": ""},
            "it is a lightweight tag, and release makes annotated ones",
        ),
        ({"message": "Hotfix\n"}, "its message is 'Hotfix', not 'Release 0.1.1'"),
        ({"parents": ("p" * 40,)}, "its commit's parent is ppppppp, not HEAD"),
        ({"parents": ("h" * 40, "p" * 40)}, "its commit's parent is hhhhhhh, ppppppp, not HEAD"),
        ({"commit_message": "Bump\n"}, "its commit's message is 'Bump', not 'Release 0.1.1'"),
        ({"changed": {}}, "its commit does not change pyproject.toml"),
        (
            {"changed": {"pyproject.toml": BUMP.after, "README.md": None}},
            "its commit also changes README.md",
        ),
        (
            {"changed": {"pyproject.toml": b'version = "0.1.1"\nx = 1\n'}},
            "its commit changes pyproject.toml beyond the version bump",
        ),
    ],
)
def test_what_makes_a_remote_tag_not_ours(changed: dict[str, Any], reason: str) -> None:
    assert _reason(OURS) is None
    assert _reason(replace(OURS, **changed)) == reason
