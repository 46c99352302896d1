"""``release doctor``: find trusted-publishing mistakes before the tag exists.

Gathers the facts — ``pyproject.toml``, ``[tool.release]``, the git remote, the workflow
files, ``dist/`` and PyPI's answer — and hands them to the pure checks of
:mod:`release_orchestrator.core.checks`, which find the publishing job's problems and
predict the OIDC claims GitHub will put in its token (compared with the publisher by the
same code ``release explain`` uses). ``release cut`` runs the doctor before it changes
anything (:func:`check_before_cut`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
from msgspec.structs import replace
from packaging.version import Version

from ..adapters.files import (
    LOCAL,
    Project,
    dist_versions,
    load_project,
    load_workflows,
    read_local,
)
from ..adapters.gitrepo import read_branch
from ..core.checks import Facts, run_checks, run_security
from ..core.checks.action import bare_shas
from ..core.checks.claims import PREDICTED_CLAIMS, predict_for
from ..core.checks.facts import OtherPackage, Publishing
from ..core.checks.report import DoctorReport
from ..core.checks.security import audited_files
from ..core.checks.topology import (
    entry_points,
    fired_for,
    job_indexes,
    runs_for_tag,
    select_job,
)
from ..core.checks.triggers import draft_note
from ..core.checks.versions import released_version
from ..core.config import project_name
from ..core.model import RepoRef
from ..core.publisher import Publisher, publisher_form, publisher_form_url, resolve_publisher
from ..core.pyproject import locate_version
from ..core.version import is_prerelease
from ..core.workflows import PUBLISH_ACTION, Job, Workflow
from ..errors import CheckFailure, ChecksFailed, ExitCode, ReleaseError, UsageError

if TYPE_CHECKING:
    from ..adapters.pypi import ProjectInfo
    from ..core.plan import CutOptions, ReleasePlan
    from ..deps import Deps


class DoctorRequest(msgspec.Struct, frozen=True):
    """What to check: the tag (default: the tag ``release cut`` would create now)."""

    tag: str | None = None
    version: str | None = None  # the version the release carries (default: pyproject's)
    remote: str | None = None  # default: [tool.release] remote
    github_release: bool | None = None  # default: [tool.release] github-release
    draft: bool = False  # the GitHub Release is made as a draft, published later
    prerelease: bool | None = None  # a GitHub pre-release (default: the version says)
    index_url: str | None = None  # the JSON API's base URL (default: RELEASE_PYPI_URL, PyPI)
    offline: bool = False  # --offline: neither PyPI nor GitHub is asked (pre-commit, no token)
    # The index's answer about the project, asked earlier (release cut asks while git runs).
    index_answer: Callable[[], ProjectInfo] | None = None
    package: str | None = None  # --package: the package to check, among several
    # The branch release cut pushes with the tag (default: [tool.release] branch, else the
    # checked-out one).
    branch: str | None = None


def _publishing(
    root: Path,
    request: DoctorRequest,
    facts: Facts,
    selected: tuple[Workflow, Job],
    project: Project,
) -> tuple[Facts, str]:
    """The facts with the selected job's topology, publisher and claims; the publisher's source."""
    workflow, job = selected
    local = read_local(root, request.remote, project=project, selected=selected)
    publisher = resolve_publisher(Publisher(), local)
    if facts.config.pypi is None:
        # Nothing configured: the publisher is on the index the job uploads to.
        indexes = job_indexes(job)
        publisher = replace(publisher, index="testpypi" if indexes == {"testpypi"} else "pypi")
    entries = entry_points(facts.workflows, workflow)
    # The remote names the repository; when it names none, [tool.release.pypi] does.
    owner = local.owner or publisher.owner
    repository = local.repository or publisher.repository
    full = f"{owner}/{repository}" if owner and repository else None
    reached, guarded = runs_for_tag(
        entries, workflow, job, facts.tag, fired_for(facts), full, facts.workflows
    )
    publishing = Publishing(
        workflow=workflow,
        job=job,
        entries=tuple(entries),
        starts=tuple(reached),
        publisher=publisher,
        guarded=tuple(guarded),
    )
    claims = predict_for(publishing, owner, repository, facts.tag)
    gathered = replace(
        facts,
        publishing=replace(publishing, claims=claims),
        owner=owner,
        repository=repository,
        index=publisher.index,
    )
    return gathered, publisher.source


def gather(
    root: Path, request: DoctorRequest, deps: Deps, project: Project | None = None
) -> tuple[Facts, str]:
    """Read everything the checks need; return the facts and where the publisher came from.

    Raises :class:`ConfigError` for an unreadable ``pyproject.toml`` and :class:`UsageError`
    when the tag cannot be chosen (a version taken from git tags needs ``--tag``), for a
    draft without a GitHub Release, or for ``--package`` not naming one package.
    ``project`` is the package already chosen (default: ``request.package``'s, else among
    several packages the one whose prefix ``--tag`` carries).
    """
    project = project or load_project(root, request.package, tag=request.tag)
    pyproject, config = project.pyproject, project.config
    try:
        pyproject_text = (project.root / "pyproject.toml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        pyproject_text = ""
    version: Version | None
    if request.version is not None:
        version = Version(request.version)
    else:
        # None: the version is the tag
        version = locate_version(project.root, pyproject, LOCAL).current
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
    if request.draft and not github_release:
        raise UsageError("--draft applies to the GitHub Release", "add --github-release")
    name = project_name(config, pyproject)
    check_dist = request.version is None
    facts = Facts(
        config=config,
        pyproject_text=pyproject_text,
        workflows=tuple(load_workflows(root)),
        tag=tag,
        github_release=github_release,
        index=config.pypi.index if config.pypi else "pypi",
        version=version,
        project=name,
        check_dist=check_dist,
        dist_versions=dist_versions(project.root, name) if check_dist and name else {},
        draft=request.draft,
        branch=request.branch or config.branch or read_branch(root),
    )
    facts = replace(
        facts,
        other_packages=_other_packages(project, version),
        package=project.package_name,
    )
    if request.prerelease is not None:
        facts = replace(facts, prerelease=request.prerelease)
    else:
        # As release cut makes it: a pre-release version is a GitHub pre-release.
        released = released_version(facts)
        facts = replace(facts, prerelease=released is not None and is_prerelease(released))
    source = ""
    selected = select_job(facts.workflows, config, tag, fired_for(facts))
    if selected is not None:
        facts, source = _publishing(root, request, facts, selected, project)
        # zizmor runs offline in both modes: its audit asks no one.
        files = [entry.workflow.path for entry in audited_files(facts)]
        facts = replace(facts, zizmor=deps.zizmor.audit(root, files, deps.env))
    if request.offline:
        # What only PyPI and GitHub know stays unknown: the report says so in its notes.
        return replace(facts, action_tags_problem="not looked up (--offline)"), source
    if name is not None:
        ask = request.index_answer or deps.pypi.start_project_lookup(
            config, pyproject, request.index_url
        )
        facts = replace(facts, index_answer=ask() if ask else None)
    if facts.publishing is not None and bare_shas(facts.publishing.job):
        facts = _with_action_tags(facts, deps)
    return facts, source


def _other_packages(project: Project, version: Version | None) -> tuple[OtherPackage, ...]:
    """The other packages, each with its tag for this package's version (1.0.0 if unknown)."""
    sample = str(version or "1.0.0")
    return tuple(
        OtherPackage(
            other.name,
            other.config.tag_for(sample),
            other.config.pypi.project
            if other.config.pypi and other.config.pypi.project
            else other.name,
        )
        for other in project.others
    )


def _with_action_tags(facts: Facts, deps: Deps) -> Facts:
    """The facts with the publishing action's tags, which tell what a bare SHA pin runs."""
    from ..adapters.auth import public_tag_commits

    owner, name = PUBLISH_ACTION.split("/")
    try:
        tags = public_tag_commits(deps, RepoRef("github.com", owner, name))
    except ReleaseError as exc:
        return replace(facts, action_tags=None, action_tags_problem=exc.message)
    return replace(facts, action_tags=tags)


def run_doctor(
    root: Path, request: DoctorRequest, deps: Deps, project: Project | None = None
) -> DoctorReport:
    """Check the project at ``root`` for the tag ``request`` names; never changes anything."""
    facts, source = gather(root, request, deps, project)
    findings, notes = run_checks(facts)
    security, security_notes = run_security(facts, findings)
    report = DoctorReport(
        findings=findings,
        security=security,
        notes=notes + security_notes,
        tag=facts.tag,
        project=facts.project,
        index=facts.index,
        draft_note=draft_note(facts),
    )
    answer = facts.index_answer
    if answer is not None and answer.exists is not None:
        report.pending_publisher_needed = not answer.exists
    pub = facts.publishing
    if pub is not None:
        report.workflow = pub.workflow.path.as_posix()
        report.job = pub.job.id
        report.publisher = pub.publisher
        report.publisher_source = source
        report.event = pub.starts[0].event if pub.starts else None
        if facts.owner and facts.repository:
            values = pub.claims.as_dict()
            report.predicted_claims = {name: values[name] for name in PREDICTED_CLAIMS}
            report.publisher_form = publisher_form(pub.claims)
            report.publisher_form_url = publisher_form_url(
                report.publisher_form,
                facts.index,
                facts.project,
                pending=report.pending_publisher_needed,
            )
    return report


def check_before_cut(
    root: Path,
    plan: ReleasePlan,
    options: CutOptions,
    deps: Deps,
    *,
    skip: bool,
    index_answer: Callable[[], ProjectInfo] | None = None,
    project: Project | None = None,
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
        draft=plan.draft,
        prerelease=plan.prerelease,
        index_answer=index_answer,
        branch=plan.branch,
    )
    report = run_doctor(root, request, deps, project)
    if report.errors:
        failures = [CheckFailure(f"doctor: {f.where}{f.message}", f.fix) for f in report.errors]
        last = failures[-1]
        failures[-1] = CheckFailure(last.message, f"{last.hint} (--skip-doctor to cut anyway)")
        raise ChecksFailed(failures)
    codes = ", ".join(dict.fromkeys(f.code for f in report.warnings + report.security))
    if codes:
        line = f"  doctor   no errors; warnings: {codes} (release doctor explains them)"
    else:
        line = "  doctor   no errors, no warnings"
    if report.draft_note is not None:
        line += f"\n  note     {report.draft_note.message}"
    return line


def doctor_command(request: DoctorRequest, deps: Deps, *, as_json: bool) -> int:
    """``release doctor``: print the report; exit 3 when it holds an error.

    Inside GitHub Actions the findings are also annotations and a step summary table.
    """
    from ..render.actions import append_summary, in_actions
    from ..render.doctor import actions_annotations, actions_summary, render_report

    report = run_doctor(deps.cwd, request, deps)
    if in_actions(deps.env):
        # GitHub reads workflow commands on both streams: in JSON mode they go with the
        # human text to stderr, so that stdout stays one JSON object.
        for line in actions_annotations(report):
            deps.console.say(line)
        append_summary(deps.env, actions_summary(report))
    if as_json:
        deps.console.data(json.dumps(report.to_json()))
    else:
        deps.console.write(render_report(report))
    return int(ExitCode.CHECK_FAILED) if report.errors else int(ExitCode.OK)
