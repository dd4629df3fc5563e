"""Wire models → neutral domain models (pure functions, no I/O).

Kept apart from the provider so every mapping rule is unit-testable alone:
which counts mean "synced" (committed), which attempt drives live progress
(the CURRENT one, started at its own createdAt), and how unknown statuses
survive (kept verbatim and flagged, never a crash).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from airsync_tui.models.domain import (
    Attempt,
    Connection,
    FailureInfo,
    Job,
    JobDetail,
    Progress,
    Schedule,
    StreamProgress,
    Workspace,
)
from airsync_tui.models.progress import compute_progress
from airsync_tui.models.status import JobStatus
from airsync_tui.providers.airbyte.statuses import AIRBYTE_ATTEMPT_STATUSES, airbyte_job_status
from airsync_tui.providers.airbyte.wire import (
    CONFIG_TYPE_TO_JOB_TYPE,
    AttemptRead,
    AttemptStats,
    AttemptStreamStats,
    ConnectionResponse,
    FailureReason,
    JobInfoRead,
    JobRead,
    JobResponse,
    StreamKey,
    StreamStats,
    SyncCounts,
    WorkspaceResponse,
)

PROVIDER = "airbyte"


def map_workspace(wire: WorkspaceResponse) -> Workspace:
    return Workspace(provider=PROVIDER, id=wire.workspace_id, name=wire.name or wire.workspace_id, data_residency=wire.data_residency)


def map_connection(wire: ConnectionResponse, *, web_url: str | None = None) -> Connection:
    schedule = Schedule(
        kind=(wire.schedule.schedule_type or "manual").lower(),
        expression=wire.schedule.cron_expression or wire.schedule.basic_timing,
    )
    status = (wire.status or "active").lower()
    return Connection(
        provider=PROVIDER,
        id=wire.connection_id,
        name=wire.name or wire.connection_id,
        workspace_id=wire.workspace_id,
        status=status,
        enabled=status == "active",
        schedule=schedule,
        streams=tuple(s.name for s in wire.configurations.streams),
        source=wire.source_id,
        destination=wire.destination_id,
        web_url=web_url,
        created_at=wire.created_at,
    )


def map_public_job(wire: JobResponse, *, web_url: str | None = None) -> Job:
    """Public `JobResponse` → Job. `startTime` is the job's createdAt; counts are committed."""
    status = airbyte_job_status(wire.status)
    ended = wire.last_updated_at if status.is_terminal else None
    return Job(
        provider=PROVIDER,
        id=str(wire.job_id),
        connection_id=wire.connection_id,
        job_type=(wire.job_type or "sync").lower(),
        status=status,
        created_at=wire.start_time,
        updated_at=wire.last_updated_at,
        ended_at=ended,
        duration=wire.duration,
        records_synced=wire.rows_synced,
        bytes_synced=wire.bytes_synced,
        web_url=web_url,
    )


def attempt_status(raw: str | None) -> JobStatus:
    return JobStatus.classify(raw, AIRBYTE_ATTEMPT_STATUSES)


def map_failure(wire: FailureReason) -> FailureInfo:
    return FailureInfo(
        origin=wire.failure_origin,
        type=wire.failure_type,
        message=wire.external_message,
        internal_message=wire.internal_message,
        stacktrace=wire.stacktrace,
        retryable=wire.retryable,
        timestamp=wire.timestamp,
        stream=wire.stream_descriptor.name if wire.stream_descriptor else None,
        missing=("timestamp",) if wire.timestamp is None else (),
    )


def _stream_progress(key: StreamKey, counts: SyncCounts, estimated: AttemptStats | None = None) -> StreamProgress:
    """One stream's counts; only attempt stats carry the estimates."""
    return StreamProgress(
        name=key.stream_name,
        namespace=key.stream_namespace,
        records_emitted=counts.records_emitted,
        records_committed=counts.records_committed,
        bytes_emitted=counts.bytes_emitted,
        bytes_committed=counts.bytes_committed,
        estimated_records=estimated.estimated_records if estimated else None,
        estimated_bytes=estimated.estimated_bytes if estimated else None,
    )


def map_attempt_stream(wire: AttemptStreamStats) -> StreamProgress:
    return _stream_progress(wire, wire.stats, wire.stats)


def map_job_stream(wire: StreamStats) -> StreamProgress:
    return _stream_progress(wire, wire)


def map_attempt(wire: AttemptRead, position: int | None = None) -> Attempt:
    """``position``: the attempt's index in its job's list, which is its
    number when an older server leaves out the spec-required ``id``."""
    totals = wire.total_stats
    failures = wire.failure_summary.failures if wire.failure_summary else []
    number = wire.id if wire.id is not None else position
    if number is None:
        raise ValueError("an attempt without 'id' can only be read within its job's attempt list")
    return Attempt(
        number=number,
        missing=("id",) if wire.id is None else (),
        status=attempt_status(wire.status),
        created_at=wire.created_at,
        updated_at=wire.updated_at,
        ended_at=wire.ended_at,
        records_emitted=totals.records_emitted if totals else None,
        records_committed=(totals.records_committed if totals and totals.records_committed is not None else wire.records_synced),
        bytes_emitted=totals.bytes_emitted if totals else None,
        bytes_committed=(totals.bytes_committed if totals and totals.bytes_committed is not None else wire.bytes_synced),
        failures=tuple(map_failure(f) for f in failures),
        partial_success=wire.failure_summary.partial_success if wire.failure_summary else None,
        streams=tuple(map_attempt_stream(s) for s in wire.stream_stats),
    )


def attempt_progress(wire: AttemptRead, now: datetime | None) -> Progress:
    """Live progress from the CURRENT attempt's totalStats + streamStats, started at its createdAt."""
    totals = wire.total_stats
    if now is not None and wire.updated_at is not None and wire.updated_at > now:
        now = wire.updated_at  # the server's clock may run ahead of the Date header we saw
    return compute_progress(
        records_emitted=totals.records_emitted if totals else None,
        records_committed=totals.records_committed if totals else None,
        bytes_emitted=totals.bytes_emitted if totals else None,
        bytes_committed=totals.bytes_committed if totals else None,
        estimated_records=totals.estimated_records if totals else None,
        estimated_bytes=totals.estimated_bytes if totals else None,
        streams=[map_attempt_stream(s) for s in wire.stream_stats],
        started_at=wire.created_at,
        now=now,
    )


def map_config_job(wire: JobRead, attempts: Sequence[AttemptRead], *, now: datetime | None, web_url: str | None = None) -> Job:
    """Config `JobRead` (+ its attempts) → Job, with live progress while active."""
    status = airbyte_job_status(wire.status)
    current = attempts[-1] if attempts else None
    progress: Progress | None = None
    if status.is_active and current is not None:
        progress = attempt_progress(current, now)
    records, bytes_ = _committed(wire, attempts)
    duration = None
    if status.is_terminal and wire.created_at and wire.updated_at:
        duration = wire.updated_at - wire.created_at
    return Job(
        provider=PROVIDER,
        id=str(wire.id),
        connection_id=wire.config_id,
        job_type=CONFIG_TYPE_TO_JOB_TYPE.get((wire.config_type or "sync").lower(), (wire.config_type or "sync").lower()),
        status=status,
        created_at=wire.created_at,
        started_at=wire.started_at,
        updated_at=wire.updated_at,
        ended_at=wire.updated_at if status.is_terminal else None,
        duration=duration,
        records_synced=records,
        bytes_synced=bytes_,
        progress=progress,
        error=_last_failure(attempts),
        web_url=web_url,
        extra={"attempts": len(attempts)},
    )


def _committed(wire: JobRead, attempts: Sequence[AttemptRead]) -> tuple[int | None, int | None]:
    if wire.aggregated_stats is not None:
        return wire.aggregated_stats.records_committed, wire.aggregated_stats.bytes_committed
    records = _sum(a.total_stats.records_committed if a.total_stats else a.records_synced for a in attempts)
    bytes_ = _sum(a.total_stats.bytes_committed if a.total_stats else a.bytes_synced for a in attempts)
    return records, bytes_


def _sum(values: Iterable[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _last_failure(attempts: Sequence[AttemptRead]) -> str | None:
    for attempt in reversed(attempts):
        if attempt.failure_summary and attempt.failure_summary.failures:
            return map_failure(attempt.failure_summary.failures[0]).summary()
    return None


def map_job_detail(info: JobInfoRead, *, now: datetime | None, web_url: str | None = None) -> JobDetail:
    wires = [a.attempt for a in info.attempts]
    job = map_config_job(info.job, wires, now=now, web_url=web_url)
    streams: tuple[StreamProgress, ...] = ()
    if wires and wires[-1].stream_stats:
        streams = tuple(map_attempt_stream(s) for s in wires[-1].stream_stats)
    elif info.job.stream_aggregated_stats:
        streams = tuple(map_job_stream(s) for s in info.job.stream_aggregated_stats)
    return JobDetail(job=job, attempts=tuple(map_attempt(a, i) for i, a in enumerate(wires)), streams=streams, progress=job.progress)


__all__ = [
    "PROVIDER",
    "attempt_progress",
    "attempt_status",
    "map_attempt",
    "map_config_job",
    "map_connection",
    "map_failure",
    "map_job_detail",
    "map_public_job",
    "map_workspace",
]
