"""Timestamp formats GitHub uses: API date-times and the raw Actions log prefix."""

from __future__ import annotations

from datetime import datetime, timezone


def iso(ts: float) -> str:
    """An API ``date-time`` as GitHub writes it: ``2024-05-01T12:00:00Z`` (UTC, no fraction)."""
    return datetime.fromtimestamp(int(ts), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def log_stamp(ts: float) -> str:
    """The prefix of one raw job-log line: ``2024-05-01T12:00:00.0000000Z`` (7 fraction digits)."""
    moment = datetime.fromtimestamp(ts, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0Z"


def http_date(ts: float) -> str:
    """An RFC 7231 ``Date`` header value."""
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")
