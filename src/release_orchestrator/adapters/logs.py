"""Open what the user gave us as a stream of byte chunks, one log at a time.

A source is a path, ``-`` for stdin, or bytes (a log the CLI downloaded). Any of them may
be a GitHub run-logs zip, which is read member by member; a UTF-16 file (a PowerShell
redirect) is transcoded. Nothing is read whole into memory: a zip on stdin is spooled to
a temporary file, because ``zipfile`` needs to seek.
"""

from __future__ import annotations

import codecs
import io
import os
import shutil
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import PurePosixPath
from typing import IO

from ..core.explain.engine import LogInput
from ..errors import UsageError

# A path, "-" for stdin, or the bytes of a log (or of a run-logs zip).
LogSource = str | os.PathLike[str] | bytes

CHUNK_SIZE = 1 << 20
_ZIP_MAGIC = b"PK\x03\x04"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_SPOOL_LIMIT = 8 << 20


def read_logs(sources: Iterable[LogSource]) -> Iterator[LogInput]:
    """Every log inside ``sources``, one after the other; each is open while it is read."""
    for source in sources:
        with open_logs(source) as logs:
            yield from logs


@contextmanager
def open_logs(source: LogSource) -> Iterator[Iterator[LogInput]]:
    """Open ``source`` and yield an iterator over the logs inside it.

    Raises :class:`UsageError` when the file cannot be read or a zip is broken. Errors
    while a member is being read surface from the chunk iterators as ``UsageError`` too.
    """
    with ExitStack() as stack:
        name, stream = _open(source, stack)
        head = _peek(stream, 4)
        if head.startswith(_ZIP_MAGIC):
            seekable = stream if _seekable(stream) else stack.enter_context(_spool(stream))
            yield _zip_members(name, seekable, stack)
        else:
            yield iter([LogInput(name, _chunks(name, stream))])


def _open(source: LogSource, stack: ExitStack) -> tuple[str, IO[bytes]]:
    if isinstance(source, bytes):
        return "<bytes>", io.BytesIO(source)
    if isinstance(source, str) and source == "-":
        return "<stdin>", io.BufferedReader(_NonClosing(_stdin_buffer()))
    name = os.fspath(source)
    try:
        stream = stack.enter_context(open(name, "rb"))  # noqa: SIM115, PTH123 - closed by the stack
    except FileNotFoundError as exc:
        raise UsageError(f"log file {name!r} does not exist") from exc
    except IsADirectoryError as exc:
        raise UsageError(f"{name!r} is a directory, not a log file") from exc
    except OSError as exc:
        raise UsageError(f"cannot read log file {name!r}: {exc.strerror or exc}") from exc
    return name, stream


def _stdin_buffer() -> IO[bytes]:
    """Stdin's bytes; a closed or missing stdin (``<&-``, a daemon) is a usage error."""
    stdin = sys.stdin
    buffer = getattr(stdin, "buffer", None) if stdin is not None else None
    if buffer is None or buffer.closed:
        raise UsageError(
            "--log - reads the log from stdin, but there is no stdin (it is closed)",
            "pipe the log in (--log - < job.log), or give --log FILE",
        )
    return buffer  # type: ignore[no-any-return]


class _NonClosing(io.RawIOBase):
    """stdin's buffer behind a reader that can peek, without closing stdin afterwards."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _peek(stream: IO[bytes], size: int) -> bytes:
    """The first bytes of ``stream`` without consuming them."""
    if isinstance(stream, io.BufferedReader):
        return stream.peek(size)[:size]
    position = stream.tell()
    head = stream.read(size)
    stream.seek(position)
    return head


def _seekable(stream: IO[bytes]) -> bool:
    try:
        return stream.seekable()
    except (OSError, ValueError):
        return False


@contextmanager
def _spool(stream: IO[bytes]) -> Iterator[IO[bytes]]:
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_LIMIT) as spool:
        shutil.copyfileobj(stream, spool, CHUNK_SIZE)
        spool.seek(0)
        yield spool


def _zip_members(name: str, stream: IO[bytes], stack: ExitStack) -> Iterator[LogInput]:
    try:
        archive = stack.enter_context(zipfile.ZipFile(stream))
        members = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise UsageError(f"{name}: not a readable zip archive ({exc})") from exc
    # A run-logs zip holds each job twice: a whole-job "N_job.txt" at the top and one
    # file per step in "job/". Read only the top-level files when there are any.
    top = [info for info in members if len(PurePosixPath(info.filename).parts) == 1]
    for info in top or members:
        yield LogInput(f"{name}:{info.filename}", _member_chunks(name, archive, info))


def _member_chunks(name: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    label = f"{name}:{info.filename}"
    try:
        with archive.open(info) as member:
            yield from _chunks(label, member)
    except UsageError:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        EOFError,
        RuntimeError,
        NotImplementedError,
    ) as exc:
        raise UsageError(f"{label}: cannot read this zip member ({exc})") from exc


def _chunks(name: str, stream: IO[bytes]) -> Iterator[bytes]:
    """Read ``stream`` in chunks, transcoding UTF-16 to UTF-8 on the way."""
    try:
        first = stream.read(CHUNK_SIZE)
        if first.startswith(_UTF16_BOMS):
            yield from _transcode_utf16(first, stream)
            return
        while first:
            yield first
            first = stream.read(CHUNK_SIZE)
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc}") from exc


def _transcode_utf16(first: bytes, stream: IO[bytes]) -> Iterator[bytes]:
    decoder = codecs.getincrementaldecoder("utf-16")(errors="replace")
    chunk = first
    while chunk:
        yield decoder.decode(chunk).encode("utf-8")
        chunk = stream.read(CHUNK_SIZE)
    yield decoder.decode(b"", final=True).encode("utf-8")
