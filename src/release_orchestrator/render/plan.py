"""The plan of ``release cut`` as the maintainer reads it before confirming (and with --dry-run)."""

from __future__ import annotations

import json
from pathlib import Path

from ..adapters.github import GitHub
from ..core.plan import ReleasePlan, StepStatus


def describe_plan(plan: ReleasePlan, root: Path, github: GitHub | None) -> str:
    """The plan as the maintainer reads it before confirming (and with --dry-run)."""
    was = f"from {plan.previous}" if plan.previous else "first release"
    lines = [
        f"Release {plan.version} ({was}, {plan.source.description})",
        f"  branch {plan.branch} on {plan.remote}, tag {plan.tag}",
        "",
    ]

    def status(name: str) -> str:
        state = plan.steps[name]
        return "" if state is StepStatus.TODO else f"  [{state.value}]"

    files = ", ".join(str(c.path.relative_to(root)) for c in plan.changes) or "nothing"
    lines.append(f"  1. rewrite  {files}{status('rewrite')}")
    lines += [f"       {line}" for c in plan.changes for line in c.diff(root).splitlines()]
    lines.append(f"  2. commit   {plan.commit_message!r}{status('commit')}")
    lines.append(f"  3. tag      {plan.tag} (annotated: {plan.tag_message!r}){status('tag')}")
    lines.append(f"  4. push     {plan.push_command()}{status('push')}")
    if github is not None:
        body = {
            "tag_name": plan.tag,
            "draft": plan.draft,
            "prerelease": plan.prerelease,
            "generate_release_notes": True,
            "make_latest": "true" if plan.latest else "false",
        }
        call = f"POST /repos/{github.repo_ref.full_name}/releases {json.dumps(body)}"
        lines.append(f"  5. release  {call}{status('github-release')}")
    else:
        lines.append(f"  5. release  no GitHub Release{status('github-release')}")
    return "\n".join(lines)
