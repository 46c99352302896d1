"""Whether a release already on the remote is the one ``release cut`` would make.

The release can reach the remote while the local repository loses it: a run stopped
after git had pushed, a ``git reset --hard HEAD~1``, or the same cut made from another
clone. The remote's tag is ours when it is annotated with our tag message, on a commit
with our commit message whose parent is the local HEAD and whose only change is the
version bump this run would make. Then the local branch is fast-forwarded to it, as a
re-run in the clone that pushed it would find it, instead of refusing the release.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from .model import FileChange, display_path


class RemoteTag(msgspec.Struct, frozen=True):
    """The remote's tag of the version being cut, and the commit it points at, as read."""

    name: str
    tag_object: str  # what refs/tags/NAME holds: the tag object, or the commit if lightweight
    annotated: bool
    message: str  # the annotated tag's message ("" for a lightweight tag)
    commit: str  # the commit the tag points at (peeled)
    parents: tuple[str, ...]
    commit_message: str
    # What the commit changes against the local HEAD: path relative to the work tree (POSIX)
    # -> the file's content in the commit (None when the commit deletes it).
    changed: dict[str, bytes | None]


class FastForward(msgspec.Struct, frozen=True):
    """Our release commit found on the remote: the local branch moves to it."""

    commit: str
    tag: str
    tag_object: str | None  # the local tag to create (as the remote's object); None if it exists
    changes: tuple[FileChange, ...]  # what the move rewrites, to put back if the run is undone


def _short(sha: str) -> str:
    return sha[:7]


def foreign_reason(
    remote: RemoteTag,
    head: str,
    root: Path,
    changes: list[FileChange],
    commit_message: str,
    tag_message: str,
) -> str | None:
    """Why the remote's tag is not the release this run would make, or None when it is."""
    if not remote.annotated:
        return "it is a lightweight tag, and release makes annotated ones"
    if remote.message.strip() != tag_message.strip():
        return f"its message is {remote.message.strip()!r}, not {tag_message.strip()!r}"
    if remote.parents != (head,):
        parents = ", ".join(_short(p) for p in remote.parents) or "none"
        return f"its commit's parent is {parents}, not HEAD"
    if remote.commit_message.strip() != commit_message.strip():
        return (
            f"its commit's message is {remote.commit_message.strip()!r}, "
            f"not {commit_message.strip()!r}"
        )
    expected = {display_path(root, change.path): change.after for change in changes}
    extra = sorted(set(remote.changed) - set(expected))
    if extra:
        return f"its commit also changes {', '.join(extra)}"
    missing = sorted(set(expected) - set(remote.changed))
    if missing:
        return f"its commit does not change {', '.join(missing)}"
    differing = sorted(path for path, after in expected.items() if remote.changed[path] != after)
    if differing:
        return f"its commit changes {', '.join(differing)} beyond the version bump"
    return None

