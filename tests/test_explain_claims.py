"""Reading the claims dumps of gh-action-pypi-publish and uv, line by line."""

from __future__ import annotations

from release_orchestrator.core.explain.claims import ClaimsReader
from release_orchestrator.core.publisher import Claims


def read(lines: list[str], in_dump: bool = True) -> Claims | None:
    reader = ClaimsReader()
    reader.start_dump()
    for line in lines:
        reader.feed(line, in_dump)
    return reader.result()


def test_action_format() -> None:
    claims = read(
        ["* `repository`: `o/r`", "* `environment`: `MISSING`", "* `ref`: `refs/tags/v1`"]
    )
    assert claims == Claims(
        repository="o/r", ref="refs/tags/v1", missing=frozenset({"environment"})
    )


def test_backticks_lost_only_count_inside_a_dump() -> None:
    assert read(["* repository: o/r"]) == Claims(repository="o/r")
    assert read(["ref: main"], in_dump=False) is None
    assert read(["* `ref`: `main`"], in_dump=False) == Claims(ref="main")


def test_summary_form_without_markers_inside_a_dump() -> None:
    claims = read(["repository: o/r", "environment: MISSING", "ref: refs/tags/v1"])
    assert claims == Claims(
        repository="o/r", ref="refs/tags/v1", missing=frozenset({"environment"})
    )


def test_reusable_warning_refs_are_read_from_their_labels() -> None:
    claims = read(
        [
            "In particular, this action was initiated by:",
            "o/r/.github/workflows/inner.yml@refs/heads/main",
            "Whereas its parent workflow is:",
            "o/r/.github/workflows/outer.yml@refs/heads/main",
        ],
        in_dump=False,
    )
    assert claims == Claims(
        job_workflow_ref="o/r/.github/workflows/inner.yml@refs/heads/main",
        workflow_ref="o/r/.github/workflows/outer.yml@refs/heads/main",
    )


def test_a_label_not_followed_by_a_ref_reads_nothing() -> None:
    assert read(["this action was initiated by:", "somebody"], in_dump=False) is None


def test_a_dump_keeps_its_own_refs_and_the_warning_fills_the_rest() -> None:
    reader = ClaimsReader()
    reader.feed("Whereas its parent workflow is:", False)
    reader.feed("o/r/.github/workflows/outer.yml@refs/tags/v1", False)
    reader.feed("this action was initiated by:", False)
    reader.feed("o/r/.github/workflows/inner.yml@refs/tags/v1", False)
    reader.start_dump()
    reader.feed("* `job_workflow_ref`: `o/r/.github/workflows/dumped.yml@refs/tags/v1`", True)
    assert reader.result() == Claims(
        job_workflow_ref="o/r/.github/workflows/dumped.yml@refs/tags/v1",
        workflow_ref="o/r/.github/workflows/outer.yml@refs/tags/v1",
    )


def test_unknown_names_are_not_claims() -> None:
    assert read(["* `permissions`: `write`", "id-token: write"]) is None


def test_uv_pretty_debug_with_some() -> None:
    claims = read(
        [
            "GitHubTokenClaims {",
            'sub: "repo:o/r:environment:release",',
            'repository: "o/r",',
            "environment: Some(",
            '"release",',
            "),",
            "},",
        ]
    )
    assert claims == Claims(
        sub="repo:o/r:environment:release", repository="o/r", environment="release"
    )


def test_uv_environment_none_is_missing() -> None:
    claims = read(['repository: "o/r",', "environment: None,"])
    assert claims == Claims(repository="o/r", missing=frozenset({"environment"}))


def test_uv_single_line_debug_outside_a_dump() -> None:
    line = (
        'Token claims: GitHubTokenClaims { sub: "s", repository: "o/r", environment: Some("pypi") }'
    )
    assert read([line], in_dump=False) == Claims(sub="s", repository="o/r", environment="pypi")


def test_escaped_quotes_in_debug_values() -> None:
    assert read(['ref: "a\\"b",']) == Claims(ref='a"b')


def test_the_last_dump_wins() -> None:
    reader = ClaimsReader()
    reader.start_dump()
    reader.feed("* `repository`: `o/first`", True)
    reader.start_dump()
    reader.feed("* `repository`: `o/second`", True)
    assert reader.result() == Claims(repository="o/second")


def test_an_empty_dump_does_not_erase_the_previous_one() -> None:
    reader = ClaimsReader()
    reader.start_dump()
    reader.feed("* `repository`: `o/r`", True)
    reader.start_dump()
    assert reader.result() == Claims(repository="o/r")


def test_a_claims_block_laid_out_by_hand_counts_once_a_value_vouches_for_it() -> None:
    claims = read(
        [
            "environment:       pypi",
            "workflow_ref:      o/r/.github/workflows/release.yml@refs/tags/v1",
            "repository:        o/r",
            "ref: refs/tags/v1",
        ],
        in_dump=False,
    )
    assert claims == Claims(
        environment="pypi",
        workflow_ref="o/r/.github/workflows/release.yml@refs/tags/v1",
        repository="o/r",
        ref="refs/tags/v1",
    )


def test_a_decoded_token_as_json_skips_other_members() -> None:
    claims = read(
        [
            "{",
            '  "aud": "pypi",',
            '  "sub": "repo:o/r:environment:pypi",',
            '  "repository_owner_id": "123",',
            '  "actor": "someone",',
            '  "environment": "pypi"',
            "}",
        ],
        in_dump=False,
    )
    assert claims == Claims(
        sub="repo:o/r:environment:pypi", repository_owner_id="123", environment="pypi"
    )


def test_plain_name_value_lines_without_a_claim_shaped_value_are_not_claims() -> None:
    # A workflow or an action's inputs echoed in a log: the same names, no claims.
    assert read(["environment: pypi", "ref: main", "repository: o/r"], in_dump=False) is None
    assert read(["sub: subscriber"], in_dump=False) is None


def test_a_claims_block_ends_at_the_first_other_line() -> None:
    claims = read(
        [
            "sub: repo:o/r:ref:refs/tags/v1",
            "Uploading distributions to https://upload.pypi.org/legacy/",
            "ref: main",
        ],
        in_dump=False,
    )
    assert claims == Claims(sub="repo:o/r:ref:refs/tags/v1")
