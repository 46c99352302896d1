"""README's layout map names every module of the package, in the folder it lives in.

The sandbox is described as a whole, so only its stand-in PyPI is named; subpackages of
``core/`` (``checks/``, ``explain/``) are named as folders.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "release_orchestrator"
README = (ROOT / "README.md").read_text(encoding="utf-8")
NAMED = re.compile(r"`([a-z_]+(?:\.py|/))`")


def layout_bullets() -> dict[str, str]:
    """Each folder's sub-bullet of README's layout (``""`` for the package's own modules)."""
    block = README[README.index("- Layout (`src/release_orchestrator/`)") :]
    bullets = re.split(r"\n  - ", block.split("\n- ", 1)[0])[1:]
    found = {}
    for bullet in bullets:
        head = NAMED.match(bullet)
        assert head is not None, bullet
        found["" if head.group(1).endswith(".py") else head.group(1)] = bullet
    return found


def tree(folder: Path) -> set[str]:
    """The modules (``x.py``) and packages (``x/``) directly in ``folder``."""
    modules = {p.name for p in folder.glob("*.py") if p.stem not in ("__init__", "__main__")}
    return modules | {f"{p.name}/" for p in folder.iterdir() if (p / "__init__.py").exists()}


@pytest.mark.parametrize("folder", ["", "core/", "adapters/", "commands/", "render/"])
def test_the_map_names_each_module_of_the_folder(folder: str) -> None:
    bullet = layout_bullets()[folder]
    named = set(NAMED.findall(bullet)) - {folder}
    on_disk = tree(PACKAGE / folder)
    if not folder:  # the package's own modules; each folder has its own bullet
        on_disk = {name for name in on_disk if name.endswith(".py")}
    assert named == on_disk
