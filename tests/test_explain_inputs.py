"""What ``explain_logs`` accepts: paths, stdin, bytes, run-logs zips, UTF-16; and bad input."""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import pytest

from release_orchestrator.commands.explain import explain_logs
from release_orchestrator.errors import ExitCode, UsageError

SEED = Path(__file__).parent / "fixtures" / "logs" / "seed-anomaly-detection-toolkit.log"
NOISE = b"2024-05-01T12:00:00.0000000Z Collecting numpy>=1.26\n" * 50


def codes(*sources: object) -> list[str]:
    report = explain_logs(sources, None, "none")  # type: ignore[arg-type]
    return [finding.code for finding in report.findings]


def run_logs_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


class FakeStdin:
    """Enough of sys.stdin for the reader: a binary ``buffer``."""

    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def test_path_as_str_and_as_pathlike() -> None:
    assert codes(str(SEED)) == ["invalid-publisher"]
    assert codes(SEED) == ["invalid-publisher"]


def test_bytes() -> None:
    assert codes(SEED.read_bytes()) == ["invalid-publisher"]


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", FakeStdin(SEED.read_bytes()))
    report = explain_logs(["-"], None, "none")
    assert [f.code for f in report.findings] == ["invalid-publisher"]
    assert report.logs == ("<stdin>",)


def test_zip_on_stdin_is_spooled(monkeypatch: pytest.MonkeyPatch) -> None:
    data = run_logs_zip({"0_publish.txt": SEED.read_bytes()})
    monkeypatch.setattr(sys, "stdin", FakeStdin(data))
    assert codes("-") == ["invalid-publisher"]


def test_run_logs_zip_member_by_member(tmp_path: Path) -> None:
    archive = tmp_path / "logs_123.zip"
    archive.write_bytes(run_logs_zip({"0_build.txt": NOISE, "1_publish.txt": SEED.read_bytes()}))
    report = explain_logs([archive], None, "none")
    assert [f.code for f in report.findings] == ["invalid-publisher"]
    assert report.logs == (f"{archive}:0_build.txt", f"{archive}:1_publish.txt")


def test_zip_prefers_whole_job_files_over_step_files() -> None:
    data = run_logs_zip(
        {
            "1_publish.txt": SEED.read_bytes(),
            "publish/": b"",
            "publish/3_Publish.txt": SEED.read_bytes(),
        }
    )
    report = explain_logs([data], None, "none")
    assert report.logs == ("<bytes>:1_publish.txt",)


def test_zip_with_only_step_files() -> None:
    data = run_logs_zip(
        {"build/1_Set up job.txt": NOISE, "publish/3_Publish.txt": SEED.read_bytes()}
    )
    report = explain_logs([data], None, "none")
    assert len(report.logs) == 2
    assert [f.code for f in report.findings] == ["invalid-publisher"]


def test_several_sources_are_read_in_turn() -> None:
    uv = (SEED.parent / "uv-file-exists.log").read_bytes()
    assert codes(NOISE, SEED, uv) == ["invalid-publisher", "file-already-exists"]


def test_utf16_file_from_powershell(tmp_path: Path) -> None:
    path = tmp_path / "log.txt"
    path.write_bytes(SEED.read_text().encode("utf-16"))
    assert codes(path) == ["invalid-publisher"]


def test_crlf_and_a_last_line_without_newline() -> None:
    data = SEED.read_bytes().replace(b"\n", b"\r\n").rstrip()
    assert codes(data) == ["invalid-publisher"]


def test_empty_input_is_analysed_not_refused() -> None:
    report = explain_logs([b""], None, "none")
    assert report.findings == () and report.error_lines == ()


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        explain_logs([tmp_path / "nope.log"], None, "none")
    assert caught.value.exit_code == ExitCode.USAGE
    assert "does not exist" in caught.value.message


def test_directory_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="directory"):
        explain_logs([tmp_path], None, "none")


def test_unreadable_zip_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="zip"):
        explain_logs([b"PK\x03\x04 this is not really a zip"], None, "none")


def test_corrupt_zip_member_is_a_usage_error() -> None:
    data = bytearray(run_logs_zip({"1_publish.txt": SEED.read_bytes() * 20}))
    # Damage the compressed stream of the first member (its data starts after 30 + name bytes).
    start = 30 + len("1_publish.txt") + 10
    data[start : start + 40] = b"\x00" * 40
    with pytest.raises(UsageError, match=r"1_publish\.txt"):
        explain_logs([bytes(data)], None, "none")


def test_no_source_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="no log"):
        explain_logs([], None, "none")
