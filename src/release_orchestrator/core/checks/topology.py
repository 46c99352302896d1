"""Which job publishes, which workflows run it, and what its steps do.

GitHub's rules as the doctor needs them: a same-repository reusable workflow
(``jobs.X.uses: ./.github/workflows/F``) runs with its caller's trigger; a workflow with
only ``on: workflow_call`` runs only through a caller.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePosixPath
from typing import NamedTuple

from msgspec.structs import replace

from ..config import ReleaseConfig
from ..runs import RunQuery
from ..workflows import (
    RUN_PUBLISH,
    TOKEN_ENV_PATTERN,
    Job,
    Step,
    Workflow,
    event_for,
    grants_id_token,
    publishing_jobs,
    push_triggers_on_tag,
)
from .conditions import Context, both, evaluate, survives_skipped_needs
from .facts import Entry, Facts, Hedge, Publishing, Start

# Steps that build distributions (in a run: script, or as an action).
_RUN_BUILD = re.compile(
    r"\b(?:python3?\s+-m\s+build|pyproject-build|uv\s+build|hatch\s+build|poetry\s+build"
    r"|pdm\s+build|flit\s+build|pipx\s+run\s+build|setup\.py\s+(?:sdist|bdist_wheel)"
    r"|pip\s+wheel|maturin\s+(?:build|sdist)|cibuildwheel)\b"
)
BUILD_ACTIONS = ("build-and-inspect-python-package", "cibuildwheel")
# Uploaders that build before they upload, unless told not to.
_PUBLISH_BUILDS = re.compile(
    r"\b(?:poetry\s+publish\b[^\n]*\s--build\b|maturin\s+publish\b|flit\s+publish\b"
    r"|pdm\s+publish\b(?![^\n]*--no-build))"
)
# Actions that hand distributions to a later job as an artifact.
HANDOVER_ACTIONS = ("upload-artifact", "build-and-inspect-python-package")
# Credentials that make an uploader use a password or token instead of TP.
_TOKEN_ENV = re.compile(rf"(?:{TOKEN_ENV_PATTERN})\Z")
# The script itself sets one of those variables (`export HATCH_INDEX_AUTH=…`, `NAME=… cmd`),
# or an earlier step of the job writes it to $GITHUB_ENV for the steps after it.
_SETS_TOKEN = re.compile(rf"(?:^|[\s;&('\"])(?:export\s+)?({TOKEN_ENV_PATTERN})=")
_GITHUB_ENV = re.compile(r"\$\{?GITHUB_ENV\b")
# The options that hand each uploader a password or token. Short options differ between
# uploaders: pdm's `-p` is `--project` (its password is `-P`), poetry's `-P` is `--project`,
# hatch's `-p` is `--publisher` (its token is `-a`/`--auth`); flit takes none.
_PASSWORD_OPTIONS = {
    "twine": ("--password", "-p"),
    "uv": ("--password", "--token", "-p", "-t"),
    "poetry": ("--password", "-p"),
    "pdm": ("--password", "-P"),
    "hatch": ("--auth", "-a"),
    "flit": (),
    "maturin": ("--password", "-p"),
}


def _password_arg(command: str, args: str) -> bool:
    """Whether ``args`` (what follows the uploader ``command``) pass a password or token."""
    options = _PASSWORD_OPTIONS.get(command.split(maxsplit=1)[0], ("--password", "-p"))
    if not options:
        return False
    names = "|".join(re.escape(option) for option in options)
    return re.search(rf"(?:^|\s)(?:{names})(?:[\s=]|$)", args) is not None
# A step that writes a token where the uploader reads it.
_WRITES_TOKEN = (
    (re.compile(r"(?:>|\btee\b[^|;&\n]*)\s*['\"]?[^\s'\"]*\.pypirc"), "a .pypirc the job writes"),
    (re.compile(r"\bpoetry\s+config\s+(?:pypi-token|http-basic)\."), "poetry config pypi-token"),
)
_TESTPYPI_ARG = re.compile(r"(?:--repository|-r|--index)[\s=]+['\"]?testpypi\b")


def local_callee(uses: str) -> str | None:
    """The repository path a same-repository ``jobs.X.uses: ./…`` names, else None."""
    text = uses.strip()
    if not text.startswith("./"):
        return None
    return text.removeprefix("./").split("@")[0]


def callee(workflows: Iterable[Workflow], job: Job) -> Workflow | None:
    """The loaded workflow a ``uses: ./…`` job calls (None: cross-repository or absent)."""
    path = local_callee(job.uses) if job.uses else None
    return next((w for w in workflows if w.path.as_posix() == path), None) if path else None


def callers(workflows: Iterable[Workflow], called: Workflow) -> list[tuple[Workflow, Job]]:
    """Jobs that call ``called`` as a same-repository reusable workflow (``uses: ./…``)."""
    path = called.path.as_posix()
    return [
        (workflow, job)
        for workflow in workflows
        for job in workflow.jobs
        if job.uses and local_callee(job.uses) == path
    ]


def unreadable_callees(workflows: Sequence[Workflow]) -> list[tuple[Workflow, Job, str]]:
    """Jobs that call a same-repository workflow file that is absent or does not parse."""
    found = []
    for workflow in workflows:
        for job in workflow.jobs:
            path = local_callee(job.uses) if job.uses else None
            if path is None:
                continue
            target = next((w for w in workflows if w.path.as_posix() == path), None)
            if target is None or target.errors:
                found.append((workflow, job, path))
    return found


def entry_points(workflows: Iterable[Workflow], workflow: Workflow) -> list[Entry]:
    """The workflows whose own triggers run ``workflow``'s jobs: itself, and its callers."""
    entries: list[Entry] = []
    if any(event != "workflow_call" for event in workflow.triggers):
        entries.append((workflow, None))
    entries += callers(workflows, workflow)
    return entries


# GitHub's release event ("Events that trigger workflows", release): making a Release that
# is not a draft fires created, published and released (prereleased for a pre-release),
# each a run of its own. No workflow runs for created (nor edited, deleted) on a draft;
# publishing the draft later fires published, and released for a full release, but not
# prereleased for a pre-release published from a draft.
RELEASE_ACTIVITIES = ("created", "published", "released", "prereleased")


def release_fires(
    github_release: bool = True, *, draft: bool = False, prerelease: bool = False
) -> tuple[str, ...]:
    """The activity types that start workflows for a release made this way.

    None for a tag alone; for a draft, those its publication fires, later.
    """
    if not github_release:
        return ()
    kind = "prereleased" if prerelease else "released"
    if draft:
        return ("published",) if prerelease else ("published", kind)
    return ("created", "published", kind)


FULL_RELEASE = release_fires()


def fired_for(facts: Facts) -> tuple[str, ...]:
    """The activity types of the release the doctor checks (see :func:`release_fires`)."""
    return release_fires(facts.github_release, draft=facts.draft, prerelease=facts.prerelease)


def release_types(workflow: Workflow) -> list[str] | None:
    """The activity types ``on.release.types`` lists (None: no types, every activity)."""
    config = workflow.triggers.get("release")
    types = config.get("types") if isinstance(config, Mapping) else None
    if types is None:
        return None
    return [str(t).strip() for t in (types if isinstance(types, list) else [types])]


def release_activities(workflow: Workflow, fired: Sequence[str] = FULL_RELEASE) -> tuple[str, ...]:
    """The activity types among ``fired`` (default: a full release's) that start ``workflow``."""
    if "release" not in workflow.triggers:
        return ()
    wanted = release_types(workflow)
    return tuple(a for a in fired if wanted is None or a in wanted)


# An `if:` on a path, in words: the expression and whose it is ("job 'publish'").
Condition = tuple[str, str]


class Verdict(NamedTuple):
    """Whether a path runs (three-valued); the `if:`s on it the doctor could not evaluate,
    and, when it does not run, those that are false.
    """

    runs: bool | None
    unknown: tuple[Condition, ...] = ()
    false: tuple[Condition, ...] = ()


def _condition(condition: str | None, whose: str) -> Condition:
    """An `if:` as one line without ``${{ }}`` (cut at 80 characters), and whose it is."""
    text = " ".join((condition or "").split())
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2].strip()
    return (text if len(text) <= 80 else text[:79] + "…"), whose


def _job_runs(
    workflow: Workflow, job: Job, context: Context, seen: frozenset[str] = frozenset()
) -> Verdict:
    """Whether ``job`` runs in ``context``: its own `if:`, and the jobs it needs."""
    runs = evaluate(job.condition, context)
    own = (_condition(job.condition, f"job {job.id!r}"),)
    if runs is False:
        return Verdict(False, false=own)
    verdicts = [Verdict(runs, () if runs else own)]
    survives = survives_skipped_needs(job.condition)
    for name in job.needs:
        needed = workflow.job(name)
        if needed is None or name in seen or survives:
            continue
        verdicts.append(_job_runs(workflow, needed, context, seen | {job.id}))
    return _all(verdicts)


def _all(verdicts: Iterable[Verdict]) -> Verdict:
    """The verdict of a path that runs when each of its parts does."""
    runs: bool | None = True
    unknown: tuple[Condition, ...] = ()
    false: tuple[Condition, ...] = ()
    for verdict in verdicts:
        runs = both(runs, verdict.runs)
        unknown += verdict.unknown
        false += verdict.false
    if runs is False:
        return Verdict(False, false=false)
    return Verdict(runs, unknown if runs is None else ())


def _steps_run(steps: Sequence[Step], context: Context) -> Verdict:
    """Whether any of ``steps`` runs, by its own `if:` (no steps: nothing stops the job)."""
    values = [evaluate(step.condition, context) for step in steps]
    if not values or True in values:
        return Verdict(True)
    conditions = [
        _condition(step.condition, f"the upload step (line {step.line})") for step in steps
    ]
    unknown = tuple(c for c, value in zip(conditions, values, strict=True) if value is None)
    return Verdict(None, unknown) if unknown else Verdict(False, false=tuple(conditions))


def path_runs(
    workflow: Workflow, job: Job, start: Start, context: Context, step: Step | None = None
) -> Verdict:
    """Whether a run of ``start`` reaches ``step`` of ``job`` (in ``workflow``); without
    ``step``, any of its upload steps.
    """
    # A reusable workflow's inputs are its caller's `with:`, not the event's.
    inner = replace(context, called=context.called or start.caller is not None)
    parts = [
        _job_runs(workflow, job, inner),
        _steps_run([step] if step else job.publish_steps, inner),
    ]
    if start.caller is not None:
        parts.append(_job_runs(start.workflow, start.caller, context))
    return _all(parts)


def reaches(workflow: Workflow, job: Job, start: Start, context: Context) -> bool | None:
    """Whether a run of ``start`` reaches the upload of ``job`` (in ``workflow``)."""
    return path_runs(workflow, job, start, context).runs


def hedge(
    facts: Facts,
    *,
    step: Step | None = None,
    caller: Job | None = None,
    unseen_caller: bool = False,
) -> Hedge:
    """Whether a failure on a path is certain in the runs the tag starts (those through
    ``caller`` only, when given): the path is the publishing job's upload, or ``step``
    when the failure is that step's.

    Certain when one of those runs is known to reach it. Else the `if:`s the doctor cannot
    evaluate that decide it; or, when none of them reaches it, why. When the tag starts no
    run at all (tag-not-triggering says why), the runs the workflow would make count: one
    per event of its own, and a tag push and a GitHub Release, which a caller's run or a
    fixed trigger would be; with ``unseen_caller``, only those of a caller that is not here.
    """
    pub = facts.publishing
    if pub is None:
        return Hedge()
    subject = (
        ("the step", f"the upload step (line {step.line})")
        if step
        else (f"job {caller.id!r}", f"job {caller.id!r}")
        if caller
        else ("the upload", "")
    )
    runs = [s for s in (*pub.starts, *pub.guarded) if caller is None or s.caller == caller]
    if not runs and (pub.starts or pub.guarded):
        entry = next(w for w, c in pub.entries if c == caller)
        return _skipped(facts.tag, subject[0], [f"it starts no run of {entry.filename}"])
    repository = repository_of(facts)
    contexts = [(s, context_for(s, facts.tag, repository)) for s in runs]
    if not runs:
        contexts = _would_run(pub, caller, unseen_caller, facts.tag, repository)
    verdicts = [path_runs(pub.workflow, pub.job, s, c, step) for s, c in contexts]
    if any(v.runs is True for v in verdicts):
        return Hedge()
    unknown = dict.fromkeys(c for v in verdicts if v.runs is None for c in v.unknown)
    if unknown:
        return Hedge(tuple(f"`{text}` of {whose}" for text, whose in unknown))
    false = dict.fromkeys(c for v in verdicts for c in v.false)
    return _skipped(
        facts.tag,
        subject[0],
        [
            f"its if: `{text}`" if whose == subject[1] else f"the if: `{text}` of {whose}"
            for text, whose in false
        ],
    )


def _would_run(
    pub: Publishing, caller: Job | None, unseen_caller: bool, tag: str, repository: str | None
) -> list[tuple[Start, Context]]:
    """The runs a workflow the tag does not start would make (see :func:`hedge`)."""
    entry = next((w for w, c in pub.entries if c == caller), pub.workflow)
    contexts = []
    if not unseen_caller:
        events = dict.fromkeys([*entry.triggers, "push", "release"]).keys() - {"workflow_call"}
        for event in sorted(events):
            start = Start(entry, caller, event, "published" if event == "release" else None)
            contexts.append((start, context_for(start, tag, repository)))
    if caller is None and "workflow_call" in entry.triggers:
        # A caller in a file the doctor does not see: its inputs and its own file are unknown.
        for event in ("push", "release", "workflow_dispatch"):
            start = Start(entry, None, event, "published" if event == "release" else None)
            context = context_for(start, tag, repository)
            contexts.append((start, replace(context, workflow=None, called=True)))
    return contexts


def _skipped(tag: str, subject: str, why: Sequence[str]) -> Hedge:
    return Hedge(skipped=f"{subject} does not run for tag {tag} ({'; '.join(why)})")


def repository_of(facts: Facts) -> str | None:
    """``owner/name`` of the repository, when the remote (or the publisher) names it."""
    return f"{facts.owner}/{facts.repository}" if facts.owner and facts.repository else None


# A workflow_run runs on the repository's default branch, whose name the doctor does not know.
DEFAULT_BRANCH_REF = "refs/heads/main"


def context_for(start: Start, tag: str, repository: str | None) -> Context:
    """The ``github`` context of a run the release starts: at the tag, except a
    workflow_run's, which runs on the default branch.
    """
    ref = DEFAULT_BRANCH_REF if start.event == "workflow_run" else f"refs/tags/{tag}"
    return Context(start.event, ref, start.action, repository, start.workflow.path.as_posix())


def _starts_for_tag(workflow: Workflow, tag: str, fired: Sequence[str]) -> bool:
    """Whether pushing ``tag`` (with its GitHub Release's activities ``fired``) runs
    ``workflow`` by its own triggers.
    """
    return (
        push_triggers_on_tag(workflow, tag)
        or "create" in workflow.triggers
        or bool(release_activities(workflow, fired))
    )


def followed(
    entry: Workflow, workflows: Iterable[Workflow], tag: str, fired: Sequence[str]
) -> list[Workflow]:
    """The workflows that ``entry``'s ``on: workflow_run`` follows and the release starts.

    GitHub names them by ``name:`` (the file name when there is none); each completed run
    of one starts ``entry``. Its `types` default to every activity, ``completed`` among them.
    """
    config = entry.triggers.get("workflow_run")
    if "workflow_run" not in entry.triggers or not isinstance(config, Mapping):
        return []
    names = config.get("workflows")
    wanted = {str(n) for n in (names if isinstance(names, list) else [names] if names else [])}
    types = config.get("types")
    listed = [str(t) for t in (types if isinstance(types, list) else [types])] if types else None
    if listed is not None and "completed" not in listed:
        return []
    return [
        w
        for w in workflows
        if w is not entry and (w.name or w.filename) in wanted and _starts_for_tag(w, tag, fired)
    ]


def publish_query(
    workflow: Workflow | None,
    workflows: Sequence[Workflow],
    filename: str,
    tag: str,
    sha: str,
    github_release: bool,
) -> tuple[RunQuery, str | None]:
    """The publishing run of ``tag`` at ``sha`` as ``watch`` looks for it, and a warning
    when the local workflow file does not say how the tag starts it.

    A workflow the tag does not start itself may follow (``on: workflow_run``) one it
    does: then the query is a workflow_run after that workflow's run, as the doctor sees it.
    """
    event, warning = event_for(workflow, tag, github_release)
    if warning is not None and workflow is not None:
        for build in followed(workflow, workflows, tag, release_fires(github_release)):
            first, _ = event_for(build, tag, github_release)
            after = RunQuery(build.filename, first, tag, sha)
            return RunQuery(filename, "workflow_run", tag, sha, after=after), None
    return RunQuery(filename, event, tag, sha), warning


def runs_for_tag(
    entries: Iterable[Entry],
    workflow: Workflow,
    job: Job,
    tag: str,
    fired: Sequence[str],
    repository: str | None = None,
    workflows: Iterable[Workflow] = (),
) -> tuple[list[Start], list[Start]]:
    """The runs the release starts that reach the upload, and those an `if:` skips.

    A push of ``tag``, and the tag's creation (``on: create``, which has no filters); one
    run per activity type of the GitHub Release (``fired``, see :func:`release_fires`) the
    workflow listens to; and a workflow_run after each of ``workflows`` those start. A run
    whose `if:` cannot be evaluated is kept, marked uncertain.
    """
    reached: list[Start] = []
    skipped: list[Start] = []
    others = list(workflows)
    for entry, caller in entries:
        candidates = []
        if push_triggers_on_tag(entry, tag):
            candidates.append(Start(entry, caller, "push"))
        if "create" in entry.triggers:
            candidates.append(Start(entry, caller, "create"))
        candidates += [Start(entry, caller, "release", a) for a in release_activities(entry, fired)]
        candidates += [
            Start(entry, caller, "workflow_run", "completed", after=w.filename)
            for w in followed(entry, others, tag, fired)
        ]
        for start in candidates:
            runs = reaches(workflow, job, start, context_for(start, tag, repository))
            if runs is False:
                skipped.append(start)
            else:
                reached.append(replace(start, certain=runs is True))
    return reached, skipped


def _written_host(url: str) -> str | None:
    """The host of an upload URL that an expression completes, when it is written out
    ("https://jazzband.co/projects/${{ … }}/upload"); None: the expression decides it.
    """
    literal = re.match(r"\s*https?://([^/$\s]+)/", url)
    return literal.group(1) if literal else None


def step_index(step: Step) -> str | None:
    """Which index a publish step uploads to: pypi, testpypi, other, or None (an expression)."""
    if step.publish_action:
        url = step.with_.get("repository-url", step.with_.get("repository_url"))
        if url is None:
            return "pypi"  # the action's default
        text = str(url)
        if "${{" in text:
            host = _written_host(text)
            if host is None:
                return None
            text = host
        if "test.pypi.org" in text:
            return "testpypi"
        return "pypi" if "pypi.org" in text else "other"
    text = " ".join([step.script or "", *(str(v) for v in step.env.values())])
    if "test.pypi.org" in text or _TESTPYPI_ARG.search(text):
        return "testpypi"
    targets = _run_targets(step)
    if "testpypi" in targets:
        return "testpypi"
    if targets and targets <= {"other"}:
        return "other"  # every upload names another index (a private one, Artifactory, …)
    return "pypi"


# An uploader's target: twine --repository-url/-r, uv --publish-url, maturin
# --repository-url/-r, hatch -r/--repo, pdm -r/--repository, poetry -r; and the variables
# that set it.
_TARGET_OPTION = re.compile(
    r"(?:--repository-url|--publish-url|--repository|--repo|-r)(?:\s+|=)['\"]?([^\s'\"]+)"
)
_TARGET_ENV = (
    "TWINE_REPOSITORY_URL",
    "UV_PUBLISH_URL",
    "MATURIN_REPOSITORY_URL",
    "FLIT_INDEX_URL",
    "HATCH_INDEX_REPO",
    "PDM_PUBLISH_REPO",
)


def _run_targets(step: Step) -> set[str | None]:
    """The indexes a run step's uploads name: pypi, testpypi, other, or None (an
    expression, or a repository name only the tool's configuration defines).
    """
    targets: set[str | None] = set()
    for line in (step.script or "").splitlines():
        found = RUN_PUBLISH.search(line)
        if found is None:
            continue
        hatch = found.group(0).startswith("hatch")
        for option in _TARGET_OPTION.finditer(line[found.end() :]):
            targets.add(_target_index(option.group(1), hatch))
    for name in _TARGET_ENV:
        if name in step.env:
            targets.add(_target_index(str(step.env[name]), name.startswith("HATCH")))
    return targets


def _target_index(value: str, hatch: bool) -> str | None:
    """The index an uploader's URL or repository name stands for (see _run_targets)."""
    if "${{" in value or value.startswith("$"):
        host = _written_host(value)
        if host is None:
            return None
        value = f"https://{host}/"
    if "://" in value:
        host = value.split("://", 1)[1].split("/", 1)[0].lower()
        if host == "test.pypi.org":
            return "testpypi"
        return "pypi" if host in ("pypi.org", "upload.pypi.org") else "other"
    name = value.lower()
    if name == "testpypi" or (hatch and name == "test"):
        return "testpypi"
    return "pypi" if name in ("pypi", "main") else None


# Uploader options that take a value (the value is not the files to upload).
_VALUE_OPTIONS = frozenset(
    [
        "-u",
        "-p",
        "-t",
        "-r",
        "-a",
        "-P",
        "--username",
        "--password",
        "--token",
        "--repository",
        "--repository-url",
        "--trusted-publishing",
        "--index",
        "--publish-url",
        "--config-file",
        "--auth",
        "--user",
    ]
)
_CD = re.compile(r"\bcd\s+([^\s;&|]+)\s*&&")


def upload_dir(step: Step) -> str | None:
    """The folder a publish step uploads from (``dist`` by default; None: unknown)."""
    if step.publish_action:
        value = step.with_.get("packages-dir", step.with_.get("packages_dir", "dist"))
        return None if "${{" in str(value) else _folder(str(value))
    for line in (step.script or "").splitlines():
        found = RUN_PUBLISH.search(line)
        if not found:
            continue
        cd = _CD.search(line[: found.start()])
        words = line[found.end() :].split()
        files, skip = None, False
        for word in words:
            if word in ("&&", "||", ";", "|"):
                break
            if skip or word.startswith("-"):
                skip = not skip and word in _VALUE_OPTIONS
                continue
            files = word
            break
        folder = _folder(files.strip("'\"")) if files else "dist"
        return f"{_folder(cd.group(1))}/{folder}" if cd else folder
    return None


def _folder(path: str) -> str:
    """``dist/*`` and ``./dist/`` as ``dist``."""
    text = path.strip().removeprefix("./")
    while text.endswith(("/*", "/", "*")):
        text = text.removesuffix("*").removesuffix("/")
    if "*" in text.rsplit("/", 1)[-1] or "." in text.rsplit("/", 1)[-1]:
        text = text.rsplit("/", 1)[0] if "/" in text else "."
    return text or "."


def job_indexes(job: Job) -> set[str]:
    """The indexes the job's publish steps upload to (an expression counts as none)."""
    return {index for step in job.publish_steps if (index := step_index(step)) is not None}


def _step_token(workflow: Workflow, job: Job, step: Step) -> str | None:
    """How a publish step is handed a password or token, in words; None when it is not."""
    if step.publish_action:
        return "the `password:` input" if "password" in step.with_ else None
    env = {**workflow.env, **job.env, **step.env}
    named = next((str(name) for name in env if _TOKEN_ENV.match(str(name))), None)
    if named:
        return f"{named} in `env:`"
    script = step.script or ""
    exported = _SETS_TOKEN.search(script)
    if exported and RUN_PUBLISH.search(script, exported.end()):
        return f"{exported.group(1)} set in the `run:` script"
    for earlier in job.steps[: job.steps.index(step)]:
        for line in (earlier.run or "").splitlines():
            if (written := _SETS_TOKEN.search(line)) and _GITHUB_ENV.search(line):
                return f"{written.group(1)} written to $GITHUB_ENV"
    for line in script.splitlines():
        found = RUN_PUBLISH.search(line)
        if found and _password_arg(found.group(0), line[found.end() :]):
            return "a password or token on the command line"
    return None


def side_upload(workflow: Workflow, job: Job, step: Step, index: str) -> bool:
    """Whether ``step`` uploads, with its own token, to another index than ``index`` while
    another step of the job uploads to ``index``: a second index's business, not the
    publisher's (PyPI by trusted publishing, then Jazzband or a private index by token).
    """
    if step_index(step) in (index, None) or not _step_token(workflow, job, step):
        return False
    return any(step_index(other) == index for other in job.publish_steps if other is not step)


def token_use(workflow: Workflow, job: Job, index: str | None = None) -> tuple[Step, str] | None:
    """The publish step that uploads with a password or token, and how it gets it.

    With ``index`` (the publisher's), a step that uploads to another index beside one that
    uploads to this index (or to one an expression names) does not count: its token is that
    other index's (a Jazzband or private index upload after the trusted one to PyPI). When
    no step uploads to ``index``, every step counts, as wrong-index says the rest.
    """
    steps: Sequence[Step] = job.publish_steps
    if index is not None:
        ours = [step for step in steps if step_index(step) in (index, None)]
        steps = ours or steps
    for step in steps:
        how = _step_token(workflow, job, step)
        if how:
            return step, how
    for step in job.steps:
        for pattern, how in _WRITES_TOKEN:
            if step.run and pattern.search(step.run) and steps:
                return steps[0], how
    return None


def builds(step: Step) -> bool:
    """Whether the step builds distributions (an uploader that builds first counts)."""
    script = step.script
    if script is not None:  # a run: script, or maturin-action's command (upload builds nothing)
        return bool(_RUN_BUILD.search(script) or _PUBLISH_BUILDS.search(script))
    return bool(step.uses and any(name in step.uses for name in BUILD_ACTIONS))


def _hands_over(workflows: Sequence[Workflow], job: Job, seen: frozenset[str]) -> bool | None:
    """Whether ``job`` uploads distributions as an artifact (None: it cannot be seen)."""
    if job.uses:
        called = callee(workflows, job)
        if called is None or called.path.as_posix() in seen:
            return None  # another repository's workflow, or a file that is not here
        inner = {_hands_over(workflows, j, seen | {called.path.as_posix()}) for j in called.jobs}
        return True if True in inner else None if None in inner else False
    return any(is_action(step, name) for step in job.steps for name in HANDOVER_ACTIONS)


def handed_over(
    workflows: Sequence[Workflow], workflow: Workflow, job: Job, entries: Iterable[Entry] = ()
) -> bool | None:
    """Whether a job in the ``needs`` closure hands distributions over (None: unknown).

    For a reusable workflow, the caller job's own ``needs`` count too.
    """
    roots = [(workflow, job)] + [(w, caller) for w, caller in entries if caller is not None]
    result: bool | None = False
    for wf, start in roots:
        pending, seen = list(start.needs), {start.id}
        while pending:
            name = pending.pop()
            needed = wf.job(name)
            if name in seen or needed is None:
                continue
            seen.add(name)
            given = _hands_over(workflows, needed, frozenset())
            if given:
                return True
            if given is None:
                result = None
            pending += needed.needs
    return result


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
    password or token handed to the upload.
    """
    if facts.publishing is None:
        return False
    workflow, job = facts.publishing.workflow, facts.publishing.job
    token = token_use(workflow, job, facts.publishing.publisher.index) is not None
    return grants_id_token(workflow, job) or facts.config.pypi is not None or not token


def select_job(
    workflows: Sequence[Workflow], config: ReleaseConfig, tag: str, fired: Sequence[str]
) -> tuple[Workflow, Job] | None:
    """The publishing job to check, when several workflows or jobs publish.

    Only the ``[tool.release] workflow`` file if one is set; then, in this order, the file
    ``[tool.release.pypi]`` names, a job for the publisher's index (with no publisher
    configured: one that uploads to PyPI, not only to TestPyPI, as a nightly or a rehearsal
    does), one the tag starts, one with ``id-token: write``; file order breaks ties.
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
            (pypi.index not in job_indexes(job)) if pypi else job_indexes(job) == {"testpypi"},
            not runs_for_tag(
                entry_points(workflows, workflow), workflow, job, tag, fired, None, workflows
            )[0],
            not grants_id_token(workflow, job),
        )

    return min(candidates, key=rank) if candidates else None
