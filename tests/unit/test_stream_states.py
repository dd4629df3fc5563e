"""Per-stream run states: the emulator's simulation, the config API mapping, the fallback, the rendering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airsync_tui.emulator.airbyte.stream_statuses import latest_per_run_state
from airsync_tui.emulator.airbyte.world import AirbyteWorld
from airsync_tui.emulator.clock import VirtualClock
from airsync_tui.models.domain import Job, JobDetail, StreamProgress
from airsync_tui.models.stream_state import StreamState
from airsync_tui.providers.airbyte.statuses import airbyte_job_status
from airsync_tui.providers.airbyte.stream_states import map_stream_statuses
from airsync_tui.service.stream_states import states_from_detail
from airsync_tui.ui.themes import palette_for
from airsync_tui.ui.widgets.stream_states import countdown, render_stream_states

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
MS = int(NOW.timestamp() * 1000)


def status(stream: str, state: str, at: int, attempt: int = 0, job: int = 7, **extra: object) -> dict[str, object]:
    return {"id": f"{stream}-{state}", "attemptNumber": attempt, "connectionId": "c", "jobId": job, "jobType": "SYNC",
            "runState": state, "streamName": stream, "transitionedAt": at, "workspaceId": "w", **extra}  # fmt: skip


def test_newest_state_per_stream_of_the_newest_attempt_wins() -> None:
    body = {"streamStatuses": [
        status("orders", "RUNNING", MS - 5000),
        status("orders", "COMPLETE", MS - 1000),
        status("charges", "RUNNING", MS - 9000),
        status("charges", "RATE_LIMITED", MS - 3000, metadata={"quotaReset": MS + 75_000}),
        status("refunds", "INCOMPLETE", MS - 60_000, attempt=0, incompleteRunCause="FAILED"),
        status("refunds", "RUNNING", MS - 2000, attempt=1),
        status("old", "COMPLETE", MS - 99_000, job=6),
    ]}  # fmt: skip
    states = {s.name: s for s in map_stream_statuses(body)}
    # Attempt 1 is the newest: only its streams count.
    assert set(states) == {"refunds"}
    body["streamStatuses"] = [s for s in body["streamStatuses"] if s["attemptNumber"] == 0 and s["jobId"] == 7]  # type: ignore[index]
    states = {s.name: s for s in map_stream_statuses(body)}
    assert states["orders"].state == "complete"
    assert states["charges"].state == "rate_limited" and states["charges"].quota_reset == NOW + timedelta(seconds=75)
    assert states["refunds"].state == "incomplete" and states["refunds"].cause == "failed"


def test_countdown_and_rendering() -> None:
    assert countdown(NOW + timedelta(seconds=75), NOW) == "quota resets in 1m 15s"
    assert countdown(NOW + timedelta(seconds=9), NOW) == "quota resets in 9s"
    assert countdown(NOW + timedelta(hours=2, minutes=3), NOW) == "quota resets in 2h 03m"
    assert countdown(NOW - timedelta(seconds=1), NOW) == "quota reset due"
    assert countdown(None, NOW) == "waiting for API quota"
    states = [
        StreamState(name="orders", namespace="public", state="complete"),
        StreamState(name="charges", state="rate_limited", quota_reset=NOW + timedelta(seconds=75), records=1200, estimated=5000),
        StreamState(name="refunds", state="incomplete", cause="canceled"),
        StreamState(name="payouts", state="pending"),
    ]
    lines = render_stream_states(states, NOW, palette_for(True)).plain.splitlines()
    assert lines[0] == "Stream states: 1/4 complete · 1 rate limited"
    assert lines[1].split() == ["●", "public.orders", "complete"]
    assert "rate limited  quota resets in 1m 15s  1,200 / 5,000 records" in lines[2]
    assert lines[3].split() == ["✘", "refunds", "incomplete", "(canceled)"]
    assert lines[4].split() == ["○", "payouts", "pending"]
    # A second later the countdown moved: it is derived from the one clock, not stored.
    later = render_stream_states(states, NOW + timedelta(seconds=1), palette_for(True)).plain
    assert "quota resets in 1m 14s" in later


def test_fallback_from_counts_when_the_server_has_no_stream_statuses() -> None:
    job = Job(provider="airbyte", id="1", connection_id="c", status=airbyte_job_status("running"))
    detail = JobDetail(job=job, streams=(
        StreamProgress(name="a", records_emitted=100, estimated_records=100),
        StreamProgress(name="b", records_emitted=10, estimated_records=100),
        StreamProgress(name="c", records_emitted=0),
    ))  # fmt: skip
    assert [(s.name, s.state, s.derived) for s in states_from_detail(detail)] == [
        ("a", "complete", True), ("b", "running", True), ("c", "pending", True),
    ]  # fmt: skip
    failed = detail.model_copy(update={"job": job.model_copy(update={"status": airbyte_job_status("failed")})})
    assert [(s.state, s.cause) for s in states_from_detail(failed)] == [
        ("complete", None),
        ("incomplete", "failed"),
        ("incomplete", "failed"),
    ]


def test_emulator_streams_finish_at_different_times_and_some_wait_for_quota() -> None:
    world = AirbyteWorld(VirtualClock(1.0, start=1_764_590_400.0), big_log_lines=0)
    world.pause_schedules()
    seen_states: set[str] = set()
    mixed = limited = resumed = False
    for connection in world.connections:
        if connection.status != "active" or connection.active_job_id is not None:
            continue
        world.force_next_outcome(connection.connection_id, "success")
        job = world.create_job(connection.connection_id, "sync")
        start = job.created_at
        limited_streams: set[str] = set()
        for step in range(400):
            at = start + step * 15.0
            world.tick(at)
            body = latest_per_run_state(world, connection.connection_id, at)
            states = {s.name: s for s in map_stream_statuses(body)}
            kinds = {s.state for s in states.values()}
            seen_states |= kinds
            if "complete" in kinds and ("running" in kinds or "rate_limited" in kinds):
                mixed = True
            for name, state in states.items():
                if state.state == "rate_limited":
                    limited = True
                    limited_streams.add(name)
                    assert state.quota_reset is not None and state.since is not None and state.quota_reset > state.since
                elif name in limited_streams and state.state in ("running", "complete"):
                    resumed = True
            if job.status in ("succeeded", "failed", "cancelled"):
                assert kinds == {"complete"}
                break
        if mixed and limited and resumed:
            break
    assert {"running", "complete", "rate_limited"} <= seen_states
    assert mixed, "no moment with some streams complete while others still run"
    assert limited and resumed, "no stream waited for its API quota and then resumed"
