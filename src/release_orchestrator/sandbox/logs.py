"""Job logs in GitHub's raw download format, and the per-run zip archive.

Every line of a raw job log starts with a UTC timestamp with seven fraction digits and a
space (``2024-05-01T12:00:00.0000000Z ##[group]Run build``). Downloads have been seen to
start with a UTF-8 byte order mark on the first line only, so the emulator sends one too:
a client that parses the first timestamp must cope with it.

The run archive (``…/runs/{id}/logs``) holds ``<n>_<job name>.txt`` with each job's whole
log, and ``<job name>/<step number>_<step name>.txt`` per step; ``/`` and ``:`` are removed
from names, as ``gh run view --log-failed`` expects.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

from .actions import JobSpec, JobView, RunContext, StepSpec
from .timefmt import log_stamp

BOM = "\ufeff"


def _step_lines(step: StepSpec) -> list[str]:
    lines = [f"##[group]Run {step.name}", *step.log.splitlines(), "##[endgroup]"]
    if step.conclusion == "failure":
        lines.append("##[error]Process completed with exit code 1.")
    return lines


def _stamp(lines: Sequence[str], start: float, end: float) -> str:
    """Prefix each line with a time spread evenly between ``start`` and ``end``."""
    span = max(end - start, 0.0)
    count = max(len(lines), 1)
    return "".join(
        f"{log_stamp(start + span * i / count)} {line}\n" for i, line in enumerate(lines)
    )


def _window(view: JobView) -> tuple[float, float]:
    end = view.completed_at if view.completed_at is not None else view.started_at
    return view.started_at, end


def job_log(view: JobView, context: RunContext) -> str:
    """The raw log of one job execution (the test's text, or one generated from its steps)."""
    spec: JobSpec = view.job.spec
    if spec.log is not None:
        text = spec.log(context) if callable(spec.log) else spec.log
        lines = text.splitlines()
    else:
        lines = [line for step in spec.steps for line in _step_lines(step)]
    return BOM + _stamp(lines, *_window(view))


def _clean(name: str) -> str:
    return name.replace("/", "").replace(":", "")


def run_archive(views: Sequence[JobView], context: RunContext) -> bytes:
    """The zip that ``…/runs/{id}/logs`` redirects to."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, view in enumerate(views, start=1):
            job = _clean(view.job.spec.name)
            archive.writestr(f"{index}_{job}.txt", job_log(view, context))
            start, end = _window(view)
            for number, step in enumerate(view.job.spec.steps, start=1):
                text = BOM + _stamp(_step_lines(step), start, end)
                archive.writestr(f"{job}/{number}_{_clean(step.name)}.txt", text)
    return buffer.getvalue()
