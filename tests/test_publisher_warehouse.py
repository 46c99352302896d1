"""Our matching rules held to warehouse's own unit tests of its GitHub publisher.

One row per case of ``tests/unit/oidc/models/test_github.py`` in pypi/warehouse that
concerns matching claims to a publisher, each citing the warehouse test it mirrors. The
values are our own; the expected outcome is what PyPI does end to end, lookup included:
warehouse's ``lookup_by_claims`` compares owner, repository and workflow file name
exactly before any ``verify_claims`` check runs, so where a check alone would accept a
case difference (``test_check_repository``), the row says the lookup has refused it.

Not mirrored, because they do not compare claims with a publisher's fields:
``test_github_publisher_all_known_claims``, ``…_computed_properties``, ``…_admin_details_*``,
``…_unaccounted_claims``, ``…_repo_property_claims_accounted_for``, ``…_verifies`` (its
checks are stubbed), ``…_duplicates_cant_be_created``, ``…_verify_url``,
``…_attestation_identity``, ``test_exists``, the pending publishers' ``reify`` tests,
``test_github_publisher_missing_claims`` (claim presence: a log that does not print a claim
says nothing about the token) and ``test_check_event_name_invalid`` (the
``pull_request_target`` refusal is an explain rule and a doctor check, not a form field).
"""

from __future__ import annotations

from typing import Any

import pytest

from release_orchestrator.core.publisher import (
    Claims,
    Field,
    Publisher,
    Status,
    compare,
    workflow_filename,
)

REPO = "octo/pkg"
FILE = "ship.yml"
WORKFLOWS = f"{REPO}/.github/workflows"


@pytest.mark.parametrize(
    ("job_workflow_ref", "expected"),
    [
        (f"{WORKFLOWS}/ship.yml@refs/heads/main", "ship.yml"),
        (f"{WORKFLOWS}/ship.yaml@refs/heads/main", "ship.yaml"),
        (f"{WORKFLOWS}/ship-it.yml@refs/heads/main", "ship-it.yml"),
        (f"{WORKFLOWS}/ship--it.yml@refs/heads/main", "ship--it.yml"),
        (f"{WORKFLOWS}/ship--it-.yml@refs/heads/main", "ship--it-.yml"),
        (f"{WORKFLOWS}/ship.it.yml@refs/heads/main", "ship.it.yml"),
        (f"{WORKFLOWS}/ship..it.yml@refs/heads/main", "ship..it.yml"),
        (f"{WORKFLOWS}/ship..it..yml@refs/heads/main", "ship..it..yml"),
        (f"{WORKFLOWS}/ship_it.yml@refs/heads/main", "ship_it.yml"),
        (f"{WORKFLOWS}/in@side.yml@refs/heads/main", "in@side.yml"),
        (f"{WORKFLOWS}/in.yml@side.yml@refs/heads/main", "in.yml@side.yml"),
        (f"{WORKFLOWS}/a@in.yml@side.yml@refs/heads/main", "a@in.yml@side.yml"),
        (f"{WORKFLOWS}/a.yml@in.yml@side.yml@refs/heads/main", "a.yml@in.yml@side.yml"),
        (f"{WORKFLOWS}/ship.yml@refs/heads/looks@like.yml", "ship.yml"),
        (f"{WORKFLOWS}/ship.yml@refs/heads/two@at@signs.yml", "ship.yml"),
        (f"{WORKFLOWS}/ship.yml.yml@refs/heads/main", "ship.yml.yml"),
        (f"{WORKFLOWS}/ship.yml.ship.yml@refs/heads/main", "ship.yml.ship.yml"),
        (f"{WORKFLOWS}/ship.json@refs/heads/main", None),
        (f"{WORKFLOWS}/@refs/heads/main", None),
        (f"{WORKFLOWS}/nosuffix@refs/heads/main", None),
        (f"{WORKFLOWS}/.yml@refs/heads/main", None),
        (f"{WORKFLOWS}/.yaml@refs/heads/main", None),
        (f"{WORKFLOWS}/ship.yml", None),
    ],
)
def test_extract_workflow_filename(job_workflow_ref: str, expected: str | None) -> None:
    """warehouse: test_extract_workflow_filename (one row per warehouse row)."""
    assert workflow_filename(job_workflow_ref) == expected


def _claims(**values: Any) -> Claims:
    base: dict[str, Any] = {
        "repository": REPO,
        "repository_owner": "octo",
        "repository_owner_id": "4242",
        "job_workflow_ref": f"{WORKFLOWS}/{FILE}@refs/heads/main",
        "workflow_ref": None,
        "ref": "refs/heads/main",
        "sha": "0123abc",
    }
    base.update(values)
    missing = frozenset(k for k, v in base.items() if v is None and k != "workflow_ref")
    given = {k: v for k, v in base.items() if v is not None}
    return Claims(**given, missing=missing)


def _publisher(**values: str) -> Publisher:
    fields = {"owner": "octo", "repository": "pkg", "workflow": FILE, "environment": ""}
    fields.update(values)
    return Publisher(
        owner=fields["owner"],
        repository=fields["repository"],
        workflow=fields["workflow"],
        environment=fields["environment"],
    )


Row = tuple[str, dict[str, str], dict[str, Any], Field, Status]


def _row(
    case: str, publisher: dict[str, str], claims: dict[str, Any], field: Field, status: Status
) -> Row:
    return case, publisher, claims, field, status


# test_check_repository rows: (truth, claim, valid) as warehouse has them, then our stored
# name, the claimed owner/repository and the outcome once the exact lookup has run.
REPOSITORY_CASES: list[tuple[str, str | None, bool, str, str | None, Status]] = [
    ("", None, False, "", None, "unknown"),
    ("foo", None, False, "pkg", None, "unknown"),
    ("", "", False, "", "", "mismatch"),
    ("foo", "", False, "pkg", "", "mismatch"),
    ("foo", "foo", True, "pkg", "octo/pkg", "match"),
    ("Foo", "foo", True, "Pkg", "octo/pkg", "mismatch"),
    ("Foo", "Foo", True, "Pkg", "octo/Pkg", "match"),
    ("foo", "Foo", True, "pkg", "octo/Pkg", "mismatch"),
    ("FOO", "foo", True, "PKG", "octo/pkg", "mismatch"),
    ("foo", "FOO", True, "pkg", "octo/PKG", "mismatch"),
]


# (warehouse test, publisher fields, claims, field compared, our status)
ROWS: list[Row] = [
    # test_lookup_fails_invalid_workflow_ref: "Could not job extract workflow filename"
    (
        "test_lookup_fails_invalid_workflow_ref[None]",
        {},
        {"job_workflow_ref": f"{WORKFLOWS}/.yml@refs/heads/main"},
        "workflow",
        "mismatch",
    ),
    (
        "test_lookup_fails_invalid_workflow_ref[some_environment]",
        {"environment": "deploy"},
        {"job_workflow_ref": f"{WORKFLOWS}/.yml@refs/heads/main", "environment": "deploy"},
        "workflow",
        "mismatch",
    ),
    # test_lookup_escapes: file names are compared as strings, never as LIKE patterns.
    *[
        _row(
            f"test_lookup_escapes[{env or 'no-env'}-{stored}-{ran}]",
            {"workflow": stored, "environment": env},
            {
                "job_workflow_ref": f"{WORKFLOWS}/{ran}@refs/heads/main",
                "environment": env or None,
            },
            "workflow",
            "match" if stored == ran else "mismatch",
        )
        for env in ("", "deploy")
        for first, second in (("ship-it.yml", "ship_it.yml"), ("ship%it.yml", "ship-it.yml"))
        for stored, ran in ((first, first), (second, second), (second, first), (first, second))
    ],
    # test_lookup_no_matching_publishers: the only publisher wants another environment.
    (
        "test_lookup_no_matching_publishers",
        {"environment": "staging"},
        {"environment": "production"},
        "environment",
        "mismatch",
    ),
    # test_github_publisher_missing_optional_claims: an environment is required, none sent.
    (
        "test_github_publisher_missing_optional_claims",
        {"environment": "some-env"},
        {"environment": None},
        "environment",
        "mismatch",
    ),
    # test_check_repository: the check ignores case, but the lookup before it is exact.
    # Rows: (warehouse's truth, claim, valid) -> our stored name, claimed repository.
    *[
        _row(
            f"test_check_repository[{truth}-{claim}-{valid}]",
            {"repository": stored},
            {"repository": claimed},
            "repository",
            status,
        )
        for truth, claim, valid, stored, claimed, status in REPOSITORY_CASES
    ],
    # test_github_publisher_environment_claim: (truth, claim, valid), our own names.
    *[
        _row(
            f"test_github_publisher_environment_claim[{truth}-{claim}]",
            {"environment": truth},
            {"environment": claim},
            "environment",
            "match" if valid else "mismatch",
        )
        for truth, claim, valid in [
            ("", None, True),
            ("", "", True),
            ("", "deploy", True),
            ("deploy", "deploy", True),
            ("deploy", "dEpLoY", True),
            ("deploy", None, False),
            ("deploy", "deploy-2", False),
        ]
    ],
]

# test_github_publisher_job_workflow_ref: (job_workflow_ref, ref, sha, valid); None = absent.
JOB_WORKFLOW_REFS: list[tuple[str, str | None, str | None, bool]] = [
    (f"{WORKFLOWS}/{FILE}@refs/tags/v9.9.9", "refs/tags/v9.9.9", "cafe01", True),
    (f"{WORKFLOWS}/{FILE}@refs/pull/7/merge", "refs/pull/7/merge", "cafe01", True),
    (f"{WORKFLOWS}/{FILE}@refs/heads/trunk", "refs/heads/trunk", "cafe01", True),
    (f"{WORKFLOWS}/{FILE}@bare-ref", "bare-ref", "cafe01", True),
    (f"{WORKFLOWS}/{FILE}@cafe01", "another-ref", "cafe01", True),
    (f"{WORKFLOWS}/{FILE}@cafe01", None, "cafe01", True),
    (f"{WORKFLOWS}/{FILE}@cafe01", "", "cafe01", True),
    (f"{WORKFLOWS}/{FILE}@gone", None, None, False),
    (f"{WORKFLOWS}/{FILE}@gone", "", "", False),
    (f"{WORKFLOWS}/{FILE}@fake.yml@bare-ref", "cafe01", "bare-ref", False),
    (f"{WORKFLOWS}/{FILE}@fake.yml@refs/pull/7/merge", "cafe01", "refs/pull/7/merge", False),
    (f"{WORKFLOWS}/{FILE}@", "cafe01", "bare-ref", False),
    (f"{WORKFLOWS}/@", "cafe01", "bare-ref", False),
    (f"{WORKFLOWS}/", "cafe01", "bare-ref", False),
    (FILE, "cafe01", "bare-ref", False),
    (f"{WORKFLOWS}/{FILE}@evil.yml@", "cafe01", "bare-ref", False),
    (f"{WORKFLOWS}/{FILE}@@", "cafe01", "bare-ref", False),
    ("", None, None, False),
]


@pytest.mark.parametrize(("case", "publisher", "claims", "field", "status"), ROWS)
def test_warehouse_case(
    case: str, publisher: dict[str, str], claims: dict[str, Any], field: Field, status: Status
) -> None:
    """The named warehouse test's case gives the same outcome in our checklist."""
    (item,) = [i for i in compare(_publisher(**publisher), _claims(**claims)) if i.field == field]
    assert item.status == status, (case, item.note)
    assert item.ok is (status == "match")


@pytest.mark.parametrize(("job_workflow_ref", "ref", "sha", "valid"), JOB_WORKFLOW_REFS)
def test_github_publisher_job_workflow_ref(
    job_workflow_ref: str, ref: str | None, sha: str | None, valid: bool
) -> None:
    """warehouse: test_github_publisher_job_workflow_ref (one row per warehouse row)."""
    token = _claims(job_workflow_ref=job_workflow_ref, ref=ref, sha=sha)
    (item,) = [i for i in compare(_publisher(), token) if i.field == "workflow"]
    assert item.ok is valid, item.note
    assert item.status == ("match" if valid else "mismatch"), item.note
    if not valid and ref in (None, "") and sha in (None, ""):
        assert "empty" in item.note
