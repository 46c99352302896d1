"""README's code tables describe the code: exit codes, explain's failure codes, doctor's codes.

Each table is parsed from README.md and compared with what the source declares or emits,
so that a new code (or a renamed one) cannot ship undocumented. The doctor's codes are read
from its modules' source, not listed here, because its checks are string literals spread over
the check functions.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from release_orchestrator.core.explain.rules import RULES
from release_orchestrator.errors import ExitCode

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "release_orchestrator"
README = (ROOT / "README.md").read_text(encoding="utf-8")
KEBAB = re.compile(r"^[a-z]+(?:-[a-z]+)+$")


def table(heading: str, header: str) -> list[list[str]]:
    """The rows of the first table whose header row starts with ``header``, below ``heading``."""
    section = README[README.index(heading) :]
    lines = section.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows: list[list[str]] = []
    for line in lines[start + 2 :]:  # past the header and the |---| line
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    assert rows, f"README has no table {header!r} under {heading!r}"
    return rows


def _code(cell: str) -> str:
    return cell.strip("`")


def doctor_modules() -> list[Path]:
    """Where the doctor's checks live: the command and the check modules of the core."""
    paths = sorted((PACKAGE / "core" / "checks").rglob("*.py"))
    command = PACKAGE / "commands" / "doctor.py"
    return [*paths, command] if command.exists() else paths


def _callee(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def doctor_emitted_codes() -> set[str]:
    """The codes passed to ``Finding(…)`` or a ``….add(…)`` of findings in the doctor's code."""
    codes: set[str] = set()
    for path in doctor_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = _callee(node.func)
            if name not in ("Finding", "add") and "finding" not in name.lower():
                continue
            candidates = [*node.args[:1], *(k.value for k in node.keywords if k.arg == "code")]
            codes |= {
                c.value
                for c in candidates
                if isinstance(c, ast.Constant) and isinstance(c.value, str) and KEBAB.match(c.value)
            }
    return codes


def doctor_string_constants() -> set[str]:
    """Every string literal in the doctor's modules (wherever a code may be declared)."""
    return {
        node.value
        for path in doctor_modules()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def test_exit_code_table_matches_exit_codes() -> None:
    documented = {int(row[0]) for row in table("## Exit codes", "| code | meaning |")}
    assert documented == {int(code) for code in ExitCode}


def test_failure_code_table_matches_the_explain_rules() -> None:
    rows = table("### `release explain", "| code | what it means |")
    documented = {_code(row[0]): row[1] for row in rows}
    titles = {rule.code: rule.title for rule in RULES}
    assert set(documented) == set(titles)
    assert len(rows) == len(documented), "a failure code is listed twice"
    # README may qualify a title ("… for another reason"), never contradict it.
    wrong = {code for code, text in documented.items() if not text.startswith(titles[code])}
    assert not wrong, f"README's meaning does not start with the rule's title for {sorted(wrong)}"


def test_finding_code_table_matches_the_doctor() -> None:
    rows = table("### `release doctor`", "| code | severity | blocks `cut` | what it catches |")
    documented = {_code(row[0]) for row in rows}
    assert len(rows) == len(documented), "a finding code is listed twice"
    emitted = doctor_emitted_codes()
    assert emitted, "found no finding code in the doctor's modules: update doctor_emitted_codes"
    assert emitted <= documented, f"undocumented doctor codes: {sorted(emitted - documented)}"
    missing = documented - doctor_string_constants()
    assert not missing, f"README lists codes the doctor does not have: {sorted(missing)}"


def test_finding_severities_are_error_or_warning() -> None:
    rows = table("### `release doctor`", "| code | severity | blocks `cut` | what it catches |")
    assert {row[1].split()[0] for row in rows} <= {"error", "warning"}
