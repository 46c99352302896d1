"""``release doctor``'s report: the findings and what was predicted for the tag."""

from __future__ import annotations

from typing import Any

import msgspec

from ..publisher import Publisher
from .facts import Finding, Note


class DoctorReport(msgspec.Struct):
    """Everything the doctor found; ``to_json`` is the ``--json`` contract."""

    findings: list[Finding]
    tag: str
    # zizmor's findings for the publishing job (the [security] extra): warnings of their own.
    security: list[Finding] = msgspec.field(default_factory=list)
    notes: list[Note] = msgspec.field(default_factory=list)  # what the doctor could not be sure of
    event: str | None = None  # the event that will publish: "push" or "release"
    workflow: str | None = None
    job: str | None = None
    predicted_claims: dict[str, str | None] | None = None
    publisher: Publisher | None = None
    publisher_source: str = ""
    publisher_form: dict[str, str | None] | None = None
    pending_publisher_needed: bool | None = None
    publisher_form_url: str | None = None  # PyPI's form, filled in where PyPI allows
    project: str | None = None
    index: str = "pypi"
    # A draft: the upload runs when it is published (also among notes; release cut shows it).
    draft_note: Note | None = None

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
        shape: dict[str, Any] = {
            "findings": [f.to_json() for f in self.findings],
            "workflow": self.workflow,
            "job": self.job,
            "predicted_claims": self.predicted_claims,
            "publisher_form": self.publisher_form,
            "pending_publisher_needed": self.pending_publisher_needed,
            "publisher_form_url": self.publisher_form_url,
            "notes": [n.to_json() for n in self.notes],
        }
        if self.security:  # only with the [security] extra: the shape is otherwise as it was
            shape["security"] = [f.to_json() for f in self.security]
        return shape
