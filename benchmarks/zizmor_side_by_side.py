"""Side by side on the workflow corpus: what ``release doctor`` reports, and zizmor alone.

Run by hand (``python benchmarks/zizmor_side_by_side.py [--corpus DIR]``, zizmor installed
next to this interpreter: ``pip install -e '.[security]'``). Each publishing workflow of
``corpus/workflows`` is set up in a scratch project as ``benchmarks/corpus_report.py`` does
(whose helpers this script reuses), then:

- ``release doctor --tag v1.2.3 --json`` runs with the audit on; its own codes and the
  ``zizmor:<audit>`` codes it folded in are told apart;
- zizmor alone (``--offline --no-config --format=json``) runs on the same workflow files.

It prints, per workflow, the doctor's own codes, the zizmor codes the doctor folded in (the
publishing job's), and the codes zizmor alone reports, with a summary line last. Codes only;
it is a report, not a test, and copies corpus files only into temporary directories.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus_report import (
    DEFAULT_CORPUS,
    IGNORED,
    TAG,
    TIMEOUT_SECONDS,
    build_project,
    release_command,
    run_tool,
    sealed_env,
)

from release_orchestrator.core.checks.security import OURS_TOO

ZIZMOR = Path(sys.executable).parent / "zizmor"
PREFIX = "zizmor:"


@dataclass
class Row:
    """One workflow: the codes of each side (each code once per finding)."""

    file: str
    doctor: list[str] = field(default_factory=list)  # the doctor's own checks
    folded: list[str] = field(default_factory=list)  # zizmor's, for the publishing job
    alone: list[str] = field(default_factory=list)  # zizmor on the whole file(s)
    problem: str | None = None


def zizmor_alone(root: Path, env: Mapping[str, str]) -> tuple[list[str], str | None]:
    """The audit codes zizmor reports on every workflow file of the project."""
    files = sorted(str(p.relative_to(root)) for p in (root / ".github" / "workflows").iterdir())
    try:
        done = subprocess.run(
            [str(ZIZMOR), "--offline", "--no-config", "--format=json", "--no-exit-codes", *files],
            cwd=root,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
        items = json.loads(done.stdout)
    except (subprocess.TimeoutExpired, ValueError) as exc:
        return [], f"zizmor: {exc}"
    return [str(item["ident"]) for item in items if not item.get("ignored")], None


def compare(
    entry: Mapping[str, Any], by_file: Mapping[str, Mapping[str, Any]], corpus: Path
) -> Row:
    """Build the entry's scratch project and run both sides on it."""
    row = Row(file=str(entry["file"]))
    with tempfile.TemporaryDirectory(prefix="zizmor-side-by-side-") as scratch:
        root = Path(scratch) / "project"
        root.mkdir()
        build_project(root, entry, by_file, corpus)
        env = {**sealed_env(Path(scratch)), "RELEASE_ZIZMOR": str(ZIZMOR)}
        outcome = run_tool([*release_command(), "doctor", "--tag", TAG, "--json"], root, env)
        row.alone, row.problem = zizmor_alone(root, env)
    row.problem = outcome.problem or row.problem
    data = outcome.data or {}
    # zizmor's findings have a list of their own (``security``), present when there are any.
    for finding in (data.get("findings") or []) + (data.get("security") or []):
        code = str(finding.get("code"))
        if code.startswith(PREFIX):
            row.folded.append(code.removeprefix(PREFIX))
        elif code not in IGNORED:
            row.doctor.append(code)
    for note in data.get("notes") or []:
        if "zizmor" in str(note.get("message")):
            row.problem = str(note["message"])
    return row


def _codes(codes: list[str]) -> str:
    counted = Counter(codes)
    return ", ".join(f"{c} x{n}" if n > 1 else c for c, n in sorted(counted.items())) or "-"


def render(rows: list[Row]) -> str:
    """One block per workflow, then the summary line."""
    lines = []
    for row in rows:
        lines.append(row.file + (f"  [{row.problem}]" if row.problem else ""))
        lines.append(f"  release doctor         {_codes(row.doctor)}")
        lines.append(f"  folded from zizmor     {_codes(row.folded)}")
        lines.append(f"  zizmor alone           {_codes(row.alone)}")
    doctor = sum(len(r.doctor) for r in rows)
    folded = sum(len(r.folded) for r in rows)
    alone = sum(len(r.alone) for r in rows)
    both = sum(1 for r in rows if r.doctor and r.alone)
    only_doctor = sum(1 for r in rows if r.doctor and not r.alone)
    only_zizmor = sum(1 for r in rows if r.alone and not r.doctor)
    # The problems both report, which the doctor reports once (as its own): per pair of its
    # table, the workflows where zizmor alone flags the audit among those with our code.
    pairs = []
    for audit, ours in OURS_TOO.items():
        with_ours = [r for r in rows if ours & set(r.doctor)]
        also = sum(1 for r in with_ours if audit in r.alone)
        pairs.append(f"{'/'.join(sorted(ours))} ~ {audit} on {also}/{len(with_ours)}")
    lines.append("")
    lines.append(
        f"summary: {len(rows)} workflows; release doctor's own checks: {doctor} findings in "
        f"{sum(1 for r in rows if r.doctor)} workflows ({len({c for r in rows for c in r.doctor})}"
        f" codes); zizmor alone: {alone} findings in {sum(1 for r in rows if r.alone)} workflows "
        f"({len({c for r in rows for c in r.alone})} audits), of which {folded} "
        f"({100 * folded // max(alone, 1)}%) concern the publishing job and are folded in; "
        f"both report something on {both}, only the doctor on {only_doctor}, only zizmor on "
        f"{only_zizmor}; the same problem in both (reported once, as the doctor's): "
        f"{', '.join(pairs)}; {sum(1 for r in rows if r.problem)} with a problem"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Compare every publishing workflow of the corpus; 0 always, 2 without corpus or zizmor."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, metavar="DIR")
    args = parser.parse_args(argv)
    corpus: Path = args.corpus
    if not ZIZMOR.is_file():
        print(f"zizmor_side_by_side: no zizmor at {ZIZMOR}", file=sys.stderr)
        return 2
    try:
        entries = json.loads((corpus / "workflows" / "index.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"zizmor_side_by_side: cannot read the corpus at {corpus}: {exc}", file=sys.stderr)
        return 2
    by_file = {str(entry["file"]): entry for entry in entries}
    publishing = [e for e in entries if e.get("role") != "companion"]
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        rows = list(pool.map(lambda e: compare(e, by_file, corpus), publishing))
    print(render(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
