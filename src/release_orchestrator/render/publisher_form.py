"""PyPI's trusted-publisher form as people type it in: one renderer for doctor and explain."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

_LABELS = (
    ("owner", "Owner"),
    ("repository", "Repository name"),
    ("workflow", "Workflow name"),
    ("environment", "Environment name"),
)
_WIDTH = max(len(label) for _, label in _LABELS)


def render_publisher_form(
    form: Mapping[str, str | None], host: str, *, missing: str, filled_in: str | None
) -> list[str]:
    """The form's fields on ``host`` (pypi.org or test.pypi.org), and the link filled in.

    ``missing`` stands for a value that is not known (the doctor leaves it blank, explain says
    the log did not show it); an empty environment is PyPI's "any environment".
    """
    lines = [f"PyPI publisher form ({host}: project > Settings > Publishing > GitHub):"]
    lines += [f"  {label.ljust(_WIDTH)}  {value}" for label, value in _fields(form, missing)]
    if filled_in:
        lines.append(f"  Filled in: {filled_in}")
    return lines


def publisher_form_table(
    form: Mapping[str, str | None], host: str, *, missing: str, cell: Callable[[str], str]
) -> list[str]:
    """The same form as a Markdown table, for a GitHub Actions step summary."""
    lines = [f"#### PyPI publisher form ({host})", "", "| field | value |", "| --- | --- |"]
    lines += [f"| {label} | {cell(value)} |" for label, value in _fields(form, missing)]
    return lines


def _fields(form: Mapping[str, str | None], missing: str) -> Iterator[tuple[str, str]]:
    """Each field's label and the value to type in (``missing`` when it is not known)."""
    for key, label in _LABELS:
        value = form.get(key)
        if key == "environment" and not value:
            value = "(leave empty: any environment)"
        yield label, value or missing
