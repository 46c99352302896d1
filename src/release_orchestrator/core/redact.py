"""Remove secrets from any text before it is shown or logged."""

from __future__ import annotations

import re

# GitHub token formats (classic, fine-grained, app, OAuth, refresh) and PyPI API tokens.
_TOKEN_PATTERNS = (
    re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}\b"),
    re.compile(r"\bgithub_pat_[A-Za-z0-9_]{20,}\b"),
    re.compile(r"\bpypi-[A-Za-z0-9_-]{20,}"),
)
# user:password@ or token@ inside a URL.
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@")
_AUTH_HEADER = re.compile(r"(?i)(authorization:\s*(?:token|bearer|basic)\s+)\S+")

REDACTED = "***"


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Return ``text`` with known secrets, token-shaped strings and URL credentials masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    for pattern in _TOKEN_PATTERNS:
        text = pattern.sub(REDACTED, text)
    text = _URL_CREDENTIALS.sub(lambda m: f"{m.group('scheme')}{REDACTED}@", text)
    return _AUTH_HEADER.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
