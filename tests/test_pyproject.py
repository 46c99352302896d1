"""Where the version lives, and rewriting it without touching any other byte."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from packaging.version import Version

from release_orchestrator.adapters.files import LOCAL, apply_file_changes, load_pyproject
from release_orchestrator.core.config import ReleaseConfig
from release_orchestrator.core.model import FileChange, VersionSource
from release_orchestrator.core.pyproject import locate_version, plan_file_changes
from release_orchestrator.errors import ConfigError, ExitCode

NEW = Version("0.2.0")
NO_CONFIG = ReleaseConfig()


def make_project(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write ``files`` under ``root`` byte for byte (str is encoded as UTF-8, no translation)."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def locate(root: Path) -> VersionSource:
    return locate_version(root, load_pyproject(root), LOCAL)


def release_to(root: Path, new: Version = NEW, config: ReleaseConfig = NO_CONFIG) -> VersionSource:
    """Locate, plan and apply, checking on the way that planning writes nothing."""
    source = locate(root)
    before = snapshot(root)
    changes = plan_file_changes(root, source, config, new, LOCAL)
    assert snapshot(root) == before
    apply_file_changes(changes)
    return source


# --- [project].version -------------------------------------------------------------------

RICH_PYPROJECT = """\
# The project's metadata; keep it tidy.
[build-system]
requires = ['hatchling']
build-backend = 'hatchling.build'

[project]
name = 'demo'   # the distribution
version = '0.1.0'   # bumped by `release cut`
description = "demo, version 0.1.0"
dependencies = [
    "foo==0.1.0",  # pinned to the same string as the version
    'bar >= 0.1.0',
]

[tool.demo]
version = "0.1.0"

[project.urls]
Home = "https://example.org/0.1.0"
"""


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["LF", "CRLF"])
def test_project_version_rewrites_only_the_version_bytes(tmp_path: Path, newline: str) -> None:
    original = RICH_PYPROJECT.replace("\n", newline).encode()
    make_project(tmp_path, {"pyproject.toml": original})

    source = release_to(tmp_path)

    assert source == VersionSource(
        "project",
        tmp_path / "pyproject.toml",
        "[project].version in pyproject.toml",
        Version("0.1.0"),
    )
    expected = original.replace(b"version = '0.1.0'", b"version = '0.2.0'", 1)
    assert expected != original
    assert (tmp_path / "pyproject.toml").read_bytes() == expected


@pytest.mark.parametrize(
    ("line", "rewritten"),
    [
        ('version = "0.1.0"', 'version = "0.2.0"'),
        ("version = '0.1.0'", "version = '0.2.0'"),
        ('version = """0.1.0"""', 'version = """0.2.0"""'),
        ("version = '''0.1.0'''", "version = '''0.2.0'''"),
        ('version="0.1.0"#tight', 'version="0.2.0"#tight'),
        ('version   =   "0.1.0"   # spaced', 'version   =   "0.2.0"   # spaced'),
    ],
)
def test_project_version_keeps_the_string_style(tmp_path: Path, line: str, rewritten: str) -> None:
    make_project(tmp_path, {"pyproject.toml": f"[project]\nname = 'x'\n{line}\n"})
    release_to(tmp_path)
    assert (tmp_path / "pyproject.toml").read_text() == f"[project]\nname = 'x'\n{rewritten}\n"


@pytest.mark.parametrize(
    ("text", "rewritten"),
    [
        (
            '[project]\nversion = "0.1.0"\n[tool.a]\nx = 1\n[project.urls]\na = "b"\n',
            '[project]\nversion = "0.2.0"\n[tool.a]\nx = 1\n[project.urls]\na = "b"\n',
        ),
        (
            'project.name = "x"\nproject.version = "0.1.0"\n',
            'project.name = "x"\nproject.version = "0.2.0"\n',
        ),
        (
            'project = { name = "x", version = "0.1.0" }\n',
            'project = { name = "x", version = "0.2.0" }\n',
        ),
        ('[project]\r\nversion = "0.1.0"', '[project]\r\nversion = "0.2.0"'),
    ],
    ids=["split-table", "dotted-keys", "inline-table", "no-final-newline"],
)
def test_project_version_in_unusual_layouts(tmp_path: Path, text: str, rewritten: str) -> None:
    make_project(tmp_path, {"pyproject.toml": text})
    release_to(tmp_path)
    assert (tmp_path / "pyproject.toml").read_bytes() == rewritten.encode()


def test_project_version_with_non_ascii_text_nearby(tmp_path: Path) -> None:
    text = '[project]\ndescription = "Grüße, 🚀"\nversion = "0.1.0"\n'
    make_project(tmp_path, {"pyproject.toml": text})
    release_to(tmp_path)
    assert (tmp_path / "pyproject.toml").read_text("utf-8") == text.replace("0.1.0", "0.2.0")


# --- [tool.poetry].version ----------------------------------------------------------------

POETRY = """\
[tool.poetry]
name = "demo"
version = "1.2.3"  # poetry keeps it here

[tool.poetry.dependencies]
python = "^3.10"
foo = "1.2.3"
"""


def test_poetry_version(tmp_path: Path) -> None:
    make_project(tmp_path, {"pyproject.toml": POETRY})
    source = release_to(tmp_path, Version("1.3.0"))
    assert source.kind == "poetry"
    assert source.description == "[tool.poetry].version in pyproject.toml"
    assert source.current == Version("1.2.3")
    expected = POETRY.replace('version = "1.2.3"', 'version = "1.3.0"')
    assert (tmp_path / "pyproject.toml").read_text() == expected


def test_poetry_with_project_table_and_dynamic_version(tmp_path: Path) -> None:
    # Poetry 2: [project] declares the version dynamic and [tool.poetry] holds it.
    text = '[project]\nname = "x"\ndynamic = ["version"]\n[tool.poetry]\nversion = "1.0"\n'
    make_project(tmp_path, {"pyproject.toml": text})
    assert locate(tmp_path).kind == "poetry"


def test_project_version_wins_over_poetry(tmp_path: Path) -> None:
    text = '[project]\nversion = "2.0"\n[tool.poetry]\nversion = "1.0"\n'
    make_project(tmp_path, {"pyproject.toml": text})
    assert locate(tmp_path).kind == "project"
    assert locate(tmp_path).current == Version("2.0")


# --- version files: hatch, pdm, setuptools ------------------------------------------------

DYNAMIC = '[project]\nname = "demo"\ndynamic = ["version"]\n'
HATCH = DYNAMIC + '[tool.hatch.version]\npath = "src/demo/__about__.py"\n'


@pytest.mark.parametrize(
    ("content", "name", "rewritten"),
    [
        ('__version__ = "0.1.0"\n', "__version__", '__version__ = "0.2.0"\n'),
        ("__version__ = '0.1.0'\n", "__version__", "__version__ = '0.2.0'\n"),
        ("__version__: str = '0.1.0'\n", "__version__", "__version__: str = '0.2.0'\n"),
        ('VERSION = "v0.1.0"\n', "VERSION", 'VERSION = "v0.2.0"\n'),
        ('version = "0.1.0"\n', "version", 'version = "0.2.0"\n'),
        (
            '"""About."""\r\n# 0.1.0 was first\r\nX = "0.1.0"\r\n__version__ = "0.1.0"  # ok\r\n',
            "__version__",
            '"""About."""\r\n# 0.1.0 was first\r\nX = "0.1.0"\r\n__version__ = "0.2.0"  # ok\r\n',
        ),
        (
            '__version__ = "0.1.0"\nVERSION = "0.1.0"\n',
            "__version__",
            '__version__ = "0.2.0"\nVERSION = "0.1.0"\n',
        ),
    ],
    ids=["double", "single", "annotated", "VERSION-v", "lowercase", "CRLF-comments", "first-only"],
)
def test_hatch_path(tmp_path: Path, content: str, name: str, rewritten: str) -> None:
    make_project(tmp_path, {"pyproject.toml": HATCH, "src/demo/__about__.py": content})
    source = release_to(tmp_path)
    assert source.kind == "file"
    assert source.path == tmp_path / "src/demo/__about__.py"
    assert source.current == Version("0.1.0")
    assert source.description == (
        f"{name} in src/demo/__about__.py (hatch [tool.hatch.version] path)"
    )
    assert (tmp_path / "src/demo/__about__.py").read_bytes() == rewritten.encode()
    assert (tmp_path / "pyproject.toml").read_text() == HATCH


def test_hatch_custom_pattern(tmp_path: Path) -> None:
    pyproject = DYNAMIC + (
        '[tool.hatch.version]\npath = "demo.py"\npattern = "BUILD = \'b(?P<version>[^\']+)\'"\n'
    )
    make_project(tmp_path, {"pyproject.toml": pyproject, "demo.py": "BUILD = 'b0.1.0'\n"})
    source = release_to(tmp_path)
    assert source.description == "demo.py (hatch [tool.hatch.version] path)"
    assert (tmp_path / "demo.py").read_text() == "BUILD = 'b0.2.0'\n"


def test_version_file_with_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    content = b'# caf\xe9 (latin-1)\r\n__version__ = "0.1.0"\r\n'
    make_project(tmp_path, {"pyproject.toml": HATCH, "src/demo/__about__.py": content})
    release_to(tmp_path)
    expected = content.replace(b"0.1.0", b"0.2.0")
    assert (tmp_path / "src/demo/__about__.py").read_bytes() == expected


def test_pdm_file(tmp_path: Path) -> None:
    pyproject = DYNAMIC + '[tool.pdm.version]\nsource = "file"\npath = "src/demo/__init__.py"\n'
    make_project(
        tmp_path, {"pyproject.toml": pyproject, "src/demo/__init__.py": "__version__ = '0.1.0'\n"}
    )
    source = release_to(tmp_path)
    assert source.description == "__version__ in src/demo/__init__.py (pdm [tool.pdm.version] path)"
    assert (tmp_path / "src/demo/__init__.py").read_text() == "__version__ = '0.2.0'\n"


SETUPTOOLS_ATTR = DYNAMIC + '[tool.setuptools.dynamic]\nversion = {attr = "%s"}\n'


@pytest.mark.parametrize(
    ("attr", "module_file", "extra"),
    [
        ("demo.__version__", "src/demo/__init__.py", ""),
        ("demo.__version__", "demo/__init__.py", ""),
        ("demo.__version__", "demo.py", ""),
        ("demo.about.__version__", "src/demo/about.py", ""),
        ("demo.about.__version__", "src/demo/about/__init__.py", ""),
        ("demo.__version__", "lib/demo/__init__.py", '[tool.setuptools.package-dir]\n"" = "lib"\n'),
        ("demo.__version__", "code/__init__.py", '[tool.setuptools.package-dir]\ndemo = "code"\n'),
        ("demo.v.__version__", "code/v.py", '[tool.setuptools.package-dir]\ndemo = "code"\n'),
    ],
)
def test_setuptools_attr(tmp_path: Path, attr: str, module_file: str, extra: str) -> None:
    make_project(
        tmp_path,
        {"pyproject.toml": SETUPTOOLS_ATTR % attr + extra, module_file: '__version__ = "0.1.0"\n'},
    )
    source = release_to(tmp_path)
    assert source.path == tmp_path / module_file
    assert source.description == f"__version__ in {module_file} (setuptools attr {attr})"
    assert (tmp_path / module_file).read_text() == '__version__ = "0.2.0"\n'


def test_setuptools_attr_uses_the_named_variable(tmp_path: Path) -> None:
    content = '__version__ = get()\nVERSION: str = "0.1.0"\n'
    files = {"pyproject.toml": SETUPTOOLS_ATTR % "demo.VERSION", "src/demo/__init__.py": content}
    make_project(tmp_path, files)
    release_to(tmp_path)
    assert (tmp_path / "src/demo/__init__.py").read_text() == content.replace("0.1.0", "0.2.0")


@pytest.mark.parametrize("spec", ['{file = "VERSION"}', '{file = ["VERSION"]}'])
@pytest.mark.parametrize("content", ["0.1.0\n", "0.1.0", "  v0.1.0\r\n\r\n"])
def test_setuptools_file(tmp_path: Path, spec: str, content: str) -> None:
    pyproject = DYNAMIC + f"[tool.setuptools.dynamic]\nversion = {spec}\n"
    make_project(tmp_path, {"pyproject.toml": pyproject, "VERSION": content})
    source = release_to(tmp_path)
    assert source.description == "VERSION ([tool.setuptools.dynamic] version file)"
    assert source.current == Version("0.1.0")
    assert (tmp_path / "VERSION").read_bytes() == content.replace("0.1.0", "0.2.0").encode()


# --- git tags -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pyproject", "tool"),
    [
        (DYNAMIC + "[tool.setuptools_scm]\n", "setuptools-scm"),
        (
            '[build-system]\nrequires = ["setuptools>=64", "setuptools_scm[toml]>=8"]\n' + DYNAMIC,
            "setuptools-scm",
        ),
        ('[build-system]\nrequires = ["Setuptools-SCM"]\n' + DYNAMIC, "setuptools-scm"),
        (
            # An explicit [tool.setuptools_scm] beats setuptools' own dynamic version.
            DYNAMIC + '[tool.setuptools_scm]\n[tool.setuptools.dynamic]\nversion = {attr = "x"}\n',
            "setuptools-scm",
        ),
        (DYNAMIC + '[tool.hatch.version]\nsource = "vcs"\n', "hatch-vcs"),
        (DYNAMIC + '[tool.pdm.version]\nsource = "scm"\n', "pdm-backend scm"),
        (
            '[tool.poetry]\nversion = "0.0.0"\n[tool.poetry-dynamic-versioning]\nenable = true\n',
            "poetry-dynamic-versioning",
        ),
    ],
    ids=[
        "scm-table",
        "scm-requires",
        "scm-requires-spelling",
        "scm-beats-attr",
        "hatch-vcs",
        "pdm-scm",
        "poetry-dynamic-versioning",
    ],
)
def test_scm_sources_rewrite_nothing(tmp_path: Path, pyproject: str, tool: str) -> None:
    make_project(tmp_path, {"pyproject.toml": pyproject})
    source = locate(tmp_path)
    assert source == VersionSource("scm", None, f"git tags ({tool})", None)
    assert plan_file_changes(tmp_path, source, NO_CONFIG, NEW, LOCAL) == []


def test_requires_that_are_not_requirements_are_ignored(tmp_path: Path) -> None:
    make_project(tmp_path, {"pyproject.toml": '[build-system]\nrequires = ["!!", 3]\n' + DYNAMIC})
    with pytest.raises(ConfigError, match="cannot tell where the version lives"):
        locate(tmp_path)


# --- [tool.release] version-files ---------------------------------------------------------

PROJECT = '[project]\nname = "demo"\nversion = "0.1.0"\n'


def test_version_files_are_kept_in_sync(tmp_path: Path) -> None:
    make_project(
        tmp_path,
        {
            "pyproject.toml": PROJECT,
            "src/demo/__init__.py": '"""Demo."""\r\n__version__ = "0.1.0"\r\n',
            "docs/conf.py": "project = 'demo'\nVERSION = '0.0.9'  # may lag behind\n",
        },
    )
    config = ReleaseConfig(version_files=("src/demo/__init__.py", "docs/conf.py"))
    source = locate(tmp_path)
    changes = plan_file_changes(tmp_path, source, config, NEW, LOCAL)
    assert [c.path for c in changes] == [
        tmp_path / "pyproject.toml",
        tmp_path / "src/demo/__init__.py",
        tmp_path / "docs/conf.py",
    ]
    apply_file_changes(changes)
    assert (tmp_path / "src/demo/__init__.py").read_bytes() == (
        b'"""Demo."""\r\n__version__ = "0.2.0"\r\n'
    )
    assert (tmp_path / "docs/conf.py").read_text() == (
        "project = 'demo'\nVERSION = '0.2.0'  # may lag behind\n"
    )


def test_version_file_that_is_also_the_source_is_rewritten_once(tmp_path: Path) -> None:
    make_project(
        tmp_path, {"pyproject.toml": HATCH, "src/demo/__about__.py": '__version__ = "0.1.0"\n'}
    )
    config = ReleaseConfig(version_files=("./src/demo/__about__.py",))
    changes = plan_file_changes(tmp_path, locate(tmp_path), config, NEW, LOCAL)
    assert len(changes) == 1


def test_files_already_at_the_new_version_are_left_out(tmp_path: Path) -> None:
    make_project(tmp_path, {"pyproject.toml": PROJECT, "a.py": '__version__ = "0.2.0"\n'})
    config = ReleaseConfig(version_files=("a.py",))
    changes = plan_file_changes(tmp_path, locate(tmp_path), config, NEW, LOCAL)
    assert [c.path.name for c in changes] == ["pyproject.toml"]
    apply_file_changes(changes)
    assert plan_file_changes(tmp_path, locate(tmp_path), config, NEW, LOCAL) == []


def test_scm_with_version_files_changes_only_those(tmp_path: Path) -> None:
    pyproject = DYNAMIC + '[tool.hatch.version]\nsource = "vcs"\n'
    make_project(tmp_path, {"pyproject.toml": pyproject, "a.py": '__version__ = "0.1.0"\n'})
    config = ReleaseConfig(version_files=("a.py",))
    changes = plan_file_changes(tmp_path, locate(tmp_path), config, NEW, LOCAL)
    assert [c.path.name for c in changes] == ["a.py"]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "src/demo/missing.py does not exist"),
        (
            {"src/demo/missing.py": "VERSION_INFO = (0, 1)\n"},
            "src/demo/missing.py does not contain",
        ),
        (
            {"src/demo/missing.py": "__version__ = get_version()\n"},
            "does not contain an assignment",
        ),
    ],
)
def test_version_file_errors_name_the_file(
    tmp_path: Path, files: dict[str, str | bytes], message: str
) -> None:
    make_project(tmp_path, {"pyproject.toml": PROJECT, **files})
    config = ReleaseConfig(version_files=("src/demo/missing.py",))
    with pytest.raises(ConfigError) as info:
        plan_file_changes(tmp_path, locate(tmp_path), config, NEW, LOCAL)
    assert message in info.value.message
    assert info.value.hint == "it is named by [tool.release] version-files"
    assert info.value.exit_code == ExitCode.CHECK_FAILED


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "message", "hint"),
    [
        (
            {"pyproject.toml": '[project]\nname = "x"\n'},
            "pyproject.toml has no version",
            "add version",
        ),
        ({"pyproject.toml": ""}, "has no version", "declare it dynamic"),
        (
            {"pyproject.toml": '[project]\nversion = "1.0"\ndynamic = ["version"]\n'},
            "sets version and also lists it in dynamic",
            "keep one",
        ),
        (
            {"pyproject.toml": '[project]\nversion = "one"\n'},
            "[project].version in pyproject.toml is 'one', which is not a valid PEP 440 version",
            "0.1.0",
        ),
        (
            {"pyproject.toml": "[project]\nversion = 1\n"},
            "is 1, which is not a valid PEP 440 version",
            "by hand",
        ),
        (
            {"pyproject.toml": '[tool.poetry]\nversion = "1.0-final-final"\n'},
            "[tool.poetry].version in pyproject.toml is '1.0-final-final'",
            "0.1.0",
        ),
        ({"pyproject.toml": 'project = "x"\n'}, "project must be a table", "pyproject.toml"),
        ({"pyproject.toml": DYNAMIC}, "cannot tell where the version lives", "setuptools-scm"),
        (
            {"pyproject.toml": DYNAMIC + '[tool.hatch.version]\nsource = "env"\n'},
            "[tool.hatch.version] source 'env' is not supported",
            '"vcs"',
        ),
        (
            {"pyproject.toml": DYNAMIC + '[tool.hatch.version]\npattern = "x"\n'},
            "[tool.hatch.version] path must be a non-empty string",
            "fix pyproject.toml",
        ),
        ({"pyproject.toml": HATCH}, "src/demo/__about__.py does not exist", "hatch"),
        (
            {"pyproject.toml": HATCH, "src/demo/__about__.py": "from x import __version__\n"},
            "src/demo/__about__.py does not contain an assignment",
            "it is named by hatch [tool.hatch.version] path",
        ),
        (
            {"pyproject.toml": HATCH, "src/demo/__about__.py": "__version__ = 'latest'\n"},
            "the version in src/demo/__about__.py is 'latest', which is not a valid PEP 440",
            "0.1.0",
        ),
        (
            {"pyproject.toml": HATCH + 'pattern = "("\n', "src/demo/__about__.py": ""},
            "the version pattern for src/demo/__about__.py is invalid",
            "fix the version pattern",
        ),
        (
            {"pyproject.toml": HATCH + 'pattern = "v = (.*)"\n', "src/demo/__about__.py": ""},
            "has no (?P<version>...) group",
            "fix the version pattern",
        ),
        (
            {"pyproject.toml": DYNAMIC + '[tool.pdm.version]\nsource = "call"\n'},
            "[tool.pdm.version] source 'call' is not supported",
            '"file"',
        ),
        (
            {"pyproject.toml": SETUPTOOLS_ATTR % "demo.__version__"},
            "cannot find module demo for [tool.setuptools.dynamic] version",
            "looked for src/demo/__init__.py, src/demo.py, demo/__init__.py, demo.py",
        ),
        (
            {"pyproject.toml": SETUPTOOLS_ATTR % "__version__"},
            "attr '__version__' names no module",
            "package.__version__",
        ),
        (
            {"pyproject.toml": DYNAMIC + '[tool.setuptools.dynamic]\nversion.file = ["A", "B"]\n'},
            "file must name one file",
            "VERSION",
        ),
        (
            {"pyproject.toml": DYNAMIC + '[tool.setuptools.dynamic]\nversion = "1.0"\n'},
            "must be {attr = ...} or {file = ...}",
            "setuptools",
        ),
        (
            {
                "pyproject.toml": DYNAMIC + '[tool.setuptools.dynamic]\nversion = {file = "V"}\n',
                "V": "version: 0.1.0\n",
            },
            "V does not contain just a version",
            "version file",
        ),
    ],
)
def test_locate_errors(
    tmp_path: Path, files: dict[str, str | bytes], message: str, hint: str
) -> None:
    make_project(tmp_path, files)
    with pytest.raises(ConfigError) as info:
        locate(tmp_path)
    assert message in info.value.message
    assert info.value.hint is not None and hint in info.value.hint


def test_a_file_source_without_a_pattern_is_a_programming_error(tmp_path: Path) -> None:
    source = VersionSource("file", tmp_path / "a.py", "a.py", Version("1.0"))
    with pytest.raises(ValueError, match="needs a path and a pattern"):
        plan_file_changes(tmp_path, source, NO_CONFIG, NEW, LOCAL)


def test_planning_reports_a_source_file_that_vanished(tmp_path: Path) -> None:
    make_project(
        tmp_path, {"pyproject.toml": HATCH, "src/demo/__about__.py": '__version__ = "0.1"\n'}
    )
    source = locate(tmp_path)
    (tmp_path / "src/demo/__about__.py").unlink()
    with pytest.raises(ConfigError, match=r"src/demo/__about__\.py does not exist"):
        plan_file_changes(tmp_path, source, NO_CONFIG, NEW, LOCAL)


# --- diff and apply -----------------------------------------------------------------------


def test_diff_is_relative_to_the_root(tmp_path: Path) -> None:
    make_project(tmp_path, {"pyproject.toml": '[project]\r\nname = "x"\r\nversion = "0.1.0"\r\n'})
    [change] = plan_file_changes(tmp_path, locate(tmp_path), NO_CONFIG, NEW, LOCAL)
    assert change.diff(tmp_path) == (
        "--- a/pyproject.toml\n"
        "+++ b/pyproject.toml\n"
        "@@ -1,3 +1,3 @@\n"
        " [project]\n"
        ' name = "x"\n'
        '-version = "0.1.0"\n'
        '+version = "0.2.0"\n'
    )


def test_diff_outside_the_root_uses_the_full_path(tmp_path: Path) -> None:
    change = FileChange(tmp_path / "a.py", b"x = 1\n", b"x = 2\n")
    assert f"--- a/{tmp_path / 'a.py'}\n" in change.diff(tmp_path / "elsewhere")


def test_apply_writes_the_exact_bytes(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_bytes(b"a\r\nb\r")
    apply_file_changes([FileChange(path, b"a\r\nb\r", b"a\r\nc\r")])
    assert path.read_bytes() == b"a\r\nc\r"


def test_apply_refuses_a_file_changed_since_planning(tmp_path: Path) -> None:
    first, second = tmp_path / "a.py", tmp_path / "b.py"
    first.write_bytes(b"1")
    second.write_bytes(b"edited")
    with pytest.raises(ConfigError, match=r"b\.py changed since the release was planned"):
        apply_file_changes([FileChange(first, b"1", b"2"), FileChange(second, b"1", b"2")])
    assert first.read_bytes() == b"1"


def test_apply_refuses_a_file_deleted_since_planning(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="changed since the release was planned"):
        apply_file_changes([FileChange(tmp_path / "gone.py", b"1", b"2")])


def test_apply_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "a.py", tmp_path / "b.py"
    first.write_bytes(b"1")
    second.write_bytes(b"1")
    real_write = Path.write_bytes

    def failing_write(self: Path, data: bytes) -> int:
        if self == second:
            raise PermissionError(13, "Permission denied", str(self))
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing_write)
    with pytest.raises(ConfigError) as info:
        apply_file_changes([FileChange(first, b"1", b"2"), FileChange(second, b"1", b"2")])
    assert info.value.message == f"cannot write {second}: Permission denied"
    assert first.read_bytes() == b"1"


def test_version_file_that_cannot_be_read(tmp_path: Path) -> None:
    make_project(tmp_path, {"pyproject.toml": PROJECT, "src/demo/__init__.py": ""})
    config = ReleaseConfig(version_files=("src",))
    with pytest.raises(ConfigError, match="src is a directory, not a file"):
        plan_file_changes(tmp_path, locate(tmp_path), config, NEW, LOCAL)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[project\n", "pyproject.toml cannot be parsed"),
        (b'[project]\nname = "caf\xe9"\n', "pyproject.toml cannot be parsed"),
        (b"[project]\nversion = 1\n", "[project].version in pyproject.toml is missing or not"),
        (b'[project]\nname = "x"\n', "[project].version in pyproject.toml is missing"),
        (b'project = "x"\n', "[project].version in pyproject.toml is missing"),
    ],
)
def test_planning_reports_a_pyproject_broken_since_located(
    tmp_path: Path, content: bytes, message: str
) -> None:
    make_project(tmp_path, {"pyproject.toml": PROJECT})
    source = locate(tmp_path)
    (tmp_path / "pyproject.toml").write_bytes(content)
    with pytest.raises(ConfigError) as info:
        plan_file_changes(tmp_path, source, NO_CONFIG, NEW, LOCAL)
    assert message in info.value.message


def test_a_pyproject_tomlkit_cannot_round_trip_is_not_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tomlkit

    make_project(tmp_path, {"pyproject.toml": PROJECT})
    source = locate(tmp_path)
    real_parse = tomlkit.parse
    # Stand-in for a tomlkit bug: the parsed document serialises differently.
    monkeypatch.setattr(tomlkit, "parse", lambda text: real_parse(text.replace(" = ", "=")))
    with pytest.raises(ConfigError, match="cannot be rewritten without changing other bytes"):
        plan_file_changes(tmp_path, source, NO_CONFIG, NEW, LOCAL)
