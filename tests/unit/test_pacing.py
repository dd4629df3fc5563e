"""`AIRSYNC_PACE`: the product's real waits when unset, the same tries with shorter waits when set.

The hostile CLI tests run with `AIRSYNC_PACE=0.05` (tests/hostile/stub.py) so they
do not sleep real back-offs; these tests pin what users get without it.
"""

from __future__ import annotations

import asyncio
from dataclasses import astuple

import httpx
import pytest

from airsync_tui.errors import ApiError, ConfigError
from airsync_tui.providers.http import JsonHttp, RetryPolicy
from airsync_tui.providers.pacing import PACE_ENV, pace, paced
from airsync_tui.service.watch_config import PACED_FIELDS, WatcherConfig, paced_config
from tests.fakes import FakeProvider


def test_defaults_without_the_knob() -> None:
    """The product's own pacing: 4 tries from 0.5 s doubling to 30 s; polls every 1/5/3/60/2.5 s."""
    assert pace({}) == 1.0
    assert paced(2.5, {}) == 2.5
    assert astuple(RetryPolicy()) == (4, 0.5, 30.0, 0.25)
    config = WatcherConfig()
    assert paced_config(config) is config
    assert {name: getattr(config, name) for name in PACED_FIELDS} == {
        "active_interval": 1.0,
        "idle_interval": 5.0,
        "progress_interval": 3.0,
        "connections_interval": 60.0,
        "detail_interval": 2.5,
        "max_backoff": 60.0,
        "log_interval": 2.5,
    }


def test_token_retry_defaults_without_the_knob() -> None:
    """A failed token request is tried 3 times, 0.25 s then 0.75 s apart (users' waits)."""
    import inspect

    from airsync_tui.providers.airbyte import auth

    assert auth.TOKEN_FETCH_TRIES == 3
    assert inspect.signature(auth.ClientCredentialsAuth).parameters["retry_delay"].default == 0.25


def test_lost_trigger_reconcile_gap_without_the_knob() -> None:
    """After a trigger whose answer was lost, the two looks for its job are 1 s apart (users' wait)."""
    from airsync_tui.providers.airbyte import provider

    assert provider.RECONCILE_GAP_SECONDS == 1.0
    assert paced(provider.RECONCILE_GAP_SECONDS, {}) == 1.0
    assert paced(provider.RECONCILE_GAP_SECONDS, {PACE_ENV: "0.05"}) == pytest.approx(0.05)


def test_pace_scales_every_poll_interval_and_nothing_else(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PACE_ENV, "0.1")
    config = WatcherConfig(log_trailing_seconds=7.0, recent_jobs=20)
    scaled = paced_config(config)
    for name in PACED_FIELDS:
        assert getattr(scaled, name) == pytest.approx(getattr(config, name) * 0.1), name
    assert (scaled.log_trailing_seconds, scaled.recent_jobs, scaled.watch_workspace) == (7.0, 20, True)


def test_the_watcher_uses_the_paced_config(monkeypatch: pytest.MonkeyPatch) -> None:
    from airsync_tui.service.watcher import Watcher

    assert Watcher([FakeProvider()]).config.detail_interval == 2.5
    monkeypatch.setenv(PACE_ENV, "0.05")
    assert Watcher([FakeProvider()]).config.detail_interval == pytest.approx(0.125)


@pytest.mark.parametrize("raw", ["0", "-1", "1.5", "nan", "inf", "fast"])
def test_only_a_shortening_factor_is_accepted(raw: str) -> None:
    with pytest.raises(ConfigError, match=PACE_ENV):
        pace({PACE_ENV: raw})


def _flaky_http(answers: list[int]) -> tuple[JsonHttp, list[int]]:
    seen: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        status = answers.pop(0)
        seen.append(status)
        return httpx.Response(status, json={"ok": status == 200}, headers={"retry-after": "3"} if status == 503 else {})

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    mapper = lambda response, body: ApiError(f"HTTP {response.status_code}", status_code=response.status_code)  # noqa: E731
    return JsonHttp(client, label="Test", error_mapper=mapper), seen


@pytest.mark.parametrize(("value", "expected"), [(None, 3.0), ("0.05", 0.15)])
async def test_retry_waits_the_server_asked_time_times_the_pace(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: float
) -> None:
    """A 503 with Retry-After: 3 is retried once after 3 s (users) or 0.15 s (AIRSYNC_PACE=0.05); same tries."""
    if value is not None:
        monkeypatch.setenv(PACE_ENV, value)
    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def recorded_sleep(delay: float, result: object = None) -> object:
        slept.append(delay)
        return await real_sleep(0, result)

    http, seen = _flaky_http([503, 200])
    monkeypatch.setattr(asyncio, "sleep", recorded_sleep)
    assert await http.request("GET", "http://t/x") == {"ok": True}
    assert seen == [503, 200]
    assert slept == [pytest.approx(expected)]
