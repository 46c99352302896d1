"""What watching one publish run costs: ``release watch`` against ``gh run watch``'s model.

The emulator plays a run that takes 2 minutes (10 s queued, 110 s in progress) with three
jobs, on a fake clock, so the benchmark takes about a second; then a 65 s run whose end falls
between two polls. Both pollers use the real PyGithub client over HTTP. gh's model is what
``gh run watch`` does every 3 s: GET the run, GET its jobs, and GET the annotations of each
unfinished job (the emulator has no annotations endpoint, so those are counted, not sent).
The report lag is the time between GitHub marking the run completed and the poller seeing
it. The budget: a lag of at most 3 s and at most 10 counted requests (0.1x gh's) for the
2-minute run. Run by hand; asserts nothing.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from release_orchestrator.adapters.github import GitHub
from release_orchestrator.commands.watch import watch_run
from release_orchestrator.core.model import RepoRef
from release_orchestrator.core.runs import RunQuery
from release_orchestrator.render.watch import PlainView
from release_orchestrator.sandbox import GitHubEmulator, JobSpec, Lifecycle, StepSpec

OWNER, REPO = "kylejones200", "anomaly-detection-toolkit"
START = 1_714_564_800.0
RUNS = ((10.0, 110.0), (7.4, 57.9))  # (queued, in progress) seconds
BUDGET_LAG, BUDGET_COUNTED = 3.0, 10
JOBS = (
    JobSpec(
        "build", steps=tuple(StepSpec(n) for n in ("Set up job", "Checkout", "Build", "Upload"))
    ),
    JobSpec("test", steps=tuple(StepSpec(n) for n in ("Set up job", "Checkout", "Test", "Report"))),
    JobSpec("publish", steps=tuple(StepSpec(n) for n in ("Set up job", "Download", "Publish"))),
)


@dataclass
class FakeClock:
    now_: float = START

    def now(self) -> float:
        return self.now_

    def sleep(self, seconds: float) -> None:
        self.now_ += seconds


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def setup(root: Path) -> tuple[Path, str]:
    origin = root / OWNER / f"{REPO}.git"
    origin.mkdir(parents=True)
    git(origin, "init", "-q", "--bare", "-b", "main")
    work = root / "work"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    git(
        work,
        "-c",
        "user.name=b",
        "-c",
        "user.email=b@b",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "x",
    )
    git(work, "remote", "add", "origin", str(origin))
    git(work, "push", "-q", "origin", "main")
    return origin, work.as_posix()


def measure(strategy: str, queued: float, running: float) -> tuple[int, int, float]:
    """(requests sent, requests counted, seconds between the run's end and its report)."""
    with tempfile.TemporaryDirectory() as tmp:
        origin, work = setup(Path(tmp))
        clock = FakeClock()
        with GitHubEmulator(OWNER, REPO, origin, clock=clock.now) as emu:
            emu.add_workflow(
                "publish.yml",
                on_tags=("v*",),
                jobs=JOBS,
                lifecycle=Lifecycle(seconds=(queued, running)),
            )
            git(
                Path(work),
                "-c",
                "user.name=b",
                "-c",
                "user.email=b@b",
                "tag",
                "-a",
                "v0.1.1",
                "-m",
                "r",
            )
            git(Path(work), "push", "-q", "origin", "v0.1.1")
            sha = git(Path(work), "rev-parse", "HEAD")
            github = GitHub(emu.url, emu.token or "", RepoRef("", OWNER, REPO), own_retries=True)
            started = clock.now()
            if strategy == "release watch":
                query = RunQuery("publish.yml", "push", "v0.1.1", sha)
                watch_run(github, clock, PlainView(io.StringIO()), run_id=None, query=query)
                extra = 0
            else:
                extra = gh_model(github, clock, sha)
            lag = clock.now() - (started + queued + running)
            sent = len(emu.requests) + extra
            counted = len(emu.counted_requests) + extra
            return sent, counted, lag


def gh_model(github: GitHub, clock: FakeClock, sha: str) -> int:
    """``gh run watch``: run + jobs + annotations per unfinished job, every 3 s, no ETags."""
    _, runs = github.workflow_runs("publish.yml", "push", "v0.1.1")
    run_id = next(r.id for r in runs if r.head_sha == sha)
    annotations = 0
    while True:
        github._etags.clear()  # noqa: SLF001 - gh sends no conditional requests
        _, run = github.run(run_id)
        _, jobs = github.jobs(run_id)
        annotations += sum(1 for job in jobs if job.status != "completed")
        if run.completed:
            return annotations
        clock.sleep(3.0)


def main() -> None:
    for queued, running in RUNS:
        print(f"one run: {queued + running:.0f} s, {len(JOBS)} jobs")
        print(f"{'poller':16} {'requests':>9} {'counted':>8} {'report lag s':>13}")
        results = {}
        for strategy in ("release watch", "gh run watch"):
            results[strategy] = sent, counted, lag = measure(strategy, queued, running)
            print(f"{strategy:16} {sent:9d} {counted:8d} {lag:13.1f}")
        _, ours, our_lag = results["release watch"]
        _, theirs, _ = results["gh run watch"]
        print(
            f"release watch: {ours / theirs:.2f}x gh's counted requests, lag {our_lag:.1f} s "
            f"(budget: {BUDGET_COUNTED} counted for the 2-minute run, lag {BUDGET_LAG:.0f} s)\n"
        )


if __name__ == "__main__":
    main()
