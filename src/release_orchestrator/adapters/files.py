"""The project's files on disk: pyproject.toml, workflow files, version files, dist/.

The core parses text and plans rewrites; this module is what reads and writes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
from packaging.version import InvalidVersion, Version

from ..core.config import ReleaseConfig, load_config, project_name
from ..core.model import FileChange, canonical_name, display_path
from ..core.packages import (
    Package,
    check_packages,
    find_workspace,
    member_paths,
    package_for_tag,
    package_from,
    package_of_target,
)
from ..core.publisher import LocalRepo
from ..core.pyproject import locate_version
from ..core.remote import github_repository
from ..core.workflows import WORKFLOW_DIR, Job, Workflow, parse_workflow, publishing_jobs
from ..errors import ConfigError, UsageError
from .gitrepo import read_remote_url


class LocalFiles:
    """The real file system, as the core's readers see it (:class:`core.pyproject.Files`)."""

    def read_bytes(self, path: Path) -> bytes:
        """The file's bytes; ``OSError`` when it cannot be read."""
        return path.read_bytes()

    def is_file(self, path: Path) -> bool:
        """Whether ``path`` is an existing regular file."""
        return path.is_file()


LOCAL = LocalFiles()


def load_pyproject(root: Path) -> dict[str, Any]:
    """Parse ``root/pyproject.toml`` to plain values; missing or broken is a ConfigError."""
    import tomlkit
    from tomlkit.exceptions import ParseError

    path = root / "pyproject.toml"
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(
            f"no pyproject.toml in {root}", "run release from the project's root directory"
        ) from exc
    except IsADirectoryError as exc:
        raise ConfigError(
            f"{path} is a directory, not a file", "pyproject.toml must be a TOML file"
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"pyproject.toml is not UTF-8: byte 0x{exc.object[exc.start]:02x} at offset "
            f"{exc.start} cannot be decoded",
            "TOML files are UTF-8; save it as UTF-8",
        ) from exc
    except OSError as exc:
        raise ConfigError(
            f"cannot read {path}: {exc.strerror or exc}", "check the file's permissions"
        ) from exc
    if text.startswith("\ufeff"):
        # TOML is UTF-8 without a byte order mark: tomllib (pip, build) refuses one.
        raise ConfigError(
            "pyproject.toml starts with a UTF-8 byte order mark (BOM), which TOML parsers "
            "such as pip's and build's refuse",
            "save the file as UTF-8 without BOM",
        )
    try:
        return tomlkit.parse(text).unwrap()
    except ParseError as exc:
        raise ConfigError(
            f"pyproject.toml is not valid TOML: {exc}", "fix the file, then run release again"
        ) from exc


def load_packages(root: Path, pyproject: dict[str, Any]) -> tuple[Package, ...]:
    """The packages of the repository at ``root`` whose root ``pyproject.toml`` is
    ``pyproject`` (empty for a one-package repository).
    """
    workspace = find_workspace(pyproject)
    if workspace is None:
        return ()
    candidates = {
        found.relative_to(root).as_posix()
        for pattern in (workspace.members if workspace.globs else ())
        for found in root.glob(pattern.strip().strip("/"))
        if (found / "pyproject.toml").is_file()
    }
    packages = []
    for path in member_paths(workspace, candidates):
        if not (root / path / "pyproject.toml").is_file():
            raise ConfigError(
                f"{workspace.source} names {path}, which has no pyproject.toml",
                "fix the list in the root pyproject.toml",
            )
        packages.append(package_from(path, load_pyproject(root / path)))
    check_packages(packages)
    return tuple(packages)


class Project(msgspec.Struct, frozen=True):
    """The project a command works on: the repository's, or one package's (``--package``)."""

    root: Path  # the directory of its pyproject.toml
    pyproject: dict[str, Any]
    config: ReleaseConfig
    package: Package | None = None
    others: tuple[Package, ...] = ()  # the repository's other packages

    @property
    def package_name(self) -> str | None:
        """The package's name, for ``--package`` in hints (None: the repository's project)."""
        return self.package.name if self.package else None


def load_project(root: Path, package: str | None = None, *, tag: str | None = None) -> Project:
    """The project at the repository's ``root``, or the package ``--package`` names there.

    In a repository of several packages one must be named (:func:`select_package`), or
    ``tag``, the TAG given on the command line, names it by its prefix
    (:func:`package_of_target`).
    """
    pyproject = load_pyproject(root)
    packages = load_packages(root, pyproject)
    return _project(root, pyproject, packages, package_of_target(packages, package, tag))


def _project(
    root: Path, pyproject: dict[str, Any], packages: Sequence[Package], chosen: Package | None
) -> Project:
    if chosen is None:
        return Project(root, pyproject, load_config(pyproject))
    where = root / chosen.path
    others = tuple(p for p in packages if p is not chosen)
    return Project(where, load_pyproject(where), chosen.config, chosen, others)


def project_for_tag(root: Path, tag: str) -> Project:
    """The project whose release ``tag`` is: the package its prefix names, else the root's."""
    pyproject = load_pyproject(root)
    packages = load_packages(root, pyproject)
    return _project(root, pyproject, packages, package_for_tag(packages, tag))


def apply_file_changes(changes: Sequence[FileChange]) -> None:
    """Write each change's ``after`` bytes exactly (binary, no newline translation).

    A file that no longer holds its ``before`` bytes raises :class:`ConfigError`, and a
    failed write restores the files already written: all of the changes, or none.
    """
    for change in changes:
        if not _holds(change.path, change.before):
            raise ConfigError(
                f"{change.path} changed since the release was planned",
                "run release again",
            )
    written: list[FileChange] = []
    try:
        for change in changes:
            change.path.write_bytes(change.after)
            written.append(change)
    except OSError as exc:
        for done in written:
            done.path.write_bytes(done.before)
        raise ConfigError(
            f"cannot write {exc.filename}: {exc.strerror}", "nothing was changed"
        ) from exc


def unwritable_files(root: Path, changes: Sequence[FileChange]) -> tuple[tuple[str, str], ...]:
    """The files among ``changes`` that cannot be rewritten, with why (nothing is written).

    Each is opened for update, which fails as the write would (read-only mode for a
    non-root user, an immutable attribute, a read-only mount) but changes no byte.
    """
    problems: list[tuple[str, str]] = []
    for change in changes:
        try:
            with change.path.open("r+b"):
                pass
        except OSError as exc:
            problems.append((display_path(root, change.path), exc.strerror or str(exc)))
    return tuple(problems)


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except OSError:
        return False


def load_workflows(root: Path) -> list[Workflow]:
    """Every ``.github/workflows/*.yml|yaml`` file under ``root``, sorted by name."""
    folder = root / WORKFLOW_DIR
    if not folder.is_dir():
        return []
    paths = sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())
    return [
        parse_workflow(p.read_text(encoding="utf-8", errors="replace"), p.relative_to(root))
        for p in paths
    ]


def find_publish_workflow(
    root: Path, configured: str | None = None, tag: str | None = None
) -> Workflow | None:
    """The publishing workflow: the ``configured`` file name, else the one the release
    ``tag`` starts, else the first that publishes.

    With a tag it is chosen as the doctor chooses (:func:`core.checks.topology.select_job`):
    in a repository of several packages each one publishes from the workflow its own tags
    start, and the first file may be another package's, whose run never comes.
    """
    workflows = load_workflows(root)
    if configured:
        name = Path(configured).name
        return next((w for w in workflows if w.filename == name), None)
    if tag is not None:
        # The doctor's modules load here, not with the files: a dry-run cut reads the project
        # before it starts git, and loads the doctor while git answers.
        from ..core.checks.topology import FULL_RELEASE, select_job

        selected = select_job(workflows, ReleaseConfig(), tag, FULL_RELEASE)
        return selected[0] if selected else None
    return next((w for w, _ in publishing_jobs(workflows)), None)


# --- permissions -------------------------------------------------------------------------


def read_local(
    root: Path,
    remote: str | None = None,
    api_url: str | None = None,
    project: Project | None = None,
    tag: str | None = None,
    selected: tuple[Workflow, Job] | None = None,
) -> LocalRepo:
    """Read pyproject.toml, the remote and the publishing workflow (no GitPython).

    ``remote`` names the git remote (default: ``[tool.release] remote``); the repository
    is the one its configured URL names (:func:`core.remote.github_repository`), else
    unknown: never guessed from a local path. ``project`` is one package's (default: the
    root's pyproject.toml). ``tag`` is the release's (a run's head branch): the workflow is
    the one it starts; a package's default is the tag of its current version. ``selected``
    is the publishing workflow and job when the caller has chosen them already (the
    doctor): the workflows are then not read again.
    """
    try:
        project = project or load_project(root)
    except (ConfigError, UsageError):
        return LocalRepo(None, None, None, None, None)
    pyproject, config = project.pyproject, project.config
    owner = repository = None
    url = read_remote_url(root, remote or config.remote)
    ref = github_repository(url, api_url) if url else None
    if ref is not None:
        owner, repository = ref.owner, ref.name
    if selected is None:
        if tag is None and project.package is not None:
            tag = _current_tag(project)
        workflow = find_publish_workflow(root, config.workflow, tag)
        jobs = workflow.jobs if workflow else ()
        job = next((j for j in jobs if j.publish_steps), None)
    else:
        workflow, job = selected
    return LocalRepo(owner, repository, workflow, job, config.pypi, project_name(config, pyproject))


def _current_tag(project: Project) -> str | None:
    """The tag of the project's current version (None: it has none of its own to read)."""
    try:
        current = locate_version(project.root, project.pyproject, LOCAL).current
    except ConfigError:
        return None
    return project.config.tag_for(str(current)) if current is not None else None


def dist_versions(root: Path, project: str) -> dict[Version, tuple[str, ...]]:
    """The versions of ``project`` among the sdists and wheels in ``dist/``, with their files."""
    from packaging.utils import (
        InvalidSdistFilename,
        InvalidWheelFilename,
        parse_sdist_filename,
        parse_wheel_filename,
    )

    found: dict[Version, tuple[str, ...]] = {}
    folder = root / "dist"
    if not folder.is_dir():
        return found
    for path in sorted(folder.iterdir()):
        try:
            if path.name.endswith(".whl"):
                name, version, _, _ = parse_wheel_filename(path.name)
            elif path.name.endswith((".tar.gz", ".zip")):
                name, version = parse_sdist_filename(path.name)
            else:
                continue
        except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
            continue
        if name == canonical_name(project):
            found[version] = (*found.get(version, ()), path.name)
    return found
