"""Remote URLs, API bases, tokens, and redaction."""

from __future__ import annotations

import pytest

from release_orchestrator.adapters.auth import resolve_token
from release_orchestrator.core.model import RepoRef
from release_orchestrator.core.redact import redact
from release_orchestrator.core.remote import api_base, parse_remote_url
from release_orchestrator.errors import UsageError

GH = RepoRef("github.com", "kylejones200", "anomaly-detection-toolkit")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/kylejones200/anomaly-detection-toolkit.git", GH),
        ("https://github.com/kylejones200/anomaly-detection-toolkit", GH),
        (
            "https://x-access-token:ghp_secret@github.com/kylejones200/anomaly-detection-toolkit.git",
            GH,
        ),
        ("ssh://git@github.com/kylejones200/anomaly-detection-toolkit.git", GH),
        ("ssh://git@github.com:22/kylejones200/anomaly-detection-toolkit", GH),
        ("git@github.com:kylejones200/anomaly-detection-toolkit.git", GH),
        ("github.com:kylejones200/anomaly-detection-toolkit", GH),
        ("https://GitHub.com/kylejones200/anomaly-detection-toolkit/", GH),
        (
            "git@ghe.example.com:team/tool.git",
            RepoRef("ghe.example.com", "team", "tool"),
        ),
        (
            "/srv/git/kylejones200/anomaly-detection-toolkit.git",
            RepoRef("", *GH.full_name.split("/")),
        ),
        (
            "file:///srv/kylejones200/anomaly-detection-toolkit.git",
            RepoRef("", *GH.full_name.split("/")),
        ),
    ],
)
def test_parse_remote_url(url: str, expected: RepoRef) -> None:
    assert parse_remote_url(url) == expected


@pytest.mark.parametrize("url", ["", "https://github.com/", "git@github.com:lonely"])
def test_unparseable_remote_url(url: str) -> None:
    with pytest.raises(UsageError):
        parse_remote_url(url)


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
