"""Which job publishes, which workflows run it, and what its steps do.

GitHub's rules as the doctor needs them: a same-repository reusable workflow
(``jobs.X.uses: ./.github/workflows/F``) runs with its caller's trigger; a workflow with
only ``on: workflow_call`` runs only through a caller.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath

from ..config import ReleaseConfig
from ..workflows import (
    RUN_PUBLISH,
    Job,
    Step,
    Workflow,
    grants_id_token,
    publishing_jobs,
    push_triggers_on_tag,
    release_triggers_on_publish,
)
from .facts import Entry, Facts, Start

# Steps that build distributions (in a run: script, or as an action).
_RUN_BUILD = re.compile(
    r"\b(?:python3?\s+-m\s+build|pyproject-build|uv\s+build|hatch\s+build|poetry\s+build"
    r"|pdm\s+build|flit\s+build|pipx\s+run\s+build|setup\.py\s+(?:sdist|bdist_wheel)"
    r"|pip\s+wheel|maturin\s+build|cibuildwheel)\b"
)
BUILD_ACTIONS = ("build-and-inspect-python-package", "cibuildwheel", "maturin-action")
# Credentials that make twine or uv upload with a password or token instead of TP.
_PASSWORD_ENV = ("TWINE_PASSWORD", "UV_PUBLISH_PASSWORD", "UV_PUBLISH_TOKEN")
_PASSWORD_ARG = re.compile(r"(?:^|\s)(?:--password|--token|-p|-t)(?:[\s=]|$)")
_TESTPYPI_ARG = re.compile(r"(?:--repository|-r|--index)[\s=]+['\"]?testpypi\b")


def callers(workflows: Iterable[Workflow], called: Workflow) -> list[tuple[Workflow, Job]]:
    """Jobs that call ``called`` as a same-repository reusable workflow (``uses: ./…``)."""
    path = called.path.as_posix()
    return [
        (workflow, job)
        for workflow in workflows
        for job in workflow.jobs
        if job.uses and job.uses.strip().removeprefix("./").split("@")[0] == path
    ]


def entry_points(workflows: Iterable[Workflow], workflow: Workflow) -> list[Entry]:
    """The workflows whose own triggers run ``workflow``'s jobs: itself, and its callers."""
    entries: list[Entry] = []
    if any(event != "workflow_call" for event in workflow.triggers):
        entries.append((workflow, None))
    entries += callers(workflows, workflow)
    return entries


def starts(entries: Iterable[Entry], tag: str, github_release: bool) -> list[Start]:
    """The runs the release starts: a push of ``tag``, and a published GitHub Release."""
    found = []
    for workflow, caller in entries:
        if push_triggers_on_tag(workflow, tag):
            found.append(Start(workflow, caller, "push"))
        if github_release and release_triggers_on_publish(workflow):
            found.append(Start(workflow, caller, "release"))
    return found


def step_index(step: Step) -> str | None:
    """Which index a publish step uploads to: pypi, testpypi, other, or None (an expression)."""
    if step.uses:
        url = step.with_.get("repository-url", step.with_.get("repository_url"))
        if url is None:
            return "pypi"  # the action's default
        text = str(url)
        if "${{" in text:
            return None
        if "test.pypi.org" in text:
            return "testpypi"
        return "pypi" if "pypi.org" in text else "other"
    text = " ".join([step.run or "", *(str(v) for v in step.env.values())])
    if "test.pypi.org" in text or _TESTPYPI_ARG.search(text):
        return "testpypi"
    return "pypi"


def job_indexes(job: Job) -> set[str]:
    """The indexes the job's publish steps upload to (an expression counts as none)."""
    return {index for step in job.publish_steps if (index := step_index(step)) is not None}


def uses_password(step: Step, job: Job) -> bool:
    """Whether the step hands the uploader a password or token (which disables TP)."""
    if step.uses:
        return "password" in step.with_
    env = {**job.env, **step.env}
    if any(name in env for name in _PASSWORD_ENV):
        return True
    for line in (step.run or "").splitlines():
        found = RUN_PUBLISH.search(line)
        if found and _PASSWORD_ARG.search(line[found.end() :]):
            return True
    return False


def builds(step: Step) -> bool:
    """Whether the step builds distributions."""
    if step.uses:
        return any(name in step.uses for name in BUILD_ACTIONS)
    return bool(step.run and _RUN_BUILD.search(step.run))


def is_action(step: Step, name: str) -> bool:
    """Whether the step uses an action whose ``owner/name`` contains ``name``."""
    return bool(step.uses and name in step.uses.split("@", 1)[0])


def environment_claim(job: Job) -> tuple[str | None, bool]:
    """The job's environment claim, and whether it is known (an expression is not)."""
    if job.environment is None:
        return None, True
    if "${{" in job.environment:
        return None, False
    return job.environment, True


def trusted(facts: Facts) -> bool:
    """Whether trusted publishing is meant: id-token granted, a publisher configured, or no
    password or token handed to the upload."""
    if facts.publishing is None:
        return False
    workflow, job = facts.publishing.workflow, facts.publishing.job
    password = any(uses_password(step, job) for step in job.publish_steps)
    return grants_id_token(workflow, job) or facts.config.pypi is not None or not password


def select_job(
    workflows: Sequence[Workflow], config: ReleaseConfig, tag: str, github_release: bool
) -> tuple[Workflow, Job] | None:
    """The publishing job to check, when several workflows or jobs publish.

    Only the ``[tool.release] workflow`` file if one is set; then, in this order, the file
    ``[tool.release.pypi]`` names, a job for the publisher's index, one the tag starts, one
    with ``id-token: write``; file order breaks ties.
    """
    candidates = list(publishing_jobs(list(workflows)))
    if config.workflow:
        name = PurePosixPath(config.workflow).name
        candidates = [(w, j) for w, j in candidates if w.filename == name]
    pypi = config.pypi
    named = PurePosixPath(pypi.workflow).name if pypi and pypi.workflow else None

    def rank(pair: tuple[Workflow, Job]) -> tuple[bool, ...]:
        workflow, job = pair
        return (
            named is not None and workflow.filename != named,
            pypi is not None and pypi.index not in job_indexes(job),
            not starts(entry_points(workflows, workflow), tag, github_release),
            not grants_id_token(workflow, job),
        )

    return min(candidates, key=rank) if candidates else None
