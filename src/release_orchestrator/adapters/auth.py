"""Which token and which API a GitHub connection uses, and making that connection.

The token comes from ``GH_TOKEN``, ``GITHUB_TOKEN`` or ``gh auth token``; the API base from
``--api-url``, ``GITHUB_API_URL`` or the remote's host (:func:`core.remote.api_base`).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ..core.model import RepoRef
from ..core.remote import api_base
from ..errors import AuthError

if TYPE_CHECKING:
    from ..deps import Deps
    from .github import GitHub


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


def connect(
    deps: Deps,
    repo: RepoRef,
    *,
    api_url: str | None,
    own_retries: bool,
    purpose: str = "reading GitHub Actions runs",
) -> GitHub:
    """A :class:`GitHub` for ``repo`` through ``deps.github``, with the token from the
    environment; without one, an :class:`AuthError` (exit 4) saying what needed it.
    """
    token = resolve_token(deps.env)
    if not token:
        raise AuthError(
            f"{purpose} needs a GitHub token, and none was found",
            "set GH_TOKEN or GITHUB_TOKEN, or log in with gh auth login",
        )
    problem = header_problem(token)
    if problem:
        names = ("GH_TOKEN", "GITHUB_TOKEN")
        source = next((name for name in names if deps.env.get(name, "").strip()), None)
        raise AuthError(
            f"the GitHub token from {source or 'gh auth token'} {problem}, so it cannot be "
            "sent in an HTTP header",
            "set it again from the token's page (copy it without quotes or spaces)",
        )
    return deps.github(api_base(repo, api_url, deps.env), token, repo, own_retries)


def header_problem(token: str) -> str | None:
    """What keeps ``token`` out of an HTTP ``Authorization`` header, or None.

    HTTP header values are visible ASCII; the message gives the position, never the text.
    """
    for position, char in enumerate(token, start=1):
        if not char.isascii():
            return f"has a non-ASCII character at position {position}"
        if not char.isprintable() or char.isspace():
            return f"has a space or control character at position {position}"
    return None


# A look-up the doctor can do without: short, one request, no retries, so that an
# offline doctor is not slowed.
LOOKUP_TIMEOUT = 2  # seconds; PyGithub takes whole seconds


def public_tag_commits(deps: Deps, repo: RepoRef) -> dict[str, str]:
    """The tags of a public repository as {commit SHA: tag name}, asked quickly.

    Anonymous unless ``GH_TOKEN``/``GITHUB_TOKEN`` holds a usable token (``gh`` is not
    asked: starting it costs more than the look-up is worth). Raises :class:`ReleaseError`
    subclasses when GitHub cannot be reached or refuses.
    """
    token = resolve_token(deps.env, lambda: None) or ""
    if header_problem(token):
        token = ""
    base = api_base(repo, None, deps.env)
    return deps.github(base, token, repo, True, LOOKUP_TIMEOUT).tag_commits()
