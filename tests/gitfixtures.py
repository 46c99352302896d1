"""Real git repositories for the tests: a work tree whose ``origin`` is a real bare repository."""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

OWNER = "kylejones200"
REPO = "anomaly-detection-toolkit"

PYPROJECT = """\
# The seed project of release-orchestrator.
[project]
name = 'anomaly-detection-toolkit'
version = "0.1.0"  # bumped by release cut
dependencies = ["numpy>=1.26", "other==0.1.0"]

[tool.release]
tag-prefix = "v"
"""


def git(cwd: Path, *args: str, check: bool = True) -> str:
    """Run git in ``cwd`` and return its stdout (stripped)."""
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout.strip()


@dataclass
class Project:
    """A clone (``work``) of a bare repository (``origin``), its remote a GitHub URL."""

    work: Path
    origin: Path
    files: dict[str, str] = field(default_factory=dict)

    def write(self, relpath: str, text: str, *, newline: str = "\n") -> Path:
        """Write a file in the work tree (bytes exactly as given)."""
        path = self.work / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.replace("\n", newline).encode())
        return path

    def commit_all(self, message: str = "work") -> str:
        """Commit everything in the work tree and return the sha."""
        git(self.work, "add", "-A")
        git(self.work, "commit", "-q", "-m", message)
        return git(self.work, "rev-parse", "HEAD")

    def push(self) -> None:
        """Push the current branch to origin."""
        git(self.work, "push", "-q", "origin", "HEAD")

    def state(self) -> dict[str, object]:
        """Everything a release could change: refs, index, files, and the remote's refs."""
        files = {
            str(p.relative_to(self.work)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(self.work.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(self.work).parts
        }
        return {
            "head": git(self.work, "rev-parse", "HEAD"),
            "symbolic": git(self.work, "symbolic-ref", "-q", "HEAD", check=False),
            "refs": git(self.work, "for-each-ref", "--format=%(refname) %(objectname)"),
            "index": git(self.work, "ls-files", "--stage"),
            "status": git(self.work, "status", "--porcelain", "--untracked-files=all"),
            "files": files,
            "remote": git(self.origin, "for-each-ref", "--format=%(refname) %(objectname)"),
        }

    def remote_tag_commit(self, tag: str) -> str | None:
        """The commit a tag on origin points at, or None."""
        out = git(
            self.origin, "rev-parse", "--verify", "-q", f"refs/tags/{tag}^{{commit}}", check=False
        )
        return out or None


def github_url(owner: str = OWNER, repo: str = REPO) -> str:
    """The https URL GitHub gives for cloning ``owner/repo``."""
    return f"https://github.com/{owner}/{repo}.git"


def add_github_remote(work: Path, name: str, bare: Path, owner: str = OWNER) -> None:
    """Add remote ``name`` as ``https://github.com/OWNER/REPO.git``, reached at ``bare``.

    ``url.<bare>.insteadOf`` redirects the transport, as a user's mirror or ssh rewrite
    would: the remote still names the GitHub repository.
    """
    git(work, "remote", "add", name, github_url(owner))
    git(work, "config", f"url.{bare}.insteadOf", github_url(owner))


def make_project(tmp: Path, pyproject: str = PYPROJECT, branch: str = "main") -> Project:
    """A committed project pushed to its own bare origin (https://github.com/OWNER/REPO.git)."""
    # Not laid out as OWNER/REPO: the repository's identity comes from the remote's URL.
    origin = tmp / "mirror" / "origin.git"
    origin.mkdir(parents=True)
    git(origin, "init", "-q", "--bare", "-b", branch)
    work = tmp / "work"
    work.mkdir()
    git(work, "init", "-q", "-b", branch)
    git(work, "config", "user.name", "Release Tester")
    git(work, "config", "user.email", "tester@example.com")
    add_github_remote(work, "origin", origin)
    project = Project(work=work, origin=origin)
    project.write("pyproject.toml", pyproject)
    project.write("src/anomaly_detection_toolkit/__init__.py", '__version__ = "0.1.0"\n')
    project.write("README.md", "# anomaly-detection-toolkit\n")
    project.commit_all("Initial commit")
    git(work, "push", "-q", "-u", "origin", branch)
    return project


MONOREPO = """\
# Two packages, one repository.
[tool.release]
packages = ["packages/a", "packages/b"]
"""


def package_pyproject(name: str, version: str = "0.1.0") -> str:
    """A package's own pyproject.toml, as the packages of :func:`make_monorepo` have."""
    return f'[project]\nname = "{name}"\nversion = "{version}"\n'


def make_monorepo(tmp: Path) -> Project:
    """A committed repository holding the packages ``packages/a`` and ``packages/b``."""
    project = make_project(tmp, MONOREPO)
    for name in ("a", "b"):
        project.write(f"packages/{name}/pyproject.toml", package_pyproject(name))
    project.commit_all("Two packages")
    project.push()
    return project


# Package a's publishing workflow: built, then uploaded by trusted publishing on a-v* tags.
PUBLISH_A = """\
name: Publish a
on:
  push:
    tags: ["a-v*"]
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python -m build packages/a --outdir dist/
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
