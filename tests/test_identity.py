"""Which GitHub repository this is: the remote's configured URL, never its transport.

``url.<base>.insteadOf`` (a mirror, an ssh rewrite) only says how git reaches the
repository; a remote that names no GitHub repository (a local path, another host) is
never guessed into OWNER/REPO from its path. ``cut``, ``watch``, ``explain`` and
``doctor`` all ask :func:`core.remote.github_repository`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gitfixtures import OWNER, PYPROJECT, REPO, Project, git, github_url
from runcli import Outcome, make_deps, release

WORKFLOW = """\
name: Publish
on:
  push:
    tags: ["v*"]
jobs:
  publish:
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: actions/download-artifact@v4
      - uses: pypa/gh-action-pypi-publish@release/v1
"""

# The action's refusal for a token from OWNER/REPO's publish.yml (self-written, same shape).
REASON = (
    "valid token, but no corresponding publisher (Publisher with matching claims was not found)"
)
LOG = f"""\
##[error]Trusted publishing exchange failure:
Token request failed: the server refused the request for the following reasons:

* `invalid-publisher`: {REASON}

* `sub`: `repo:{OWNER}/{REPO}:environment:pypi`
* `repository`: `{OWNER}/{REPO}`
* `repository_owner`: `{OWNER}`
* `repository_owner_id`: `1234`
* `workflow_ref`: `{OWNER}/{REPO}/.github/workflows/publish.yml@refs/tags/v0.1.0`
* `job_workflow_ref`: `{OWNER}/{REPO}/.github/workflows/publish.yml@refs/tags/v0.1.0`
* `ref`: `refs/tags/v0.1.0`
* `environment`: `pypi`
"""


def make_repo(root: Path, remote: str, pyproject_extra: str = "") -> Path:
    """A work tree with the publishing workflow and ``origin`` = ``remote`` (no commits)."""
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "publish.yml").write_text(WORKFLOW)
    (root / "pyproject.toml").write_text(PYPROJECT + pyproject_extra)
    git(root, "init", "-q")
    git(root, "remote", "add", "origin", remote)
    return root


def doctor(cwd: Path) -> dict[str, Any]:
    out = release("doctor", "--json", deps=make_deps(cwd=cwd))
    assert out.code in (0, 3), out.stderr
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def codes(data: dict[str, Any]) -> list[str]:
    return [f["code"] for f in data["findings"]]


def explain(cwd: Path, *args: str) -> dict[str, Any]:
    log = cwd / "job.log"
    log.write_text(LOG)
    out = release("explain", "--log", str(log), "--json", *args, deps=make_deps(cwd=cwd))
    assert out.code == 0, out.stderr
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def checklist(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["field"]: item for item in data["checklist"]}


# Transport rewrites that would name another repository if git's rewritten URL were read.
REWRITES = pytest.mark.parametrize(
    "transport",
    [
        "git@github.com:mirror-org/mirror.git",  # ssh rewrite, another owner's name on it
        "https://github.com/mirror-org/mirror.git",  # an https mirror on github.com
        "/srv/mirrors/someone-else/fork.git",  # a local mirror laid out as OWNER/REPO
    ],
    ids=["ssh", "https-mirror", "local-mirror"],
)


@REWRITES
def test_insteadof_does_not_change_who_the_repository_is(tmp_path: Path, transport: str) -> None:
    root = make_repo(tmp_path, github_url())
    git(root, "config", f"url.{transport}.insteadOf", github_url())
    assert git(root, "remote", "get-url", "origin") == transport  # what git would reach

    data = doctor(root)
    assert "publisher-mismatch" not in codes(data)
    assert data["publisher_form"]["owner"] == OWNER
    assert data["publisher_form"]["repository"] == REPO

    rows = checklist(explain(root))
    assert (rows["owner"]["publisher"], rows["owner"]["ok"]) == (OWNER, True)
    assert (rows["repository"]["publisher"], rows["repository"]["ok"]) == (REPO, True)


def test_local_path_remote_without_config_is_a_warning_not_a_mismatch(tmp_path: Path) -> None:
    """The doctor cannot tell the repository: it says so instead of inventing one."""
    root = make_repo(tmp_path / "work", "/srv/git/someone-else/fork.git")
    data = doctor(root)
    assert "publisher-mismatch" not in codes(data)
    (warning,) = [f for f in data["findings"] if f["code"] == "unknown-repository"]
    assert warning["severity"] == "warning"
    assert "cannot tell the GitHub repository" in warning["message"]
    assert data["predicted_claims"] is None

    rows = checklist(explain(root))
    assert rows["owner"]["publisher"] is None


def test_local_path_remote_with_config_takes_owner_and_repository_from_it(
    tmp_path: Path,
) -> None:
    extra = f'\n[tool.release.pypi]\nowner = "{OWNER}"\nrepository = "{REPO}"\n'
    root = make_repo(tmp_path / "work", "/srv/git/someone-else/fork.git", extra)
    data = doctor(root)
    assert not {"unknown-repository", "publisher-mismatch"} & set(codes(data))
    assert data["predicted_claims"]["repository"] == f"{OWNER}/{REPO}"
    assert data["publisher_form"]["owner"] == OWNER

    explained = explain(root)
    assert explained["source"] == "[tool.release.pypi] in pyproject.toml and the local repository"
    assert checklist(explained)["owner"]["publisher"] == OWNER


def test_unrelated_host_is_not_github_without_api_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo(tmp_path / "work", f"https://gitlab.com/{OWNER}/{REPO}.git")
    assert "unknown-repository" in codes(doctor(root))
    assert checklist(explain(root))["owner"]["publisher"] is None

    monkeypatch.setenv("GH_TOKEN", "not-used")
    out = release("watch", "v0.1.0", deps=make_deps(cwd=root))
    assert out.code == 2
    assert "names no repository on github.com" in out.stderr
    assert "--api-url" in out.stderr

    # --api-url says the host is GitHub Enterprise Server: then its path names the repository.
    rows = checklist(explain(root, "--api-url", "https://gitlab.com/api/v3"))
    assert rows["owner"]["publisher"] == OWNER


def test_cut_github_release_refuses_a_remote_that_names_no_repository(project: Project) -> None:
    git(project.work, "remote", "set-url", "origin", str(project.origin))
    before = project.state()
    out = release("cut", "0.1.1", "--yes", "--github-release", "--skip-doctor", cwd=project.work)
    assert out.code == 2
    assert "cannot tell the GitHub repository: remote 'origin'" in out.stderr
    assert project.state() == before


def test_cut_does_not_watch_a_remote_that_names_no_repository(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write(".github/workflows/publish.yml", WORKFLOW)
    project.commit_all("publishing workflow")
    project.push()
    git(project.work, "remote", "set-url", "origin", str(project.origin))
    monkeypatch.setenv("GH_TOKEN", "not-used")
    out: Outcome = release("cut", "0.1.1", "--yes", "--skip-doctor", cwd=project.work)
    assert out.code == 0, out.stderr
    assert "names no GitHub repository: nothing to watch" in out.stdout + out.stderr
    assert project.remote_tag_commit("v0.1.1") is not None
