"""The one renderer of PyPI's publisher form that doctor and explain print."""

from __future__ import annotations

from release_orchestrator.render.publisher_form import render_publisher_form

FORM = {"owner": "acme", "repository": "widget", "workflow": None, "environment": ""}


def test_form_shows_each_field_aligned_and_the_link() -> None:
    url = "https://pypi.org/manage/project/widget/settings/publishing/?provider=github"
    lines = render_publisher_form(FORM, "pypi.org", missing="(not in log)", filled_in=url)
    assert lines == [
        "PyPI publisher form (pypi.org: project > Settings > Publishing > GitHub):",
        "  Owner             acme",
        "  Repository name   widget",
        "  Workflow name     (not in log)",
        "  Environment name  (leave empty: any environment)",
        f"  Filled in: {url}",
    ]


def test_unknown_values_are_left_blank_when_asked_and_no_link_is_offered() -> None:
    lines = render_publisher_form(FORM, "test.pypi.org", missing="", filled_in=None)
    assert lines[0].startswith("PyPI publisher form (test.pypi.org: ")
    assert lines[3] == "  Workflow name     "
    assert not any("Filled in" in line for line in lines)
