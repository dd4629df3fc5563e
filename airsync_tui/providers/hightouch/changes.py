"""Sync changes for the Hightouch timeline, from what its API exposes.

Hightouch's public API has no change history (no audit log or events
endpoint; the API reference lists syncs, runs, trigger
and `PATCH /syncs/{id}` only). A `Sync` does carry `createdAt`, `updatedAt`,
`schedule` and `disabled`, so the timeline shows:

* the sync's creation (`createdAt`);
* its last settings update (`updatedAt`), without what changed unless seen;
* every change of `disabled`, `schedule` or `configuration` observed between
  two reads of the sync while airsync runs (each `GET /syncs` poll already
  reads them: no extra request), stamped with the new `updatedAt`.

Older changes than the last `updatedAt`, and who made any change, are not
exposed; `LIMIT_NOTICE` says so on the timeline screen and in `airsync
timeline`.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from dataclasses import dataclass
from datetime import datetime

from airsync_tui.models.timeline import TimelineEvent
from airsync_tui.providers.hightouch.mapping import PROVIDER, map_schedule, sync_display_name
from airsync_tui.providers.hightouch.wire import Sync

#: Said wherever a Hightouch timeline is shown (screen title, CLI notice, README).
LIMIT_NOTICE = (
    "Hightouch exposes no change history: showing runs, the sync's creation and last update (updatedAt), "
    "and enable/disable, schedule and configuration changes seen while airsync was running (who changed it is not exposed)"
)
#: Observed changes kept per sync (oldest dropped first).
KEPT_PER_SYNC = 50


@dataclass(frozen=True, slots=True)
class _Snapshot:
    updated_at: datetime | None
    disabled: bool
    schedule: str
    configuration: str  # a digest: the configuration is opaque ("don't make assumptions")


def _snapshot(sync: Sync) -> _Snapshot:
    digest = hashlib.sha256(json.dumps(sync.configuration, sort_keys=True, default=str).encode()).hexdigest()
    return _Snapshot(sync.updated_at, sync.disabled, map_schedule(sync.schedule).describe(), digest)


def _sync_event(
    sync: Sync,
    event_id: str,
    event_type: str,
    at: datetime,
    title: str,
    details: tuple[str, ...],
    *,
    origin: str,
    status: str | None = None,
) -> TimelineEvent:
    """One timeline entry about the sync itself (no job): the fields every such entry shares."""
    return TimelineEvent(
        provider=PROVIDER,
        connection_id=str(sync.id),
        connection_name=sync_display_name(sync),
        id=event_id,
        event_type=event_type,
        at=at,
        title=title,
        details=details,
        status=status,
        origin=origin,
    )


class SyncChangeLog:
    """Remembers each sync's last seen settings and the changes seen since (bounded)."""

    def __init__(self) -> None:
        self._seen: dict[int, _Snapshot] = {}
        self._changes: dict[int, deque[TimelineEvent]] = {}

    def observe(self, sync: Sync, seen_at: datetime) -> list[TimelineEvent]:
        """Compare with the last read of this sync; record and return what changed."""
        now = _snapshot(sync)
        before = self._seen.get(sync.id)
        self._seen[sync.id] = now
        if before is None or before == now:
            return []
        at = now.updated_at if now.updated_at is not None and now.updated_at != before.updated_at else seen_at
        stamp = f"{at:%Y%m%dT%H%M%S}"
        events: list[TimelineEvent] = []
        if before.disabled != now.disabled:
            events.append(
                _sync_event(
                    sync,
                    f"change:{sync.id}:{stamp}:disabled",
                    "CONNECTION_DISABLED" if now.disabled else "CONNECTION_ENABLED",
                    at,
                    "Sync disabled" if now.disabled else "Sync enabled",
                    (f"seen between two polls (disabled: {str(before.disabled).lower()} → {str(now.disabled).lower()})",),
                    status="disabled" if now.disabled else "enabled",
                    origin="observed",
                )
            )
        what: list[str] = []
        if before.schedule != now.schedule:
            what.append(f"schedule: {before.schedule} → {now.schedule}")
        if before.configuration != now.configuration:
            what.append("configuration changed (Hightouch does not say which fields)")
        if what or (not events and before.updated_at != now.updated_at):
            events.append(
                _sync_event(
                    sync,
                    f"change:{sync.id}:{stamp}:settings",
                    "CONNECTION_SETTINGS_UPDATE",
                    at,
                    "Sync settings updated",
                    tuple(what) or ("updatedAt moved; the fields that changed are not exposed by the API",),
                    origin="observed",
                )
            )
        kept = self._changes.setdefault(sync.id, deque(maxlen=KEPT_PER_SYNC))
        kept.extend(events)
        return events

    def changes(self, sync_id: int) -> list[TimelineEvent]:
        """Changes seen for this sync, oldest first."""
        return list(self._changes.get(sync_id, ()))


def sync_change_events(sync: Sync, observed: list[TimelineEvent]) -> list[TimelineEvent]:
    """The sync's timeline entries besides its runs: created, last updated, and changes seen."""
    events: list[TimelineEvent] = list(observed)
    if sync.created_at is not None:
        events.append(
            _sync_event(
                sync,
                f"sync:{sync.id}:created",
                "CONNECTION_CREATED",
                sync.created_at,
                "Sync created",
                (f"schedule now: {map_schedule(sync.schedule).describe()}",),
                origin="sync",
            )
        )
    observed_times = {e.at for e in observed}
    if sync.updated_at is not None and sync.updated_at != sync.created_at and sync.updated_at not in observed_times:
        state = "disabled" if sync.disabled else "enabled"
        events.append(
            _sync_event(
                sync,
                f"sync:{sync.id}:updated",
                "CONNECTION_SETTINGS_UPDATE",
                sync.updated_at,
                "Sync settings updated",
                (f"last update (updatedAt); what changed is not exposed · now {state}, schedule {map_schedule(sync.schedule).describe()}",),
                origin="sync",
            )
        )
    return events


__all__ = ["KEPT_PER_SYNC", "LIMIT_NOTICE", "SyncChangeLog", "sync_change_events"]
