"""Version specs: explicit versions, every bump, every error."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.version import Version

from release_orchestrator.core.version import is_prerelease, next_version, parse_version
from release_orchestrator.errors import ExitCode, UsageError


@pytest.mark.parametrize(
    ("text", "expected", "notices"),
    [
        ("0.1.1", "0.1.1", []),
        ("v0.1.1", "0.1.1", []),
        ("V2.0", "2.0", []),
        ("  1.2.3  ", "1.2.3", []),
        ("1!2.0", "1!2.0", []),
        ("1.3.0rc1", "1.3.0rc1", []),
        ("1.0.0-rc1", "1.0.0rc1", ["1.0.0-rc1 normalised to 1.0.0rc1 (PEP 440)"]),
        ("v1.0.0-RC1", "1.0.0rc1", ["v1.0.0-RC1 normalised to 1.0.0rc1 (PEP 440)"]),
        ("1.0.0.alpha.2", "1.0.0a2", ["1.0.0.alpha.2 normalised to 1.0.0a2 (PEP 440)"]),
        ("1.0-dev3", "1.0.dev3", ["1.0-dev3 normalised to 1.0.dev3 (PEP 440)"]),
        ("1.0-1", "1.0.post1", ["1.0-1 normalised to 1.0.post1 (PEP 440)"]),
        ("01.02", "1.2", ["01.02 normalised to 1.2 (PEP 440)"]),
    ],
)
def test_parse_version(text: str, expected: str, notices: list[str]) -> None:
    version, said = parse_version(text)
    assert str(version) == expected
    assert said == notices


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("1.0+abc", "1.0+abc is a local version", "PyPI rejects local versions"),
        ("v1.0.0+ubuntu.1", "is a local version", "drop the +ubuntu.1 part"),
        ("1.2.x", "'1.2.x' is not a valid version", "1.3.0rc1"),
        ("", "'' is not a valid version", "PEP 440"),
        ("vv", "'vv' is not a valid version", "PEP 440"),
    ],
)
def test_parse_version_errors(text: str, message: str, hint: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_version(text)
    assert message in info.value.message
    assert info.value.hint is not None and hint in info.value.hint
    assert info.value.exit_code == ExitCode.USAGE


BUMPS = [
    # major / minor / patch on finals
    ("major", "1.2.3", "2.0.0"),
    ("minor", "1.2.3", "1.3.0"),
    ("patch", "1.2.3", "1.2.4"),
    ("micro", "1.2.3", "1.2.4"),
    ("patch", "1.2", "1.2.1"),
    ("minor", "1", "1.1"),
    ("minor", "1.2.3.4", "1.3.0.0"),
    ("major", "0.9.9", "1.0.0"),
    ("patch", "1.2.3.post2", "1.2.4"),
    ("minor", "1.2.3.post1.dev1", "1.3.0"),
    # ... on pre-releases and dev releases: finalise what the bump would reach anyway
    ("minor", "1.3.0rc2", "1.3.0"),
    ("patch", "1.3.0rc2", "1.3.0"),
    ("major", "1.3.0rc2", "2.0.0"),
    ("minor", "1.3.1rc1", "1.4.0"),
    ("major", "2.0.0b1", "2.0.0"),
    ("patch", "1.2.4.dev1", "1.2.4"),
    ("minor", "1.0.0.dev3", "1.0.0"),
    ("patch", "1.3rc1", "1.3"),
    ("major", "2.0rc1", "2.0"),
    # release
    ("release", "1.3.0rc2", "1.3.0"),
    ("release", "1.3.0.dev4", "1.3.0"),
    ("release", "1.3.0b1.dev2", "1.3.0"),
    ("release", "1.3.0rc1.post1", "1.3.0"),
    # pre-release kinds
    ("rc", "1.3.0b2", "1.3.0rc1"),
    ("rc", "1.3.0rc1", "1.3.0rc2"),
    ("alpha", "1.3.0a1", "1.3.0a2"),
    ("a", "1.3.0a1", "1.3.0a2"),
    ("beta", "1.3.0a3", "1.3.0b1"),
    ("b", "1.3.0a3", "1.3.0b1"),
    ("c", "1.3.0b1", "1.3.0rc1"),
    ("alpha", "1.3.0.dev2", "1.3.0a1"),
    ("rc", "1.3.0.dev2", "1.3.0rc1"),
    ("rc", "1.3.0rc1.dev2", "1.3.0rc1"),
    ("rc", "1.3.0rc1.post1", "1.3.0rc2"),
    ("rc", "1.3.0b1.dev2", "1.3.0rc1"),
    # post
    ("post", "1.2.3", "1.2.3.post1"),
    ("post", "1.2.3.post1", "1.2.3.post2"),
    ("post", "1.3.0rc1", "1.3.0rc1.post1"),
    ("post", "1.2.3.post1.dev2", "1.2.3.post1"),
    # dev
    ("dev", "1.2.3", "1.2.4.dev1"),
    ("dev", "1.2.4.dev1", "1.2.4.dev2"),
    ("dev", "1.3.0rc1", "1.3.0rc2.dev1"),
    ("dev", "1.3.0rc1.dev1", "1.3.0rc1.dev2"),
    ("dev", "1.2.3.post1", "1.2.4.dev1"),
    ("dev", "1.2.3.post1.dev1", "1.2.3.post1.dev2"),
    # combinations: a new series from the incremented release
    ("minor,rc", "1.2.3", "1.3.0rc1"),
    ("major,alpha", "1.2.3", "2.0.0a1"),
    ("patch,beta", "1.2.3", "1.2.4b1"),
    ("patch,dev", "1.2.3", "1.2.4.dev1"),
    ("minor,dev", "1.2.3", "1.3.0.dev1"),
    ("major,dev", "1.2.3", "2.0.0.dev1"),
    ("minor,rc", "1.3.0rc2", "1.4.0rc1"),
    ("patch,dev", "1.2.4.dev1", "1.2.5.dev1"),
    # spelling: case, spaces, epochs
    ("MINOR", "1.2.3", "1.3.0"),
    (" Minor , RC ", "1.2.3", "1.3.0rc1"),
    ("minor", "2!1.2.3", "2!1.3.0"),
    ("rc", "2!1.3.0b1", "2!1.3.0rc1"),
    ("patch,dev", "1!1.2.3", "1!1.2.4.dev1"),
    # a local label never survives a bump
    ("patch", "1.2.3+local", "1.2.4"),
]


@pytest.mark.parametrize(("spec", "current", "expected"), BUMPS)
def test_bump(spec: str, current: str, expected: str) -> None:
    version, _ = next_version(spec, Version(current))
    assert str(version) == expected
    assert version > Version(current)


def test_finalising_bump_says_so() -> None:
    _, notices = next_version("minor", Version("1.3.0rc2"))
    assert notices == ["1.3.0rc2 is a pre-release of 1.3.0, so `minor` gives 1.3.0"]
    assert next_version("minor", Version("1.3.0"))[1] == []


@pytest.mark.parametrize(
    ("spec", "current", "expected", "notices"),
    [
        ("0.1.1", "0.1.0", "0.1.1", []),
        ("v0.1.1", None, "0.1.1", []),
        ("1.0.0-rc1", "0.9", "1.0.0rc1", ["1.0.0-rc1 normalised to 1.0.0rc1 (PEP 440)"]),
        # explicit versions are not compared with the current one here: the caller checks
        ("0.0.1", "1.0", "0.0.1", []),
    ],
)
def test_explicit_spec(spec: str, current: str | None, expected: str, notices: list[str]) -> None:
    version, said = next_version(spec, Version(current) if current else None)
    assert str(version) == expected
    assert said == notices


@pytest.mark.parametrize(
    ("spec", "current", "message", "hint"),
    [
        (
            "rc",
            "1.2.3",
            "1.2.3 is a final release: say which release the pre-release leads to",
            "e.g. `minor,rc` → 1.3.0rc1",
        ),
        ("alpha", "1.2.3.post1", "1.2.3.post1 is a final release", "`minor,alpha` → 1.3.0a1"),
        ("beta", "1!1.2.3", "is a final release", "`minor,beta` → 1!1.3.0b1"),
        ("alpha", "1.3.0rc1", "1.3.0rc1 is already past its alpha releases", "use `rc`"),
        ("beta", "1.3.0rc1", "past its beta releases", "`minor,beta` → 1.4.0b1"),
        ("alpha", "1.3.0b1", "past its alpha releases", "use `beta`"),
        ("release", "1.2.3", "1.2.3 has no pre-release or .dev part", "`patch` → 1.2.4"),
        ("release", "1.2.3.post1", "no pre-release or .dev part", "`patch` → 1.2.4"),
        ("release", "1.2.3.post1.dev1", "no pre-release or .dev part", "`patch`"),
        ("post", "1.2.4.dev1", "1.2.4.dev1 is a development release", "`release` → 1.2.4"),
        ("post", "1.3.0rc1.dev1", "is a development release", "`rc` → 1.3.0rc1"),
        ("post", "1.3.0a2.dev1", "is a development release", "`alpha` → 1.3.0a2"),
        ("minr", "1.2.3", "unknown version spec 'minr'", "major, minor, patch, release"),
        ("", "1.2.3", "unknown version spec ''", "minor,rc"),
        ("minor,rc,dev", "1.2.3", "unknown version spec", "minor,rc"),
        ("rc,minor", "1.2.3", "unknown version spec", "minor,rc"),
        ("minor,post", "1.2.3", "unknown version spec", "minor,rc"),
        ("release,rc", "1.2.3", "unknown version spec", "minor,rc"),
        ("1.2,rc", "1.2", "unknown version spec", "minor,rc"),
        ("1.2.x", "1.2", "'1.2.x' is not a valid version", "PEP 440"),
        ("1.3.0+local", "1.2", "is a local version", "PyPI rejects local versions"),
        ("patch", None, "cannot apply 'patch': the project has no version yet", "0.1.0"),
        ("Minor, RC", None, "cannot apply 'minor,rc'", "explicit version"),
    ],
)
def test_spec_errors(spec: str, current: str | None, message: str, hint: str) -> None:
    with pytest.raises(UsageError) as info:
        next_version(spec, Version(current) if current else None)
    assert message in info.value.message
    assert info.value.hint is not None and hint in info.value.hint


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.0", False),
        ("1.0.post1", False),
        ("1.0rc1", True),
        ("1.0a1", True),
        ("1.0.dev1", True),
        ("1.0.post1.dev1", True),
    ],
)
def test_is_prerelease(version: str, expected: bool) -> None:
    assert is_prerelease(Version(version)) is expected


SPECS = [
    "major", "minor", "patch", "release", "alpha", "beta", "rc", "post", "dev",
    *(f"{part},{suffix}" for part in ("major", "minor", "patch")
      for suffix in ("alpha", "beta", "rc", "dev")),
]  # fmt: skip

versions = st.builds(
    lambda epoch, release, pre, post, dev: Version(
        (f"{epoch}!" if epoch else "")
        + ".".join(map(str, release))
        + (f"{pre[0]}{pre[1]}" if pre else "")
        + (f".post{post}" if post is not None else "")
        + (f".dev{dev}" if dev is not None else "")
    ),
    st.integers(0, 2),
    st.lists(st.integers(0, 5), min_size=1, max_size=4),
    st.none() | st.tuples(st.sampled_from(["a", "b", "rc"]), st.integers(0, 3)),
    st.none() | st.integers(0, 3),
    st.none() | st.integers(0, 3),
)


@given(versions, st.sampled_from(SPECS))
def test_a_bump_is_newer_or_refused(current: Version, spec: str) -> None:
    try:
        version, _ = next_version(spec, current)
    except UsageError:
        return
    assert version > current
    assert version.epoch == current.epoch
    assert version.local is None
