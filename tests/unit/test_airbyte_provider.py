"""AirbyteProvider / AirbyteClient / auth over `httpx.MockTransport`.

A tiny scripted fake stands in for Airbyte so each rule is pinned exactly:
token reuse and refresh, one re-fetch on 401, Retry-After, GET retried but
POST /jobs never, attach on 409 and on an ambiguous failure, paging that
ignores `next`, the activity watermark from the server's Date header, and the
config-API fallback.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from airsync_tui.config import AirbyteSettings
from airsync_tui.errors import (
    ApiError,
    AuthError,
    ConflictError,
    JobFailedError,
    NotFoundError,
    ReadOnlyError,
    SyncTimeoutError,
    TransportError,
    UnsupportedError,
)
from airsync_tui.models.domain import Job
from airsync_tui.providers.airbyte import AirbyteProvider
from airsync_tui.providers.airbyte.auth import ClientCredentialsAuth, refresh_margin
from airsync_tui.providers.airbyte.statuses import airbyte_job_status
from airsync_tui.providers.airbyte.sync_result import SyncAttempt, SyncResult, run_sync
from airsync_tui.providers.http import RetryPolicy

API = "http://ab.test/api/public/v1"
CFG = "http://ab.test/api/v1"
SECRET = "super-secret-client-value"
WS = "ws-1"
SERVER_NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)

Handler = Callable[[httpx.Request], httpx.Response | None]


def job_json(job_id: int, status: str = "running", conn: str = "c1", start: str = "2026-11-25T11:59:00Z", **extra: Any) -> dict[str, Any]:
    return {"jobId": job_id, "status": status, "jobType": "sync", "connectionId": conn, "startTime": start, **extra}


class FakeAirbyte:
    """Routes by (method, path); records every request; a Date header on each answer."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Handler] | Handler] = {}
        self.calls: list[httpx.Request] = []
        self.tokens_issued = 0
        self.expires_in = 900
        self.valid_tokens: set[str] = set()
        self.count: dict[tuple[str, str], int] = defaultdict(int)
        self.date = SERVER_NOW

    def route(self, method: str, path: str, *handlers: Handler) -> None:
        self.routes[(method, path)] = list(handlers) if len(handlers) > 1 else handlers[0]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        key = (request.method, request.url.path)
        self.count[key] += 1
        headers = {"date": format_datetime(self.date, usegmt=True)}
        if request.url.path.endswith("/applications/token"):
            self.tokens_issued += 1
            token = f"tok-{self.tokens_issued}"
            self.valid_tokens.add(token)
            return httpx.Response(200, json={"access_token": token, "token_type": "Bearer", "expires_in": self.expires_in}, headers=headers)
        auth = request.headers.get("authorization", "")
        if not request.url.path.endswith("/health") and auth.removeprefix("Bearer ") not in self.valid_tokens:
            return httpx.Response(401, json={"message": "Unauthorized"}, headers=headers)
        handler = self.routes.get(key)
        if handler is None:
            return httpx.Response(
                404,
                json={"status": 404, "title": "resource-not-found", "type": "x", "data": {"resourceType": "path", "resourceId": key[1]}},
                headers=headers,
            )
        if isinstance(handler, list):
            handler = handler.pop(0) if len(handler) > 1 else handler[0]
        response = handler(request)
        if response is None:
            raise httpx.ReadTimeout("timed out", request=request)
        response.headers.setdefault("date", headers["date"])
        return response

    def calls_to(self, method: str, path: str) -> list[httpx.Request]:
        return [c for c in self.calls if c.method == method and c.url.path == path]


def ok(body: Any) -> Handler:
    return lambda request: httpx.Response(200, json=body)


def status(code: int, body: Any = None, headers: dict[str, str] | None = None) -> Handler:
    return lambda request: httpx.Response(code, json=body, headers=headers)


@pytest.fixture
def fake() -> FakeAirbyte:
    return FakeAirbyte()


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []

    async def sleep(delay: float) -> None:
        slept.append(delay)

    import airsync_tui.providers.airbyte.auth as auth_mod
    import airsync_tui.providers.airbyte.provider as provider_mod
    import airsync_tui.providers.airbyte.sync_result as sr_mod
    import airsync_tui.providers.http as http_mod

    for module in (http_mod, auth_mod, provider_mod, sr_mod):
        monkeypatch.setattr(module.asyncio, "sleep", sleep)
    return slept


def make(fake: FakeAirbyte, *, read_only: bool = False, **settings: Any) -> AirbyteProvider:
    base = {"api_url": API, "client_id": "cid", "client_secret": SECRET, "workspace_id": WS, "profile_name": "prod"}
    base.update(settings)
    return AirbyteProvider.from_settings(
        AirbyteSettings(**base), read_only=read_only, transport=httpx.MockTransport(fake), policy=RetryPolicy(attempts=3, base_delay=0.01)
    )


# --------------------------------------------------------------------------- auth


def test_refresh_margin_never_assumes_a_constant_lifetime() -> None:
    assert refresh_margin(900) == 90
    assert refresh_margin(180) == 60
    assert refresh_margin(20) == 10  # short test tokens are still reused


async def test_token_is_cached_refreshed_ahead_of_expiry_and_sent_as_json(fake: FakeAirbyte) -> None:
    fake.route("GET", "/api/public/v1/jobs/1", ok(job_json(1)))
    now = [0.0]
    provider = make(fake)
    auth = provider.client.http.client.auth
    assert isinstance(auth, ClientCredentialsAuth)
    auth._clock = lambda: now[0]
    await provider.get_job("1")
    await provider.get_job("1")
    assert fake.tokens_issued == 1
    token_call = fake.calls_to("POST", "/api/public/v1/applications/token")[0]
    assert json.loads(token_call.content) == {"client_id": "cid", "client_secret": SECRET, "grant-type": "client_credentials"}
    now[0] = 900 - 91  # before the 90 s margin: still cached
    await provider.get_job("1")
    assert fake.tokens_issued == 1
    now[0] = 900 - 89  # inside the margin: refreshed before it expires
    await provider.get_job("1")
    assert fake.tokens_issued == 2
    assert SECRET not in repr(auth)
    await provider.aclose()


async def test_401_refetches_token_once_and_retries_once(fake: FakeAirbyte) -> None:
    fake.route("GET", "/api/public/v1/jobs/1", ok(job_json(1)))
    provider = make(fake)
    await provider.get_job("1")
    fake.valid_tokens.clear()  # server restarted: the cached token died early
    job = await provider.get_job("1")
    assert job.id == "1" and fake.tokens_issued == 2
    # Credentials now rejected everywhere: exactly one re-fetch, then a one-line AuthError.
    fake.route("POST", "/api/public/v1/applications/token", status(401))
    original = fake.__call__

    def reject_tokens(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/applications/token"):
            fake.calls.append(request)
            return httpx.Response(401, json={"message": "Invalid client"})
        return original(request)

    provider.client.http.client._transport = httpx.MockTransport(reject_tokens)
    fake.valid_tokens.clear()
    before = len(fake.calls)
    with pytest.raises(AuthError) as info:
        await provider.get_job("1")
    message = str(info.value)
    assert "check client id/secret" in message and "'prod'" in message and SECRET not in message and "\n" not in message
    assert len(fake.calls) - before == 2  # the request, then one token re-fetch
    await provider.aclose()


async def test_bearer_token_never_in_errors(fake: FakeAirbyte) -> None:
    provider = make(fake, client_id=None, client_secret=None, bearer_token="static-bearer-token-value")
    with pytest.raises(AuthError) as info:
        await provider.get_job("1")
    assert "static-bearer-token-value" not in str(info.value)
    assert fake.calls[0].headers["authorization"] == "Bearer static-bearer-token-value"
    await provider.aclose()


# --------------------------------------------------------------------------- retries


async def test_429_retry_after_is_honoured_for_reads(fake: FakeAirbyte, no_sleep: list[float]) -> None:
    fake.route(
        "GET", "/api/public/v1/jobs/5", status(429, {"message": "You are being rate limited."}, {"retry-after": "7"}), ok(job_json(5))
    )
    provider = make(fake)
    job = await provider.get_job("5")
    assert job.id == "5" and 7.0 in no_sleep
    await provider.aclose()


async def test_5xx_retried_for_get_but_post_jobs_sent_once(fake: FakeAirbyte, no_sleep: list[float]) -> None:
    fake.route("GET", "/api/public/v1/jobs/5", status(503), status(500), ok(job_json(5)))
    provider = make(fake)
    assert (await provider.get_job("5")).id == "5"
    assert len(fake.calls_to("GET", "/api/public/v1/jobs/5")) == 3

    fake.route("POST", "/api/public/v1/jobs", status(500, {"title": "unexpected-problem", "type": "x", "status": 500}))
    fake.route("GET", "/api/public/v1/jobs", ok({"data": []}))
    with pytest.raises(ApiError) as info:
        await provider.trigger("c1")
    assert info.value.status_code == 500
    assert len(fake.calls_to("POST", "/api/public/v1/jobs")) == 1  # never re-posted
    await provider.aclose()


# --------------------------------------------------------------------------- trigger


async def test_409_already_running_attaches(fake: FakeAirbyte) -> None:
    body = {
        "status": 409,
        "type": "x#try-again-later",
        "title": "try-again-later",
        "detail": "Please try again later.",
        "data": {"message": "A sync is already running for: c1"},
    }
    fake.route("POST", "/api/public/v1/jobs", status(409, body))
    fake.route("GET", "/api/public/v1/jobs", ok({"data": [job_json(41, "succeeded", start="2026-11-25T10:00Z"), job_json(42, "queued")]}))
    provider = make(fake)
    result = await provider.trigger("c1")
    assert result.attached and result.job.id == "42" and "already running" in result.message
    listing = fake.calls_to("GET", "/api/public/v1/jobs")[0]
    assert listing.url.params["connectionId"] == "c1" and listing.url.params["orderBy"] == "createdAt|DESC"
    assert len(fake.calls_to("POST", "/api/public/v1/jobs")) == 1
    await provider.aclose()


async def test_ambiguous_timeout_attaches_and_never_posts_twice(fake: FakeAirbyte, no_sleep: list[float]) -> None:
    fake.route("POST", "/api/public/v1/jobs", lambda request: None)  # the answer is lost
    fake.route("GET", "/api/public/v1/jobs", ok({"data": [job_json(77, "pending", start="2026-11-25T11:59:58Z")]}))
    provider = make(fake)
    result = await provider.trigger("c1")
    assert result.attached and result.job.id == "77" and "lost" in result.message
    assert len(fake.calls_to("POST", "/api/public/v1/jobs")) == 1
    await provider.aclose()


async def test_ambiguous_failure_without_new_job_reraises_original(fake: FakeAirbyte, no_sleep: list[float]) -> None:
    fake.route("POST", "/api/public/v1/jobs", lambda request: httpx.Response(200, content=b"<html>oops</html>"))
    # An old running job (an hour ago by server time) is not ours.
    fake.route("GET", "/api/public/v1/jobs", ok({"data": [job_json(5, "running", start="2026-11-25T11:00Z")]}))
    provider = make(fake)
    with pytest.raises(TransportError) as info:
        await provider.trigger("c1")
    assert "non-JSON" in str(info.value)
    assert len(fake.calls_to("POST", "/api/public/v1/jobs")) == 1
    await provider.aclose()


async def test_trigger_success_refresh_and_read_only(fake: FakeAirbyte) -> None:
    fake.route("POST", "/api/public/v1/jobs", ok(job_json(100, "pending")))
    provider = make(fake)
    result = await provider.trigger("c1", "reset")
    assert not result.attached and result.job.id == "100"
    assert json.loads(fake.calls_to("POST", "/api/public/v1/jobs")[0].content) == {"connectionId": "c1", "jobType": "reset"}
    before = len(fake.calls)
    with pytest.raises(UnsupportedError) as info:
        await provider.trigger("c1", "refresh")
    assert (
        str(info.value)
        == "Refreshes are not supported in the public API — use `airsync refresh` or x → Refresh streams in the dashboard (config API), or reset or clear"
    )
    assert len(fake.calls) == before
    refresh = provider.capabilities.job_type("refresh")
    assert refresh and not refresh.available and provider.capabilities.job_type("reset").destructive
    await provider.aclose()

    ro = make(fake, read_only=True)
    with pytest.raises(ReadOnlyError):
        await ro.trigger("c1")
    with pytest.raises(ReadOnlyError):
        await ro.cancel("100")
    assert len(fake.calls) == before
    await ro.aclose()


async def test_cancel_not_running_is_a_clear_conflict(fake: FakeAirbyte) -> None:
    fake.route(
        "DELETE",
        "/api/public/v1/jobs/9",
        status(409, {"status": 409, "title": "state-conflict", "type": "x", "data": {"message": "Job is not currently running"}}),
    )
    fake.route("DELETE", "/api/public/v1/jobs/10", ok(job_json(10, "running")))
    provider = make(fake)
    with pytest.raises(ConflictError, match="job 9 is not running"):
        await provider.cancel("9")
    assert (await provider.cancel("10")).status.raw == "running"  # cancel is async server-side
    await provider.aclose()


async def test_404_names_the_job(fake: FakeAirbyte) -> None:
    fake.route(
        "GET",
        "/api/public/v1/jobs/123",
        status(404, {"status": 404, "title": "resource-not-found", "type": "x", "data": {"resourceType": "job", "resourceId": "123"}}),
    )
    provider = make(fake)
    with pytest.raises(NotFoundError, match="job 123 not found"):
        await provider.get_job("123")
    await provider.aclose()


# --------------------------------------------------------------------------- listing / activity


async def test_paging_stops_on_short_page_and_ignores_next(fake: FakeAirbyte) -> None:
    def conns(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        count = 100 if offset == 0 else 30
        data = [{"connectionId": f"c{offset + i}", "name": "n", "workspaceId": WS} for i in range(count)]
        return httpx.Response(200, json={"data": data, "next": "http://elsewhere.example/v1/connections?offset=999"})

    fake.route("GET", "/api/public/v1/connections", conns)
    provider = make(fake)
    connections = await provider.list_connections()
    assert len(connections) == 130
    calls = fake.calls_to("GET", "/api/public/v1/connections")
    assert [c.url.params["offset"] for c in calls] == ["0", "100"]
    assert calls[0].url.params.get_list("workspaceIds") == [WS]
    assert connections[0].web_url == f"http://ab.test/workspaces/{WS}/connections/c0"
    await provider.aclose()


async def test_poll_activity_watermark_from_server_date_and_one_config_call(fake: FakeAirbyte) -> None:
    fake.route("GET", "/api/public/v1/jobs", ok({"data": [job_json(1, "succeeded", lastUpdatedAt="2026-11-25T11:58Z")]}))
    active = {
        "jobs": [
            {
                "job": {
                    "id": 2,
                    "configType": "sync",
                    "configId": "c2",
                    "createdAt": 1700000000,
                    "updatedAt": 1700000100,
                    "status": "running",
                },
                "attempts": [
                    {
                        "id": 0,
                        "status": "running",
                        "createdAt": 1700000000,
                        "updatedAt": 1700000100,
                        "totalStats": {"recordsEmitted": 50, "estimatedRecords": 100},
                    }
                ],
            }
        ],
        "totalJobCount": 1,
    }
    fake.route("POST", "/api/v1/jobs/list_for_workspaces", ok(active))
    provider = make(fake)
    first = await provider.poll_activity(None, include_progress=True)
    call = fake.calls_to("GET", "/api/public/v1/jobs")[0]
    assert call.url.params["limit"] == "1" and "updatedAtStart" not in call.url.params
    assert first.complete and first.server_time == SERVER_NOW
    running = next(j for j in first.jobs if j.id == "2")
    assert running.progress and running.progress.ratio == 0.5 and running.job_type == "sync"
    assert first.cursor.data["watermark"] == "2026-11-25T11:59:45Z"  # Date − 15 s
    body = json.loads(fake.calls_to("POST", "/api/v1/jobs/list_for_workspaces")[0].content)
    assert body["workspaceIds"] == [WS] and set(body["statuses"]) == {"pending", "queued", "running", "incomplete"}
    assert set(body["configTypes"]) == {"sync", "reset_connection", "clear", "refresh"}

    fake.date = SERVER_NOW.replace(minute=5)
    second = await provider.poll_activity(first.cursor, include_progress=False)
    call = fake.calls_to("GET", "/api/public/v1/jobs")[1]
    assert call.url.params["updatedAtStart"] == "2026-11-25T11:59:45Z"
    assert call.url.params["orderBy"] == "updatedAt|DESC" and call.url.params["limit"] == "100"
    assert not second.complete and second.cursor.data["watermark"] == "2026-11-25T12:04:45Z"
    assert len(fake.calls_to("POST", "/api/v1/jobs/list_for_workspaces")) == 1
    await provider.aclose()


async def test_config_api_forbidden_degrades_to_public_and_is_remembered(fake: FakeAirbyte) -> None:
    fake.route("POST", "/api/v1/jobs/list_for_workspaces", status(403, {"message": "Forbidden"}))
    fake.route("POST", "/api/v1/jobs/get_without_logs", status(403, {"message": "Forbidden"}))

    def jobs(request: httpx.Request) -> httpx.Response:
        wanted = request.url.params.get("status")
        return httpx.Response(200, json={"data": [job_json(3, "running")] if wanted == "running" else []})

    fake.route("GET", "/api/public/v1/jobs", jobs)
    fake.route("GET", "/api/public/v1/jobs/3", ok(job_json(3, "running")))
    provider = make(fake)
    signals: list[str] = []
    provider.add_health_listener(lambda s: signals.append(s.kind))
    poll = await provider.poll_activity(None, include_progress=True)
    assert poll.complete and any(j.id == "3" and j.status.raw == "running" for j in poll.jobs)
    assert "auth_failed" not in signals  # a forbidden internal API is not a credentials problem
    await provider.poll_activity(poll.cursor, include_progress=True)
    assert len(fake.calls_to("POST", "/api/v1/jobs/list_for_workspaces")) == 1  # remembered
    detail = await provider.get_job_detail("3")
    assert detail.job.id == "3" and detail.attempts == ()
    await provider.aclose()


async def test_job_detail_log_and_urls(fake: FakeAirbyte) -> None:
    fake.route(
        "POST",
        "/api/v1/jobs/get_without_logs",
        ok(
            {
                "job": {"id": 8, "configType": "sync", "configId": "c1", "createdAt": 1, "updatedAt": 2, "status": "incomplete"},
                "attempts": [
                    {"attempt": {"id": 0, "status": "failed", "createdAt": 1}},
                    {"attempt": {"id": 1, "status": "running", "createdAt": 2}},
                ],
            }
        ),
    )
    raw = b'{"attempt":{"id":1,"status":"running","createdAt":2},"logType":"structured","logs":{"events":[{"timestamp":1,"level":"info","message":"say \\"status\\":\\"failed\\"","logSource":"source"}]}}'
    fake.route(
        "POST",
        "/api/v1/attempt/get_for_job",
        lambda request: httpx.Response(200, content=raw, headers={"content-type": "application/json"}),
    )
    provider = make(fake)
    detail = await provider.get_job_detail("8")
    assert detail.job.status.raw == "incomplete" and len(detail.attempts) == 2
    assert (
        provider.job_url(detail.job, 1) == f"http://ab.test/workspaces/{WS}/connections/c1/timeline?openLogs=true&jobId=8&attemptNumber=1"
    )
    assert provider.job_url(detail.job, 0).endswith("jobId=8")
    log = await provider.fetch_attempt_log("8", 1)
    assert log.raw_json == raw and log.live is True
    assert json.loads(fake.calls_to("POST", "/api/v1/attempt/get_for_job")[0].content) == {"jobId": 8, "attemptNumber": 1}
    await provider.aclose()


async def test_check_rejects_web_ui_html(fake: FakeAirbyte) -> None:
    fake.route(
        "GET",
        "/api/public/v1/health",
        lambda request: httpx.Response(200, content=b"<!doctype html><html></html>", headers={"content-type": "text/html"}),
    )
    provider = make(fake)
    with pytest.raises(TransportError) as info:
        await provider.check()
    assert "HTML page" in str(info.value) and "/api/public/v1" in str(info.value)
    await provider.aclose()


# --------------------------------------------------------------------------- SyncResult parity


def test_sync_attempt_log_text_like_pyairbyte() -> None:
    structured = SyncAttempt(
        1,
        0,
        {
            "attempt": {"id": 0, "status": "failed", "createdAt": 1767258904, "recordsSynced": 5},
            "logs": {"events": [{"timestamp": 1767258905123, "level": "info", "message": "Starting"}, {"message": "no level"}]},
        },
    )
    assert structured.get_full_log_text() == "[1767258905123] info: Starting\n[] INFO: no level"
    assert structured.records_synced == 5 and structured.bytes_synced == 0 and structured.attempt_id == 0
    assert structured.created_at == datetime.fromtimestamp(1767258904, UTC)
    legacy = SyncAttempt(1, 1, {"attempt": {"id": 1}, "logs": {"logLines": ["\x1b[36mplatform\x1b[0m > a", "b"]}})
    assert legacy.get_full_log_text() == "\x1b[36mplatform\x1b[0m > a\nb"
    assert SyncAttempt(1, 2, {"attempt": {}}).get_full_log_text() == ""


async def test_wait_for_completion_survives_queued_and_transient_errors(fake: FakeAirbyte, no_sleep: list[float]) -> None:
    fake.route(
        "GET",
        "/api/public/v1/jobs/7",
        ok(job_json(7, "queued")),
        status(502),
        status(502),
        status(502),
        ok(job_json(7, "incomplete")),
        ok(job_json(7, "succeeded", rowsSynced=10, bytesSynced=20, lastUpdatedAt="2026-11-25T12:00Z")),
    )
    fake.route("POST", "/api/public/v1/jobs", ok(job_json(7, "pending")))
    provider = make(fake)
    result = await run_sync(provider, "c1", wait=True, poll_interval=0.0)
    assert (await result.get_job_status()).raw == "succeeded"
    assert result.records_synced == 10 and result.bytes_synced == 20
    assert result.job_url == f"http://ab.test/workspaces/{WS}/connections/c1/timeline?openLogs=true&jobId=7"
    await provider.aclose()


async def test_wait_raises_failure_and_timeout(fake: FakeAirbyte, no_sleep: list[float]) -> None:
    fake.route("GET", "/api/public/v1/jobs/8", ok(job_json(8, "failed")))
    fake.route("GET", "/api/public/v1/jobs/9", ok(job_json(9, "running")))
    provider = make(fake)
    assert (await SyncResult(provider, 8).wait_for_completion()).raw == "failed"
    with pytest.raises(JobFailedError, match="job 8 ended failed"):
        await SyncResult(provider, 8).wait_for_completion(raise_failure=True)
    with pytest.raises(SyncTimeoutError, match="still running"):
        await SyncResult(provider, 9).wait_for_completion(wait_timeout=0, poll_interval=0)
    status_ = await SyncResult(provider, 9).wait_for_completion(wait_timeout=0, raise_timeout=False)
    assert status_.raw == "running"
    await provider.aclose()


async def test_get_attempts_uses_config_jobs_get(fake: FakeAirbyte) -> None:
    fake.route("GET", "/api/public/v1/jobs/4", ok(job_json(4, "succeeded")))
    fake.route(
        "POST",
        "/api/v1/jobs/get",
        ok(
            {
                "job": {"id": 4},
                "attempts": [
                    {"attempt": {"id": 0, "status": "failed"}, "logs": {"logLines": ["x"]}},
                    {"attempt": {"id": 1, "status": "succeeded"}, "logs": {"events": []}},
                ],
            }
        ),
    )
    provider = make(fake)
    result = SyncResult(provider, 4)
    await result.refresh()
    attempts = await result.get_attempts()
    assert [a.attempt_number for a in attempts] == [0, 1] and attempts[0].get_full_log_text() == "x"
    assert result.job_url.endswith("jobId=4&attemptNumber=1")
    await result.get_attempts()
    assert len(fake.calls_to("POST", "/api/v1/jobs/get")) == 1  # final job: cached
    await provider.aclose()


def test_unknown_status_is_active() -> None:
    job = Job(provider="airbyte", id="1", connection_id="c", status=airbyte_job_status("warming_up"))
    assert job.status.is_active and job.status.label == "warming_up?"
