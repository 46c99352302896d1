"""``release status``'s rule for what carries a release on: the ``next`` command.

Pure: the command gathers the facts (git, GitHub, PyPI), this decides. ``None`` for a fact
means it could not be looked at.
"""

from __future__ import annotations

import msgspec

from .packages import command
from .retry_policy import rerun_can_fix
from .runs import RunState


class ReleaseFacts(msgspec.Struct, frozen=True):
    """What is known about one release, from the repository, GitHub and PyPI."""

    version: str
    tag: str
    tag_on_remote: bool
    github_release_project: bool  # the workflow publishes on GitHub Releases
    release_found: bool | None  # None: GitHub not asked
    run: RunState | None  # the newest publishing run for the tag
    served: bool | None  # None: PyPI not asked
    finding: str | None = None  # the explain code behind a failed run
    package: str | None = None  # the package, in a repository of several


def next_command(facts: ReleaseFacts) -> str | None:
    """The command that carries the release on, or None when PyPI serves it."""
    if facts.served:
        return None

    def release(verb: str) -> str:
        return command(verb, facts.package)

    if not facts.tag_on_remote:
        return f"{release('cut')} {facts.version}"  # cut resumes from a local commit and tag
    if facts.github_release_project and facts.release_found is False:
        return f"{release('cut')} {facts.version} --github-release"
    run = facts.run
    if run is not None and run.completed and not run.succeeded:
        verb = "retry" if rerun_can_fix(facts.finding) else "explain"
        return f"{release(verb)} {facts.tag}"
    # No run yet, a run under way, or a green run whose upload PyPI does not serve yet.
    return f"{release('watch')} {facts.tag}"
