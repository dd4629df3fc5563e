"""Hightouch v1 wire format: camelCase JSON for `Sync` and `SyncRun`.

Field choices where the spec is vague (see hightouch-api.md A.3):
- `startedAt` is null while a run is `queued`; `finishedAt` is null until the
  run is terminal. The spec marks both required, so clients must parse them
  as nullable; serving null is the honest value for "not yet".
- `completionRatio` is 0 until processing starts, rises linearly with virtual
  time during `processing`, is 1 for `reporting`/`success`/`warning`, and
  freezes where processing stopped for `failed`/`interrupted`/`cancelled`.
- `querySize` and the row counts are 0 until querying is done; successful and
  failed rows grow with completionRatio, so successful + failed <= planned at
  every instant.
- `error` is null unless the run failed, was interrupted or was cancelled
  (`warning` runs finished; their failed rows are in `failedRows`).
- All ids (`id`, `workspaceId`, `destinationId`, `modelId`, `SyncRun.id`)
  are numbers, as HT-SPEC (newer than the SDKs, which say strings) types
  them; only the trigger output id is a string.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .model import ZERO_ROWS, RowCounts, Run, Sync


def iso(ts: float | None) -> str | None:
    """Epoch seconds -> `2026-01-05T10:00:00.000Z` (what Hightouch serves)."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(ts * 1000) % 1000:03d}Z"


def rows(counts: RowCounts) -> dict[str, int]:
    return {"addedCount": counts.added, "changedCount": counts.changed, "removedCount": counts.removed}


def sync_to_json(sync: Sync) -> dict[str, Any]:
    return {
        "id": sync.id,
        "slug": sync.slug,
        "workspaceId": sync.workspace_id,
        "createdAt": iso(sync.created_at),
        "updatedAt": iso(sync.updated_at),
        "destinationId": sync.destination_id,
        "modelId": sync.model_id,
        "configuration": sync.configuration,
        "schedule": sync.schedule.to_json() if sync.schedule else None,
        "status": sync.status,
        "disabled": sync.disabled,
        "lastRunAt": iso(sync.last_run_at),
        "referencedColumns": sync.referenced_columns,
        "primaryKey": sync.primary_key,
        "externalSegment": sync.external_segment,
        "tags": sync.tags,
    }


def completion_ratio(run: Run, now: float) -> float:
    status = run.status
    if status == "processing":
        assert run.processing_started_at is not None
        elapsed = (now - run.processing_started_at) / max(run.processing_duration, 1e-9)
        return round(min(max(elapsed, 0.0), run.plan.stop_ratio), 4)
    if status in ("reporting", "success", "warning"):
        return 1.0
    if status in ("failed", "interrupted", "cancelled"):
        return round(run.plan.stop_ratio, 4) if run.processing_started_at is not None else 0.0
    return 0.0


def run_to_json(run: Run, now: float) -> dict[str, Any]:
    plan = run.plan
    ratio = completion_ratio(run, now)
    if run.processing_started_at is None:  # still queued/pending/querying, or the query failed
        query_size, planned, ok, failed = 0, ZERO_ROWS, ZERO_ROWS, ZERO_ROWS
    elif run.status == "processing":
        share = ratio / plan.stop_ratio if plan.stop_ratio > 0 else 0.0
        query_size, planned = plan.query_size, plan.planned
        ok, failed = plan.successful.scaled(share), plan.failed.scaled(share)
    else:
        query_size, planned, ok, failed = plan.query_size, plan.planned, plan.successful, plan.failed
    return {
        "id": run.id,
        "createdAt": iso(run.created_at),
        "startedAt": iso(run.started_at),
        "finishedAt": iso(run.finished_at),
        "status": run.status,
        "completionRatio": ratio,
        "querySize": query_size,
        "plannedRows": rows(planned),
        "successfulRows": rows(ok),
        "failedRows": rows(failed),
        "error": plan.error if run.finished_at is not None else None,
    }
