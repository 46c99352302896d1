"""Ctrl-C while a step that must not be cut in half runs: recorded, then acted on.

An interrupt during the commit, the tag, the push or the Release creation does not stop
that step: git (started in its own session, see :meth:`GitRepo.push`) finishes, and the
command then rolls back (before the push) or stops cleanly (after it). A second Ctrl-C
says what is in flight and keeps waiting.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType


class DeferredInterrupts:
    """Records SIGINT instead of raising it while :meth:`deferred` is active."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self._say = say
        self.pending = False
        self.in_flight = "the release"

    def record(self) -> None:
        """Note an interrupt; the step in flight carries on and the caller acts after it."""
        # Mark first: a second Ctrl-C may land while the first one's notice is written.
        already, self.pending = self.pending, True
        if already:
            self._say(f"still waiting for {self.in_flight} to finish; it is not cut in half")
        else:
            self._say(f"interrupt received: letting {self.in_flight} finish first")

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        del signum, frame
        self.record()

    @contextmanager
    def deferred(self) -> Iterator[DeferredInterrupts]:
        """SIGINT is recorded, not raised, inside the block (main thread only)."""
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = signal.signal(signal.SIGINT, self._handler)
        try:
            yield self
        finally:
            signal.signal(signal.SIGINT, previous)
