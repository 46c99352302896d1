"""Where the project's version lives, and rewriting it without touching anything else.

The version is looked for in this order, and the first match wins:

1. ``[project].version`` in ``pyproject.toml``;
2. ``[tool.poetry].version`` (unless poetry-dynamic-versioning is enabled: then git tags);
3. ``[project].dynamic`` lists ``version``, and a build backend reads it from a file:
   hatch ``[tool.hatch.version] path`` (with its ``pattern``, or hatch's default),
   pdm ``[tool.pdm.version] source = "file"``, setuptools
   ``[tool.setuptools.dynamic] version = {attr = "pkg.__version__"}`` or ``{file = ...}``;
   or from git tags: hatch-vcs, pdm-backend ``scm``, setuptools-scm.

``[tool.release] version-files`` adds files whose version assignment is kept in sync.
Files are read and written as bytes: only the version's own bytes ever change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from packaging.version import InvalidVersion, Version

from ..errors import ConfigError
from .config import ReleaseConfig
from .model import FileChange, SourceKind, VersionSource, canonical_name, display_path


class Files(Protocol):
    """What locating and planning read: file bytes, and whether a file exists."""

    def read_bytes(self, path: Path) -> bytes:
        """The file's bytes (``OSError`` when it cannot be read)."""
        ...

    def is_file(self, path: Path) -> bool:
        """Whether ``path`` is an existing regular file."""
        ...


# The TOML keys of the version for the sources that live in pyproject.toml.
_TOML_KEYS: dict[str, tuple[str, ...]] = {
    "project": ("project", "version"),
    "poetry": ("tool", "poetry", "version"),
}
_SOURCE = "the version source"  # what names the main file, in errors found when planning
# Only a user-given pattern ([tool.hatch.version] pattern) can be broken.
_FIX_PATTERN = "fix the version pattern in pyproject.toml"


def assignment_pattern(names: str, *, ignore_case: bool = False) -> str:
    """A regex for ``NAME = "1.2.3"`` (optionally ``NAME: str = '1.2.3'``, ``"v1.2.3"``).

    ``names`` is a regex alternation of variable names; the groups are ``name`` and
    ``version`` (without the optional ``v``). Matching is line-anchored (``re.MULTILINE``).
    """
    flags = "(?i)" if ignore_case else ""
    return (
        rf"{flags}^(?P<name>{names})(?:[ \t]*:[ \t]*str)?[ \t]*=[ \t]*"
        r"(?P<quote>['\"])v?(?P<version>[^'\"\r\n]+)(?P=quote)"
    )


# hatch's default is (?i)^(__version__|VERSION) *= *(['"])v?(?P<version>.+?)\2; this is the
# same rule, also allowing a `: str` annotation. version-files use it too.
HATCH_DEFAULT_PATTERN = assignment_pattern("__version__|VERSION", ignore_case=True)
# A file that holds nothing but the version (setuptools `version = {file = "VERSION"}`).
PLAIN_FILE_PATTERN = r"\A\s*v?(?P<version>\S+)\s*\Z"


def locate_version(root: Path, pyproject: Mapping[str, Any], files: Files) -> VersionSource:
    """Find where the project at ``root`` keeps its version (see the module docstring).

    ``pyproject`` is the parsed ``pyproject.toml``. Version-files never decide the source:
    they are only kept in sync (:func:`plan_file_changes`). A project without a version,
    an unsupported dynamic source, or a version that is not valid PEP 440 raises
    :class:`ConfigError`.
    """
    project = _table(pyproject, "project")
    tool = _table(pyproject, "tool")
    dynamic = project.get("dynamic", [])
    is_dynamic = isinstance(dynamic, list) and "version" in dynamic
    if "version" in project:
        if is_dynamic:
            raise ConfigError(
                "[project] sets version and also lists it in dynamic",
                "keep one of them in pyproject.toml",
            )
        return _toml_source(root, "project", project["version"], "[project].version")
    if _table(tool, "poetry-dynamic-versioning").get("enable") is True:
        return _scm_source("poetry-dynamic-versioning")
    poetry = _table(tool, "poetry")
    if "version" in poetry:
        return _toml_source(root, "poetry", poetry["version"], "[tool.poetry].version")
    if is_dynamic:
        return _dynamic_source(files, root, pyproject, tool)
    raise ConfigError(
        "pyproject.toml has no version",
        'add version = "0.1.0" under [project], or declare it dynamic (see README)',
    )


def plan_file_changes(
    root: Path, source: VersionSource, config: ReleaseConfig, new: Version, files: Files
) -> list[FileChange]:
    """The rewrites that set the version to ``new``; reads files, writes nothing.

    Covers the source file (nothing for scm) and every ``[tool.release] version-files``
    entry, each file once; files that already hold ``new`` are left out, so an empty
    list means there is nothing to commit. The version in a version-file may differ
    from the main one, but a missing file or one without an assignment raises
    :class:`ConfigError` naming it.
    """
    text = str(new)
    changes: list[FileChange] = []
    seen: set[Path] = set()
    if source.kind in _TOML_KEYS:
        path = root / "pyproject.toml"
        changes.append(_toml_change(files, root, path, _TOML_KEYS[source.kind], text))
        seen.add(path.resolve())
    elif source.kind == "file":
        if source.path is None or source.pattern is None:
            raise ValueError("a file VersionSource needs a path and a pattern")
        changes.append(_regex_change(files, root, source.path, source.pattern, text, _SOURCE))
        seen.add(source.path.resolve())
    for name in config.version_files:
        path = root / name
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        changes.append(
            _regex_change(
                files, root, path, HATCH_DEFAULT_PATTERN, text, "[tool.release] version-files"
            )
        )
    return [change for change in changes if change.before != change.after]


def _table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"pyproject.toml: {key} must be a table", "fix pyproject.toml")
    return value


def _parse_current(value: object, where: str) -> Version:
    try:
        if not isinstance(value, str):
            raise InvalidVersion
        return Version(value)
    except InvalidVersion as exc:
        raise ConfigError(
            f"{where} is {value!r}, which is not a valid PEP 440 version",
            "set it to a version such as 0.1.0 by hand",
        ) from exc


def _toml_source(root: Path, kind: SourceKind, value: object, key: str) -> VersionSource:
    where = f"{key} in pyproject.toml"
    return VersionSource(kind, root / "pyproject.toml", where, _parse_current(value, where))


def _scm_source(tool: str) -> VersionSource:
    return VersionSource("scm", None, f"git tags ({tool})", None)


def _dynamic_source(
    files: Files, root: Path, pyproject: Mapping[str, Any], tool: Mapping[str, Any]
) -> VersionSource:
    hatch = _table(_table(tool, "hatch"), "version")
    if hatch:
        return _hatch_source(files, root, hatch)
    pdm = _table(_table(tool, "pdm"), "version")
    if pdm:
        return _pdm_source(files, root, pdm)
    # An explicit [tool.setuptools_scm] table wins over setuptools' own dynamic version.
    if "setuptools_scm" in tool:
        return _scm_source("setuptools-scm")
    setuptools = _table(tool, "setuptools")
    spec = _table(setuptools, "dynamic").get("version")
    if spec is not None:
        return _setuptools_source(files, root, setuptools, spec)
    if _requires_setuptools_scm(pyproject):
        return _scm_source("setuptools-scm")
    raise ConfigError(
        "[project].dynamic lists version, but release cannot tell where the version lives",
        "supported: hatch path or vcs, pdm file or scm, setuptools attr or file, setuptools-scm",
    )


def _hatch_source(files: Files, root: Path, hatch: Mapping[str, Any]) -> VersionSource:
    source = hatch.get("source", "regex")
    if source == "vcs":
        return _scm_source("hatch-vcs")
    if source != "regex":
        raise ConfigError(
            f"[tool.hatch.version] source {source!r} is not supported",
            'use the default source with path = "...", or source = "vcs"',
        )
    path = root / _string(hatch.get("path"), "[tool.hatch.version] path")
    pattern = _string(hatch.get("pattern", HATCH_DEFAULT_PATTERN), "[tool.hatch.version] pattern")
    return _file_source(files, root, path, pattern, "hatch [tool.hatch.version] path")


def _pdm_source(files: Files, root: Path, pdm: Mapping[str, Any]) -> VersionSource:
    source = pdm.get("source")
    if source == "scm":
        return _scm_source("pdm-backend scm")
    if source != "file":
        raise ConfigError(
            f"[tool.pdm.version] source {source!r} is not supported",
            'use source = "file" with path = "...", or source = "scm"',
        )
    path = root / _string(pdm.get("path"), "[tool.pdm.version] path")
    return _file_source(
        files, root, path, assignment_pattern("__version__"), "pdm [tool.pdm.version] path"
    )


def _setuptools_source(
    files: Files, root: Path, setuptools: Mapping[str, Any], spec: object
) -> VersionSource:
    key = "[tool.setuptools.dynamic] version"
    if isinstance(spec, Mapping) and "attr" in spec:
        attr = _string(spec["attr"], f"{key} attr")
        module, _, name = attr.rpartition(".")
        if not module:
            raise ConfigError(
                f"{key} attr {attr!r} names no module", 'use attr = "package.__version__"'
            )
        path = _module_file(files, root, setuptools, module)
        pattern = assignment_pattern(re.escape(name))
        return _file_source(files, root, path, pattern, f"setuptools attr {attr}")
    if isinstance(spec, Mapping) and "file" in spec:
        named = spec["file"]
        named = [named] if isinstance(named, str) else named
        if not isinstance(named, list) or len(named) != 1:
            raise ConfigError(f"{key} file must name one file", 'use file = "VERSION"')
        path = root / _string(named[0], f"{key} file")
        return _file_source(
            files, root, path, PLAIN_FILE_PATTERN, "[tool.setuptools.dynamic] version file"
        )
    raise ConfigError(f"{key} must be {{attr = ...}} or {{file = ...}}", "see setuptools' docs")


def _module_file(files: Files, root: Path, setuptools: Mapping[str, Any], module: str) -> Path:
    """The file of ``module`` under setuptools' package-dir, ``src/``, or the root."""
    parts = module.split(".")
    package_dir = _table(setuptools, "package-dir")
    if parts[0] in package_dir:  # {"pkg" = "lib/pkg"}
        bases = [root / str(package_dir[parts[0]])]
        parts = parts[1:]
    elif "" in package_dir:  # {"" = "lib"}
        bases = [root / str(package_dir[""])]
    else:
        bases = [root / "src", root]
    candidates: list[Path] = []
    for base in bases:
        package = base.joinpath(*parts)
        candidates.append(package / "__init__.py")
        if parts:  # a plain module: pkg/version.py
            candidates.append(package.with_name(f"{parts[-1]}.py"))
    for candidate in candidates:
        if files.is_file(candidate):
            return candidate
    raise ConfigError(
        f"cannot find module {module} for [tool.setuptools.dynamic] version",
        "looked for " + ", ".join(display_path(root, c) for c in candidates),
    )


def _requires_setuptools_scm(pyproject: Mapping[str, Any]) -> bool:
    # Loaded here: only a dynamic version needs it, and it costs a dry run's start-up.
    from packaging.requirements import InvalidRequirement, Requirement

    requires = _table(pyproject, "build-system").get("requires", [])
    for text in requires if isinstance(requires, list) else []:
        try:
            name = Requirement(str(text)).name
        except InvalidRequirement:
            continue
        if canonical_name(name) == "setuptools-scm":
            return True
    return False


def _string(value: object, key: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{key} must be a non-empty string", "fix pyproject.toml")
    return value


def _file_source(files: Files, root: Path, path: Path, pattern: str, how: str) -> VersionSource:
    match = _find(files, root, path, pattern, how)
    label = display_path(root, path)
    variable = match.groupdict().get("name")
    description = f"{variable} in {label} ({how})" if variable else f"{label} ({how})"
    current = _parse_current(match.group("version"), f"the version in {label}")
    return VersionSource("file", path, description, current, pattern)


# --- rewriting --------------------------------------------------------------------------


def read_file(files: Files, root: Path, path: Path, how: str) -> bytes:
    """The bytes of ``path``; a missing or unreadable file is a :class:`ConfigError` naming
    it and ``how`` it is named.
    """
    label = display_path(root, path)
    try:
        return files.read_bytes(path)
    except FileNotFoundError as exc:
        raise ConfigError(f"{label} does not exist", f"it is named by {how}") from exc
    except IsADirectoryError as exc:
        raise ConfigError(f"{label} is a directory, not a file", f"it is named by {how}") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read {label}: {exc.strerror}", "check its permissions") from exc


def _decode(data: bytes) -> str:
    # surrogateescape makes decode/encode a byte-exact round trip, whatever the encoding.
    return data.decode("utf-8", "surrogateescape")


def _find(files: Files, root: Path, path: Path, pattern: str, how: str) -> re.Match[str]:
    label = display_path(root, path)
    try:
        regex = re.compile(pattern, re.MULTILINE)
    except re.error as exc:
        raise ConfigError(
            f"the version pattern for {label} is invalid: {exc}", _FIX_PATTERN
        ) from exc
    if "version" not in regex.groupindex:
        raise ConfigError(
            f"the version pattern for {label} has no (?P<version>...) group", _FIX_PATTERN
        )
    data = read_file(files, root, path, how)
    match = regex.search(_decode(data))
    if match is None:
        expected = (
            "just a version"
            if pattern == PLAIN_FILE_PATTERN
            else 'an assignment like __version__ = "1.0"'
        )
        raise ConfigError(f"{label} does not contain {expected}", f"it is named by {how}")
    return match


def _regex_change(
    files: Files, root: Path, path: Path, pattern: str, new: str, how: str
) -> FileChange:
    match = _find(files, root, path, pattern, how)
    text = match.string
    start, end = match.span("version")
    after = text[:start] + new + text[end:]
    return FileChange(path, _encode(text), _encode(after))


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _toml_change(
    files: Files, root: Path, path: Path, keys: tuple[str, ...], new: str
) -> FileChange:
    import tomlkit  # imported here: `release --help` stays fast
    from tomlkit.exceptions import ParseError
    from tomlkit.items import String

    before = read_file(files, root, path, _SOURCE)
    try:
        text = before.decode("utf-8")
        document = tomlkit.parse(text)
    except (UnicodeDecodeError, ParseError) as exc:
        raise ConfigError(f"pyproject.toml cannot be parsed: {exc}", "fix the file") from exc
    if document.as_string() != text:
        # Never rewrite a file that tomlkit would not give back byte for byte.
        raise ConfigError(
            "pyproject.toml cannot be rewritten without changing other bytes",
            "set the version by hand and pass it explicitly",
        )
    table: Any = document
    try:
        for key in keys[:-1]:
            table = table[key]
        old = table[keys[-1]]
    except (KeyError, TypeError):  # the file changed since the version was located
        old = None
    if not isinstance(old, String):
        raise ConfigError(
            f"[{'.'.join(keys[:-1])}].version in pyproject.toml is missing or not a string",
            "fix pyproject.toml",
        )
    # Same string style (basic, literal, multi-line); tomlkit keeps the comment after it.
    table[keys[-1]] = String.from_raw(new, old.type)
    return FileChange(path, before, document.as_string().encode("utf-8"))
