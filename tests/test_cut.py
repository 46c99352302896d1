"""``release cut`` end to end: real git work tree, real bare origin, the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitfixtures import PYPROJECT, Project, git
from runcli import release


def test_cut_bumps_commits_tags_and_pushes_atomically(project: Project) -> None:
    before = (project.work / "pyproject.toml").read_bytes()

    out = release("cut", "0.1.1", "--yes", "--json", cwd=project.work)

    assert out.code == 0, out.stderr
    after = (project.work / "pyproject.toml").read_bytes()
    assert after == before.replace(b'version = "0.1.0"', b'version = "0.1.1"')
    assert b'"other==0.1.0"' in after  # a pin to the same string is left alone
    head = git(project.work, "rev-parse", "HEAD")
    assert git(project.work, "log", "-1", "--format=%s") == "Release 0.1.1"
    assert git(project.work, "cat-file", "-t", "v0.1.1") == "tag"  # annotated
    assert (
        git(project.work, "tag", "-l", "--format=%(contents:subject)", "v0.1.1") == "Release 0.1.1"
    )
    assert project.remote_tag_commit("v0.1.1") == head
    assert git(project.origin, "rev-parse", "refs/heads/main") == head
    assert git(project.work, "status", "--porcelain") == ""
    result = json.loads(out.stdout)
    assert result == {
        "previous_version": "0.1.0",
        "version": "0.1.1",
        "tag": "v0.1.1",
        "commit": head,
        "pushed": True,
        "release_url": None,
        "dry_run": False,
        "steps": [
            {"name": "rewrite", "status": "done"},
            {"name": "commit", "status": "done"},
            {"name": "tag", "status": "done"},
            {"name": "push", "status": "done"},
            {"name": "github-release", "status": "skipped"},
        ],
    }


def test_only_the_new_tag_is_pushed(project: Project) -> None:
    git(project.work, "tag", "unrelated-local-tag")

    assert release("cut", "patch", "--yes", cwd=project.work).code == 0

    remote_tags = git(project.origin, "tag", "-l").split()
    assert remote_tags == ["v0.1.1"]


def test_dry_run_shows_the_plan_and_changes_nothing(project: Project) -> None:
    before = project.state()

    out = release("cut", "minor,rc", "--dry-run", cwd=project.work)

    assert out.code == 0, out.stderr
    assert project.state() == before
    assert '-version = "0.1.0"  # bumped by release cut' in out.stdout
    assert '+version = "0.2.0rc1"  # bumped by release cut' in out.stdout
    assert "'Release 0.2.0rc1'" in out.stdout
    assert "git push --atomic origin main refs/tags/v0.2.0rc1" in out.stdout
    assert "Dry run: nothing was changed." in out.stdout


def test_dry_run_json_reports_every_step_skipped(project: Project) -> None:
    out = release("cut", "patch", "--dry-run", "--json", cwd=project.work)

    data = json.loads(out.stdout)  # stdout holds only the object; the plan went to stderr
    assert data["dry_run"] is True and data["pushed"] is False and data["commit"] is None
    assert {step["status"] for step in data["steps"]} == {"skipped"}
    assert "git push --atomic" in out.stderr


@pytest.mark.parametrize(
    ("spec", "expected", "notice"),
    [
        ("v0.1.1", "0.1.1", None),
        ("1.0.0-rc1", "1.0.0rc1", "1.0.0-rc1"),
        ("major", "1.0.0", None),
        ("minor,rc", "0.2.0rc1", None),
        ("post", "0.1.0.post1", None),
    ],
)
def test_specs_reach_the_tag(
    project: Project, spec: str, expected: str, notice: str | None
) -> None:
    out = release("cut", spec, "--yes", "--json", cwd=project.work)

    assert out.code == 0, out.stderr
    assert json.loads(out.stdout)["version"] == expected
    assert project.remote_tag_commit(f"v{expected}") is not None
    if notice:
        assert notice in out.stderr and expected in out.stderr


def _refused(project: Project, *args: str) -> str:
    """Run cut, expect exit 3 and no change anywhere; return stderr."""
    before = project.state()
    out = release("cut", *args, "--yes", cwd=project.work)
    assert out.code == 3, (out.stdout, out.stderr)
    assert project.state() == before
    assert out.stdout == ""
    return out.stderr


def test_dirty_tree_is_refused(project: Project) -> None:
    project.write("README.md", "# changed\n")
    err = _refused(project, "0.1.1")
    assert "uncommitted changes to tracked files: README.md" in err


def test_untracked_files_do_not_block(project: Project) -> None:
    project.write("notes.txt", "scratch\n")
    assert release("cut", "0.1.1", "--yes", cwd=project.work).code == 0
    assert (project.work / "notes.txt").exists()


def test_detached_head_is_refused(project: Project) -> None:
    git(project.work, "checkout", "-q", "--detach")
    assert "HEAD is detached" in _refused(project, "0.1.1")


def test_other_branch_is_refused_unless_named(project: Project) -> None:
    git(project.work, "switch", "-q", "-c", "maint")
    git(project.work, "push", "-q", "origin", "maint")
    assert "releases are cut from 'main'" in _refused(project, "0.1.1")

    out = release("cut", "0.1.1", "--yes", "--branch", "maint", cwd=project.work)
    assert out.code == 0, out.stderr
    assert project.remote_tag_commit("v0.1.1") == git(project.origin, "rev-parse", "maint")


def _advance_origin(project: Project, tmp_path: Path) -> None:
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(project.origin), str(other))
    git(
        other,
        "-c",
        "user.name=x",
        "-c",
        "user.email=x@x",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "remote work",
    )
    git(other, "push", "-q", "origin", "main")


def test_behind_remote_is_refused(project: Project, tmp_path: Path) -> None:
    _advance_origin(project, tmp_path)
    before = project.state()
    out = release("cut", "0.1.1", "--yes", cwd=project.work)
    assert out.code == 3
    assert "'main' is 1 commit(s) behind origin/main" in out.stderr
    assert "git pull --ff-only origin main" in out.stderr
    after = project.state()
    # Only the remote-tracking ref moved (the fetch); the branch, tags, files are untouched.
    assert {k: v for k, v in after.items() if k != "refs"} == {
        k: v for k, v in before.items() if k != "refs"
    }
    assert git(project.work, "rev-parse", "main") == before["head"]


def test_diverged_is_refused(project: Project, tmp_path: Path) -> None:
    _advance_origin(project, tmp_path)
    git(project.work, "commit", "-q", "--allow-empty", "-m", "local work")
    out = release("cut", "0.1.1", "--yes", cwd=project.work)
    assert out.code == 3
    assert "have diverged (1 local and 1 remote commits)" in out.stderr


def test_ahead_of_remote_is_fine_and_pushed(project: Project) -> None:
    project.write("src/anomaly_detection_toolkit/core.py", "x = 1\n")
    local = project.commit_all("feature")
    assert release("cut", "0.1.1", "--yes", cwd=project.work).code == 0
    assert git(project.origin, "rev-parse", "main~1") == local


def test_existing_tags_are_refused(project: Project) -> None:
    git(project.work, "tag", "-a", "-m", "x", "v0.1.1", "HEAD")
    assert "tag v0.1.1 already exists locally" in _refused(project, "0.1.1")
    git(project.work, "push", "-q", "origin", "v0.1.1")
    git(project.work, "tag", "-d", "v0.1.1")
    assert "tag v0.1.1 already exists on 'origin'" in _refused(project, "0.1.1")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("0.1.0", "the version is already 0.1.0"),
        ("0.0.9", "0.0.9 is lower than the current version 0.1.0"),
        ("1.0+local", "local"),
        ("1.0.banana", "1.0.banana"),
        ("rc", "minor,rc"),
    ],
)
def test_bad_versions_are_refused(project: Project, spec: str, message: str) -> None:
    assert message in _refused(project, spec)


def test_all_failed_checks_are_reported_at_once(project: Project) -> None:
    project.write("README.md", "# changed\n")
    git(project.work, "tag", "v0.1.1")
    err = _refused(project, "0.1.1")
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert all(line.startswith("error: ") for line in lines)


def test_missing_remote_is_refused(project: Project) -> None:
    assert "no git remote named 'upstream'" in _refused(project, "0.1.1", "--remote", "upstream")


def test_missing_identity_is_refused(project: Project) -> None:
    git(project.work, "config", "--unset", "user.name")
    git(project.work, "config", "--unset", "user.email")
    assert "git cannot make the release commit" in _refused(project, "0.1.1")


def test_broken_pyproject_is_refused(project: Project) -> None:
    project.write("pyproject.toml", PYPROJECT + "[broken\n")
    project.commit_all("break it")
    project.push()
    assert "pyproject.toml is not valid TOML" in _refused(project, "0.1.1")


def test_not_a_repository(tmp_path: Path) -> None:
    out = release("cut", "0.1.1", "--yes", cwd=tmp_path)
    assert out.code == 3
    assert "is not inside a git work tree" in out.stderr
    assert list(tmp_path.iterdir()) == []


def test_unreachable_remote_is_a_remote_error_and_hides_credentials(project: Project) -> None:
    secret = "ghp_" + "A" * 36
    git(project.work, "remote", "set-url", "origin", f"https://user:{secret}@127.0.0.1:9/o/r.git")
    before = project.state()
    out = release("cut", "0.1.1", "--yes", cwd=project.work)
    assert out.code == 5
    assert "cannot reach remote 'origin'" in out.stderr
    assert secret not in out.stderr + out.stdout
    assert project.state() == before


def test_push_refused_by_the_remote_restores_everything(project: Project) -> None:
    hook = project.origin / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'releases are frozen this week' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = project.state()

    out = release("cut", "0.1.1", "--yes", cwd=project.work)

    assert out.code == 5
    assert "origin refused the push" in out.stderr
    assert "pre-receive hook declined" in out.stderr
    assert "releases are frozen this week" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert project.state() == before


def test_resume_after_an_unpushed_release(project: Project) -> None:
    assert release("cut", "0.1.1", "--yes", "--no-push", cwd=project.work).code == 0
    assert project.remote_tag_commit("v0.1.1") is None
    commit = git(project.work, "rev-parse", "HEAD")

    out = release("cut", "0.1.1", "--yes", "--json", cwd=project.work)

    assert out.code == 0, out.stderr
    data = json.loads(out.stdout)
    assert [s["status"] for s in data["steps"]] == [
        "already-done",
        "already-done",
        "already-done",
        "done",
        "skipped",
    ]
    assert data["commit"] == commit
    assert project.remote_tag_commit("v0.1.1") == commit


def test_resume_after_everything_is_done_changes_nothing(project: Project) -> None:
    assert release("cut", "0.1.1", "--yes", cwd=project.work).code == 0
    before = project.state()
    out = release("cut", "0.1.1", "--yes", "--json", cwd=project.work)
    assert out.code == 0, out.stderr
    assert {s["status"] for s in json.loads(out.stdout)["steps"]} == {"already-done", "skipped"}
    assert project.state() == before


def test_resume_refuses_a_tag_that_points_elsewhere(project: Project) -> None:
    git(project.work, "tag", "-a", "-m", "wrong", "v0.1.1", "HEAD")
    assert (
        release("cut", "0.1.1", "--yes", "--no-push", cwd=project.work).code == 3
    )  # tag exists already
    git(project.work, "tag", "-d", "v0.1.1")
    assert release("cut", "0.1.1", "--yes", "--no-push", cwd=project.work).code == 0
    git(project.work, "tag", "-f", "-a", "-m", "moved", "v0.1.1", "HEAD~1")
    err = _refused(project, "0.1.1")
    assert "tag v0.1.1 already exists locally and points at" in err


def test_version_below_highest_tag_warns(project: Project) -> None:
    assert release("cut", "1.0.0", "--yes", cwd=project.work).code == 0
    git(project.work, "switch", "-q", "-c", "maint-0.1", "HEAD~1")
    git(project.work, "push", "-q", "origin", "maint-0.1")
    out = release("cut", "0.1.1", "--yes", "--branch", "maint-0.1", cwd=project.work)
    assert out.code == 0, out.stderr
    assert "below the highest tagged version 1.0.0" in out.stderr


def test_commit_and_tag_messages_come_from_config(project: Project) -> None:
    project.write(
        "pyproject.toml",
        PYPROJECT
        + 'commit-message = "chore: release {version}"\ntag-message = "Version {version}"\n',
    )
    project.commit_all("config")
    project.push()
    assert release("cut", "0.1.1", "--yes", cwd=project.work).code == 0
    assert git(project.work, "log", "-1", "--format=%s") == "chore: release 0.1.1"
    assert (
        git(project.work, "tag", "-l", "--format=%(contents:subject)", "v0.1.1") == "Version 0.1.1"
    )


def test_scm_versions_only_create_a_tag(project: Project) -> None:
    project.write(
        "pyproject.toml",
        '[build-system]\nrequires = ["setuptools>=64", "setuptools-scm>=8"]\n'
        '[project]\nname = "anomaly-detection-toolkit"\ndynamic = ["version"]\n'
        "[tool.setuptools_scm]\n",
    )
    head = project.commit_all("use setuptools-scm")
    project.push()
    git(project.work, "tag", "-a", "-m", "old", "v0.3.0", "HEAD~1")
    git(project.work, "push", "-q", "origin", "v0.3.0")

    out = release("cut", "minor", "--yes", "--json", cwd=project.work)

    assert out.code == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["previous_version"] == "0.3.0" and data["version"] == "0.4.0"
    assert [s["status"] for s in data["steps"]][:2] == ["skipped", "skipped"]
    assert git(project.work, "rev-parse", "HEAD") == head
    assert project.remote_tag_commit("v0.4.0") == head


def test_hatch_version_file_and_extra_version_files(project: Project) -> None:
    project.write(
        "pyproject.toml",
        '[project]\nname = "anomaly-detection-toolkit"\ndynamic = ["version"]\n'
        '[tool.hatch.version]\npath = "src/anomaly_detection_toolkit/__about__.py"\n'
        '[tool.release]\nversion-files = ["src/anomaly_detection_toolkit/__init__.py"]\n',
    )
    project.write("src/anomaly_detection_toolkit/__about__.py", "__version__ = '0.1.0'\n")
    project.commit_all("hatch")
    project.push()

    out = release("cut", "0.2.0", "--yes", cwd=project.work)

    assert out.code == 0, out.stderr
    about = (project.work / "src/anomaly_detection_toolkit/__about__.py").read_text()
    init = (project.work / "src/anomaly_detection_toolkit/__init__.py").read_text()
    assert about == "__version__ = '0.2.0'\n"
    assert init == '__version__ = "0.2.0"\n'
    changed = git(project.work, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(changed) == [
        "src/anomaly_detection_toolkit/__about__.py",
        "src/anomaly_detection_toolkit/__init__.py",
    ]


def test_crlf_pyproject_keeps_its_line_endings(project: Project) -> None:
    project.write("pyproject.toml", PYPROJECT, newline="\r\n")
    project.commit_all("crlf")
    project.push()
    before = (project.work / "pyproject.toml").read_bytes()
    assert release("cut", "0.1.1", "--yes", cwd=project.work).code == 0
    after = (project.work / "pyproject.toml").read_bytes()
    assert after == before.replace(b'0.1.0"  #', b'0.1.1"  #')


def test_github_release_without_token_is_an_auth_error(project: Project) -> None:
    before = project.state()
    out = release("cut", "0.1.1", "--yes", "--github-release", cwd=project.work)
    assert out.code == 4
    assert "needs a GitHub token" in out.stderr
    assert project.state() == before


def test_no_push_with_github_release_is_a_usage_error(project: Project) -> None:
    before = project.state()
    out = release("cut", "0.1.1", "--no-push", "--github-release", cwd=project.work)
    assert out.code == 2
    assert project.state() == before


def test_declining_the_prompt_changes_nothing(project: Project) -> None:
    import io

    from msgspec.structs import replace

    from release_orchestrator.commands.cut import CutRequest, run_cut
    from release_orchestrator.errors import ExitCode, ReleaseError
    from release_orchestrator.render.console import Console
    from runcli import make_deps

    before = project.state()
    asked: list[str] = []

    def decline(question: str) -> bool:
        asked.append(question)
        return False

    out = io.StringIO()
    with pytest.raises(ReleaseError) as info:
        run_cut(
            CutRequest("0.1.1"),
            replace(make_deps(cwd=project.work), console=Console(out=out, err=out)),
            confirm=decline,
        )
    assert asked == ["Go ahead?"]
    assert info.value.exit_code == ExitCode.INTERRUPTED
    assert "git push --atomic origin main refs/tags/v0.1.1" in out.getvalue()  # plan shown first
    assert project.state() == before
