"""The plan of ``release cut`` as the maintainer reads it before confirming (and with --dry-run)."""

from __future__ import annotations

from ..core.plan import ReleasePlan


def describe_plan(plan: ReleasePlan, repo_name: str | None) -> str:
    """The header, then each step's own lines (``repo_name``: the GitHub repository, if any)."""
    was = f"from {plan.previous}" if plan.previous else "first release"
    # Among several packages the header names the one released, as its commit message does.
    what = f"{plan.package} {plan.version}" if plan.package else str(plan.version)
    lines = [
        f"Release {what} ({was}, {plan.source.description})",
        f"  branch {plan.branch} on {plan.remote}, tag {plan.tag}",
        "",
    ]
    for step in plan.steps:
        lines += step.describe(plan, repo_name)
    return "\n".join(lines)
