"""Typed events the watcher publishes to its subscribers (TUI and CLI alike).

Events are small immutable records that carry the new state, so a subscriber
never has to call back into the service to render them, and one diff becomes
one UI cell update.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from airsync_tui.models.domain import Attempt, Connection, Job, JobDetail, Progress
from airsync_tui.models.status import JobStatus
from airsync_tui.models.timeparse import utcnow


class HealthState(str, Enum):
    OK = "ok"
    DEGRADED = "degraded"  # answering, but some calls fail
    RETRYING = "retrying"  # waiting `retry_in` seconds before trying again
    AUTH_FAILED = "auth_failed"
    UNREACHABLE = "unreachable"
    CONNECTING = "connecting"


@dataclass(frozen=True, kw_only=True)
class Event:
    provider: str
    at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True, kw_only=True)
class ConnectionsLoaded(Event):
    """The full connection list of one provider (first load or a full refresh)."""

    connections: tuple[Connection, ...]


@dataclass(frozen=True, kw_only=True)
class ConnectionsChanged(Event):
    """Connections added, changed (name/status/schedule) or removed since the last load."""

    added: tuple[Connection, ...] = ()
    changed: tuple[Connection, ...] = ()
    removed: tuple[str, ...] = ()  # connection keys


@dataclass(frozen=True, kw_only=True)
class LatestJobs(Event):
    """The newest job per connection found at start (fills "last job" columns)."""

    jobs: tuple[Job, ...]


@dataclass(frozen=True, kw_only=True)
class JobCreated(Event):
    """A job the watcher had not seen before (triggered by us, a schedule or someone else)."""

    job: Job
    triggered_here: bool = False


@dataclass(frozen=True, kw_only=True)
class JobStatusChanged(Event):
    """A status transition, old → new, observed at `at`."""

    job: Job
    old: JobStatus | None
    new: JobStatus


@dataclass(frozen=True, kw_only=True)
class JobUpdated(Event):
    """Counts or timestamps of a job changed without a status change."""

    job: Job


@dataclass(frozen=True, kw_only=True)
class ProgressUpdated(Event):
    """Live progress of an active job (ratio may be None: indeterminate)."""

    job_key: str
    connection_key: str
    progress: Progress


@dataclass(frozen=True, kw_only=True)
class JobDetailUpdated(Event):
    """Full detail of a followed job (attempts, streams, progress)."""

    detail: JobDetail


@dataclass(frozen=True, kw_only=True)
class AttemptAdded(Event):
    job_key: str
    attempt: Attempt


@dataclass(frozen=True, kw_only=True)
class AttemptEnded(Event):
    job_key: str
    attempt: Attempt
    failure_summary: str | None = None


@dataclass(frozen=True, kw_only=True)
class LogLinesAdded(Event):
    """Only the new log lines of a followed attempt (already sanitised text)."""

    job_key: str
    attempt_number: int
    lines: tuple[str, ...]
    total_lines: int


@dataclass(frozen=True, kw_only=True)
class ApiHealthChanged(Event):
    state: HealthState
    message: str = ""
    retry_in: float | None = None


@dataclass(frozen=True, kw_only=True)
class ActionResult(Event):
    """The outcome of a trigger/cancel started through the service."""

    action: str  # "trigger" | "cancel"
    ok: bool
    message: str
    #: What happened, in the title's words: "started", "attached" (already running), "requested".
    outcome: str = ""
    connection_key: str | None = None
    job: Job | None = None


AnyEvent = (
    ConnectionsLoaded
    | ConnectionsChanged
    | LatestJobs
    | JobCreated
    | JobStatusChanged
    | JobUpdated
    | ProgressUpdated
    | JobDetailUpdated
    | AttemptAdded
    | AttemptEnded
    | LogLinesAdded
    | ApiHealthChanged
    | ActionResult
)
