"""PyPI's JSON API, read-only: does a project exist on an index, and which versions it has.

``GET {base}/pypi/{project}/json``: 200 lists the project's ``releases``, 404 means the
project does not exist (so trusted publishing needs a *pending* publisher). Anything else,
or no answer, is reported as "could not tell" and never raised: the doctor goes on without.
Stdlib only (urllib), so ``release doctor`` and ``release cut`` stay light.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

# The base URL override (a mirror, or a local server); --index-url wins over it.
ENV_VAR = "RELEASE_PYPI_URL"
BASE_URLS = {"pypi": "https://pypi.org", "testpypi": "https://test.pypi.org"}
TIMEOUT_SECONDS = 5.0
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class ProjectInfo:
    """What the index said about a project.

    ``exists`` is ``None`` when the index could not be asked or gave no usable answer;
    ``problem`` then says why.
    """

    url: str
    exists: bool | None
    versions: frozenset[str] = field(default_factory=frozenset)
    problem: str | None = None
    files: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # version -> file names

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
    return f"{base.rstrip('/')}/pypi/{quote(canonicalize_name(project))}/json"


@dataclass(frozen=True)
class PyPIClient:
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


def lookup_project(base: str, project: str, *, timeout: float = TIMEOUT_SECONDS) -> ProjectInfo:
    """Ask the index about ``project``; never raises for network or server trouble."""
    import urllib.error
    import urllib.request

    from .. import __version__

    url = project_url(base, project)
    request = urllib.request.Request(
        url,
        headers={
            "Accept": "application/json",
            "User-Agent": f"release-orchestrator/{__version__}",
        },
    )
    handlers: list[urllib.request.BaseHandler] = []
    if urlsplit(url).hostname in _LOOPBACK:
        handlers.append(urllib.request.ProxyHandler({}))  # a local server is never proxied
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(request, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return ProjectInfo(url, exists=False)
        return ProjectInfo(url, exists=None, problem=f"HTTP {exc.code} {exc.reason}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return ProjectInfo(url, exists=None, problem=str(reason) or type(exc).__name__)
    try:
        data = json.loads(body)
        releases = data["releases"]
        if not isinstance(releases, Mapping):
            raise TypeError("releases is not an object")
    except (ValueError, KeyError, TypeError) as exc:
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
