"""A wheelhouse rebuilt from the distributions installed in this interpreter.

``pip install --no-index --find-links WHEELHOUSE`` then installs the same versions into a
fresh environment (as pre-commit does for a hook) without asking any index: each installed
distribution's files, listed in its ``RECORD``, are zipped back into a wheel under the tag
its ``WHEEL`` file recorded, with a ``RECORD`` of what the wheel holds.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import sysconfig
import zipfile
from collections import deque
from collections.abc import Sequence
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


def _archived_name(dist: metadata.Distribution, file: metadata.PackagePath) -> str | None:
    """Where ``file`` of the installed ``dist`` goes in its wheel, or None when it stays out."""
    relative = file.as_posix()
    if "__pycache__" in relative or file.name in _INSTALLER_FILES:
        return None  # byte code pip compiles, files it writes itself
    if not relative.startswith("../"):
        return relative
    # Outside site-packages: a script. One pip generates from an entry point stays out (pip
    # writes it again); any other (zizmor's binary, for one) is the wheel's own, and goes
    # back where a wheel carries its scripts.
    located = Path(str(dist.locate_file(file))).resolve()
    if located.parent != Path(sysconfig.get_path("scripts")).resolve():
        return None
    generated = {e.name for e in dist.entry_points if e.group in ("console_scripts", "gui_scripts")}
    if file.name in generated:
        return None
    name = canonicalize_name(dist.metadata["Name"]).replace("-", "_")
    return f"{name}-{dist.version}.data/scripts/{file.name}"


def _record(entries: Sequence[tuple[str, bytes]], record: str) -> str:
    """The wheel's ``RECORD``: each file's sha256 and size, then the RECORD's own row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for name, data in entries:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        writer.writerow([name, f"sha256={digest}", len(data)])
    writer.writerow([record, "", ""])
    return out.getvalue()


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
    record = f"{name}-{dist.version}.dist-info/RECORD"
    entries: list[tuple[str, bytes]] = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in dist.files or []:
            archived = _archived_name(dist, file)
            if archived is None or archived.endswith(".dist-info/RECORD"):
                continue
            source = Path(str(dist.locate_file(file)))
            entries.append((archived, source.read_bytes()))
            # A script keeps its mode (zizmor's binary must stay executable).
            info = zipfile.ZipInfo.from_file(source, archived)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entries[-1][1])
        archive.writestr(record, _record(entries, record))
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


def this_project_wheelhouse(into: Path, extras: Sequence[str] = ()) -> Path:
    """What installing this project from its source needs (its build backend included), with
    what its ``extras`` add.
    """
    project = f"release-orchestrator[{','.join(extras)}]" if extras else "release-orchestrator"
    return build_wheelhouse([project, "hatchling"], into, skip={"release-orchestrator"})


def environment_without(prefixes: tuple[str, ...]) -> dict[str, str]:
    """This process's environment less the variables whose names start with ``prefixes``."""
    return {name: value for name, value in os.environ.items() if not name.startswith(prefixes)}
