"""package-tags-overlap and package-project-shared: one package's publishing among several.

In a repository of several packages, each package's publishing job should start on its
own tags only, and upload its own PyPI project: a job that another package's tag also
starts uploads the wrong package (or the same version twice), and two packages sharing a
PyPI project would share its releases and its trusted publisher.
"""

from __future__ import annotations

from ..model import canonical_name
from .facts import Facts, Outcome, finding
from .topology import runs_for_tag


def check_package_publishing(facts: Facts) -> list[Outcome]:
    """package-tags-overlap and package-project-shared (only with ``--package``)."""
    found: list[Outcome] = []
    pub = facts.publishing
    for other in facts.other_packages:
        if pub is not None:
            reached, _ = runs_for_tag(pub.entries, pub.workflow, pub.job, other.tag, ())
            if reached:
                workflow = reached[0].workflow
                found.append(
                    finding(
                        "package-tags-overlap",
                        "warning",
                        (workflow.path, workflow.on_line),
                        f"{other.name}'s tag {other.tag} also starts job {pub.job.id!r} "
                        f"({workflow.filename}), which publishes this package "
                        f"(tags {facts.config.tag_prefix}*)",
                        f"filter the trigger on this package's tags: "
                        f'tags: ["{facts.config.tag_prefix}*"]',
                    )
                )
        same = other.project is not None and facts.project is not None
        if same and canonical_name(str(other.project)) == canonical_name(str(facts.project)):
            found.append(
                finding(
                    "package-project-shared",
                    "error",
                    (None, None),
                    f"this package and {other.name} both publish the PyPI project "
                    f"{facts.project!r}",
                    "give each package its own [project] name (or [tool.release.pypi] "
                    "project) and its own trusted publisher on PyPI",
                )
            )
    return found
