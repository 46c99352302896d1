"""Grade ``release doctor`` and ``release explain`` on the real-world corpus, and report.

Run by hand (``python benchmarks/corpus_report.py [--corpus DIR]``; the default is
``shared/corpus`` next to the project's directory). The corpus holds publishing workflows
and failure logs from public repositories, each labelled with what a correct tool reports;
its READMEs say how an entry is graded, and this script follows them to the letter. It
prints one row per entry with its misses and false positives, then, as its last line, the
score. It is a report, not a test: it exits 0 whatever the score (2 when the corpus is
missing), and it never copies corpus content anywhere but a temporary directory.

The tool is driven only through its command line (the console script next to
``sys.executable``, else ``python -m release_orchestrator``), so the report keeps working
while the package's modules move. Nothing reaches the network: PyPI's JSON API and the
GitHub API are pointed at a closed local port, no GitHub token is passed on, and git reads
no user or system configuration.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TAG = "v1.2.3"
VERSION = "1.2.3"
# Codes the corpus README says to ignore: they depend on PyPI's answer or on dist/.
IGNORED = frozenset({"version-mismatch", "version-already-published", "index-unreachable"})
# A closed port: every look-up fails at once instead of waiting for a timeout.
CLOSED = "http://127.0.0.1:9"
TIMEOUT_SECONDS = 60
DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
# Variables that would hand the tool a GitHub token or another API.
_DROPPED_ENV = ("GH_TOKEN", "GITHUB_TOKEN", "GH_ENTERPRISE_TOKEN", "GH_HOST")


@dataclass(frozen=True)
class Outcome:
    """What one run of the tool gave: its exit code, parsed JSON (if any) and stderr."""

    returncode: int
    data: dict[str, Any] | None
    stderr: str

    @property
    def problem(self) -> str | None:
        """Why the run cannot be scored as the README's contract says, or None."""
        if self.data is None:
            last = self.stderr.strip().splitlines()[-1:] or ["no JSON on stdout"]
            return f"exit {self.returncode}: {last[0][:120]}"
        return None


@dataclass
class DoctorGrade:
    """One workflow entry, graded."""

    file: str
    missed: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)  # "code (severity)"
    problem: str | None = None

    @property
    def right(self) -> bool:
        """Every expected code reported, nothing else, and the run itself worked."""
        return self.problem is None and not self.missed and not self.false_positives


@dataclass
class ExplainGrade:
    """One log entry, graded."""

    file: str
    expected: list[str]
    primary: str | None = None
    has_claims: bool = False
    wrong_claims: list[str] = field(default_factory=list)  # "key: got X, want Y"
    problem: str | None = None

    @property
    def strict(self) -> bool:
        """The first finding is the most likely expected code."""
        return self.problem is None and self.primary == self.expected[0]

    @property
    def lenient(self) -> bool:
        """The first finding is one of the accepted codes."""
        return self.problem is None and self.primary in self.expected

    @property
    def claims_exact(self) -> bool:
        """Every labelled claim has exactly the labelled value."""
        return self.problem is None and not self.wrong_claims


# --- running the tool --------------------------------------------------------------------


def release_command() -> list[str]:
    """The tool's command line: the venv's ``release`` script, else ``python -m``."""
    script = Path(sys.executable).parent / "release"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "release_orchestrator"]


def sealed_env(scratch: Path) -> dict[str, str]:
    """The environment for the tool and git: no token, no network, no user git config."""
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    git_config = scratch / "gitconfig"
    git_config.write_text("", encoding="utf-8")
    gh_config = scratch / "gh"
    gh_config.mkdir(exist_ok=True)
    env.update(
        {
            "RELEASE_PYPI_URL": CLOSED,
            "GITHUB_API_URL": CLOSED,
            "GH_CONFIG_DIR": str(gh_config),  # so `gh auth token` finds no login
            "GIT_CONFIG_GLOBAL": str(git_config),  # no insteadOf rewrites, no hooks
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_AUTHOR_NAME": "corpus",
            "GIT_AUTHOR_EMAIL": "corpus@example.invalid",
            "GIT_COMMITTER_NAME": "corpus",
            "GIT_COMMITTER_EMAIL": "corpus@example.invalid",
            "NO_COLOR": "1",
        }
    )
    return env


def run_tool(command: Sequence[str], cwd: Path, env: Mapping[str, str]) -> Outcome:
    """Run the tool, parse its one JSON object; a crash or a hang is an outcome too."""
    try:
        done = subprocess.run(
            list(command),
            cwd=cwd,
            env=dict(env),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Outcome(-1, None, f"timed out after {TIMEOUT_SECONDS} s")
    data: dict[str, Any] | None = None
    try:
        parsed = json.loads(done.stdout)
        if isinstance(parsed, dict):
            data = parsed
    except ValueError:
        pass
    return Outcome(done.returncode, data, done.stderr)


def _git(args: Sequence[str], cwd: Path, env: Mapping[str, str]) -> None:
    subprocess.run(
        ["git", *args], cwd=cwd, env=dict(env), check=True, capture_output=True, timeout=30
    )


# --- doctor ------------------------------------------------------------------------------


def _toml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string


def pyproject_text(entry: Mapping[str, Any]) -> str:
    """The scratch project's pyproject.toml, as the workflows README describes it."""
    owner, repository = str(entry["source_repo"]).split("/", 1)
    environment = entry.get("job_environment") or ""
    lines = [
        "[project]",
        'name = "corpus-entry"',
        f"version = {_toml_string(VERSION)}",
        "",
        "[tool.release]",
    ]
    if entry.get("mode") == "release":
        lines.append("github-release = true")
    lines += [
        "",
        "[tool.release.pypi]",
        f"owner = {_toml_string(owner)}",
        f"repository = {_toml_string(repository)}",
        f"workflow = {_toml_string(str(entry['workflow_filename']))}",
        f"environment = {_toml_string(str(environment))}",
        'index = "pypi"',
        "",
    ]
    return "\n".join(lines)


def build_project(
    root: Path, entry: Mapping[str, Any], by_file: Mapping[str, Mapping[str, Any]], corpus: Path
) -> None:
    """A git repository with the entry's workflow file(s), its publisher and its remote."""
    env = sealed_env(root.parent)
    workflows = root / ".github" / "workflows"
    workflows.mkdir(parents=True)
    for name in [entry["file"], *entry.get("graded_with", [])]:
        source = by_file[name]
        shutil.copyfile(corpus / "workflows" / name, workflows / str(source["workflow_filename"]))
    (root / "pyproject.toml").write_text(pyproject_text(entry), encoding="utf-8")
    _git(["init", "-q", "-b", "main"], root, env)
    _git(["remote", "add", "origin", f"https://github.com/{entry['source_repo']}.git"], root, env)
    _git(["add", "-A"], root, env)
    _git(["commit", "-q", "-m", "corpus entry"], root, env)


def grade_doctor(
    entry: Mapping[str, Any], by_file: Mapping[str, Mapping[str, Any]], corpus: Path
) -> DoctorGrade:
    """Build the scratch project, run ``release doctor --tag v1.2.3 --json`` and score it."""
    grade = DoctorGrade(file=str(entry["file"]))
    with tempfile.TemporaryDirectory(prefix="corpus-doctor-") as scratch:
        root = Path(scratch) / "project"
        root.mkdir()
        try:
            build_project(root, entry, by_file, corpus)
        except (OSError, subprocess.SubprocessError, KeyError) as exc:
            grade.problem = f"could not build the scratch project: {exc}"
            return grade
        outcome = run_tool(
            [*release_command(), "doctor", "--tag", TAG, "--json"], root, sealed_env(Path(scratch))
        )
    grade.problem = outcome.problem
    if outcome.data is None:
        return grade
    if outcome.returncode not in (0, 3):
        grade.problem = f"exit {outcome.returncode} (the contract says 0 or 3)"
    reported: dict[str, str] = {}
    for finding in outcome.data.get("findings") or []:
        code = str(finding.get("code"))
        if code not in IGNORED:
            reported.setdefault(code, str(finding.get("severity")))
    expected = set(entry.get("expected_errors", [])) | set(entry.get("expected_warnings", []))
    ambiguous = set(entry.get("ambiguous_codes", []))
    grade.missed = sorted(expected - set(reported))
    grade.false_positives = [
        f"{code} ({severity})"
        for code, severity in sorted(reported.items())
        if code not in expected and code not in ambiguous
    ]
    return grade


# --- explain -----------------------------------------------------------------------------


def grade_explain(entry: Mapping[str, Any], corpus: Path) -> ExplainGrade:
    """Run ``release explain --log FILE --json`` outside any project and score it."""
    expected = [str(code) for code in entry.get("expected_codes", [])]
    grade = ExplainGrade(file=str(entry["file"]), expected=expected)
    log = (corpus / "logs" / grade.file).resolve()
    with tempfile.TemporaryDirectory(prefix="corpus-explain-") as scratch:
        cwd = Path(scratch) / "empty"  # no pyproject.toml, no git: the log alone decides
        cwd.mkdir()
        outcome = run_tool(
            [*release_command(), "explain", "--log", str(log), "--json"],
            cwd,
            sealed_env(Path(scratch)),
        )
    grade.problem = outcome.problem
    if outcome.data is None:
        return grade
    if outcome.returncode != 0:
        grade.problem = f"exit {outcome.returncode} (a log that was analysed exits 0)"
    findings = outcome.data.get("findings") or []
    grade.primary = str(findings[0].get("code")) if findings else None
    labelled: Mapping[str, Any] = entry.get("claims") or {}
    grade.has_claims = bool(labelled)
    found = outcome.data.get("claims") or {}
    for key, want in labelled.items():
        got = found.get(key)
        if got != want:
            grade.wrong_claims.append(f"{key}: got {got!r}, want {want!r}")
    return grade


# --- report ------------------------------------------------------------------------------


def _table(rows: list[tuple[str, str, str, str]], header: tuple[str, str, str, str]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
    lines = []
    for row in [header, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)]
        lines.append("  ".join([*cells, row[3]]).rstrip())
    return "\n".join(lines)


def render(doctor: list[DoctorGrade], explain: list[ExplainGrade]) -> str:
    """The report: one row per entry, the no-finding logs, the scores; the score line last."""
    doctor_rows = [
        (
            grade.file,
            "ok" if grade.right else "WRONG",
            ", ".join(grade.missed) or "-",
            grade.problem or ", ".join(grade.false_positives) or "-",
        )
        for grade in doctor
    ]
    explain_rows = [
        (
            grade.file,
            "ok" if grade.strict else ("lenient" if grade.lenient else "WRONG"),
            f"{grade.primary or '(no finding)'} / want {'|'.join(grade.expected)}",
            grade.problem or "; ".join(grade.wrong_claims) or "-",
        )
        for grade in explain
    ]
    fp_errors = sum(1 for g in doctor for fp in g.false_positives if fp.endswith("(error)"))
    silent = [g.file for g in explain if g.problem is None and g.primary is None]
    doctor_right = sum(g.right for g in doctor)
    strict = sum(g.strict for g in explain)
    lenient = sum(g.lenient for g in explain)
    with_claims = [g for g in explain if g.has_claims]
    exact = sum(g.claims_exact for g in with_claims)
    sections = [
        "release doctor on corpus/workflows (missed = expected code not reported)",
        _table(doctor_rows, ("workflow", "result", "missed", "false positives / problem")),
        "",
        "release explain on corpus/logs (first finding / accepted codes, most likely first)",
        _table(explain_rows, ("log", "result", "primary code", "wrong claims / problem")),
        "",
        "logs with no finding at all: " + (", ".join(silent) or "none"),
        f"doctor false positives of severity error: {fp_errors}",
        f"explain primary code: strict {strict}/{len(explain)}, lenient {lenient}/{len(explain)}",
        f"doctor: {doctor_right}/{len(doctor)} workflows right; explain: {lenient}/{len(explain)} "
        f"logs right (primary code), {exact}/{len(with_claims)} claim sets exact",
    ]
    return "\n".join(sections)


def _load_index(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise TypeError(f"{path} is not a JSON list")
    return [entry for entry in data if isinstance(entry, dict)]


def main(argv: Sequence[str] | None = None) -> int:
    """Grade every corpus entry and print the report; 0 always, 2 when the corpus is missing."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, metavar="DIR")
    args = parser.parse_args(argv)
    corpus: Path = args.corpus
    try:
        workflows = _load_index(corpus / "workflows" / "index.json")
        logs = _load_index(corpus / "logs" / "index.json")
    except (OSError, ValueError, TypeError) as exc:
        print(f"corpus_report: cannot read the corpus at {corpus}: {exc}", file=sys.stderr)
        return 2
    by_file = {str(entry["file"]): entry for entry in workflows}
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        doctor_jobs = [pool.submit(grade_doctor, e, by_file, corpus) for e in workflows]
        explain_jobs = [pool.submit(grade_explain, e, corpus) for e in logs]
        doctor = [job.result() for job in doctor_jobs]
        explain = [job.result() for job in explain_jobs]
    print(render(doctor, explain))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
