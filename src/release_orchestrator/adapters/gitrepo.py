"""The local git repository and its remote, through the git command line.

Only this module runs git. Every method either reads state or makes one change that
:meth:`GitRepo.restore` can undo, so a failed release leaves the repository as it was.
The changes (commit, tag, push, undo) go through GitPython, loaded only when a release
really makes them; the reads run git directly, several at once, because importing
GitPython and its ``git version`` probe cost more than a dry run's reads themselves.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

import msgspec

from ..core.model import RemoteState
from ..core.redact import redact
from ..core.resume import FastForward, RemoteTag
from ..errors import CheckFailure, ChecksFailed, GitCommandFailed, LocalGitRefused, RemoteError

# Each local tag, the object it names and, for an annotated tag, the commit it peels to.
_TAGS = ("for-each-ref", "--format=%(refname:strip=2) %(objectname) %(*objectname)", "refs/tags")


class WorkTree(msgspec.Struct, frozen=True):
    """What ``release cut`` reads of the work tree (:meth:`GitRepo.start_work_tree`)."""

    branch: str | None  # the checked-out branch; None when HEAD is detached
    head: str | None  # None in a repository without commits
    head_message: str  # without trailing newlines
    changed_files: tuple[str, ...]  # tracked files with changes (untracked ones do not count)
    identity_problem: str | None  # why git could not make a commit here (no user.name/email)
    local_tags: dict[str, str]  # name -> peeled commit sha


class Snapshot(msgspec.Struct, frozen=True):
    """What :meth:`GitRepo.restore` needs to put the repository back as it was."""

    branch: str
    head: str
    tags_before: frozenset[str]


def _git_program(env: Mapping[str, str]) -> str:
    """The git on ``env``'s PATH, found here rather than by each child: the parent waits
    while a child tries PATH's directories one by one (about 1 ms a command on a long PATH).
    """
    return shutil.which("git", path=env.get("PATH")) or "git"


def read_remote_url(path: Path, remote: str) -> str | None:
    """``remote.<remote>.url`` as the user configured it, for the work tree at ``path``.

    Not ``git remote get-url``: that applies ``url.<base>.insteadOf``, which only says how
    to reach the repository (a mirror, an ssh rewrite), not which repository it is. None
    outside a repository or without that remote.
    """
    return _read_git(path, "config", "--get", f"remote.{remote}.url")


def read_branch(path: Path) -> str | None:
    """The branch checked out in the work tree at ``path``; None when HEAD is detached or
    there is no repository.
    """
    return _read_git(path, "symbolic-ref", "--quiet", "--short", "HEAD")


def _read_git(path: Path, *args: str) -> str | None:
    """``git ARGS``'s stripped output in ``path``, None when it fails or says nothing.

    Runs git without GitPython, so that light commands (``release explain --log``) stay
    light.
    """
    try:
        done = subprocess.run(
            [_git_program(os.environ), *args],
            cwd=path,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


def _reason(stderr: str) -> str:
    """The informative part of git's stderr, on one line.

    For a refused push that is the ``! [rejected] … (reason)`` line plus what the remote's
    hook said; otherwise the last ``fatal:``/``error:`` line (git prints hints after it).
    """
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    refused = [line for line in lines if line.startswith("!")]
    said = [line.removeprefix("remote:").strip() for line in lines if line.startswith("remote:")]
    said = [line for line in said if line]
    if refused:
        return "; ".join(refused + [f"remote says: {line}" for line in said[:2]])
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index]
        if line.startswith(("fatal:", "error:")):
            # A local hook's own words come before git's "… aborted by hook".
            before = [x for x in lines[:index] if not x.startswith(("hint:", "fatal:", "error:"))]
            return "; ".join([*before[-2:], line]) if "hook" in line else line
    return lines[-1] if lines else "no output"


class GitRepo:
    """A git work tree and the operations a release performs on it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def open(cls, path: Path) -> GitRepo:
        """Open the work tree containing ``path``; outside one, a failed check (exit 3)."""
        try:
            done = _run_git(path, ("rev-parse", "--is-bare-repository", "--show-toplevel"))
        except GitCommandFailed:
            done = None
        answers = done.stdout.decode("utf-8", "surrogateescape").splitlines() if done else []
        if answers[:1] == ["true"]:
            raise ChecksFailed(
                [CheckFailure(f"{path} is a bare repository", "run release in a work tree")]
            )
        if done is None or done.returncode != 0 or len(answers) != 2:
            raise ChecksFailed(
                [CheckFailure(f"{path} is not inside a git work tree", "run release in your clone")]
            )
        return cls(Path(answers[1]))

    def _git(self, *args: str) -> str:
        return self._start(*args)()

    def _start(self, *args: str) -> Callable[[], str]:
        """Start ``git ARGS``; return what waits for its stdout, less one final newline."""
        started = _start_git(self.root, args)

        def output() -> str:
            out = _stdout(args, _finish(started))
            return out.removesuffix(b"\n").decode("utf-8", "surrogateescape")

        return output

    def _git_bytes(self, *args: str) -> bytes:
        """``git ARGS``'s stdout as it is (file contents: no decoding, no stripping)."""
        return _stdout(args, _run_git(self.root, args))

    def _write(self, *args: str) -> None:
        """Make one of the release's changes with ``git ARGS``, through GitPython.

        In git's own session: a terminal's Ctrl-C goes to our process group only, so git
        (and the hooks it runs) is never killed half-way; the command decides what to do
        after. GitPython runs git in the C locale with no stdin, as :func:`_reason` expects.
        """
        import git

        status, _, stderr = git.Repo(self.root).git.execute(
            ["git", *args],
            with_extended_output=True,
            with_exceptions=False,
            start_new_session=True,
        )
        if status != 0:
            raise GitCommandFailed(args[0], redact(_reason(str(stderr))))

    # --- reading -------------------------------------------------------------------

    def head(self) -> str | None:
        """The commit HEAD points at (None in a repository without commits)."""
        try:
            return self._git("rev-parse", "--verify", "--quiet", "HEAD^{commit}")
        except GitCommandFailed:
            return None

    def start_work_tree(self) -> Callable[[], WorkTree]:
        """Start reading the branch, HEAD and its message, the changed tracked files, git's
        identity and the local tags; return what waits for them. The git commands, which
        only read, run side by side, and beside whatever the caller does meanwhile.
        """
        head = self._start("log", "-1", "--format=%H%n%B", "HEAD")
        # --branch: a first line names the checked-out branch, so no symbolic-ref is needed.
        status = self._start("status", "--porcelain=v1", "--branch", "--untracked-files=no")
        idents = [self._start("var", name) for name in ("GIT_COMMITTER_IDENT", "GIT_AUTHOR_IDENT")]
        tags = self._start(*_TAGS)

        def work_tree() -> WorkTree:
            header, *changed = status().splitlines()
            try:
                sha, _, message = head().partition("\n")
            except GitCommandFailed:  # a repository without commits
                sha, message = "", ""
            identity_problem = None
            for ident in idents:  # the committer's problem first, as git commit reports it
                try:
                    ident()
                except GitCommandFailed as exc:
                    identity_problem = identity_problem or exc.message
            return WorkTree(
                branch=_branch(header),
                head=sha or None,
                head_message=message.strip(),
                changed_files=tuple(line[3:] for line in changed if line.strip()),
                identity_problem=identity_problem,
                local_tags=_local_tags(tags()),
            )

        return work_tree

    def remote_url(self, remote: str) -> str | None:
        """The URL configured for ``remote`` (:func:`read_remote_url`; None: no such remote)."""
        return read_remote_url(self.root, remote)

    def local_tags(self) -> dict[str, str]:
        """Local tags: name -> peeled commit sha."""
        return _local_tags(self._git(*_TAGS))

    def tag_annotated(self, tag: str) -> bool:
        """Whether the local tag ``tag`` is an annotated tag (a tag object, not a bare ref)."""
        return self._git("cat-file", "-t", f"refs/tags/{tag}") == "tag"

    def ahead_behind(self, local: str, upstream: str) -> tuple[int, int]:
        """How many commits ``local`` has that ``upstream`` lacks, and the reverse."""
        out = self._git("rev-list", "--left-right", "--count", f"{local}...{upstream}")
        ahead, behind = out.split()
        return int(ahead), int(behind)

    def ref_name_problem(self, ref: str) -> str | None:
        """Why git would refuse ``ref`` as a ref name (``git check-ref-format``), or None."""
        try:
            self._git("check-ref-format", ref)
        except GitCommandFailed:
            return "git check-ref-format refuses it"
        return None

    # --- the remote ----------------------------------------------------------------

    def ls_remote(self, remote: str) -> RemoteState:
        """Ask the remote for its default branch, branches and tags (one round trip)."""
        return self.start_ls_remote(remote)()

    def start_ls_remote(self, remote: str) -> Callable[[], RemoteState]:
        """Start :meth:`ls_remote` and return what waits for its answer, so that the round
        trip to the remote overlaps what is read locally meanwhile.
        """
        args = ("ls-remote", "--symref", remote)
        try:
            started = _start_git(self.root, args)
        except GitCommandFailed as exc:
            raise _unreachable(remote, exc) from exc

        def answer() -> RemoteState:
            try:
                out = _stdout(args, _finish(started))
            except GitCommandFailed as exc:
                raise _unreachable(remote, exc) from exc
            return _remote_state(out.decode("utf-8", "surrogateescape"))

        return answer

    def fetch_branch(self, remote: str, branch: str) -> str:
        """Fetch ``branch`` from ``remote`` without touching local tags; return the fetched ref."""
        tracking = f"refs/remotes/{remote}/{branch}"
        self._fetch(remote, f"+refs/heads/{branch}:{tracking}", repr(branch))
        return tracking

    def _fetch(self, remote: str, refspec: str, what: str) -> None:
        try:
            self._git("fetch", "--quiet", "--no-tags", remote, refspec)
        except GitCommandFailed as exc:
            raise RemoteError(
                f"cannot fetch {what} from {remote!r}: {exc.reason}",
                "check the network and your git credentials",
            ) from exc

    def remote_tag(self, remote: str, tag: str, head: str) -> RemoteTag:
        """Fetch ``tag``'s objects from ``remote`` (no ref is created or moved) and read
        the tag, its commit, and what that commit changes against ``head``.
        """
        self._fetch(remote, f"refs/tags/{tag}", f"tag {tag}")
        obj = self._git("rev-parse", "--verify", "FETCH_HEAD")
        annotated = self._git("cat-file", "-t", obj) == "tag"
        message = ""
        if annotated:
            # An annotated tag: headers, a blank line, then the message.
            message = self._git("cat-file", "tag", obj).partition("\n\n")[2]
        commit = self._git("rev-parse", "--verify", f"{obj}^{{commit}}")
        parents = tuple(self._git("rev-list", "--parents", "-n", "1", commit).split()[1:])
        diff = self._git_bytes(
            "diff-tree", "-r", "-z", "--no-renames", "--name-status", head, commit
        )
        fields = diff.decode("utf-8", "surrogateescape").split("\0")
        changed: dict[str, bytes | None] = {}
        for status, path in zip(fields[0::2], fields[1::2], strict=False):
            blob = f"{commit}:{path}"
            changed[path] = None if status == "D" else self._git_bytes("cat-file", "blob", blob)
        return RemoteTag(
            name=tag,
            tag_object=obj,
            annotated=annotated,
            message=message,
            commit=commit,
            parents=parents,
            commit_message=self._git("log", "-1", "--format=%B", commit),
            changed=changed,
        )

    # --- changing --------------------------------------------------------------------

    def snapshot(self, branch: str) -> Snapshot:
        """Record HEAD and the local tags before changing anything."""
        head = self.head()
        assert head is not None, "checked before planning"
        return Snapshot(branch=branch, head=head, tags_before=frozenset(self.local_tags()))

    def commit(self, paths: list[str], message: str) -> str:
        """Commit exactly ``paths`` with ``message``; return the new commit's sha."""
        try:
            self._write("add", "--", *paths)
            self._write("commit", "--quiet", "-m", message, "--", *paths)
        except GitCommandFailed as exc:
            raise _refused("commit", exc) from exc
        head = self.head()
        assert head is not None
        return head

    def create_tag(self, tag: str, message: str, commit: str) -> None:
        """Create the annotated tag ``tag`` on ``commit``."""
        try:
            self._write("tag", "--annotate", "--message", message, tag, commit)
        except GitCommandFailed as exc:
            raise _refused("tag", exc) from exc

    def fast_forward(self, move: FastForward) -> None:
        """Create the release tag as the remote has it (unless it exists), then move the
        checked-out branch forward to the release commit; git refuses anything but a
        fast-forward, and changes nothing when it refuses.
        """
        if move.tag_object is not None:
            ref = f"refs/tags/{move.tag}"
            try:
                self._write("update-ref", ref, move.tag_object, "")
            except GitCommandFailed as exc:
                raise _refused("tag", exc) from exc
        try:
            self._write("merge", "--ff-only", "--quiet", move.commit)
        except GitCommandFailed as exc:
            raise _refused("merge --ff-only", exc) from exc

    def push(self, argv: tuple[str, ...], remote: str) -> None:
        """Run the push ``git argv`` to ``remote`` (the release's atomic push of branch and tag)."""
        try:
            self._write(*argv)
        except GitCommandFailed as exc:
            raise RemoteError(
                f"{remote} refused the push: {exc.reason}",
                "the local commit and tag were undone; fix the cause, then run the same command",
            ) from exc

    def restore(self, snap: Snapshot, files: dict[Path, bytes]) -> None:
        """Undo a partial release: drop new tags, move the branch and index back, restore files."""
        for tag in set(self.local_tags()) - snap.tags_before:
            self._write("tag", "--delete", tag)
        # --mixed moves the branch and the index back (a refused commit leaves the bumped
        # files staged); the index matched HEAD before the release, as the checks require.
        self._write("reset", "--quiet", "--mixed", snap.head)
        for path, content in files.items():
            path.write_bytes(content)


def _remote_state(out: str) -> RemoteState:
    """``git ls-remote --symref``'s lines as the remote's default branch, heads and tags."""
    default: str | None = None
    heads: dict[str, str] = {}
    tags: dict[str, str] = {}
    for line in out.splitlines():
        left, _, ref = line.partition("\t")
        if left.startswith("ref: ") and ref == "HEAD":
            default = left.removeprefix("ref: refs/heads/")
        elif ref.startswith("refs/heads/"):
            heads[ref.removeprefix("refs/heads/")] = left
        elif ref.startswith("refs/tags/"):
            name = ref.removeprefix("refs/tags/")
            if name.endswith("^{}"):
                tags[name[:-3]] = left  # the peeled commit wins over the tag object
            else:
                tags.setdefault(name, left)
    return RemoteState(default_branch=default, heads=heads, tags=tags)


def _branch(header: str) -> str | None:
    """The branch in ``git status --porcelain --branch``'s ``## `` line; None when detached.

    ``## main...origin/main [ahead 1]``, ``## main``, ``## No commits yet on main`` (``Initial
    commit on`` before git 2.15), ``## HEAD (no branch)``; a branch name holds no space and
    no ``..``, so neither separator can be part of it.
    """
    name = header.removeprefix("## ")
    if name.startswith("HEAD (no branch)"):
        return None
    for unborn in ("No commits yet on ", "Initial commit on "):
        name = name.removeprefix(unborn)
    return name.split("...")[0].split(" ")[0]


def _local_tags(out: str) -> dict[str, str]:
    """:data:`_TAGS`'s lines as name -> peeled commit sha."""
    tags: dict[str, str] = {}
    for line in out.splitlines():
        name, obj, peeled = [*line.split(" "), "", ""][:3]
        tags[name] = peeled or obj
    return tags


def _unreachable(remote: str, exc: GitCommandFailed) -> RemoteError:
    return RemoteError(
        f"cannot reach remote {remote!r}: {exc.reason}",
        "check the network and your git credentials",
    )


def _start_git(cwd: Path, args: tuple[str, ...]) -> subprocess.Popen[bytes]:
    """Start ``git ARGS`` in ``cwd``; GitCommandFailed when git cannot be started there.

    Messages in the C locale, as :func:`_reason` reads them; no stdin, so git never waits
    for input that cannot come.
    """
    env = {**os.environ, "LANGUAGE": "C", "LC_ALL": "C"}
    try:
        return subprocess.Popen(
            [_git_program(env), *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError as exc:
        raise GitCommandFailed(args[0], f"cannot run git in {cwd}: {exc.strerror}") from exc


def _finish(started: subprocess.Popen[bytes]) -> subprocess.CompletedProcess[bytes]:
    """Wait for a started git and collect its output (killed if we are interrupted)."""
    with started:
        try:
            stdout, stderr = started.communicate()
        except BaseException:
            started.kill()
            raise
    return subprocess.CompletedProcess(started.args, started.returncode, stdout, stderr)


def _stdout(args: tuple[str, ...], done: subprocess.CompletedProcess[bytes]) -> bytes:
    """A finished git's stdout; GitCommandFailed with git's reason when it failed."""
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "surrogateescape")
        raise GitCommandFailed(args[0], redact(_reason(stderr)))
    return done.stdout


def _run_git(cwd: Path, args: tuple[str, ...]) -> subprocess.CompletedProcess[bytes]:
    """Run ``git ARGS`` in ``cwd`` to its end (:func:`_start_git`, :func:`_finish`)."""
    return _finish(_start_git(cwd, args))


def _refused(step: str, exc: GitCommandFailed) -> LocalGitRefused:
    """A refused local commit or tag (a hook said no): exit 3, the release undone."""
    return LocalGitRefused(
        f"git {step} was refused locally: {exc.reason}",
        "the release was undone; fix what it reports (or the hook), then run the same command",
    )
