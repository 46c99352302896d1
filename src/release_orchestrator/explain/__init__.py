"""``release explain``: why did the publish job fail, which field is wrong, what to type where.

Offline and light: this package imports neither PyGithub, GitPython nor rich, so that
``release explain --log FILE`` starts fast. The CLI fetches logs (if needed) and calls
:func:`explain_logs`, then prints :func:`render_text` or ``report.to_json()``.
"""

from __future__ import annotations

from .engine import explain_logs
from .render import render_text
from .report import ExplainReport, Finding
from .rules import RULES, Rule
from .sources import LogSource

__all__ = [
    "RULES",
    "ExplainReport",
    "Finding",
    "LogSource",
    "Rule",
    "explain_logs",
    "render_text",
]
