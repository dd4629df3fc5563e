"""Hightouch v1 wire models (camelCase JSON), parsed leniently.

Why lenient: Hightouch's own generated SDKs reject unknown enum values and
fail on fields the spec marks required but real runs leave empty (a queued run
has no `startedAt`). A dashboard must keep showing the other 999 syncs when
one answer is odd, so here:

* every model ignores unknown fields (`extra="ignore"`), so new API fields
  never break parsing;
* statuses stay plain strings; their meaning is decided later by
  `providers.hightouch.statuses.hightouch_run_status` (unknown -> in progress + flagged);
* `startedAt`/`finishedAt`/`lastRunAt`/`schedule`/`error` are nullable;
* `completionRatio` is clamped to 0..1 and is advisory only (the spec's own
  example shows 0.54 on a `success` run).

`SyncRun.id` is a NUMBER while `TriggerRunOutput.id` is a STRING; use
`TriggerRunOutput.run_id` to get the int that `?runId=` wants.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from airsync_tui.models import guard
from airsync_tui.models.timeparse import parse_time

T = TypeVar("T")


class _Wire(BaseModel):
    """Base for wire models: tolerant of extra fields, read by alias or name."""

    # defer_build: schemas are built on first use, not at import (start-up time).
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True, defer_build=True)


def _time_or_none(value: Any) -> datetime | None:
    """ISO text (or epoch seconds, defensively) -> aware UTC; blank or unusable -> None (reported)."""
    try:
        return guard.moment(parse_time(value))
    except (ValueError, OverflowError, OSError):
        guard.report("time", value, "not a time")
        return None


def _int_id(value: Any) -> int:
    # A number on the wire; the Go SDK models it as a string, so accept "123".
    return int(float(value)) if not isinstance(value, int) else value


def _status_or_unknown(value: Any) -> str:
    return str(value) if value not in (None, "") else "unknown"


#: The field types shared by runs and syncs (one validator each, not one per model).
_ID = BeforeValidator(_int_id)
_TIME = BeforeValidator(_time_or_none)
_STATUS = BeforeValidator(_status_or_unknown)


class RowCounts(_Wire):
    """`{addedCount, changedCount, removedCount}`: planned, successful or failed rows."""

    added_count: int = Field(0, alias="addedCount")
    changed_count: int = Field(0, alias="changedCount")
    removed_count: int = Field(0, alias="removedCount")

    @field_validator("added_count", "changed_count", "removed_count", mode="before")
    @classmethod
    def _count(cls, value: Any) -> int:
        # The spec types these as `number`: accept 12.0, treat null as 0.
        if value is None:
            return 0
        return guard.count(value, "row count") or 0

    @property
    def total(self) -> int:
        return self.added_count + self.changed_count + self.removed_count


def _rows(value: Any) -> Any:
    return RowCounts() if value is None else value


class SyncRun(_Wire):
    """One run of a sync (HT-GO `SyncRun`, see shared/seeds/002)."""

    id: Annotated[int, _ID]
    created_at: Annotated[datetime, _TIME] = Field(alias="createdAt")
    started_at: Annotated[datetime | None, _TIME] = Field(None, alias="startedAt")
    finished_at: Annotated[datetime | None, _TIME] = Field(None, alias="finishedAt")
    status: Annotated[str, _STATUS] = "unknown"
    completion_ratio: float = Field(0.0, alias="completionRatio")
    query_size: int = Field(0, alias="querySize")
    planned_rows: RowCounts = Field(default_factory=RowCounts, alias="plannedRows")
    successful_rows: RowCounts = Field(default_factory=RowCounts, alias="successfulRows")
    failed_rows: RowCounts = Field(default_factory=RowCounts, alias="failedRows")
    error: str | None = None

    @field_validator("completion_ratio", mode="before")
    @classmethod
    def _ratio(cls, value: Any) -> float:
        """Clamp to 0..1: the ratio is advisory and must never break a progress bar."""
        try:
            ratio = float(value)
        except (TypeError, ValueError, OverflowError):
            return 0.0
        if ratio != ratio:  # NaN
            return 0.0
        return 0.0 if ratio < 0 else 1.0 if ratio > 1 else ratio

    @field_validator("query_size", mode="before")
    @classmethod
    def _query_size(cls, value: Any) -> int:
        return 0 if value is None else guard.count(value, "query size") or 0

    @field_validator("planned_rows", "successful_rows", "failed_rows", mode="before")
    @classmethod
    def _row_counts(cls, value: Any) -> Any:
        return _rows(value)

    @field_validator("error", mode="before")
    @classmethod
    def _error(cls, value: Any) -> str | None:
        text = str(value).strip() if value is not None else ""
        return text or None


class IntervalSchedule(_Wire):
    quantity: int = 0
    unit: str = ""


class SyncSchedule(_Wire):
    """`{type, schedule}`; the inner shape depends on `type` (interval, cron, visual_cron, dbt...)."""

    type: str = "unknown"
    schedule: dict[str, Any] | None = None

    def interval(self) -> IntervalSchedule | None:
        inner = (self.schedule or {}).get("interval")
        if isinstance(inner, dict):
            return IntervalSchedule.model_validate(inner)
        return None

    def cron_expression(self) -> str | None:
        expression = (self.schedule or {}).get("expression")
        return expression if isinstance(expression, str) and expression.strip() else None


class Sync(_Wire):
    """A Hightouch sync (model -> destination). Required-by-spec fields still default here."""

    id: Annotated[int, _ID]
    slug: str = ""
    name: str | None = None  # not in HT-SPEC; used if a future API version adds it
    workspace_id: str | None = Field(None, alias="workspaceId")
    created_at: Annotated[datetime | None, _TIME] = Field(None, alias="createdAt")
    updated_at: Annotated[datetime | None, _TIME] = Field(None, alias="updatedAt")
    destination_id: str | None = Field(None, alias="destinationId")
    model_id: str | None = Field(None, alias="modelId")
    configuration: dict[str, Any] = Field(default_factory=dict)
    schedule: SyncSchedule | None = None
    status: Annotated[str, _STATUS] = "unknown"
    disabled: bool = False
    last_run_at: Annotated[datetime | None, _TIME] = Field(None, alias="lastRunAt")
    referenced_columns: tuple[str, ...] = Field((), alias="referencedColumns")
    primary_key: str | None = Field(None, alias="primaryKey")
    external_segment: dict[str, Any] | None = Field(None, alias="externalSegment")
    tags: dict[str, str] = Field(default_factory=dict)

    @field_validator("workspace_id", "destination_id", "model_id", mode="before")
    @classmethod
    def _str_id(cls, value: Any) -> str | None:
        # Numbers in HT-SPEC, strings in the SDKs: normalise to text.
        return None if value is None else str(value)

    @field_validator("configuration", "tags", mode="before")
    @classmethod
    def _mapping(cls, value: Any) -> Any:
        return {} if value is None else value

    @field_validator("referenced_columns", mode="before")
    @classmethod
    def _columns(cls, value: Any) -> Any:
        return () if value is None else value

    @field_validator("primary_key", mode="before")
    @classmethod
    def _primary_key(cls, value: Any) -> str | None:
        return None if value is None else str(value)


class TriggerRunOutput(_Wire):
    """`POST /syncs/{id}/trigger` answer. `id` is a STRING here, unlike `SyncRun.id`."""

    id: str

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, value: Any) -> str:
        return str(value)

    @property
    def run_id(self) -> int:
        """The run id as the number `GET /syncs/{id}/runs?runId=` expects."""
        return int(self.id.strip())


class ListResponse(_Wire, Generic[T]):
    """List envelope `{data, hasMore}` (offset/limit paging, no total count)."""

    data: list[T] = Field(default_factory=list)
    has_more: bool = Field(False, alias="hasMore")


class SyncList(ListResponse[Sync]):
    pass


class SyncRunList(ListResponse[SyncRun]):
    pass


__all__ = [
    "IntervalSchedule",
    "ListResponse",
    "RowCounts",
    "Sync",
    "SyncList",
    "SyncRun",
    "SyncRunList",
    "SyncSchedule",
    "TriggerRunOutput",
]
