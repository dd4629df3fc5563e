"""In-memory state of the emulated Hightouch workspace.

These are plain mutable dataclasses, not wire models: the world mutates them
under its lock and `serialize.py` turns them into Hightouch's camelCase JSON.
Keeping the wire format out of here means the simulation never has to care
about ISO strings or field names.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

# SyncRunStatus, split the way Hightouch's own Airflow provider splits it.
IN_PROGRESS: frozenset[str] = frozenset({"queued", "pending", "querying", "processing", "reporting"})
TERMINAL: frozenset[str] = frozenset({"success", "warning", "failed", "cancelled", "interrupted"})
RUN_STATUSES: frozenset[str] = IN_PROGRESS | TERMINAL
# SyncStatus = run statuses plus these two.
SYNC_STATUSES: frozenset[str] = RUN_STATUSES | {"disabled", "pending"}


@dataclass(frozen=True, slots=True)
class RowCounts:
    """`{addedCount, changedCount, removedCount}`: all three are always present on the wire."""

    added: int = 0
    changed: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        return self.added + self.changed + self.removed

    def scaled(self, ratio: float) -> RowCounts:
        """Partial counts while a run is processing (floor, so never above the final value)."""
        ratio = min(max(ratio, 0.0), 1.0)
        return RowCounts(int(self.added * ratio), int(self.changed * ratio), int(self.removed * ratio))


ZERO_ROWS = RowCounts()


@dataclass(slots=True)
class RunPlan:
    """Everything about a run decided up front, from a per-run RNG.

    Deciding the whole run at creation time keeps it deterministic (same seed,
    same run id -> same run) and lets partial values (completionRatio, rows so
    far) be computed from the clock instead of being stepped by the ticker.
    """

    phases: list[tuple[str, float]]  # in-progress statuses after `queued`, with virtual durations (s)
    outcome: str  # terminal status reached when the last phase ends
    query_size: int
    planned: RowCounts
    successful: RowCounts  # final values
    failed: RowCounts
    error: str | None
    stop_ratio: float = 1.0  # completionRatio when processing stops (<1 for failed/interrupted/cancelled)


@dataclass(slots=True)
class Run:
    id: int
    sync_id: int
    created_at: float
    plan: RunPlan
    status: str = "queued"
    started_at: float | None = None
    finished_at: float | None = None
    phase_index: int = -1  # index into plan.phases; -1 while queued
    phase_started_at: float | None = None
    processing_started_at: float | None = None
    processing_duration: float = 0.0  # full (uninterrupted) processing length, for completionRatio
    trigger: str = "schedule"  # "schedule" | "api" | "history"; informational only

    @property
    def sort_started(self) -> float:
        """Start time for filters: queued runs have no startedAt yet, so fall back to createdAt."""
        return self.started_at if self.started_at is not None else self.created_at


@dataclass(slots=True)
class Schedule:
    """Sync schedule. `kind` is "interval" or "cron"; a manual sync has no Schedule at all."""

    kind: str
    quantity: int = 0
    unit: str = ""  # minute | hour | day | week
    expression: str = ""

    def to_json(self) -> dict[str, Any]:
        if self.kind == "interval":
            return {"type": "interval", "schedule": {"interval": {"quantity": self.quantity, "unit": self.unit}}}
        return {"type": "cron", "schedule": {"expression": self.expression}}


@dataclass(slots=True)
class Sync:
    id: int
    slug: str
    workspace_id: int
    created_at: float
    updated_at: float
    destination_id: int
    model_id: int
    configuration: dict[str, Any]
    schedule: Schedule | None
    disabled: bool
    referenced_columns: list[str]
    primary_key: str
    external_segment: dict[str, Any]
    tags: dict[str, str]
    # Live state maintained by the world.
    runs: list[Run] = field(default_factory=list)  # ascending id == creation order
    active: Run | None = None  # the run currently executing (left `queued`, or about to)
    queue: deque[Run] = field(default_factory=deque)  # triggered while `active` was busy
    last_finished_status: str | None = None
    last_run_at: float | None = None  # startedAt of the most recent run that started

    @property
    def status(self) -> str:
        """SyncStatus: what the dashboard shows next to the sync."""
        if self.disabled:
            return "disabled"
        if self.active is not None:
            return self.active.status
        if self.queue:
            return "queued"
        return self.last_finished_status or "pending"
