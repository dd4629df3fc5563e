"""Airbyte `stream_statuses/latest_per_run_state` → `StreamState` (newest state per stream)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from airsync_tui.models.stream_state import StreamState
from airsync_tui.providers.airbyte.client import AirbyteClient


def _millis(value: Any) -> datetime | None:
    return datetime.fromtimestamp(value / 1000, tz=UTC) if isinstance(value, (int, float)) else None


def map_stream_statuses(body: Any, *, job_id: str | None = None) -> list[StreamState]:
    """Newest status per stream of the newest job (`transitionedAt` decides)."""
    items = body.get("streamStatuses") if isinstance(body, dict) else None
    rows = [i for i in items or [] if isinstance(i, dict) and i.get("streamName")]
    if not rows:
        return []
    newest_job = job_id or str(
        max(
            rows,
            key=lambda i: (int(i.get("jobId") or 0), int(i.get("attemptNumber") or 0)),
        ).get("jobId")
    )
    rows = [i for i in rows if str(i.get("jobId")) == newest_job]
    newest_attempt = max(int(i.get("attemptNumber") or 0) for i in rows)
    latest: dict[tuple[str | None, str], dict[str, Any]] = {}
    for item in rows:
        if int(item.get("attemptNumber") or 0) != newest_attempt:
            continue
        key = (item.get("streamNamespace"), str(item["streamName"]))
        if key not in latest or int(item.get("transitionedAt") or 0) >= int(latest[key].get("transitionedAt") or 0):
            latest[key] = item
    out = []
    for (namespace, name), item in latest.items():
        raw_metadata = item.get("metadata")
        metadata: dict[str, Any] = raw_metadata if isinstance(raw_metadata, dict) else {}
        cause = item.get("incompleteRunCause")
        out.append(
            StreamState(
                name=name,
                namespace=namespace,
                state=str(item.get("runState") or "unknown").lower(),
                since=_millis(item.get("transitionedAt")),
                quota_reset=_millis(metadata.get("quotaReset")),
                cause=str(cause).lower() if cause else None,
            )
        )
    return out


async def fetch_stream_statuses(client: AirbyteClient, connection_id: str) -> list[StreamState]:
    body = await client._config_post("/stream_statuses/latest_per_run_state", {"connectionId": connection_id})
    return map_stream_statuses(body)
