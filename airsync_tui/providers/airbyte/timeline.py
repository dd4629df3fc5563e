"""Airbyte's connection event log (config API `connections/events/*`) → `TimelineEvent`s.

Every `ConnectionEventType` maps to a title and readable detail lines: job
ends with records, bytes, duration and the failure; settings updates with
what changed (`patches`: field → from/to); enabled/disabled with the reason;
schema updates as a catalog-diff summary (streams and fields added, removed,
changed, breaking); stream-selection changes; connector version updates; and
who acted. Summaries are open JSON, so unknown keys and types degrade to a
plain title instead of an error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from airsync_tui.models.domain import FailureInfo
from airsync_tui.models.timeline import JOB_END_STATUS, TimelineEvent
from airsync_tui.models.timeparse import format_iso, parse_iso
from airsync_tui.providers.airbyte.client import AirbyteClient
from airsync_tui.textfmt import count, counted

PROVIDER = "airbyte"
ALL_EVENT_TYPES = (
    "SYNC_STARTED", "SYNC_SUCCEEDED", "SYNC_INCOMPLETE", "SYNC_FAILED", "SYNC_CANCELLED",
    "REFRESH_STARTED", "REFRESH_SUCCEEDED", "REFRESH_INCOMPLETE", "REFRESH_FAILED", "REFRESH_CANCELLED",
    "CLEAR_STARTED", "CLEAR_SUCCEEDED", "CLEAR_INCOMPLETE", "CLEAR_FAILED", "CLEAR_CANCELLED",
    "CONNECTION_SETTINGS_UPDATE", "CONNECTION_ENABLED", "CONNECTION_DISABLED",
    "SCHEMA_UPDATE", "SCHEMA_CONFIG_UPDATE", "CONNECTOR_UPDATE", "UNKNOWN",
)  # fmt: skip

_JOB_WORD = {"SYNC": "Sync", "REFRESH": "Refresh", "CLEAR": "Clear"}
_SETTING_WORDS = {
    "scheduleType": "schedule type",
    "scheduleData": "schedule",
    "namespaceDefinition": "destination namespace",
    "namespaceFormat": "namespace format",
    "prefix": "stream prefix",
    "status": "status",
    "name": "name",
    "nonBreakingChangesPreference": "non-breaking schema changes",
    "backfillPreference": "backfill of new columns",
    "notifySchemaChanges": "notify schema changes",
    "resourceRequirements": "resources",
    "dataplaneGroupId": "data plane",
    "tags": "tags",
}


def _words(value: str) -> str:
    """`TOO_MANY_FAILED_JOBS` / `someNewSetting` → lower-case words."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", value)
    return spaced.replace("_", " ").lower()


def _value(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        cron = value.get("cron") if isinstance(value.get("cron"), dict) else None
        if cron and cron.get("cronExpression"):
            return f"cron {cron['cronExpression']} {cron.get('cronTimeZone') or ''}".strip()
        basic = value.get("basicSchedule") if isinstance(value.get("basicSchedule"), dict) else None
        if basic and basic.get("units") is not None:
            return f"every {basic['units']} {basic.get('timeUnit', '')}".strip()
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)
    return text if len(text) <= 80 else text[:79] + "…"


def _user(raw: Any) -> str | None:
    if not isinstance(raw, dict):
        return None
    name = raw.get("name") or raw.get("email")
    if not name:
        return None
    return f"{name} (deleted)" if raw.get("isDeleted") else str(name)


def _failure(raw: Any) -> FailureInfo | None:
    if not isinstance(raw, dict):
        return None
    stream = raw.get("streamDescriptor") if isinstance(raw.get("streamDescriptor"), dict) else None
    stamp = raw.get("timestamp")
    return FailureInfo(
        origin=raw.get("failureOrigin"),
        type=raw.get("failureType"),
        message=raw.get("externalMessage"),
        internal_message=raw.get("internalMessage"),
        stacktrace=raw.get("stacktrace"),
        retryable=raw.get("retryable"),
        timestamp=datetime.fromtimestamp(stamp / 1000, tz=UTC) if isinstance(stamp, (int, float)) else None,
        stream=stream.get("name") if stream else None,
    )


def _epoch(value: Any) -> datetime | None:
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=UTC)
    return None


def _streams(transforms: Sequence[Any], kind: str) -> list[str]:
    names = []
    for t in transforms:
        if isinstance(t, dict) and t.get("transformType") == kind:
            descriptor = t.get("streamDescriptor") or {}
            names.append(str(descriptor.get("name", "?")))
    return names


def _list(names: list[str], limit: int = 4) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def catalog_diff_lines(diff: Any) -> tuple[list[str], bool]:
    """A `CatalogDiff` in words; True when any change is breaking."""
    transforms = diff.get("transforms", []) if isinstance(diff, dict) else []
    lines: list[str] = []
    breaking = False
    added, removed = (
        _streams(transforms, "add_stream"),
        _streams(transforms, "remove_stream"),
    )
    if added:
        lines.append(f"+ {counted(len(added), 'stream')}: {_list(added)}")
    if removed:
        lines.append(f"- {counted(len(removed), 'stream')}: {_list(removed)}")
    for t in transforms:
        if not isinstance(t, dict) or t.get("transformType") != "update_stream":
            continue
        name = str((t.get("streamDescriptor") or {}).get("name", "?"))
        fields = (t.get("updateStream") or {}).get("fieldTransforms") or []
        parts: list[str] = []
        for kind, sign in (
            ("add_field", "+"),
            ("remove_field", "-"),
            ("update_field_schema", "~"),
        ):
            matching = [f for f in fields if isinstance(f, dict) and f.get("transformType") == kind]
            if matching:
                names = [".".join(str(p) for p in f.get("fieldName") or []) for f in matching]
                broke = [n for n, f in zip(names, matching, strict=True) if f.get("breaking")]
                breaking = breaking or bool(broke)
                parts.append(f"{sign}{_list(names, 3)}" + (f" (breaking: {_list(broke, 3)})" if broke else ""))
        attributes = (t.get("updateStream") or {}).get("streamAttributeTransforms") or []
        for a in attributes:
            if isinstance(a, dict):
                breaking = breaking or bool(a.get("breaking"))
                parts.append(f"~{_words(str(a.get('transformType', 'attribute')))}")
        lines.append(f"~ {name}: {'; '.join(parts) if parts else 'changed'}")
    return lines, breaking


def catalog_config_diff_lines(diff: Any) -> list[str]:
    """A `CatalogConfigDiff` (stream/field selection, keys, cursors, sync modes) in words."""
    if not isinstance(diff, dict):
        return []
    lines: list[str] = []
    for key, label in (
        ("streamsEnabled", "streams enabled"),
        ("streamsDisabled", "streams disabled"),
    ):
        names = [str(s.get("streamName", "?")) for s in diff.get(key) or [] if isinstance(s, dict)]
        if names:
            lines.append(f"{label}: {_list(names)}")
    for key, label in (
        ("fieldsEnabled", "fields enabled"),
        ("fieldsDisabled", "fields disabled"),
    ):
        items = []
        for s in diff.get(key) or []:
            if isinstance(s, dict):
                for f in s.get("fields") or []:
                    path = ".".join(str(p) for p in f) if isinstance(f, list) else str(f)
                    items.append(f"{s.get('streamName', '?')}.{path}")
        if items:
            lines.append(f"{label}: {_list(items)}")
    for key, label in (
        ("primaryKeysChanged", "primary key"),
        ("cursorFieldsChanged", "cursor"),
        ("syncModesChanged", "sync mode"),
    ):
        names = [str(s.get("streamName", "?")) for s in diff.get(key) or [] if isinstance(s, dict)]
        if names:
            lines.append(f"{label} changed: {_list(names)}")
    return lines


def map_connection_event(
    raw: dict[str, Any],
    *,
    connection_name: str | None = None,
    details: dict[str, Any] | None = None,
) -> TimelineEvent:
    """One config API `ConnectionEvent` (or `ConnectionEventWithDetails`) → TimelineEvent."""
    event_type = str(raw.get("eventType") or "UNKNOWN")
    raw_summary = raw.get("summary")
    summary: dict[str, Any] = raw_summary if isinstance(raw_summary, dict) else {}
    merged: dict[str, Any] = {**summary, **(details or {})}
    created = _epoch(raw.get("createdAt")) or _epoch(raw.get("created_at"))
    base: dict[str, Any] = {
        "provider": PROVIDER,
        "connection_id": str(raw.get("connectionId", "")),
        "connection_name": connection_name,
        "id": str(raw.get("id", "")),
        "event_type": event_type if event_type in ALL_EVENT_TYPES else "UNKNOWN",
        "at": created or datetime.fromtimestamp(0, tz=UTC),
        "user": _user(raw.get("user")),
    }
    head, _, tail = event_type.partition("_")
    if head in _JOB_WORD and tail in (*JOB_END_STATUS, "STARTED"):
        return _job_event(base, head, tail, merged)
    if event_type == "CONNECTION_SETTINGS_UPDATE":
        raw_patches = merged.get("patches")
        patches: dict[str, Any] = raw_patches if isinstance(raw_patches, dict) else {}
        lines = []
        for field, change in patches.items():
            label = _SETTING_WORDS.get(field, _words(field))
            if isinstance(change, dict) and ("from" in change or "to" in change):
                lines.append(f"{label}: {_value(change.get('from'))} → {_value(change.get('to'))}")
            else:
                lines.append(f"{label} changed")
        if merged.get("updateReason"):
            lines.append(f"reason: {_words(str(merged['updateReason']))}")
        title = "Settings changed" + (f": {', '.join(_SETTING_WORDS.get(f, _words(f)) for f in patches)}" if patches else "")
        return TimelineEvent(**base, title=title, details=tuple(lines))
    if event_type == "CONNECTION_ENABLED":
        return TimelineEvent(**base, title="Connection enabled", status="enabled")
    if event_type == "CONNECTION_DISABLED":
        reason = merged.get("disabledReason")
        title = "Connection disabled" + (f": {_words(str(reason))}" if reason else "")
        return TimelineEvent(
            **base,
            title=title,
            status="disabled",
            details=(f"reason: {reason}",) if reason else (),
        )
    if event_type == "SCHEMA_UPDATE":
        lines, breaking = catalog_diff_lines(merged.get("catalogDiff"))
        if merged.get("updateReason"):
            lines.append(f"applied: {_words(str(merged['updateReason']))}")
        return TimelineEvent(
            **base,
            title="Schema changed" + (" (breaking)" if breaking else ""),
            details=tuple(lines),
        )
    if event_type == "SCHEMA_CONFIG_UPDATE":
        return TimelineEvent(
            **base,
            title="Stream selection changed",
            details=tuple(catalog_config_diff_lines(merged.get("catalogConfigDiff"))),
        )
    if event_type == "CONNECTOR_UPDATE":
        kind = str(merged.get("connectorType") or "connector").lower()
        name = merged.get("connectorName") or kind
        title = f"{kind.capitalize()} {name} updated {merged.get('fromVersion', '?')} → {merged.get('toVersion', '?')}"
        by = merged.get("triggeredBy")
        return TimelineEvent(**base, title=title, details=(f"by {_words(str(by))}",) if by else ())
    return TimelineEvent(**base, title=_words(event_type).capitalize())


def _job_event(base: dict[str, Any], head: str, tail: str, summary: dict[str, Any]) -> TimelineEvent:
    word = _JOB_WORD[head]
    job_id = summary.get("jobId")
    start, end = (
        _epoch(summary.get("startTimeEpochSeconds")),
        _epoch(summary.get("endTimeEpochSeconds")),
    )
    records = summary.get("recordsLoaded") if isinstance(summary.get("recordsLoaded"), int) else None
    size = summary.get("bytesLoaded") if isinstance(summary.get("bytesLoaded"), int) else None
    attempts = summary.get("attemptsCount") if isinstance(summary.get("attemptsCount"), int) else None
    failure = _failure(summary.get("failureReason"))
    if tail == "STARTED":
        return TimelineEvent(
            **base,
            title=f"{word} started" + (f" by {base['user']}" if base.get("user") else ""),
            job_id=str(job_id) if job_id is not None else None,
            job_type=head.lower(),
            status="started",
        )
    status = JOB_END_STATUS[tail]
    lines = []
    if records is not None or size is not None:
        lines.append(f"{count(records)} records loaded" + (f" · {_size(size)}" if size is not None else ""))
    if attempts and attempts > 1:
        lines.append(f"{attempts} attempts")
    if failure is not None:
        lines.append(failure.summary())
        if failure.stream:
            lines.append(f"stream: {failure.stream}")
    failures = summary.get("failureReasons")
    if isinstance(failures, list) and len(failures) > 1:
        lines.append(f"{len(failures)} failures over the attempts")
    return TimelineEvent(
        **base,
        title=f"{word} {'partially succeeded' if status == 'incomplete' else status}",
        details=tuple(lines),
        job_id=str(job_id) if job_id is not None else None,
        job_type=head.lower(),
        status=status,
        records=records,
        bytes=size,
        duration=(end - start) if start and end else None,
        attempts=attempts,
        failure=failure,
    )


def _size(value: int | None) -> str:
    if value is None:
        return "-"
    step = 1024.0
    amount = float(value)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if amount < step or unit == "TB":
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= step
    return f"{value} B"


# ------------------------------------------------------------------ requests


async def list_connection_events(client: AirbyteClient, connection_id: str, *, limit: int = 100) -> list[dict[str, Any]]:
    """`connections/events/list`, newest first (one request)."""
    body = {
        "connectionId": connection_id,
        "pagination": {"pageSize": limit, "rowOffset": 0},
    }
    data = await client._config_post("/connections/events/list", body)
    events = data.get("events") if isinstance(data, dict) else None
    return [e for e in events or [] if isinstance(e, dict)]


async def get_connection_event(client: AirbyteClient, connection_id: str, event_id: str) -> dict[str, Any]:
    data = await client._config_post(
        "/connections/events/get",
        {"connectionEventId": event_id, "connectionId": connection_id},
    )
    return data if isinstance(data, dict) else {}


async def list_workspace_events(
    client: AirbyteClient,
    workspace_id: str,
    *,
    start: datetime,
    end: datetime,
    event_types: Sequence[str] = ALL_EVENT_TYPES,
) -> list[dict[str, Any]]:
    """`connections/events/list_minimal` for one workspace over a time range (one request)."""
    body = {
        "workspaceId": workspace_id,
        "eventTypes": list(event_types),
        "createdAtStart": format_iso(start),
        "createdAtEnd": format_iso(end),
    }
    data = await client._config_post("/connections/events/list_minimal", body)
    events = data.get("events") if isinstance(data, dict) else None
    return [e for e in events or [] if isinstance(e, dict)]


def map_minimal_event(raw: dict[str, Any]) -> TimelineEvent:
    """`ConnectionEventMinimal` (the pulse): no summary, so a title from the type alone."""
    event_type = str(raw.get("eventType") or "UNKNOWN")
    created = raw.get("createdAt")
    try:
        at = parse_iso(str(created)) if created else datetime.fromtimestamp(0, tz=UTC)
    except ValueError:
        at = datetime.fromtimestamp(0, tz=UTC)
    head, _, tail = event_type.partition("_")
    status = JOB_END_STATUS.get(tail) if head in _JOB_WORD else None
    if head in _JOB_WORD and tail == "STARTED":
        status = "started"
    if event_type == "CONNECTION_DISABLED":
        status = "disabled"
    return TimelineEvent(
        provider=PROVIDER,
        connection_id=str(raw.get("connectionId", "")),
        connection_name=raw.get("connectionName"),
        id=str(raw.get("eventId", "")),
        event_type=event_type if event_type in ALL_EVENT_TYPES else "UNKNOWN",
        at=at,
        title=_words(event_type).capitalize(),
        status=status,
        job_type=head.lower() if head in _JOB_WORD else None,
    )


__all__ = [
    "ALL_EVENT_TYPES",
    "catalog_config_diff_lines",
    "catalog_diff_lines",
    "get_connection_event",
    "list_connection_events",
    "list_workspace_events",
    "map_connection_event",
    "map_minimal_event",
]
