"""Which GitHub repository a git remote names, and which API serves it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from ..errors import UsageError
from .model import RepoRef
from .redact import redact

PUBLIC_HOST = "github.com"
PUBLIC_API = "https://api.github.com"
# github.com's own names: the web host, its www alias, and ssh over port 443.
GITHUB_HOSTS = frozenset({PUBLIC_HOST, "www.github.com", "ssh.github.com"})

# git@host:owner/repo(.git) — scp-like syntax, no scheme.
_SCP_LIKE = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>[^/].*)$")


def _host_and_path(url: str) -> tuple[str, str] | None:
    """The host and path of an https, ssh or scp-like URL; None for a local path or file://."""
    if "://" in url:
        parts = urlsplit(url)
        if parts.scheme == "file":
            return None
        return (parts.hostname or "").lower(), parts.path
    scp = _SCP_LIKE.match(url)
    if scp is None or url.startswith(("/", ".")):
        return None
    return scp.group("host").lower(), scp.group("path")


def github_repository(url: str, api_url: str | None = None) -> RepoRef | None:
    """The GitHub repository a remote's configured URL names, or None when it names none.

    The one rule ``cut``, ``watch``, ``explain`` and ``doctor`` share. A github.com URL
    (https, ssh or ``git@github.com:OWNER/REPO``) names OWNER/REPO by its two path parts.
    Another host is GitHub Enterprise Server only when ``api_url`` (``--api-url``) says
    where its API is. A local path or ``file://`` URL names no repository: its last two
    path parts are a mirror's layout, not GitHub's word. Credentials are ignored.
    """
    split = _host_and_path(url.strip())
    if split is None:
        return None
    host, path = split
    if not host or (host not in GITHUB_HOSTS and not api_url):
        return None
    parts = [p for p in path.strip("/").split("/") if p]
    if len(parts) != 2:
        return None
    owner, name = parts[0], parts[1].removesuffix(".git")
    if not name:
        return None
    return RepoRef(host=PUBLIC_HOST if host in GITHUB_HOSTS else host, owner=owner, name=name)


def require_github_repository(url: str | None, remote: str, api_url: str | None) -> RepoRef:
    """:func:`github_repository` for a command that must talk to GitHub; UsageError if none."""
    if url is None:
        raise UsageError(
            f"there is no git remote named {remote!r} to tell the GitHub repository",
            "pass a run URL instead, or add the remote",
        )
    repo = github_repository(url, api_url)
    if repo is None:
        raise UsageError(
            f"cannot tell the GitHub repository: remote {remote!r} ({redact(url)}) "
            "names no repository on github.com",
            "set the remote to https://github.com/OWNER/REPO.git (url.<base>.insteadOf can "
            "still send git to a mirror), or pass --api-url for GitHub Enterprise Server",
        )
    return repo


def api_base(repo: RepoRef, explicit: str | None, env: Mapping[str, str]) -> str:
    """The REST API base: ``--api-url``, else ``GITHUB_API_URL``, else from the remote's host."""
    for candidate in (explicit, env.get("GITHUB_API_URL")):
        if candidate:
            return candidate.rstrip("/")
    if repo.host in GITHUB_HOSTS:
        return PUBLIC_API
    # Any other host is GitHub Enterprise Server, which serves the API under /api/v3.
    return f"https://{repo.host}/api/v3"
