"""Provider-neutral domain models: what the watcher, CLI and UI talk about.

Provider clients translate their wire formats (Airbyte connections/jobs/
attempts, Hightouch syncs/runs) into these models, so screens and the CLI never
branch on a provider. Provider-specific facts that have no common field (a
Hightouch run's query size or its planned/successful/failed row breakdown)
travel as `facts` and `row_breakdown`, which the UI renders generically.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from airsync_tui.models.status import JobStatus


def connection_key(provider: str, connection_id: str) -> str:
    """A connection id unique across providers."""
    return f"{provider}:{connection_id}"


def job_key(provider: str, job_id: str) -> str:
    """A job id unique across providers."""
    return f"{provider}:{job_id}"


class Workspace(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    provider: str
    id: str
    name: str
    data_residency: str | None = None


_BASIC_TIMING = re.compile(r"^every\s+(\d+)\s+([a-z]+)$", re.IGNORECASE)
_TIME_ZONE = re.compile(r"[A-Za-z_]+(?:/[A-Za-z_+-]+)*")
_DAY_SPEC = re.compile(r"(MON|TUE|WED|THU|FRI|SAT|SUN)(?:[-,](MON|TUE|WED|THU|FRI|SAT|SUN))*")
_DAYS = {
    "MON": "Mondays",
    "TUE": "Tuesdays",
    "WED": "Wednesdays",
    "THU": "Thursdays",
    "FRI": "Fridays",
    "SAT": "Saturdays",
    "SUN": "Sundays",
    "1": "Sundays",
    "2": "Mondays",
}


@lru_cache(maxsize=1024)
def describe_cron(expression: str) -> str | None:
    """Common cron shapes in words; None when the shape is unusual.

    Cached: a pure function of the expression, asked for every row render and by
    the `stale` rule for every connection at each evaluation (a fleet has few
    distinct crons).

    Handles Airbyte's Quartz crons (seconds first, `?`, a trailing time zone)
    and Hightouch's 5-field crons.
    """
    fields = expression.split()
    if fields and _TIME_ZONE.fullmatch(fields[-1]) and not _DAY_SPEC.fullmatch(fields[-1].upper()):
        fields = fields[:-1]  # trailing time zone, e.g. "UTC" or "Europe/Paris"
    if len(fields) in (6, 7):
        if fields[0] not in ("0", "00"):
            return None
        fields = fields[1:6]
    if len(fields) != 5:
        return None
    minute, hour, dom, month, dow = fields
    any_day = dom in ("*", "?") and month == "*"
    if not any_day:
        return None
    if minute.startswith("*/") and hour == "*" and dow in ("*", "?"):
        n = int(minute[2:]) if minute[2:].isascii() and minute[2:].isdigit() else 0
        return "every minute" if n == 1 else f"every {n} minutes" if n else None
    if not (minute.isascii() and minute.isdigit()):
        return None
    if hour.startswith("*/") and hour[2:].isascii() and hour[2:].isdigit() and dow in ("*", "?"):
        n = int(hour[2:])
        return "every hour" if n == 1 else f"every {n} hours"
    if hour == "*" and dow in ("*", "?"):
        return f"hourly at :{int(minute):02d}"
    if not (hour.isascii() and hour.isdigit()):
        return None
    at = f"{int(hour):02d}:{int(minute):02d}"
    if dow in ("*", "?"):
        return f"daily at {at}"
    if dow.upper() in ("MON-FRI", "1-5", "2-6"):
        return f"weekdays at {at}"
    if dow.upper() in _DAYS:
        return f"{_DAYS[dow.upper()]} at {at}"
    return None


class Schedule(BaseModel):
    """How a connection runs by itself: manual, cron, or a fixed interval."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    kind: str = "manual"  # manual | cron | basic | interval | other provider words
    expression: str | None = None

    def describe(self) -> str:
        """The schedule in words, for the connections table."""
        kind = self.kind.lower()
        expr = (self.expression or "").strip()
        if kind == "manual" or not expr:
            return "manual" if kind in ("manual", "") else kind
        if kind in ("basic", "interval"):
            match = _BASIC_TIMING.match(expr)
            if match:
                count, unit = int(match.group(1)), match.group(2).lower().rstrip("s")
                return f"every {unit}" if count == 1 else f"every {count} {unit}s"
            return expr.lower()
        if kind == "cron":
            return describe_cron(expr) or f"cron {expr}"
        return f"{kind} {expr}"


class Connection(BaseModel):
    """An Airbyte connection or a Hightouch sync: something that runs jobs."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    provider: str
    id: str
    name: str
    workspace_id: str | None = None
    status: str = "active"  # provider word: active/inactive/deprecated/locked/disabled
    enabled: bool = True
    schedule: Schedule = Field(default_factory=Schedule)
    streams: tuple[str, ...] = ()
    source: str | None = None
    destination: str | None = None
    web_url: str | None = None
    created_at: datetime | None = None

    @property
    def key(self) -> str:
        return connection_key(self.provider, self.id)

    @property
    def state_label(self) -> str:
        """The word shown for the connection: "paused" when paused by anyone (Airbyte inactive, Hightouch disabled)."""
        if not self.enabled and self.status in ("inactive", "disabled"):
            return "paused"
        return self.status


class FailureInfo(BaseModel):
    """Why an attempt (or run) failed."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    origin: str | None = None
    type: str | None = None
    message: str | None = None
    internal_message: str | None = None
    stacktrace: str | None = None
    retryable: bool | None = None
    timestamp: datetime | None = None
    stream: str | None = None
    #: Fields the API spec requires that the server left out (older servers
    #: omit e.g. `timestamp`); shown as "not reported", never guessed.
    missing: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line: `source · config_error: Invalid credentials`."""
        head = " · ".join(part for part in (self.origin, self.type) if part)
        text = self.message or self.internal_message or ""
        if head and text:
            return f"{head}: {text}"
        return head or text or "unknown failure"


class StreamProgress(BaseModel):
    """Counts for one stream of a job or attempt."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    name: str
    namespace: str | None = None
    records_emitted: int | None = None
    records_committed: int | None = None
    bytes_emitted: int | None = None
    bytes_committed: int | None = None
    estimated_records: int | None = None
    estimated_bytes: int | None = None

    @property
    def ratio(self) -> float | None:
        """Emitted / estimated records, else bytes; None without an estimate."""
        if self.estimated_records and self.records_emitted is not None:
            return _clamp(self.records_emitted / self.estimated_records)
        if self.estimated_bytes and self.bytes_emitted is not None:
            return _clamp(self.bytes_emitted / self.estimated_bytes)
        return None

    @property
    def done(self) -> bool:
        return bool(self.estimated_records) and (self.records_emitted or 0) >= (self.estimated_records or 0)


class Progress(BaseModel):
    """Live progress of a running job. `ratio` is None when nothing estimates the total."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    ratio: float | None = None
    basis: str | None = None  # records | bytes | streams | provider
    records_emitted: int | None = None
    records_committed: int | None = None
    bytes_emitted: int | None = None
    bytes_committed: int | None = None
    estimated_records: int | None = None
    estimated_bytes: int | None = None
    records_per_second: float | None = None
    bytes_per_second: float | None = None
    elapsed: timedelta | None = None
    eta: timedelta | None = None


class RowBreakdown(BaseModel):
    """Added/changed/removed row counts (Hightouch planned/successful/failed rows)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    label: str
    added: int = 0
    changed: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        return self.added + self.changed + self.removed


class Fact(BaseModel):
    """A labelled provider-specific value shown in the job panel."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    label: str
    value: str


class Attempt(BaseModel):
    """One try of a job. `number` is 0-based, as Airbyte numbers attempts."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    number: int
    status: JobStatus
    created_at: datetime | None = None
    updated_at: datetime | None = None
    ended_at: datetime | None = None
    records_emitted: int | None = None
    records_committed: int | None = None
    bytes_emitted: int | None = None
    bytes_committed: int | None = None
    failures: tuple[FailureInfo, ...] = ()
    partial_success: bool | None = None
    streams: tuple[StreamProgress, ...] = ()
    #: Spec-required fields the server omitted. "id" here means `number`
    #: was read from the attempt's position in the job's list instead.
    missing: tuple[str, ...] = ()

    @property
    def duration(self) -> timedelta | None:
        if self.created_at is None:
            return None
        end = self.ended_at or self.updated_at
        return (end - self.created_at) if end else None

    @property
    def failure_summary(self) -> str | None:
        return self.failures[0].summary() if self.failures else None


class Job(BaseModel):
    """An Airbyte job or a Hightouch sync run."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    provider: str
    id: str
    connection_id: str
    job_type: str = "sync"
    status: JobStatus
    created_at: datetime | None = None
    started_at: datetime | None = None
    updated_at: datetime | None = None
    ended_at: datetime | None = None
    duration: timedelta | None = None
    records_synced: int | None = None
    bytes_synced: int | None = None
    #: Rows the provider planned to sync. With ``per_row_results=False`` this
    #: is the only count there is: some destinations never report per-row
    #: results, so a finished run says 0 successful rows although it wrote
    #: them. ``records_synced`` is then ``None`` (not known), never 0.
    records_planned: int | None = None
    per_row_results: bool = True
    progress: Progress | None = None
    error: str | None = None
    facts: tuple[Fact, ...] = ()
    row_breakdown: tuple[RowBreakdown, ...] = ()
    web_url: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)

    @property
    def key(self) -> str:
        return job_key(self.provider, self.id)

    @property
    def connection_key(self) -> str:
        return connection_key(self.provider, self.connection_id)

    def elapsed(self, now: datetime) -> timedelta | None:
        """Wall time from the start shown (`started_at`, else `created_at`) to the end, or to now.

        One derivation while running and after: the provider's own `duration`
        (Airbyte's counts from the job's creation, queue time included) is
        used only when the end is not known. Before, a panel read "Started
        05:05:31 · Ended 05:08:11" beside "Duration 2m 47s", and a running
        job's duration jumped by its queue time when it ended.
        """
        start = self.started_at or self.created_at
        if start is None:
            return None
        if self.status.is_terminal:
            end = self.ended_at or self.updated_at
            if end is not None:
                return max(end - start, timedelta(0))
            return self.duration
        return max(now - start, timedelta(0))


class JobDetail(BaseModel):
    """Everything the job panel shows for one followed job."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    job: Job
    attempts: tuple[Attempt, ...] = ()
    streams: tuple[StreamProgress, ...] = ()
    progress: Progress | None = None

    @property
    def current_attempt(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None


class LogEvent(BaseModel):
    """One structured log event (Airbyte `logs.events[]`), for callers that want objects.

    Bulk log handling (millions of lines) uses `airsync_tui.logs.LogIndex`
    instead, which never creates an object per line.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    timestamp: datetime | None
    level: str = "info"
    source: str | None = None
    message: str = ""
    stack_trace: str | None = None


def _clamp(value: float) -> float:
    return 0.0 if value < 0 else 1.0 if value > 1 else value
