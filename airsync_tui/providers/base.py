"""The provider plug-in contract.

A provider (Airbyte, Hightouch, a future third) is one object implementing
`SyncProvider`. The watcher, CLI and UI only ever call this protocol and read
`capabilities`, so adding a provider needs no change above this layer.

Cost rule for implementers: `poll_activity` must cost a constant number of
requests per call whatever the number of connections (e.g. "jobs updated since
a watermark" + "all active jobs"), because the watcher calls it every tick.
Per-job detail is only fetched for jobs somebody follows (`get_job_detail`).
"""

from __future__ import annotations

import mmap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from airsync_tui.models.domain import Connection, Job, JobDetail, Workspace
from airsync_tui.providers.http import HttpSignal, RequestStats

if TYPE_CHECKING:
    from airsync_tui.models.schedule_change import ScheduleChange


@dataclass(frozen=True)
class JobTypeOption:
    """A job type an operator can pick; unavailable ones carry the reason."""

    id: str  # e.g. "sync", "reset", "clear", "refresh", "full_resync"
    label: str
    description: str
    available: bool = True
    unavailable_reason: str | None = None
    destructive: bool = False


@dataclass(frozen=True)
class ConnectionAction:
    """A fleet action (pause, resume, schedule, per-stream refresh/clear) a provider may support.

    The UI and CLI offer an action only when `available`; otherwise they show
    `unavailable_reason`, so nothing above the provider layer branches on a
    provider's name. `modes` lists sub-choices (refresh: merge / truncate).
    """

    id: str  # "pause" | "resume" | "schedule" | "refresh_streams" | "clear_streams"
    label: str
    description: str
    available: bool = True
    unavailable_reason: str | None = None
    destructive: bool = False
    modes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProviderCapabilities:
    """What the UI may offer for this provider, and why not when it can't."""

    job_types: tuple[JobTypeOption, ...]
    can_cancel: bool = True
    cancel_unavailable_reason: str | None = None
    has_attempt_logs: bool = True
    #: A job may run several attempts whose counts add up (Airbyte retries);
    #: False when one run is one try (Hightouch), so "all attempts" means nothing.
    jobs_have_attempts: bool = True
    logs_notice: str | None = None
    job_noun: str = "job"  # "job" for Airbyte, "run" for Hightouch
    connection_noun: str = "connection"  # "connection" / "sync"
    #: Fleet actions (issue 12); a provider without entries supports none of them.
    actions: tuple[ConnectionAction, ...] = ()

    def action(self, action_id: str) -> ConnectionAction | None:
        """The declared action, or None when the provider does not know it at all."""
        for option in self.actions:
            if option.id == action_id:
                return option
        return None

    def action_unavailable(self, action_id: str) -> str | None:
        """Why `action_id` cannot run on this provider (None when it can)."""
        option = self.action(action_id)
        if option is None:
            return f"{self.connection_noun}s here do not support {action_id.replace('_', ' ')}"
        if not option.available:
            return option.unavailable_reason or f"{option.label} is unavailable"
        return None

    def job_type(self, job_type_id: str) -> JobTypeOption | None:
        for option in self.job_types:
            if option.id == job_type_id:
                return option
        return None


@dataclass(frozen=True)
class TriggerResult:
    """What a trigger produced. `attached` = a job was already running and we follow it instead."""

    job: Job
    attached: bool = False
    message: str = ""


@dataclass
class ActivityCursor:
    """Opaque per-provider polling state (watermarks); owned by the provider."""

    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ActivityPoll:
    """One tick's view of what changed.

    `jobs`: jobs updated since the cursor plus (when `include_progress`) every
    active job with live progress. `complete`: the provider is sure `jobs`
    holds *every* active job, so an active job missing from it has finished
    (the watcher then fetches it once to learn its final status).
    """

    jobs: tuple[Job, ...]
    cursor: ActivityCursor
    complete: bool = False
    server_time: datetime | None = None


@dataclass(frozen=True)
class AttemptLog:
    """An attempt's raw log payload, parsed into a LogIndex by the service.

    `raw_json` is the provider's JSON body holding the log (Airbyte: the
    config API attempt response); `text_lines` is used by providers without
    log text (Hightouch: the run's error and details); `notice` says so.
    """

    job_id: str
    attempt_number: int
    raw_json: bytes | mmap.mmap | None = None  # big bodies: a mapped spool file (airsync_tui.logs.spool)
    text_lines: tuple[str, ...] = ()
    notice: str | None = None
    live: bool = False


@runtime_checkable
class SyncProvider(Protocol):
    """The contract every provider client implements."""

    name: str  # "airbyte", "hightouch": used in keys, never shown as-is
    display_name: str  # "Airbyte", "Hightouch"
    capabilities: ProviderCapabilities
    read_only: bool

    @property
    def stats(self) -> RequestStats:
        """Requests sent (benchmarks, the UI's request-rate readout).

        Read-only: providers expose their HTTP layer's counter as a property, and a plain
        attribute (test fakes) satisfies a read-only protocol member too.
        """
        ...

    def add_health_listener(self, listener: Callable[[HttpSignal], None]) -> None: ...

    async def aclose(self) -> None: ...

    async def check(self) -> None:
        """Cheap reachability + credentials check; raises a one-line AirsyncError."""

    async def list_workspaces(self) -> list[Workspace]: ...

    async def list_connections(self) -> list[Connection]: ...

    async def get_connection(self, connection_id: str) -> Connection: ...

    async def list_jobs(self, connection_id: str, *, limit: int = 20, offset: int = 0) -> list[Job]:
        """A connection's jobs, newest first."""

    async def recent_jobs(self, *, max_jobs: int = 500) -> list[Job]:
        """The workspace's newest jobs, newest first (fills "last job" columns at start)."""

    async def poll_activity(self, cursor: ActivityCursor | None, *, include_progress: bool) -> ActivityPoll:
        """Constant-cost change feed for the watcher (see module docstring)."""

    async def get_job(self, job_id: str) -> Job: ...

    async def get_job_detail(self, job_id: str) -> JobDetail:
        """Job with attempts, per-stream counts and live progress."""

    async def trigger(self, connection_id: str, job_type: str = "sync") -> TriggerResult:
        """Start a job, never twice: on "already running" (or an ambiguous failure) attach to the running job."""

    async def cancel(self, job_id: str) -> Job: ...

    async def fetch_attempt_log(self, job_id: str, attempt_number: int) -> AttemptLog: ...

    def job_url(self, job: Job, attempt_number: int | None = None) -> str | None:
        """Direct web link to the job (Airbyte: the per-attempt timeline link)."""

    def connection_url(self, connection_id: str) -> str | None: ...


@runtime_checkable
class FleetProvider(Protocol):
    """Fleet actions (issue 12). A provider implements all four and declares in
    `capabilities.actions` which ones work; the others raise `UnsupportedError`
    with the same reason the capability carries. Read-only sessions refuse
    before any request."""

    async def set_enabled(self, connection_id: str, enabled: bool) -> Connection:
        """Pause (False) or resume (True); returns the connection as the server now has it."""

    async def set_schedule(self, connection_id: str, change: ScheduleChange) -> Connection: ...

    async def refresh_streams(self, connection_id: str, streams: Sequence[str], mode: str = "merge") -> Job:
        """Start a per-stream refresh (all streams when empty); returns the new job."""

    async def clear_streams(self, connection_id: str, streams: Sequence[str]) -> Job:
        """Start a per-stream clear (the whole connection when empty); returns the new job."""
