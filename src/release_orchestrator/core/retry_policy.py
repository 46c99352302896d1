"""Whether re-running a failed publish job can succeed, by the explain finding behind it.

A re-run runs the same workflow file at the same commit and mints a token with the same
claims, so it can only fix what is fixed outside the repository: the publisher or the
project on PyPI, the repository's secrets, or an outage or rate limit that has passed.
"""

from __future__ import annotations

# Fixed on pypi.org or in the repository's secrets, or gone with time; everything else
# needs a change to the workflow or the code, and a new release.
_FIXABLE_BY_RERUN = frozenset(
    {
        "invalid-publisher",  # the publisher corrected on pypi.org
        "invalid-pending-publisher",  # a publisher added to the now existing project
        "not-enabled",  # trusted publishing switched back on
        "upload-forbidden",  # the publisher's project permissions fixed on PyPI
        "invalid-token",  # a fresh token is minted for every attempt
        "invalid-reuse-token",
        "empty-password-secret",  # secrets are read again by each attempt
        "invalid-credentials",
        "index-unavailable",  # PyPI (or GitHub) back up
        "too-many-new-projects",  # after waiting out the new-project rate limit
    }
)


def rerun_can_fix(finding_code: str | None) -> bool:
    """True when re-running the failed jobs can fix the failure ``finding_code`` names.

    ``None`` (nothing recognised in the log) is False: without a diagnosis a re-run is a
    guess, and ``release explain`` is the next step.
    """
    return finding_code in _FIXABLE_BY_RERUN
