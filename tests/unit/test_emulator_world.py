"""Unit tests of the Airbyte simulation: determinism, schedules, state machine, scale."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from airsync_tui.emulator.airbyte.logs import big_log_lines_json
from airsync_tui.emulator.airbyte.schedule import QuartzCron, basic_interval_seconds
from airsync_tui.emulator.airbyte.world import AirbyteWorld, ConnectionNotActive, JobConflict, JobNotRunning, JobQuery
from airsync_tui.emulator.clock import VirtualClock

START = 1_772_400_000.0  # fixed virtual start so two worlds are comparable


def _world(seed: int = 7, **kwargs) -> AirbyteWorld:
    return AirbyteWorld(VirtualClock(1.0, start=START), seed=seed, big_log_lines=500, **kwargs)


def _fingerprint(world: AirbyteWorld) -> list[tuple]:
    return [
        (j.job_id, j.connection.connection_id, j.status, round(j.created_at - world.built_at, 3), [a.status for a in j.attempts])
        for j in world.jobs
    ]


def _frozen_world(seed: int) -> AirbyteWorld:
    """Virtual time that does not move by itself: building a world under load takes
    a variable wall time, which must not change which jobs already finished."""
    return AirbyteWorld(VirtualClock(1e-9, start=START), seed=seed, big_log_lines=500)


def test_same_seed_same_world_different_seed_differs() -> None:
    assert _fingerprint(_frozen_world(7)) == _fingerprint(_frozen_world(7))
    assert _fingerprint(_frozen_world(7)) != _fingerprint(_frozen_world(8))


def test_demo_workspace_content() -> None:
    world = _world()
    names = [c.name for c in world.connections]
    assert "Stripe → BigQuery" in names and "Events Firehose → S3" in names
    assert sum(c.status == "inactive" for c in world.connections) == 2
    assert {c.log_format for c in world.connections} == {"structured", "formatted"}
    assert any(not c.emits_estimates for c in world.connections) and any(c.emits_estimates for c in world.connections)
    statuses = {j.status for j in world.jobs}
    assert {"succeeded", "failed", "cancelled", "running", "incomplete", "pending"} <= statuses
    created = [j.created_at for j in world.jobs]
    assert created == sorted(created)


def test_state_machine_with_manual_ticks() -> None:
    world = _world()
    connection = next(c for c in world.connections if c.status == "active" and c.active_job_id is None)
    job = world.create_job(connection.connection_id, "sync")
    with pytest.raises(JobConflict):
        world.create_job(connection.connection_id, "sync")
    t = world.clock.now()
    while not job.is_terminal:
        t += 5
        world.tick(t)
    observed = [(old, new) for jid, old, new, _, _ in world.transitions if jid == job.job_id]
    assert observed[0] == (None, "pending") and observed[1] == ("pending", "running")
    assert observed[-1][1] in ("succeeded", "failed")
    for (_, new), (old, _) in itertools.pairwise(observed):
        assert new == old
    assert connection.active_job_id is None
    with pytest.raises(JobNotRunning):
        world.cancel_job(job.job_id)
    inactive = next(c for c in world.connections if c.status == "inactive")
    with pytest.raises(ConnectionNotActive):
        world.create_job(inactive.connection_id, "sync")


def test_cron_subset() -> None:
    def at(expr: str, when: str) -> str:
        start = dt.datetime.fromisoformat(when).replace(tzinfo=dt.UTC).timestamp()
        return dt.datetime.fromtimestamp(QuartzCron.parse(expr).next_after(start), dt.UTC).strftime("%Y-%m-%d %H:%M:%S %a")

    assert at("0 0 */6 * * ? UTC", "2026-03-02T07:10:00") == "2026-03-02 12:00:00 Mon"
    assert at("0 */15 * * * ? UTC", "2026-03-02T07:15:00") == "2026-03-02 07:30:00 Mon"
    assert at("0 30 2 * * ? UTC", "2026-03-02T03:00:00") == "2026-03-03 02:30:00 Tue"
    assert at("0 0 8 ? * MON-FRI UTC", "2026-03-06T09:00:00") == "2026-03-09 08:00:00 Mon"
    assert basic_interval_seconds("Every 24 HOURS") == 86400 and basic_interval_seconds("Every 30 MINUTES") == 1800


def test_big_log_is_deterministic_and_sized() -> None:
    import orjson

    world = _world()
    job = world.big_log_job()
    assert job is not None and job.is_terminal
    first = big_log_lines_json(job, job.attempts[0], 1234)
    assert first == big_log_lines_json(job, job.attempts[0], 1234)
    assert len(orjson.loads(first)) == 1234


def test_scaled_world_keeps_its_running_target_and_answers_queries() -> None:
    # Build and query speed at 5,000 connections: `python bench/bench_emulator.py`.
    world = AirbyteWorld(VirtualClock(1.0, start=START), seed=1, connections=500, running=50, big_log_lines=0)
    assert len(world.connections) == 500 and len(world.jobs) == 10_000
    world.tick()
    assert len(world.active_job_ids) == 50
    page, _ = world.query_jobs(JobQuery(descending=True), 0, 100)
    _active, total = world.query_jobs(JobQuery(statuses=frozenset({"running", "pending"})), 0, 200, want_total=True)
    by_connection, _ = world.query_jobs(JobQuery(connection_id=world.connections[42].connection_id), 0, 20)
    assert [j.job_id for j in page] == sorted((j.job_id for j in page), reverse=True)
    assert total == 50 and len(by_connection) == 20


def test_paused_schedules_start_no_jobs() -> None:
    world = _world()
    world.pause_schedules()
    before = len(world.jobs)
    world.clock.advance(3 * 24 * 3600)
    world.tick()
    assert len(world.jobs) == before
