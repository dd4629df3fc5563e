"""Unit tests for the Hightouch emulator's simulation, schedules, plans and edges."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime

import httpx
import pytest

from airsync_tui.emulator.clock import VirtualClock
from airsync_tui.emulator.hightouch import build_hightouch_app, catalog
from airsync_tui.emulator.hightouch.model import IN_PROGRESS, TERMINAL
from airsync_tui.emulator.hightouch.ratelimit import SlidingWindowLimiter
from airsync_tui.emulator.hightouch.schedules import next_cron_time
from airsync_tui.emulator.hightouch.serialize import run_to_json, sync_to_json
from airsync_tui.emulator.hightouch.world import HightouchWorld, SyncDisabled, TriggerFlags

START = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def snapshot(world: HightouchWorld) -> tuple[list[dict], list[dict]]:
    now = world.tick()
    return [sync_to_json(s) for s in world.syncs], [run_to_json(r, now) for r in world.runs.values()]


class FrozenClock:
    """A clock that only moves when told, so two worlds see exactly the same instants."""

    def __init__(self, start: float) -> None:
        self.t = start

    def now(self) -> float:
        return self.t


def test_world_is_deterministic_per_seed() -> None:
    a = snapshot(HightouchWorld(FrozenClock(START), seed=11))
    b = snapshot(HightouchWorld(FrozenClock(START), seed=11))
    c = snapshot(HightouchWorld(FrozenClock(START), seed=12))
    assert a == b
    assert a[1] != c[1]


def test_demo_history_has_every_kind_of_outcome() -> None:
    world = HightouchWorld(VirtualClock(1.0, start=START), seed=7)
    assert len(world.syncs) == 8 and sum(s.disabled for s in world.syncs) == 1
    outcomes = {r.status for r in world.runs.values()}
    assert {"success", "warning", "failed"} <= outcomes
    assert outcomes & IN_PROGRESS  # the demo opens with something running
    assert world.transitions == []  # replaying the past is not "live" change
    for run in world.runs.values():
        if run.status == "failed":
            assert run.plan.error
    for sync in world.syncs:
        ids = [r.id for r in sync.runs]
        assert ids == sorted(ids)
        finished = [r for r in sync.runs if r.finished_at is not None]
        for earlier, later in itertools.pairwise(finished):
            assert later.started_at is not None and later.started_at >= earlier.finished_at  # one at a time


def test_schedules_start_runs_by_themselves() -> None:
    clock = VirtualClock(1.0, start=START)
    world = HightouchWorld(clock, seed=7)
    before = {s.slug: len(s.runs) for s in world.syncs}
    clock.advance(2 * 3600)
    world.tick()
    after = {s.slug: len(s.runs) for s in world.syncs}
    by_slug = {s.slug: s for s in world.syncs}
    assert after["leads-to-hubspot"] - before["leads-to-hubspot"] >= 6  # every 15 minutes
    assert after["customers-to-salesforce"] - before["customers-to-salesforce"] >= 1  # hourly
    assert after["lapsed-buyers-to-marketo"] == before["lapsed-buyers-to-marketo"]  # disabled
    manual = [s for s in world.syncs if s.schedule is None]
    assert all(after[s.slug] == before[s.slug] for s in manual)
    new = by_slug["leads-to-hubspot"].runs[before["leads-to-hubspot"] :]
    assert all(r.trigger == "schedule" for r in new)
    live = [t for t in world.transitions if t[0] == by_slug["leads-to-hubspot"].id]
    assert live and all(START <= t[4] <= clock.now() for t in live)


def test_huge_clock_jump_does_not_replay_a_backlog() -> None:
    clock = VirtualClock(1.0, start=START)
    world = HightouchWorld(clock, seed=7)
    clock.advance(365 * 86400)
    world.tick()  # how long it takes: `python bench/bench_emulator.py`
    leads = next(s for s in world.syncs if s.slug == "leads-to-hubspot")
    assert len(leads.runs) < 400  # not 35,000 quarter-hours


def test_trigger_queues_and_disabled_refuses() -> None:
    clock = VirtualClock(1.0, start=START)
    world = HightouchWorld(clock, seed=7)
    clock.advance(3 * 3600)
    sync = world.syncs[0]
    first = world.trigger(sync.id)
    second = world.trigger(sync.id, TriggerFlags(full_resync=True))
    assert sync.active is first and list(sync.queue) == [second]
    assert second.plan.planned.added == second.plan.query_size or second.plan.outcome == "failed"
    clock.advance(3600)
    world.tick()
    assert first.status in TERMINAL and second.status in TERMINAL
    assert second.started_at >= first.finished_at
    with pytest.raises(SyncDisabled):
        world.trigger(next(s for s in world.syncs if s.disabled).id)


def test_processing_run_serializes_partial_progress() -> None:
    clock = VirtualClock(1.0, start=START)
    world = HightouchWorld(clock, seed=7)
    clock.advance(3 * 3600)
    sync = world.syncs[0]
    for _ in range(20):
        run = world.trigger(sync.id)
        if run.plan.outcome in ("success", "warning"):
            break
    queued = run_to_json(run, world.tick())
    if queued["status"] == "queued":
        assert queued["startedAt"] is None and queued["finishedAt"] is None and queued["completionRatio"] == 0
    while run.status != "processing":
        clock.advance(0.5)
        world.tick()
    clock.advance(run.processing_duration / 2)
    now = world.tick()
    mid = run_to_json(run, now)
    assert mid["status"] == "processing"
    assert 0.3 < mid["completionRatio"] < 0.7
    assert mid["querySize"] > 0 and mid["finishedAt"] is None and mid["error"] is None
    for kind in ("addedCount", "changedCount", "removedCount"):
        assert mid["successfulRows"][kind] <= getattr(run.plan.successful, kind.removesuffix("Count"))
        assert mid["successfulRows"][kind] + mid["failedRows"][kind] <= mid["plannedRows"][kind]


def test_plans_keep_row_invariants() -> None:
    profile = catalog.SyncProfile(query_size=50_000, churn=0.02, fail_rate=0.12, warn_rate=0.3, processing_seconds=60)
    order = ["pending", "querying", "processing", "reporting"]
    outcomes = set()
    for i in range(2000):
        rng = random.Random(i)
        flags = {"full_resync": i % 7 == 0, "reset_cdc": i % 11 == 0, "clear_and_fill": i % 13 == 0}
        plan = catalog.make_plan(rng, profile, catalog.DESTINATIONS[i % 8], allow_cancelled=True, **flags)
        outcomes.add(plan.outcome)
        for kind in ("added", "changed", "removed"):
            ok, failed, planned = (getattr(c, kind) for c in (plan.successful, plan.failed, plan.planned))
            assert ok >= 0 and failed >= 0 and ok + failed <= planned
        names = [p for p, _ in plan.phases]
        assert [order.index(n) for n in names] == sorted(order.index(n) for n in names)
        assert all(d > 0 for _, d in plan.phases)
        assert (plan.failed.total > 0) == (plan.outcome == "warning")
        assert (plan.error is None) == (plan.outcome in ("success", "warning"))
        if plan.outcome in ("success", "warning"):
            assert names[-3:] == ["querying", "processing", "reporting"] and plan.stop_ratio == 1.0
            assert plan.successful.total + plan.failed.total == plan.planned.total
        assert 5 < sum(d for _, d in plan.phases) < 3600, plan.phases  # seconds to minutes at speed 1
    assert outcomes == TERMINAL


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("0 */6 * * *", "2026-01-01T01:30:00", "2026-01-01T06:00:00"),
        ("0 */6 * * *", "2026-01-01T18:00:00", "2026-01-02T00:00:00"),
        ("30 2 * * *", "2026-01-01T03:00:00", "2026-01-02T02:30:00"),
        ("*/20 * * * *", "2026-01-01T10:41:10", "2026-01-01T11:00:00"),
        ("15 9 * * 1-5", "2026-01-02T10:00:00", "2026-01-05T09:15:00"),  # Friday -> Monday
    ],
)
def test_cron_next_time(expression: str, after: str, expected: str) -> None:
    ts = datetime.fromisoformat(after).replace(tzinfo=UTC).timestamp()
    assert next_cron_time(expression, ts) == datetime.fromisoformat(expected).replace(tzinfo=UTC).timestamp()


def test_sliding_window_limiter() -> None:
    now = [100.0]
    limiter = SlidingWindowLimiter(3, 10.0, now=lambda: now[0])
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")  # per workspace key
    now[0] += 5
    assert not limiter.allow("a")
    now[0] += 5.01
    assert limiter.allow("a")


def test_scaled_world_has_unique_slugs_and_pages_by_slug() -> None:
    # Build and page speed: `python bench/bench_emulator.py`.
    world = HightouchWorld(VirtualClock(1.0, start=START), seed=1, syncs=3000)
    assert len({s.slug for s in world.syncs}) == 3000
    page, more = world.list_syncs(offset=2900, limit=100, order_by="slug")
    assert len(page) == 100 and not more
    assert [s.slug for s in page] == sorted(s.slug for s in world.syncs)[2900:]


async def test_unhandled_error_is_the_bare_json_string() -> None:
    app = build_hightouch_app(VirtualClock(1.0, start=START), api_key="k")

    def boom(**_: object) -> None:
        raise RuntimeError("simulated bug")

    app.state.world.list_syncs = boom
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://ht") as client:
        r = await client.get("/api/v1/syncs", headers={"Authorization": "Bearer k"})
    await app.state.world.stop_ticker()
    assert r.status_code == 500 and r.json() == "Internal Server Error"
