"""HightouchClient/Provider behaviour with `httpx.MockTransport`: errors, limits, safety."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx
import orjson
import pytest
from pydantic import SecretStr

from airsync_tui.config import HightouchSettings
from airsync_tui.errors import (
    ApiError,
    AuthError,
    ConfigError,
    NotFoundError,
    RateLimitedError,
    ReadOnlyError,
    TransportError,
    UnsupportedError,
)
from airsync_tui.providers.base import SyncProvider
from airsync_tui.providers.hightouch import AUTH_MESSAGE, CANCEL_UNAVAILABLE, HightouchClient, HightouchProvider
from airsync_tui.providers.http import RetryPolicy, SlidingWindowLimiter

KEY = "ht-secret-key-abc123"
URL = "https://api.hightouch.com/api/v1"
FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05, jitter=0.0)

Handler = Callable[[httpx.Request], httpx.Response]


def json(status: int, body: object) -> httpx.Response:
    return httpx.Response(status, content=orjson.dumps(body), headers={"content-type": "application/json"})


def provider(handler: Handler, *, read_only: bool = False, **kwargs: object) -> tuple[HightouchProvider, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    client = HightouchClient(URL, KEY, transport=httpx.MockTransport(record), policy=FAST, **kwargs)  # type: ignore[arg-type]
    return HightouchProvider(client, read_only=read_only), seen


RUN = {
    "id": 41000123,
    "createdAt": "2026-01-05T10:00:00.000Z",
    "startedAt": None,
    "finishedAt": None,
    "status": "queued",
    "completionRatio": 0,
    "querySize": 0,
    "plannedRows": {"addedCount": 0, "changedCount": 0, "removedCount": 0},
    "successfulRows": {"addedCount": 0, "changedCount": 0, "removedCount": 0},
    "failedRows": {"addedCount": 0, "changedCount": 0, "removedCount": 0},
    "error": None,
}


def test_capabilities_and_protocol() -> None:
    p, _ = provider(lambda r: json(200, {}))
    assert isinstance(p, SyncProvider)
    caps = p.capabilities
    assert [o.id for o in caps.job_types] == ["sync", "full_resync"]
    assert caps.job_type("full_resync").destructive  # type: ignore[union-attr]
    assert not caps.can_cancel and caps.cancel_unavailable_reason == CANCEL_UNAVAILABLE
    assert not caps.has_attempt_logs and caps.job_noun == "run" and caps.connection_noun == "sync"
    assert p.job_url is not None and p.connection_url("1") is None


def test_from_settings_needs_a_key() -> None:
    with pytest.raises(ConfigError, match="HIGHTOUCH_API_KEY"):
        HightouchProvider.from_settings(HightouchSettings(api_key=None))
    p = HightouchProvider.from_settings(HightouchSettings(api_key=SecretStr(KEY)), read_only=True)
    assert p.read_only and p.client.base_url == URL


# ------------------------------------------------------------------ errors
async def test_401_is_a_one_line_auth_error_without_the_key() -> None:
    p, _ = provider(lambda r: json(401, {"message": "Authentication error"}))
    with pytest.raises(AuthError) as info:
        await p.check()
    assert str(info.value) == AUTH_MESSAGE
    assert KEY not in str(info.value) and "\n" not in str(info.value)


async def test_404_names_the_sync() -> None:
    p, _ = provider(lambda r: json(404, {"message": "Not Found"}))
    with pytest.raises(NotFoundError, match="Hightouch sync 58201 not found"):
        await p.get_connection("58201")
    with pytest.raises(NotFoundError):  # not a number: no request at all
        await p.get_connection("abc")


async def test_422_details_are_summarised() -> None:
    body = {"message": "Validation failed", "details": {"limit": {"message": "must be >= 0", "value": "-1"}}}
    p, _ = provider(lambda r: json(422, body))
    with pytest.raises(ApiError) as info:
        await p.list_jobs("58201")
    assert "Validation failed (limit: must be >= 0)" in str(info.value) and "-1" not in str(info.value)


async def test_500_string_body_is_retried_then_one_line() -> None:
    p, seen = provider(lambda r: json(500, "Internal Server Error"))
    with pytest.raises(ApiError) as info:
        await p.list_jobs("58201")
    assert len(seen) == FAST.attempts
    assert "HTTP 500 Internal Server Error" in str(info.value) and info.value.retryable


async def test_429_backs_off_and_recovers() -> None:
    answers = [json(429, {"error": "Rate limit exceeded"})] * 2 + [json(200, {"data": [RUN], "hasMore": False})]
    p, seen = provider(lambda r: answers.pop(0))
    jobs = await p.list_jobs("58201")
    assert [j.id for j in jobs] == ["41000123"] and len(seen) == 3 and p.stats.retries == 2


async def test_429_that_persists_is_rate_limited_error() -> None:
    p, _ = provider(lambda r: json(429, {"error": "Rate limit exceeded"}))
    with pytest.raises(RateLimitedError) as info:
        await p.list_jobs("58201")
    assert info.value.retryable and "Rate limit exceeded" in str(info.value)


async def test_limiter_keeps_at_most_n_per_window() -> None:
    limiter = SlidingWindowLimiter(5, 0.5)
    stamps: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        stamps.append(time.monotonic())

    await asyncio.gather(*(one() for _ in range(12)))
    stamps.sort()
    for i, start in enumerate(stamps):
        assert sum(1 for s in stamps[i:] if s - start < 0.5 - 1e-3) <= 5


async def test_client_uses_its_limiter() -> None:
    p, seen = provider(lambda r: json(200, {"data": [], "hasMore": False}), limit=3, window=0.4)
    started = time.monotonic()
    for _ in range(7):
        await p.client.list_syncs_page()
    assert len(seen) == 7 and time.monotonic() - started >= 0.75  # 3 + 3 + 1 over two waits


# ------------------------------------------------------------------ actions
async def test_read_only_refuses_trigger_before_any_request() -> None:
    p, seen = provider(lambda r: json(200, {"id": "1"}), read_only=True)
    with pytest.raises(ReadOnlyError):
        await p.trigger("58201")
    assert seen == []


async def test_cancel_is_unsupported_without_a_request() -> None:
    p, seen = provider(lambda r: json(200, {}))
    with pytest.raises(UnsupportedError, match="no public API to cancel"):
        await p.cancel("41000123")
    assert seen == []


async def test_trigger_posts_once_and_reads_the_run_by_number() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            assert orjson.loads(request.content) == {"fullResync": True}
            return json(200, {"id": "41000123"})
        if request.url.params.get("runId"):
            assert request.url.params["runId"] == "41000123"
            return json(200, {"data": [RUN], "hasMore": False})
        return json(200, {"data": [], "hasMore": False})

    p, seen = provider(handler)
    result = await p.trigger("58201", "full_resync")
    assert [r.method for r in seen].count("POST") == 1
    assert result.job.id == "41000123" and result.job.job_type == "full_resync" and not result.attached
    assert (await p.get_job("41000123")).connection_id == "58201"  # remembered run -> sync


async def test_trigger_answer_lost_with_no_new_run_is_not_reposted() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            raise httpx.ReadTimeout("lost", request=request)
        return json(200, {"data": [], "hasMore": False})

    p, seen = provider(handler)
    with pytest.raises(TransportError, match="safe to trigger again"):
        await p.trigger("58201")
    assert [r.method for r in seen].count("POST") == 1
    assert any(r.url.params.get("within") == "5" for r in seen)


async def test_trigger_5xx_attaches_to_the_run_that_appeared() -> None:
    state = {"posted": False}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            state["posted"] = True
            return json(502, "Bad Gateway")
        data = [RUN] if state["posted"] else []
        return json(200, {"data": data, "hasMore": False})

    p, seen = provider(handler)
    result = await p.trigger("58201")
    assert result.attached and result.job.id == "41000123"
    assert [r.method for r in seen].count("POST") == 1


async def test_unknown_job_id_is_a_one_line_not_found() -> None:
    p, seen = provider(lambda r: json(200, {"data": [], "hasMore": False}))
    with pytest.raises(NotFoundError, match="not known to this session"):
        await p.get_job_detail("41000999")
    assert seen == []
    p.remember_run("41000999", "58201")
    with pytest.raises(NotFoundError, match="run 41000999 of sync 58201 not found"):
        await p.get_job("41000999")


async def test_attempt_log_is_a_summary_with_notice() -> None:
    p, _ = provider(lambda r: json(200, {"data": [dict(RUN, status="failed", error="boom")], "hasMore": False}))
    p.remember_run(41000123, 58201)
    log = await p.fetch_attempt_log("41000123", 0)
    assert log.notice and "no log text" in log.notice
    assert "error:" in log.text_lines and "  boom" in log.text_lines


async def test_poll_activity_cost_is_bounded() -> None:
    syncs = [{"id": 1000 + i, "slug": f"m{i}-to-d", "status": "processing", "lastRunAt": "2026-01-05T10:00:00Z"} for i in range(100)]

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/syncs"):
            return json(200, {"data": syncs, "hasMore": True})
        sync_id = int(request.url.path.split("/")[-2])
        run = dict(RUN, id=sync_id * 10, status="processing", startedAt="2026-01-05T10:00:00Z")
        return json(200, {"data": [run], "hasMore": False})

    p, seen = provider(handler)
    cursor = None
    for include_progress, budget in ((True, p.poll_budget), (False, p.quick_budget), (True, p.poll_budget)):
        before = len(seen)
        poll = await p.poll_activity(cursor, include_progress=include_progress)
        cursor = poll.cursor
        assert len(seen) - before == 1 + budget
        assert not poll.complete and poll.jobs
    assert cursor.data["offset"] == 300  # resumable scan: one page per call
