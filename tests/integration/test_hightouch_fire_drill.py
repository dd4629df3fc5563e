"""Fire drills for Hightouch syncs: `--outcome SYNC=OUTCOME` and `/_admin/outcomes` shape the next runs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from airsync_tui.emulator.airbyte.outcomes import set_outcome
from airsync_tui.emulator.hightouch.model import RowCounts, RunPlan
from airsync_tui.emulator.hightouch.outcomes import SLOW_FACTOR, STALL_SECONDS, forced_plan
from airsync_tui.emulator.hightouch.world import FIRST_SYNC_ID
from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator, build_app, start_emulator


@pytest.fixture()
def drill() -> Iterator[RunningEmulator]:
    running = start_emulator(EmulatorOptions(speed=120.0, big_log_lines=0))
    try:
        yield running
    finally:
        running.stop()


def _run_status(emulator: RunningEmulator, sync_id: int, run_id: int, timeout: float = 60.0) -> dict[str, Any]:
    """Poll the Hightouch API until the run is terminal (fails the test at the timeout)."""
    headers = {"Authorization": f"Bearer {emulator.hightouch_api_key}"}
    deadline = time.monotonic() + timeout
    while True:
        page = httpx.get(f"{emulator.hightouch_api_url}/syncs/{sync_id}/runs", params={"runId": run_id}, headers=headers, timeout=10).json()
        run = next(r for r in page["data"] if int(r["id"]) == run_id)
        if run["status"] not in ("queued", "pending", "querying", "processing", "reporting"):
            return run
        if time.monotonic() > deadline:
            raise AssertionError(f"run {run_id} still {run['status']} after {timeout} s")
        time.sleep(0.2)


def test_admin_endpoint_fails_a_hightouch_sync_then_lets_it_recover(drill: RunningEmulator) -> None:
    world = drill.hightouch_world
    sync = world.syncs[0]
    headers = {"Authorization": f"Bearer {drill.hightouch_api_key}"}
    answer = httpx.post(f"{drill.base_url}/_admin/outcomes", json={"connection": sync.slug, "outcome": "failed"}, timeout=10)
    assert answer.status_code == 200
    assert answer.json()["outcomes"] == [{"connectionId": f"hightouch:{sync.id}", "name": sync.slug, "outcome": "failed"}]
    for _ in range(2):  # a standing outcome: every next run, not only one
        run_id = int(httpx.post(f"{drill.hightouch_api_url}/syncs/{sync.id}/trigger", json={}, headers=headers, timeout=10).json()["id"])
        failed = _run_status(drill, sync.id, run_id)
        assert failed["status"] == "failed" and failed["error"]
    cleared = httpx.post(
        f"{drill.base_url}/_admin/outcomes", json={"connection": f"hightouch:{sync.id}", "outcome": "succeeded"}, timeout=10
    )
    assert cleared.json()["outcomes"][-1]["outcome"] == "succeeded"
    run_id = int(httpx.post(f"{drill.hightouch_api_url}/syncs/{sync.id}/trigger", json={}, headers=headers, timeout=10).json()["id"])
    assert _run_status(drill, sync.id, run_id)["status"] == "success"
    unknown = httpx.post(f"{drill.base_url}/_admin/outcomes", json={"connection": "no-such-sync", "outcome": "failed"}, timeout=10)
    assert unknown.status_code == 400 and "no connection with id or exact name 'no-such-sync'" in unknown.json()["error"]


def test_outcome_option_reaches_hightouch_runs_stalled_and_slow() -> None:
    app = build_app(EmulatorOptions(speed=1.0, big_log_lines=0, outcomes=(f"{FIRST_SYNC_ID}=stalled",)))
    world = app.state.hightouch_app.state.world
    sync = next(s for s in world.syncs if s.id == FIRST_SYNC_ID)
    assert world.standing_outcomes == {FIRST_SYNC_ID: "stalled"}
    stalled = world.trigger(sync.id)
    assert [status for status, _ in stalled.plan.phases] == ["querying"]
    assert stalled.plan.phases[0][1] == STALL_SECONDS and stalled.plan.outcome == "failed"
    assert stalled.plan.successful.total == 0  # nothing moves while it sits there
    set_outcome(app.state.airbyte_world, sync.slug, "slow", world)
    slow = world.trigger(sync.id)
    assert slow.plan.outcome == "success" and slow.plan.failed.total == 0
    set_outcome(app.state.airbyte_world, sync.slug, None, world)
    assert sync.id not in world.standing_outcomes


def test_slow_is_the_same_work_four_times_slower_and_failed_overrides_a_success() -> None:
    normal = RunPlan(
        [("querying", 10.0), ("processing", 40.0), ("reporting", 3.0)],
        "success",
        100,
        RowCounts(5, 3, 0),
        RowCounts(5, 3, 0),
        RowCounts(),
        None,
        1.0,
    )
    slow = forced_plan(normal, "slow")
    assert slow.phases == [("querying", 10.0 * SLOW_FACTOR), ("processing", 40.0 * SLOW_FACTOR), ("reporting", 3.0 * SLOW_FACTOR)]
    assert slow.successful == normal.successful
    failed = forced_plan(normal, "failed")
    assert failed.outcome == "failed" and failed.error and failed.successful.total == 0
    warned = RunPlan(normal.phases, "warning", 100, RowCounts(5, 3, 0), RowCounts(4, 3, 0), RowCounts(1, 0, 0), None, 1.0)
    cleaned = forced_plan(warned, "succeeded")
    assert cleaned.outcome == "success" and cleaned.failed.total == 0 and cleaned.successful == warned.planned
