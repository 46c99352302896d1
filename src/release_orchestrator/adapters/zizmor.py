"""zizmor, the static analyser for GitHub Actions, run on the publishing workflow files.

An optional extra (``release-orchestrator[security]``) installs its binary wheel, which puts
a ``zizmor`` executable next to the Python that runs us; it is looked for there first, then
on ``PATH``. ``RELEASE_ZIZMOR`` names another executable, or, empty, turns the audit off.
It always runs ``--offline``: the doctor's audit asks no one, so it is the same
with and without ``release doctor --offline`` and needs no token, which it is not given.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

if TYPE_CHECKING:
    # The doctor's modules load when it audits, not with every command's dependencies.
    from ..core.checks.facts import ZizmorRun

TIMEOUT_SECONDS = 30
ENV_VAR = "RELEASE_ZIZMOR"
# The repository's own zizmor configuration, where zizmor itself looks for it; without one,
# --no-config, so that a user-level file does not change what the doctor reports.
CONFIG_FILES = (Path(".github") / "zizmor.yml", Path("zizmor.yml"))
# zizmor reads a token from these, and refuses to start when one is set but empty, as it is
# in a workflow step handed a secret that is not set (the action's `token:` input, for one).
TOKEN_VARIABLES = ("GH_TOKEN", "GITHUB_TOKEN")


class Zizmor(msgspec.Struct, frozen=True):
    """Where to look for ``zizmor``.

    None: ``RELEASE_ZIZMOR`` when set, else next to ``sys.executable``, then on ``PATH``.
    """

    search: tuple[Path, ...] | None = None
    timeout: float = TIMEOUT_SECONDS

    def executable(self, env: Mapping[str, str]) -> str | None:
        """The ``zizmor`` to run, or None when it is not installed."""
        if self.search is not None:
            path = os.pathsep.join(str(directory) for directory in self.search)
            return shutil.which("zizmor", path=path) if path else None
        if env.get(ENV_VAR):
            return shutil.which(env[ENV_VAR], path=env.get("PATH", ""))
        beside = shutil.which("zizmor", path=str(Path(sys.executable).parent))
        return beside or shutil.which("zizmor", path=env.get("PATH", ""))

    def audit(self, root: Path, files: Sequence[Path], env: Mapping[str, str]) -> ZizmorRun | None:
        """The JSON findings zizmor gives for ``files`` (relative to ``root``); never raises.

        None when the audit is turned off (``RELEASE_ZIZMOR`` set empty).
        """
        if self.search is None and env.get(ENV_VAR) == "":
            return None
        from ..core.checks.facts import ZizmorRun

        program = self.executable(env)
        if program is None:
            return ZizmorRun()
        config = next((c for c in CONFIG_FILES if (root / c).is_file()), None)
        command = [program, "--offline", "--format=json", "--no-progress", "--color=never"]
        # Findings are results, not a failure: only zizmor failing exits non-zero then.
        command.append("--no-exit-codes")
        command += ["--config", str(config)] if config else ["--no-config"]
        command += ["--", *(f.as_posix() for f in files)]
        try:
            done = subprocess.run(
                command,
                cwd=root,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=self.timeout,
                check=False,
                env=_environment(env),
            )
        except subprocess.TimeoutExpired:
            return ZizmorRun(problem=f"it did not finish within {self.timeout:g} s")
        except OSError as exc:
            return ZizmorRun(problem=f"it could not be started ({exc.strerror or exc})")
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no message"])[-1].strip()
            return ZizmorRun(problem=f"it exited with code {done.returncode} ({last})")
        return ZizmorRun(output=done.stdout)


def _environment(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` for zizmor: no token, and none of its own ZIZMOR_* settings, which would
    change what it reports (the configuration, the online audits) behind the doctor's back.
    """
    kept = {
        name: value
        for name, value in env.items()
        if name not in TOKEN_VARIABLES and not name.startswith("ZIZMOR_")
    }
    return {**kept, "NO_COLOR": "1"}
