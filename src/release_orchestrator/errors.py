"""Exit codes and the typed errors that carry them.

Every failure the tool expects is a :class:`ReleaseError`: a one-line message, an
optional hint saying what to do, and the exit code the CLI returns. The CLI is the
only place that turns them into output (see ``cli.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum


class ExitCode(IntEnum):
    """The process exit codes; README's table is generated from the same meaning."""

    OK = 0
    INTERNAL = 1
    USAGE = 2
    CHECK_FAILED = 3
    AUTH = 4
    REMOTE = 5
    RUN_FAILED = 6
    TIMEOUT = 7
    INTERRUPTED = 130


class ReleaseError(Exception):
    """An expected failure: a message, a hint, and an exit code."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def lines(self) -> list[str]:
        """The lines to print on stderr: the message and its hint on one line."""
        if self.hint:
            return [f"error: {self.message}; {self.hint}"]
        return [f"error: {self.message}"]


class UsageError(ReleaseError):
    """The command line or its input is malformed (a bad version spec, a bad option)."""

    exit_code = ExitCode.USAGE


class ConfigError(ReleaseError):
    """The project's files cannot be used as they are (a broken pyproject.toml, no version)."""

    exit_code = ExitCode.CHECK_FAILED


class CheckFailure:
    """One failed pre-release check: what is wrong and what to do about it."""

    def __init__(self, message: str, hint: str) -> None:
        self.message = message
        self.hint = hint

    def __repr__(self) -> str:
        return f"CheckFailure({self.message!r}, {self.hint!r})"


class ChecksFailed(ReleaseError):
    """One or more checks failed before anything was changed."""

    exit_code = ExitCode.CHECK_FAILED

    def __init__(self, failures: Sequence[CheckFailure]) -> None:
        self.failures = list(failures)
        first = self.failures[0]
        super().__init__(first.message, first.hint)

    def lines(self) -> list[str]:
        """One line per failed check."""
        return [f"error: {f.message}; {f.hint}" for f in self.failures]


class AuthError(ReleaseError):
    """No usable GitHub token, or GitHub refused it."""

    exit_code = ExitCode.AUTH


class RemoteError(ReleaseError):
    """The git remote or the GitHub API failed or refused a request."""

    exit_code = ExitCode.REMOTE


class RunFailed(ReleaseError):
    """The watched GitHub Actions run did not succeed."""

    exit_code = ExitCode.RUN_FAILED


class WatchTimeout(ReleaseError):
    """The run did not finish (or appear) before the deadline."""

    exit_code = ExitCode.TIMEOUT


class Cancelled(ReleaseError):
    """The maintainer declined the plan at the prompt."""

    exit_code = ExitCode.INTERRUPTED


class Interrupted(ReleaseError):
    """Ctrl-C while watching; the hint says how to resume."""

    exit_code = ExitCode.INTERRUPTED


class GitCommandFailed(ReleaseError):
    """A local git command failed (a hook refused the commit, a ref could not be written)."""

    exit_code = RemoteError.exit_code

    def __init__(self, command: str, reason: str) -> None:
        super().__init__(f"git {command} failed: {reason}")
        self.reason = reason


class NotFound(RemoteError):
    """GitHub answered 404: the repository (or what was asked of it) is not there or not
    visible to the token; the caller may know which.
    """


class GitHubUnavailable(RemoteError):
    """A server error or a dropped connection: worth retrying later."""


class RateLimited(RemoteError):
    """GitHub asked us to slow down: retry after ``retry_after`` seconds, or at ``reset_at``.

    ``reset_at`` is GitHub's ``x-ratelimit-reset`` (epoch seconds); the caller turns it
    into a wait with its own clock. With neither, GitHub advises waiting a minute.
    """

    def __init__(
        self, reason: str, retry_after: float | None = None, reset_at: float | None = None
    ) -> None:
        super().__init__(f"GitHub rate limit: {reason}", "wait a few minutes and run again")
        self.reason = reason
        self.retry_after = retry_after
        self.reset_at = reset_at


class StepFailed(ReleaseError):
    """A step after the push failed: what is done stays, and the hint says how to finish.

    It exits with its cause's code (4 for a refused token, 5 for a failing API).
    """

    def __init__(self, message: str, hint: str, cause: ReleaseError) -> None:
        super().__init__(message, hint)
        self.exit_code = cause.exit_code


class LocalGitRefused(ReleaseError):
    """A local git step was refused (a ``pre-commit`` or ``reference-transaction`` hook):
    a check of the project's own, so exit 3, with everything put back as it was.
    """

    exit_code = ExitCode.CHECK_FAILED
