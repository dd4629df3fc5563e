"""A connection's history as provider-neutral events (the timeline screen, `airsync timeline`, the pulse).

Airbyte's config API names events with `ConnectionEventType` (SYNC_SUCCEEDED,
CONNECTION_DISABLED, SCHEMA_UPDATE, …); Hightouch runs and job-built fallbacks
use the same names, so one renderer serves every provider. `details` are
ready-to-read lines (what changed, the catalog diff, the reason), `user` is who
acted (None for the system).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from airsync_tui.models.domain import FailureInfo

#: Event types that end a job, with the status word shown for them.
JOB_END_STATUS = {
    "SUCCEEDED": "succeeded",
    "FAILED": "failed",
    "INCOMPLETE": "incomplete",
    "CANCELLED": "cancelled",
}


class TimelineEvent(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    provider: str
    connection_id: str
    id: str
    event_type: str  # ConnectionEventType name (UNKNOWN for types this version does not know)
    at: datetime
    title: str
    details: tuple[str, ...] = ()
    connection_name: str | None = None
    user: str | None = None
    job_id: str | None = None
    job_type: str | None = None
    status: str | None = None  # succeeded | failed | incomplete | cancelled | started
    records: int | None = None
    bytes: int | None = None
    duration: timedelta | None = None
    attempts: int | None = None
    failure: FailureInfo | None = None
    origin: str = "events"  # "events" (the server's event log) or "jobs" (built from job history)

    @property
    def is_failure(self) -> bool:
        return self.status in ("failed", "incomplete") or self.event_type == "CONNECTION_DISABLED"


class Timeline(BaseModel):
    """A connection's events, newest first, and where they came from."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    provider: str
    connection_id: str
    connection_name: str | None
    events: tuple[TimelineEvent, ...]
    origin: str = "events"
    notice: str | None = None  # e.g. "this server has no events API: built from jobs"
