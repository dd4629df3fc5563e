"""Pydantic wire models for Airbyte's public API (v1) and config API.

Why lenient: Airbyte adds enum values over time (`queued` in 2026 broke every
closed-enum client, airbyte-api-python-sdk#141) and omits null fields
(Jackson NON_ABSENT). So every model ignores unknown fields, statuses and
types stay plain strings (classified later through `providers/airbyte/statuses.py`), and a
malformed time becomes None instead of failing the whole page.

Why per-field time types: the units differ by API and by field (see
`models/timeparse.py`): public job times are ISO strings (seconds dropped when
zero), config job/attempt times are epoch SECONDS, failure and log-event
timestamps are epoch MILLISECONDS. Each field names its unit in its type.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel

from airsync_tui.models import guard
from airsync_tui.models.timeparse import TimeParseError, parse_duration, parse_time


def _lenient_time(unit: str) -> Callable[[Any], datetime | None]:
    def parse(value: Any) -> datetime | None:
        try:
            return guard.moment(parse_time(value, epoch_unit=unit))
        except (TimeParseError, ValueError, OverflowError, OSError):
            guard.report("time", value, "not a time")
            return None

    return parse


def _lenient_duration(value: Any) -> timedelta | None:
    if isinstance(value, timedelta):
        return value
    if not isinstance(value, str):
        return None
    try:
        return guard.duration(parse_duration(value))
    except (TimeParseError, ValueError, OverflowError):
        guard.report("duration", value, "not a usable ISO-8601 duration")
        return None


def _lenient_str(value: Any) -> str | None:
    """Enum-ish fields: keep whatever text arrives, never reject it."""
    if value is None:
        return None
    return str(value)


def _lenient_int(value: Any) -> int | None:
    return guard.count(value)


IsoTime = Annotated[datetime | None, BeforeValidator(_lenient_time("s"))]
"""Public API time: ISO-8601 text, possibly without seconds (`2026-03-02T08:15Z`)."""

EpochSeconds = Annotated[datetime | None, BeforeValidator(_lenient_time("s"))]
"""Config API job/attempt times and public `ConnectionResponse.createdAt`."""

EpochMillis = Annotated[datetime | None, BeforeValidator(_lenient_time("ms"))]
"""Failure-reason timestamps."""

IsoDuration = Annotated[timedelta | None, BeforeValidator(_lenient_duration)]
OpenStr = Annotated[str | None, BeforeValidator(_lenient_str)]
Count = Annotated[int | None, BeforeValidator(_lenient_int)]


class Wire(BaseModel):
    """Base for every wire model: camelCase on the wire, unknown fields ignored."""

    # defer_build: a schema is built when a model is first used, not at import
    # (most wire models are not needed before the first screen is painted).
    model_config = ConfigDict(extra="ignore", alias_generator=to_camel, populate_by_name=True, defer_build=True)


# --------------------------------------------------------------------------- public API


class TokenResponse(Wire):
    access_token: str
    token_type: OpenStr = "Bearer"
    expires_in: Count = None


class WorkspaceResponse(Wire):
    workspace_id: str
    name: str = ""
    data_residency: OpenStr = None


class WorkspacesResponse(Wire):
    data: list[WorkspaceResponse] = Field(default_factory=list)
    next: str | None = None
    previous: str | None = None


class ScheduleResponse(Wire):
    schedule_type: str = "manual"
    cron_expression: str | None = None
    basic_timing: str | None = None


class StreamConfiguration(Wire):
    name: str
    namespace: str | None = None
    sync_mode: OpenStr = None


class StreamConfigurations(Wire):
    streams: list[StreamConfiguration] = Field(default_factory=list)


class Tag(Wire):
    tag_id: str | None = None
    workspace_id: str | None = None
    name: str = ""
    color: str | None = None


class ConnectionResponse(Wire):
    connection_id: str
    name: str = ""
    source_id: str | None = None
    destination_id: str | None = None
    workspace_id: str | None = None
    status: OpenStr = "active"
    status_reason: str | None = None
    schedule: ScheduleResponse = Field(default_factory=ScheduleResponse)
    configurations: StreamConfigurations = Field(default_factory=StreamConfigurations)
    created_at: EpochSeconds = None
    tags: list[Tag] = Field(default_factory=list)
    prefix: str | None = None
    namespace_definition: OpenStr = None
    namespace_format: str | None = None
    non_breaking_schema_updates_behavior: OpenStr = None


class ConnectionsResponse(Wire):
    data: list[ConnectionResponse] = Field(default_factory=list)
    next: str | None = None
    previous: str | None = None


class JobResponse(Wire):
    job_id: int
    status: OpenStr = None
    job_type: OpenStr = "sync"
    connection_id: str = ""
    start_time: IsoTime = None
    last_updated_at: IsoTime = None
    duration: IsoDuration = None
    bytes_synced: Count = None
    rows_synced: Count = None


class JobsResponse(Wire):
    data: list[JobResponse] = Field(default_factory=list)
    next: str | None = None
    previous: str | None = None


class ProblemBody(Wire):
    """Public-API error body `{status, type, title, detail, documentationUrl, data}`."""

    status: Count = None
    type: str | None = None
    title: str | None = None
    detail: str | None = None
    documentation_url: str | None = None
    data: Any = None

    @property
    def data_message(self) -> str | None:
        if isinstance(self.data, dict):
            message = self.data.get("message")
            return str(message) if message else None
        return None


# --------------------------------------------------------------------------- config API


class SyncCounts(Wire):
    """The five counters every config-API stats shape carries (job, stream, attempt, live progress)."""

    records_emitted: Count = None
    bytes_emitted: Count = None
    records_committed: Count = None
    bytes_committed: Count = None
    records_rejected: Count = None


class StreamKey(Wire):
    """A stream's name and namespace, as the per-stream stats and progress shapes spell them."""

    stream_name: str
    stream_namespace: str | None = None


class JobAggregatedStats(SyncCounts):
    """Job-level totals (`JobRead.aggregatedStats`)."""


class StreamStats(StreamKey, SyncCounts):
    """Job-level per-stream totals (`JobRead.streamAggregatedStats[]`)."""

    was_backfilled: bool | None = None
    was_resumed: bool | None = None


class AttemptStats(SyncCounts):
    state_messages_emitted: Count = None
    estimated_records: Count = None
    estimated_bytes: Count = None
    additional_stats: dict[str, Any] | None = None


class AttemptStreamStats(StreamKey):
    stats: AttemptStats = Field(default_factory=AttemptStats)


class StreamDescriptor(Wire):
    name: str
    namespace: str | None = None


class FailureReason(Wire):
    timestamp: EpochMillis = None
    failure_origin: OpenStr = None
    failure_type: OpenStr = None
    external_message: str | None = None
    internal_message: str | None = None
    stacktrace: str | None = None
    retryable: bool | None = None
    from_trace_message: bool | None = None
    stream_descriptor: StreamDescriptor | None = None


class AttemptFailureSummary(Wire):
    failures: list[FailureReason] = Field(default_factory=list)
    partial_success: bool | None = None


class AttemptRead(Wire):
    """`id` is the 0-based attempt NUMBER, not a database id.

    The spec requires it, but older servers omit it; the attempt's position
    in the job's (ordered) attempt list then says the same thing, so the
    mapping uses that and records that the number was inferred.
    """

    id: Count = None
    status: OpenStr = None
    created_at: EpochSeconds = None
    updated_at: EpochSeconds = None
    ended_at: EpochSeconds = None
    bytes_synced: Count = None
    records_synced: Count = None
    total_stats: AttemptStats | None = None
    stream_stats: list[AttemptStreamStats] = Field(default_factory=list)
    failure_summary: AttemptFailureSummary | None = None


class LogCaller(Wire):
    class_name: str | None = None
    method_name: str | None = None
    line_number: Count = None
    thread_name: str | None = None


class LogEventRead(Wire):
    """One structured log event. `timestamp` stays the raw epoch-ms number (PyAirbyte prints it raw)."""

    timestamp: Count = None
    message: str = ""
    level: OpenStr = "info"
    log_source: OpenStr = None
    caller: LogCaller | None = None
    stack_trace: str | None = None


class LogEvents(Wire):
    """Structured logs: `logs = {events: [...], version: "1"}`."""

    events: list[LogEventRead]
    version: str | None = None


class LogRead(Wire):
    """Legacy logs: `logs = {logLines: [...]}` (ANSI colour codes included)."""

    log_lines: list[str]


def _pick_logs(value: Any) -> Any:
    """Choose the log shape by its key (PyAirbyte does the same); ignore `logType`."""
    if not isinstance(value, dict):
        return None
    try:
        if "events" in value:
            return LogEvents.model_validate(value)
        if "logLines" in value or "log_lines" in value:
            return LogRead.model_validate(value)
    except ValueError:
        return None
    return None


class AttemptInfoRead(Wire):
    attempt: AttemptRead
    log_type: OpenStr = None
    logs: Annotated[LogEvents | LogRead | None, BeforeValidator(_pick_logs)] = None


class EnabledStream(Wire):
    name: str
    namespace: str | None = None


class JobRead(Wire):
    id: int
    config_type: OpenStr = "sync"
    config_id: str = ""
    created_at: EpochSeconds = None
    updated_at: EpochSeconds = None
    started_at: EpochSeconds = None
    status: OpenStr = None
    enabled_streams: list[EnabledStream] = Field(default_factory=list)
    aggregated_stats: JobAggregatedStats | None = None
    stream_aggregated_stats: list[StreamStats] = Field(default_factory=list)


class JobInfoRead(Wire):
    """`jobs/get` (with logs) and `jobs/get_without_logs` (live stats)."""

    job: JobRead
    attempts: list[AttemptInfoRead] = Field(default_factory=list)


class JobWithAttemptsRead(Wire):
    job: JobRead
    attempts: list[AttemptRead] = Field(default_factory=list)


class JobReadList(Wire):
    jobs: list[JobWithAttemptsRead] = Field(default_factory=list)
    total_job_count: Count = None


class StreamSyncProgressReadItem(StreamKey, SyncCounts):
    config_type: OpenStr = None


class ConnectionSyncProgressRead(SyncCounts):
    connection_id: str = ""
    config_type: OpenStr = None
    streams: list[StreamSyncProgressReadItem] = Field(default_factory=list)
    job_id: Count = None
    sync_started_at: EpochSeconds = None


class ValidationErrorItem(Wire):
    property_path: str | None = None
    invalid_value: Any = None
    message: str | None = None


class KnownExceptionInfo(Wire):
    """Config-API error body (also covers NotFound/InvalidInput variants)."""

    message: str | None = None
    exception_class_name: str | None = None
    root_cause_exception_class_name: str | None = None
    details: Any = None
    error_id: str | None = None
    id: str | None = None
    validation_errors: list[ValidationErrorItem] = Field(default_factory=list)


# Config JobConfigType ↔ public JobTypeEnum.
CONFIG_TYPE_TO_JOB_TYPE: dict[str, str] = {
    "sync": "sync",
    "reset_connection": "reset",
    "clear": "clear",
    "refresh": "refresh",
}
JOB_TYPE_TO_CONFIG_TYPE: dict[str, str] = {v: k for k, v in CONFIG_TYPE_TO_JOB_TYPE.items()}
