"""Check JSON bodies against GitHub's OpenAPI description (the subset in ``../shared``).

:class:`OpenApiValidator` maps a request (method, path, status) to the response schema of
the matching operation and raises :class:`SchemaViolation` on any error, so it can be used
directly as the emulator's ``on_json`` hook. Formats are checked too (``date-time``,
``email``, ``int64``): a malformed timestamp is drift as much as a missing field.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import referencing
import referencing.jsonschema
from openapi_schema_validator import OAS30Validator, oas30_format_checker

SHARED = Path(__file__).resolve().parents[2] / "shared"
SUBSET = SHARED / "github-openapi" / "subset.json"
_URN = "urn:gh"

# Operations the emulator serves that the subset leaves out; their response schemas as in
# GitHub's full description (repos/update-release, repos/delete-release,
# actions/list-repo-workflows, the legacy ``git/refs/{ref}`` read, run-attempt logs).
_EXTRA_OPERATIONS: dict[str, dict[str, Any]] = {
    "PATCH /repos/{owner}/{repo}/releases/{release_id}": {"200": "release"},
    "DELETE /repos/{owner}/{repo}/releases/{release_id}": {"204": None},
    "GET /repos/{owner}/{repo}/git/refs/{ref}": {"200": "git-ref"},
    "GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}/logs": {"302": None},
    "GET /repos/{owner}/{repo}/actions/workflows": {
        "200": {
            "type": "object",
            "required": ["total_count", "workflows"],
            "properties": {
                "total_count": {"type": "integer"},
                "workflows": {"type": "array", "items": {"$ref": "#/components/schemas/workflow"}},
            },
        }
    },
}
# Path parameters that may contain slashes.
_GREEDY = {"ref", "tag"}


class SchemaViolation(AssertionError):
    """A body that does not match GitHub's published schema, or an undocumented answer."""


@dataclass(frozen=True)
class _Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    placeholders: int
    responses: dict[str, Any]  # status -> schema (dict) or None (no body)


def _pattern(template: str) -> re.Pattern[str]:
    # re.split with a group alternates literal text and placeholder names.
    pieces = re.split(r"\{([^}]+)\}", template)
    body = "".join(
        (".+" if piece in _GREEDY else "[^/]+") if index % 2 else re.escape(piece)
        for index, piece in enumerate(pieces)
    )
    return re.compile(body + r"\Z")


def _prepare(node: Any) -> Any:
    """Point local ``#/components/...`` refs at the registry resource, and let ``nullable``
    enums take null.

    OpenAPI 3.0.3 reads ``nullable: true`` with an ``enum`` lacking null as "null is not
    allowed", but GitHub means (and sends) null there: a running job's ``conclusion`` is null.
    """
    if isinstance(node, list):
        return [_prepare(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {
        k: (
            f"{_URN}{v}"
            if k == "$ref" and isinstance(v, str) and v.startswith("#")
            else _prepare(v)
        )
        for k, v in node.items()
    }
    if (
        out.get("nullable") is True
        and isinstance(out.get("enum"), list)
        and None not in out["enum"]
    ):
        out["enum"] = [*out["enum"], None]
    return out


class OpenApiValidator:
    """Validate response bodies against the subset's operations (plus a few documented extras)."""

    def __init__(self, spec_path: Path = SUBSET) -> None:
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        self._components: dict[str, Any] = spec["components"]
        self._registry: referencing.Registry[Any] = referencing.Registry().with_resource(
            _URN,
            referencing.Resource.from_contents(
                {"components": _prepare(self._components)},
                default_specification=referencing.jsonschema.DRAFT4,
            ),
        )
        operations = []
        for key, op in spec["paths_subset"].items():
            operations.append(self._operation(key, self._responses(op["responses"])))
        for key, responses in _EXTRA_OPERATIONS.items():
            resolved = {
                s: ({"$ref": f"#/components/schemas/{v}"} if isinstance(v, str) else v)
                for s, v in responses.items()
            }
            operations.append(self._operation(key, resolved))
        self._operations = operations
        self._validators: dict[str, OAS30Validator] = {}

    @staticmethod
    def _operation(key: str, responses: dict[str, Any]) -> _Operation:
        method, template = key.split(" ", 1)
        return _Operation(method, template, _pattern(template), template.count("{"), responses)

    def _responses(self, responses: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for status, response in responses.items():
            if "$ref" in response:
                response = self._components["responses"][response["$ref"].rsplit("/", 1)[1]]
            content = response.get("content", {}).get("application/json")
            out[status] = content["schema"] if content else None
        return out

    def operation(self, method: str, path: str) -> _Operation | None:
        """The operation serving ``method path`` (literal segments win over placeholders)."""
        found = [op for op in self._operations if op.method == method and op.pattern.match(path)]
        return min(found, key=lambda op: op.placeholders) if found else None

    def schema_for(self, method: str, path: str, status: int) -> dict[str, Any] | None:
        """The JSON schema of the answer, or None when no body is documented."""
        op = self.operation(method, path)
        documented = op.responses if op else {}
        if str(status) in documented:
            schema: dict[str, Any] | None = documented[str(status)]
            return schema
        if status == 422:
            return {"$ref": "#/components/schemas/validation-error"}
        if status >= 400:
            return {"$ref": "#/components/schemas/basic-error"}
        where = op.template if op else "no documented operation"
        raise SchemaViolation(f"{method} {path}: status {status} is not documented ({where})")

    def errors(self, schema: dict[str, Any], body: object) -> list[str]:
        """Every validation error of ``body`` against ``schema``, as readable lines."""
        key = json.dumps(schema, sort_keys=True)
        validator = self._validators.get(key)
        if validator is None:
            # Building a validator walks the schema; every response of one kind shares it.
            validator = OAS30Validator(
                _prepare(schema), registry=self._registry, format_checker=oas30_format_checker
            )
            self._validators[key] = validator
        return [
            f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}"
            for e in sorted(validator.iter_errors(body), key=lambda e: list(map(str, e.path)))
        ]

    def validate_component(self, name: str, body: object) -> list[str]:
        """Errors of ``body`` against ``components/schemas/{name}``."""
        return self.errors({"$ref": f"#/components/schemas/{name}"}, body)

    def __call__(self, method: str, path: str, status: int, body: object) -> None:
        """Raise :class:`SchemaViolation` unless ``body`` is what GitHub documents here."""
        schema = self.schema_for(method, path, status)
        if schema is None:
            raise SchemaViolation(f"{method} {path} → {status}: no body is documented, got one")
        problems = self.errors(schema, body)
        if problems:
            raise SchemaViolation(f"{method} {path} → {status}:\n  " + "\n  ".join(problems[:20]))


@cache
def shared_validator() -> OpenApiValidator:
    """One validator per test session (the subset is parsed once)."""
    return OpenApiValidator()
