"""Where human-readable output goes: stdout normally, stderr when stdout carries JSON."""

from __future__ import annotations

import io
import os
import sys
from typing import TextIO


class Console:
    """Plain-text output for the person at the terminal, kept apart from machine output."""

    def __init__(
        self, *, json_mode: bool = False, out: TextIO | None = None, err: TextIO | None = None
    ) -> None:
        self.json_mode = json_mode
        self._out = out or sys.stdout
        self._err = err or sys.stderr

    @property
    def human(self) -> TextIO:
        """The stream for human-readable progress."""
        return self._err if self.json_mode else self._out

    def say(self, text: str = "") -> None:
        """Progress and plans, for people."""
        print(text, file=self.human, flush=True)

    def warn(self, text: str) -> None:
        """Something the maintainer should know that does not stop the release."""
        print(f"warning: {text}", file=self._err, flush=True)

    def warn_from_signal(self, text: str) -> None:
        """:meth:`warn` for a signal handler, which may interrupt another print.

        A buffered stream entered again from a handler raises ``RuntimeError`` and the line
        is lost (a second Ctrl-C that lands while the first one's notice is being flushed);
        one ``os.write`` to the descriptor takes no lock.
        """
        line = f"warning: {text}\n"
        try:
            fd = self._err.fileno()
        except (AttributeError, io.UnsupportedOperation):  # an in-memory stream: no lock to fear
            self._err.write(line)
            return
        os.write(fd, line.encode(errors="replace"))

    def note(self, text: str) -> None:
        """A remark about how the input was understood."""
        print(f"note: {text}", file=self._err, flush=True)

    @property
    def out(self) -> TextIO:
        """Standard output (GitHub Actions reads its workflow commands there)."""
        return self._out

    def write(self, text: str) -> None:
        """Human-readable text exactly as given (no newline added)."""
        print(text, end="", file=self.human, flush=True)

    def confirm(self, question: str) -> bool:
        """Ask a yes/no question at the terminal (on stderr when stdout carries JSON)."""
        import typer

        return typer.confirm(question, err=self.json_mode)

    def data(self, text: str) -> None:
        """Machine-readable output: the only thing written to stdout in JSON mode."""
        print(text, file=self._out, flush=True)


def asks(yes: bool) -> bool:
    """Whether to ask before acting: not with --yes, nor without a terminal to answer at."""
    return not yes and is_terminal(sys.stdin)


def is_terminal(stream: object) -> bool:
    """Whether ``stream`` is an open terminal; a closed or missing stdin (``<&-``, a daemon)
    is no terminal, so nothing prompts and nothing crashes.
    """
    try:
        return bool(stream is not None and stream.isatty())  # type: ignore[attr-defined]
    except (ValueError, OSError, AttributeError):
        return False
