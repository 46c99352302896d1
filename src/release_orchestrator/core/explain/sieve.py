"""Pick the few lines of a huge log worth reading, without looking at the others in Python.

A job log is mostly build and test noise. The sieve scans each chunk with ``bytes.find``
for a handful of anchors (C speed, no regular expression) and hands out only the lines
that contain one. A reader that meets the start of a multi-line message (a claims dump,
an HTTP error and its body) calls :meth:`LineSieve.follow` to get the next lines too,
whatever they contain. Memory stays bounded by the chunk size: an over-long line is cut.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

MAX_LINE = 1 << 20


class LineSieve:
    """Yield the lines that contain an anchor, plus the lines a reader asked to follow."""

    def __init__(self, anchors: Sequence[bytes]) -> None:
        self._anchors = tuple(anchors)
        self._follow = 0

    def follow(self, count: int) -> None:
        """Also yield the next ``count`` lines, anchored or not."""
        self._follow = max(self._follow, count)

    def reset(self) -> None:
        """Forget a pending :meth:`follow` (a new log starts)."""
        self._follow = 0

    def lines(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """The selected lines of a log given as byte chunks, without their line endings."""
        tail = b""
        for chunk in chunks:
            data = tail + chunk if tail else chunk
            cut = data.rfind(b"\n")
            if cut == -1:
                if len(data) < MAX_LINE:
                    tail = data
                    continue
                # No line break for a megabyte: read it as a line rather than grow forever.
                data += b"\n"
                cut = len(data) - 1
            tail = data[cut + 1 :]
            yield from self._select(data, cut + 1)
        if tail:
            yield from self._select(tail + b"\n", len(tail) + 1)

    def _select(self, block: bytes, end: int) -> Iterator[bytes]:
        """The wanted lines of ``block[:end]``, which ends with a line break."""
        starts = self._anchored_line_starts(block, end)
        index = 0
        pos = 0
        while pos < end:
            if self._follow > 0:
                self._follow -= 1
                start = pos
            else:
                while index < len(starts) and starts[index] < pos:
                    index += 1
                if index == len(starts):
                    return
                start = starts[index]
            stop = block.find(b"\n", start, end)
            yield block[start:stop]
            pos = stop + 1

    def _anchored_line_starts(self, block: bytes, end: int) -> list[int]:
        starts: set[int] = set()
        for anchor in self._anchors:
            if anchor.startswith(b"\n"):
                # Anchored at a line start: the hit is the break before the line.
                if block.startswith(anchor[1:]):
                    starts.add(0)
                hit = block.find(anchor, 0, end)
                while hit != -1:
                    starts.add(hit + 1)
                    hit = block.find(anchor, hit + 1, end)
                continue
            hit = block.find(anchor, 0, end)
            while hit != -1:
                starts.add(block.rfind(b"\n", 0, hit) + 1)
                # Skip to the next line: one hit per line is enough.
                hit = block.find(anchor, block.find(b"\n", hit, end), end)
        return sorted(starts)
