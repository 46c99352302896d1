"""Which GitHub repository a git remote names, and which API serves it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from ..errors import UsageError
from .model import RepoRef

PUBLIC_HOST = "github.com"
PUBLIC_API = "https://api.github.com"

# git@host:owner/repo(.git) — scp-like syntax, no scheme.
_SCP_LIKE = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>[^/].*)$")


def _split_path(path: str) -> tuple[str, str] | None:
    parts = [p for p in path.strip("/").split("/") if p]
    if len(parts) < 2:
        return None
    owner, name = parts[-2], parts[-1]
    name = name.removesuffix(".git")
    return (owner, name) if owner and name else None


def parse_remote_url(url: str) -> RepoRef:
    """Parse https, ssh and ``git@host:owner/repo`` remote URLs (credentials are ignored).

    A local path or ``file://`` URL yields host ``""`` and its last two path components,
    so a mirror laid out as ``…/OWNER/REPO.git`` still names its repository.
    """
    url = url.strip()
    scp = None if "://" in url else _SCP_LIKE.match(url)
    if scp and not url.startswith(("/", ".")):
        host, path = scp.group("host"), scp.group("path")
    elif "://" in url:
        parts = urlsplit(url)
        host, path = (parts.hostname or "").lower(), parts.path
        if parts.scheme == "file":
            host = ""
    else:
        host, path = "", url
    split = _split_path(path)
    if split is None:
        raise UsageError(
            "cannot tell the GitHub repository from the git remote URL",
            "the remote should look like https://github.com/OWNER/REPO.git",
        )
    return RepoRef(host=host, owner=split[0], name=split[1])


def api_base(repo: RepoRef, explicit: str | None, env: Mapping[str, str]) -> str:
    """The REST API base: ``--api-url``, else ``GITHUB_API_URL``, else from the remote's host."""
    for candidate in (explicit, env.get("GITHUB_API_URL")):
        if candidate:
            return candidate.rstrip("/")
    if repo.host in ("", PUBLIC_HOST, "www.github.com"):
        return PUBLIC_API
    # Any other host is GitHub Enterprise Server, which serves the API under /api/v3.
    return f"https://{repo.host}/api/v3"

