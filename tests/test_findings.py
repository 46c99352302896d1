"""The doctor's and explain's findings share one vocabulary: a code, a severity, first in JSON."""

from __future__ import annotations

from release_orchestrator.core import findings
from release_orchestrator.core.checks.facts import finding
from release_orchestrator.core.explain.report import Finding as ExplainFinding


def test_both_findings_are_one_kind_and_their_json_starts_alike() -> None:
    doctor = finding("no-id-token", "error", (".github/workflows/publish.yml", 3), "m", "f")
    explain = ExplainFinding("invalid-publisher", "warning", "t", "c", ("step",), None)
    for found in (doctor, explain):
        assert isinstance(found, findings.Finding)
        assert list(found.to_json())[:2] == ["code", "severity"]
    assert doctor.to_json()["file"] == ".github/workflows/publish.yml"
    assert explain.to_json()["fix"] == ["step"]
