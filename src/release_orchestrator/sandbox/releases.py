"""Releases, kept in memory; their tags live in the bare repository.

Like GitHub, publishing a release whose tag does not exist creates a lightweight tag at
``target_commitish`` (default: the default branch); a draft creates no tag until it is
published. A tag that already has a release gets 422 ``already_exists`` — which is also
what a client sees when it retries a create after a 5xx that GitHub had acted on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from .actions import Actions
from .errors import not_found, validation_failed
from .gitstore import GitError, GitStore

_DOC = "https://docs.github.com/rest/releases/releases"
_MAKE_LATEST = ("true", "false", "legacy")


class Release(msgspec.Struct):
    """One release."""

    id: int
    tag_name: str
    target_commitish: str
    name: str | None
    body: str | None
    draft: bool
    prerelease: bool
    created_at: float
    published_at: float | None


def _text(payload: dict[str, Any], key: str) -> str | None:
    value = payload.get(key)
    if value is not None and not isinstance(value, str):
        raise validation_failed("Release", key, "invalid", f"{_DOC}#create-a-release")
    return value


def _flag(payload: dict[str, Any], key: str, default: bool) -> bool:
    value = payload.get(key, default)
    if not isinstance(value, bool):
        raise validation_failed("Release", key, "invalid", f"{_DOC}#create-a-release")
    return value


class Releases:
    """The release store of the emulated repository."""

    def __init__(
        self,
        git: GitStore,
        actions: Actions,
        clock: Callable[[], float],
        next_id: Callable[[str], int],
        html_url: Callable[[str], str],
    ) -> None:
        self._git = git
        self._actions = actions
        self._clock = clock
        self._next_id = next_id
        self._html_url = html_url  # builds the web URLs the generated notes link to
        self.items: dict[int, Release] = {}
        self._latest: int | None = None

    def listed(self) -> list[Release]:
        """All releases, newest first (drafts included, as for a user with push access)."""
        return sorted(self.items.values(), key=lambda r: r.id, reverse=True)

    def get(self, release_id: int) -> Release:
        """A release by id, or a 404."""
        if release_id not in self.items:
            raise not_found(f"{_DOC}#get-a-release")
        return self.items[release_id]

    def by_tag(self, tag: str) -> Release:
        """The published release for ``tag``, or a 404 (drafts are not found by tag)."""
        for release in self.items.values():
            if release.tag_name == tag and not release.draft:
                return release
        raise not_found(f"{_DOC}#get-a-release-by-tag-name")

    def latest(self) -> Release:
        """The release marked latest, else the newest published full release; or a 404."""
        marked = self.items.get(self._latest) if self._latest is not None else None
        if marked is not None and not marked.draft:
            return marked
        published = [r for r in self.listed() if not r.draft and not r.prerelease]
        if not published:
            raise not_found(f"{_DOC}#get-the-latest-release")
        return published[0]

    def create(self, payload: dict[str, Any]) -> Release:
        """``POST /releases``."""
        tag = _text(payload, "tag_name")
        if not tag:
            raise validation_failed(
                "Release", "tag_name", "missing_field", f"{_DOC}#create-a-release"
            )
        if any(r.tag_name == tag for r in self.items.values()):
            raise validation_failed(
                "Release", "tag_name", "already_exists", f"{_DOC}#create-a-release"
            )
        make_latest = self._make_latest(payload)
        name, body = _text(payload, "name"), _text(payload, "body")
        if _flag(payload, "generate_release_notes", False):
            notes = self.notes(tag, _text(payload, "target_commitish"), None)
            name = name or notes["name"]
            body = f"{body}\n\n{notes['body']}" if body else notes["body"]
        now = self._clock()
        release = Release(
            id=self._next_id("release"),
            tag_name=tag,
            target_commitish=_text(payload, "target_commitish") or self._git.default_branch(),
            name=name,
            body=body,
            draft=_flag(payload, "draft", False),
            prerelease=_flag(payload, "prerelease", False),
            created_at=now,
            published_at=None,
        )
        if not release.draft:
            self._publish(release)
        self.items[release.id] = release
        self._mark_latest(release, make_latest)
        return release

    def update(self, release_id: int, payload: dict[str, Any]) -> Release:
        """``PATCH /releases/{id}``; turning ``draft`` off publishes the release."""
        release = self.get(release_id)
        make_latest = self._make_latest(payload)
        tag = _text(payload, "tag_name")
        if tag and tag != release.tag_name:
            if any(r.tag_name == tag for r in self.items.values()):
                raise validation_failed(
                    "Release", "tag_name", "already_exists", f"{_DOC}#update-a-release"
                )
            release.tag_name = tag
        for key in ("target_commitish", "name", "body"):
            if key in payload:
                setattr(release, key, _text(payload, key))
        release.prerelease = _flag(payload, "prerelease", release.prerelease)
        draft = _flag(payload, "draft", release.draft)
        if release.draft and not draft:
            self._publish(release)
        release.draft = draft
        self._mark_latest(release, make_latest)
        return release

    def delete(self, release_id: int) -> None:
        """``DELETE /releases/{id}``; the tag stays, as on GitHub."""
        self.get(release_id)
        del self.items[release_id]

    def notes(self, tag: str, target: str | None, previous: str | None) -> dict[str, str]:
        """``POST …/generate-notes``: ``{name, body}`` from the commits since the last release."""
        target_sha = self._git.resolve_commit(f"refs/tags/{tag}") or self._git.resolve_commit(
            target or self._git.default_branch()
        )
        if target_sha is None:
            raise validation_failed(
                "Release", "target_commitish", "invalid", f"{_DOC}#generate-release-notes"
            )
        if previous is None:
            earlier = [r.tag_name for r in self.listed() if not r.draft and r.tag_name != tag]
            previous = earlier[0] if earlier else None
        since = self._git.resolve_commit(f"refs/tags/{previous}") if previous else None
        lines = [f"* {subject}" for subject in self._git.subjects(target_sha, since)]
        changes = "## What's Changed\n" + "\n".join(lines) + "\n\n\n" if lines else ""
        link = f"compare/{previous}...{tag}" if since else f"commits/{tag}"
        return {"name": tag, "body": f"{changes}**Full Changelog**: {self._html_url(link)}"}

    def _make_latest(self, payload: dict[str, Any]) -> str:
        value = payload.get("make_latest", "true")
        if value not in _MAKE_LATEST:
            raise validation_failed("Release", "make_latest", "invalid", f"{_DOC}#create-a-release")
        return str(value)

    def _mark_latest(self, release: Release, make_latest: str) -> None:
        # "legacy" means newest-by-date, and this release is the newest one touched.
        if not (release.draft or release.prerelease or make_latest == "false"):
            self._latest = release.id

    def _publish(self, release: Release) -> None:
        """Create the tag if it is missing, stamp ``published_at``, start ``release`` runs."""
        ref = f"refs/tags/{release.tag_name}"
        commit = self._git.resolve_commit(ref)
        if commit is None:
            commit = self._git.resolve_commit(release.target_commitish)
            if commit is None:
                raise validation_failed(
                    "Release", "target_commitish", "invalid", f"{_DOC}#create-a-release"
                )
            try:
                self._git.create_ref(ref, commit)
            except GitError as exc:  # e.g. an invalid tag name
                raise validation_failed(
                    "Release", "tag_name", "invalid", f"{_DOC}#create-a-release"
                ) from exc
        release.published_at = self._clock()
        self._actions.release_published(release.tag_name, commit, release.name or release.tag_name)
