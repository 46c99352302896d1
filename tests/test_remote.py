"""Remote URLs, API bases, tokens, and redaction."""

from __future__ import annotations

import pytest

from release_orchestrator.adapters.auth import resolve_token
from release_orchestrator.core.model import RepoRef
from release_orchestrator.core.redact import redact
from release_orchestrator.core.remote import api_base, github_repository, require_github_repository
from release_orchestrator.errors import UsageError

GH = RepoRef("github.com", "kylejones200", "anomaly-detection-toolkit")


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/kylejones200/anomaly-detection-toolkit.git",
        "https://github.com/kylejones200/anomaly-detection-toolkit",
        "https://x-access-token:ghp_secret@github.com/kylejones200/anomaly-detection-toolkit.git",
        "ssh://git@github.com/kylejones200/anomaly-detection-toolkit.git",
        "ssh://git@github.com:22/kylejones200/anomaly-detection-toolkit",
        "ssh://git@ssh.github.com:443/kylejones200/anomaly-detection-toolkit.git",
        "git@github.com:kylejones200/anomaly-detection-toolkit.git",
        "github.com:kylejones200/anomaly-detection-toolkit",
        "https://GitHub.com/kylejones200/anomaly-detection-toolkit/",
        "https://www.github.com/kylejones200/anomaly-detection-toolkit.git",
    ],
)
def test_github_urls_name_their_repository(url: str) -> None:
    assert github_repository(url) == GH


@pytest.mark.parametrize(
    "url",
    [
        # A local mirror laid out as OWNER/REPO.git is a layout, not an identity.
        "/srv/git/kylejones200/anomaly-detection-toolkit.git",
        "../kylejones200/anomaly-detection-toolkit.git",
        "file:///srv/kylejones200/anomaly-detection-toolkit.git",
        # Another host is not GitHub unless an API URL says so.
        "https://gitlab.com/kylejones200/anomaly-detection-toolkit.git",
        "git@ghe.example.com:team/tool.git",
        # ssh config aliases (Host github-work) are not github.com either.
        "git@github-work:kylejones200/anomaly-detection-toolkit.git",
        # github.com paths are exactly OWNER/REPO.
        "https://github.com/group/sub/anomaly-detection-toolkit.git",
        "https://github.com/",
        "git@github.com:lonely",
        "",
    ],
)
def test_urls_that_name_no_github_repository(url: str) -> None:
    assert github_repository(url) is None


def test_another_host_is_github_enterprise_when_an_api_url_is_given() -> None:
    api = "https://ghe.example.com/api/v3"
    ghe = RepoRef("ghe.example.com", "team", "tool")
    assert github_repository("git@ghe.example.com:team/tool.git", api) == ghe
    assert github_repository("https://ghe.example.com/team/tool", api) == ghe
    assert github_repository("/srv/git/team/tool.git", api) is None


def test_require_github_repository_says_why_without_credentials() -> None:
    with pytest.raises(UsageError) as no_remote:
        require_github_repository(None, "origin", None)
    assert "no git remote named 'origin'" in no_remote.value.message
    with pytest.raises(UsageError) as local:
        require_github_repository("https://u:hunter2@gitlab.com/o/r.git", "origin", None)
    assert "names no repository on github.com" in local.value.message
    assert "hunter2" not in local.value.message
    assert "--api-url" in (local.value.hint or "")


def test_api_base_precedence() -> None:
    ghe = RepoRef("ghe.example.com", "o", "r")
    assert api_base(GH, None, {}) == "https://api.github.com"
    assert api_base(ghe, None, {}) == "https://ghe.example.com/api/v3"
    assert api_base(ghe, None, {"GITHUB_API_URL": "https://x/api/v3/"}) == "https://x/api/v3"
    assert (
        api_base(ghe, "http://127.0.0.1:1", {"GITHUB_API_URL": "https://x"}) == "http://127.0.0.1:1"
    )


def test_token_precedence() -> None:
    assert resolve_token({"GH_TOKEN": "a", "GITHUB_TOKEN": "b"}, lambda: "c") == "a"
    assert resolve_token({"GH_TOKEN": " ", "GITHUB_TOKEN": "b"}, lambda: "c") == "b"
    assert resolve_token({}, lambda: "c") == "c"
    assert resolve_token({}, lambda: None) is None


@pytest.mark.parametrize(
    "secret",
    [
        "ghp_" + "a1" * 18,
        "github_pat_" + "B" * 30,
        "ghs_" + "Z" * 36,
        "pypi-AgEIcHlwaS5vcmcCJGE0" + "x" * 40,
    ],
)
def test_redact_masks_token_shapes(secret: str) -> None:
    text = f"failed with {secret} in it"
    assert secret not in redact(text)
    assert "***" in redact(text)


def test_redact_masks_url_credentials_and_headers() -> None:
    text = "push to https://user:hunter2@example.com/o/r.git; Authorization: token abc123"
    out = redact(text)
    assert "hunter2" not in out and "abc123" not in out
    assert "https://***@example.com/o/r.git" in out


def test_redact_masks_explicit_secrets() -> None:
    assert redact("token=plainsecret", ("plainsecret",)) == "token=***"
