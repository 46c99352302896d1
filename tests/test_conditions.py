"""GitHub's `if:` expressions as the doctor evaluates them: the names a run's event fixes."""

from __future__ import annotations

import pytest

from release_orchestrator.core.checks.conditions import Context, evaluate

PUSH = Context("push", "refs/tags/v1.2.3")
CALLED = Context("push", "refs/tags/v1.2.3", called=True)
DISPATCH = Context("workflow_dispatch", "refs/heads/main", workflow=".github/workflows/x.yml")


@pytest.mark.parametrize(
    ("condition", "push", "called", "dispatch"),
    [
        # A push's payload has no inputs, nor does the workflow it starts: null.
        ("inputs.publish", False, None, None),
        ("!inputs.skip", True, None, None),
        ("inputs['skip'] == 'true'", False, None, None),
        ("github.event.inputs.skip == 'true'", False, False, None),
        ("github.event.inputs", False, False, None),
        ("inputs", None, None, None),  # the object itself, not an input
        # null converts to '' as a string and to 0 beside a number, as on GitHub.
        ("inputs.tag == ''", True, None, None),
        ("inputs.count == 0", True, None, None),
        ("startsWith(inputs.tag, 'v')", False, None, None),
        # The dispatch payload names the dispatched file; other events' are not evaluated.
        ("github.event.workflow == '.github/workflows/x.yml'", None, None, True),
        ("github.event.workflow == '.github/workflows/y.yml'", None, None, False),
        ("'1' == 1", True, True, True),
    ],
)
def test_names_a_run_fixes(
    condition: str, push: bool | None, called: bool | None, dispatch: bool | None
) -> None:
    assert (evaluate(condition, PUSH), evaluate(condition, CALLED)) == (push, called)
    assert evaluate(condition, DISPATCH) == dispatch


def test_a_release_and_a_create_have_no_inputs_either() -> None:
    for event in ("release", "create"):
        assert (
            evaluate("inputs.publish || github.event.inputs.publish", Context(event, "r")) is False
        )
    assert evaluate("inputs.publish", Context("workflow_run", "refs/heads/main")) is None
