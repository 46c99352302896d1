"""What every command is given instead of reaching for globals: ``Deps``.

The command line builds the production one (:meth:`Deps.production`); tests build their
own, with the emulator's URL in ``env``, a fake clock, a captured console and a local PyPI.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import msgspec
from msgspec.structs import replace

from .adapters.clock import Clock, SystemClock
from .adapters.pypi import PyPIClient
from .adapters.zizmor import Zizmor
from .render.console import Console

if TYPE_CHECKING:
    from .adapters.github import GitHub
    from .core.model import RepoRef



class GitHubFactory(Protocol):
    """(API base URL, token, repository, own_retries[, timeout]) -> a connection to it.

    ``timeout`` (seconds per request) is given only by look-ups that must stay quick.
    """

    def __call__(
        self,
        base_url: str,
        token: str,
        repo: RepoRef,
        own_retries: bool,
        timeout: int | None = None,
    ) -> GitHub:
        """A connection to ``repo``'s API at ``base_url``."""
        ...


def _github(
    base_url: str, token: str, repo: RepoRef, own_retries: bool, timeout: int | None = None
) -> GitHub:
    from .adapters.github import TIMEOUT_SECONDS, GitHub  # PyGithub loads only when needed

    return GitHub(
        base_url, token, repo, own_retries=own_retries, timeout=timeout or TIMEOUT_SECONDS
    )


class Deps(msgspec.Struct, frozen=True):
    """The environment, working directory, clock, console, GitHub and PyPI clients, zizmor."""

    env: Mapping[str, str]
    cwd: Path
    clock: Clock = msgspec.field(default_factory=SystemClock)
    console: Console = msgspec.field(default_factory=Console)
    github: GitHubFactory = _github
    pypi: PyPIClient = msgspec.field(default_factory=PyPIClient)
    zizmor: Zizmor = msgspec.field(default_factory=Zizmor)  # the optional security audit

    @classmethod
    def production(cls) -> Deps:
        """The real process: ``os.environ``, the current directory, the system clock."""
        return cls(env=os.environ, cwd=Path.cwd(), pypi=PyPIClient.from_env(os.environ))

    def with_console(self, console: Console) -> Deps:
        """The same dependencies, writing to ``console``."""
        return replace(self, console=console)
