"""Time ``explain_logs`` on a 50 MB job log and report its peak memory.

Run by hand (``python benchmarks/bench_explain.py [size_mb]``); it prints a report and
asserts nothing. The log is mostly noise of the kinds a real job prints (pip, compiler,
pytest, including lines with "error" in them) with the seed failure near the end: a
trusted-publishing refusal and its claims dump.
"""

from __future__ import annotations

import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from release_orchestrator.commands.explain import explain_logs
from release_orchestrator.core.publisher import Publisher

RUNS = 5
FAILURE = Path(__file__).parent.parent / "tests/fixtures/logs/seed-anomaly-detection-toolkit.log"
NOISE = (
    "tests/test_detect.py::test_zscore_{n}[window-{m}] PASSED{pad}[ {p}%]",
    "Collecting numpy>=1.{m} (from anomaly-detection-toolkit==0.1.{n})",
    "  Downloading https://files.pythonhosted.org/packages/{m}/ab/numpy-1.{n}-cp312-manylinux.whl"
    " (18.{m} MB)",
    "copying src/anomaly_detection_toolkit/detector_{n}.py -> build/lib/anomaly_detection_toolkit",
    "gcc -pthread -fno-strict-overflow -O3 -Wall -fPIC -c src/ext_{n}.c -o build/ext_{n}.o",
    "tests/test_errors.py::test_error_path_{n} PASSED{pad}[ {p}%]",
    "  warnings.warn(f'window {n} is smaller than {m}', RuntimeWarning)",
    "Requirement already satisfied: scipy>=1.{m} in ./.venv/lib/python3.12/site-packages",
)


def build_log(path: Path, size: int) -> None:
    """Write ``size`` bytes of timestamped noise with the seed failure near the end."""
    rng = random.Random(4)  # noqa: S311 - a repeatable synthetic log, not a secret
    failure = [line for line in FAILURE.read_text().splitlines() if not line.startswith("#")]
    with path.open("w", encoding="utf-8") as out:
        written = 0
        block: list[str] = []
        while written < size:
            template = rng.choice(NOISE)
            stamp = f"2024-05-01T12:{rng.randrange(60):02d}:{rng.randrange(60):02d}.1234567Z "
            line = stamp + template.format(
                n=rng.randrange(10_000), m=rng.randrange(100), p=rng.randrange(100), pad=" " * 20
            )
            block.append(line)
            written += len(line) + 1
            if len(block) == 10_000:
                out.write("\n".join(block) + "\n")
                block = []
        out.write("\n".join(block + failure) + "\n")


def main() -> None:
    """Build the log, time the explanation, print the numbers."""
    size_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    publisher = Publisher("kylejones200", "anomaly-detection-toolkit", "release.yml", "pypi")
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "job.log"
        build_log(log, size_mb * 1_000_000)
        actual = log.stat().st_size
        times = []
        report = None
        for _ in range(RUNS):
            start = time.perf_counter()
            report = explain_logs([log], publisher, "benchmark")
            times.append(time.perf_counter() - start)
        tracemalloc.start()
        explain_logs([log], publisher, "benchmark")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert report is not None
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"log: {actual / 1e6:.1f} MB, {RUNS} runs")
    print(f"explain_logs: best {min(times):.3f} s, median {statistics.median(times):.3f} s")
    print(f"throughput: {actual / 1e6 / min(times):.0f} MB/s")
    print(f"peak traced Python memory: {peak / 1e6:.1f} MB (tracemalloc)")
    print(f"peak RSS of this process: {rss:.0f} MiB (includes the interpreter)")
    print(f"findings: {[f.code for f in report.findings]}")
    print(f"cause: {report.cause}")


if __name__ == "__main__":
    main()
