"""After a green run, confirm the upload: PyPI serves the version, uploaded by this workflow.

The JSON API is polled with backoff (the CDN lags behind the upload) up to a timeout on
the injected clock; then each file's provenance (the integrity API) is compared with this
repository's workflow. A reachable index that does not serve the version in time is exit
7; an index that cannot be reached at all leaves the upload unconfirmed, with a warning.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from ..adapters.clock import Clock
from ..adapters.pypi import IndexTrouble, IndexUnreachable, PyPIClient
from ..core.model import RepoRef
from ..core.packages import command
from ..core.upload import (
    DEFAULT_PYPI_TIMEOUT,
    ExpectedPublisher,
    PyPIRelease,
    confirmation_line,
    project_name,
    publisher_warnings,
    version_of_tag,
)
from ..errors import ConfigError, ReleaseError, WatchTimeout

if TYPE_CHECKING:
    from ..adapters.files import Project
    from ..core.runs import RunState
    from ..deps import Deps
    from ..render.console import Console

FIRST_WAIT = 2.0
MAX_WAIT = 30.0


class PyPICheck(msgspec.Struct, frozen=True):
    """The command line's say on the confirmation: whether, and for how long."""

    enabled: bool = True
    timeout: float = DEFAULT_PYPI_TIMEOUT


class UploadTarget(msgspec.Struct, frozen=True):
    """Which release to look for, on which index, uploaded by whom."""

    project: str
    version: str
    base: str  # the index's base URL
    expected: ExpectedPublisher
    package: str | None = None  # the package released, in a repository of several


class Confirmation(msgspec.Struct, frozen=True):
    """What the index showed: ``release`` None when it could not be reached."""

    release: PyPIRelease | None
    warnings: tuple[str, ...] = ()
    error: ReleaseError | None = None

    def to_json(self) -> dict[str, Any] | None:
        """The ``pypi`` object of ``--json`` (None: the index could not be reached)."""
        return self.release.to_json() if self.release is not None else None


def expected_publisher(
    root: Path, repo: RepoRef, workflow: str | None, project: Project, tag: str
) -> ExpectedPublisher:
    """This repository and workflow, and the environment the publisher or the job names
    (the job of the workflow ``tag`` starts).
    """
    from ..adapters.files import read_local
    from ..core.publisher import Publisher, resolve_publisher

    publisher = resolve_publisher(Publisher(), read_local(root, project=project, tag=tag))
    return ExpectedPublisher(repo.full_name, workflow, publisher.environment or None)


def upload_target(
    root: Path, pypi: PyPIClient, repo: RepoRef, run: RunState, tag: str | None = None
) -> tuple[UploadTarget | None, str | None]:
    """What to look for after ``run``, or None and why PyPI cannot be asked.

    In a repository of several packages, the run's tag says whose release it is. ``tag``
    is the release's when known (a workflow_run's head branch is the default branch);
    else the run's head branch.
    """
    from ..adapters.files import project_for_tag

    tag = tag or run.head_branch or ""
    try:
        found = project_for_tag(root, tag)
    except ConfigError as exc:
        return None, f"PyPI not checked: {exc.message}"
    config = found.config
    project = project_name(config, found.pyproject)
    if project is None:
        return None, "PyPI not checked: pyproject.toml names no project"
    version = version_of_tag(tag, config.tag_prefix)
    if version is None:
        return None, f"PyPI not checked: {tag!r} is not a release tag"
    base = pypi.base_url(config.pypi.index if config.pypi else "pypi")
    workflow = Path(run.path.split("@")[0]).name if run.path else None
    expected = expected_publisher(root, repo, workflow, found, tag)
    return UploadTarget(project, version, base, expected, found.package_name), None


def confirm_upload(
    pypi: PyPIClient, clock: Clock, console: Console, target: UploadTarget, timeout: float
) -> Confirmation:
    """Poll the index until it serves the release (or ``timeout`` runs out), then check
    each file's provenance publisher. Prints the outcome; never raises.
    """
    what = f"{target.project} {target.version}"
    deadline = clock.now() + timeout
    wait, asked, trouble = FIRST_WAIT, 0, None
    while True:
        asked += 1
        try:
            release = pypi.release(target.base, target.project, target.version)
        except IndexUnreachable as exc:
            warning = f"upload unconfirmed: cannot reach {target.base} ({exc.reason})"
            console.warn(warning)
            return Confirmation(None, (warning,))
        except IndexTrouble as exc:
            release, trouble = PyPIRelease(target.project, target.version, False), exc.reason
        if release.served and release.files:
            break
        now = clock.now()
        if now >= deadline:
            seen = f"answered {asked} time(s) without serving it"
            if trouble:
                seen += f"; last trouble: {trouble}"
            error = WatchTimeout(
                f"the run succeeded, but {target.base} did not serve {what} "
                f"within {timeout:.0f} s ({seen})",
                "look at the publish job's upload step; later, "
                f"{command('status', target.package)} {target.version}",
            )
            return Confirmation(PyPIRelease(target.project, target.version, False), (), error)
        if asked == 1:
            console.say(f"waiting for PyPI to serve {what} (up to {timeout:.0f} s)")
        clock.sleep(min(wait, deadline - now))
        wait = min(wait * 2, MAX_WAIT)
    warnings = tuple(publisher_warnings(release, target.expected))
    console.say(confirmation_line(release))
    for warning in warnings:
        console.warn(warning)
    return Confirmation(release, warnings)


def confirm_after_run(
    run: RunState, repo: RepoRef, deps: Deps, check: PyPICheck, tag: str | None = None
) -> Confirmation | None:
    """The confirmation after a green ``run`` of ``tag`` (default: the run's head branch);
    None when skipped or the run did not succeed.
    """
    if not check.enabled or not run.succeeded:
        return None
    target, why = upload_target(deps.cwd, deps.pypi, repo, run, tag)
    if target is None:
        if why:
            deps.console.note(why)
        return None
    return confirm_upload(deps.pypi, deps.clock, deps.console, target, check.timeout)
