"""The one vocabulary of the doctor's and explain's findings: a code and a severity.

``error`` is a problem that makes the upload certain to fail, or to publish from the wrong
place; ``warning`` is one that may, or that the tool cannot be sure of.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

Severity = Literal["error", "warning"]


class Finding(msgspec.Struct, frozen=True):
    """What every finding is: a stable code (README's tables list them) and its severity.

    The doctor's and explain's findings extend it with fields of their own rather than
    share one class, because their JSON shapes, which README documents, differ: the doctor
    points at a file and line with one fix, explain at a log's cause with fix steps and
    the documentation to read.
    """

    code: str
    severity: Severity

    def to_json(self) -> dict[str, Any]:
        """The keys every finding's JSON object starts with."""
        return {"code": self.code, "severity": self.severity}
