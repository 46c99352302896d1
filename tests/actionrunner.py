"""Run a composite action's steps the way the Actions runner does, on this machine.

Reads ``action.yml``, fills in its inputs (defaults included), and runs each ``run:`` step
in order with ``bash --noprofile --norc -eo pipefail`` (the runner's ``shell: bash``), with
the ``GITHUB_*`` variables, a fresh ``GITHUB_OUTPUT`` file per step (read back into
``steps.<id>.outputs``), ``GITHUB_PATH`` (prepended to ``PATH`` for later steps) and one
``GITHUB_STEP_SUMMARY``. The first failing step ends the action, as in Actions.

Expressions: only the forms ``action.yml`` uses are understood (context paths such as
``inputs.x``, ``github.x`` and ``steps.id.outputs.x``, ``'strings'``, ``==``, ``!=``, ``&&``,
``||``); anything else is an error, and so is a ``uses:`` step whose condition holds, which
needs GitHub's runner: the test then fails instead of skipping it silently.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_PATH = re.compile(r"[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*")


@dataclass
class StepRun:
    """One step that ran: its id or name, exit code and output."""

    name: str
    code: int
    stdout: str
    stderr: str


@dataclass
class ActionRun:
    """What the action did: the steps that ran, the summary, the outputs of each step."""

    steps: list[StepRun] = field(default_factory=list)
    summary: str = ""
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def code(self) -> int:
        """The action's exit code: the first failing step's, else 0."""
        return next((step.code for step in self.steps if step.code), 0)

    @property
    def stdout(self) -> str:
        """Everything the steps printed on stdout."""
        return "".join(step.stdout for step in self.steps)

    @property
    def stderr(self) -> str:
        """Everything the steps printed on stderr."""
        return "".join(step.stderr for step in self.steps)


def _lookup(path: str, contexts: Mapping[str, Any]) -> str:
    value: Any = contexts
    for part in path.split("."):
        value = value.get(part, "") if isinstance(value, Mapping) else ""
    return value if isinstance(value, str) else ""


def evaluate(expression: str, contexts: Mapping[str, Any]) -> str | bool:
    """The value of an expression of the forms ``action.yml`` uses."""
    expression = expression.strip()
    for operator in ("||", "&&"):
        if operator in expression:
            parts = [truthy(evaluate(p, contexts)) for p in expression.split(operator)]
            return any(parts) if operator == "||" else all(parts)
    for operator in ("==", "!="):
        if operator in expression:
            left, right = (evaluate(p, contexts) for p in expression.split(operator, 1))
            return (left == right) == (operator == "==")
    if expression.startswith("'") and expression.endswith("'"):
        return expression[1:-1].replace("''", "'")
    if _PATH.fullmatch(expression):
        return _lookup(expression, contexts)
    raise ValueError(f"expression not understood by the test runner: {expression!r}")


def truthy(value: str | bool) -> bool:
    """Actions' truthiness of a value (the empty string is false)."""
    return bool(value)


def substitute(text: str, contexts: Mapping[str, Any]) -> str:
    """``text`` with each ``${{ … }}`` replaced by its value."""
    return _EXPRESSION.sub(lambda m: _text(evaluate(m.group(1), contexts)), text)


def _text(value: str | bool) -> str:
    """A value as Actions writes it into text (``true``/``false`` for booleans)."""
    return str(value).lower() if isinstance(value, bool) else value


def _condition(step: Mapping[str, Any], contexts: Mapping[str, Any]) -> bool:
    condition = str(step.get("if", "")).strip()
    if not condition:
        return True
    inner = _EXPRESSION.fullmatch(condition)
    return truthy(evaluate(inner.group(1) if inner else condition, contexts))


def _read_outputs(path: Path) -> dict[str, str]:
    """The ``name=value`` lines of a ``GITHUB_OUTPUT`` file (the only form action.yml writes)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    assert all("<<" not in line for line in lines), "multi-line outputs are not read here"
    return dict(line.split("=", 1) for line in lines if "=" in line)


def run_action(
    action_dir: Path,
    inputs: Mapping[str, str],
    *,
    workspace: Path,
    github: Mapping[str, str],
    env: Mapping[str, str],
    temp: Path,
    timeout: float = 120,
) -> ActionRun:
    """Run the composite action in ``action_dir`` with ``inputs``, in ``workspace``.

    ``github`` is the ``github`` context (token, repository, server_url, api_url, run_id…),
    also exported as ``GITHUB_<NAME>``; ``env`` is the rest of the process environment.
    """
    action = YAML(typ="safe").load((action_dir / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    contexts: dict[str, Any] = {"github": dict(github), "steps": {}}
    declared: dict[str, Any] = action.get("inputs", {})
    unknown = set(inputs) - set(declared)
    assert not unknown, f"inputs the action does not declare: {sorted(unknown)}"
    contexts["inputs"] = {
        name: inputs.get(name, substitute(str(spec.get("default", "")), contexts))
        for name, spec in declared.items()
    }
    temp.mkdir(parents=True, exist_ok=True)
    summary = temp / "step_summary.md"
    summary.touch()
    path_file = temp / "path"
    path_file.touch()
    base = {
        **env,
        **{f"GITHUB_{name.upper()}": value for name, value in github.items()},
        "GITHUB_ACTIONS": "true",
        "GITHUB_ACTION_PATH": str(action_dir),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_PATH": str(path_file),
        "RUNNER_TEMP": str(temp),
        "CI": "true",
    }
    result = ActionRun()
    for number, step in enumerate(action["runs"]["steps"], 1):
        if not _condition(step, contexts):
            continue
        name = str(step.get("id") or step.get("name") or number)
        if "uses" in step:
            raise AssertionError(f"step {name} would run {step['uses']}: needs GitHub's runner")
        output = temp / f"output-{number}"
        output.touch()
        added = [p for p in path_file.read_text(encoding="utf-8").splitlines() if p]
        step_env = {
            **base,
            **{key: substitute(str(value), contexts) for key, value in step.get("env", {}).items()},
            "GITHUB_OUTPUT": str(output),
            "PATH": os.pathsep.join([*reversed(added), base["PATH"]]),
        }
        assert step.get("shell") == "bash", f"step {name}: only shell: bash is run here"
        script = temp / f"step-{number}.sh"
        script.write_text(substitute(str(step["run"]), contexts), encoding="utf-8")
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=step_env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        result.steps.append(StepRun(name, done.returncode, done.stdout, done.stderr))
        outputs = _read_outputs(output)
        result.outputs[name] = outputs
        if "id" in step:
            contexts["steps"][step["id"]] = {"outputs": outputs}
        if done.returncode:
            break
    result.summary = summary.read_text(encoding="utf-8")
    return result
