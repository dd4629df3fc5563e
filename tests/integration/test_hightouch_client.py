"""HightouchClient + HightouchProvider against the REAL Hightouch emulator over HTTP.

Each test serves a fresh `build_hightouch_app` with uvicorn on 127.0.0.1:0 in a
background thread (own fixture: the rate-limit tests need a small server-side
limit). Simulated time is moved by hand with `clock.advance()`, so run
lifecycles are deterministic and fast.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette

from airsync_tui.config import HightouchSettings
from airsync_tui.emulator.clock import VirtualClock
from airsync_tui.emulator.hightouch import build_hightouch_app
from airsync_tui.errors import AuthError, NotFoundError
from airsync_tui.models.status import StatusCategory
from airsync_tui.providers.hightouch import AUTH_MESSAGE, HightouchClient, HightouchProvider
from tests.asgi_server import serve as serve_asgi

START = 1_767_225_600.0  # 2026-01-01T00:00:00Z
KEY = "ht-test-key"


@contextlib.contextmanager
def serve(app: Starlette) -> Iterator[str]:
    """Serve `app` on 127.0.0.1; yield the Hightouch API root."""
    with serve_asgi(app) as base:
        yield base + "/api/v1"


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(1.0, start=START)


def _emulator(clock: VirtualClock, **kwargs: Any) -> Starlette:
    kwargs.setdefault("rate_limit", 10_000)
    return build_hightouch_app(clock, seed=7, api_key=KEY, **kwargs)


def _provider(api_url: str, **kwargs: Any) -> HightouchProvider:
    settings = HightouchSettings(api_url=api_url, api_key=SecretStr(KEY), timeout=10.0)
    return HightouchProvider.from_settings(settings, **kwargs)


def _enabled_sync(app: Starlette) -> int:
    world = app.state.world
    return next(s.id for s in world.syncs if not s.disabled and s.active is None and not s.queue)


async def test_list_syncs_pages_until_has_more_is_false(clock: VirtualClock) -> None:
    app = _emulator(clock, syncs=250)
    with serve(app) as url:
        client = HightouchClient(url, KEY)
        try:
            syncs = await client.list_syncs()
            assert len(syncs) == 250
            assert len({s.id for s in syncs}) == 250
            assert client.stats.by_path.get("/api/v1/syncs") == 3  # 100 + 100 + 50
        finally:
            await client.aclose()


async def test_list_connections_maps_syncs(clock: VirtualClock) -> None:
    app = _emulator(clock)
    with serve(app) as url:
        provider = _provider(url)
        try:
            connections = await provider.list_connections()
            assert len(connections) == len(app.state.world.syncs)
            first = connections[0]
            assert first.provider == "hightouch"
            assert "→" in first.name
            kinds = {c.schedule.kind for c in connections}
            assert kinds & {"interval", "cron"}
            disabled = [c for c in connections if not c.enabled]
            assert all(c.status == "disabled" for c in disabled)
            assert (await provider.get_connection(first.id)).id == first.id
            with pytest.raises(NotFoundError, match="sync 999999"):
                await provider.get_connection("999999")
        finally:
            await provider.aclose()


async def test_bad_key_is_a_one_line_auth_error(clock: VirtualClock) -> None:
    app = _emulator(clock)
    with serve(app) as url:
        settings = HightouchSettings(api_url=url, api_key=SecretStr("wrong-key-123"), timeout=5.0)
        provider = HightouchProvider.from_settings(settings)
        try:
            with pytest.raises(AuthError) as info:
                await provider.check()
            assert str(info.value) == AUTH_MESSAGE
            assert "wrong-key-123" not in str(info.value)
        finally:
            await provider.aclose()


async def _walk_to_terminal(provider: HightouchProvider, clock: VirtualClock, job_id: str) -> list[str]:
    seen: list[str] = []
    for _ in range(400):
        job = await provider.get_job(job_id)
        if not seen or seen[-1] != job.status.raw:
            seen.append(job.status.raw)
        if job.status.is_terminal:
            return seen
        clock.advance(5)
    raise AssertionError(f"run {job_id} never finished: {seen}")


async def test_trigger_run_progresses_to_a_terminal_status(clock: VirtualClock) -> None:
    app = _emulator(clock)
    with serve(app) as url:
        provider = _provider(url)
        try:
            sync_id = _enabled_sync(app)
            result = await provider.trigger(str(sync_id))
            job = result.job
            assert not result.attached
            assert job.connection_id == str(sync_id)
            assert job.status.category in (StatusCategory.PENDING, StatusCategory.RUNNING)
            assert job.started_at is None or job.created_at is not None
            statuses = await _walk_to_terminal(provider, clock, job.id)
            assert statuses[-1] in {"success", "warning", "failed", "interrupted"}
            detail = await provider.get_job_detail(job.id)
            assert len(detail.attempts) == 1 and detail.attempts[0].number == 0
            assert [b.label for b in detail.job.row_breakdown] == ["planned", "successful", "failed"]
            log = await provider.fetch_attempt_log(job.id, 0)
            assert log.notice and any(line.startswith("status:") for line in log.text_lines)
            assert sum(1 for r in app.state.world.runs.values() if r.sync_id == sync_id and r.trigger == "api") == 1
        finally:
            await provider.aclose()


async def test_trigger_while_running_says_it_queues(clock: VirtualClock) -> None:
    app = _emulator(clock)
    with serve(app) as url:
        provider = _provider(url)
        try:
            sync_id = _enabled_sync(app)
            first = await provider.trigger(str(sync_id))
            second = await provider.trigger(str(sync_id), "full_resync")
            assert second.job.id != first.job.id
            assert "queued" in second.message
            assert second.job.job_type == "full_resync"
        finally:
            await provider.aclose()


async def test_warning_runs_are_shown_as_warning(clock: VirtualClock) -> None:
    app = _emulator(clock, syncs=60)
    with serve(app) as url:
        provider = _provider(url)
        try:
            world = app.state.world
            warning_runs = [r for r in world.runs.values() if r.status == "warning"]
            assert warning_runs, "the seeded history should contain warning runs"
            run = warning_runs[-1]
            jobs = await provider.list_jobs(str(run.sync_id), limit=100)
            job = next(j for j in jobs if j.id == str(run.id))
            assert job.status.raw == "warning"
            assert job.status.category is StatusCategory.WARNING
            assert job.status.is_terminal and job.status.category.is_success
            detail = await provider.get_job_detail(job.id)  # known now: list_jobs remembered it
            assert detail.job.status.category is StatusCategory.WARNING
        finally:
            await provider.aclose()


async def test_reads_never_surface_429_under_a_small_server_limit(clock: VirtualClock) -> None:
    """Server allows 20 req / 1 s; the client limiter is deliberately too generous, so backoff must cope."""
    app = _emulator(clock, syncs=30, rate_limit=20, rate_window=1.0)
    with serve(app) as url:
        client = HightouchClient(url, KEY, limit=1000, window=1.0)
        try:
            sync_ids = [s.id for s in app.state.world.syncs]
            for sync_id in sync_ids + sync_ids[:10]:
                page = await client.list_runs(sync_id, limit=1)
                assert page.data is not None
            assert client.stats.retries > 0  # it did hit 429 and backed off
        finally:
            await client.aclose()


async def test_client_limiter_keeps_under_the_server_limit(clock: VirtualClock) -> None:
    # 1 s windows (20 req/s at the server, 15 at the client): 30 reads span two client windows.
    app = _emulator(clock, syncs=30, rate_limit=20, rate_window=1.0)
    with serve(app) as url:
        client = HightouchClient(url, KEY, limit=15, window=1.0)
        try:
            for sync in app.state.world.syncs[:30]:
                await client.list_runs(sync.id, limit=1)
            assert client.stats.retries == 0  # never saw a 429
        finally:
            await client.aclose()


class DropTriggerAnswer(httpx.AsyncBaseTransport):
    """Forwards to the real server, but loses the answer of every trigger POST (as a timeout would)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.posts = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST":
            self.posts += 1
            await response.aread()
            raise httpx.ReadTimeout("answer lost", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_ambiguous_trigger_failure_attaches_instead_of_posting_twice(clock: VirtualClock) -> None:
    app = _emulator(clock)
    with serve(app) as url:
        transport = DropTriggerAnswer()
        provider = _provider(url, transport=transport)
        try:
            sync_id = _enabled_sync(app)
            result = await provider.trigger(str(sync_id))
            assert transport.posts == 1
            assert result.attached
            api_runs = [r for r in app.state.world.runs.values() if r.sync_id == sync_id and r.trigger == "api"]
            assert len(api_runs) == 1
            assert result.job.id == str(api_runs[0].id)
            assert "instead of triggering again" in result.message
        finally:
            await provider.aclose()


async def test_recent_jobs_and_poll_activity_track_a_triggered_run(clock: VirtualClock) -> None:
    app = _emulator(clock, syncs=40)
    with serve(app) as url:
        provider = _provider(url, rate_limit=10_000)  # the test polls in a tight loop
        try:
            await provider.list_connections()
            recent = await provider.recent_jobs(max_jobs=500)
            assert recent and all(j.provider == "hightouch" for j in recent)
            cursor = None
            poll = await provider.poll_activity(cursor, include_progress=True)
            cursor = poll.cursor
            sync_id = _enabled_sync(app)
            result = await provider.trigger(str(sync_id))
            final = None
            for _ in range(300):
                clock.advance(5)
                poll = await provider.poll_activity(cursor, include_progress=True)
                cursor = poll.cursor
                mine = [j for j in poll.jobs if j.id == result.job.id]
                if mine and mine[-1].status.is_terminal:
                    final = mine[-1]
                    break
            assert final is not None, "poll_activity never reported the triggered run's end"
            assert provider.stats.requests < 2000
        finally:
            await provider.aclose()
