"""Every `ConnectionEventType` maps to a readable TimelineEvent; jobs map to the same vocabulary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from airsync_tui.models.domain import Job, RowBreakdown
from airsync_tui.providers.airbyte.statuses import airbyte_job_status
from airsync_tui.providers.airbyte.timeline import (
    ALL_EVENT_TYPES,
    map_connection_event,
    map_minimal_event,
)
from airsync_tui.providers.hightouch.statuses import hightouch_run_status
from airsync_tui.service.timeline import event_from_job, timeline_from_jobs
from tests.openapi_helpers import OPENAPI_DIR, load_spec

T0 = 1_764_547_200  # 2025-12-01T00:00:00Z
MAYA = {"id": "5f1d3c2a-8b7e-4c1d-9a2b-3c4d5e6f7a81", "email": "maya@acme.example", "name": "Maya Chen", "isDeleted": False}


def raw(event_type: str, summary: dict[str, Any], user: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"id": "e1", "connectionId": "c1", "eventType": event_type, "summary": summary, "createdAt": T0}
    if user:
        body["user"] = user
    return body


FAILURE = {
    "failureOrigin": "destination",
    "failureType": "config_error",
    "externalMessage": "Failed to connect to DB: ab123.snowflakecomputing.com:443. Incorrect username or password was specified.",
    "retryable": False,
    "timestamp": T0 * 1000,
    "streamDescriptor": {"name": "orders"},
}


def final(job_type: str, status: str, **extra: Any) -> dict[str, Any]:
    return {
        "jobId": 4073, "startTimeEpochSeconds": T0 - 600, "endTimeEpochSeconds": T0, "bytesLoaded": 3 * 1024 * 1024,
        "recordsLoaded": 32132, "attemptsCount": 2, "jobType": job_type, "statusType": status, **extra,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("event_type", "job_type", "word", "status"),
    [
        (f"{head}_{tail}", job_type, word, status)
        for head, job_type, word in (("SYNC", "SYNC", "Sync"), ("REFRESH", "REFRESH", "Refresh"), ("CLEAR", "CLEAR", "Clear"))
        for tail, status in (("SUCCEEDED", "succeeded"), ("FAILED", "failed"), ("INCOMPLETE", "incomplete"), ("CANCELLED", "cancelled"))
    ],
)
def test_job_end_events(event_type: str, job_type: str, word: str, status: str) -> None:
    extra = {"failureReason": FAILURE} if status in ("failed", "incomplete") else {}
    event = map_connection_event(raw(event_type, final(job_type, status.upper(), **extra)))
    assert event.event_type == event_type and event.status == status and event.job_id == "4073"
    assert event.title == f"{word} {'partially succeeded' if status == 'incomplete' else status}"
    assert event.records == 32132 and event.bytes == 3 * 1024 * 1024 and event.attempts == 2
    assert event.duration == timedelta(minutes=10) and event.at == datetime.fromtimestamp(T0, tz=UTC)
    assert event.details[0] == "32,132 records loaded · 3.0 MB" and event.details[1] == "2 attempts"
    if extra:
        assert event.failure is not None and event.failure.stream == "orders"
        assert event.details[2].startswith("destination · config_error: Failed to connect to DB")
        assert event.is_failure
    else:
        assert event.failure is None and len(event.details) == 2


@pytest.mark.parametrize(("event_type", "word"), [("SYNC_STARTED", "Sync"), ("REFRESH_STARTED", "Refresh"), ("CLEAR_STARTED", "Clear")])
def test_manual_starts_name_who_started(event_type: str, word: str) -> None:
    event = map_connection_event(raw(event_type, {"jobId": 9, "startTimeEpochSeconds": T0, "jobType": "SYNC"}, MAYA))
    assert event.title == f"{word} started by Maya Chen" and event.user == "Maya Chen" and event.status == "started"


def test_settings_update_says_what_changed_and_who() -> None:
    patches = {
        "scheduleType": {"from": "basic", "to": "cron"},
        "scheduleData": {"from": {"basicSchedule": {"timeUnit": "hours", "units": 24}},
                         "to": {"cron": {"cronExpression": "0 0 2 * * ?", "cronTimeZone": "UTC"}}},
        "nonBreakingChangesPreference": {"from": "ignore", "to": "propagate_columns"},
        "someNewSetting": {"from": None, "to": {"deep": [1, 2]}},
    }  # fmt: skip
    event = map_connection_event(raw("CONNECTION_SETTINGS_UPDATE", {"patches": patches, "updateReason": "USER_EDIT"}, MAYA))
    assert event.details == (
        "schedule type: basic → cron",
        "schedule: every 24 hours → cron 0 0 2 * * ? UTC",
        "non-breaking schema changes: ignore → propagate_columns",
        'some new setting: none → {"deep":[1,2]}',
        "reason: user edit",
    )
    assert event.title.startswith("Settings changed: schedule type, schedule") and event.user == "Maya Chen"


def test_enabled_and_disabled_with_reason() -> None:
    disabled = map_connection_event(raw("CONNECTION_DISABLED", {"disabledReason": "TOO_MANY_FAILED_JOBS_WITH_NO_RECENT_SUCCESS"}))
    assert disabled.title == "Connection disabled: too many failed jobs with no recent success"
    assert disabled.user is None and disabled.is_failure
    breaking = map_connection_event(raw("CONNECTION_DISABLED", {"disabledReason": "SCHEMA_CHANGES_ARE_BREAKING"}))
    assert breaking.title == "Connection disabled: schema changes are breaking"
    enabled = map_connection_event(raw("CONNECTION_ENABLED", {}, MAYA))
    assert enabled.title == "Connection enabled" and enabled.user == "Maya Chen"


def test_schema_update_summarises_the_catalog_diff() -> None:
    diff = {"transforms": [
        {"transformType": "add_stream", "streamDescriptor": {"name": "refunds"}},
        {"transformType": "add_stream", "streamDescriptor": {"name": "disputes"}},
        {"transformType": "remove_stream", "streamDescriptor": {"name": "legacy"}},
        {"transformType": "update_stream", "streamDescriptor": {"name": "charges"}, "updateStream": {"fieldTransforms": [
            {"transformType": "add_field", "fieldName": ["a", "b"], "breaking": False},
            {"transformType": "remove_field", "fieldName": ["source"], "breaking": True},
            {"transformType": "update_field_schema", "fieldName": ["amount"], "breaking": False},
        ]}},
    ]}  # fmt: skip
    event = map_connection_event(raw("SCHEMA_UPDATE", {"startTimeEpochSeconds": T0, "catalogDiff": diff}))
    assert event.title == "Schema changed (breaking)"
    assert event.details == (
        "+ 2 streams: refunds, disputes",
        "- 1 stream: legacy",
        "~ charges: +a.b; -source (breaking: source); ~amount",
    )
    quiet = map_connection_event(raw("SCHEMA_UPDATE", {"catalogDiff": {"transforms": diff["transforms"][:1]}}))
    assert quiet.title == "Schema changed" and quiet.details == ("+ 1 stream: refunds",)


def test_schema_config_update_and_connector_update() -> None:
    config = map_connection_event(raw("SCHEMA_CONFIG_UPDATE", {"catalogConfigDiff": {
        "streamsEnabled": [{"streamName": "refunds", "status": "enabled"}],
        "fieldsDisabled": [{"streamName": "charges", "status": "disabled", "fields": [["x", "y"]]}],
        "syncModesChanged": [{"streamName": "orders"}],
    }}, MAYA))  # fmt: skip
    assert config.title == "Stream selection changed"
    assert config.details == ("streams enabled: refunds", "fields disabled: charges.x.y", "sync mode changed: orders")
    upgrade = map_connection_event(raw("CONNECTOR_UPDATE", {
        "fromVersion": "3.6.18", "toVersion": "3.6.22", "connectorType": "SOURCE", "connectorName": "Postgres", "triggeredBy": "USER",
    }))  # fmt: skip
    assert upgrade.title == "Source Postgres updated 3.6.18 → 3.6.22" and upgrade.details == ("by user",)


def test_unknown_and_future_types_degrade_to_a_title() -> None:
    assert map_connection_event(raw("UNKNOWN", {})).title == "Unknown"
    future = map_connection_event(raw("MAPPER_UPDATE", {"x": 1}))
    assert future.event_type == "UNKNOWN" and future.title == "Mapper update"
    broken = map_connection_event({"eventType": "SYNC_FAILED", "summary": "not an object"})
    assert broken.status == "failed" and broken.failure is None


def test_every_type_in_the_spec_is_known() -> None:
    if not (OPENAPI_DIR / "airbyte-config-api.yaml").is_file():
        pytest.skip(f"Airbyte OpenAPI reference not found at {OPENAPI_DIR}")
    document = load_spec("airbyte-config-api.yaml")
    assert tuple(document["components"]["schemas"]["ConnectionEventType"]["enum"]) == ALL_EVENT_TYPES
    for event_type in ALL_EVENT_TYPES:
        assert map_connection_event(raw(event_type, {})).title  # every type renders


def test_minimal_events_for_the_pulse() -> None:
    event = map_minimal_event({"eventId": "e9", "connectionId": "c1", "connectionName": "Stripe → BigQuery",
                               "createdAt": "2025-12-01T00:00:00Z", "eventType": "SYNC_INCOMPLETE"})  # fmt: skip
    assert event.status == "incomplete" and event.connection_name == "Stripe → BigQuery"
    assert event.at == datetime.fromtimestamp(T0, tz=UTC)


def test_jobs_become_the_same_events_for_servers_without_an_event_log() -> None:
    at = datetime.fromtimestamp(T0, tz=UTC)
    jobs = [
        Job(provider="hightouch", id="1", connection_id="58201", status=hightouch_run_status("warning"), created_at=at,
            ended_at=at + timedelta(minutes=2), duration=timedelta(minutes=2), records_synced=892,
            row_breakdown=(RowBreakdown(label="planned", added=3, changed=2, removed=1),)),
        Job(provider="hightouch", id="2", connection_id="58201", job_type="full_resync", status=hightouch_run_status("failed"),
            created_at=at + timedelta(hours=1), ended_at=at + timedelta(hours=1, minutes=1), error="Query failed: column 'x' not found"),
        Job(provider="airbyte", id="3", connection_id="c1", job_type="reset", status=airbyte_job_status("running"),
            created_at=at + timedelta(hours=2), started_at=at + timedelta(hours=2)),
    ]  # fmt: skip
    events = timeline_from_jobs(jobs, "customers → salesforce")
    assert [e.event_type for e in events] == ["CLEAR_STARTED", "REFRESH_FAILED", "SYNC_SUCCEEDED"]
    assert events[1].failure is not None and events[1].details == ("Query failed: column 'x' not found",)
    assert events[2].details == ("finished with warnings (warning)", "892 records", "planned: +3 ~2 -1")
    assert all(e.origin == "jobs" for e in events)
    assert event_from_job(jobs[2]).title == "Clear running"
