"""Read and write the bare repository that backs the emulator (through the ``git`` command).

The bare repository is the source of truth for refs and tags: a ``git push`` by the code
under test is seen by the emulator on its next scan, and refs created through the API
are real refs that a later ``git fetch`` sees.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import msgspec

from .timefmt import iso

# Field separators that print NUL, which never occurs in ref names, shas or names.
_REF_FIELD = "%00"  # for-each-ref's escape
_LOG_FIELD = "%x00"  # git log's escape


class GitError(Exception):
    """A git command failed; ``str()`` is git's own message."""


class RefInfo(msgspec.Struct, frozen=True):
    """One ref: what it points at, and the commit it peels to."""

    ref: str  # full name, e.g. ``refs/tags/v1.2.3``
    sha: str  # the object the ref names (a tag object for annotated tags)
    type: str  # ``commit`` or ``tag``
    commit: str  # the peeled commit

    @property
    def short(self) -> str:
        """The name without ``refs/tags/`` or ``refs/heads/``."""
        return self.ref.split("/", 2)[2]


class Person(msgspec.Struct, frozen=True):
    """A tagger or committer line."""

    name: str
    email: str
    when: float


class TagObject(msgspec.Struct, frozen=True):
    """An annotated tag object."""

    sha: str
    tag: str
    message: str
    object_sha: str
    object_type: str
    tagger: Person


class CommitInfo(msgspec.Struct, frozen=True):
    """The commit fields a workflow run's ``head_commit`` reports."""

    sha: str
    tree: str
    message: str
    author: Person
    committer: Person

    @property
    def subject(self) -> str:
        """The first line of the message."""
        return self.message.split("\n", 1)[0]

    @property
    def timestamp(self) -> str:
        """The committer date as an API date-time."""
        return iso(self.committer.when)


class GitStore:
    """Git operations on one bare repository."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def _git(self, *args: str, stdin: str | None = None) -> str:
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
        done = subprocess.run(
            ["git", f"--git-dir={self.path}", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if done.returncode != 0:
            raise GitError(done.stderr.strip() or f"git {args[0]} failed")
        return done.stdout

    def default_branch(self) -> str:
        """The branch HEAD names (it may be unborn)."""
        try:
            return self._git("symbolic-ref", "--short", "HEAD").strip()
        except GitError:
            return "main"  # a detached HEAD in a bare repo; GitHub always has a default branch

    def refs(self, prefix: str = "refs/") -> list[RefInfo]:
        """All refs whose full name starts with ``prefix`` (a plain prefix, like matching-refs)."""
        fmt = _REF_FIELD.join(("%(refname)", "%(objectname)", "%(objecttype)", "%(*objectname)"))
        out = self._git("for-each-ref", f"--format={fmt}", "refs/")
        found = []
        for line in out.splitlines():
            ref, sha, kind, peeled = line.split("\0")
            if ref.startswith(prefix):
                found.append(RefInfo(ref=ref, sha=sha, type=kind, commit=peeled or sha))
        return found

    def ref(self, name: str) -> RefInfo | None:
        """The ref with exactly this full name, or None."""
        return next((r for r in self.refs(name) if r.ref == name), None)

    def resolve_commit(self, commitish: str) -> str | None:
        """The commit a branch, tag or sha names, or None."""
        try:
            return self._git("rev-parse", "--verify", "--quiet", f"{commitish}^{{commit}}").strip()
        except GitError:
            return None

    def object_type(self, sha: str) -> str | None:
        """``commit``, ``tag``, ``tree`` or ``blob``; None if there is no such object."""
        try:
            return self._git("cat-file", "-t", sha).strip()
        except GitError:
            return None

    def create_ref(self, ref: str, sha: str) -> None:
        """Create ``ref`` at ``sha``; fails if the ref already exists."""
        self._git("update-ref", ref, sha, "")  # empty old value: must not exist yet

    def make_tag(
        self, tag: str, message: str, object_sha: str, object_type: str, tagger: Person
    ) -> str:
        """Write an annotated tag object (no ref) and return its sha, as ``POST /git/tags`` does."""
        text = (
            f"object {object_sha}\ntype {object_type}\ntag {tag}\n"
            f"tagger {tagger.name} <{tagger.email}> {int(tagger.when)} +0000\n\n{message}"
        )
        return self._git("mktag", stdin=text).strip()

    def read_tag(self, sha: str) -> TagObject | None:
        """The annotated tag object ``sha``, or None if it is not one."""
        if self.object_type(sha) != "tag":
            return None
        raw = self._git("cat-file", "tag", sha)
        head, _, message = raw.partition("\n\n")
        fields = dict(line.split(" ", 1) for line in head.splitlines())
        who, _, when = fields["tagger"].rpartition(">")
        name, _, email = who.partition(" <")
        stamp = when.split()[0]
        return TagObject(
            sha=sha,
            tag=fields["tag"],
            message=message,
            object_sha=fields["object"],
            object_type=fields["type"],
            tagger=Person(name=name, email=email, when=float(stamp)),
        )

    def commit(self, sha: str) -> CommitInfo:
        """The commit ``sha`` (any commit-ish)."""
        fmt = _LOG_FIELD.join(("%H", "%T", "%an", "%ae", "%at", "%cn", "%ce", "%ct", "%B"))
        out = self._git("log", "-1", f"--format={fmt}", sha, "--")
        full, tree, an, ae, at, cn, ce, ct, body = out.split("\0")
        return CommitInfo(
            sha=full,
            tree=tree,
            message=body.rstrip("\n"),
            author=Person(an, ae, float(at)),
            committer=Person(cn, ce, float(ct)),
        )

    def subjects(self, target: str, since: str | None) -> list[str]:
        """Commit subjects reachable from ``target`` and not from ``since``, newest first."""
        span = f"{since}..{target}" if since else target
        return self._git("log", "--format=%s", span, "--").splitlines()
