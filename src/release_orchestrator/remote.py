"""Which GitHub repository a git remote names, which API serves it, and which token to use."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import UsageError

PUBLIC_HOST = "github.com"
PUBLIC_API = "https://api.github.com"

# git@host:owner/repo(.git) — scp-like syntax, no scheme.
_SCP_LIKE = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>[^/].*)$")


@dataclass(frozen=True)
class RepoRef:
    """A repository on a GitHub host, as named by a git remote."""

    host: str
    owner: str
    name: str

    @property
    def full_name(self) -> str:
        """``owner/name``, the form the API and PyPI's publisher form use."""
        return f"{self.owner}/{self.name}"


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


def _gh_auth_token() -> str | None:
    gh = shutil.which("gh")
    if gh is None:
        return None
    try:
        done = subprocess.run(
            [gh, "auth", "token"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    token = done.stdout.strip()
    return token if done.returncode == 0 and token else None


def resolve_token(
    env: Mapping[str, str], gh_token: Callable[[], str | None] = _gh_auth_token
) -> str | None:
    """The GitHub token: ``GH_TOKEN``, then ``GITHUB_TOKEN``, then ``gh auth token``."""
    for name in ("GH_TOKEN", "GITHUB_TOKEN"):
        value = env.get(name, "").strip()
        if value:
            return value
    return gh_token()
