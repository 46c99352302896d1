"""PyPI's JSON and integrity APIs, read-only: projects, a release's files, their provenance.

``GET {base}/pypi/{project}/json``: 200 lists the project's ``releases``, 404 means the
project does not exist (so trusted publishing needs a *pending* publisher). For the doctor,
anything else, or no answer, is reported as "could not tell" and never raised.

``GET {base}/pypi/{project}/{version}/json`` lists the files of one release (``urls``), and
``GET {base}/integrity/{project}/{version}/{filename}/provenance`` (PEP 740) names the
trusted publisher that uploaded a file; 404 means "not served" and "no provenance". An index
that cannot be reached at all (refused connection, unknown host) raises
:class:`IndexUnreachable`, other trouble :class:`IndexTrouble`: the caller decides whether
to ask again. Stdlib only (urllib), so ``release doctor`` and ``release cut`` stay light.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

import msgspec
from packaging.version import InvalidVersion, Version

from ..core.config import ReleaseConfig, project_name
from ..core.model import canonical_name
from ..core.upload import ProvenancePublisher, PyPIRelease, ServedFile

# The base URL override (a mirror, or a local server); --index-url wins over it.
ENV_VAR = "RELEASE_PYPI_URL"
BASE_URLS = {"pypi": "https://pypi.org", "testpypi": "https://test.pypi.org"}
TIMEOUT_SECONDS = 5.0
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
JSON = "application/json"
# The integrity API's media type (docs.pypi.org, "Integrity API").
INTEGRITY_JSON = "application/vnd.pypi.integrity.v1+json"


class IndexUnreachable(Exception):
    """The index could not be reached at all: connection refused, or the host is unknown."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class IndexTrouble(Exception):
    """The index answered, but not usably (a server error, a timeout, a body that is not
    the documented JSON); asking again later may work.
    """

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class ProjectInfo(msgspec.Struct, frozen=True):
    """What the index said about a project.

    ``exists`` is ``None`` when the index could not be asked or gave no usable answer;
    ``problem`` then says why.
    """

    url: str
    exists: bool | None
    versions: frozenset[str] = msgspec.field(default_factory=frozenset)
    problem: str | None = None
    # version -> file names
    files: Mapping[str, tuple[str, ...]] = msgspec.field(default_factory=dict)

    def _release(self, version: str) -> str | None:
        """The release name equal to ``version`` (PEP 440 equality), or None."""
        try:
            wanted = Version(version)
        except InvalidVersion:
            return version if version in self.versions else None
        for name in self.versions:
            try:
                if Version(name) == wanted:
                    return name
            except InvalidVersion:
                continue
        return None

    def has_version(self, version: str) -> bool:
        """Whether ``version`` is among the project's releases (PEP 440 equality)."""
        return self._release(version) is not None

    def files_of(self, version: str) -> tuple[str, ...]:
        """The files the index serves of ``version`` (none when it has no such release)."""
        name = self._release(version)
        return self.files.get(name, ()) if name is not None else ()


def project_url(base: str, project: str) -> str:
    """The JSON API URL of ``project`` (normalised, so PyPI does not redirect)."""
    return f"{base.rstrip('/')}/pypi/{quote(canonical_name(project))}/json"


def release_url(base: str, project: str, version: str) -> str:
    """The JSON API URL of one release of ``project``."""
    name = quote(canonical_name(project))
    return f"{base.rstrip('/')}/pypi/{name}/{quote(version, safe='')}/json"


def provenance_url(base: str, project: str, version: str, filename: str) -> str:
    """The integrity API URL of one file's provenance."""
    parts = (canonical_name(project), version, filename)
    path = "/".join(quote(part, safe="") for part in parts)
    return f"{base.rstrip('/')}/integrity/{path}/provenance"


class PyPIClient(msgspec.Struct, frozen=True):
    """PyPI's JSON API as ``release doctor`` asks it; ``override`` replaces every index's URL."""

    override: str | None = None
    timeout: float = TIMEOUT_SECONDS

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> PyPIClient:
        """The client the command line uses: ``RELEASE_PYPI_URL`` overrides the index."""
        value = env.get(ENV_VAR)
        return cls(override=value if value and value.strip() else None)

    def base_url(self, index: str, explicit: str | None = None) -> str:
        """The index's base URL: ``explicit``, else the override, else the index's own."""
        for candidate in (explicit, self.override):
            if candidate and candidate.strip():
                return candidate.strip().rstrip("/")
        return BASE_URLS.get(index, BASE_URLS["pypi"])

    def lookup(self, base: str, project: str) -> ProjectInfo:
        """Ask the index at ``base`` about ``project`` (see :func:`lookup_project`)."""
        return lookup_project(base, project, timeout=self.timeout)

    def start_project_lookup(
        self, config: ReleaseConfig, pyproject: Mapping[str, Any], index_url: str | None = None
    ) -> Callable[[], ProjectInfo] | None:
        """Start asking the index the doctor's checks use about the project (None: the
        project has no name); ``index_url`` is ``release doctor --index-url``.
        """
        project = project_name(config, pyproject)
        if project is None:
            return None
        index = config.pypi.index if config.pypi else "pypi"
        return self.start_lookup(self.base_url(index, index_url), project)

    def start_lookup(self, base: str, project: str) -> Callable[[], ProjectInfo]:
        """Start :meth:`lookup` in the background and return what waits for its answer, so
        that the round trip to the index overlaps other work.
        """
        # The HTTP client loads here rather than in the thread: an import there holds the
        # interpreter, and each git command this thread starts or waits for meanwhile
        # would wait its turn for it (up to 5 ms, Python's switch interval, each time).
        import threading
        import urllib.request  # noqa: F401

        answers: list[ProjectInfo] = []
        failures: list[Exception] = []

        def ask() -> None:
            try:
                answers.append(self.lookup(base, project))
            except Exception as exc:  # noqa: BLE001 - raised again in the thread that waits
                failures.append(exc)

        # A daemon: the lookup's own timeout bounds it, and it never holds up the exit.
        thread = threading.Thread(target=ask, name="pypi-lookup", daemon=True)
        thread.start()

        def answer() -> ProjectInfo:
            thread.join()
            if failures:
                raise failures[0]
            return answers[0]

        return answer

    def release(self, base: str, project: str, version: str) -> PyPIRelease:
        """The files the index serves for ``project`` ``version``, each with its provenance
        publisher; ``served=False`` when the index answers 404.

        Raises :class:`IndexUnreachable` or :class:`IndexTrouble`.
        """
        found = _get_json(release_url(base, project, version), JSON, self.timeout)
        if found is None:
            return PyPIRelease(project, version, served=False)
        url, data = found
        try:
            names = [str(item["filename"]) for item in data["urls"]]
        except (KeyError, TypeError) as exc:
            raise IndexTrouble(url, f"unexpected answer (no urls[].filename: {exc})") from exc
        files = tuple(
            ServedFile(name, self.provenance(base, project, version, name)) for name in names
        )
        return PyPIRelease(project, version, served=True, files=files)

    def provenance(
        self, base: str, project: str, version: str, filename: str
    ) -> ProvenancePublisher | None:
        """The publisher in the file's provenance; None when the index has none (404)."""
        url = provenance_url(base, project, version, filename)
        found = _get_json(url, INTEGRITY_JSON, self.timeout)
        if found is None:
            return None
        url, data = found
        try:
            publisher = data["attestation_bundles"][0]["publisher"]
            return ProvenancePublisher(
                kind=str(publisher["kind"]),
                repository=_optional(publisher.get("repository")),
                workflow=_optional(publisher.get("workflow")),
                environment=_optional(publisher.get("environment")),
            )
        except (KeyError, IndexError, TypeError, AttributeError) as exc:
            raise IndexTrouble(url, f"unexpected provenance ({exc})") from exc


def _optional(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


def _opener(url: str) -> Any:
    import urllib.request

    handlers: list[urllib.request.BaseHandler] = []
    if urlsplit(url).hostname in _LOOPBACK:
        handlers.append(urllib.request.ProxyHandler({}))  # a local server is never proxied
    return urllib.request.build_opener(*handlers)


def _request(url: str, accept: str) -> Any:
    import urllib.request

    from .. import __version__

    headers = {"Accept": accept, "User-Agent": f"release-orchestrator/{__version__}"}
    # The URL is the index's (PyPI, TestPyPI or RELEASE_PYPI_URL's mirror), asked over http(s).
    return urllib.request.Request(url, headers=headers)  # noqa: S310


def _get_json(url: str, accept: str, timeout: float) -> tuple[str, Any] | None:
    """``(url, data)`` for a 200, None for a 404; raises IndexUnreachable or IndexTrouble."""
    import urllib.error

    try:
        with _opener(url).open(_request(url, accept), timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise IndexTrouble(url, f"HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (ConnectionRefusedError, socket.gaierror)):
            raise IndexUnreachable(url, str(exc.reason)) from exc
        raise IndexTrouble(url, str(exc.reason) or type(exc).__name__) from exc
    except (OSError, ValueError) as exc:
        raise IndexTrouble(url, str(exc) or type(exc).__name__) from exc
    try:
        return url, json.loads(body)
    except ValueError as exc:
        raise IndexTrouble(url, f"unexpected answer ({exc})") from exc


def lookup_project(base: str, project: str, *, timeout: float = TIMEOUT_SECONDS) -> ProjectInfo:
    """Ask the index about ``project``; never raises for network or server trouble."""
    url = project_url(base, project)
    try:
        found = _get_json(url, JSON, timeout)
    except (IndexUnreachable, IndexTrouble) as exc:
        return ProjectInfo(url, exists=None, problem=exc.reason)
    if found is None:
        return ProjectInfo(url, exists=False)
    try:
        releases = found[1]["releases"]
        if not isinstance(releases, Mapping):
            raise TypeError("releases is not an object")
    except (KeyError, TypeError) as exc:
        return ProjectInfo(url, exists=None, problem=f"unexpected answer ({exc})")
    files = {
        str(version): tuple(
            str(item["filename"])
            for item in items
            if isinstance(item, Mapping) and isinstance(item.get("filename"), str)
        )
        for version, items in releases.items()
        if isinstance(items, list)
    }
    return ProjectInfo(url, exists=True, versions=frozenset(str(v) for v in releases), files=files)
