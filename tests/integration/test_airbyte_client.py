"""AirbyteProvider end-to-end against the real emulator over HTTP on 127.0.0.1.

Read-only checks use the shared session `emulator`; anything that triggers,
cancels, injects faults or shortens token lifetimes gets its own emulator so
it cannot disturb other tests.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
from collections.abc import Iterator

import httpx
import pytest

from airsync_tui.config import AirbyteSettings
from airsync_tui.emulator.faults import FaultConfig
from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator, start_emulator
from airsync_tui.errors import ApiError, AuthError, TransportError
from airsync_tui.providers.airbyte import AirbyteProvider
from airsync_tui.providers.airbyte.auth import ClientCredentialsAuth
from airsync_tui.providers.airbyte.sync_result import SyncResult
from airsync_tui.providers.http import RetryPolicy
from airsync_tui.providers.pacing import PACE_ENV
from tests.cli_helpers import TEST_PACE

FAST = RetryPolicy(attempts=8, base_delay=0.05, max_delay=1.0)


def provider_for(emu: RunningEmulator, *, transport: httpx.AsyncBaseTransport | None = None, **overrides: object) -> AirbyteProvider:
    settings = {
        "api_url": emu.public_api_url,
        "client_id": emu.client_id,
        "client_secret": emu.client_secret,
        "workspace_id": emu.workspace_id,
        "timeout": 5.0,
        "profile_name": "test",
    }
    settings.update(overrides)
    return AirbyteProvider.from_settings(AirbyteSettings(**settings), transport=transport, policy=FAST)


@pytest.fixture(scope="module")
def fast_emulator() -> Iterator[RunningEmulator]:
    """Our own emulator, fast enough that a sync finishes in about a second of wall time."""
    emu = start_emulator(
        EmulatorOptions(seed=11, speed=150.0, big_log_lines=500, client_id="ab-client-fast", client_secret="ab-secret-fast")
    )
    try:
        yield emu
    finally:
        emu.stop()


def idle_connections(emu: RunningEmulator) -> list[str]:
    return [c.connection_id for c in emu.world.connections if c.status == "active" and c.active_job_id is None]


class CountingTransport(httpx.AsyncBaseTransport):
    """Counts `POST /jobs` so tests can prove a trigger is never sent twice."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.job_posts = 0  # POSTs the server did not refuse with 429 (a 429 starts nothing and is re-sent)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        is_post = request.method == "POST" and request.url.path.endswith("/api/public/v1/jobs")
        try:
            response = await self.inner.handle_async_request(request)
        except BaseException:
            self.job_posts += is_post  # a lost answer counts: the job may have started
            raise
        self.job_posts += is_post and response.status_code != 429
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_check_list_connections_jobs_and_workspaces(emulator: RunningEmulator) -> None:
    provider = provider_for(emulator)
    await provider.check()
    workspaces = await provider.list_workspaces()
    assert emulator.workspace_id in {w.id for w in workspaces}
    connections = await provider.list_connections()
    expected = emulator.world.visible_connections([emulator.workspace_id], False)
    assert len(connections) == len(expected) > 0
    first = await provider.get_connection(connections[0].id)
    assert first.name == connections[0].name and first.web_url and "/workspaces/" in first.web_url
    recent = await provider.recent_jobs(max_jobs=150)
    assert recent and all(a.created_at >= b.created_at for a, b in itertools.pairwise(recent))
    jobs = await provider.list_jobs(recent[0].connection_id, limit=5)
    assert jobs and all(j.connection_id == recent[0].connection_id for j in jobs)
    await provider.aclose()


async def test_activity_feed_and_big_log(emulator: RunningEmulator) -> None:
    provider = provider_for(emulator)
    first = await provider.poll_activity(None, include_progress=True)
    assert first.complete and first.cursor.data["watermark"]
    active_ids = {j.id for j in first.jobs if j.status.is_active}
    world_active = {str(j.job_id) for j in emulator.world.running_jobs()}
    assert world_active - active_ids <= set() or len(world_active - active_ids) <= 1  # one may start between the two reads
    assert any(j.progress is not None for j in first.jobs if j.status.is_active) or not active_ids
    before = provider.stats.requests
    second = await provider.poll_activity(first.cursor, include_progress=True)
    assert provider.stats.requests - before == 2  # constant cost: one public list + one config list
    assert second.cursor.data["watermark"] >= first.cursor.data["watermark"]
    big = emulator.world.big_log_job()
    if big is not None:
        log = await provider.fetch_attempt_log(str(big.job_id), len(big.attempts) - 1)
        assert log.raw_json and len(log.raw_json) > 10_000 and log.live is False
    await provider.aclose()


async def test_trigger_poll_to_terminal_attach_and_logs(fast_emulator: RunningEmulator) -> None:
    provider = provider_for(fast_emulator)
    connection_id = idle_connections(fast_emulator)[0]
    started = await provider.trigger(connection_id, "sync")
    again = await provider.trigger(connection_id, "sync")  # 409 → follow the same job
    assert again.attached and again.job.id == started.job.id
    result = SyncResult(provider, started.job.id, connection_id=connection_id, job=started.job)
    status = await result.wait_for_completion(wait_timeout=60, poll_interval=0.2)
    assert status.is_terminal
    detail = await provider.get_job_detail(started.job.id)
    assert detail.attempts and detail.job.status.is_terminal
    attempts = await result.get_attempts()
    assert attempts and attempts[-1].get_full_log_text()
    assert result.job_url.startswith(fast_emulator.base_url + "/workspaces/")
    await provider.aclose()


async def test_cancel_reaches_cancelled(fast_emulator: RunningEmulator) -> None:
    provider = provider_for(fast_emulator)
    connection_id = idle_connections(fast_emulator)[-1]
    started = await provider.trigger(connection_id, "sync")
    await provider.cancel(started.job.id)
    for _ in range(100):
        job = await provider.get_job(started.job.id)
        if job.status.is_terminal:
            break
        await asyncio.sleep(0.1)
    assert job.status.raw == "cancelled"
    await provider.aclose()


async def test_faults_reads_retry_and_triggers_never_doubled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PACE_ENV, TEST_PACE)  # retry back-off at 5 %: the same tries and counts, less sleeping
    emu = start_emulator(
        EmulatorOptions(seed=5, speed=1.0, big_log_lines=100, client_id="ab-client-faults", client_secret="ab-secret-faults")
    )
    try:
        transport = CountingTransport()
        provider = provider_for(emu, transport=transport)
        await provider.list_connections()  # warm up the token before faults start
        emu.set_faults(FaultConfig(rate=0.25, kinds={"429", "500", "502", "503", "drop", "malformed"}, seed=3, after_create=0.7))
        for _ in range(5):
            assert await provider.list_connections()
            assert await provider.recent_jobs(max_jobs=50)
        assert provider.stats.retries > 0
        targets = idle_connections(emu)[:6]
        outcomes: list[str] = []
        for connection_id in targets:
            try:
                result = await provider.trigger(connection_id, "sync")
                assert result.job.connection_id == connection_id
                outcomes.append("attached" if result.attached else "started")
            except ApiError as exc:  # a one-line error, and the job was NOT started twice
                assert "\n" not in str(exc)
                outcomes.append("error")
        assert transport.job_posts == len(targets)  # exactly one POST per trigger, ever
        emu.set_faults(None)
        for connection_id in targets:
            jobs = [j for j in emu.world.jobs if j.connection.connection_id == connection_id and j.created_at >= emu.world.built_at]
            assert len(jobs) <= 1
        await provider.aclose()
    finally:
        emu.stop()


async def test_short_token_ttl_refreshes_and_recovers_from_401() -> None:
    emu = start_emulator(
        EmulatorOptions(seed=2, speed=1.0, token_ttl=1.0, big_log_lines=100, client_id="ab-client-ttl", client_secret="ab-secret-ttl")
    )
    try:
        provider = provider_for(emu)
        auth = provider.client.http.client.auth
        assert isinstance(auth, ClientCredentialsAuth)
        await provider.list_connections()
        await asyncio.sleep(1.2)
        await provider.list_connections()  # refreshed ahead of (or on) expiry
        assert auth.fetches >= 2
        auth._clock = lambda: 0.0  # freeze our clock: the server now rejects a token we think is fresh
        auth._refresh_at = 1.0
        await asyncio.sleep(1.2)
        fetched = auth.fetches
        assert await provider.list_connections()
        assert auth.fetches == fetched + 1  # one re-fetch on 401, then the request succeeded
        await provider.aclose()
    finally:
        emu.stop()


async def test_wrong_credentials_is_one_line_auth_error(emulator: RunningEmulator) -> None:
    provider = provider_for(emulator, client_secret="definitely-wrong-secret")
    with pytest.raises(AuthError) as info:
        await provider.check()
    message = str(info.value)
    assert "rejected the credentials" in message and "'test'" in message
    assert "definitely-wrong-secret" not in message and "\n" not in message
    await provider.aclose()


async def test_unreachable_port_is_one_line_transport_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = AirbyteSettings(api_url=f"http://127.0.0.1:{port}/api/public/v1", bearer_token="tok-value-xyz", timeout=2.0)
    provider = AirbyteProvider.from_settings(settings, policy=RetryPolicy(attempts=1))
    with pytest.raises(TransportError) as info:
        await provider.check()
    assert "cannot reach" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(TransportError):
        await provider.list_connections()
    await provider.aclose()


async def test_api_url_pointing_at_web_root_is_explained(emulator: RunningEmulator) -> None:
    provider = provider_for(emulator, api_url=emulator.base_url, config_api_url=emulator.config_api_url)
    with pytest.raises(ApiError) as info:
        await provider.check()
    assert "api_url" in str(info.value) and "\n" not in str(info.value)
    await provider.aclose()
