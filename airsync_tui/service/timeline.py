"""Connection timelines and the workspace pulse, for every provider.

A provider that keeps an event log implements `TimelineFeed` (Airbyte: the
config API's `connections/events/*`). Everything else, and Airbyte servers
without the events API (older self-managed: 404), gets a timeline built from
its jobs (Hightouch: its runs, plus the sync changes its API lets us see,
through `ChangeFeed`), so the screen and `airsync timeline` always
have something true to show and say where it came from.

The pulse is the last N things that happened anywhere: event-log providers
answer with one `list_minimal` request per workspace, the others with their
recent jobs (one request), merged newest first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from airsync_tui.errors import ApiError, NotFoundError, UnsupportedError
from airsync_tui.models.domain import Connection, Job
from airsync_tui.models.status import StatusCategory
from airsync_tui.models.timeline import Timeline, TimelineEvent
from airsync_tui.providers.base import SyncProvider
from airsync_tui.service.triage import failure_from_job


@runtime_checkable
class TimelineFeed(Protocol):
    """Optional provider capability: a server-side connection event log."""

    async def connection_events(self, connection_id: str, *, limit: int = 100) -> list[TimelineEvent]:
        """Newest first. Raises NotFoundError/UnsupportedError when the server has no events API."""

    async def event_details(self, connection_id: str, event_id: str) -> TimelineEvent: ...

    async def workspace_events(self, *, start: datetime, end: datetime) -> list[TimelineEvent]:
        """Every connection's events in the range (minimal: no summaries), newest first."""


@runtime_checkable
class ChangeFeed(Protocol):
    """Optional provider capability: connection changes without a server event log.

    Hightouch: the sync's creation, last update and the changes seen between
    polls. Returns the events and a notice saying what the API does not expose.
    """

    async def connection_changes(self, connection_id: str) -> tuple[list[TimelineEvent], str]: ...


_PREFIX = {
    "sync": "SYNC",
    "refresh": "REFRESH",
    "full_resync": "REFRESH",
    "clear": "CLEAR",
    "reset": "CLEAR",
}
_WORD = {"SYNC": "Sync", "REFRESH": "Refresh", "CLEAR": "Clear"}


def event_from_job(job: Job, connection_name: str | None = None) -> TimelineEvent:
    """One job as the event a server event log would have recorded for it."""
    prefix = _PREFIX.get(job.job_type, "SYNC")
    word = _WORD[prefix]
    category = job.status.category
    failure = failure_from_job(job) if category == StatusCategory.FAILED else None
    lines: list[str] = []
    if category.is_terminal:
        if category.is_success:
            status, tail = "succeeded", "SUCCEEDED"
            if category == StatusCategory.WARNING:
                lines.append(f"finished with warnings ({job.status.label})")
        elif category == StatusCategory.CANCELLED:
            status, tail = "cancelled", "CANCELLED"
        else:
            status, tail = "failed", "FAILED"
        at = job.ended_at or job.updated_at or job.started_at or job.created_at
        title = f"{word} {status}"
    else:
        status, tail = "running", "STARTED"
        at = job.started_at or job.created_at
        title = f"{word} {job.status.label}"
    if job.records_synced is not None:
        lines.append(f"{job.records_synced:,} records")
    for breakdown in job.row_breakdown:
        if breakdown.total:
            lines.append(f"{breakdown.label}: +{breakdown.added:,} ~{breakdown.changed:,} -{breakdown.removed:,}")
    if failure is not None:
        lines.append(failure.summary())
    return TimelineEvent(
        provider=job.provider,
        connection_id=job.connection_id,
        connection_name=connection_name,
        id=f"job:{job.id}",
        event_type=f"{prefix}_{tail}",
        at=at or datetime.fromtimestamp(0).astimezone(),
        title=title,
        details=tuple(lines),
        job_id=job.id,
        job_type=job.job_type,
        status=status,
        records=job.records_synced,
        bytes=job.bytes_synced,
        duration=job.duration if category.is_terminal else None,
        attempts=job.extra.get("attempts") if isinstance(job.extra.get("attempts"), int) else None,
        failure=failure,
        origin="jobs",
    )


def timeline_from_jobs(jobs: Iterable[Job], connection_name: str | None = None) -> list[TimelineEvent]:
    events = [event_from_job(job, connection_name) for job in jobs]
    events.sort(key=lambda e: e.at, reverse=True)
    return events


async def connection_timeline(provider: SyncProvider, connection: Connection, *, limit: int = 100) -> Timeline:
    """The server's event log when it has one, else the connection's jobs (with a notice saying so)."""
    notice: str | None = None
    if isinstance(provider, TimelineFeed):
        try:
            events = await provider.connection_events(connection.id, limit=limit)
        except (NotFoundError, UnsupportedError) as exc:
            notice = f"no connection events API on this server ({exc}); timeline built from jobs"
        except ApiError as exc:
            if exc.status_code not in (404, 405, 501, 403):
                raise
            notice = f"connection events API unavailable ({exc}); timeline built from jobs"
        else:
            named = tuple(e.model_copy(update={"connection_name": connection.name}) for e in events)
            return Timeline(
                provider=provider.name,
                connection_id=connection.id,
                connection_name=connection.name,
                events=named,
            )
    jobs = await provider.list_jobs(connection.id, limit=limit)
    events = timeline_from_jobs(jobs, connection.name)
    if isinstance(provider, ChangeFeed):
        changes, limit_notice = await provider.connection_changes(connection.id)
        events = sorted(
            (*events, *(e.model_copy(update={"connection_name": connection.name}) for e in changes)),
            key=lambda e: e.at,
            reverse=True,
        )
        notice = f"{notice}; {limit_notice}" if notice else limit_notice
    return Timeline(
        provider=provider.name,
        connection_id=connection.id,
        connection_name=connection.name,
        events=tuple(events),
        origin="jobs",
        notice=notice,
    )


async def workspace_pulse(
    providers: Sequence[SyncProvider],
    *,
    now: datetime,
    window: timedelta = timedelta(days=1),
    limit: int = 50,
    names: dict[str, str] | None = None,
) -> list[TimelineEvent]:
    """The last `limit` things that happened anywhere, newest first (constant requests per provider)."""
    merged: list[TimelineEvent] = []
    for provider in providers:
        events: list[TimelineEvent] | None = None
        if isinstance(provider, TimelineFeed):
            try:
                events = await provider.workspace_events(start=now - window, end=now + timedelta(minutes=5))
            except (NotFoundError, UnsupportedError):
                events = None
            except ApiError as exc:
                if exc.status_code not in (404, 405, 501, 403):
                    raise
                events = None
        if events is None:
            jobs = await provider.recent_jobs(max_jobs=limit)
            lookup = names or {}
            events = [event_from_job(j, lookup.get(j.connection_key)) for j in jobs]
        merged.extend(events)
    merged.sort(key=lambda e: e.at, reverse=True)
    return merged[:limit]


__all__ = [
    "ChangeFeed",
    "TimelineFeed",
    "connection_timeline",
    "event_from_job",
    "timeline_from_jobs",
    "workspace_pulse",
]
