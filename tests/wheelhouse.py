"""A wheelhouse rebuilt from the distributions installed in this interpreter.

``pip install --no-index --find-links WHEELHOUSE`` then installs the same versions into a
fresh environment (as pre-commit does for a hook) without asking any index: each installed
distribution's files, listed in its ``RECORD``, are zipped back into a wheel under the tag
its ``WHEEL`` file recorded.
"""

from __future__ import annotations

import os
import zipfile
from collections import deque
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

# Files the installer writes itself, and byte code it compiles: not part of a wheel.
_INSTALLER_FILES = {"INSTALLER", "REQUESTED", "direct_url.json"}


def requirement_closure(roots: list[str]) -> list[metadata.Distribution]:
    """The installed distributions ``roots`` (requirement strings) need, roots included."""
    wanted: deque[Requirement] = deque(Requirement(root) for root in roots)
    found: dict[str, metadata.Distribution] = {}
    extras_seen: dict[str, set[str]] = {}
    while wanted:
        requirement = wanted.popleft()
        key = canonicalize_name(requirement.name)
        extras = set(requirement.extras)
        if key in found and extras <= extras_seen[key]:
            continue
        dist = found.get(key) or metadata.distribution(requirement.name)
        found[key] = dist
        extras_seen[key] = extras_seen.get(key, set()) | extras
        for text in dist.requires or []:
            needed = Requirement(text)
            active = {""} | extras_seen[key]
            if needed.marker is None or any(
                needed.marker.evaluate({"extra": extra}) for extra in active
            ):
                wanted.append(needed)
    return list(found.values())


def rebuild_wheel(dist: metadata.Distribution, into: Path) -> Path:
    """Zip the installed ``dist`` back into a wheel in ``into``; return its path."""
    wheel_info = dist.read_text("WHEEL") or ""
    tags = [
        line.split(":", 1)[1].strip().split("-")
        for line in wheel_info.splitlines()
        if line.startswith("Tag:")
    ]
    # The compressed tag set of the file name: py2-none-any and py3-none-any: py2.py3-none-any.
    tag = "-".join(".".join(dict.fromkeys(part[i] for part in tags)) for i in range(3))
    name = canonicalize_name(dist.metadata["Name"]).replace("-", "_")
    path = into / f"{name}-{dist.version}-{tag}.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in dist.files or []:
            relative = file.as_posix()
            if relative.startswith("../") or "__pycache__" in relative:
                continue  # scripts pip writes into bin/, byte code it compiles
            if file.name in _INSTALLER_FILES:
                continue
            archive.write(Path(str(dist.locate_file(file))), relative)
    return path


def build_wheelhouse(roots: list[str], into: Path, *, skip: set[str]) -> Path:
    """A directory of wheels of ``roots`` and what they need, except the names in ``skip``."""
    into.mkdir(parents=True, exist_ok=True)
    for dist in requirement_closure(roots):
        if canonicalize_name(dist.metadata["Name"]) not in skip:
            rebuild_wheel(dist, into)
    return into


def pip_without_index(wheels: Path) -> dict[str, str]:
    """The environment that holds pip to ``wheels``: no index, not this machine's pip.conf."""
    return {"PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels)}


def this_project_wheelhouse(into: Path) -> Path:
    """What installing this project from its source needs (its build backend included)."""
    return build_wheelhouse(
        ["release-orchestrator", "hatchling"], into, skip={"release-orchestrator"}
    )


def environment_without(prefixes: tuple[str, ...]) -> dict[str, str]:
    """This process's environment less the variables whose names start with ``prefixes``."""
    return {name: value for name, value in os.environ.items() if not name.startswith(prefixes)}
