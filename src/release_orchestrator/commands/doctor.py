"""``release doctor``: find trusted-publishing mistakes before the tag exists.

Reads ``pyproject.toml``, ``[tool.release]``, the git remote and the workflow files, finds
the job that publishes, checks what PyPI and GitHub will make of it for the next tag, and
predicts the OIDC claims GitHub will put in that job's token. The claims are compared with
the configured publisher by :func:`release_orchestrator.publisher.compare`, the same code
``release explain`` uses. Each problem is a :class:`Finding` with a stable code (the README
lists them). ``release cut`` runs the doctor before it changes anything
(:func:`check_before_cut`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from ..adapters.files import LOCAL, load_pyproject, load_workflows, read_local
from ..core.config import ReleaseConfig, load_config
from ..core.publisher import (
    INDEX_HOSTS,
    INDEX_NAMES,
    Claims,
    Publisher,
    compare,
    publisher_form,
    resolve_publisher,
)
from ..core.pyproject import locate_version
from ..core.workflows import (
    PUBLISH_ACTION,
    RUN_PUBLISH,
    Job,
    Step,
    Workflow,
    grants_id_token,
    publishing_jobs,
    push_triggers_on_tag,
    release_triggers_on_publish,
)
from ..errors import CheckFailure, ChecksFailed, ExitCode, UsageError

if TYPE_CHECKING:
    from ..adapters.pypi import PyPIClient
    from ..core.plan import CutOptions, ReleasePlan
    from ..deps import Deps

Severity = Literal["error", "warning"]

# The claims the doctor predicts, in the order the JSON object lists them.
PREDICTED_CLAIMS = (
    "repository",
    "repository_owner",
    "workflow_ref",
    "job_workflow_ref",
    "ref",
    "environment",
    "sub",
)

# pypa/gh-action-pypi-publish learned Metadata 2.4 (twine/pkginfo) in v1.12.
_MIN_ACTION = (1, 12)
_ACTION_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$")
# Steps that build distributions (in a run: script, or as an action).
_RUN_BUILD = re.compile(
    r"\b(?:python3?\s+-m\s+build|pyproject-build|uv\s+build|hatch\s+build|poetry\s+build"
    r"|pdm\s+build|flit\s+build|pipx\s+run\s+build|setup\.py\s+(?:sdist|bdist_wheel)"
    r"|pip\s+wheel|maturin\s+build|cibuildwheel)\b"
)
_BUILD_ACTIONS = ("build-and-inspect-python-package", "cibuildwheel", "maturin-action")
# Credentials that make twine or uv upload with a password or token instead of TP.
_PASSWORD_ENV = ("TWINE_PASSWORD", "UV_PUBLISH_PASSWORD", "UV_PUBLISH_TOKEN")
_PASSWORD_ARG = re.compile(r"(?:^|\s)(?:--password|--token|-p|-t)(?:[\s=]|$)")
_TESTPYPI_ARG = re.compile(r"(?:--repository|-r|--index)[\s=]+['\"]?testpypi\b")


@dataclass(frozen=True)
class Finding:
    """One problem: a stable code, its severity, where it is, what is wrong and the fix."""

    code: str
    severity: Severity
    file: str | None
    line: int | None
    message: str
    fix: str

    @property
    def location(self) -> str:
        """``file:line``, ``file``, or "" when the finding is about no file."""
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    @property
    def where(self) -> str:
        """The location as a prefix for the message (``file:line: ``), or ""."""
        return f"{self.location}: " if self.location else ""

    def to_json(self) -> dict[str, Any]:
        """The finding as the JSON object of ``release doctor --json``."""
        return {
            "code": self.code,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "message": self.message,
            "fix": self.fix,
        }


@dataclass(frozen=True)
class DoctorRequest:
    """What to check: the tag (default: the tag ``release cut`` would create now)."""

    tag: str | None = None
    version: str | None = None  # the version the release carries (default: pyproject's)
    remote: str | None = None  # default: [tool.release] remote
    github_release: bool | None = None  # default: [tool.release] github-release
    index_url: str | None = None  # the JSON API's base URL (default: RELEASE_PYPI_URL, PyPI)


@dataclass
class DoctorReport:
    """Everything the doctor found; ``to_json`` is the ``--json`` contract."""

    findings: list[Finding]
    tag: str
    event: str | None = None  # the event that will publish: "push" or "release"
    workflow: str | None = None
    job: str | None = None
    predicted_claims: dict[str, str | None] | None = None
    publisher: Publisher | None = None
    publisher_source: str = ""
    publisher_form: dict[str, str | None] | None = None
    pending_publisher_needed: bool | None = None
    project: str | None = None
    index: str = "pypi"

    @property
    def errors(self) -> list[Finding]:
        """The error-level findings (any of them makes the exit code 3)."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """The warning-level findings."""
        return [f for f in self.findings if f.severity == "warning"]

    def to_json(self) -> dict[str, Any]:
        """The one JSON object ``release doctor --json`` prints."""
        return {
            "findings": [f.to_json() for f in self.findings],
            "workflow": self.workflow,
            "job": self.job,
            "predicted_claims": self.predicted_claims,
            "publisher_form": self.publisher_form,
            "pending_publisher_needed": self.pending_publisher_needed,
        }


# --- workflow facts ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Start:
    """A run that will execute the publishing job for the tag."""

    workflow: Workflow  # the file whose trigger starts the run (workflow_ref)
    caller: Job | None  # the job that calls the publishing workflow, when it is reusable
    event: str  # "push" or "release"


def _callers(workflows: list[Workflow], called: Workflow) -> list[tuple[Workflow, Job]]:
    """Jobs that call ``called`` as a same-repository reusable workflow (``uses: ./…``)."""
    path = called.path.as_posix()
    return [
        (workflow, job)
        for workflow in workflows
        for job in workflow.jobs
        if job.uses and job.uses.strip().removeprefix("./").split("@")[0] == path
    ]


def _entry_points(
    workflows: list[Workflow], workflow: Workflow
) -> list[tuple[Workflow, Job | None]]:
    """The workflows whose own triggers run ``workflow``'s jobs: itself, and its callers."""
    entries: list[tuple[Workflow, Job | None]] = []
    if any(event != "workflow_call" for event in workflow.triggers):
        entries.append((workflow, None))
    entries += _callers(workflows, workflow)
    return entries


def _starts(
    entries: Iterable[tuple[Workflow, Job | None]], tag: str, github_release: bool
) -> list[_Start]:
    """The runs the release starts: a push of ``tag``, and a published GitHub Release."""
    starts = []
    for workflow, caller in entries:
        if push_triggers_on_tag(workflow, tag):
            starts.append(_Start(workflow, caller, "push"))
        if github_release and release_triggers_on_publish(workflow):
            starts.append(_Start(workflow, caller, "release"))
    return starts


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


def _job_indexes(job: Job) -> set[str]:
    return {index for step in job.publish_steps if (index := step_index(step)) is not None}


def _uses_password(step: Step, job: Job) -> bool:
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


def _builds(step: Step) -> bool:
    if step.uses:
        return any(name in step.uses for name in _BUILD_ACTIONS)
    return bool(step.run and _RUN_BUILD.search(step.run))


def _is_action(step: Step, name: str) -> bool:
    return bool(step.uses and name in step.uses.split("@", 1)[0])


def _environment_claim(job: Job) -> tuple[str | None, bool]:
    """The job's environment claim, and whether it is known (an expression is not)."""
    if job.environment is None:
        return None, True
    if "${{" in job.environment:
        return None, False
    return job.environment, True


# --- claims ------------------------------------------------------------------------------


def predict_claims(
    owner: str,
    repository: str,
    *,
    workflow_path: str,
    job_workflow_path: str,
    tag: str,
    environment: str | None,
    event: str = "push",
    environment_known: bool = True,
) -> Claims:
    """The OIDC claims GitHub puts in the publishing job's token for a run on ``tag``.

    GitHub's documented formats: for a tag push and for a release event alike ``ref`` is
    ``refs/tags/TAG``; ``workflow_ref`` names the file whose trigger started the run and
    ``job_workflow_ref`` the file that holds the job (they differ for a reusable workflow),
    both ``OWNER/REPO/.github/workflows/FILE@refs/tags/TAG``; ``sub`` is
    ``repo:OWNER/REPO:environment:NAME`` for a job with an environment, else
    ``repo:OWNER/REPO:ref:refs/tags/TAG``.
    """
    full = f"{owner}/{repository}"
    ref = f"refs/tags/{tag}"
    if not environment_known:
        sub = None
    elif environment:
        sub = f"repo:{full}:environment:{environment}"
    else:
        sub = f"repo:{full}:ref:{ref}"
    return Claims(
        sub=sub,
        repository=full,
        repository_owner=owner,
        workflow_ref=f"{full}/{workflow_path}@{ref}",
        job_workflow_ref=f"{full}/{job_workflow_path}@{ref}",
        ref=ref,
        environment=environment,
        event_name=event,
        missing=frozenset({"environment"} if environment is None and environment_known else ()),
    )


# --- the checks --------------------------------------------------------------------------


@dataclass
class _Facts:
    """What the checks look at, gathered once."""

    config: ReleaseConfig
    pyproject_text: str
    workflows: list[Workflow]
    workflow: Workflow  # the file that holds the publishing job
    job: Job
    owner: str | None  # from the git remote, else [tool.release.pypi]
    repository: str | None
    entries: list[tuple[Workflow, Job | None]]  # the workflows whose triggers run the job
    tag: str
    publisher: Publisher
    trusted: bool  # trusted publishing is meant (id-token granted, or a publisher configured)
    github_release: bool = False
    starts: list[_Start] = field(default_factory=list)
    claims: Claims = field(default_factory=Claims)
    findings: list[Finding] = field(default_factory=list)

    def add(
        self,
        code: str,
        severity: Severity,
        where: tuple[Path | str | None, int | None],
        message: str,
        fix: str,
    ) -> None:
        path, line = where
        file = None if path is None else Path(path).as_posix()
        self.findings.append(Finding(code, severity, file, line, message, fix))


def _pattern_for(prefix: str) -> str:
    return f"{prefix}*" if prefix else "*"


def _check_triggers(facts: _Facts) -> None:
    """tag-not-triggering, double-trigger and pull-request-target."""
    wf, tag = facts.workflow, facts.tag
    where = (wf.path, wf.on_line)
    pattern = _pattern_for(facts.config.tag_prefix)
    if not facts.starts:
        if not wf.triggers:
            message = f"{wf.filename}: the workflow has no triggers (on: is empty), so nothing runs"
        elif not facts.entries:
            message = (
                f"{wf.filename} is a reusable workflow (on: workflow_call) and no workflow "
                "here calls it, so nothing runs it for the tag"
            )
        elif not facts.github_release and any(
            release_triggers_on_publish(w) for w, _ in facts.entries
        ):
            message = (
                f"{wf.filename} runs on `release: published`, but release cut makes no GitHub "
                f"Release (github-release is off), and on.push does not match tag {tag}"
            )
        elif any("push" in w.triggers for w, _ in facts.entries):
            message = f"the on.push filters of {wf.filename} do not match tag {tag}"
        else:
            events = ", ".join(sorted({e for w, _ in facts.entries for e in w.triggers})) or "-"
            message = f"{wf.filename} runs only on {events}, so pushing tag {tag} does not start it"
        facts.add(
            "tag-not-triggering",
            "error",
            where,
            message,
            f'add `on: push: tags: ["{pattern}"]` to {wf.filename}, or set github-release = '
            "true in [tool.release] if it should run on `release: published`",
        )
    if len(facts.starts) > 1:
        runs = " and ".join(
            f"{s.workflow.filename} on the {'tag push' if s.event == 'push' else 'GitHub Release'}"
            for s in facts.starts
        )
        facts.add(
            "double-trigger",
            "error",
            where,
            f"job {facts.job.id!r} runs twice for {tag} ({runs}), and the second upload fails "
            "with 'File already exists'",
            "keep one trigger: release cut pushes the tag, so drop `release:` from `on:` "
            "(or keep only `release: published` and cut with --github-release)",
        )
    elif not facts.github_release and any(
        s.event == "push" and release_triggers_on_publish(s.workflow) for s in facts.starts
    ):
        facts.add(
            "double-trigger",
            "warning",
            where,
            f"{wf.filename} runs on the tag push and on `release: published`: a GitHub Release "
            f"made later for {tag} runs the upload again, which fails with 'File already exists'",
            "drop `release:` from `on:` (release cut pushes the tag)",
        )
    _check_other_publishers(facts)
    for workflow, _ in facts.entries:
        if "pull_request_target" in workflow.triggers:
            facts.add(
                "pull-request-target",
                "error",
                (workflow.path, workflow.on_line),
                f"{workflow.filename} runs on pull_request_target: PyPI refuses tokens from that "
                "event, and it runs untrusted pull-request code with your secrets",
                "publish only on the tag (on: push: tags) or a GitHub Release, and move "
                "pull-request checks to a workflow that does not publish",
            )
        elif "pull_request" in workflow.triggers and facts.job.condition is None:
            facts.add(
                "pull-request-target",
                "error",
                (workflow.path, workflow.on_line),
                f"{workflow.filename} runs on pull_request and job {facts.job.id!r} has no "
                "`if:`: it tries to publish from every pull request, and pull requests from "
                "forks get no OIDC token",
                f"publish only on tags: add `if: startsWith(github.ref, 'refs/tags/')` to job "
                f"{facts.job.id!r}, or remove pull_request from this workflow",
            )


def _check_other_publishers(facts: _Facts) -> None:
    """Another job that uploads to the same index on the same tag makes a second upload."""
    index = facts.publisher.index
    for workflow, job in publishing_jobs(facts.workflows):
        if (workflow.path, job.id) == (facts.workflow.path, facts.job.id) or job.condition:
            continue  # an `if:` may well keep it apart; it cannot be evaluated here
        if index not in _job_indexes(job):
            continue
        if _starts(_entry_points(facts.workflows, workflow), facts.tag, facts.github_release):
            facts.add(
                "double-trigger",
                "error",
                (workflow.path, job.line),
                f"job {job.id!r} in {workflow.filename} also uploads to "
                f"{INDEX_NAMES.get(index, index)} for {facts.tag}, and the second upload "
                "fails with 'File already exists'",
                "keep one publishing job per index, or give the others an `if:` that keeps "
                "them off release tags",
            )


def _check_permissions(facts: _Facts) -> None:
    """missing-id-token (the publishing job, and the caller of a reusable workflow)."""
    if not facts.trusted:
        return  # uploads with a password or token: no OIDC token needed
    wf, job = facts.workflow, facts.job
    if not grants_id_token(wf, job):
        # Granted at workflow level but replaced by the job's own block: a common surprise.
        replaced = job.permissions is not None and grants_id_token(
            wf, replace(job, permissions=None)
        )
        reason = (
            "its own `permissions:` block replaces the workflow-level one, which grants it"
            if replaced
            else "nothing grants `id-token: write` (read-all and the repository default do not)"
        )
        facts.add(
            "missing-id-token",
            "error",
            (wf.path, job.line),
            f"job {job.id!r} cannot request an OIDC token: {reason}",
            f"add `permissions: {{id-token: write}}` to job {job.id!r} (job level, so only the "
            "publishing job gets it)",
        )
    for caller_wf, caller in facts.entries:
        if caller is not None and not grants_id_token(caller_wf, caller):
            facts.add(
                "missing-id-token",
                "error",
                (caller_wf.path, caller.line),
                f"job {caller.id!r} calls {wf.filename} without `id-token: write`, and a called "
                "workflow gets no more permissions than its caller",
                f"add `permissions: {{id-token: write}}` to job {caller.id!r}",
            )


def _check_reusable(facts: _Facts) -> None:
    """reusable-workflow: PyPI matches job_workflow_ref, the called file."""
    wf = facts.workflow
    callers = [(w, job) for w, job in facts.entries if job is not None]
    direct = any(job is None for _, job in facts.entries)
    # A workflow that also runs on its own triggers is reusable only for the runs that
    # come through a caller; what matters is the run the tag starts.
    if facts.starts:
        callers = [(s.workflow, s.caller) for s in facts.starts if s.caller is not None]
        if not callers:
            return
    elif direct or "workflow_call" not in wf.triggers:
        return
    # With attestations off, a same-repository reusable workflow can work, if PyPI's
    # publisher names the called file; with them on (the default) the upload is refused.
    attestations_off = all(
        str(s.with_.get("attestations", "true")).lower() == "false"
        for s in facts.job.publish_steps
        if s.uses
    )
    severity: Severity = "warning" if attestations_off else "error"
    if callers:
        caller_wf, caller = callers[0]
        where: tuple[Path | str | None, int | None] = (caller_wf.path, caller.line)
        how = f"job {caller.id!r} in {caller_wf.filename} calls {wf.filename}"
    else:
        where = (wf.path, wf.on_line)
        how = f"{wf.filename} is a reusable workflow (on: workflow_call)"
    facts.add(
        "reusable-workflow",
        severity,
        where,
        f"{how}: PyPI takes the workflow from job_workflow_ref ({wf.filename}), not from the "
        "workflow the tag started, does not support reusable workflows, and refuses their "
        "attestations",
        f"move job {facts.job.id!r} into the workflow the tag starts; if it must stay, name "
        f"{wf.filename} in PyPI's publisher and set `attestations: false`",
    )


def _check_steps(facts: _Facts) -> None:
    """password-with-trusted-publishing, outdated-action and wrong-index."""
    wf, job = facts.workflow, facts.job
    for step in job.publish_steps:
        if facts.trusted and _uses_password(step, job):
            facts.add(
                "password-with-trusted-publishing",
                "error",
                (wf.path, step.line),
                "this upload is given a password or token besides trusted publishing: a set "
                "secret disables trusted publishing, and an empty or missing one silently falls "
                "back to it",
                "remove `password:` (and TWINE_PASSWORD/UV_PUBLISH_TOKEN): trusted publishing "
                "needs no secret",
            )
        if step.uses and step.uses.split("@", 1)[0].strip() == PUBLISH_ACTION:
            _check_action_version(facts, step)
    configured = facts.config.pypi is not None
    indexes = [(step, step_index(step)) for step in job.publish_steps]
    wanted = facts.publisher.index
    for step, index in indexes:
        if index == "other":
            facts.add(
                "wrong-index",
                "warning",
                (wf.path, step.line),
                "repository-url names neither PyPI nor TestPyPI: trusted publishing works only "
                "with an index that supports it",
                "use https://upload.pypi.org/legacy/ (the default) or "
                "https://test.pypi.org/legacy/",
            )
    known = {index for _, index in indexes if index in INDEX_NAMES}
    if configured and known and wanted not in known:
        step = next(s for s, index in indexes if index in known)
        used = " and ".join(INDEX_NAMES[i] for i in sorted(known))
        other = "https://test.pypi.org/legacy/" if wanted == "testpypi" else "(none: the default)"
        facts.add(
            "wrong-index",
            "error",
            (wf.path, step.line),
            f"[tool.release.pypi] says the publisher is on {INDEX_NAMES.get(wanted, wanted)}, "
            f"but job {job.id!r} uploads to {used} (each index needs its own publisher)",
            f"set repository-url to {other}, or set index = "
            f'"{sorted(known)[0]}" in [tool.release.pypi] and add the publisher on '
            f"{INDEX_HOSTS[sorted(known)[0]]}",
        )


def _check_action_version(facts: _Facts, step: Step) -> None:
    ref = step.uses.split("@", 1)[1].strip() if step.uses and "@" in step.uses else ""
    found = _ACTION_VERSION.match(ref)
    if not found:
        return  # release/v1, a branch, or a commit sha: nothing to say
    version = (int(found.group(1)), int(found.group(2) or 0))
    if version < _MIN_ACTION:
        facts.add(
            "outdated-action",
            "error",
            (facts.workflow.path, step.line),
            f"{PUBLISH_ACTION}@{ref} predates Metadata 2.4: its twine check fails on current "
            "builds with 'Metadata is missing required fields: Name, Version'",
            f"use {PUBLISH_ACTION}@release/v1 (or v1.12 or later)",
        )


def _check_build_split(facts: _Facts) -> None:
    """build-in-publish-job: build in its own job and hand dist/ over as an artifact."""
    wf, job = facts.workflow, facts.job
    building = [step for step in job.steps if _builds(step)]
    if building:
        facts.add(
            "build-in-publish-job",
            "warning",
            (wf.path, building[0].line),
            f"job {job.id!r} builds and publishes: every build step, and the build backend's "
            "plugins, run with the permission to mint a PyPI token",
            "build in a separate job, upload dist/ with actions/upload-artifact, and download "
            "it in the publishing job",
        )
        return
    downloads = any(_is_action(step, "download-artifact") for step in job.steps)
    if not downloads:
        facts.add(
            "build-in-publish-job",
            "warning",
            (wf.path, job.line),
            f"job {job.id!r} neither builds nor downloads the distributions, so dist/ is empty "
            "when it uploads ('MISSING DISTS')",
            "add actions/download-artifact for the dist/ the build job uploads",
        )
        return
    needed = [wf.job(name) for name in job.needs]
    uploads = any(
        _is_action(step, "upload-artifact")
        for needed_job in needed
        if needed_job
        for step in needed_job.steps
    )
    if not uploads:
        names = ", ".join(repr(n) for n in job.needs) or "no job"
        facts.add(
            "build-in-publish-job",
            "warning",
            (wf.path, job.line),
            f"job {job.id!r} downloads artifacts, but it needs {names}, which upload none",
            f"make job {job.id!r} `needs:` the build job, and upload dist/ there with "
            "actions/upload-artifact",
        )


def _check_publisher(facts: _Facts) -> None:
    """publisher-mismatch and environment-mismatch, with PyPI's rules (publisher.compare)."""
    wf, job = facts.workflow, facts.job
    for item in compare(facts.publisher, facts.claims):
        if item.status != "mismatch":
            continue
        if item.field == "environment":
            where = (wf.path, job.environment_line or job.line)
            expected = (facts.publisher.environment or "").strip()
            if job.environment is None:
                fix = (
                    f"add `environment: {expected}` to job {job.id!r}, or set the publisher's "
                    "environment on PyPI to empty (Any) and update [tool.release.pypi]"
                )
            else:
                fix = (
                    f"rename job {job.id!r}'s environment to {expected!r}, or set the "
                    f"publisher's environment on PyPI to {job.environment!r} and update "
                    "[tool.release.pypi]"
                )
            facts.add("environment-mismatch", "error", where, item.note.rstrip("."), fix)
            continue
        facts.add(
            "publisher-mismatch",
            "error",
            ("pyproject.toml", _toml_line(facts.pyproject_text, "tool.release.pypi", item.field)),
            item.note.rstrip("."),
            f"edit the publisher on PyPI so that {item.field} is {item.token!r}, and set "
            f'{item.field} = "{item.token}" in [tool.release.pypi]',
        )


def _toml_line(text: str, table: str, key: str) -> int | None:
    """The 1-based line of ``key = …`` inside ``[table]`` (a plain scan; None if absent)."""
    inside = False
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("["):
            inside = line.split("#", 1)[0].strip() == f"[{table}]"
        elif inside and re.match(rf"{re.escape(key)}\s*=", line):
            return number
    return None


# --- versions ----------------------------------------------------------------------------


def _project_name(config: ReleaseConfig, pyproject: Mapping[str, Any]) -> str | None:
    if config.pypi and config.pypi.project:
        return config.pypi.project
    for table in (pyproject.get("project"), pyproject.get("tool", {}).get("poetry")):
        if isinstance(table, Mapping) and isinstance(table.get("name"), str):
            return str(table["name"])
    return None


def _dist_versions(root: Path, project: str) -> dict[Version, list[str]]:
    """The versions of ``project`` among the sdists and wheels in ``dist/``."""
    found: dict[Version, list[str]] = {}
    folder = root / "dist"
    if not folder.is_dir():
        return found
    for path in sorted(folder.iterdir()):
        try:
            if path.name.endswith(".whl"):
                name, version, _, _ = parse_wheel_filename(path.name)
            elif path.name.endswith((".tar.gz", ".zip")):
                name, version = parse_sdist_filename(path.name)
            else:
                continue
        except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
            continue
        if name == canonicalize_name(project):
            found.setdefault(version, []).append(path.name)
    return found


def _check_versions(
    findings: list[Finding],
    root: Path,
    config: ReleaseConfig,
    tag: str,
    version: Version | None,
    project: str | None,
    check_dist: bool,
) -> Version | None:
    """version-mismatch; returns the release's version when the tag says one."""
    prefix = config.tag_prefix
    tagged: Version | None = None
    problem = None
    if not tag.startswith(prefix):
        problem = f"tag {tag} does not start with the tag prefix {prefix!r}"
    else:
        try:
            tagged = Version(tag[len(prefix) :])
        except InvalidVersion:
            problem = f"tag {tag} does not name a PEP 440 version after {prefix!r}"
    if problem:
        findings.append(
            Finding(
                "version-mismatch",
                "error",
                "pyproject.toml",
                None,
                problem,
                f"tag releases as {config.tag_for('X.Y.Z')} (release cut does), or change "
                "tag-prefix in [tool.release]",
            )
        )
        return version
    assert tagged is not None
    if version is not None and tagged != version:
        findings.append(
            Finding(
                "version-mismatch",
                "error",
                "pyproject.toml",
                None,
                f"tag {tag} says {tagged}, but the project's version is {version}: the "
                f"distributions built for {tag} would be {version}",
                f"let release cut {tagged} set the version and the tag together",
            )
        )
    if check_dist and project:
        built = _dist_versions(root, project)
        if built and tagged not in built:
            names = ", ".join(sorted(str(v) for v in built))
            findings.append(
                Finding(
                    "version-mismatch",
                    "warning",
                    "dist",
                    None,
                    f"dist/ holds builds of {names}, none of {tagged}",
                    "rebuild (python -m build) or empty dist/ before uploading by hand; the "
                    "publish workflow builds its own",
                )
            )
    return tagged


def _check_index(
    report: DoctorReport, project: str | None, version: Version | None, base: str, pypi: PyPIClient
) -> None:
    """Ask the JSON API: pending publisher needed? version-already-published, index-unreachable."""
    if project is None:
        return
    info = pypi.lookup(base, project)
    name = INDEX_NAMES.get(report.index, report.index)
    if info.exists is None:
        report.findings.append(
            Finding(
                "index-unreachable",
                "warning",
                None,
                None,
                f"could not ask {info.url} ({info.problem}): whether {project} exists on {name} "
                "(and needs a pending publisher) and whether the version is taken is unknown",
                "check the network, or set RELEASE_PYPI_URL to a reachable mirror of the JSON API",
            )
        )
        return
    report.pending_publisher_needed = not info.exists
    if info.exists and version is not None and info.has_version(str(version)):
        report.findings.append(
            Finding(
                "version-already-published",
                "error",
                "pyproject.toml",
                None,
                f"{project} {version} is already on {name}: uploading it again fails with "
                "'File already exists'",
                "release a new version (e.g. release cut patch)",
            )
        )


# --- the doctor --------------------------------------------------------------------------


def _select_job(
    workflows: list[Workflow], config: ReleaseConfig, tag: str, github_release: bool
) -> tuple[Workflow, Job] | None:
    """The publishing job to check, when several workflows or jobs publish.

    Only the ``[tool.release] workflow`` file if one is set; then, in this order, the file
    ``[tool.release.pypi]`` names, a job for the publisher's index, one the tag starts, one
    with ``id-token: write``; file order breaks ties.
    """
    candidates = list(publishing_jobs(workflows))
    if config.workflow:
        name = Path(config.workflow).name
        candidates = [(w, j) for w, j in candidates if w.filename == name]
    pypi = config.pypi
    named = Path(pypi.workflow).name if pypi and pypi.workflow else None

    def rank(pair: tuple[Workflow, Job]) -> tuple[bool, ...]:
        workflow, job = pair
        return (
            named is not None and workflow.filename != named,
            pypi is not None and pypi.index not in _job_indexes(job),
            not _starts(_entry_points(workflows, workflow), tag, github_release),
            not grants_id_token(workflow, job),
        )

    return min(candidates, key=rank) if candidates else None


def _no_workflow(config: ReleaseConfig, workflows: list[Workflow]) -> Finding:
    """no-publish-workflow: an error only when the project says it publishes from CI.

    A maintainer who uploads by hand (or from another CI) must still be able to cut a
    release, so the plain case is a warning; a configured publisher or workflow file means
    the release is meant to be published by a workflow, and then nothing will publish it.
    """
    broken = [f"{w.path.as_posix()} is {w.errors[0]}" for w in workflows if w.errors]
    detail = f" ({', '.join(broken)})" if broken else ""
    if config.workflow:
        message = (
            f"[tool.release] workflow = {config.workflow!r}, but no job in that file publishes "
            f"(pypa/gh-action-pypi-publish, uv publish or twine upload){detail}"
        )
        return Finding(
            "no-publish-workflow",
            "error",
            "pyproject.toml",
            None,
            message,
            "fix the workflow setting, or add the publishing job to that file",
        )
    message = (
        "no workflow under .github/workflows publishes to PyPI (no pypa/gh-action-pypi-publish, "
        f"uv publish or twine upload step){detail}"
    )
    severity: Severity = "error" if config.pypi is not None else "warning"
    return Finding(
        "no-publish-workflow",
        severity,
        ".github/workflows",
        None,
        message,
        "add a publish workflow (a build job, then a publish job with environment: pypi, "
        "id-token: write and pypa/gh-action-pypi-publish@release/v1, on: push: tags)",
    )


def run_doctor(root: Path, request: DoctorRequest, deps: Deps) -> DoctorReport:
    """Check the project at ``root`` for the tag ``request`` names; never changes anything.

    Raises :class:`ConfigError` for an unreadable ``pyproject.toml`` and :class:`UsageError`
    when the tag cannot be chosen (a version taken from git tags needs ``--tag``).
    """
    pyproject = load_pyproject(root)
    config = load_config(pyproject)
    try:
        pyproject_text = (root / "pyproject.toml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        pyproject_text = ""
    version: Version | None
    if request.version is not None:
        version = Version(request.version)
    else:
        version = locate_version(root, pyproject, LOCAL).current  # None: the version is the tag
    if request.tag:
        tag = request.tag
    elif version is not None:
        tag = config.tag_for(str(version))
    else:
        raise UsageError(
            "the version comes from git tags, so the next tag is unknown",
            "name it: release doctor --tag v1.2.3",
        )
    github_release = (
        config.github_release if request.github_release is None else request.github_release
    )
    project = _project_name(config, pyproject)
    report = DoctorReport(findings=[], tag=tag, project=project)
    released = _check_versions(
        report.findings,
        root,
        config,
        tag,
        version,
        project,
        check_dist=request.version is None,
    )

    workflows = load_workflows(root)
    selected = _select_job(workflows, config, tag, github_release)
    if selected is None:
        report.findings.insert(0, _no_workflow(config, workflows))
        report.index = config.pypi.index if config.pypi else "pypi"
    else:
        facts = _gather(root, config, pyproject_text, workflows, selected, report, request)
        _predict(facts, report)
        for check in _CHECKS:
            check(facts)
        report.findings[:0] = facts.findings  # workflow findings first, then versions
    base = deps.pypi.base_url(report.index, request.index_url)
    _check_index(report, project, released, base, deps.pypi)
    return report


def _gather(
    root: Path,
    config: ReleaseConfig,
    pyproject_text: str,
    workflows: list[Workflow],
    selected: tuple[Workflow, Job],
    report: DoctorReport,
    request: DoctorRequest,
) -> _Facts:
    """The facts about the selected publishing job and the publisher it must match."""
    workflow, job = selected
    local = replace(read_local(root, request.remote), workflow=workflow, job=job)
    publisher = resolve_publisher(Publisher(), local)
    if config.pypi is None:
        # Nothing configured: the publisher is on the index the job uploads to.
        indexes = _job_indexes(job)
        publisher = replace(publisher, index="testpypi" if indexes == {"testpypi"} else "pypi")
    uses_password = any(_uses_password(step, job) for step in job.publish_steps)
    github_release = (
        config.github_release if request.github_release is None else request.github_release
    )
    entries = _entry_points(workflows, workflow)
    report.workflow = workflow.path.as_posix()
    report.job = job.id
    report.publisher = publisher
    report.publisher_source = publisher.source
    report.index = publisher.index
    return _Facts(
        config=config,
        pyproject_text=pyproject_text,
        workflows=workflows,
        workflow=workflow,
        job=job,
        # The remote names the repository; when it names none, [tool.release.pypi] does.
        owner=local.owner or publisher.owner,
        repository=local.repository or publisher.repository,
        entries=entries,
        tag=report.tag,
        publisher=publisher,
        # A password without id-token and without a configured publisher: token uploads.
        trusted=grants_id_token(workflow, job) or config.pypi is not None or not uses_password,
        github_release=github_release,
        starts=_starts(entries, report.tag, github_release),
    )


def _predict(facts: _Facts, report: DoctorReport) -> None:
    """Predict the token's claims for the first run the tag starts; fill the PyPI form."""
    job, workflow = facts.job, facts.workflow
    first = facts.starts[0] if facts.starts else _Start(workflow, None, "push")
    environment, known = _environment_claim(job)
    if facts.owner and facts.repository:
        claims = predict_claims(
            facts.owner,
            facts.repository,
            workflow_path=first.workflow.path.as_posix(),
            job_workflow_path=workflow.path.as_posix(),
            tag=facts.tag,
            environment=environment,
            event=first.event,
            environment_known=known,
        )
        values = claims.as_dict()
        report.predicted_claims = {name: values[name] for name in PREDICTED_CLAIMS}
        report.publisher_form = publisher_form(claims)
    else:
        # No GitHub remote: owner, repository and workflow are unknown; the environment is not.
        facts.add(
            "unknown-repository",
            "warning",
            ("pyproject.toml", None),
            "cannot tell the GitHub repository: the git remote names none on github.com and "
            "[tool.release.pypi] does not set owner and repository, so the "
            "publisher's owner and repository were not checked",
            "point the remote at https://github.com/OWNER/REPO.git (url.<base>.insteadOf can "
            "still send git to a mirror), or set owner and repository in [tool.release.pypi]",
        )
        missing = frozenset({"environment"}) if environment is None and known else frozenset()
        claims = Claims(environment=environment, missing=missing)
    report.event = first.event if facts.starts else None
    facts.claims = claims


_CHECKS = (
    _check_triggers,
    _check_permissions,
    _check_reusable,
    _check_steps,
    _check_build_split,
    _check_publisher,
)


def check_before_cut(
    root: Path,
    plan: ReleasePlan,
    options: CutOptions,
    deps: Deps,
    *,
    skip: bool,
) -> str:
    """Run the doctor for the tag ``release cut`` is about to create; return the plan's line.

    Raises :class:`ChecksFailed` (exit 3, one line per error finding) before anything is
    changed. Skipped with ``--skip-doctor``, and when the tag is already on the remote
    (resuming a release): then there is nothing left for the doctor to prevent.
    """
    from ..core.plan import StepStatus

    if skip:
        return "  doctor   skipped (--skip-doctor): trusted publishing was not checked"
    if plan.step("push").status is StepStatus.ALREADY_DONE:
        return f"  doctor   not run: {plan.tag} is already on {plan.remote}"
    request = DoctorRequest(
        tag=plan.tag,
        version=str(plan.version),
        remote=options.remote,
        github_release=options.github_release,
    )
    report = run_doctor(root, request, deps)
    if report.errors:
        failures = [CheckFailure(f"doctor: {f.where}{f.message}", f.fix) for f in report.errors]
        last = failures[-1]
        failures[-1] = CheckFailure(last.message, f"{last.hint} (--skip-doctor to cut anyway)")
        raise ChecksFailed(failures)
    codes = ", ".join(dict.fromkeys(f.code for f in report.warnings))
    if codes:
        return f"  doctor   no errors; warnings: {codes} (release doctor explains them)"
    return "  doctor   no errors, no warnings"


def doctor_command(request: DoctorRequest, deps: Deps, *, as_json: bool) -> int:
    """``release doctor``: print the report; exit 3 when it holds an error."""
    from ..render.doctor import render_report

    report = run_doctor(deps.cwd, request, deps)
    if as_json:
        deps.console.data(json.dumps(report.to_json()))
    else:
        deps.console.write(render_report(report))
    return int(ExitCode.CHECK_FAILED) if report.errors else int(ExitCode.OK)
