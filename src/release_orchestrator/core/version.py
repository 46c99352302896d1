"""Version specs: an explicit PEP 440 version, or a bump of the current one.

Pure functions over :class:`packaging.version.Version`; nothing here reads files.

The bump rules, for the README:

* ``major`` / ``minor`` / ``patch`` (alias ``micro``) increment that part and zero the
  ones after it (``1.2.3`` + ``minor`` → ``1.3.0``). On a pre-release or ``.dev`` of a
  release that the bump would reach anyway, they finalise it instead, as npm and
  bump-my-version do: ``1.3.0rc2`` + ``minor`` → ``1.3.0``, ``1.3.1rc1`` + ``minor`` →
  ``1.4.0``, ``2.0.0b1`` + ``major`` → ``2.0.0``, ``1.2.4.dev1`` + ``patch`` → ``1.2.4``.
* ``release`` drops the pre-release and ``.dev`` parts: ``1.3.0rc2`` → ``1.3.0``. On a
  final or post-release there is nothing to finalise, and it is an error.
* ``alpha`` / ``beta`` / ``rc`` (aliases ``a``, ``b``, ``c``) give the next pre-release of
  that kind (``1.3.0rc1`` → ``1.3.0rc2``) or move up a kind (``1.3.0b2`` + ``rc`` →
  ``1.3.0rc1``); on ``1.3.0.dev2`` they start the series (``1.3.0a1``). Moving down a
  kind, or a pre-release of a final version, is an error (say ``minor,rc``).
* ``post``: ``1.2.3`` → ``1.2.3.post1`` → ``1.2.3.post2``.
* ``dev`` continues a dev series (``1.2.4.dev1`` → ``1.2.4.dev2``), otherwise it starts
  one for the next release: ``1.2.3`` → ``1.2.4.dev1``, ``1.3.0rc1`` → ``1.3.0rc2.dev1``.
  Unlike hatch (``1.2.3`` → ``1.2.3.dev0``) it never gives a version older than the
  current one.
* ``major|minor|patch`` + ``,alpha|,beta|,rc|,dev`` always start a new series from the
  incremented release: ``1.2.3`` + ``minor,rc`` → ``1.3.0rc1``, ``1.3.0rc2`` +
  ``minor,rc`` → ``1.4.0rc1``, ``1.2.3`` + ``patch,dev`` → ``1.2.4.dev1``.

Numbering starts at 1, epochs are kept, and every bump gives a version newer than the
current one (or fails).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from packaging.version import InvalidVersion, Version

from ..errors import UsageError
from .packages import command

# Spec words, lower-cased; the values are the PEP 440 pre-release letters.
_PRE_KINDS = {"alpha": "a", "a": "a", "beta": "b", "b": "b", "rc": "rc", "c": "rc"}
_PRE_ORDER = ("a", "b", "rc")
_PRE_WORDS = {"a": "alpha", "b": "beta", "rc": "rc"}
_RELEASE_PARTS = {"major": 0, "minor": 1, "patch": 2, "micro": 2}

VALID_SPECS = (
    "a version such as 1.2.3 or 1.3.0rc1, one of major, minor, patch, release, "
    "alpha, beta, rc, post, dev, or major|minor|patch with ,alpha ,beta ,rc or ,dev "
    "such as minor,rc"
)
_VERSION_HINT = "use a PEP 440 version such as 1.2.3, 1.3.0rc1, 2.0.0.dev1 or 1.2.3.post1"
# Text that is meant as a version rather than a spec word: it starts with a digit.
_LOOKS_LIKE_VERSION = re.compile(r"^[vV]?\d")


def parse_version(text: str) -> tuple[Version, list[str]]:
    """Parse an explicit version, returning it and any notices about how it was read.

    A leading ``v``/``V`` is accepted silently (``v0.1.1`` is ``0.1.1``: the tag prefix is
    added from the configuration). Any other non-canonical PEP 440 spelling is
    normalised with a notice (``1.0.0-rc1`` → ``1.0.0rc1``). Invalid text and local
    versions (``1.0+abc``, which PyPI rejects) raise :class:`UsageError`.
    """
    stripped = text.strip()
    body = stripped[1:] if stripped[:1] in ("v", "V") else stripped
    try:
        version = Version(body)
    except InvalidVersion as exc:
        raise UsageError(f"{text.strip()!r} is not a valid version", _VERSION_HINT) from exc
    if version.local is not None:
        raise UsageError(
            f"{stripped} is a local version",
            f"PyPI rejects local versions: drop the +{version.local} part",
        )
    notices = [] if str(version) == body else [f"{stripped} normalised to {version} (PEP 440)"]
    return version, notices


def is_prerelease(version: Version) -> bool:
    """Whether ``version`` is a pre-release or a development release (``rc1``, ``.dev1``)."""
    return version.pre is not None or version.dev is not None


def highest_tag(tags: Iterable[str], prefix: str) -> tuple[Version, str] | None:
    """The highest version among tags named ``{prefix}{version}``, with its tag's name.

    Tags without the prefix, or whose rest is not a PEP 440 version, are not releases.
    """
    versions: dict[Version, str] = {}
    for name in tags:
        if not name.startswith(prefix):
            continue
        try:
            versions[Version(name[len(prefix) :])] = name
        except InvalidVersion:
            continue
    return max(versions.items()) if versions else None


def next_version(
    spec: str, current: Version | None, package: str | None = None
) -> tuple[Version, list[str]]:
    """The version ``spec`` asks for, given the ``current`` one, and notices to show
    (``package``: the one ``release cut --package`` releases, named in the hint).

    ``spec`` is an explicit version (see :func:`parse_version`; it is not compared with
    ``current`` here) or a bump (see the module docstring for the rules). Spec words
    are case-insensitive and spaces around the comma are ignored. A bump without a
    current version, an unknown spec, or a bump that makes no sense for ``current``
    raises :class:`UsageError`.
    """
    words = [word.strip().lower() for word in spec.split(",")]
    if len(words) == 1 and _LOOKS_LIKE_VERSION.match(words[0]):
        return parse_version(spec)
    if not _is_valid_bump(words):
        raise UsageError(f"unknown version spec {spec.strip()!r}", f"use {VALID_SPECS}")
    if current is None:
        raise UsageError(
            f"cannot apply {','.join(words)!r}: the project has no version yet",
            f"give an explicit version, e.g. `{command('cut', package)} 0.1.0`",
        )
    notices: list[str] = []
    if len(words) == 2:
        result = _start_series(current, _RELEASE_PARTS[words[0]], words[1])
    else:
        result = _bump(current, words[0], notices)
    return result, notices


def _is_bump_word(word: str) -> bool:
    return word in _RELEASE_PARTS or word in _PRE_KINDS or word in ("release", "post", "dev")


def _is_valid_bump(words: Sequence[str]) -> bool:
    if len(words) == 1:
        return _is_bump_word(words[0])
    return (
        len(words) == 2
        and words[0] in _RELEASE_PARTS
        and (words[1] in _PRE_KINDS or words[1] == "dev")
    )


def _bump(current: Version, word: str, notices: list[str]) -> Version:
    if word in _RELEASE_PARTS:
        return _bump_release_part(current, _RELEASE_PARTS[word], word, notices)
    if word in _PRE_KINDS:
        return _bump_pre(current, _PRE_KINDS[word])
    if word == "release":
        return _finalise(current)
    if word == "post":
        return _bump_post(current)
    return _bump_dev(current)


def _make(
    like: Version,
    release: Sequence[int],
    *,
    pre: tuple[str, int] | None = None,
    post: int | None = None,
    dev: int | None = None,
) -> Version:
    """A version with ``like``'s epoch and the given parts (local labels never survive)."""
    text = ".".join(str(part) for part in release)
    if like.epoch:
        text = f"{like.epoch}!{text}"
    if pre is not None:
        text += f"{pre[0]}{pre[1]}"
    if post is not None:
        text += f".post{post}"
    if dev is not None:
        text += f".dev{dev}"
    return Version(text)


def _base(version: Version) -> Version:
    return _make(version, version.release)


def _is_pending(version: Version) -> bool:
    """Whether ``version`` leads up to its release segment (``1.3.0rc1``, ``1.3.0.dev1``).

    Post-releases and their dev releases (``1.2.3.post1.dev1``) come after it instead.
    """
    return _base(version) > version


def _incremented(current: Version, index: int) -> tuple[int, ...]:
    """The release segment with part ``index`` incremented and the later parts zeroed."""
    parts = list(current.release) + [0] * (index + 1 - len(current.release))
    parts[index] += 1
    return (*parts[: index + 1], *[0] * (len(parts) - index - 1))


def _bump_release_part(current: Version, index: int, word: str, notices: list[str]) -> Version:
    later = current.release[index + 1 :]
    if _is_pending(current) and not any(later):
        # 1.3.0rc2 + minor: 1.3.0 is the minor release this pre-release leads to.
        final = _base(current)
        notices.append(f"{current} is a pre-release of {final}, so `{word}` gives {final}")
        return final
    return _make(current, _incremented(current, index))


def _start_series(current: Version, index: int, suffix: str) -> Version:
    release = _incremented(current, index)
    if suffix == "dev":
        return _make(current, release, dev=1)
    return _make(current, release, pre=(_PRE_KINDS[suffix], 1))


def _bump_pre(current: Version, kind: str) -> Version:
    word = _PRE_WORDS[kind]
    if current.pre is None:
        if _is_pending(current):  # 1.3.0.dev2: the pre-releases of 1.3.0 come next
            return _make(current, current.release, pre=(kind, 1))
        example = _start_series(current, 1, kind)
        raise UsageError(
            f"{current} is a final release: say which release the pre-release leads to",
            f"e.g. `minor,{word}` → {example}",
        )
    current_kind, number = current.pre
    if kind == current_kind:
        if current.dev is not None and current.post is None:
            # 1.3.0rc1.dev2 + rc: the rc1 this dev release leads to.
            return _make(current, current.release, pre=current.pre)
        return _make(current, current.release, pre=(kind, number + 1))
    if _PRE_ORDER.index(kind) < _PRE_ORDER.index(current_kind):
        raise UsageError(
            f"{current} is already past its {word} releases",
            f"use `{_PRE_WORDS[current_kind]}` for the next one, or e.g. `minor,{word}` "
            f"→ {_start_series(current, 1, kind)}",
        )
    return _make(current, current.release, pre=(kind, 1))


def _finalise(current: Version) -> Version:
    if not _is_pending(current):
        raise UsageError(
            f"{current} has no pre-release or .dev part to drop",
            "`release` finalises a pre-release; for the next release use e.g. `patch` "
            f"→ {_make(current, _incremented(current, 2))}",
        )
    return _base(current)


def _bump_post(current: Version) -> Version:
    if current.dev is not None:
        undev = _make(current, current.release, pre=current.pre, post=current.post)
        if current.post is None:
            # 1.2.4.dev1 + post: 1.2.4 itself is not out yet, so it has no post-release.
            spec = "release" if current.pre is None else _PRE_WORDS[current.pre[0]]
            raise UsageError(
                f"{current} is a development release: there is no release to follow up",
                f"release it first: `{spec}` → {undev}",
            )
        return undev  # 1.2.3.post1.dev1 + post: the post-release it leads to
    post = 1 if current.post is None else current.post + 1
    return _make(current, current.release, pre=current.pre, post=post)


def _bump_dev(current: Version) -> Version:
    if current.dev is not None:
        return _make(
            current, current.release, pre=current.pre, post=current.post, dev=current.dev + 1
        )
    if current.pre is not None:
        kind, number = current.pre
        return _make(current, current.release, pre=(kind, number + 1), dev=1)
    return _make(current, _incremented(current, 2), dev=1)
