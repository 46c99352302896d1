"""PyPI's GitHub trusted-publisher model and the rules PyPI uses to match a token to it.

One implementation, shared by ``release explain`` (claims read from a failed job's log) and
``release doctor`` (claims predicted from the local workflow). The rules are warehouse's
(``warehouse/oidc/models/github.py``: ``lookup_by_claims`` and the claim checks;
``warehouse/oidc/forms/github.py``: what the form stores):

* the publisher form has exactly four GitHub fields: owner, repository name, workflow file
  name and an optional environment ("" = Any); no subject, no ref or tag filter;
* owner, repository name and workflow file name are compared exactly with the values PyPI
  stored (plain string equality in the lookup, so case and whitespace matter). The owner
  is stored as GitHub spelled it when the publisher was saved, so an owner renamed since,
  even only in case, no longer matches; the workflow file name comes from
  ``job_workflow_ref``, and publishers saved before PyPI began stripping it keep a stray
  space that never matches;
* ``job_workflow_ref`` must be ``OWNER/REPO/.github/workflows/FILE@REF`` for the
  publisher's own repository at the run's own ``ref`` (or ``sha``): a reusable workflow
  from another repository, or from the same one at another ref, cannot match; one from
  the same repository at the same ref matches under the called file's name;
* the environment is compared ignoring case; an empty publisher environment matches any
  job; a publisher environment never matches a job without one (claim ``MISSING``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote, urlencode

import msgspec

if TYPE_CHECKING:
    from .workflows import Job, Workflow

Field = Literal["owner", "repository", "workflow", "environment"]
Status = Literal["match", "mismatch", "unknown", "unchecked"]

FIELDS: tuple[Field, ...] = ("owner", "repository", "workflow", "environment")

# PyPI and TestPyPI are separate services: a publisher on one does nothing on the other.
INDEX_HOSTS = {"pypi": "pypi.org", "testpypi": "test.pypi.org"}
INDEX_NAMES = {"pypi": "PyPI", "testpypi": "TestPyPI"}

# The claims gh-action-pypi-publish and uv print, plus the two PyPI requires but neither
# prints (sha, event_name), in the order the action renders them.
CLAIM_NAMES: tuple[str, ...] = (
    "sub",
    "repository",
    "repository_owner",
    "repository_owner_id",
    "workflow_ref",
    "job_workflow_ref",
    "ref",
    "sha",
    "environment",
    "event_name",
)

# warehouse/oidc/models/github.py: _extract_workflow_filename uses this expression on
# job_workflow_ref ("owner/repo/.github/workflows/release.yml@refs/tags/v1").
_WORKFLOW_FILENAME = re.compile(r"[^/]+\.(?:yml|yaml)(?=@)")


# Where a publisher value came from, in order of precedence.
Origin = Literal[
    "the command line", "[tool.release.pypi] in pyproject.toml", "the local repository"
]
ORIGINS: tuple[Origin, ...] = (
    "the command line",
    "[tool.release.pypi] in pyproject.toml",
    "the local repository",
)


class Publisher(msgspec.Struct, frozen=True):
    """A GitHub trusted publisher: the fields of PyPI's form, any of them unknown.

    One type for what the command line gives, what ``[tool.release.pypi]`` says and the
    publisher a token is compared with. ``None`` means "not known" (that field is not
    compared); ``environment=""`` means the publisher accepts any environment. ``index``
    is ``"pypi"`` or ``"testpypi"``; ``project`` is the project a pending publisher makes.
    ``origins`` says, per field, where its value came from (only fields that were given).
    """

    owner: str | None = None
    repository: str | None = None
    workflow: str | None = None
    environment: str | None = None
    index: str = "pypi"
    project: str | None = None
    origins: tuple[tuple[str, Origin], ...] = ()

    @classmethod
    def given(cls, origin: Origin, **values: str | None) -> Publisher:
        """The values ``origin`` gave (``None``: not given), each recorded as from there."""
        known = {name: value for name, value in values.items() if value is not None}
        return cls(**known, origins=tuple((name, origin) for name in known))

    def origin(self, name: str) -> Origin | None:
        """Where field ``name``'s value came from (None: not given, or not known)."""
        return dict(self.origins).get(name)

    @property
    def source(self) -> str:
        """A sentence saying where the form's fields came from (``explain``'s ``source``)."""
        used = {self.origin(name) for name in FIELDS} - {None}
        if not used:
            return "unknown (no options, no pyproject.toml)"
        return " and ".join(origin for origin in ORIGINS if origin in used)


class Claims(msgspec.Struct, frozen=True):
    """The OIDC claims of a GitHub Actions token, as far as a log revealed them.

    A value is ``None`` when the claim is absent or was not shown; ``missing`` holds the
    names the log explicitly printed as absent (gh-action-pypi-publish's ``MISSING``,
    uv's ``None``), which is what tells "the job has no environment" from "unknown".
    """

    sub: str | None = None
    repository: str | None = None
    repository_owner: str | None = None
    repository_owner_id: str | None = None
    workflow_ref: str | None = None
    job_workflow_ref: str | None = None
    ref: str | None = None
    sha: str | None = None
    environment: str | None = None
    event_name: str | None = None
    missing: frozenset[str] = msgspec.field(default_factory=frozenset)

    @classmethod
    def from_values(cls, values: Mapping[str, str | None], missing: Iterable[str] = ()) -> Claims:
        """Claims from ``{name: value}``; unknown names are ignored, ``None`` means absent."""
        known: dict[str, Any] = {k: v for k, v in values.items() if k in CLAIM_NAMES}
        absent = frozenset(missing) | {k for k, v in known.items() if v is None}
        return cls(**{k: v for k, v in known.items() if v is not None}, missing=absent)

    def as_dict(self) -> dict[str, str | None]:
        """Every claim name with its value, ``None`` when absent or unknown."""
        # The names, not structs.fields(), which evaluates every annotation at each call.
        return {name: getattr(self, name) for name in self.__struct_fields__ if name != "missing"}

    @property
    def repository_name(self) -> str | None:
        """The repository name without its owner (``repository`` is ``owner/name``)."""
        if self.repository is None:
            return None
        return self.repository.partition("/")[2] or self.repository

    @property
    def owner(self) -> str | None:
        """``repository_owner``, else the owner part of ``repository``."""
        if self.repository_owner is not None:
            return self.repository_owner
        if self.repository and "/" in self.repository:
            return self.repository.partition("/")[0]
        return None


class ChecklistItem(msgspec.Struct, frozen=True):
    """One field of PyPI's publisher form compared with the token.

    ``ok`` is true only for a definite match; ``status`` tells a mismatch apart from a
    value that could not be checked (``unknown``: the log does not show it;
    ``unchecked``: no publisher value to compare with).
    """

    field: Field
    publisher: str | None
    token: str | None
    ok: bool
    note: str
    status: Status | None = None

    def __post_init__(self) -> None:
        if self.status is None:
            msgspec.structs.force_setattr(self, "status", "match" if self.ok else "mismatch")

    def to_dict(self) -> dict[str, str | bool | None]:
        """The item as the JSON object of ``release explain --json``."""
        return {
            "field": self.field,
            "publisher": self.publisher,
            "token": self.token,
            "ok": self.ok,
            "note": self.note,
        }


def workflow_filename(job_workflow_ref: str | None) -> str | None:
    """The workflow file name PyPI extracts from ``job_workflow_ref``, or ``None``."""
    if not job_workflow_ref:
        return None
    match = _WORKFLOW_FILENAME.search(job_workflow_ref)
    return match.group(0) if match else None


def workflow_repository(workflow_ref: str | None) -> str | None:
    """The ``owner/repo`` a ``workflow_ref``/``job_workflow_ref`` points into, or ``None``."""
    if not workflow_ref or "/.github/" not in workflow_ref:
        return None
    return workflow_ref.partition("/.github/")[0]


def is_reusable(claims: Claims) -> bool:
    """True when the token comes from a reusable workflow (which PyPI does not support).

    The action's test: ``workflow_ref != job_workflow_ref``. Logs that do not show
    ``workflow_ref`` still reveal a workflow called from another repository.
    """
    job = claims.job_workflow_ref
    if not job:
        return False
    if claims.workflow_ref and claims.workflow_ref != job:
        return True
    called_from = workflow_repository(job)
    return bool(claims.repository and called_from and called_from != claims.repository)


# "claim": the environment claim; "sub": read from the subject; "missing": the log printed
# the claim as absent; "no-env-sub": the default subject shows a job without environment.
EnvironmentSource = Literal["claim", "sub", "missing", "no-env-sub", "unknown"]


def job_environment(claims: Claims) -> tuple[str | None, EnvironmentSource]:
    """The job's environment and how it is known.

    Old gh-action-pypi-publish releases (before 2025-02) print no ``environment`` claim,
    but GitHub's default subject says it: ``repo:O/R:environment:NAME`` for a job with an
    environment, ``repo:O/R:ref:…`` or ``repo:O/R:pull_request`` for a job without one.
    A custom subject template (one not starting with ``repo:``) reveals nothing.
    """
    if claims.environment is not None:
        return claims.environment, "claim"
    if "environment" in claims.missing:
        return None, "missing"
    sub = claims.sub
    if sub and sub.startswith("repo:"):
        _, marker, name = sub.partition(":environment:")
        return (name, "sub") if marker else (None, "no-env-sub")
    return None, "unknown"


def compare(publisher: Publisher | None, claims: Claims) -> list[ChecklistItem]:
    """Compare a publisher with a token field by field, with PyPI's rules.

    Returns one item per form field (owner, repository, workflow, environment). With no
    publisher, each item lists what the token carried and how PyPI compares it.
    """
    return [
        _compare_owner(publisher.owner if publisher else None, claims),
        _compare_repository(publisher.repository if publisher else None, claims),
        _compare_workflow(publisher.workflow if publisher else None, claims),
        _compare_environment(publisher.environment if publisher else None, claims),
    ]


def publisher_form(claims: Claims) -> dict[str, str | None]:
    """The values to type into PyPI's publisher form so that it matches this token.

    The environment is the job's (PyPI recommends one); "" means leave it empty (Any).
    """
    environment, _ = job_environment(claims)
    return {
        "owner": claims.owner,
        "repository": claims.repository_name,
        "workflow": workflow_filename(claims.job_workflow_ref),
        "environment": environment or "",
    }


# warehouse pre-fills a project's publisher form from the query string: its
# manage_project_oidc_publishers_prefill view (warehouse/manage/views/oidc_publishers.py,
# route manage.project.settings.publishing) picks the form with ``provider=github`` and
# passes the other parameters to it, named as the fields of its GitHub publisher form
# (warehouse/oidc/forms/github.py). The account page for pending publishers
# (warehouse/accounts/views.py, ManageAccountPublishingViews.manage_publishing) reads no
# query parameters, so a pending publisher gets the plain address.
_PREFILL_PARAMETERS = (
    ("owner", "owner"),
    ("repository", "repository"),
    ("workflow", "workflow_filename"),
    ("environment", "environment"),
)


def publisher_form_url(
    form: Mapping[str, str | None], index: str, project: str | None, *, pending: bool | None
) -> str | None:
    """The address of PyPI's publisher form for ``project``, with ``form``'s values filled in.

    ``pending`` true (the project is not on the index yet) gives the account page where a
    pending publisher is added, which PyPI does not pre-fill. None when the project is
    unknown and no page can be named; empty values are left out (environment: Any).
    """
    host = INDEX_HOSTS.get(index, INDEX_HOSTS["pypi"])
    if pending:
        return f"https://{host}/manage/account/publishing/"
    if not project:
        return None
    query = [("provider", "github")]
    query += [(param, value) for key, param in _PREFILL_PARAMETERS if (value := form.get(key))]
    path = f"/manage/project/{quote(project, safe='')}/settings/publishing/"
    return f"https://{host}{path}?{urlencode(query, quote_via=quote)}"


def _item(
    name: Field, publisher: str | None, token: str | None, status: Status, note: str
) -> ChecklistItem:
    return ChecklistItem(name, publisher, token, status == "match", note, status)


def _stray_whitespace(value: str) -> bool:
    return value != value.strip()


def _compare_owner(expected: str | None, claims: Claims) -> ChecklistItem:
    token = claims.owner
    if token is None:
        return _item("owner", expected, None, "unknown", "The log does not show repository_owner.")
    if expected is None:
        id_part = f" and id {claims.repository_owner_id}" if claims.repository_owner_id else ""
        return _item(
            "owner",
            None,
            token,
            "unchecked",
            f"PyPI compares the owner it stored from GitHub (login{id_part}) exactly with "
            f"repository_owner; enter {token!r}.",
        )
    if expected == token:
        return _item("owner", expected, token, "match", "Matches.")
    if _stray_whitespace(expected):
        # warehouse's form only accepts [a-zA-Z0-9][a-zA-Z0-9-]* as an owner.
        return _item(
            "owner",
            expected,
            token,
            "mismatch",
            f"{expected!r} has stray whitespace, which PyPI's form refuses in an owner name, "
            f"so it is not what PyPI stored; PyPI compares the owner exactly: enter {token!r}.",
        )
    if expected.casefold() == token.casefold():
        return _item(
            "owner",
            expected,
            token,
            "mismatch",
            f"{expected!r} differs from {token!r} only in case. PyPI stored the owner as GitHub "
            "spelled it when the publisher was saved and compares it exactly, so an owner "
            f"renamed since, even only in case, no longer matches: add the publisher again "
            f"with owner {token!r} (or, if PyPI already shows {token!r}, copy its spelling).",
        )
    return _item(
        "owner",
        expected,
        token,
        "mismatch",
        f"The publisher is for owner {expected!r}, but the job ran under {token!r} "
        "(repository transferred or owner renamed?).",
    )


def _compare_repository(expected: str | None, claims: Claims) -> ChecklistItem:
    token = claims.repository_name
    if token is None:
        return _item(
            "repository", expected, None, "unknown", "The log does not show the repository."
        )
    if not token:
        return _item(
            "repository", expected, token, "mismatch", "The token's repository claim is empty."
        )
    if expected is None:
        return _item(
            "repository",
            None,
            token,
            "unchecked",
            f"PyPI compares the repository name exactly, case included; enter {token!r}.",
        )
    candidate = expected
    owner = claims.owner
    if "/" in candidate and owner and candidate.split("/", 1)[0] == owner:
        # PyPI's form takes the name alone; accept "owner/name" from our own settings.
        candidate = candidate.split("/", 1)[1]
    if candidate == token:
        return _item("repository", expected, token, "match", "Matches.")
    if candidate.strip() == token:
        return _item(
            "repository",
            expected,
            token,
            "mismatch",
            f"{expected!r} has stray whitespace; PyPI compares the repository name exactly: "
            f"enter {token!r}.",
        )
    if candidate.strip().casefold() == token.casefold():
        # warehouse's verify step ignores case, but its lookup compares the stored name
        # exactly first, so a case difference finds no publisher.
        return _item(
            "repository",
            expected,
            token,
            "mismatch",
            f"{expected!r} differs from {token!r} only in case; PyPI looks the repository "
            f"name up exactly as stored, so enter it as GitHub spells it: {token!r}.",
        )
    return _item(
        "repository",
        expected,
        token,
        "mismatch",
        f"The publisher names repository {expected!r}, but the job ran in {token!r} "
        "(renamed, or a typo?).",
    )


_SHA = re.compile(r"[0-9a-f]{40}")


def expected_job_workflow_refs(
    repository: str, filename: str, ref: str | None, sha: str | None
) -> set[str]:
    """The ``job_workflow_ref`` values PyPI accepts: the file in ``repository`` at ref or sha."""
    return {f"{repository}/.github/workflows/{filename}@{at}" for at in (ref, sha) if at}


def _job_workflow_ref_problem(claims: Claims, filename: str) -> tuple[Status, str] | None:
    """Why ``job_workflow_ref`` cannot match any publisher of the run's repository.

    warehouse's ``_check_job_workflow_ref``: the claim must be one of
    :func:`expected_job_workflow_refs` for the publisher's repository. None when it is, or
    when the log does not show enough to tell.
    """
    job_ref = claims.job_workflow_ref or ""
    repository = claims.repository
    if not repository:
        return None
    home = workflow_repository(job_ref)
    if home is not None and home != repository:
        return (
            "mismatch",
            f"job_workflow_ref names a workflow in another repository ({home}); PyPI expects "
            f"{repository}/.github/workflows/…, so a reusable workflow from another "
            "repository cannot match.",
        )
    ref, sha = claims.ref, claims.sha
    # Empty for sure: shown empty, or printed as MISSING (None alone means "not shown").
    empty = [
        v == "" or (v is None and n in claims.missing) for n, v in (("ref", ref), ("sha", sha))
    ]
    if all(empty):
        return "mismatch", "The ref and sha claims are empty: PyPI cannot check job_workflow_ref."
    prefix = f"{repository}/.github/workflows/{filename}@"
    if not job_ref.startswith(prefix):
        return (
            "mismatch",
            f"job_workflow_ref {job_ref!r} is not {prefix}<ref>, the form PyPI expects.",
        )
    if not ref and not sha:
        return None  # the log shows neither: the ref part cannot be checked
    if job_ref in expected_job_workflow_refs(repository, filename, ref, sha):
        return None
    at = job_ref[len(prefix) :]
    if sha is None and _SHA.fullmatch(at):
        return (
            "unknown",
            f"job_workflow_ref is at commit {at}, and the log does not show the run's sha: "
            "PyPI matches it only if that is the commit the run is for.",
        )
    run_at = " or ".join(repr(x) for x in (ref, sha) if x)
    return (
        "mismatch",
        f"job_workflow_ref is at {at!r}, not the run's {run_at}; PyPI expects the workflow "
        "at the run's own ref, so a reusable workflow from the same repository at another "
        "ref cannot match.",
    )


def _compare_workflow(expected: str | None, claims: Claims) -> ChecklistItem:
    job_ref = claims.job_workflow_ref
    if job_ref is None:
        return _item(
            "workflow", expected, None, "unknown", "The log does not show job_workflow_ref."
        )
    if not job_ref:
        return _item(
            "workflow", expected, None, "mismatch", "The token's job_workflow_ref claim is empty."
        )
    token = workflow_filename(job_ref)
    if token is None:
        return _item(
            "workflow",
            expected,
            None,
            "mismatch",
            f"PyPI cannot extract a workflow file name from job_workflow_ref {job_ref!r}.",
        )
    caller = workflow_filename(claims.workflow_ref)
    called = bool(caller and caller != token)  # a same-repository reusable workflow
    problem = _job_workflow_ref_problem(claims, token)
    context = f" {problem[1]}" if problem else ""
    if expected is None:
        return _item(
            "workflow",
            None,
            token,
            "unchecked",
            "PyPI takes the file name from job_workflow_ref and compares it exactly, case "
            f"included; enter {token!r}." + context,
        )
    # PyPI's form takes a file name only; accept a path from our own settings.
    candidate = expected.rpartition("/")[2]
    if candidate == token:
        if problem:
            return _item("workflow", expected, token, problem[0], problem[1])
        note = "Matches."
        if candidate != expected:
            note = f"Matches; PyPI's form takes the file name only: {token!r}."
        if called:
            note += (
                f" job_workflow_ref names the reusable workflow {token!r}, called from "
                f"{caller!r} at the same ref, which PyPI matches under the called file's name."
            )
        return _item("workflow", expected, token, "match", note)
    if candidate.strip() == token:
        return _item(
            "workflow",
            expected,
            token,
            "mismatch",
            f"{expected!r} has stray whitespace; PyPI compares the stored file name exactly, "
            "and publishers saved before 2025-10 kept the space and never match "
            f"(warehouse#18820): re-enter {token!r}." + context,
        )
    if candidate.casefold() == token.casefold():
        return _item(
            "workflow",
            expected,
            token,
            "mismatch",
            f"{expected!r} differs from {token!r} only in case; PyPI compares the workflow "
            f"file name exactly: enter {token!r}." + context,
        )
    if called and candidate == caller:
        return _item(
            "workflow",
            expected,
            token,
            "mismatch",
            f"The publisher names the calling workflow {caller!r}, but PyPI takes the file "
            f"name from job_workflow_ref, which names the reusable workflow {token!r}." + context,
        )
    return _item(
        "workflow",
        expected,
        token,
        "mismatch",
        f"The publisher names {expected!r}, but the job ran {token!r} (file renamed or "
        "moved?)." + context,
    )


def _compare_environment(expected: str | None, claims: Claims) -> ChecklistItem:
    actual, source = job_environment(claims)
    shown = actual if source in ("claim", "sub") else None
    via = " (read from sub)" if source == "sub" else ""
    absent = {
        "missing": "the token's environment claim is MISSING",
        "no-env-sub": f"its sub {claims.sub!r} names no environment",
    }
    if expected is None:
        if source in absent:
            note = "The job has no environment; a publisher with environment Any matches it."
        elif source == "unknown":
            note = "The log does not show the job's environment; Any always matches."
        else:
            note = (
                f"The job ran in environment {actual!r}{via}; PyPI compares it ignoring "
                "case, and a publisher with environment Any also matches."
            )
        return _item("environment", None, shown, "unchecked", note)
    # warehouse's _check_environment: "" accepts any job; otherwise the claim must be
    # present and equal ignoring case.
    if expected == "":
        return _item(
            "environment", expected, shown, "match", "The publisher accepts any environment."
        )
    if source in absent or (source == "claim" and not actual):
        why = absent.get(source, "the token's environment claim is empty")
        return _item(
            "environment",
            expected,
            None,
            "mismatch",
            f"The publisher requires environment {expected.strip()!r}, but the job has no "
            f"`environment:` ({why}).",
        )
    if source == "unknown" or actual is None:
        return _item(
            "environment",
            expected,
            None,
            "unknown",
            "The log does not show the job's environment (gh-action-pypi-publish before "
            f"2025-02 did not print it); check that the job has `environment: {expected.strip()}`.",
        )
    if expected.lower() == actual.lower():
        if expected != actual:
            return _item(
                "environment",
                expected,
                actual,
                "match",
                f"Differs only in case{via}; PyPI compares environments ignoring case.",
            )
        return _item("environment", expected, actual, "match", f"Matches{via}.")
    if expected.strip().lower() == actual.lower():
        return _item(
            "environment",
            expected,
            actual,
            "mismatch",
            f"{expected!r} has stray whitespace; re-enter it as {actual!r}.",
        )
    return _item(
        "environment",
        expected,
        actual,
        "mismatch",
        f"The publisher requires environment {expected.strip()!r}, but the job ran in "
        f"{actual!r}{via}.",
    )


# --- which publisher to compare with ------------------------------------------------------


class LocalRepo(msgspec.Struct, frozen=True):
    """What the local repository says about publishing, when there is one."""

    owner: str | None
    repository: str | None
    workflow: Workflow | None
    job: Job | None
    configured: Publisher | None  # [tool.release.pypi]
    project: str | None = None  # the name on PyPI ([tool.release.pypi] project, else pyproject's)


def resolve_publisher(options: Publisher, local: LocalRepo) -> Publisher:
    """The publisher to compare with: field by field, the command line's value
    (``options``), else ``[tool.release.pypi]``'s, else what the repository implies.
    """
    implied = Publisher.given(
        "the local repository",
        owner=local.owner,
        repository=local.repository,
        workflow=local.workflow.filename if local.workflow else None,
        # A job without `environment:` says nothing about what PyPI was told: unknown.
        environment=local.job.environment if local.job else None,
    )
    values: dict[str, str | None] = {}
    origins: list[tuple[str, Origin]] = []
    for name in (*FIELDS, "index"):
        for candidate in (options, local.configured, implied):
            origin = candidate.origin(name) if candidate is not None else None
            if origin is not None:
                # Never stripped: PyPI compares what it stored, stray spaces included.
                values[name] = getattr(candidate, name)
                origins.append((name, origin))
                break
    return Publisher(
        owner=values.get("owner"),
        repository=values.get("repository"),
        workflow=values.get("workflow"),
        environment=values.get("environment"),
        index=values.get("index") or "pypi",
        project=local.configured.project if local.configured else None,
        origins=tuple(origins),
    )
