"""PyPI's trusted-publisher matching rules, one test per rule (publisher.py)."""

from __future__ import annotations

import pytest

from release_orchestrator.core.publisher import (
    ChecklistItem,
    Claims,
    LocalRepo,
    Publisher,
    compare,
    is_reusable,
    job_environment,
    publisher_form,
    publisher_form_url,
    resolve_publisher,
    workflow_filename,
    workflow_repository,
)

REPO = "kylejones200/anomaly-detection-toolkit"
JOB_REF = f"{REPO}/.github/workflows/release.yml@refs/tags/v0.1.1"


def claims(**overrides: object) -> Claims:
    """The seed job's claims (no environment), with ``overrides`` applied."""
    values: dict[str, object] = {
        "sub": f"repo:{REPO}:ref:refs/tags/v0.1.1",
        "repository": REPO,
        "repository_owner": "kylejones200",
        "repository_owner_id": "52812347",
        "workflow_ref": JOB_REF,
        "job_workflow_ref": JOB_REF,
        "ref": "refs/tags/v0.1.1",
        "missing": frozenset({"environment"}),
    }
    values.update(overrides)
    return Claims(**values)  # type: ignore[arg-type]


def publisher(**overrides: str | None) -> Publisher:
    values: dict[str, str | None] = {
        "owner": "kylejones200",
        "repository": "anomaly-detection-toolkit",
        "workflow": "release.yml",
        "environment": "",
    }
    values.update(overrides)
    return Publisher(**values)  # type: ignore[arg-type]


def item(field: str, pub: Publisher | None, token: Claims) -> ChecklistItem:
    return next(i for i in compare(pub, token) if i.field == field)


# workflow_filename: warehouse's [^/]+\.(yml|yaml)(?=@) on job_workflow_ref


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        (JOB_REF, "release.yml"),
        ("o/r/.github/workflows/publish.yaml@refs/heads/main", "publish.yaml"),
        ("o/r/.github/workflows/sub/dir/x.yml@v1", "x.yml"),
        ("o/r/.github/workflows/release.yml", None),  # no @ref: nothing to extract
        ("o/r/.github/workflows/release.json@v1", None),
        ("", None),
        (None, None),
    ],
)
def test_workflow_filename(ref: str | None, expected: str | None) -> None:
    assert workflow_filename(ref) == expected


def test_workflow_repository() -> None:
    assert workflow_repository(JOB_REF) == REPO
    assert workflow_repository("no-github-dir@v1") is None


# reusable workflows: workflow_ref != job_workflow_ref


def test_same_refs_are_not_reusable() -> None:
    assert not is_reusable(claims())


def test_different_refs_mean_a_reusable_workflow() -> None:
    called = f"{REPO}/.github/workflows/publish.yml@refs/tags/v0.1.1"
    assert is_reusable(claims(job_workflow_ref=called))


def test_workflow_from_another_repository_is_reusable_without_workflow_ref() -> None:
    other = "octo-org/tools/.github/workflows/pypi.yml@refs/heads/main"
    assert is_reusable(claims(workflow_ref=None, job_workflow_ref=other))


# the job's environment, from the claim, from MISSING, or from the default sub


def test_environment_from_claim() -> None:
    assert job_environment(claims(environment="pypi", missing=frozenset())) == ("pypi", "claim")


def test_environment_missing() -> None:
    assert job_environment(claims()) == (None, "missing")


def test_environment_read_from_default_sub() -> None:
    old = claims(sub=f"repo:{REPO}:environment:release", missing=frozenset())
    assert job_environment(old) == ("release", "sub")


def test_no_environment_read_from_default_sub() -> None:
    assert job_environment(claims(missing=frozenset())) == (None, "no-env-sub")


def test_custom_sub_reveals_nothing() -> None:
    custom = claims(sub="repository_owner_id:1:repository_id:2", missing=frozenset())
    assert job_environment(custom) == (None, "unknown")


# owner: stored as GitHub spelled it when saved, compared exactly


def test_owner_exact() -> None:
    assert item("owner", publisher(), claims()).status == "match"


def test_owner_renamed_only_in_case_no_longer_matches_and_says_why() -> None:
    result = item("owner", publisher(owner="KyleJones200"), claims())
    assert result.status == "mismatch"
    assert "only in case" in result.note
    assert "renamed since, even only in case, no longer matches" in result.note
    assert "'kylejones200'" in result.note


def test_owner_whitespace_is_not_what_pypi_stored() -> None:
    result = item("owner", publisher(owner=" kylejones200"), claims())
    assert result.status == "mismatch"
    assert "stray whitespace" in result.note and "refuses" in result.note


def test_owner_renamed() -> None:
    result = item("owner", publisher(owner="kyle-old"), claims())
    assert result.status == "mismatch"
    assert "'kyle-old'" in result.note and "'kylejones200'" in result.note


def test_owner_unknown_in_log() -> None:
    result = item("owner", publisher(), Claims(sub="x"))
    assert result.status == "unknown" and not result.ok


def test_owner_without_publisher_lists_the_value_and_rule() -> None:
    result = item("owner", None, claims())
    assert result.status == "unchecked"
    assert result.token == "kylejones200"
    assert "52812347" in result.note


# repository name: exact, case included


def test_repository_exact() -> None:
    assert item("repository", publisher(), claims()).ok


def test_repository_case_only_differs_is_a_mismatch() -> None:
    result = item("repository", publisher(repository="Anomaly-Detection-Toolkit"), claims())
    assert result.status == "mismatch"
    assert "only in case" in result.note


def test_repository_stray_whitespace() -> None:
    result = item("repository", publisher(repository="anomaly-detection-toolkit "), claims())
    assert result.status == "mismatch"
    assert "stray whitespace" in result.note


def test_repository_given_as_owner_slash_name() -> None:
    assert item("repository", publisher(repository=REPO), claims()).ok


def test_repository_renamed() -> None:
    result = item("repository", publisher(repository="adt"), claims())
    assert result.status == "mismatch"
    assert "renamed" in result.note


# workflow file name: from job_workflow_ref, exact


def test_workflow_exact() -> None:
    assert item("workflow", publisher(), claims()).ok


def test_workflow_case_only_differs_is_a_mismatch() -> None:
    result = item("workflow", publisher(workflow="Release.yml"), claims())
    assert result.status == "mismatch"
    assert "only in case" in result.note


def test_workflow_stray_whitespace_cites_the_warehouse_bug() -> None:
    result = item("workflow", publisher(workflow=" release.yml"), claims())
    assert result.status == "mismatch"
    assert "stray whitespace" in result.note and "18820" in result.note


def test_workflow_given_as_path_matches_on_the_file_name() -> None:
    result = item("workflow", publisher(workflow=".github/workflows/release.yml"), claims())
    assert result.ok
    assert "file name only" in result.note


def test_workflow_renamed() -> None:
    result = item("workflow", publisher(workflow="publish.yml"), claims())
    assert result.status == "mismatch"
    assert "renamed" in result.note


def test_workflow_comes_from_job_workflow_ref_not_workflow_ref() -> None:
    called = f"{REPO}/.github/workflows/pypi.yml@refs/tags/v0.1.1"
    token = claims(job_workflow_ref=called)
    result = item("workflow", publisher(workflow="release.yml"), token)
    assert result.status == "mismatch"
    assert result.token == "pypi.yml"
    assert "calling workflow" in result.note


def test_workflow_in_another_repository_is_explained() -> None:
    other = "octo-org/tools/.github/workflows/pypi.yml@refs/heads/main"
    result = item("workflow", publisher(workflow="pypi.yml"), claims(job_workflow_ref=other))
    assert "another repository" in result.note


def test_reusable_workflow_from_another_repository_never_matches() -> None:
    other = "octo-org/tools/.github/workflows/release.yml@refs/heads/main"
    result = item("workflow", publisher(), claims(job_workflow_ref=other))
    assert result.status == "mismatch"  # the file name alone would match
    assert "another repository (octo-org/tools)" in result.note
    assert "cannot match" in result.note


def test_same_repository_workflow_at_another_ref_never_matches() -> None:
    elsewhere = f"{REPO}/.github/workflows/release.yml@refs/heads/main"
    result = item("workflow", publisher(), claims(job_workflow_ref=elsewhere))
    assert result.status == "mismatch"
    assert "'refs/heads/main', not the run's 'refs/tags/v0.1.1'" in result.note
    assert "same repository at another ref cannot match" in result.note


def test_same_repository_reusable_workflow_at_the_same_ref_matches_as_the_called_file() -> None:
    called = f"{REPO}/.github/workflows/pypi.yml@refs/tags/v0.1.1"
    result = item("workflow", publisher(workflow="pypi.yml"), claims(job_workflow_ref=called))
    assert result.status == "match"
    assert "called file's name" in result.note


def test_job_workflow_ref_at_an_unseen_sha_is_unknown() -> None:
    pinned = f"{REPO}/.github/workflows/release.yml@{'a' * 40}"
    result = item("workflow", publisher(), claims(job_workflow_ref=pinned))
    assert result.status == "unknown" and not result.ok
    assert "does not show the run's sha" in result.note


def test_workflow_without_file_name() -> None:
    result = item("workflow", publisher(), claims(job_workflow_ref="garbage"))
    assert result.status == "mismatch" and result.token is None


def test_workflow_unknown() -> None:
    result = item("workflow", publisher(), claims(job_workflow_ref=None))
    assert result.status == "unknown"


# environment: case-insensitive; "" = Any; a publisher environment needs one on the job


def test_environment_any_matches_a_job_without_one() -> None:
    result = item("environment", publisher(environment=""), claims())
    assert result.ok
    assert "any environment" in result.note


def test_environment_any_matches_any_job_environment() -> None:
    token = claims(environment="release", missing=frozenset())
    assert item("environment", publisher(environment=""), token).ok


def test_publisher_environment_does_not_match_a_job_without_one() -> None:
    result = item("environment", publisher(environment="pypi"), claims())
    assert result.status == "mismatch"
    assert result.token is None
    assert "MISSING" in result.note


def test_publisher_environment_vs_sub_without_environment() -> None:
    result = item("environment", publisher(environment="pypi"), claims(missing=frozenset()))
    assert result.status == "mismatch"
    assert "names no environment" in result.note


def test_environment_case_insensitive() -> None:
    token = claims(environment="PyPI", missing=frozenset())
    result = item("environment", publisher(environment="pypi"), token)
    assert result.ok
    assert "ignoring case" in result.note


def test_environment_different() -> None:
    token = claims(environment="release", missing=frozenset())
    result = item("environment", publisher(environment="pypi"), token)
    assert result.status == "mismatch"
    assert "'release'" in result.note


def test_environment_stray_whitespace() -> None:
    token = claims(environment="pypi", missing=frozenset())
    result = item("environment", publisher(environment="pypi "), token)
    assert result.status == "mismatch"
    assert "stray whitespace" in result.note


def test_environment_inferred_from_sub_says_so() -> None:
    token = claims(sub=f"repo:{REPO}:environment:pypi", missing=frozenset())
    result = item("environment", publisher(environment="pypi"), token)
    assert result.ok and "sub" in result.note


def test_environment_unknown_is_not_ok() -> None:
    token = claims(sub="custom", missing=frozenset())
    result = item("environment", publisher(environment="pypi"), token)
    assert result.status == "unknown" and not result.ok


def test_environment_of_only_spaces_is_not_any() -> None:
    """Only "" means Any in warehouse's check; PyPI's form refuses a padded name."""
    result = item("environment", publisher(environment=" "), claims())
    assert result.status == "mismatch"


def test_unknown_publisher_fields_are_unchecked() -> None:
    items = compare(Publisher(None, None, None, None), claims())
    assert [i.status for i in items] == ["unchecked"] * 4
    assert not any(i.ok for i in items)


# the PyPI form values


def test_publisher_form_from_claims() -> None:
    assert publisher_form(claims()) == {
        "owner": "kylejones200",
        "repository": "anomaly-detection-toolkit",
        "workflow": "release.yml",
        "environment": "",
    }


def test_publisher_form_uses_the_called_workflow_and_environment() -> None:
    called = f"{REPO}/.github/workflows/pypi.yml@refs/tags/v0.1.1"
    token = claims(job_workflow_ref=called, environment="pypi", missing=frozenset())
    form = publisher_form(token)
    assert form["workflow"] == "pypi.yml"
    assert form["environment"] == "pypi"


def test_checklist_item_json_has_exactly_the_issue_keys() -> None:
    data = compare(publisher(), claims())[0].to_dict()
    assert list(data) == ["field", "publisher", "token", "ok", "note"]


def test_checklist_item_status_defaults_from_ok() -> None:
    assert ChecklistItem("owner", "a", "a", True, "").status == "match"
    assert ChecklistItem("owner", "a", "b", False, "").status == "mismatch"


def test_claims_from_values_marks_none_as_missing_and_ignores_unknown_names() -> None:
    token = Claims.from_values({"repository": REPO, "environment": None, "iss": "x"})
    assert token.repository == REPO
    assert token.missing == frozenset({"environment"})
    assert token.owner == "kylejones200"
    assert token.repository_name == "anomaly-detection-toolkit"


# resolve_publisher: the stored values are compared as given, never stripped


def test_configured_workflow_with_a_stray_space_is_compared_as_stored() -> None:
    configured = Publisher.given("[tool.release.pypi] in pyproject.toml", workflow=" release.yml")
    local = LocalRepo(None, None, None, None, configured)
    resolved = resolve_publisher(Publisher(), local)
    assert resolved.workflow == " release.yml"
    assert resolved.source == "[tool.release.pypi] in pyproject.toml"
    result = item("workflow", resolved, claims())
    assert result.status == "mismatch"
    assert "stray whitespace" in result.note and "never match" in result.note


def test_resolve_takes_each_field_from_the_first_source_that_gave_it() -> None:
    options = Publisher.given("the command line", environment="pypi", index=None)
    configured = Publisher.given(
        "[tool.release.pypi] in pyproject.toml", owner="kylejones200", index="testpypi"
    )
    local = LocalRepo("someone", "anomaly-detection-toolkit", None, None, configured)
    resolved = resolve_publisher(options, local)
    assert (resolved.owner, resolved.repository, resolved.environment, resolved.index) == (
        "kylejones200",
        "anomaly-detection-toolkit",
        "pypi",
        "testpypi",
    )
    assert resolved.origin("owner") == "[tool.release.pypi] in pyproject.toml"
    assert resolved.origin("repository") == "the local repository"
    assert resolved.origin("workflow") is None
    assert resolved.source == (
        "the command line and [tool.release.pypi] in pyproject.toml and the local repository"
    )


FORM = {"owner": "octo", "repository": "repo", "workflow": "publish.yml", "environment": "pypi"}


def test_form_url_for_an_existing_project_names_warehouses_form_fields() -> None:
    assert publisher_form_url(FORM, "pypi", "my-project", pending=False) == (
        "https://pypi.org/manage/project/my-project/settings/publishing/?provider=github"
        "&owner=octo&repository=repo&workflow_filename=publish.yml&environment=pypi"
    )


def test_form_url_with_an_unknown_index_answer_is_the_project_page() -> None:
    url = publisher_form_url(FORM, "pypi", "my-project", pending=None)
    assert url is not None and url.startswith("https://pypi.org/manage/project/my-project/")


def test_form_url_for_a_pending_publisher_is_the_account_page() -> None:
    url = publisher_form_url(FORM, "pypi", "my-project", pending=True)
    assert url == "https://pypi.org/manage/account/publishing/"


def test_form_url_for_testpypi() -> None:
    assert publisher_form_url(FORM, "testpypi", "p", pending=False) == (
        "https://test.pypi.org/manage/project/p/settings/publishing/?provider=github"
        "&owner=octo&repository=repo&workflow_filename=publish.yml&environment=pypi"
    )
    assert publisher_form_url(FORM, "testpypi", "p", pending=True) == (
        "https://test.pypi.org/manage/account/publishing/"
    )


def test_form_url_encodes_values_and_leaves_out_empty_ones() -> None:
    form = {"owner": "octo", "repository": "a&b", "workflow": "rel ease.yml", "environment": ""}
    assert publisher_form_url(form, "pypi", "odd/name?", pending=False) == (
        "https://pypi.org/manage/project/odd%2Fname%3F/settings/publishing/?provider=github"
        "&owner=octo&repository=a%26b&workflow_filename=rel%20ease.yml"
    )


def test_form_url_needs_a_project_name() -> None:
    assert publisher_form_url(FORM, "pypi", None, pending=False) is None
