"""The emulator's connection event log (config API `connections/events/*`).

One append-only list per world. Everything that changes a connection records
here: job lifecycle (the timeline work), pause/resume, schedule and settings
changes, refresh/clear (the fleet-actions work), schema and connector updates.
The route handlers serialise these into the config API's `ConnectionEvent`
shapes; this module only stores them, so both features write through one
place and a connection's timeline never misses a change.

`event_type` uses the config API's `ConnectionEventType` names
(`SYNC_SUCCEEDED`, `CONNECTION_DISABLED`, `SCHEMA_UPDATE`, …). `summary` is the
event's JSON summary object as the API returns it; `user` is who acted
(None for the system).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    event_id: str
    connection_id: str
    event_type: str
    created_at: float  # virtual epoch seconds
    summary: dict[str, Any] = field(default_factory=dict)
    user: dict[str, Any] | None = None


class EventLog:
    """Append-only, thread-safe, ordered by `created_at` then insertion."""

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._events: list[RecordedEvent] = []
        self._by_id: dict[str, RecordedEvent] = {}
        self._seed = seed
        self._counter = 0

    def record(
        self,
        connection_id: str,
        event_type: str,
        created_at: float,
        summary: dict[str, Any] | None = None,
        user: dict[str, Any] | None = None,
    ) -> RecordedEvent:
        with self._lock:
            self._counter += 1
            # Deterministic ids for a given seed and order (tests compare runs).
            event_id = str(uuid.UUID(int=(self._seed << 64) | self._counter))
            event = RecordedEvent(event_id, connection_id, event_type, created_at, dict(summary or {}), user)
            self._events.append(event)
            self._by_id[event_id] = event
            if len(self._events) > 1 and self._events[-2].created_at > created_at:
                self._events.sort(key=lambda e: e.created_at)
            return event

    def record_many(self, items: Iterable[tuple[str, str, float, dict[str, Any] | None, dict[str, Any] | None]]) -> int:
        """Record many `(connection_id, event_type, created_at, summary, user)` at once, sorting once.

        For back-filling history (thousands of jobs): `record` one by one would
        re-sort on every out-of-order insert.
        """
        with self._lock:
            added = 0
            for connection_id, event_type, created_at, summary, user in items:
                self._counter += 1
                event_id = str(uuid.UUID(int=(self._seed << 64) | self._counter))
                event = RecordedEvent(event_id, connection_id, event_type, created_at, dict(summary or {}), user)
                self._events.append(event)
                self._by_id[event_id] = event
                added += 1
            self._events.sort(key=lambda e: e.created_at)
            return added

    def get(self, event_id: str) -> RecordedEvent | None:
        with self._lock:
            return self._by_id.get(event_id)

    def for_connections(self, connection_ids: set[str] | None = None) -> list[RecordedEvent]:
        """Events (of these connections, or all), oldest first."""
        with self._lock:
            if connection_ids is None:
                return list(self._events)
            return [e for e in self._events if e.connection_id in connection_ids]
