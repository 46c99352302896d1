"""What GitHub does around every endpoint: auth, rate-limit headers, ETags, and scripted faults.

PyGithub's retries run for real here; urllib3's sleeps are recorded instead of slept
(``retry_sleeps``), so ``Retry-After`` and secondary-limit waits are checked without waiting.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
import requests
from github import (
    BadCredentialsException,
    GithubException,
    RateLimitExceededException,
)
from github.GithubException import RateLimitExceededExceedsMaxWait

from emulator_fixtures import START, FakeClock, make_github, push_tag
from gitfixtures import OWNER, REPO, Project
from release_orchestrator.sandbox import (
    PRIMARY_RATE_LIMIT_MESSAGE,
    SECONDARY_RATE_LIMIT_MESSAGES,
    Fault,
    GitHubEmulator,
    Lifecycle,
)

FULL_NAME = f"{OWNER}/{REPO}"
REPO_PATH = f"/repos/{OWNER}/{REPO}$"


@pytest.fixture
def retry_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every sleep urllib3's Retry asks for (Retry-After, backoff), recorded instead of slept."""
    slept: list[float] = []
    fake_time = SimpleNamespace(sleep=slept.append, time=time.time)
    monkeypatch.setattr("urllib3.util.retry.time", fake_time)
    return slept


def _get(emu: GitHubEmulator, path: str, **headers: str) -> requests.Response:
    auth = {"Authorization": f"token {emu.token}"}
    return requests.get(emu.url + path, headers=auth | headers, timeout=5)


def _statuses(emu: GitHubEmulator) -> list[int]:
    return [r.status for r in emu.requests]


def test_every_answer_carries_rate_limit_and_version_headers(
    github_emulator: GitHubEmulator,
) -> None:
    first = _get(github_emulator, f"/repos/{FULL_NAME}")
    second = _get(github_emulator, f"/repos/{FULL_NAME}")
    free = _get(github_emulator, "/rate_limit")
    missing = _get(github_emulator, f"/repos/{FULL_NAME}/releases/latest")

    assert first.headers["Content-Type"] == "application/json; charset=utf-8"
    assert re.fullmatch(r'W/"[0-9a-f]{64}"', first.headers["ETag"])
    assert first.headers["x-github-api-version-selected"] == "2022-11-28"
    assert first.headers["X-RateLimit-Resource"] == "core"
    assert int(first.headers["X-RateLimit-Reset"]) == int(START) + 3600
    remaining = [int(r.headers["X-RateLimit-Remaining"]) for r in (first, second, free, missing)]
    assert remaining == [4999, 4998, 4998, 4997]  # /rate_limit is free, a 404 is not
    assert free.json()["resources"]["core"]["remaining"] == 4998
    assert missing.status_code == 404 and missing.json()["message"] == "Not Found"
    assert "X-RateLimit-Limit" in missing.headers and "ETag" not in missing.headers


def test_a_bad_or_missing_token_is_401_and_bearer_works(github_emulator: GitHubEmulator) -> None:
    with pytest.raises(BadCredentialsException) as caught:
        make_github(github_emulator, token="ghp_wrong").get_repo(FULL_NAME)
    assert caught.value.status == 401
    assert caught.value.data["message"] == "Bad credentials"

    url = f"{github_emulator.url}/repos/{FULL_NAME}"
    assert requests.get(url, timeout=5).status_code == 401
    bearer = requests.get(
        url, headers={"Authorization": f"Bearer {github_emulator.token}"}, timeout=5
    )
    assert bearer.status_code == 200
    assert [r.counted for r in github_emulator.requests] == [False, False, True]


def test_other_repositories_unknown_paths_and_bad_json_get_githubs_errors(
    github_emulator: GitHubEmulator,
) -> None:
    auth = {"Authorization": f"token {github_emulator.token}"}
    other = _get(github_emulator, "/repos/someone/else")
    unknown = _get(github_emulator, f"/repos/{FULL_NAME}/no/such/thing")
    shouted = _get(github_emulator, f"/repos/{FULL_NAME.upper()}")
    garbled = requests.post(
        f"{github_emulator.url}/repos/{FULL_NAME}/releases", data="{", headers=auth, timeout=5
    )

    assert (other.status_code, unknown.status_code, shouted.status_code) == (404, 404, 200)
    assert other.json()["message"] == "Not Found"
    assert garbled.status_code == 400 and garbled.json()["message"] == "Problems parsing JSON"


def test_the_sandbox_needs_only_the_standard_library() -> None:
    code = (
        "import sys, release_orchestrator.sandbox\n"
        "print(sorted({'github', 'requests', 'git', 'urllib3'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_update_is_a_free_304_while_nothing_changes(
    github_emulator: GitHubEmulator, project: Project
) -> None:
    github_emulator.add_workflow(
        "publish.yml", on_tags=["v*"], lifecycle=Lifecycle(queued=0, in_progress=0)
    )
    push_tag(project, "v0.2.0")
    client = make_github(github_emulator)
    run = client.get_repo(FULL_NAME).get_workflow_run(github_emulator.run_ids()[0])
    assert run.status == "completed"
    before = github_emulator.rate_limit_remaining
    counted = len(github_emulator.counted_requests)

    assert run.update() is False
    assert run.update() is False

    assert github_emulator.rate_limit_remaining == before
    assert len(github_emulator.counted_requests) == counted
    assert client.rate_limiting[0] == before
    assert _statuses(github_emulator)[-2:] == [304, 304]


def test_a_5xx_is_retried_by_githubretry(github_emulator: GitHubEmulator) -> None:
    github_emulator.inject(Fault.server_error(500), method="GET", path=REPO_PATH, times=2)

    assert make_github(github_emulator).get_repo(FULL_NAME).full_name == FULL_NAME

    assert _statuses(github_emulator) == [500, 500, 200]


def test_a_5xx_every_time_ends_in_retryerror_or_githubexception(
    github_emulator: GitHubEmulator,
) -> None:
    github_emulator.inject(Fault.server_error(502), path=REPO_PATH, times=5)
    with pytest.raises(requests.exceptions.RetryError):
        make_github(github_emulator).get_repo(FULL_NAME)  # total=3: four attempts
    assert _statuses(github_emulator) == [502] * 4

    with pytest.raises(GithubException) as caught:
        make_github(github_emulator, retry=None).get_repo(FULL_NAME)
    assert caught.value.status == 502


def test_primary_rate_limit_reports_remaining_zero_and_a_reset_from_the_clock(
    github_emulator: GitHubEmulator, fake_clock: FakeClock
) -> None:
    github_emulator.inject(Fault.primary_rate_limit(reset_in=90), times=2)
    fake_clock.advance(5)

    raw = _get(github_emulator, f"/repos/{FULL_NAME}")
    with pytest.raises(RateLimitExceededException):
        make_github(github_emulator, retry=None).get_repo(FULL_NAME)
    # The fake clock is in the past, so GithubRetry finds the reset over and retries at once.
    github_emulator.inject(Fault.primary_rate_limit(reset_in=90))
    assert make_github(github_emulator).get_repo(FULL_NAME).full_name == FULL_NAME

    assert raw.status_code == 403 and raw.json()["message"] == PRIMARY_RATE_LIMIT_MESSAGE
    assert raw.headers["X-RateLimit-Remaining"] == "0"
    assert raw.headers["X-RateLimit-Reset"] == str(int(START) + 95)


def test_a_primary_limit_resetting_too_late_raises_at_once(
    emulator_factory: Callable[..., GitHubEmulator],
) -> None:
    emu = emulator_factory(clock=time.time)
    emu.inject(Fault.primary_rate_limit(reset_in=600))

    started = time.monotonic()
    with pytest.raises(RateLimitExceededExceedsMaxWait):
        make_github(emu).get_repo(FULL_NAME)  # max_rate_limit_wait=5
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("wording", range(len(SECONDARY_RATE_LIMIT_MESSAGES)))
def test_each_secondary_wording_is_a_rate_limit_for_pygithub(
    github_emulator: GitHubEmulator, wording: int
) -> None:
    github_emulator.inject(Fault.secondary_rate_limit(wording=wording))

    with pytest.raises(RateLimitExceededException) as caught:
        make_github(github_emulator, retry=None).get_repo(FULL_NAME)

    assert caught.value.status == 403
    assert caught.value.data["message"] == SECONDARY_RATE_LIMIT_MESSAGES[wording]


def test_secondary_limits_wait_retry_after_or_the_configured_time(
    github_emulator: GitHubEmulator, retry_sleeps: list[float]
) -> None:
    github_emulator.inject(Fault.secondary_rate_limit(retry_after=30), path=REPO_PATH)
    github_emulator.inject(Fault.secondary_rate_limit(), path=REPO_PATH)

    assert make_github(github_emulator).get_repo(FULL_NAME).full_name == FULL_NAME

    assert retry_sleeps == [30, 0.1]  # Retry-After, then GithubRetry(secondary_rate_wait=0.1)
    assert _statuses(github_emulator) == [403, 403, 200]


def test_429_is_retried_only_with_retry_after(
    github_emulator: GitHubEmulator, retry_sleeps: list[float]
) -> None:
    github_emulator.inject(Fault.too_many_requests(retry_after=7), path=REPO_PATH)
    assert make_github(github_emulator).get_repo(FULL_NAME).full_name == FULL_NAME
    assert retry_sleeps == [7]

    github_emulator.inject(Fault.too_many_requests(), path=REPO_PATH)
    with pytest.raises(GithubException) as caught:
        make_github(github_emulator).get_repo(FULL_NAME)
    assert caught.value.status == 429 and not isinstance(caught.value, RateLimitExceededException)


def test_a_plain_403_on_rerun_raises_through_githubretry_and_is_false_without(
    github_emulator: GitHubEmulator, project: Project
) -> None:
    github_emulator.add_workflow(
        "publish.yml", on_tags=["v*"], lifecycle=Lifecycle(queued=0, in_progress=0)
    )
    push_tag(project, "v0.2.0")
    run_id = github_emulator.run_ids()[0]
    github_emulator.inject(Fault.forbidden(), method="POST", path="/rerun$", times=2)

    with pytest.raises(GithubException) as caught:
        make_github(github_emulator).get_repo(FULL_NAME).get_workflow_run(run_id).rerun()
    assert caught.value.data["message"] == "Must have admin rights to Repository."
    assert (
        make_github(github_emulator, retry=None)
        .get_repo(FULL_NAME)
        .get_workflow_run(run_id)
        .rerun()
        is False
    )


def test_a_dropped_connection_is_retried_or_surfaces(github_emulator: GitHubEmulator) -> None:
    github_emulator.inject(Fault.dropped(), path=REPO_PATH)
    assert make_github(github_emulator).get_repo(FULL_NAME).full_name == FULL_NAME

    github_emulator.inject(Fault.dropped(), path=REPO_PATH)
    with pytest.raises(requests.exceptions.ConnectionError):
        make_github(github_emulator, retry=None).get_repo(FULL_NAME)
    assert _statuses(github_emulator) == [0, 200, 0]


def test_a_slow_answer_waits_through_the_injected_sleep(
    emulator_factory: Callable[..., GitHubEmulator],
) -> None:
    waited: list[float] = []
    emu = emulator_factory(sleep=waited.append)
    emu.inject(Fault.slow(12.5), path=REPO_PATH)

    assert make_github(emu).get_repo(FULL_NAME).full_name == FULL_NAME
    assert waited == [12.5]


def test_a_slow_answer_can_outlast_a_client_timeout(github_emulator: GitHubEmulator) -> None:
    github_emulator.inject(Fault.slow(0.3), path=REPO_PATH)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(
            f"{github_emulator.url}/repos/{FULL_NAME}",
            headers={"Authorization": f"token {github_emulator.token}"},
            timeout=0.05,
        )


def test_the_primary_limit_runs_out_and_resets_with_the_clock(
    emulator_factory: Callable[..., GitHubEmulator], fake_clock: FakeClock
) -> None:
    emu = emulator_factory(rate_limit=2)
    client = make_github(emu, retry=None)
    client.get_repo(FULL_NAME)
    client.get_repo(FULL_NAME)

    with pytest.raises(RateLimitExceededException):
        client.get_repo(FULL_NAME)
    fake_clock.advance(3600)
    assert client.get_repo(FULL_NAME).full_name == FULL_NAME
    assert [r.counted for r in emu.requests] == [True, True, False, True]


def test_concurrent_requests_are_each_counted_once(github_emulator: GitHubEmulator) -> None:
    def fetch(_: int) -> int:
        return _get(github_emulator, f"/repos/{FULL_NAME}").status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(fetch, range(40)))

    assert statuses == [200] * 40
    assert github_emulator.rate_limit_remaining == 5000 - 40
    assert len(github_emulator.counted_requests) == 40
