"""Hightouch wire models and their mapping to neutral models (no HTTP)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from airsync_tui.models.status import StatusCategory
from airsync_tui.providers.hightouch.mapping import (
    map_run,
    map_schedule,
    map_sync,
    run_detail,
    run_summary_lines,
    sync_display_name,
)
from airsync_tui.providers.hightouch.statuses import hightouch_run_status
from airsync_tui.providers.hightouch.tracker import RunTracker, sync_is_busy
from airsync_tui.providers.hightouch.wire import Sync, SyncList, SyncRun, TriggerRunOutput

NOW = datetime(2026, 1, 5, 10, 5, tzinfo=UTC)


def run_json(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "id": 9001,
        "createdAt": "2026-01-05T10:00:00.000Z",
        "startedAt": "2026-01-05T10:00:03.000Z",
        "finishedAt": "2026-01-05T10:02:10.000Z",
        "status": "warning",
        "querySize": 1500,
        "completionRatio": 1,
        "plannedRows": {"addedCount": 100, "changedCount": 20, "removedCount": 5},
        "successfulRows": {"addedCount": 98, "changedCount": 20, "removedCount": 5},
        "failedRows": {"addedCount": 2, "changedCount": 0, "removedCount": 0},
        "error": None,
    }
    body.update(overrides)
    return body


def sync_json(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "id": 58201,
        "slug": "customers-to-salesforce",
        "workspaceId": "31337",
        "createdAt": "2025-10-01T00:00:00.000Z",
        "updatedAt": "2025-10-02T00:00:00.000Z",
        "destinationId": "7201",
        "modelId": "4101",
        "configuration": {"object": "Contact"},
        "schedule": {"type": "interval", "schedule": {"interval": {"quantity": 1, "unit": "hour"}}},
        "status": "success",
        "disabled": False,
        "lastRunAt": "2026-01-05T10:00:03.000Z",
        "referencedColumns": ["customer_id"],
        "primaryKey": "customer_id",
        "externalSegment": {},
        "tags": {"team": "growth"},
        "someFutureField": {"x": 1},
    }
    body.update(overrides)
    return body


# ------------------------------------------------------------------ status
@pytest.mark.parametrize(
    ("raw", "category"),
    [
        ("queued", StatusCategory.PENDING),
        ("pending", StatusCategory.PENDING),
        ("querying", StatusCategory.RUNNING),
        ("processing", StatusCategory.RUNNING),
        ("reporting", StatusCategory.RUNNING),
        ("success", StatusCategory.SUCCEEDED),
        ("warning", StatusCategory.WARNING),
        ("failed", StatusCategory.FAILED),
        ("cancelled", StatusCategory.CANCELLED),
        ("interrupted", StatusCategory.FAILED),
    ],
)
def test_known_statuses(raw: str, category: StatusCategory) -> None:
    assert hightouch_run_status(raw).category is category


def test_warning_is_distinct_terminal_success() -> None:
    status = hightouch_run_status("warning")
    assert status.category is StatusCategory.WARNING
    assert status.is_terminal and status.category.is_success
    job = map_run(SyncRun.model_validate(run_json(status="warning")), 58201, now=NOW)
    assert job.status.raw == "warning" and job.status.category is StatusCategory.WARNING


def test_unknown_status_is_kept_in_progress_and_flagged() -> None:
    run = SyncRun.model_validate(run_json(status="hydrating", finishedAt=None))
    assert run.status == "hydrating"
    job = map_run(run, 58201, now=NOW)
    assert job.status.raw == "hydrating" and not job.status.known
    assert job.status.is_active and job.status.label == "hydrating?"
    assert sync_is_busy("hydrating")
    assert not sync_is_busy("disabled") and not sync_is_busy("pending") and not sync_is_busy("success")


# ------------------------------------------------------------------ SyncRun
def test_syncrun_parses_null_times_and_error() -> None:
    run = SyncRun.model_validate(run_json(status="queued", startedAt=None, finishedAt=None, error=None))
    assert run.started_at is None and run.finished_at is None and run.error is None
    assert run.created_at == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    job = map_run(run, 58201, now=NOW)
    assert job.started_at is None and job.duration is None
    assert next(f for f in job.facts if f.label == "Queue wait").value == "still queued"


@pytest.mark.parametrize(("raw", "clamped"), [(1.7, 1.0), (-0.2, 0.0), (0.54, 0.54), ("nan", 0.0), (None, 0.0)])
def test_completion_ratio_is_clamped(raw: object, clamped: float) -> None:
    assert SyncRun.model_validate(run_json(completionRatio=raw)).completion_ratio == clamped


def test_progress_only_while_active_and_uses_planned_rows() -> None:
    finished = map_run(SyncRun.model_validate(run_json(status="success", completionRatio=0.54)), 1, now=NOW)
    assert finished.progress is None  # a finished run's ratio is advisory: never show 54 % on success
    running = SyncRun.model_validate(
        run_json(
            status="processing",
            finishedAt=None,
            completionRatio=0.3,
            successfulRows={"addedCount": 50, "changedCount": 0, "removedCount": 0},
            failedRows={"addedCount": 0, "changedCount": 0, "removedCount": 0},
        )
    )
    progress = map_run(running, 1, now=NOW).progress
    assert progress is not None and progress.basis == "records"
    assert progress.ratio == pytest.approx(50 / 125)
    querying = SyncRun.model_validate(
        run_json(status="querying", finishedAt=None, completionRatio=2, plannedRows=None, successfulRows=None)
    )
    progress = map_run(querying, 1, now=NOW).progress
    assert progress is not None and progress.basis == "provider" and progress.ratio == 1.0


def test_run_mapping_rows_facts_and_detail() -> None:
    run = SyncRun.model_validate(run_json())
    job = map_run(run, 58201, now=NOW)
    assert job.id == "9001" and job.connection_id == "58201" and job.records_synced == 123
    assert [(b.label, b.total) for b in job.row_breakdown] == [("planned", 125), ("successful", 123), ("failed", 2)]
    facts = {f.label: f.value for f in job.facts}
    assert facts["Query size"].startswith("1,500") and facts["Queue wait"] == "3s"
    assert job.duration == timedelta(minutes=2, seconds=7)
    detail = run_detail(SyncRun.model_validate(run_json(status="failed", error="Salesforce said no")), 58201, now=NOW)
    (attempt,) = detail.attempts
    assert attempt.number == 0 and attempt.failure_summary == "hightouch · failed: Salesforce said no"
    lines = run_summary_lines(SyncRun.model_validate(run_json(status="failed", error="boom\nline 2")), 58201)
    assert any(line.startswith("status:") and "failed" in line for line in lines)
    assert lines[-2:] == ("  boom", "  line 2")


def test_trigger_output_id_is_a_string_converted_for_run_id() -> None:
    output = TriggerRunOutput.model_validate({"id": "41000123"})
    assert output.id == "41000123" and output.run_id == 41000123
    assert TriggerRunOutput.model_validate({"id": 7}).id == "7"


# ------------------------------------------------------------------ Sync
def test_sync_is_lenient_and_maps_to_a_connection() -> None:
    sync = Sync.model_validate(sync_json())
    connection = map_sync(sync)
    assert connection.name == "customers → salesforce"
    assert connection.status == "active" and connection.enabled
    assert connection.schedule.kind == "interval" and connection.schedule.expression == "Every 1 HOUR"
    assert connection.schedule.describe() == "every hour"
    disabled = map_sync(Sync.model_validate(sync_json(disabled=True, status="disabled", schedule=None, lastRunAt=None)))
    assert disabled.status == "disabled" and not disabled.enabled and disabled.schedule.kind == "manual"


def test_sync_names_and_schedules() -> None:
    assert sync_display_name(Sync.model_validate(sync_json(slug="weird_slug"))) == "weird_slug"
    assert sync_display_name(Sync.model_validate(sync_json(name="My sync"))) == "My sync"
    assert sync_display_name(Sync.model_validate(sync_json(slug=""))) == "sync 58201"
    cron = Sync.model_validate(sync_json(schedule={"type": "cron", "schedule": {"expression": "*/20 * * * *"}}))
    assert map_schedule(cron.schedule).kind == "cron" and map_schedule(cron.schedule).expression == "*/20 * * * *"
    dbt = Sync.model_validate(sync_json(schedule={"type": "dbt", "schedule": {"account": 1}}))
    assert map_schedule(dbt.schedule).kind == "dbt"


def test_list_envelope() -> None:
    page = SyncList.model_validate({"data": [sync_json(), sync_json(id=58202)], "hasMore": True})
    assert page.has_more and [s.id for s in page.data] == [58201, 58202]


# ------------------------------------------------------------------ tracker
def test_tracker_reports_an_end_from_the_sync_list_without_a_request() -> None:
    tracker = RunTracker()
    running = SyncRun.model_validate(run_json(status="processing", finishedAt=None))
    tracker.observe_runs(58201, [running])
    assert 58201 in tracker.active
    tracker.observe_sync(Sync.model_validate(sync_json(status="processing")))
    ended = tracker.observe_sync(Sync.model_validate(sync_json(status="failed")))
    assert [(r.id, r.status) for r in ended] == [(9001, "failed")]
    assert 58201 not in tracker.active and 58201 in tracker.settle
    assert tracker.plan(10, include_progress=False) == [58201]


def test_tracker_plan_is_bounded_and_round_robin() -> None:
    tracker = RunTracker()
    for sync_id in range(1, 31):
        run = SyncRun.model_validate(run_json(id=1000 + sync_id, status="processing", finishedAt=None))
        tracker.observe_runs(sync_id, [run])
    first = tracker.plan(10, include_progress=True)
    second = tracker.plan(10, include_progress=True)
    assert len(first) == len(second) == 10 and not set(first) & set(second)
    assert tracker.plan(10, include_progress=False) == []  # no progress reads between progress ticks
    tracker.fresh.update({100 + i: None for i in range(20)})
    mixed = tracker.plan(10, include_progress=True)
    assert len(mixed) == 10 and sum(1 for s in mixed if s < 100) == 3  # round-robin share kept


def test_tracker_remembers_runs_with_a_bound() -> None:
    tracker = RunTracker(max_runs=3)
    for run_id in range(5):
        tracker.remember_run(run_id, 100 + run_id, "full_resync" if run_id == 4 else None)
    assert tracker.sync_of(0) is None and tracker.sync_of(4) == 104
    assert tracker.job_type_of(4) == "full_resync" and tracker.job_type_of(3) == "sync"
