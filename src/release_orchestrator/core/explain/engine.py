"""``explain``: read logs, diagnose the failure, compare the token with the publisher."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import msgspec
from msgspec.structs import replace

from ...errors import UsageError
from ..publisher import Claims, Publisher, compare, publisher_form, publisher_form_url
from ..redact import redact
from .diagnose import diagnose
from .normalize import clean
from .report import ExplainReport
from .rules import ANCHORS
from .scan import Scanner
from .sieve import LineSieve


class LogInput(msgspec.Struct, frozen=True):
    """One log: its display name and its content as byte chunks (UTF-8 or close to it)."""

    name: str
    chunks: Iterator[bytes]


def explain(
    logs: Iterable[LogInput],
    publisher: Publisher | None,
    publisher_source: str,
    project: str | None = None,
    package: str | None = None,
) -> ExplainReport:
    """Explain why the publish job whose ``logs`` these are failed.

    ``publisher`` is the trusted publisher to compare the token with (``None``: unknown)
    and ``publisher_source`` says where it came from; it becomes the report's ``source``.
    ``project`` (the local project's name on PyPI) names the publisher form to link to;
    ``package`` is the package the run released, among several (named in the fixes).
    Text with no known failure gives a report without findings, never an exception.
    Raises :class:`UsageError` when there is no log.
    """
    sieve = LineSieve(ANCHORS)
    scanner = Scanner(sieve)
    names: list[str] = []
    for log in logs:
        names.append(log.name)
        scanner.start_log()
        for raw in sieve.lines(log.chunks):
            for line in clean(raw):
                scanner.feed(line)
    if not names:
        raise UsageError("no log to explain", "give --log FILE, or - for stdin")
    evidence = scanner.finish()
    claims = _redacted(evidence.claims)
    checklist = tuple(compare(publisher, claims)) if claims is not None else ()
    findings = diagnose(evidence, publisher, checklist, package)
    form = publisher_form(claims) if claims is not None else None
    index = evidence.index or (publisher.index if publisher else "pypi")
    return ExplainReport(
        source=publisher_source,
        findings=tuple(
            replace(f, evidence=redact(f.evidence) if f.evidence else None) for f in findings
        ),
        claims=claims,
        checklist=checklist,
        publisher_form=form,
        publisher=publisher,
        logs=tuple(names),
        index=evidence.index,
        error_lines=tuple(redact(line) for line in evidence.error_lines),
        # explain cannot tell whether the project exists: link to its own settings page.
        publisher_form_url=(
            publisher_form_url(form, index, project, pending=None) if form else None
        ),
    )


def _redacted(claims: Claims | None) -> Claims | None:
    """Claims as shown to the user: log excerpts too, so they pass through redact()."""
    if claims is None:
        return None
    values = {k: redact(v) for k, v in claims.as_dict().items() if v is not None}
    return Claims.from_values(values, claims.missing)
