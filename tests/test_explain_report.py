"""The report: JSON shape, human rendering, ordering, precise causes, redaction, the table."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from release_orchestrator.commands.explain import explain_logs
from release_orchestrator.core.explain import RULES
from release_orchestrator.core.publisher import Publisher
from release_orchestrator.render.explain import render_text

LOGS = Path(__file__).parent / "fixtures" / "logs"
SEED = LOGS / "seed-anomaly-detection-toolkit.log"
SEED_PUBLISHER = Publisher("kylejones200", "anomaly-detection-toolkit", "release.yml", "pypi")

ISSUE_CODES = {
    "invalid-publisher", "invalid-pending-publisher", "reusable-workflow", "custom-oidc-subject",
    "pull-request-target", "missing-id-token-permission", "fork-pull-request",
    "empty-password-secret", "trusted-publishing-failed", "invalid-token", "invalid-reuse-token",
    "not-enabled", "project-name-rejected", "file-already-exists", "non-user-identity",
    "upload-forbidden", "invalid-credentials", "password-auth-disabled",
    "outdated-publish-tooling", "invalid-metadata", "unsupported-platform-tag",
    "invalid-filename", "attestation-failure", "too-many-new-projects", "index-unavailable",
    "unsupported-runner", "audience-failure", "no-distributions", "upload-rejected",
    "step-failed",
}  # fmt: skip


# the rules table


def test_the_table_has_exactly_the_issue_codes() -> None:
    codes = [rule.code for rule in RULES]
    assert len(codes) == len(set(codes))
    assert set(codes) == ISSUE_CODES


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_rule_entry_is_complete(rule: object) -> None:
    from release_orchestrator.core.explain.rules import Rule

    assert isinstance(rule, Rule)
    assert rule.title and rule.fix
    assert one_sentence(rule.cause)
    assert rule.docs is None or rule.docs.startswith("https://")
    assert all(phrase == phrase.lower() for phrase in rule.phrases)
    assert all(one_sentence(variant.cause) for variant in rule.variants)


def one_sentence(text: str) -> bool:
    return text.endswith(".") and ". " not in text.replace("e.g. ", "")


# JSON


def test_json_is_exactly_the_issue_object_for_the_seed_case() -> None:
    report = explain_logs([SEED], SEED_PUBLISHER, "pyproject.toml [tool.release.pypi]")
    data = json.loads(json.dumps(report.to_json()))
    assert list(data) == [
        "source",
        "findings",
        "claims",
        "checklist",
        "publisher_form",
        "publisher_form_url",
    ]
    assert data["source"] == "pyproject.toml [tool.release.pypi]"
    (finding,) = data["findings"]
    assert list(finding) == ["code", "severity", "title", "cause", "fix", "docs"]
    assert finding["code"] == "invalid-publisher"
    assert finding["severity"] == "error"
    assert "environment 'pypi'" in finding["cause"] and "MISSING" in finding["cause"]
    assert finding["fix"][0].startswith("Add `environment: pypi` to the publishing job")
    assert data["claims"]["repository"] == "kylejones200/anomaly-detection-toolkit"
    assert data["claims"]["environment"] is None
    assert [(i["field"], i["ok"]) for i in data["checklist"]] == [
        ("owner", True),
        ("repository", True),
        ("workflow", True),
        ("environment", False),
    ]
    assert data["checklist"][3] == {
        "field": "environment",
        "publisher": "pypi",
        "token": None,
        "ok": False,
        "note": data["checklist"][3]["note"],
    }
    assert data["publisher_form"] == {
        "owner": "kylejones200",
        "repository": "anomaly-detection-toolkit",
        "workflow": "release.yml",
        "environment": "",
    }


def test_the_form_link_is_the_projects_page_filled_in_from_the_token() -> None:
    report = explain_logs([SEED], SEED_PUBLISHER, "pyproject.toml", "anomaly-detection-toolkit")
    url = (
        "https://pypi.org/manage/project/anomaly-detection-toolkit/settings/publishing/"
        "?provider=github&owner=kylejones200&repository=anomaly-detection-toolkit"
        "&workflow_filename=release.yml"  # the job has no environment: left empty (Any)
    )
    assert report.to_json()["publisher_form_url"] == url
    assert f"  Filled in: {url}\n" in render_text(report)


def test_no_project_name_no_form_link() -> None:
    report = explain_logs([SEED], SEED_PUBLISHER, "pyproject.toml")
    assert report.to_json()["publisher_form_url"] is None
    assert "Filled in:" not in render_text(report)


def test_json_without_claims_has_nulls_and_an_empty_checklist() -> None:
    report = explain_logs([LOGS / "twine-file-exists.log"], None, "none")
    data = report.to_json()
    assert data["claims"] is None
    assert data["checklist"] == []
    assert data["publisher_form"] is None


def test_json_for_unknown_text() -> None:
    data = explain_logs([b"hello\nworld\n"], None, "none").to_json()
    assert data["findings"] == [] and data["claims"] is None


# precise causes from the checklist


def test_environment_differs_from_the_publisher() -> None:
    report = explain_logs([LOGS / "action-environment-mismatch.log"], SEED_PUBLISHER, "options")
    finding = report.findings[0]
    assert "'pypi'" in finding.cause and "'release'" in finding.cause
    assert "Set the job's `environment:` to 'pypi'" in finding.fix[0]


def test_several_fields_differ() -> None:
    wrong = Publisher("kylejones200", "Anomaly-Detection-Toolkit", "publish.yml", "pypi")
    report = explain_logs([SEED], wrong, "options")
    assert report.findings[0].cause == (
        "The job's repository, workflow and environment differ from PyPI's publisher "
        "(see the checklist)."
    )
    assert len(report.findings[0].fix) == 4


def test_case_only_repository_difference_is_explained() -> None:
    # PyPI stored the owner as GitHub spells it; the repository name as typed.
    wrong = Publisher("pyOpenSci", "pyosmeta", "publish-pypi.yml", "")
    report = explain_logs([LOGS / "action-v1.10-invalid-publisher.log"], wrong, "options")
    assert "only in case" in report.findings[0].cause
    assert "'pyosMeta'" in report.findings[0].fix[0]


def test_everything_matches_points_elsewhere() -> None:
    right = Publisher("kylejones200", "anomaly-detection-toolkit", "release.yml", "")
    report = explain_logs([SEED], right, "options")
    assert "Every field PyPI compares matches" in report.findings[0].cause


def test_publisher_on_the_other_index() -> None:
    on_pypi = Publisher("aio-libs", "propcache", "ci-cd.yml", "pypi", index="pypi")
    report = explain_logs([LOGS / "action-v1.8-invalid-publisher.log"], on_pypi, "options")
    assert report.index == "testpypi"
    assert "TestPyPI" in report.findings[0].cause and "separate" in report.findings[0].cause
    assert all("test.pypi.org" in step or "pypi.org" not in step for step in report.findings[0].fix)


def test_host_follows_the_index() -> None:
    report = explain_logs([LOGS / "twine-invalid-credentials.log"], None, "none")
    assert "test.pypi.org" in report.findings[0].fix[0]


# ordering and pruning


def test_root_cause_first_and_generic_codes_dropped() -> None:
    report = explain_logs([LOGS / "empty-password-secret.log"], None, "none")
    assert [f.code for f in report.findings] == [
        "empty-password-secret",
        "missing-id-token-permission",
    ]


def test_specific_refusal_beats_the_generic_exchange_failure() -> None:
    report = explain_logs([SEED], None, "none")
    assert "trusted-publishing-failed" not in [f.code for f in report.findings]


def test_reusable_warning_alone_is_a_warning() -> None:
    text = (LOGS / "action-reusable-workflow.log").read_text()
    warning_only = text.split("##[error]Trusted publishing exchange failure")[0]
    report = explain_logs([warning_only.encode()], None, "none")
    assert [(f.code, f.severity) for f in report.findings] == [("reusable-workflow", "warning")]


def test_reusable_workflow_found_from_the_claims_alone() -> None:
    text = (LOGS / "action-reusable-workflow.log").read_text()
    refusal_only = (
        "##[error]Trusted publishing exchange failure"
        + text.split("##[error]Trusted publishing exchange failure")[1]
    )
    report = explain_logs([refusal_only.encode()], None, "none")
    first = report.findings[0]
    assert (first.code, first.severity) == ("reusable-workflow", "error")


# redaction


def test_tokens_in_log_excerpts_are_masked() -> None:
    secret = "pypi-AgEIcHlwaS5vcmcCJDAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMAAC"
    log = (
        f"##[error]Something odd with {secret}\n"
        "ERROR    HTTPError: 403 Forbidden from https://upload.pypi.org/legacy/\n"
        f"         Invalid or non-existent authentication information for {secret}.\n"
    ).encode()
    report = explain_logs([log], None, "none")
    text = render_text(report) + json.dumps(report.to_json())
    assert secret not in text
    assert all(secret not in line for line in report.error_lines)
    assert report.findings[0].evidence is not None and "***" in report.findings[0].evidence


# human rendering


def test_human_rendering_of_the_seed_case() -> None:
    report = explain_logs([SEED], SEED_PUBLISHER, "pyproject.toml [tool.release.pypi]")
    text = render_text(report)
    first = text.splitlines()[0]
    assert first.startswith("Cause: The publisher requires environment 'pypi'")
    assert "Checklist (PyPI publisher from pyproject.toml [tool.release.pypi]" in text
    assert re.search(r"environment\s+pypi\s+\(none\)\s+✗", text)
    assert re.search(r"owner\s+kylejones200\s+kylejones200\s+✓", text)
    assert "Fix:\n  1. Add `environment: pypi`" in text
    assert re.search(r"Workflow name\s+release\.yml", text)
    assert re.search(r"Environment name\s+\(leave empty: any environment\)", text)
    assert "https://docs.pypi.org/trusted-publishers/troubleshooting/" in text


def test_human_rendering_without_publisher_lists_what_pypi_compares() -> None:
    text = render_text(explain_logs([SEED], None, "none"))
    assert "no PyPI publisher given" in text
    assert "compares the repository name exactly" in text


def test_human_rendering_of_unknown_text() -> None:
    text = render_text(explain_logs([LOGS / "unknown-failure.log"], None, "none"))
    assert text.startswith("No known publishing failure found")
    assert "Last error lines in the log:\n  Something unexpected happened" in text


def test_human_rendering_of_nothing_at_all() -> None:
    text = render_text(explain_logs([b"all good\n"], None, "none"))
    assert "The log shows no error lines." in text


def test_also_found_lists_the_other_findings() -> None:
    text = render_text(explain_logs([LOGS / "empty-password-secret.log"], None, "none"))
    assert "Also found:\n  - [error] missing-id-token-permission:" in text


# startup cost


def test_explain_imports_no_heavy_library() -> None:
    code = (
        "import sys\n"
        "import release_orchestrator.core.explain, release_orchestrator.core.publisher\n"
        "heavy = [m for m in ('github', 'git', 'rich', 'typer') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_a_check_pypi_named_wins_over_an_all_green_checklist() -> None:
    text = SEED.read_text().replace(
        "(Publisher with matching claims was not found)",
        "(Check failed for required claim 'repository_owner_id')",
    )
    right = Publisher("kylejones200", "anomaly-detection-toolkit", "release.yml", "")
    report = explain_logs([text.encode()], right, "options")
    assert "numeric id changed" in report.findings[0].cause
