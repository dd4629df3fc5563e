"""Wire models: every timestamp shape, open enums, both log shapes, leniency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airsync_tui.providers.airbyte.mapping import map_config_job, map_connection, map_job_detail, map_public_job
from airsync_tui.providers.airbyte.wire import (
    AttemptInfoRead,
    ConnectionResponse,
    JobInfoRead,
    JobResponse,
    JobsResponse,
    LogEvents,
    LogRead,
    ProblemBody,
)

UTC = UTC


def test_public_job_times_iso_with_and_without_seconds_and_duration() -> None:
    job = JobResponse.model_validate(
        {
            "jobId": 4812,
            "status": "succeeded",
            "jobType": "sync",
            "connectionId": "c1",
            "startTime": "2026-03-02T08:15Z",
            "lastUpdatedAt": "2026-03-02T08:21:40.123456+00:00",
            "duration": "PT6M36S",
            "bytesSynced": 1048576,
            "rowsSynced": 12000,
            "someNewField": {"x": 1},
        }
    )
    assert job.start_time == datetime(2026, 3, 2, 8, 15, tzinfo=UTC)
    assert job.last_updated_at == datetime(2026, 3, 2, 8, 21, 40, 123456, tzinfo=UTC)
    assert job.duration == timedelta(minutes=6, seconds=36)
    mapped = map_public_job(job)
    assert mapped.id == "4812" and mapped.records_synced == 12000 and mapped.ended_at == job.last_updated_at


def test_unknown_status_is_kept_and_flagged_not_raised() -> None:
    job = map_public_job(
        JobResponse.model_validate(
            {"jobId": 1, "status": "hibernating", "jobType": "teleport", "connectionId": "c", "startTime": "2026-03-02T08:15:04Z"}
        )
    )
    assert job.status.raw == "hibernating" and job.status.known is False
    assert job.status.is_active  # keep polling, never a false "finished"
    assert job.job_type == "teleport"
    queued = map_public_job(
        JobResponse.model_validate({"jobId": 2, "status": "queued", "jobType": "sync", "connectionId": "c", "startTime": "x"})
    )
    assert queued.status.known and queued.status.is_active and queued.created_at is None  # bad time → None


def test_config_times_are_seconds_failures_and_logs_are_millis() -> None:
    info = JobInfoRead.model_validate(
        {
            "job": {
                "id": 7,
                "configType": "reset_connection",
                "configId": "c1",
                "createdAt": 1767258904,
                "updatedAt": 1767259010,
                "status": "failed",
            },
            "attempts": [
                {
                    "attempt": {
                        "id": 0,
                        "status": "failed",
                        "createdAt": 1767258904,
                        "updatedAt": 1767259010,
                        "endedAt": 1767259010,
                        "failureSummary": {
                            "failures": [
                                {
                                    "timestamp": 1767259010123,
                                    "failureOrigin": "source",
                                    "failureType": "brand_new_type",
                                    "externalMessage": "Invalid credentials",
                                }
                            ],
                            "partialSuccess": False,
                        },
                    },
                    "logType": "structured",
                    "logs": {
                        "version": "1",
                        "events": [{"timestamp": 1767258905123, "level": "info", "logSource": "platform", "message": "hi"}],
                    },
                }
            ],
        }
    )
    attempt = info.attempts[0].attempt
    assert attempt.created_at == datetime.fromtimestamp(1767258904, UTC)
    failure = attempt.failure_summary.failures[0]
    assert failure.timestamp == datetime.fromtimestamp(1767259010.123, UTC)
    assert isinstance(info.attempts[0].logs, LogEvents) and info.attempts[0].logs.events[0].timestamp == 1767258905123
    detail = map_job_detail(info, now=None)
    assert detail.job.job_type == "reset" and detail.job.duration == timedelta(seconds=106)
    assert detail.attempts[0].failure_summary == "source · brand_new_type: Invalid credentials"
    assert detail.job.error and "Invalid credentials" in detail.job.error


def test_legacy_logs_and_missing_logs() -> None:
    legacy = AttemptInfoRead.model_validate(
        {"attempt": {"id": 1, "status": "running", "createdAt": 1}, "logType": "formatted", "logs": {"logLines": ["a", "b"]}}
    )
    assert isinstance(legacy.logs, LogRead) and legacy.logs.log_lines == ["a", "b"]
    none = AttemptInfoRead.model_validate({"attempt": {"id": 1, "status": "weird", "createdAt": 1}, "logs": {}})
    assert none.logs is None and none.attempt.status == "weird"


def test_connection_schedule_tags_streams_and_epoch_created_at() -> None:
    wire = ConnectionResponse.model_validate(
        {
            "connectionId": "c1",
            "name": "PG → SF",
            "sourceId": "s",
            "destinationId": "d",
            "workspaceId": "w",
            "status": "inactive",
            "schedule": {"scheduleType": "cron", "cronExpression": "0 0 */6 * * ? UTC"},
            "configurations": {"streams": [{"name": "orders", "syncMode": "incremental_append"}, {"name": "users"}]},
            "createdAt": 1767258904,
            "tags": [{"tagId": "t", "workspaceId": "w", "name": "prod", "color": "red"}],
        }
    )
    conn = map_connection(wire, web_url="u")
    assert conn.schedule.kind == "cron" and conn.schedule.describe() == "every 6 hours"
    assert conn.streams == ("orders", "users") and conn.enabled is False and wire.tags[0].name == "prod"
    assert conn.created_at == datetime.fromtimestamp(1767258904, UTC)
    basic = map_connection(
        ConnectionResponse.model_validate({"connectionId": "c", "schedule": {"scheduleType": "basic", "basicTiming": "Every 24 HOURS"}})
    )
    assert basic.schedule.describe() == "every 24 hours"


def test_live_progress_uses_current_attempt_and_its_created_at() -> None:
    info = JobInfoRead.model_validate(
        {
            "job": {"id": 9, "configType": "sync", "configId": "c", "createdAt": 1000, "updatedAt": 1100, "status": "running"},
            "attempts": [
                {
                    "attempt": {
                        "id": 0,
                        "status": "failed",
                        "createdAt": 1000,
                        "updatedAt": 1050,
                        "totalStats": {"recordsEmitted": 999, "estimatedRecords": 1000},
                    }
                },
                {
                    "attempt": {
                        "id": 1,
                        "status": "running",
                        "createdAt": 1060,
                        "updatedAt": 1100,
                        "totalStats": {"recordsEmitted": 250, "estimatedRecords": 1000, "recordsCommitted": 100},
                        "streamStats": [
                            {
                                "streamName": "orders",
                                "streamNamespace": "public",
                                "stats": {"recordsEmitted": 250, "estimatedRecords": 1000},
                            }
                        ],
                    }
                },
            ],
        }
    )
    now = datetime.fromtimestamp(1100, UTC)
    detail = map_job_detail(info, now=now)
    assert detail.progress is not None and detail.progress.ratio == 0.25
    assert detail.progress.elapsed == timedelta(seconds=40)
    assert detail.progress.eta == timedelta(seconds=120)
    assert detail.streams[0].name == "orders" and detail.streams[0].namespace == "public"
    assert detail.current_attempt.number == 1
    job = map_config_job(info.job, [a.attempt for a in info.attempts], now=now)
    assert job.progress == detail.progress


def test_list_envelope_and_problem_body() -> None:
    page = JobsResponse.model_validate({"data": [], "next": "", "previous": ""})
    assert page.data == []
    problem = ProblemBody.model_validate(
        {
            "status": 409,
            "type": "x",
            "title": "try-again-later",
            "detail": "Please",
            "data": {"message": "A sync is already running for: c"},
        }
    )
    assert problem.data_message == "A sync is already running for: c"
