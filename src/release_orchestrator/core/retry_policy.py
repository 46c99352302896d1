"""Can re-running the failed jobs fix a failure that ``release explain`` diagnosed?

A re-run (GitHub's "Re-run failed jobs") runs the same workflow file at the same commit,
and its OIDC token carries the same claims. It fixes what was fixed outside the
repository: the publisher or the project on PyPI, a secret, an outage, a rate limit
waited out. Anything that needs a change to the workflow or the code needs a new
release instead.
"""

from __future__ import annotations

# The explain codes whose fix lies outside the repository (PyPI's settings, the
# repository's secrets, time); every other code, and an unknown one, needs a new commit.
_FIXED_OUTSIDE = frozenset(
    {
        "invalid-publisher",  # the publisher on PyPI, corrected or created as pending
        "invalid-pending-publisher",  # a normal publisher instead of the pending one
        "trusted-publishing-failed",  # no reason shown: most often the publisher on PyPI
        "custom-oidc-subject",  # PyPI stopped checking `sub`
        "invalid-token",  # an expired token or a clock problem
        "not-enabled",  # trusted publishing switched back on
        "too-many-new-projects",  # the limit, waited out
        "index-unavailable",  # PyPI or GitHub back up
        "upload-forbidden",  # made a maintainer of the project
        "invalid-credentials",  # a new API token in the secret
        "empty-password-secret",  # the secret defined or shared with the workflow
    }
)


def rerun_can_fix(code: str) -> bool:
    """Whether re-running the failed jobs can succeed once the cause ``code`` is fixed."""
    return code in _FIXED_OUTSIDE
