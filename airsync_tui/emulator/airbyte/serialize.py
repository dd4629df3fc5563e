"""Wire shapes of the public (v1) and config APIs, built from world records.

Units are the easiest thing to get wrong, so they are centralised here:
public job times are ISO strings rendered like Java's `OffsetDateTime.toString()`
(seconds dropped when zero), `duration` is an ISO-8601 duration, config times
are epoch seconds, failure and log-event timestamps are epoch milliseconds.
"Hydrated" (live) stats only appear where the real server hydrates them (§2.5).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from airsync_tui.emulator.airbyte.logs import attempt_logs, fill_failure_text
from airsync_tui.emulator.airbyte.model import TERMINAL_STATUSES, Attempt, Connection, Job, StreamProgress, stream_progress
from airsync_tui.emulator.airbyte.world import AirbyteWorld, Workspace
from airsync_tui.emulator.http import drop_none


def java_iso(epoch_s: float) -> str:
    """UTC ISO string as `OffsetDateTime.toString()` prints it: `…T08:15Z` when seconds are 0."""
    moment = dt.datetime.fromtimestamp(int(epoch_s), dt.UTC)
    if moment.second == 0:
        return moment.strftime("%Y-%m-%dT%H:%MZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_duration(seconds: float) -> str:
    """ISO-8601 duration as Java's `Duration.toString()` prints it (hours never roll into days)."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if total == 0:
        return "PT0S"
    out = "PT"
    if hours:
        out += f"{hours}H"
    if minutes:
        out += f"{minutes}M"
    if secs:
        out += f"{secs}S"
    return out


def parse_iso(text: str) -> float:
    """Parse an ISO-8601 date-time (with `Z` or offset; naive means UTC) to epoch seconds."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


# ------------------------------------------------------------------ stats helpers


def _job_totals(job: Job, now: float) -> tuple[int, int, int, int, list[list[StreamProgress]]]:
    per_attempt = [stream_progress(job, attempt, now) for attempt in job.attempts]
    records_emitted = sum(s.records_emitted for streams in per_attempt for s in streams)
    bytes_emitted = sum(s.bytes_emitted for streams in per_attempt for s in streams)
    records_committed = sum(s.records_committed for streams in per_attempt for s in streams)
    bytes_committed = sum(s.bytes_committed for streams in per_attempt for s in streams)
    return records_emitted, bytes_emitted, records_committed, bytes_committed, per_attempt


# ------------------------------------------------------------------ public API


def public_job(job: Job, now: float) -> dict[str, Any]:
    _, _, records_committed, bytes_committed, _ = _job_totals(job, now)
    body: dict[str, Any] = {
        "jobId": job.job_id,
        "status": job.status,
        "jobType": job.job_type,
        "startTime": java_iso(job.created_at),
        "connectionId": job.connection.connection_id,
    }
    if job.status in TERMINAL_STATUSES:
        body["lastUpdatedAt"] = java_iso(job.updated_at)
    if job.status != "pending":
        body["duration"] = iso_duration(int(job.updated_at) - int(job.created_at))
    body["bytesSynced"] = bytes_committed
    body["rowsSynced"] = records_committed
    return body


def public_connection(world: AirbyteWorld, connection: Connection) -> dict[str, Any]:
    schedule: dict[str, Any] = {"scheduleType": connection.schedule_kind}
    if connection.schedule_kind == "cron":
        schedule["cronExpression"] = connection.schedule_expression
    elif connection.schedule_kind == "basic":
        schedule["basicTiming"] = connection.schedule_expression
    streams = []
    for spec in connection.streams:
        streams.append(
            drop_none(
                {
                    "name": spec.name,
                    "namespace": spec.namespace,
                    "syncMode": spec.sync_mode,
                    "cursorField": list(spec.cursor_field),
                    "primaryKey": [list(path) for path in spec.primary_key],
                    "selectedFields": [],
                    "mappers": [],
                }
            )
        )
    tags = []
    for name in connection.tag_names:
        tag = world.tag(connection.workspace_id, name)
        tags.append({"tagId": tag.tag_id, "workspaceId": tag.workspace_id, "name": tag.name, "color": tag.color})
    return drop_none(
        {
            "connectionId": connection.connection_id,
            "name": connection.name,
            "sourceId": connection.source_id,
            "destinationId": connection.destination_id,
            "workspaceId": connection.workspace_id,
            "status": connection.status,
            "schedule": schedule,
            "nonBreakingSchemaUpdatesBehavior": "propagate_columns",
            "namespaceDefinition": "destination",
            "prefix": connection.prefix,
            "configurations": {"streams": streams},
            "createdAt": connection.created_at,
            "tags": tags,
        }
    )


def public_workspace(workspace: Workspace) -> dict[str, Any]:
    def notification(email: bool, webhook: bool) -> dict[str, Any]:
        hook: dict[str, Any] = {"enabled": webhook and workspace.webhook_url is not None}
        if workspace.webhook_url:
            hook["url"] = workspace.webhook_url
        return {"email": {"enabled": email}, "webhook": hook}

    return {
        "workspaceId": workspace.workspace_id,
        "name": workspace.name,
        "dataResidency": workspace.data_residency,
        "notifications": {
            "failure": notification(workspace.notification_email, True),
            "success": notification(False, False),
            "connectionUpdate": notification(True, False),
            "connectionUpdateActionRequired": notification(True, True),
            "syncDisabled": notification(True, True),
            "syncDisabledWarning": notification(True, False),
        },
    }


# ------------------------------------------------------------------ config API


def config_job(job: Job, now: float, *, hydrated: bool) -> dict[str, Any]:
    conn = job.connection
    body: dict[str, Any] = {
        "id": job.job_id,
        "configType": job.config_type,
        "configId": conn.connection_id,
        "enabledStreams": [drop_none({"name": s.name, "namespace": s.namespace}) for s in conn.streams],
        "createdAt": int(job.created_at),
        "updatedAt": int(job.updated_at),
        "status": job.status,
    }
    if job.started_at is not None:
        body["startedAt"] = int(job.started_at)
    scoped = [s for s in conn.streams if job.stream_scope is None or s.name in job.stream_scope]
    if job.job_type in ("reset", "clear"):
        body["resetConfig"] = {"streamsToReset": [drop_none({"name": s.name, "namespace": s.namespace}) for s in scoped]}
    if job.job_type == "refresh":
        body["refreshConfig"] = {"streamsToRefresh": [drop_none({"name": s.name, "namespace": s.namespace}) for s in scoped]}
    if hydrated:
        records_emitted, bytes_emitted, records_committed, bytes_committed, per_attempt = _job_totals(job, now)
        body["aggregatedStats"] = {
            "recordsEmitted": records_emitted,
            "bytesEmitted": bytes_emitted,
            "recordsCommitted": records_committed,
            "bytesCommitted": bytes_committed,
            "recordsRejected": 0,
        }
        streams_out = []
        for i, spec in enumerate(conn.streams):
            rows = [streams[i] for streams in per_attempt]
            streams_out.append(
                drop_none(
                    {
                        "streamName": spec.name,
                        "streamNamespace": spec.namespace,
                        "recordsEmitted": sum(r.records_emitted for r in rows),
                        "bytesEmitted": sum(r.bytes_emitted for r in rows),
                        "recordsCommitted": sum(r.records_committed for r in rows),
                        "bytesCommitted": sum(r.bytes_committed for r in rows),
                        "recordsRejected": 0,
                        "wasBackfilled": False,
                        "wasResumed": len(rows) > 1,
                    }
                )
            )
        body["streamAggregatedStats"] = streams_out
    return body


def _failure_reason(job: Job, attempt: Attempt) -> dict[str, Any]:
    failure = attempt.failure
    assert failure is not None and attempt.ended_at is not None
    reason: dict[str, Any] = {
        "failureOrigin": failure.origin,
        "failureType": failure.failure_type,
        "externalMessage": fill_failure_text(failure.external, job, attempt.failure_stream),
        "internalMessage": fill_failure_text(failure.internal, job, attempt.failure_stream),
        "retryable": failure.retryable,
        "timestamp": int(attempt.ended_at * 1000),
        "fromTraceMessage": failure.from_trace_message,
    }
    if job.connection.omits_required:
        del reason["timestamp"]
    if failure.stacktrace:
        reason["stacktrace"] = fill_failure_text(failure.stacktrace, job, attempt.failure_stream)
    if failure.stream_scoped and attempt.failure_stream:
        spec = next((s for s in job.connection.streams if s.name == attempt.failure_stream), None)
        reason["streamDescriptor"] = drop_none({"name": attempt.failure_stream, "namespace": spec.namespace if spec else None})
    return reason


def live_attempt_stats(streams: list[StreamProgress]) -> dict[str, Any]:
    """Hydrated `AttemptStats`: live counters plus estimates when the source sends any."""
    stats: dict[str, Any] = {
        "recordsEmitted": sum(s.records_emitted for s in streams),
        "bytesEmitted": sum(s.bytes_emitted for s in streams),
        "recordsCommitted": sum(s.records_committed for s in streams),
        "recordsRejected": 0,
    }
    estimated = [s for s in streams if s.estimated_records is not None]
    if estimated:
        stats["estimatedRecords"] = sum(s.estimated_records or 0 for s in estimated)
        stats["estimatedBytes"] = sum(s.estimated_bytes or 0 for s in estimated)
    return stats


def config_attempt(job: Job, attempt: Attempt, now: float, *, hydrated: bool) -> dict[str, Any]:
    updated = attempt.ended_at if attempt.ended_at is not None else max(attempt.created_at, now)
    body: dict[str, Any] = {
        "id": attempt.number,
        "status": attempt.status,
        "createdAt": int(attempt.created_at),
        "updatedAt": int(updated),
    }
    if attempt.ended_at is not None:
        body["endedAt"] = int(attempt.ended_at)
    streams = stream_progress(job, attempt, now)
    finished = attempt.ended_at is not None
    if finished:
        body["bytesSynced"] = sum(s.bytes_committed for s in streams)
        body["recordsSynced"] = sum(s.records_committed for s in streams)
    if hydrated:
        body["totalStats"] = live_attempt_stats(streams)
        body["streamStats"] = [
            drop_none(
                {
                    "streamName": s.name,
                    "streamNamespace": s.namespace,
                    "stats": drop_none(
                        {
                            "recordsEmitted": s.records_emitted,
                            "bytesEmitted": s.bytes_emitted,
                            "recordsCommitted": s.records_committed,
                            "recordsRejected": 0,
                            "estimatedRecords": s.estimated_records,
                            "estimatedBytes": s.estimated_bytes,
                        }
                    ),
                }
            )
            for s in streams
        ]
    elif finished:
        # Non-hydrated: only the finished attempt's output, no estimates, no namespace (§2.5).
        body["totalStats"] = {
            "bytesEmitted": sum(s.bytes_emitted for s in streams),
            "recordsEmitted": sum(s.records_emitted for s in streams),
            "stateMessagesEmitted": sum(s.state_messages for s in streams),
            "recordsCommitted": sum(s.records_committed for s in streams),
        }
        body["streamStats"] = [
            {
                "streamName": s.name,
                "stats": {
                    "bytesEmitted": s.bytes_emitted,
                    "recordsEmitted": s.records_emitted,
                    "stateMessagesEmitted": s.state_messages,
                    "recordsCommitted": s.records_committed,
                },
            }
            for s in streams
        ]
    if attempt.failure is not None and attempt.ended_at is not None:
        committed = sum(s.records_committed for s in streams)
        body["failureSummary"] = {"failures": [_failure_reason(job, attempt)], "partialSuccess": committed > 0}
    if job.connection.omits_required:
        del body["id"]
    return body


def attempt_info(job: Job, attempt: Attempt, now: float, *, with_logs: bool, hydrated: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"attempt": config_attempt(job, attempt, now, hydrated=hydrated)}
    if with_logs:
        log_type, logs = attempt_logs(job, attempt, now)
        body["logType"] = log_type
        body["logs"] = logs
    return body


def job_info(job: Job, now: float, *, with_logs: bool, hydrated: bool) -> dict[str, Any]:
    return {
        "job": config_job(job, now, hydrated=hydrated),
        "attempts": [attempt_info(job, a, now, with_logs=with_logs, hydrated=hydrated) for a in job.attempts],
    }


def job_with_attempts(job: Job, now: float) -> dict[str, Any]:
    """`JobWithAttemptsRead` for list endpoints: live stats, no logs."""
    return {
        "job": config_job(job, now, hydrated=True),
        "attempts": [config_attempt(job, a, now, hydrated=True) for a in job.attempts],
    }


def combined_stats(job: Job, attempt: Attempt, now: float) -> dict[str, Any]:
    streams = stream_progress(job, attempt, now)
    stats = live_attempt_stats(streams)
    stats["bytesCommitted"] = sum(s.bytes_committed for s in streams)
    return stats


def sync_progress(world: AirbyteWorld, connection: Connection, now: float) -> dict[str, Any]:
    job_id = connection.active_job_id
    if job_id is None:
        return {"connectionId": connection.connection_id, "streams": [], "configType": "sync"}
    job = world.get_job(job_id)
    if not job.attempts:
        streams_now: list[StreamProgress] = []
    else:
        streams_now = stream_progress(job, job.attempts[-1], now)
    items = [
        drop_none(
            {
                "streamName": s.name,
                "streamNamespace": s.namespace,
                "configType": job.config_type,
                "recordsEmitted": s.records_emitted,
                "bytesEmitted": s.bytes_emitted,
                "recordsCommitted": s.records_committed,
                "bytesCommitted": s.bytes_committed,
                "recordsRejected": 0,
            }
        )
        for s in streams_now
    ]
    return {
        "connectionId": connection.connection_id,
        "jobId": job.job_id,
        "configType": job.config_type,
        "syncStartedAt": int(job.created_at),
        "streams": items,
        "recordsEmitted": sum(s.records_emitted for s in streams_now),
        "recordsCommitted": sum(s.records_committed for s in streams_now),
        "recordsRejected": 0,
        "bytesEmitted": sum(s.bytes_emitted for s in streams_now),
        "bytesCommitted": sum(s.bytes_committed for s in streams_now),
    }


def connection_status(world: AirbyteWorld, connection: Connection, now: float) -> dict[str, Any]:
    jobs = [world.get_job(i) for i in connection.job_ids]
    sync_jobs = [j for j in jobs if j.job_type == "sync"]
    active = world.get_job(connection.active_job_id) if connection.active_job_id is not None else None
    finished = [j for j in sync_jobs if j.is_terminal]
    last = finished[-1] if finished else None
    succeeded = [j for j in finished if j.status == "succeeded"]
    if connection.status != "active":
        state = "paused"
    elif active is not None:
        state = {"running": "running", "pending": "pending", "incomplete": "incomplete", "queued": "queued"}[active.status]
    elif last is not None and last.status == "failed":
        state = "failed"
    elif last is not None:
        state = "synced"
    else:
        state = "pending"
    body: dict[str, Any] = {"connectionId": connection.connection_id, "connectionSyncStatus": state}
    if active is not None:
        body["activeJob"] = config_job(active, now, hydrated=False)
    if succeeded:
        body["lastSuccessfulSync"] = int(succeeded[-1].updated_at)
    if last is not None:
        body["lastSyncJobId"] = last.job_id
        body["lastSyncJobCreatedAt"] = int(last.created_at)
        if last.attempts:
            body["lastSyncAttemptNumber"] = last.attempts[-1].number
            if last.status == "failed" and last.attempts[-1].failure is not None:
                body["failureReason"] = _failure_reason(last, last.attempts[-1])
    return body
