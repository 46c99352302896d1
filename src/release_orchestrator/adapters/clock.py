"""Time as a dependency: the real clock in use, a fake one in tests (no test sleeps)."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """What polling code needs from time."""

    def now(self) -> float:
        """Seconds since the epoch."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> float:
        """Seconds since the epoch."""
        return time.time()

    def sleep(self, seconds: float) -> None:
        """Really wait."""
        time.sleep(max(seconds, 0.0))
