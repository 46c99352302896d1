"""An offline GitHub REST emulator for tests and ``release demo`` (standard library only).

It serves one repository from a real bare git repository: releases, git refs and tags,
and GitHub Actions workflow runs whose lifecycle is scripted by poll count. See
:class:`GitHubEmulator`.
"""

from .actions import JobSpec, Lifecycle, RunContext, StepSpec
from .emulator import DEFAULT_TOKEN, GitHubEmulator
from .faults import PRIMARY_RATE_LIMIT_MESSAGE, SECONDARY_RATE_LIMIT_MESSAGES, Fault
from .state import RequestRecord

__all__ = [
    "DEFAULT_TOKEN",
    "PRIMARY_RATE_LIMIT_MESSAGE",
    "SECONDARY_RATE_LIMIT_MESSAGES",
    "Fault",
    "GitHubEmulator",
    "JobSpec",
    "Lifecycle",
    "RequestRecord",
    "RunContext",
    "StepSpec",
]
