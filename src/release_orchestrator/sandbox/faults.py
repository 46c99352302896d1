"""Scripted failures: the next N requests matching (method, path regex) misbehave.

The messages are GitHub's, chosen so that PyGithub classifies them the way it classifies
the real ones (see ``Requester.isPrimaryRateLimitError``/``isSecondaryRateLimitError``).
"""

from __future__ import annotations

import re
from typing import Literal

import msgspec

RATE_LIMIT_DOC = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"

PRIMARY_RATE_LIMIT_MESSAGE = "API rate limit exceeded for user ID 1."
#: GitHub's secondary-limit wordings (clients test how the message starts or ends).
SECONDARY_RATE_LIMIT_MESSAGES = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
    "You have triggered an abuse detection mechanism."
    " Please wait a few minutes before you try again.",
    "You have exceeded a secondary rate limit and have been temporarily blocked"
    " from content creation. Please retry your request again later.",
)


class Fault(msgspec.Struct, frozen=True):
    """One way to misbehave; build it with the class methods.

    ``after_handling``: the emulator first performs the request (a release is created, a run
    re-run) and only then answers with the fault — a retried POST then meets the result.
    """

    kind: Literal["error", "primary", "drop", "slow"]
    status: int = 500
    message: str = "Server Error"
    retry_after: int | None = None
    reset_in: float = 60.0
    delay: float = 0.0
    after_handling: bool = False

    @classmethod
    def server_error(cls, status: int = 500, *, after_handling: bool = False) -> Fault:
        """A 5xx (``{"message": "Server Error"}``)."""
        return cls("error", status=status, after_handling=after_handling)

    @classmethod
    def forbidden(cls, message: str = "Must have admin rights to Repository.") -> Fault:
        """A plain 403 that is not a rate limit (e.g. missing permission to re-run)."""
        return cls("error", status=403, message=message)

    @classmethod
    def primary_rate_limit(cls, *, reset_in: float = 60.0, status: int = 403) -> Fault:
        """403 (or 429) ``API rate limit exceeded`` with ``x-ratelimit-remaining: 0`` and a reset
        ``reset_in`` seconds after the emulator's clock.
        """
        return cls("primary", status=status, message=PRIMARY_RATE_LIMIT_MESSAGE, reset_in=reset_in)

    @classmethod
    def secondary_rate_limit(cls, *, retry_after: int | None = None, wording: int = 0) -> Fault:
        """403 with a :data:`SECONDARY_RATE_LIMIT_MESSAGES` wording, ± ``Retry-After``."""
        return cls(
            "error",
            status=403,
            message=SECONDARY_RATE_LIMIT_MESSAGES[wording],
            retry_after=retry_after,
        )

    @classmethod
    def too_many_requests(cls, *, retry_after: int | None = None) -> Fault:
        """429 (secondary-limit wording), with or without ``Retry-After``."""
        return cls(
            "error", status=429, message=SECONDARY_RATE_LIMIT_MESSAGES[0], retry_after=retry_after
        )

    @classmethod
    def slow(cls, delay: float) -> Fault:
        """Answer normally, ``delay`` seconds late (through the emulator's injectable ``sleep``)."""
        return cls("slow", delay=delay)

    @classmethod
    def dropped(cls, *, after_handling: bool = False) -> Fault:
        """Close the connection without answering."""
        return cls("drop", after_handling=after_handling)


class _Armed(msgspec.Struct):
    fault: Fault
    method: str | None
    path: re.Pattern[str]
    left: int


class FaultPlan:
    """Faults waiting for matching requests, consumed in the order they were added."""

    def __init__(self) -> None:
        self._armed: list[_Armed] = []

    def add(self, fault: Fault, method: str | None, path: str, times: int) -> None:
        """Arm ``fault`` for the next ``times`` requests matching ``method`` and ``path``."""
        if times < 1:
            raise ValueError("times must be at least 1")
        self._armed.append(
            _Armed(fault, method.upper() if method else None, re.compile(path), times)
        )

    def take(self, method: str, path: str) -> Fault | None:
        """The fault for this request, if one is armed (and count it down)."""
        for armed in self._armed:
            if armed.method in (None, method) and armed.path.search(path):
                armed.left -= 1
                if armed.left == 0:
                    self._armed.remove(armed)
                return armed.fault
        return None

    def pending(self) -> int:
        """How many faulty answers are still armed."""
        return sum(a.left for a in self._armed)
