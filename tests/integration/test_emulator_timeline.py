"""Connection events end to end: the emulator records them as it runs, serves the config API's
exact shapes (validated against Airbyte's OpenAPI file), and the provider maps them; a server
without the events API falls back to a timeline built from jobs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from airsync_tui.emulator.airbyte.serialize import java_iso
from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator
from airsync_tui.service.timeline import connection_timeline, workspace_pulse
from tests.emulator_helpers import quiet_emulator
from tests.integration.test_airbyte_client import provider_for
from tests.integration.test_emulator_openapi import Validator
from tests.openapi_helpers import OPENAPI_DIR, load_spec

yaml = pytest.importorskip("yaml")

#: The spec lists `created_at` as required but defines the property as `createdAt`
#: (a typo in Airbyte's file); the server sends `createdAt`, as we do.
SPEC_TYPO = "missing required 'created_at'"


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    yield from quiet_emulator(EmulatorOptions(seed=7, speed=150.0, big_log_lines=200, client_id="ab-timeline", client_secret="tl-secret"))


@pytest.fixture(scope="module")
def cfg(emu: RunningEmulator) -> Iterator[httpx.Client]:
    token = httpx.post(
        f"{emu.public_api_url}/applications/token", json={"client_id": emu.client_id, "client_secret": emu.client_secret}
    ).json()["access_token"]
    with httpx.Client(base_url=emu.config_api_url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def spec() -> Validator:
    if not OPENAPI_DIR.is_dir():
        pytest.skip(f"Airbyte OpenAPI reference not found at {OPENAPI_DIR}")
    return Validator(load_spec("airbyte-config-api.yaml"))


def check(spec: Validator, value: Any, name: str) -> None:
    problems = [p for p in spec.errors(value, spec.schema(name)) if SPEC_TYPO not in p]
    assert not problems, "\n".join(problems[:20])


def cid(emu: RunningEmulator, prefix: str) -> str:
    return next(c.connection_id for c in emu.world.connections if c.name.startswith(prefix))


def test_history_and_demo_changes_are_served_newest_first_in_the_spec_shapes(
    emu: RunningEmulator, cfg: httpx.Client, spec: Validator
) -> None:
    stripe = cid(emu, "Stripe")
    body = cfg.post("/connections/events/list", json={"connectionId": stripe}).json()
    check(spec, body, "ConnectionEventList")
    events = body["events"]
    types = [e["eventType"] for e in events]
    assert {"SYNC_SUCCEEDED", "CONNECTION_SETTINGS_UPDATE", "SCHEMA_UPDATE", "SCHEMA_CONFIG_UPDATE"} <= set(types)
    stamps = [e["createdAt"] for e in events]
    assert stamps == sorted(stamps, reverse=True)
    sync = next(e for e in events if e["eventType"] == "SYNC_SUCCEEDED")
    job = emu.world.get_job(sync["summary"]["jobId"])
    assert job.status == "succeeded" and sync["summary"]["recordsLoaded"] > 0
    assert sync["summary"]["jobType"] == "SYNC" and sync["summary"]["attemptsCount"] == len(job.attempts)
    settings = next(e for e in events if e["eventType"] == "CONNECTION_SETTINGS_UPDATE")
    assert settings["user"]["name"] == "Maya Chen" and settings["summary"]["patches"]["scheduleType"] == {"from": "basic", "to": "cron"}

    only = cfg.post("/connections/events/list", json={"connectionId": stripe, "eventTypes": ["SCHEMA_UPDATE"]}).json()
    assert [e["eventType"] for e in only["events"]] == ["SCHEMA_UPDATE"]
    page = cfg.post("/connections/events/list", json={"connectionId": stripe, "pagination": {"pageSize": 2, "rowOffset": 1}}).json()
    assert [e["id"] for e in page["events"]] == [e["id"] for e in events[1:3]]

    detail = cfg.post("/connections/events/get", json={"connectionEventId": sync["id"], "connectionId": stripe}).json()
    check(spec, detail, "ConnectionEventWithDetails")
    assert detail["summary"] == sync["summary"] and detail["details"]["jobId"] == job.job_id


def test_errors_are_config_api_errors(cfg: httpx.Client, emu: RunningEmulator) -> None:
    assert cfg.post("/connections/events/list", json={}).status_code == 422
    assert cfg.post("/connections/events/list", json={"connectionId": "00000000-0000-0000-0000-000000000000"}).status_code == 404
    assert cfg.post("/connections/events/list", json={"connectionId": cid(emu, "Stripe"), "eventTypes": ["NOPE"]}).status_code == 422
    wrong = cfg.post(
        "/connections/events/get", json={"connectionEventId": "00000000-0000-0000-0000-000000000000", "connectionId": cid(emu, "Stripe")}
    )
    assert wrong.status_code == 404


def test_a_manual_sync_records_who_started_it_and_how_it_ended(emu: RunningEmulator, cfg: httpx.Client, spec: Validator) -> None:
    with emu.world.lock:
        connection = next(
            c for c in emu.world.connections if c.status == "active" and c.active_job_id is None and not c.name.startswith("Stripe")
        )
    zendesk = connection.connection_id
    deadline = time.monotonic() + 60
    emu.world.force_next_outcome(zendesk, "fatal")
    job_id = cfg.post("/connections/sync", json={"connectionId": zendesk}).json()["job"]["id"]
    while emu.world.get_job(job_id).status not in ("failed", "succeeded", "cancelled") and time.monotonic() < deadline:
        time.sleep(0.2)
    job = emu.world.get_job(job_id)
    assert job.status == "failed"
    events = cfg.post("/connections/events/list", json={"connectionId": zendesk}).json()["events"]
    mine = [e for e in events if e["summary"].get("jobId") == job_id]
    # Partial success (records committed before the failure) ends as INCOMPLETE, as on the platform.
    attempts = cfg.post("/jobs/get_without_logs", json={"id": job_id}).json()["attempts"]
    partial = any(a["attempt"].get("failureSummary", {}).get("partialSuccess") for a in attempts)
    expected = "SYNC_INCOMPLETE" if partial else "SYNC_FAILED"
    assert [e["eventType"] for e in mine] == [expected, "SYNC_STARTED"]
    ended, started = mine
    assert started["user"]["email"].endswith("@acme.example")
    failure = ended["summary"]["failureReason"]
    assert failure["failureOrigin"] == job.attempts[-1].failure.origin
    assert failure["failureType"] == job.attempts[-1].failure.failure_type

    now = emu.world.clock.now()
    minimal = cfg.post(
        "/connections/events/list_minimal",
        json={
            "workspaceId": emu.workspace_id,
            "eventTypes": ["SYNC_FAILED", "SYNC_INCOMPLETE", "SYNC_STARTED"],
            "createdAtStart": java_iso(now - 3600),
            "createdAtEnd": java_iso(now + 60),
        },
    ).json()
    check(spec, minimal, "ConnectionEventListMinimal")
    assert minimal["events"][0]["connectionName"] == connection.name
    assert {e["id"] for e in mine} <= {e["eventId"] for e in minimal["events"]}


def test_provider_timeline_maps_events_and_falls_back_to_jobs_without_the_api(emu: RunningEmulator) -> None:
    stripe = cid(emu, "Stripe")

    async def run(transport: httpx.AsyncBaseTransport | None) -> Any:
        provider = provider_for(emu, transport=transport)
        try:
            connection = await provider.get_connection(stripe)
            timeline = await connection_timeline(provider, connection, limit=50)
            pulse = await workspace_pulse([provider], now=provider.server_now(), window=timedelta(days=30), limit=500)
            return timeline, pulse
        finally:
            await provider.aclose()

    timeline, pulse = asyncio.run(run(None))
    assert timeline.origin == "events" and timeline.notice is None
    titles = [e.title for e in timeline.events]
    assert "Schema changed (breaking)" in titles
    assert any(t.startswith("Settings changed: schedule type") for t in titles)
    assert all(e.connection_name == timeline.connection_name for e in timeline.events)
    assert any(e.event_type == "CONNECTOR_UPDATE" for e in pulse)
    assert [e.at for e in pulse] == sorted((e.at for e in pulse), reverse=True)

    class NoEventsApi(httpx.AsyncBaseTransport):
        """An older self-managed server: the events routes do not exist (404)."""

        def __init__(self) -> None:
            self.inner = httpx.AsyncHTTPTransport()

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if "/connections/events/" in request.url.path:
                return httpx.Response(404, json={"message": "Not Found"}, request=request)
            return await self.inner.handle_async_request(request)

    fallback, pulse = asyncio.run(run(NoEventsApi()))
    assert fallback.origin == "jobs" and fallback.notice is not None and "built from jobs" in fallback.notice
    jobs = sorted((emu.world.get_job(j) for j in emu.world.connections_by_id[stripe].job_ids), key=lambda j: -j.created_at)
    assert [e.job_id for e in fallback.events] == [str(j.job_id) for j in jobs]
    assert all(e.origin == "jobs" for e in pulse) and pulse


def test_stream_statuses_match_the_spec_and_the_provider_reads_them(emu: RunningEmulator, cfg: httpx.Client, spec: Validator) -> None:
    with emu.world.lock:
        # The newest job of each connection, running or finished (history gives every connection one).
        running = [c for c in emu.world.connections if c.job_ids]
    assert running
    for connection in running:
        body = cfg.post("/stream_statuses/latest_per_run_state", json={"connectionId": connection.connection_id}).json()
        check(spec, body, "StreamStatusReadList")
        assert body["streamStatuses"], connection.name
        names = {s["streamName"] for s in body["streamStatuses"]}
        assert names <= {s.name for s in connection.streams}
    assert cfg.post("/stream_statuses/latest_per_run_state", json={}).status_code == 422

    async def run() -> list[object]:
        provider = provider_for(emu)
        try:
            return await provider.stream_states(running[0].connection_id)  # type: ignore[return-value]
        finally:
            await provider.aclose()

    states = asyncio.run(run())
    assert states and {s.name for s in states} <= {s.name for s in running[0].streams}  # type: ignore[attr-defined]
