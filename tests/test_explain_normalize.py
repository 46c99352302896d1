"""Line cleaning (every shape users paste) and the sieve that picks lines from huge logs."""

from __future__ import annotations

import pytest

from release_orchestrator.core.explain.normalize import LogLine, clean
from release_orchestrator.core.explain.sieve import MAX_LINE, LineSieve


def one(raw: str) -> LogLine:
    lines = clean(raw.encode())
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize(
    ("raw", "text", "level"),
    [
        # raw job log
        ("2024-05-01T12:00:00.0000000Z ##[error]Boom", "Boom", "error"),
        ("2024-05-01T12:00:00.0000000Z plain text", "plain text", ""),
        ("2024-05-01T12:00:00Z short stamp", "short stamp", ""),
        # runner markers
        ("##[warning]Careful", "Careful", "warning"),
        ("##[group]Run uv publish", "Run uv publish", ""),
        # unprocessed workflow commands, with a title
        ("::error::Boom", "Boom", "error"),
        (
            "::error title=Password-based uploads disabled::As of 2024",
            "Password-based uploads disabled: As of 2024",
            "error",
        ),
        (
            "::warning file=# >> PyPA publish to PyPI GHA%3A EMPTY TOKEN << ::It looks like",
            "# >> PyPA publish to PyPI GHA: EMPTY TOKEN <<: It looks like",
            "warning",
        ),
        # the rendered page and the terminal
        (
            "Error: Trusted publishing exchange failure:",
            "Trusted publishing exchange failure:",
            "error",
        ),
        (
            "Warning: Potential workflow misconfiguration",
            "Potential workflow misconfiguration",
            "warning",
        ),
        (
            "\x1b[31mERROR   \x1b[0m HTTPError: 400 Bad Request",
            "HTTPError: 400 Bad Request",
            "error",
        ),
        ("WARNING  Error during upload.", "Error during upload.", "warning"),
        (
            "Checking dist/x.whl: ERROR    InvalidDistribution: x",
            "Checking dist/x.whl: ERROR    InvalidDistribution: x",
            "error",
        ),
        ("error: Failed to publish `dist/x`", "error: Failed to publish `dist/x`", "error"),
        ("HTTP Error 400: File already exists", "HTTP Error 400: File already exists", "error"),
        ("💥 maturin failed", "💥 maturin failed", "error"),
        (
            "FAILED tests/test_x.py::test_y - AssertionError",
            "FAILED tests/test_x.py::test_y - AssertionError",
            "error",
        ),
        # pasted into an issue: quotes, indentation, a number turned into a link
        ("> > * sub: repo:o/r", "* sub: repo:o/r", ""),
        ("    indented: yes", "indented: yes", ""),
        (
            "> * `repository_owner_id`: `7049[30](https://github.com/o/r/actions/runs/1/job/2#step:10:31)3`",
            "* `repository_owner_id`: `7049303`",
            "",
        ),
        ("> 2024-05-01T12:00:00.0000000Z ##[error]quoted raw", "quoted raw", "error"),
        # line endings
        ("text with crlf\r", "text with crlf", ""),
    ],
)
def test_clean(raw: str, text: str, level: str) -> None:
    line = one(raw)
    assert (line.text, line.level) == (text, level)


def test_endgroup_marker_is_kept() -> None:
    assert one("##[endgroup]") == LogLine("", "", "endgroup")


def test_percent_encoded_annotation_is_split_and_keeps_its_level() -> None:
    lines = clean(b"::error::Failure: %0AToken request failed:%0A%0A* `invalid-publisher`: 100%25")
    assert [line.text for line in lines] == [
        "Failure:",
        "Token request failed:",
        "* `invalid-publisher`: 100%",
    ]
    assert {line.level for line in lines} == {"error"}


def test_progress_bar_carriage_returns_split_lines() -> None:
    assert [line.text for line in clean(b"10%\r50%\r100% done")] == ["10%", "50%", "100% done"]


def test_blank_and_undecodable_lines() -> None:
    assert clean(b"   ") == []
    assert clean(b"\xff\xfe\xfa") == [LogLine("\ufffd\ufffd\ufffd")]


# the sieve


def lines_of(sieve: LineSieve, chunks: list[bytes]) -> list[bytes]:
    return list(sieve.lines(iter(chunks)))


def test_sieve_keeps_only_anchored_lines() -> None:
    sieve = LineSieve((b"needle",))
    data = b"hay\nneedle one\nhay\nhay needle two\nhay"
    assert lines_of(sieve, [data]) == [b"needle one", b"hay needle two"]


def test_sieve_anchor_at_line_start() -> None:
    sieve = LineSieve((b"\nerror: ",))
    data = b"error: first\nsrc/x.py:1: error: mypy noise\nerror: second\n"
    assert lines_of(sieve, [data]) == [b"error: first", b"error: second"]


def test_sieve_follows_when_asked() -> None:
    sieve = LineSieve((b"HEAD",))
    picked = []
    for line in sieve.lines(iter([b"x\nHEAD\na\nb\nc\nd\n"])):
        picked.append(line)
        if line == b"HEAD":
            sieve.follow(2)
    assert picked == [b"HEAD", b"a", b"b"]


def test_sieve_follow_crosses_chunks() -> None:
    sieve = LineSieve((b"HEAD",))
    picked = []
    for line in sieve.lines(iter([b"x\nHEA", b"D\na\n", b"b\nc\n"])):
        picked.append(line)
        if line == b"HEAD":
            sieve.follow(2)
    assert picked == [b"HEAD", b"a", b"b"]


def test_sieve_reset_forgets_follow() -> None:
    sieve = LineSieve(())
    sieve.follow(5)
    sieve.reset()
    assert lines_of(sieve, [b"a\nb\n"]) == []


def test_sieve_cuts_lines_longer_than_the_limit() -> None:
    sieve = LineSieve((b"needle",))
    huge = b"x" * (MAX_LINE + 10)
    picked = lines_of(sieve, [huge[: MAX_LINE // 2], huge[MAX_LINE // 2 :], b"needle\n"])
    assert picked == [b"needle"]
    assert all(len(line) <= MAX_LINE + 10 for line in picked)
