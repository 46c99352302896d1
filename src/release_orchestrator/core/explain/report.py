"""The result of ``release explain``: findings, claims, checklist and PyPI form values."""

from __future__ import annotations

from typing import Any

import msgspec

from .. import findings
from ..publisher import INDEX_HOSTS, ChecklistItem, Claims, Publisher


class Finding(findings.Finding, frozen=True):
    """One diagnosed failure, with what caused it and how to fix it.

    ``evidence`` is the (redacted) log line that revealed it; it is shown to humans and
    left out of the JSON, whose shape README documents.
    """

    title: str
    cause: str
    fix: tuple[str, ...]
    docs: str | None
    evidence: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The finding as the JSON object of ``release explain --json``."""
        return {
            **super().to_json(),
            "title": self.title,
            "cause": self.cause,
            "fix": list(self.fix),
            "docs": self.docs,
        }


class ExplainReport(msgspec.Struct, frozen=True):
    """Everything ``release explain`` found; :meth:`to_json` gives the ``--json`` object.

    ``source`` says where the publisher compared against came from (options,
    ``pyproject.toml``, the local repository, or none). ``findings`` are ordered by
    likelihood, the root cause first. ``claims``, ``checklist`` and ``publisher_form``
    are filled when the log showed the token's claims.
    """

    source: str
    findings: tuple[Finding, ...]
    claims: Claims | None
    checklist: tuple[ChecklistItem, ...]
    publisher_form: dict[str, str | None] | None
    publisher: Publisher | None = None
    logs: tuple[str, ...] = ()
    index: str | None = None
    error_lines: tuple[str, ...] = ()
    publisher_form_url: str | None = None  # PyPI's form with publisher_form filled in

    @property
    def cause(self) -> str | None:
        """The root cause in one sentence, or ``None`` when nothing was recognised."""
        return self.findings[0].cause if self.findings else None

    @property
    def index_host(self) -> str | None:
        """The host of the index the job talked to, when the log shows it."""
        return INDEX_HOSTS.get(self.index) if self.index else None

    def to_json(self) -> dict[str, Any]:
        """Exactly the object ``release explain --json`` prints (README documents its shape)."""
        return {
            "source": self.source,
            "findings": [finding.to_json() for finding in self.findings],
            "claims": self.claims.as_dict() if self.claims is not None else None,
            "checklist": [item.to_dict() for item in self.checklist],
            "publisher_form": dict(self.publisher_form) if self.publisher_form else None,
            "publisher_form_url": self.publisher_form_url,
        }
