"""``release explain``'s pure half: why did the publish job fail, which field is wrong.

Offline and light: this package imports neither PyGithub, GitPython nor rich, and reads no
file. The command (:mod:`release_orchestrator.commands.explain`) opens the logs and calls
:func:`explain`; :mod:`release_orchestrator.render.explain` turns the report into text.
"""

from __future__ import annotations

from .engine import LogInput, explain
from .report import ExplainReport, Finding
from .rules import RULES, Rule

__all__ = [
    "RULES",
    "ExplainReport",
    "Finding",
    "LogInput",
    "Rule",
    "explain",
]
