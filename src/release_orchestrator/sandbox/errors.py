"""The error an endpoint raises to answer with one of GitHub's error bodies."""

from __future__ import annotations

from typing import Any

DOCS = "https://docs.github.com/rest"


class ApiError(Exception):
    """Answer ``status`` with ``{message, documentation_url, status}`` (and ``errors`` for 422)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        documentation_url: str = DOCS,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.documentation_url = documentation_url
        self.errors = errors

    def body(self) -> dict[str, Any]:
        """The JSON body GitHub sends for this error."""
        out: dict[str, Any] = {"message": self.message, "documentation_url": self.documentation_url}
        if self.errors is not None:
            out["errors"] = self.errors
        out["status"] = str(self.status)
        return out


def not_found(doc: str = DOCS) -> ApiError:
    """GitHub's 404 (it also hides resources the token may not see)."""
    return ApiError(404, "Not Found", documentation_url=doc)


def validation_failed(resource: str, field: str, code: str, doc: str = DOCS) -> ApiError:
    """GitHub's 422 ``Validation Failed`` with one ``errors`` entry."""
    return ApiError(
        422,
        "Validation Failed",
        documentation_url=doc,
        errors=[{"resource": resource, "code": code, "field": field}],
    )
