"""Property-based tests: no input makes ``release explain`` crash."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from release_orchestrator.commands.explain import explain_logs
from release_orchestrator.core.explain.normalize import clean
from release_orchestrator.core.explain.rules import ANCHORS, RULES
from release_orchestrator.core.explain.sieve import LineSieve
from release_orchestrator.core.publisher import Publisher
from release_orchestrator.errors import UsageError
from release_orchestrator.render.explain import render_text

LOGS = Path(__file__).parent / "fixtures" / "logs"
PUBLISHER = Publisher("kylejones200", "anomaly-detection-toolkit", "release.yml", "pypi")

# Pieces of real messages, so that random text also walks the rules and the claims reader.
FRAGMENTS = sorted(
    {phrase for rule in RULES for phrase in rule.phrases}
    | {anchor.decode() for anchor in ANCHORS}
    | {
        "* `sub`: `",
        "* `environment`: `MISSING`",
        "* `job_workflow_ref`: `o/r/.github/workflows/x.yml@refs/tags/v1`",
        "The claims rendered below are",
        "Token claims, which must match the publisher configuration: GitHub(",
        "environment: Some(",
        '"pypi",',
        "##[group]Run pypa/gh-action-pypi-publish@release/v1",
        "##[endgroup]",
        "  password: ",
        "::error::",
        "%0A",
        "\x1b[31m",
        "2024-05-01T12:00:00.0000000Z ",
        "> ",
        "\r",
        "\n",
        "`",
        "[1](https://github.com/o/r/actions/runs/1/job/2#step:1:2)",
        "https://test.pypi.org/legacy/",
        "Process completed with exit code 1.",
    }
)
messy_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=60).map(
    "".join
)
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def explain_anything(data: bytes, publisher: Publisher | None) -> None:
    report = explain_logs([data], publisher, "test")
    json.dumps(report.to_json())
    render_text(report)


@FAST
@given(st.binary(max_size=4000), st.booleans())
def test_arbitrary_bytes_never_raise(data: bytes, with_publisher: bool) -> None:
    try:
        explain_anything(data, PUBLISHER if with_publisher else None)
    except UsageError:
        assert data.startswith(b"PK\x03\x04")  # only a broken zip is bad input


@FAST
@given(st.text(max_size=4000), st.booleans())
def test_arbitrary_text_never_raises(text: str, with_publisher: bool) -> None:
    data = text.encode("utf-8", "surrogatepass")
    if data.startswith(b"PK\x03\x04"):
        return
    explain_anything(data, PUBLISHER if with_publisher else None)


@FAST
@given(messy_text, st.booleans())
def test_messy_log_like_text_never_raises(text: str, with_publisher: bool) -> None:
    explain_anything(text.encode("utf-8", "surrogatepass"), PUBLISHER if with_publisher else None)


@FAST
@given(
    st.sampled_from(sorted(p.name for p in LOGS.iterdir())),
    st.binary(max_size=200),
    st.integers(0, 10_000),
)
def test_damaged_fixtures_never_raise(name: str, junk: bytes, at: int) -> None:
    data = (LOGS / name).read_bytes()
    at = at % (len(data) + 1)
    explain_anything(b"x" + data[:at] + junk + data[at:], None)


@FAST
@given(st.binary(max_size=300))
def test_clean_never_raises_and_returns_single_lines(raw: bytes) -> None:
    for line in clean(raw):
        assert "\n" not in line.text and "\r" not in line.text


@FAST
@given(messy_text, st.lists(st.integers(1, 64), min_size=1, max_size=20))
def test_sieve_is_independent_of_chunk_boundaries(text: str, sizes: list[int]) -> None:
    data = text.encode("utf-8", "surrogatepass")
    chunks = []
    rest = data
    for size in sizes:
        chunks.append(rest[:size])
        rest = rest[size:]
    chunks.append(rest)
    whole = list(LineSieve(ANCHORS).lines(iter([data])))
    pieces = list(LineSieve(ANCHORS).lines(iter(chunks)))
    assert pieces == whole
