"""Watcher semantics on an in-memory provider: diffs, pacing, cost, health."""

from __future__ import annotations

import asyncio

import pytest

from airsync_tui.errors import TransportError
from airsync_tui.service.events import (
    ActionResult,
    ApiHealthChanged,
    ConnectionsLoaded,
    HealthState,
    JobCreated,
    JobStatusChanged,
    LatestJobs,
)
from airsync_tui.service.watcher import Watcher, WatcherConfig
from tests.fakes import FakeProvider

FAST = WatcherConfig(active_interval=0.05, idle_interval=0.05, progress_interval=0.05, detail_interval=0.05, max_backoff=0.2)


async def collect(sub, kind, predicate=lambda e: True, timeout=3.0):  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        event = await sub.get(timeout=deadline - loop.time())
        if isinstance(event, kind) and predicate(event):
            return event
    raise AssertionError(f"no {kind.__name__} within {timeout}s")


async def test_initial_load_publishes_connections_and_latest_jobs() -> None:
    provider = FakeProvider(connections=3)
    old = provider.add_job("c0", "succeeded")
    new = provider.add_job("c0", "failed")
    watcher = Watcher([provider], FAST)
    sub = watcher.subscribe()
    await watcher.start()
    try:
        loaded = await collect(sub, ConnectionsLoaded)
        assert [c.id for c in loaded.connections] == ["c0", "c1", "c2"]
        latest = await collect(sub, LatestJobs)
        assert [j.id for j in latest.jobs] == [new.id]
        assert watcher.latest_job["airbyte:c0"].id == new.id != old.id
    finally:
        await watcher.stop()


async def test_status_transition_reaches_subscribers_once() -> None:
    provider = FakeProvider()
    job = provider.add_job("c1", "pending")
    watcher = Watcher([provider], FAST)
    sub = watcher.subscribe()
    await watcher.start()
    try:
        await collect(sub, LatestJobs)
        provider.set_status(job.id, "running")
        event = await collect(sub, JobStatusChanged)
        assert (event.old.raw, event.new.raw) == ("pending", "running")
        await asyncio.sleep(0.3)
        assert all(not isinstance(sub.get_nowait(), JobStatusChanged) for _ in range(50))
    finally:
        await watcher.stop()


async def test_job_that_leaves_the_active_set_is_fetched_to_learn_its_end() -> None:
    provider = FakeProvider()
    job = provider.add_job("c1", "running")
    watcher = Watcher([provider], FAST)
    sub = watcher.subscribe()
    await watcher.start()
    try:
        await collect(sub, LatestJobs)
        await asyncio.sleep(0.15)
        provider.set_status(job.id, "succeeded")  # no longer returned by poll_activity
        event = await collect(sub, JobStatusChanged, lambda e: e.new.raw == "succeeded")
        assert event.job.id == job.id
        assert "get_job" in provider.calls
    finally:
        await watcher.stop()


async def test_poll_cost_does_not_depend_on_connection_count() -> None:
    async def calls_per_poll(n: int) -> float:
        provider = FakeProvider(connections=n)
        for i in range(min(n, 20)):
            provider.add_job(f"c{i}", "running")
        watcher = Watcher([provider], FAST)
        await watcher.start()
        await asyncio.sleep(0.6)
        await watcher.stop()
        polls = provider.calls.count("poll_activity")
        other = len(provider.calls) - polls - provider.calls.count("list_connections") - provider.calls.count("recent_jobs")
        return (polls + other) / max(polls, 1)

    small = await calls_per_poll(5)
    large = await calls_per_poll(2000)
    assert small == pytest.approx(1.0) and large == pytest.approx(1.0)


async def test_errors_back_off_and_report_health_then_recover() -> None:
    provider = FakeProvider()
    provider.fail_next = [TransportError("cannot reach Airbyte at 127.0.0.1:9"), TransportError("cannot reach Airbyte at 127.0.0.1:9")]
    watcher = Watcher([provider], FAST)
    sub = watcher.subscribe()
    await watcher.start()
    try:
        bad = await collect(sub, ApiHealthChanged, lambda e: e.state is HealthState.UNREACHABLE)
        assert "cannot reach" in bad.message
        retry = await collect(sub, ApiHealthChanged, lambda e: e.state is HealthState.RETRYING)
        assert retry.retry_in and retry.retry_in > 0
        await collect(sub, ConnectionsLoaded)
        await asyncio.sleep(0.1)
        assert watcher.health["airbyte"].state is HealthState.OK
    finally:
        await watcher.stop()


async def test_trigger_publishes_created_and_result_and_attaches_when_running() -> None:
    provider = FakeProvider()
    watcher = Watcher([provider], FAST)
    sub = watcher.subscribe()
    await watcher.start()
    try:
        await collect(sub, LatestJobs)
        first = await watcher.trigger("airbyte:c2")
        created = await collect(sub, JobCreated)
        assert created.triggered_here and created.job.id == first.job.id
        assert (await collect(sub, ActionResult)).ok
        second = await watcher.trigger("airbyte:c2")
        assert second.attached and second.job.id == first.job.id
        assert provider.calls.count("trigger") == 2
        assert len([j for j in provider.jobs.values() if j.connection_id == "c2"]) == 1
    finally:
        await watcher.stop()


async def test_follow_only_mode_does_not_poll_the_workspace() -> None:
    provider = FakeProvider()
    job = provider.add_job("c0", "running")
    watcher = Watcher([provider], WatcherConfig(watch_workspace=False, detail_interval=0.05))
    await watcher.start()
    watcher.follow_job(job.key)
    await asyncio.sleep(0.3)
    await watcher.stop()
    assert "poll_activity" not in provider.calls and "list_connections" not in provider.calls
    assert provider.calls.count("get_job_detail") >= 2


async def test_slow_subscriber_loses_progress_not_transitions() -> None:
    from airsync_tui.models.domain import Progress
    from airsync_tui.service.events import ProgressUpdated
    from airsync_tui.service.subscription import EventHub

    hub = EventHub()
    sub = hub.subscribe(maxsize=5)
    provider = FakeProvider()
    job = provider.add_job("c0")
    for i in range(20):
        hub.publish(ProgressUpdated(provider="airbyte", job_key=job.key, connection_key="airbyte:c0", progress=Progress(ratio=i / 20)))
    hub.publish(JobStatusChanged(provider="airbyte", job=job, old=None, new=job.status))
    drained = [sub.get_nowait() for _ in range(5)]
    assert any(isinstance(e, JobStatusChanged) for e in drained)
    assert sub.dropped >= 15


async def test_followed_log_publishes_existing_then_only_new_lines() -> None:
    from airsync_tui.providers.base import AttemptLog
    from airsync_tui.service.events import LogLinesAdded

    provider = FakeProvider()
    job = provider.add_job("c0", "running")
    batches = [["a", "b"], ["a", "b", "c"], ["a", "b", "c"], ["a", "b", "c", "d"]]
    live = {"value": True}

    async def fetch(job_id: str, attempt_number: int) -> AttemptLog:
        import orjson

        lines = batches.pop(0) if len(batches) > 1 else batches[0]
        body = orjson.dumps({"attempt": {"id": 0, "status": "running"}, "logType": "formatted", "logs": {"logLines": lines}})
        return AttemptLog(job_id=job_id, attempt_number=attempt_number, raw_json=body, live=live["value"])

    provider.fetch_attempt_log = fetch  # type: ignore[method-assign]
    watcher = Watcher([provider], WatcherConfig(watch_workspace=False, log_interval=0.05, log_trailing_seconds=0.2))
    watcher.remember_job(job)
    sub = watcher.subscribe()
    await watcher.start()
    watcher.follow_logs(job.key, 0)
    try:
        got = []
        while len(got) < 3:
            event = await collect(sub, LogLinesAdded)
            got.append([line.split()[-1] for line in event.lines])
        assert got == [["a", "b"], ["c"], ["d"]]
        live["value"] = False
        await asyncio.sleep(0.5)
        assert watcher.log_follow_done(job.key, 0)
    finally:
        await watcher.stop()


async def test_finished_jobs_are_pruned_but_latest_and_active_are_kept() -> None:
    provider = FakeProvider(connections=2)
    for _ in range(60):
        provider.add_job("c0", "succeeded")
    latest = provider.add_job("c1", "succeeded")
    active = provider.add_job("c0", "running")
    watcher = Watcher([provider], WatcherConfig(active_interval=0.05, idle_interval=0.05, retained_finished_jobs=10))
    await watcher.start()
    try:
        for _ in range(100):
            if watcher.loaded["airbyte"] and len(watcher.jobs) <= 13:
                break
            await asyncio.sleep(0.05)
        assert len(watcher.jobs) <= 13
        assert latest.key in watcher.jobs and active.key in watcher.jobs
        assert watcher.latest_job["airbyte:c0"].key == active.key
    finally:
        await watcher.stop()
