"""One fixture per rule and per client format (tests/fixtures/logs, sources cited in each).

Each fixture is a log built from the exact message templates of the tool that prints it;
the expected codes are listed root cause first.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from release_orchestrator.commands.explain import explain_logs
from release_orchestrator.core.explain import RULES
from release_orchestrator.core.explain.normalize import clean
from release_orchestrator.core.explain.rules import ANCHORS
from release_orchestrator.core.explain.scan import Scanner
from release_orchestrator.core.explain.sieve import LineSieve

LOGS = Path(__file__).parent / "fixtures" / "logs"

# fixture -> expected finding codes, most likely first
EXPECTED: dict[str, list[str]] = {
    # trusted publishing, gh-action-pypi-publish in each format it has printed
    "seed-anomaly-detection-toolkit.log": ["invalid-publisher"],
    "action-environment-mismatch.log": ["invalid-publisher"],
    "action-v1.8-invalid-publisher.log": ["invalid-publisher"],
    "action-v1.10-invalid-publisher.log": ["invalid-publisher"],
    "action-reusable-workflow.log": ["reusable-workflow", "invalid-publisher"],
    "invalid-pending-publisher.log": ["invalid-pending-publisher"],
    "invalid-reuse-token.log": ["invalid-reuse-token"],
    "invalid-token.log": ["invalid-token"],
    "not-enabled.log": ["not-enabled"],
    "not-enabled-audience.log": ["not-enabled"],
    "audience-failure.log": ["audience-failure"],
    "project-name-rejected.log": ["project-name-rejected"],
    "index-unavailable.log": ["index-unavailable"],
    "trusted-publishing-failed.log": ["trusted-publishing-failed"],
    "pull-request-target.log": ["pull-request-target"],
    "missing-id-token.log": ["missing-id-token-permission"],
    "fork-pull-request.log": ["fork-pull-request"],
    "empty-password-secret.log": ["empty-password-secret", "missing-id-token-permission"],
    "unsupported-runner.log": ["unsupported-runner"],
    "unsupported-runner-docker.log": ["unsupported-runner"],
    "attestation-failure.log": ["attestation-failure"],
    "attestation-reusable-identity.log": ["reusable-workflow", "attestation-failure"],
    "claims-block-by-hand.log": ["invalid-publisher"],
    "runner-unresolved-action.log": ["step-failed"],
    "twine-connection-failed.log": ["index-unavailable"],
    "twine-unknown-distribution-format.log": ["invalid-filename"],
    "twine-upload-cut-off.log": ["index-unavailable"],
    "twine-upload-url-not-an-endpoint.log": ["upload-rejected"],
    "no-distributions.log": ["no-distributions"],
    "password-auth-disabled.log": ["password-auth-disabled"],
    "action-reusable-warning-only.log": ["reusable-workflow"],
    "action-v1.8-empty-secret-fallback.log": [
        "empty-password-secret",
        "missing-id-token-permission",
    ],
    "action-summary-claims.log": ["invalid-publisher"],
    "reason-line-only-invalid-payload.log": ["project-name-rejected"],
    "reason-line-only-wrapped-filename.log": ["invalid-filename"],
    "reason-line-only-local-version.log": ["invalid-metadata"],
    "html-body-description-render.log": ["invalid-metadata"],
    "poetry-401-private-index.log": ["invalid-credentials"],
    "twine-verbose-response-cut.log": ["upload-rejected"],
    "twine-old-not-allowed.log": ["upload-forbidden"],
    "twine-empty-password.log": ["empty-password-secret"],
    # uv publish
    "uv-invalid-publisher.log": ["invalid-publisher"],
    "uv-old-invalid-publisher.log": ["invalid-publisher"],
    "uv-custom-sub.log": ["custom-oidc-subject"],
    "uv-missing-id-token.log": ["missing-id-token-permission"],
    "uv-file-exists.log": ["file-already-exists"],
    "uv-password-auth.log": ["password-auth-disabled"],
    "uv-upload-forbidden.log": ["upload-forbidden"],
    "uv-missing-credentials.log": ["trusted-publishing-failed"],
    # twine, poetry, maturin, hatch
    "twine-file-exists.log": ["file-already-exists"],
    "twine-invalid-credentials.log": ["invalid-credentials"],
    "twine-upload-rejected.log": ["upload-rejected"],
    "twine-bare-httperror-file-exists.log": ["file-already-exists"],
    "twine-bare-httperror-invalid-credentials.log": ["invalid-credentials"],
    "twine-filename-already-used.log": ["file-already-exists"],
    "twine-legacy-pypi-file-exists.log": ["file-already-exists"],
    "twine-verbose-html-body.log": ["invalid-credentials"],
    "twine-429-new-project.log": ["too-many-new-projects"],
    "hatch-upload-rejected.log": ["upload-rejected"],
    "hatch-429-new-project.log": ["too-many-new-projects"],
    "ratelimit-header-new-projects.log": ["too-many-new-projects"],
    "poetry-file-exists.log": ["file-already-exists"],
    "maturin-file-exists.log": ["file-already-exists"],
    "non-user-identity.log": ["non-user-identity"],
    "too-many-new-projects.log": ["too-many-new-projects"],
    "unsupported-platform-tag.log": ["unsupported-platform-tag"],
    "invalid-filename.log": ["invalid-filename"],
    "outdated-twine-metadata.log": ["outdated-publish-tooling"],
    "outdated-license-file.log": ["outdated-publish-tooling"],
    "invalid-metadata.log": ["invalid-metadata"],
    # the job failed elsewhere, or in a way nobody knows
    "step-failed.log": ["step-failed"],
    "unknown-failure.log": [],
    # the seed failure in the shapes users paste it
    "paste-issue-quoted.md": ["invalid-publisher"],
    "paste-indented-crlf-ansi.txt": ["invalid-publisher"],
    "stderr-percent-encoded.txt": ["invalid-publisher"],
    "paste-line-number-link.md": ["invalid-publisher"],
}


def codes(name: str) -> list[str]:
    report = explain_logs([LOGS / name], None, "none")
    return [finding.code for finding in report.findings]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_gives_the_expected_findings(name: str) -> None:
    assert codes(name) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_finding_quotes_a_line_its_rule_matches(name: str) -> None:
    from release_orchestrator.core.explain.rules import RULES_BY_CODE

    raw = (LOGS / name).read_text()
    for finding in explain_logs([LOGS / name], None, "none").findings:
        # Derived findings (from the claims or the step's inputs) quote no single line.
        if finding.evidence and finding.evidence in raw:
            rule, low = RULES_BY_CODE[finding.code], finding.evidence.lower()
            after_upload = any(phrase in low for phrase in rule.upload_phrases)
            assert rule.matches(low) or after_upload, finding


def test_every_fixture_is_listed() -> None:
    assert sorted(p.name for p in LOGS.iterdir()) == sorted(EXPECTED)


def test_every_rule_has_a_fixture() -> None:
    covered = {code for expected in EXPECTED.values() for code in expected}
    assert covered == {rule.code for rule in RULES}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_cites_its_source(name: str) -> None:
    header = [line for line in (LOGS / name).read_text().splitlines() if line.startswith("#")]
    assert header, f"{name} has no header comment"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_header_comments_are_inert(name: str) -> None:
    """The citations must not be what the rules fire on."""
    header = [line for line in (LOGS / name).read_text().splitlines() if line.startswith("#")]
    report = explain_logs([("\n".join(header) + "\n").encode()], None, "none")
    assert report.findings == ()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_sieve_loses_nothing_the_rules_need(name: str) -> None:
    """Reading only the sieve's picks finds what reading every line finds."""
    assert _scan(name, every_line=False) == _scan(name, every_line=True)


def _scan(name: str, every_line: bool) -> tuple[list[str], object]:
    data = (LOGS / name).read_bytes()
    sieve = LineSieve(ANCHORS)
    scanner = Scanner(sieve)
    scanner.start_log()
    raws = data.splitlines() if every_line else sieve.lines(iter([data]))
    for raw in raws:
        for line in clean(raw):
            scanner.feed(line)
    evidence = scanner.finish()
    return sorted(evidence.hits), evidence.claims


def test_every_rule_phrase_is_picked_by_the_sieve_on_its_own() -> None:
    """A message pasted alone, with no error line before it, is still read.

    The phrase is tried in sentence case; a phrase that holds an anchor written in the
    log's own case ("GNU/Linux", "TOKEN") is found by that anchor instead. An anchor that
    must start a line ("FAILED " of pytest's summary) finds no phrase in mid-sentence.
    """
    own_case = [anchor.lower() for anchor in ANCHORS if not anchor.startswith(b"\n")]
    for rule in RULES:
        for phrase in rule.phrases:
            line = (phrase[0].upper() + phrase[1:]).encode()
            picked = list(LineSieve(ANCHORS).lines([b"noise\n" + line + b"\nnoise\n"]))
            assert picked == [line] or any(a in phrase.encode() for a in own_case), phrase


@pytest.mark.parametrize(
    ("line", "code"),
    [
        (b"Invalid value for classifiers. Error: 'X' is not a valid choice", "invalid-metadata"),
        (b"The name 'test' isn't allowed.", "project-name-rejected"),
    ],
)
def test_a_reason_a_pattern_matches_is_read_when_pasted_alone(line: bytes, code: str) -> None:
    """Like the phrases above: the sieve must find the line with no error line before it."""
    picked = list(LineSieve(ANCHORS).lines([b"noise\n" + line + b"\nnoise\n"]))
    assert picked == [line]
    report = explain_logs([line + b"\n"], None, "none")
    assert [f.code for f in report.findings][:1] == [code]


# claims, per client format


def test_action_claims_with_environment_missing() -> None:
    report = explain_logs([LOGS / "seed-anomaly-detection-toolkit.log"], None, "none")
    assert report.claims is not None
    assert report.claims.repository == "kylejones200/anomaly-detection-toolkit"
    assert report.claims.repository_owner_id == "52812347"
    assert report.claims.environment is None
    assert "environment" in report.claims.missing


def test_claims_laid_out_by_hand_are_read_whole() -> None:
    report = explain_logs([LOGS / "claims-block-by-hand.log"], None, "none")
    assert report.claims is not None
    assert report.claims.sub == "repo:kylejones200/anomaly-detection-toolkit:environment:pypi"
    assert report.claims.repository == "kylejones200/anomaly-detection-toolkit"
    assert report.claims.environment == "pypi"
    assert report.claims.ref == "refs/tags/v0.1.1"


def test_an_attestation_signed_for_the_caller_blames_the_reusable_workflow() -> None:
    report = explain_logs([LOGS / "attestation-reusable-identity.log"], None, "none")
    assert [(f.code, f.severity) for f in report.findings] == [
        ("reusable-workflow", "error"),
        ("attestation-failure", "error"),
    ]
    assert "identity differs" in report.findings[1].cause


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("runner-unresolved-action.log", "pypa/gh-action-pypi-publish that does not exist"),
        ("twine-connection-failed.log", "could not connect to pypi.org"),
        ("twine-unknown-distribution-format.log", "no wheel or sdist"),
        ("twine-upload-cut-off.log", "broke off while a file was being uploaded"),
        ("twine-upload-url-not-an-endpoint.log", "takes no uploads"),
    ],
)
def test_the_precise_cause_is_named(name: str, words: str) -> None:
    report = explain_logs([LOGS / name], None, "none")
    assert words in report.findings[0].cause


def test_the_retired_upload_api_of_pypi_python_org() -> None:
    """An upload to pypi.python.org after 2017 (distutils' `setup.py upload`, old twine)."""
    log = b"Upload failed (410): Gone (This API has been deprecated and removed from legacy PyPI)\n"
    (finding,) = explain_logs([log], None, "none").findings
    assert finding.code == "upload-rejected"
    assert "pypi.python.org" in finding.cause


def test_another_unresolved_action_gets_the_general_cause() -> None:
    log = b"Error: Unable to resolve action `actions/checkout@v9`, unable to find version `v9`\n"
    finding = explain_logs([log], None, "none").findings[0]
    assert finding.code == "step-failed"
    assert finding.cause.startswith("An action the job uses names a ref")


@pytest.mark.parametrize(
    "log",
    [
        # pip failing to reach the index while it installs the build's dependencies
        b"ERROR: Could not install packages due to an OSError: HTTPSConnectionPool("
        b"host='pypi.org', port=443): Max retries exceeded with url: /simple/numpy/\n",
        # a connection reset in a build step, long before the upload
        b"Collecting numpy\nConnectionResetError: [Errno 104] Connection reset by peer\n",
    ],
)
def test_a_network_error_before_any_upload_is_not_the_index_s_outage(log: bytes) -> None:
    log += b"##[error]Process completed with exit code 1.\n"
    assert [f.code for f in explain_logs([log], None, "none").findings] == ["step-failed"]


def test_action_v18_claims_have_no_workflow_ref_and_environment_comes_from_sub() -> None:
    report = explain_logs([LOGS / "action-v1.8-invalid-publisher.log"], None, "none")
    assert report.claims is not None
    assert report.claims.workflow_ref is None
    assert report.claims.environment is None and not report.claims.missing
    assert report.publisher_form == {
        "owner": "aio-libs",
        "repository": "propcache",
        "workflow": "ci-cd.yml",
        "environment": "pypi",
    }
    assert report.index == "testpypi"


def test_uv_pretty_debug_claims() -> None:
    report = explain_logs([LOGS / "uv-invalid-publisher.log"], None, "none")
    assert report.claims is not None
    assert report.claims.environment == "release"
    assert report.claims.job_workflow_ref == (
        "tail-unica/hopwise/.github/workflows/pypi_release.yml@refs/tags/v0.9.1"
    )
    assert report.index == "pypi"


def test_uv_old_claims_without_environment() -> None:
    report = explain_logs([LOGS / "uv-old-invalid-publisher.log"], None, "none")
    assert report.claims is not None
    assert report.claims.repository_owner == "tail-unica"
    assert report.claims.environment is None


@pytest.mark.parametrize(
    "name", ["paste-issue-quoted.md", "paste-indented-crlf-ansi.txt", "stderr-percent-encoded.txt"]
)
def test_pasted_forms_give_the_same_claims_as_the_raw_log(name: str) -> None:
    raw = explain_logs([LOGS / "seed-anomaly-detection-toolkit.log"], None, "none")
    pasted = explain_logs([LOGS / name], None, "none")
    assert pasted.claims == raw.claims
    assert pasted.publisher_form == raw.publisher_form


def test_claims_from_the_rendered_job_summary() -> None:
    report = explain_logs([LOGS / "action-summary-claims.log"], None, "none")
    assert report.claims is not None
    assert report.claims.repository == "fernhollow/driftwood"
    assert report.claims.repository_owner_id == "81234567"
    assert report.claims.environment is None
    assert "environment" in report.claims.missing
    assert report.publisher_form == {
        "owner": "fernhollow",
        "repository": "driftwood",
        "workflow": "release.yml",
        "environment": "",
    }


def test_line_number_links_are_removed_from_claim_values() -> None:
    report = explain_logs([LOGS / "paste-line-number-link.md"], None, "none")
    assert report.claims is not None
    assert report.claims.repository_owner_id == "44102795"
    assert report.claims.repository == "saltmarsh/heron"


def test_reusable_warning_alone_gives_both_workflow_refs() -> None:
    report = explain_logs([LOGS / "action-reusable-warning-only.log"], None, "none")
    assert report.claims is not None
    assert report.claims.job_workflow_ref == (
        "lanternworks/beacon/.github/workflows/publish-pkg.yml@refs/heads/main"
    )
    assert report.claims.workflow_ref == (
        "lanternworks/beacon/.github/workflows/cut-release.yml@refs/heads/main"
    )


def test_a_claims_dump_has_the_last_word_over_the_reusable_warning() -> None:
    report = explain_logs([LOGS / "action-reusable-workflow.log"], None, "none")
    assert report.claims is not None
    assert report.claims.job_workflow_ref == (
        "octo-org/tools/.github/workflows/pypi.yml@refs/heads/main"
    )


def test_uv_missing_credentials_says_how_to_see_the_real_error() -> None:
    finding = explain_logs([LOGS / "uv-missing-credentials.log"], None, "none").findings[0]
    assert "automatic" in finding.cause
    assert any("--trusted-publishing always" in step for step in finding.fix)
    assert any("id-token: write" in step for step in finding.fix)


def test_a_bare_429_names_the_new_project_limit_and_the_other_case() -> None:
    finding = explain_logs([LOGS / "twine-429-new-project.log"], None, "none").findings[0]
    assert "new project" in finding.cause
    assert any("already exists" in step for step in finding.fix)


def test_variants_pick_the_precise_cause() -> None:
    report = explain_logs([LOGS / "action-environment-mismatch.log"], None, "none")
    assert "environment" in report.findings[0].cause
    report = explain_logs([LOGS / "attestation-failure.log"], None, "none")
    assert "twice" in report.findings[0].cause


def test_reusable_workflow_is_an_error_when_the_exchange_failed() -> None:
    report = explain_logs([LOGS / "action-reusable-workflow.log"], None, "none")
    assert report.findings[0].severity == "error"


def test_unknown_text_shows_the_last_error_lines() -> None:
    report = explain_logs([LOGS / "unknown-failure.log"], None, "none")
    assert report.findings == ()
    assert report.error_lines == (
        "Something unexpected happened: frobnication limit reached",
        "while polishing the widgets",
    )
