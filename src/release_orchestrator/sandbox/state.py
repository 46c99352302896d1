"""The emulator's mutable state, guarded by one lock: ids, rate limit, blobs, request log.

Domain state (runs, releases) lives in :mod:`.actions` and :mod:`.releases`; this module
holds the rest and the :class:`State` that ties them together.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from collections.abc import Callable
from pathlib import Path

import msgspec

from .actions import Actions
from .faults import FaultPlan
from .gitstore import GitStore
from .releases import Releases

# Ids look like GitHub's (large, kind-specific ranges) so that mixing them up shows.
_ID_BASES = {
    "workflow": 61_000_001,
    "run": 9_100_000_001,
    "job": 25_300_000_001,
    "release": 151_000_001,
    "environment": 161_088_001,
}
RATE_WINDOW = 3600.0
BLOB_TTL = 60.0  # GitHub: log download URLs expire after 1 minute


class Ids:
    """Per-kind id counters."""

    def __init__(self) -> None:
        self._counters = {kind: itertools.count(base) for kind, base in _ID_BASES.items()}

    def __call__(self, kind: str) -> int:
        """The next id of ``kind`` (``workflow``, ``run``, ``job``, ``release`` …)."""
        return next(self._counters[kind])


class RateSnapshot(msgspec.Struct, frozen=True):
    """What the ``x-ratelimit-*`` headers say."""

    limit: int
    remaining: int
    used: int
    reset: int


class RateLimiter:
    """GitHub's primary ("core") rate limit: ``limit`` requests per hour of the injected clock."""

    def __init__(self, limit: int, clock: Callable[[], float]) -> None:
        self.limit = limit
        self._clock = clock
        self._used = 0
        self._reset = clock() + RATE_WINDOW

    def _roll(self) -> None:
        now = self._clock()
        if now >= self._reset:
            self._used, self._reset = 0, now + RATE_WINDOW

    def snapshot(self) -> RateSnapshot:
        """The current counters."""
        self._roll()
        return RateSnapshot(self.limit, self.limit - self._used, self._used, int(self._reset))

    def exhausted(self) -> bool:
        """Whether the next counted request must be refused."""
        return self.snapshot().remaining <= 0

    def charge(self) -> None:
        """Count one request."""
        self._roll()
        self._used = min(self._used + 1, self.limit)


class Blob(msgspec.Struct, frozen=True):
    """A download behind a short-lived signed URL."""

    content: bytes
    content_type: str
    expires_at: float


class BlobStore:
    """The emulator's stand-in for signed log URLs (``/_blobs/{token}``)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._blobs: dict[str, Blob] = {}

    def put(self, content: bytes, content_type: str) -> str:
        """Store a download and return its unguessable token."""
        token = secrets.token_urlsafe(24)
        self._blobs[token] = Blob(content, content_type, self._clock() + BLOB_TTL)
        return token

    def get(self, token: str) -> Blob | None:
        """The blob for ``token``, or None."""
        return self._blobs.get(token)

    def expired(self, blob: Blob) -> bool:
        """Whether the URL's signature has expired."""
        return self._clock() >= blob.expires_at


class RequestRecord(msgspec.Struct, frozen=True):
    """One request as the emulator answered it (status 0: connection dropped).

    ``path`` is canonical (no API prefix, ``/repos/{owner}/{repo}/…`` even when the client
    used ``/repositories/{id}/…``); ``sent`` is the path exactly as requested.
    """

    method: str
    path: str
    query: str
    status: int
    counted: bool
    sent: str


class State(msgspec.Struct):
    """Everything the request handlers read and change; hold ``lock`` while doing so."""

    git: GitStore
    clock: Callable[[], float]
    rate: RateLimiter
    ids: Ids
    actions: Actions
    releases: Releases
    blobs: BlobStore
    created_at: float
    faults: FaultPlan = msgspec.field(default_factory=FaultPlan)
    log: list[RequestRecord] = msgspec.field(default_factory=list)
    # Emulator bugs and hook failures.
    errors: list[BaseException] = msgspec.field(default_factory=list)
    # Other public repositories' tags, "owner/repo" (lower case) -> [(name, commit SHA)].
    foreign_tags: dict[str, list[tuple[str, str]]] = msgspec.field(default_factory=dict)
    lock: threading.RLock = msgspec.field(default_factory=threading.RLock)

    @classmethod
    def create(
        cls,
        bare_repo: Path,
        clock: Callable[[], float],
        rate_limit: int,
        html_url: Callable[[str], str],
    ) -> State:
        """Wire the stores together around one bare repository."""
        git = GitStore(bare_repo)
        ids = Ids()
        actions = Actions(git, clock, ids)
        return cls(
            git=git,
            clock=clock,
            rate=RateLimiter(rate_limit, clock),
            ids=ids,
            actions=actions,
            releases=Releases(git, actions, clock, ids, html_url),
            blobs=BlobStore(clock),
            created_at=clock(),
        )
