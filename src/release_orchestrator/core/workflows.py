"""GitHub Actions workflow files: triggers, jobs, permissions, and which job publishes to PyPI.

Parsed with ruamel.yaml (YAML 1.2), so the key ``on`` stays the string ``"on"`` — PyYAML's
YAML 1.1 turns it into ``True``. Line numbers are kept so that findings can point at them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import msgspec

WORKFLOW_DIR = Path(".github") / "workflows"
PUBLISH_ACTION = "pypa/gh-action-pypi-publish"
# The uploaders a run: script can call (twine also as `python -m twine upload`); one list
# for the doctor and for explain, which recognises the same steps in a log.
PUBLISH_COMMANDS = (
    r"uv\s+publish|twine\s+upload|poetry\s+publish|pdm\s+publish|hatch\s+publish"
    r"|flit\s+publish|maturin\s+(?:upload|publish)"
)
RUN_PUBLISH = re.compile(rf"\b(?:{PUBLISH_COMMANDS})\b")
# How each uploader skips the files an index already has, so that a re-run after a partial
# upload does not fail on "File already exists"; hatch and flit have no such option.
SKIP_OPTIONS = (
    (re.compile(r"\buv\s+publish\b"), "--check-url"),
    (
        re.compile(r"\b(?:twine\s+upload|poetry\s+publish|pdm\s+publish|maturin\s+(?:upload|publish))\b"),
        "--skip-existing",
    ),
)
# maturin's own action runs `maturin <command> <args>` from its inputs; `maturin generate-ci`
# writes its upload as this action with `command: upload`. messense/ is its former owner.
MATURIN_ACTIONS = ("pyo3/maturin-action", "messense/maturin-action")
# Environment variables that hand one of those uploaders a password or an API token
# (`*` stands for any index name, as in POETRY_PYPI_TOKEN_PYPI).
TOKEN_ENV = (
    "TWINE_PASSWORD",
    "UV_PUBLISH_PASSWORD",
    "UV_PUBLISH_TOKEN",
    "POETRY_PYPI_TOKEN_*",
    "POETRY_HTTP_BASIC_*_PASSWORD",
    "PDM_PUBLISH_PASSWORD",
    "HATCH_INDEX_AUTH",
    "FLIT_PASSWORD",
    "MATURIN_PYPI_TOKEN",
    "MATURIN_PASSWORD",
)
TOKEN_ENV_PATTERN = "|".join(name.replace("*", r"\w+") for name in TOKEN_ENV)
_USES_COMMENT = re.compile(r"""\buses:\s*['"]?[^\s'"#]+['"]?\s+#\s*(.*?)\s*$""")


class Step(msgspec.Struct, frozen=True):
    """One step of a job."""

    index: int
    line: int | None
    uses: str | None
    run: str | None
    with_: Mapping[str, Any]
    env: Mapping[str, Any] = msgspec.field(default_factory=dict)  # the step's `env:`
    uses_comment: str | None = None  # the comment after `uses:` (`# v1.12.4` by a pin)
    condition: str | None = None  # the step's `if:`

    @property
    def publish_action(self) -> bool:
        """True when this step is pypa/gh-action-pypi-publish."""
        return bool(self.uses and self.uses.split("@", 1)[0].strip() == PUBLISH_ACTION)

    @property
    def script(self) -> str | None:
        """The command line the step runs: its ``run:``, or the maturin command that
        maturin-action's ``command`` (default ``build``) and ``args`` inputs make.
        """
        if self.run is not None:
            return self.run
        if self.uses and self.uses.split("@", 1)[0].strip().lower() in MATURIN_ACTIONS:
            command = self.with_.get("command") or "build"
            return f"maturin {command} {self.with_.get('args') or ''}".rstrip()
        return None

    @property
    def skip_existing(self) -> tuple[str, bool] | None:
        """The option with which this upload step skips the files the index already has,
        and whether it is given (None: the uploader has no such option).
        """
        if self.publish_action:
            given = str(self.with_.get("skip-existing", "")).lower() == "true"
            return "skip-existing: true", given
        script = self.script or ""
        for uploader, option in SKIP_OPTIONS:
            if uploader.search(script):
                return option, re.search(rf"(?<!\S){option}\b", script) is not None
        return None

    @property
    def publishes(self) -> bool:
        """True when this step uploads to a package index."""
        if self.publish_action:
            return True
        return bool(self.script and RUN_PUBLISH.search(self.script))


class Job(msgspec.Struct, frozen=True):
    """One job of a workflow, with what trusted publishing depends on."""

    id: str
    line: int | None
    environment: str | None
    environment_line: int | None
    permissions: Any  # job-level `permissions:`, None when absent
    uses: str | None  # a job that calls a reusable workflow
    steps: tuple[Step, ...]
    needs: tuple[str, ...]
    condition: str | None = None  # the job's `if:`
    env: Mapping[str, Any] = msgspec.field(default_factory=dict)  # the job's `env:`

    @property
    def publish_steps(self) -> tuple[Step, ...]:
        """The steps that upload to a package index."""
        return tuple(step for step in self.steps if step.publishes)


class Workflow(msgspec.Struct, frozen=True):
    """A parsed workflow file."""

    path: Path  # relative to the repository root
    name: str | None
    triggers: Mapping[str, Any]  # event -> its configuration (None when bare)
    permissions: Any
    jobs: tuple[Job, ...]
    on_line: int | None = None
    errors: tuple[str, ...] = msgspec.field(default_factory=tuple)
    env: Mapping[str, Any] = msgspec.field(default_factory=dict)  # the workflow's `env:`

    @property
    def filename(self) -> str:
        """The file name PyPI's publisher form asks for."""
        return self.path.name

    def job(self, job_id: str) -> Job | None:
        """The job with this id."""
        return next((job for job in self.jobs if job.id == job_id), None)


def _line(node: Any, key: Any = None) -> int | None:
    """1-based line of ``node`` (or of ``key`` inside it), when ruamel recorded one."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    try:
        return int(lc.key(key)[0]) + 1 if key is not None else int(lc.line) + 1
    except (KeyError, TypeError, AttributeError):
        return None


def _triggers(on: Any) -> dict[str, Any]:
    """Normalise ``on: push`` / ``on: [push, release]`` / ``on: {push: …}`` to a dict."""
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {str(event): None for event in on}
    if isinstance(on, Mapping):
        return {str(event): config for event, config in on.items()}
    return {}


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _environment(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("name")
    return None if value is None else str(value)


def _uses_comment(step: Mapping[str, Any], lines: list[str]) -> str | None:
    """The comment after ``uses:`` on its source line (a pinned SHA's ``# v1.12.4``)."""
    number = _line(step, "uses")
    if number is None or not 0 < number <= len(lines):
        return None
    found = _USES_COMMENT.search(lines[number - 1])
    return found.group(1) if found and found.group(1) else None


def _optional(data: Mapping[str, Any], key: str) -> str | None:
    return str(data[key]) if data.get(key) is not None else None


def _job(job_id: str, data: Any, parent: Any, lines: list[str]) -> Job:
    data = _mapping(data)
    raw_steps = data.get("steps")
    steps = tuple(
        Step(
            index=i,
            line=_line(step),
            uses=_optional(step, "uses"),
            run=_optional(step, "run"),
            with_=_mapping(step.get("with")),
            env=_mapping(step.get("env")),
            uses_comment=_uses_comment(step, lines),
            condition=_optional(step, "if"),
        )
        for i, step in enumerate(raw_steps if isinstance(raw_steps, list) else [])
        if isinstance(step, Mapping)
    )
    needs = data.get("needs")
    return Job(
        id=job_id,
        line=_line(parent, job_id),
        environment=_environment(data.get("environment")),
        environment_line=_line(data, "environment") if "environment" in data else None,
        permissions=data.get("permissions"),
        uses=str(data["uses"]) if data.get("uses") is not None else None,
        steps=steps,
        needs=tuple(needs) if isinstance(needs, list) else (str(needs),) if needs else (),
        condition=str(data["if"]) if data.get("if") is not None else None,
        env=_mapping(data.get("env")),
    )


def parse_workflow(text: str, path: Path) -> Workflow:
    """Parse one workflow file's text; YAML errors are kept in ``errors``, never raised."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        data = YAML(typ="rt").load(text)
    except YAMLError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid YAML"
        return Workflow(path, None, {}, None, (), errors=(f"not valid YAML: {first}",))
    if not isinstance(data, Mapping):
        return Workflow(path, None, {}, None, (), errors=("not a workflow (no mapping)",))
    jobs = data.get("jobs")
    lines = text.splitlines()
    return Workflow(
        path=path,
        name=str(data["name"]) if data.get("name") is not None else None,
        triggers=_triggers(data.get("on")),
        permissions=data.get("permissions"),
        jobs=tuple(_job(str(job_id), job, jobs, lines) for job_id, job in jobs.items())
        if isinstance(jobs, Mapping)
        else (),
        on_line=_line(data, "on") if "on" in data else None,
        env=_mapping(data.get("env")),
    )


def publishing_jobs(workflows: list[Workflow]) -> Iterator[tuple[Workflow, Job]]:
    """The jobs that upload to a package index, in file order."""
    for workflow in workflows:
        for job in workflow.jobs:
            if job.publish_steps:
                yield workflow, job


def grants_id_token(workflow: Workflow, job: Job) -> bool:
    """Whether the job's token may request an OIDC ID token (``id-token: write``).

    A job-level ``permissions:`` replaces the workflow-level one entirely; ``write-all``
    grants it, ``read-all`` and any mapping without ``id-token: write`` do not. With no
    ``permissions`` anywhere the repository default applies, which never includes id-token.
    """
    perms = job.permissions if job.permissions is not None else workflow.permissions
    if isinstance(perms, str):
        return perms.strip() == "write-all"
    if isinstance(perms, Mapping):
        return str(perms.get("id-token", "")).strip() == "write"
    return False


# --- trigger filters ---------------------------------------------------------------------


@lru_cache(maxsize=256)
def _pattern(glob: str) -> re.Pattern[str]:
    r"""GitHub's filter-pattern syntax as a regular expression.

    ``*`` any run of characters except ``/``; ``**`` any run; ``?`` and ``+`` make the
    preceding character optional or repeatable; ``[...]`` a class; ``\\`` escapes.
    """
    out: list[str] = []
    i = 0
    while i < len(glob):
        ch = glob[i]
        if ch == "\\" and i + 1 < len(glob):
            out.append(re.escape(glob[i + 1]))
            i += 2
            continue
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch in "?+":
            out.append(ch)  # quantifies what precedes, as in GitHub's cheat sheet
        elif ch == "[":
            end = glob.find("]", i + 1)
            if end == -1:
                out.append(re.escape(ch))
            else:
                out.append(glob[i : end + 1])
                i = end + 1
                continue
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("".join(out) + r"\Z")


def filter_matches(patterns: list[str], name: str) -> bool:
    """Whether ``name`` passes a GitHub filter list; later ``!negations`` override earlier hits."""
    matched = False
    for raw in patterns:
        negated = raw.startswith("!")
        body = raw[1:] if negated else raw
        try:
            hit = _pattern(body).match(name) is not None
        except re.error:
            continue
        if hit:
            matched = not negated
    return matched


def _as_list(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return None


def push_triggers_on_tag(workflow: Workflow, tag: str) -> bool:
    """Whether pushing ``tag`` starts this workflow (GitHub's ``on.push`` filter rules).

    A ``push`` with only ``branches``/``branches-ignore`` filters never runs for tags; one
    with no ref filters runs for every tag; ``paths`` filters are not evaluated for tags.
    """
    if "push" not in workflow.triggers:
        return False
    config = workflow.triggers["push"]
    if not isinstance(config, Mapping):
        return True
    tags, ignore = _as_list(config.get("tags")), _as_list(config.get("tags-ignore"))
    if tags is not None:
        return filter_matches(tags, tag)
    if ignore is not None:
        return not filter_matches(ignore, tag)
    return "branches" not in config and "branches-ignore" not in config


def push_triggers_on_branch(workflow: Workflow, branch: str) -> bool:
    """Whether pushing branch ``branch`` starts this workflow (GitHub's ``on.push`` rules).

    A ``push`` with only ``tags``/``tags-ignore`` filters never runs for branches; one with
    no ref filters runs for every branch; ``paths`` filters are not evaluated here.
    """
    if "push" not in workflow.triggers:
        return False
    config = workflow.triggers["push"]
    if not isinstance(config, Mapping):
        return True
    branches = _as_list(config.get("branches"))
    ignore = _as_list(config.get("branches-ignore"))
    if branches is not None:
        return filter_matches(branches, branch)
    if ignore is not None:
        return not filter_matches(ignore, branch)
    return "tags" not in config and "tags-ignore" not in config


def release_triggers_on_publish(workflow: Workflow) -> bool:
    """Whether publishing a GitHub Release starts this workflow."""
    if "release" not in workflow.triggers:
        return False
    config = workflow.triggers["release"]
    if not isinstance(config, Mapping) or config.get("types") is None:
        return True  # no types: every release activity, `published` included
    types = _as_list(config.get("types")) or []
    return "published" in types or "released" in types or "created" in types


def event_for(workflow: Workflow | None, tag: str, github_release: bool) -> tuple[str, str | None]:
    """``push``, ``release`` or ``create`` (the tag's creation), from what the local
    workflow file triggers on.
    """
    if workflow is None:
        return ("release" if github_release else "push"), None
    if push_triggers_on_tag(workflow, tag):
        return "push", None
    if release_triggers_on_publish(workflow):
        return "release", None
    if "create" in workflow.triggers:
        return "create", None
    return "push", f"{workflow.filename} does not trigger on tag {tag}; see release doctor"
