"""What every command is given instead of reaching for globals: ``Deps``.

The command line builds the production one (:meth:`Deps.production`); tests build their
own, with the emulator's URL in ``env``, a fake clock, a captured console and a local PyPI.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .adapters.clock import Clock, SystemClock
from .adapters.pypi import PyPIClient
from .render.console import Console

if TYPE_CHECKING:
    from .adapters.github import GitHub
    from .core.model import RepoRef

# (API base URL, token, repository, own_retries) -> a connection to that repository.
GitHubFactory = Callable[[str, str, "RepoRef", bool], "GitHub"]


def _github(base_url: str, token: str, repo: RepoRef, own_retries: bool) -> GitHub:
    from .adapters.github import GitHub  # PyGithub loads only when a command connects

    return GitHub(base_url, token, repo, own_retries=own_retries)


@dataclass(frozen=True)
class Deps:
    """The environment, working directory, clock, console, GitHub factory and PyPI client."""

    env: Mapping[str, str]
    cwd: Path
    clock: Clock = field(default_factory=SystemClock)
    console: Console = field(default_factory=Console)
    github: GitHubFactory = _github
    pypi: PyPIClient = field(default_factory=PyPIClient)

    @classmethod
    def production(cls) -> Deps:
        """The real process: ``os.environ``, the current directory, the system clock."""
        return cls(env=os.environ, cwd=Path.cwd(), pypi=PyPIClient.from_env(os.environ))

    def with_console(self, console: Console) -> Deps:
        """The same dependencies, writing to ``console``."""
        return replace(self, console=console)
