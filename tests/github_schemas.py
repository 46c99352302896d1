"""Hold JSON bodies to GitHub's published schemas through githubkit's generated models.

githubkit-schemas ships pydantic models generated from GitHub's official OpenAPI description
(REST version 2022-11-28, the version PyGithub and the emulator speak). :data:`OPERATIONS`
only says which model answers which operation (as githubkit's own REST client declares it);
the models themselves are GitHub's, so a field the emulator forgets or mistypes fails without
any schema written here. :class:`SchemaValidator` is usable directly as the emulator's
``on_json`` hook and raises :class:`SchemaViolation` on the first wrong body.

Bodies are validated from their JSON text in strict mode: a number sent as a string, or a
timestamp that is not ISO 8601, is drift as much as a missing field.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from githubkit_schemas.v2022_11_28 import models as gh
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticError

# (method, path template) -> {status: model, or None where GitHub sends no body}.
# Each row is the response model githubkit's REST client uses for that operation.
OPERATIONS: dict[str, dict[int, Any]] = {
    "GET /rate_limit": {200: gh.RateLimitOverview},
    "GET /repos/{owner}/{repo}": {200: gh.FullRepository},
    "GET /repos/{owner}/{repo}/actions/workflows": {
        200: gh.ReposOwnerRepoActionsWorkflowsGetResponse200
    },
    "GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}": {200: gh.Workflow},
    "GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs": {
        200: gh.ReposOwnerRepoActionsWorkflowsWorkflowIdRunsGetResponse200
    },
    "GET /repos/{owner}/{repo}/actions/runs": {200: gh.ReposOwnerRepoActionsRunsGetResponse200},
    "GET /repos/{owner}/{repo}/actions/runs/{run_id}": {200: gh.WorkflowRun},
    "GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}": {
        200: gh.WorkflowRun
    },
    "GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs": {
        200: gh.ReposOwnerRepoActionsRunsRunIdJobsGetResponse200
    },
    "GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}/jobs": {
        200: gh.ReposOwnerRepoActionsRunsRunIdAttemptsAttemptNumberJobsGetResponse200
    },
    "GET /repos/{owner}/{repo}/actions/runs/{run_id}/logs": {302: None},
    "GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}/logs": {302: None},
    "GET /repos/{owner}/{repo}/actions/jobs/{job_id}": {200: gh.Job},
    "GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs": {302: None},
    "GET /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments": {
        200: list[gh.PendingDeployment]
    },
    "POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun": {201: gh.EmptyObject},
    "POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs": {201: gh.EmptyObject},
    "POST /repos/{owner}/{repo}/actions/jobs/{job_id}/rerun": {201: gh.EmptyObject},
    "POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel": {202: gh.EmptyObject},
    "POST /repos/{owner}/{repo}/actions/runs/{run_id}/force-cancel": {202: gh.EmptyObject},
    "GET /repos/{owner}/{repo}/releases": {200: list[gh.Release]},
    "POST /repos/{owner}/{repo}/releases": {201: gh.Release},
    "GET /repos/{owner}/{repo}/releases/latest": {200: gh.Release},
    "GET /repos/{owner}/{repo}/releases/tags/{tag}": {200: gh.Release},
    "POST /repos/{owner}/{repo}/releases/generate-notes": {200: gh.ReleaseNotesContent},
    "GET /repos/{owner}/{repo}/releases/{release_id}": {200: gh.Release},
    "PATCH /repos/{owner}/{repo}/releases/{release_id}": {200: gh.Release},
    "DELETE /repos/{owner}/{repo}/releases/{release_id}": {204: None},
    "GET /repos/{owner}/{repo}/git/ref/{ref}": {200: gh.GitRef},
    # The legacy plural read that PyGithub's get_git_ref still calls; same answer as git/ref.
    "GET /repos/{owner}/{repo}/git/refs/{ref}": {200: gh.GitRef},
    "GET /repos/{owner}/{repo}/git/matching-refs/{ref}": {200: list[gh.GitRef]},
    "POST /repos/{owner}/{repo}/git/refs": {201: gh.GitRef},
    "POST /repos/{owner}/{repo}/git/tags": {201: gh.GitTag},
    "GET /repos/{owner}/{repo}/git/tags/{tag_sha}": {200: gh.GitTag},
    "GET /repos/{owner}/{repo}/tags": {200: list[gh.Tag]},
}
# Path parameters that may contain slashes.
_GREEDY = {"ref", "tag"}


class SchemaViolation(AssertionError):
    """A body that does not match GitHub's published schema, or an undocumented answer."""


@dataclass(frozen=True)
class Operation:
    """One REST operation and the models of its answers."""

    method: str
    template: str
    pattern: re.Pattern[str]
    placeholders: int
    responses: dict[int, Any]


def _pattern(template: str) -> re.Pattern[str]:
    # re.split with a group alternates literal text and placeholder names.
    pieces = re.split(r"\{([^}]+)\}", template)
    body = "".join(
        (".+" if piece in _GREEDY else "[^/]+") if index % 2 else re.escape(piece)
        for index, piece in enumerate(pieces)
    )
    return re.compile(body + r"\Z")


def _operation(key: str, responses: dict[int, Any]) -> Operation:
    method, template = key.split(" ", 1)
    return Operation(method, template, _pattern(template), template.count("{"), responses)


class SchemaValidator:
    """Validate response bodies against githubkit's models for :data:`OPERATIONS`."""

    def __init__(self) -> None:
        self._operations = [_operation(key, answers) for key, answers in OPERATIONS.items()]
        self._adapters: dict[object, TypeAdapter[Any]] = {}

    def operation(self, method: str, path: str) -> Operation | None:
        """The operation serving ``method path`` (literal segments win over placeholders)."""
        found = [op for op in self._operations if op.method == method and op.pattern.match(path)]
        return min(found, key=lambda op: op.placeholders) if found else None

    def model_for(self, method: str, path: str, status: int) -> Any:
        """The model of the answer, or None when GitHub sends no body there."""
        op = self.operation(method, path)
        documented = op.responses if op else {}
        if status in documented:
            return documented[status]
        if status == 422:
            return gh.ValidationError
        if status >= 400:
            return gh.BasicError
        where = op.template if op else "no documented operation"
        raise SchemaViolation(f"{method} {path}: status {status} is not documented ({where})")

    def errors(self, model: Any, body: object) -> list[str]:
        """Every validation error of ``body`` against ``model``, as readable lines."""
        adapter = self._adapters.get(model)
        if adapter is None:
            adapter = self._adapters[model] = TypeAdapter(model)
        try:
            adapter.validate_json(json.dumps(body), strict=True)
        except PydanticError as exc:
            return [f"{'/'.join(map(str, e['loc'])) or '<body>'}: {e['msg']}" for e in exc.errors()]
        return []

    def __call__(self, method: str, path: str, status: int, body: object) -> None:
        """Raise :class:`SchemaViolation` unless ``body`` is what GitHub documents here."""
        model = self.model_for(method, path, status)
        if model is None:
            raise SchemaViolation(f"{method} {path} → {status}: no body is documented, got one")
        problems = self.errors(model, body)
        if problems:
            raise SchemaViolation(f"{method} {path} → {status}:\n  " + "\n  ".join(problems[:20]))


@cache
def shared_validator() -> SchemaValidator:
    """One validator per test session (each model's validator is built once)."""
    return SchemaValidator()
