"""The one severity scale of the doctor's and explain's findings.

``error`` is a problem that makes the upload certain to fail, or to publish from the wrong
place; ``warning`` is one that may, or that the tool cannot be sure of. Both reports keep
their own finding objects, because their JSON shapes differ (the doctor points at a file
and line, explain at a log's cause and its documentation).
"""

from __future__ import annotations

from typing import Literal

Severity = Literal["error", "warning"]
