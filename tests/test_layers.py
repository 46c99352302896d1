"""The layers are enforced, not hoped for: ``core/`` does no I/O and imports no adapter.

Every module under ``release_orchestrator/core`` is parsed with :mod:`ast`; importing git,
GitHub, HTTP, subprocess or socket libraries, or the package's own I/O layers, fails the
test, and so does calling ``open()`` or a ``Path`` method that touches the disk.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "release_orchestrator"
CORE = PACKAGE / "core"

# Top-level modules core may not import (the first dotted component is compared).
BANNED_MODULES = frozenset(
    {
        "git",
        "github",
        "requests",
        "urllib3",
        "subprocess",
        "socket",
        "http",
        "shutil",
        "tempfile",
        "zipfile",
        "rich",
        "typer",
    }
)
BANNED_DOTTED = frozenset({"urllib.request", "urllib.error", "os.path"})
# The package's own layers that do I/O or talk to people.
BANNED_OWN = frozenset({"adapters", "commands", "render", "cli", "deps", "sandbox"})
# Calls that read or write files (as functions, or as methods of a path or stream).
BANNED_CALLS = frozenset({"open"})
BANNED_METHODS = frozenset(
    {
        "read_text",
        "write_text",
        "read_bytes",
        "write_bytes",
        "open",
        "iterdir",
        "glob",
        "rglob",
        "exists",
        "is_file",
        "is_dir",
        "mkdir",
        "unlink",
        "stat",
        "touch",
    }
)
# The Files protocol's own methods are what core calls instead of the disk.
ALLOWED_RECEIVERS = frozenset({"files"})


def core_modules() -> list[Path]:
    """Every Python file under ``core/``."""
    return sorted(CORE.rglob("*.py"))


def _own_layer(module: str, level: int, path: Path) -> str | None:
    """The first package component below ``release_orchestrator`` an import names."""
    if level == 0:
        parts = module.split(".")
        return parts[1] if parts[0] == "release_orchestrator" and len(parts) > 1 else None
    package = path.parent.relative_to(PACKAGE).parts
    base = package[: len(package) - (level - 1)]
    parts = [*base, *(module.split(".") if module else [])]
    return parts[0] if parts else None


def violations(source: str, path: Path) -> list[str]:
    """What in ``source`` (the module at ``path``) breaks the contract, as ``line: reason``."""
    tree = ast.parse(source, str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in BANNED_MODULES or alias.name in BANNED_DOTTED:
                    found.append(f"{node.lineno}: imports {alias.name}")
                if _own_layer(alias.name, 0, path) in BANNED_OWN:
                    found.append(f"{node.lineno}: imports {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 0 and (
                module.split(".")[0] in BANNED_MODULES or module in BANNED_DOTTED
            ):
                found.append(f"{node.lineno}: imports from {module}")
            layer = _own_layer(module, node.level, path)
            if layer in BANNED_OWN:
                found.append(f"{node.lineno}: imports from the {layer} layer")
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in BANNED_CALLS:
                found.append(f"{node.lineno}: calls {func.id}()")
            elif isinstance(func, ast.Attribute) and func.attr in BANNED_METHODS:
                receiver = func.value
                if not (isinstance(receiver, ast.Name) and receiver.id in ALLOWED_RECEIVERS):
                    found.append(f"{node.lineno}: calls .{func.attr}()")
    return found


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_does_no_io(path: Path) -> None:
    assert violations(path.read_text(encoding="utf-8"), path) == []


def test_the_checker_catches_each_kind_of_violation() -> None:
    """The contract would fail on a violation: each banned form is reported."""
    text = (
        "import subprocess\n"
        "from urllib.request import urlopen\n"
        "from github import Github\n"
        "from ..adapters.gitrepo import GitRepo\n"
        "from release_orchestrator.commands import cut\n"
        "open('x')\n"
        "path.read_text()\n"
        "Path('x').write_bytes(b'')\n"
        "files.read_bytes(path)\n"
    )
    assert violations(text, CORE / "probe.py") == [
        "1: imports subprocess",
        "2: imports from urllib.request",
        "3: imports from github",
        "4: imports from the adapters layer",
        "5: imports from the commands layer",
        "6: calls open()",
        "7: calls .read_text()",
        "8: calls .write_bytes()",
    ]


def test_there_is_a_core() -> None:
    names = {p.relative_to(CORE).as_posix() for p in core_modules()}
    assert {"plan.py", "pyproject.py", "publisher.py", "workflows.py", "version.py"} <= names
