"""Connection timeline in the emulator: events recorded as the simulation runs, and their routes.

Recording: the world calls `record_transition` for every live job transition
(terminal ones become `SYNC_SUCCEEDED` / `SYNC_FAILED` / `SYNC_INCOMPLETE` /
`SYNC_CANCELLED`, or the REFRESH_/CLEAR_ equivalents), `record_manual_start`
when someone starts a job through the API, and `seed_history` once after the
world is built (history jobs plus, on the demo workspace, a settings change,
a schema change, a connector upgrade and an auto-disable with its reason, so
every kind of event has an example).

Routes (config API, POST + JSON, exact shapes of `airbyte-config-api.yaml`):
`/connections/events/list`, `/connections/events/get`,
`/connections/events/list_minimal`. Summaries follow the platform's event
classes (`FinalStatusEvent`, `FailedEvent`, `ManuallyStartedEvent`,
`ConnectionSettingsChangedEvent`, `ConnectionDisabledEvent`,
`SchemaUpdateEvent`, `SchemaConfigUpdateEvent`, `ConnectorUpdate`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from airsync_tui.emulator.airbyte import serialize
from airsync_tui.emulator.airbyte.events import RecordedEvent
from airsync_tui.emulator.airbyte.model import attempt_fraction
from airsync_tui.emulator.http import config_error, json_response

if TYPE_CHECKING:
    from airsync_tui.emulator.airbyte.model import Job
    from airsync_tui.emulator.airbyte.world import AirbyteWorld

EVENT_TYPES = (
    "SYNC_STARTED", "SYNC_SUCCEEDED", "SYNC_INCOMPLETE", "SYNC_FAILED", "SYNC_CANCELLED",
    "REFRESH_STARTED", "REFRESH_SUCCEEDED", "REFRESH_INCOMPLETE", "REFRESH_FAILED", "REFRESH_CANCELLED",
    "CLEAR_STARTED", "CLEAR_SUCCEEDED", "CLEAR_INCOMPLETE", "CLEAR_FAILED", "CLEAR_CANCELLED",
    "CONNECTION_SETTINGS_UPDATE", "CONNECTION_ENABLED", "CONNECTION_DISABLED",
    "SCHEMA_UPDATE", "SCHEMA_CONFIG_UPDATE", "CONNECTOR_UPDATE", "UNKNOWN",
)  # fmt: skip

#: Who acts in the demo (the config API's `UserReadInConnectionEvent`).
DEMO_USERS = (
    {
        "id": "5f1d3c2a-8b7e-4c1d-9a2b-3c4d5e6f7a81",
        "email": "maya.chen@acme.example",
        "name": "Maya Chen",
        "isDeleted": False,
    },
    {
        "id": "0e9a8b7c-6d5e-4f3a-8b2c-1d0e9f8a7b62",
        "email": "sam.ortiz@acme.example",
        "name": "Sam Ortiz",
        "isDeleted": False,
    },
)

_PREFIX = {"sync": "SYNC", "refresh": "REFRESH", "clear": "CLEAR", "reset": "CLEAR"}
_FINAL = {"succeeded": "SUCCEEDED", "failed": "FAILED", "cancelled": "CANCELLED"}


def _job_type_name(job: Job) -> str:
    return job.config_type.upper()


def final_summary(job: Job, at: float, *, with_totals: bool = True) -> dict[str, Any]:
    """`FinalStatusEvent` / `FailedEvent` summary of a finished job.

    `with_totals=False` leaves out records/bytes loaded, which `connection_event`
    fills in when served (seeding thousands of history jobs stays cheap).
    """
    status = _final_status(job)
    summary: dict[str, Any] = {
        "jobId": job.job_id,
        "startTimeEpochSeconds": int(job.started_at or job.created_at),
        "endTimeEpochSeconds": int(at),
        "attemptsCount": len(job.attempts),
        "jobType": _job_type_name(job),
        "statusType": status,
    }
    if with_totals:
        summary.update(_totals(job, at))
    if status in ("FAILED", "INCOMPLETE"):
        failed = next(
            (a for a in reversed(job.attempts) if a.failure is not None and a.ended_at is not None),
            None,
        )
        if failed is not None:
            reason = serialize._failure_reason(job, failed)
            reason.pop("stacktrace", None)  # the summary stays small; events/get has it
            summary["failureReason"] = reason
    return summary


def _totals(job: Job, at: float) -> dict[str, int]:
    _, _, records_committed, bytes_committed, _ = serialize._job_totals(job, at)
    return {"bytesLoaded": bytes_committed, "recordsLoaded": records_committed}


def _final_status(job: Job) -> str:
    """A failed job that still committed records (an attempt past a checkpoint) is INCOMPLETE,
    as the platform reports partial success; the same rule as the attempts' `partialSuccess`."""
    if job.status == "failed" and any(
        a.status == "failed" and attempt_fraction(a, a.ended_at or job.updated_at) >= 0.1 for a in job.attempts
    ):
        return "INCOMPLETE"
    return _FINAL.get(job.status, "FAILED")


def event_type_for(job: Job, status: str) -> str:
    prefix = _PREFIX.get(job.job_type)
    return f"{prefix}_{status}" if prefix else "UNKNOWN"


def record_transition(world: AirbyteWorld, job: Job, new: str, at: float) -> None:
    """Called by the world for every live transition; records the job's end."""
    if new not in _FINAL:
        return
    summary = final_summary(job, at)
    world.events.record(
        job.connection.connection_id,
        event_type_for(job, summary["statusType"]),
        at,
        summary,
    )


def record_manual_start(world: AirbyteWorld, job: Job, user: dict[str, Any] | None = None) -> None:
    """`ManuallyStartedEvent`: only manual jobs get a *_STARTED event (as on the platform)."""
    summary = {
        "jobId": job.job_id,
        "startTimeEpochSeconds": int(job.created_at),
        "jobType": _job_type_name(job),
    }
    world.events.record(
        job.connection.connection_id,
        event_type_for(job, "STARTED"),
        job.created_at,
        summary,
        user or dict(DEMO_USERS[0]),
    )


def seed_history(world: AirbyteWorld) -> None:
    """Called once the world is built. The demo workspace is seeded at once; a scaled one (thousands of
    connections × 20 history jobs) on the first events request, so building it stays fast."""
    if world.scaled:
        return
    ensure_seeded(world)


def ensure_seeded(world: AirbyteWorld) -> None:
    """Events for the jobs that existed before the simulation started, plus the demo's changes (once)."""
    with world.lock:
        if getattr(world, "_timeline_seeded", False):
            return
        world._timeline_seeded = True  # type: ignore[attr-defined]  # set here, read only here
        pending: list[tuple[str, str, float, dict[str, Any], dict[str, Any] | None]] = []
        built = world.built_at
        for job in world.jobs:
            if job.status in _FINAL and job.updated_at <= built:
                summary = final_summary(job, job.updated_at, with_totals=False)
                pending.append(
                    (
                        job.connection.connection_id,
                        event_type_for(job, summary["statusType"]),
                        job.updated_at,
                        summary,
                        None,
                    )
                )
        if not world.scaled:
            pending += [(cid, kind, at, summary, user) for at, cid, kind, summary, user in _demo_changes(world)]
        world.events.record_many(pending)


def _demo_changes(
    world: AirbyteWorld,
) -> list[tuple[float, str, str, dict[str, Any], dict[str, Any] | None]]:
    """One example of every non-job event on named demo connections (deterministic)."""
    by_prefix = {c.name.split(" ")[0]: c for c in world.connections}
    now = world.built_at
    maya, sam = dict(DEMO_USERS[0]), dict(DEMO_USERS[1])
    out: list[tuple[float, str, str, dict[str, Any], dict[str, Any] | None]] = []
    stripe = by_prefix.get("Stripe")
    if stripe is not None:
        cid = stripe.connection_id
        out.append(
            (
                now - 5 * 86400,
                cid,
                "CONNECTION_SETTINGS_UPDATE",
                {
                    "patches": {
                        "scheduleType": {"from": "basic", "to": "cron"},
                        "scheduleData": {
                            "from": {"basicSchedule": {"timeUnit": "hours", "units": 24}},
                            "to": {
                                "cron": {
                                    "cronExpression": "0 0 2 * * ?",
                                    "cronTimeZone": "UTC",
                                }
                            },
                        },
                        "namespaceDefinition": {"from": "source", "to": "destination"},
                    },
                },
                maya,
            )
        )
        out.append(
            (
                now - 3 * 86400,
                cid,
                "SCHEMA_UPDATE",
                {
                    "startTimeEpochSeconds": int(now - 3 * 86400),
                    "catalogDiff": {
                        "transforms": [
                            {
                                "transformType": "add_stream",
                                "streamDescriptor": {"name": "refunds"},
                            },
                            {
                                "transformType": "remove_stream",
                                "streamDescriptor": {"name": "legacy_coupons"},
                            },
                            {
                                "transformType": "update_stream",
                                "streamDescriptor": {"name": "charges"},
                                "updateStream": {
                                    "fieldTransforms": [
                                        {
                                            "transformType": "add_field",
                                            "fieldName": [
                                                "payment_method_details",
                                                "wallet",
                                            ],
                                            "breaking": False,
                                            "addField": {"schema": {"type": "object"}},
                                        },
                                        {
                                            "transformType": "remove_field",
                                            "fieldName": ["source"],
                                            "breaking": True,
                                            "removeField": {"schema": {"type": "object"}},
                                        },
                                        {
                                            "transformType": "update_field_schema",
                                            "fieldName": ["amount_captured"],
                                            "breaking": False,
                                            "updateFieldSchema": {
                                                "oldSchema": {"type": "integer"},
                                                "newSchema": {"type": "number"},
                                            },
                                        },
                                    ],
                                    "streamAttributeTransforms": [],
                                },
                            },
                        ]
                    },
                    "updateReason": "SCHEMA_CHANGE_AUTO_PROPAGATE",
                },
                None,
            )
        )
        out.append(
            (
                now - 3 * 86400 + 600,
                cid,
                "SCHEMA_CONFIG_UPDATE",
                {
                    "catalogConfigDiff": {
                        "streamsEnabled": [{"streamName": "refunds", "status": "enabled"}],
                        "streamsDisabled": [{"streamName": "events", "status": "disabled"}],
                        "fieldsEnabled": [
                            {
                                "streamName": "charges",
                                "status": "enabled",
                                "fields": [["payment_method_details", "wallet"]],
                            }
                        ],
                    },
                },
                sam,
            )
        )
    postgres = by_prefix.get("Postgres")
    if postgres is not None:
        out.append(
            (
                now - 2 * 86400,
                postgres.connection_id,
                "CONNECTOR_UPDATE",
                {
                    "fromVersion": "3.6.18",
                    "toVersion": "3.6.22",
                    "connectorType": "SOURCE",
                    "connectorName": postgres.source_name,
                    "triggeredBy": "SYSTEM",
                },
                None,
            )
        )
    inactive = [c for c in world.connections if c.status == "inactive"]
    if inactive:
        cid = inactive[0].connection_id
        out.append(
            (
                now - 20 * 86400,
                cid,
                "CONNECTION_DISABLED",
                {"disabledReason": "TOO_MANY_FAILED_JOBS_WITH_NO_RECENT_SUCCESS"},
                None,
            )
        )
    facebook = by_prefix.get("Facebook")
    if facebook is not None:
        cid = facebook.connection_id
        out.append(
            (
                now - 9 * 86400,
                cid,
                "CONNECTION_DISABLED",
                {"disabledReason": "SCHEMA_CHANGES_ARE_BREAKING"},
                None,
            )
        )
        out.append((now - 9 * 86400 + 3600, cid, "CONNECTION_ENABLED", {}, sam))
    return out


# ------------------------------------------------------------------ serialisation


def connection_event(world: AirbyteWorld, event: RecordedEvent) -> dict[str, Any]:
    """Config API `ConnectionEvent` (createdAt in epoch seconds; nulls omitted)."""
    summary = event.summary
    if "statusType" in summary and "recordsLoaded" not in summary:
        try:
            job = world.get_job(int(summary["jobId"]))
        except KeyError:
            pass
        else:
            summary = {**summary, **_totals(job, float(summary["endTimeEpochSeconds"]))}
    body: dict[str, Any] = {
        "id": event.event_id,
        "connectionId": event.connection_id,
        "eventType": event.event_type,
        "summary": summary,
        "createdAt": int(event.created_at),
    }
    if event.user is not None:
        body["user"] = event.user
    return body


def connection_event_with_details(world: AirbyteWorld, event: RecordedEvent) -> dict[str, Any]:
    """`ConnectionEventWithDetails`: the summary plus what it leaves out (stack trace, full failure list)."""
    body = connection_event(world, event)
    details: dict[str, Any] = dict(body["summary"])
    job_id = event.summary.get("jobId")
    if isinstance(job_id, int):
        try:
            job = world.get_job(job_id)
        except KeyError:
            job = None
        if job is not None:
            failures = [serialize._failure_reason(job, a) for a in job.attempts if a.failure is not None and a.ended_at is not None]
            if failures:
                details["failureReasons"] = failures
    body["details"] = details
    return body


def connection_event_minimal(world: AirbyteWorld, event: RecordedEvent) -> dict[str, Any]:
    connection = world.connections_by_id.get(event.connection_id)
    return {
        "eventId": event.event_id,
        "connectionId": event.connection_id,
        "connectionName": connection.name if connection else event.connection_id,
        "createdAt": serialize.java_iso(event.created_at),
        "eventType": event.event_type,
    }


# ------------------------------------------------------------------ routes


class _Invalid(ValueError):
    pass


def _invalid(message: str) -> Response:
    return json_response(
        {
            "message": message,
            "validationErrors": [{"propertyPath": "", "message": message}],
        },
        status_code=422,
    )


def _not_found(kind: str, identifier: object) -> Response:
    return config_error(
        404,
        f"Could not find {kind} with id: {identifier}",
        id=str(identifier),
        exceptionClassName="io.airbyte.commons.server.errors.IdNotFoundKnownException",
    )


def _types(body: dict[str, Any], *, required: bool) -> set[str] | None:
    raw = body.get("eventTypes")
    if raw is None:
        if required:
            raise _Invalid("eventTypes is required")
        return None
    if not isinstance(raw, list) or any(t not in EVENT_TYPES for t in raw):
        raise _Invalid(f"eventTypes must be a list of {', '.join(EVENT_TYPES)}")
    return set(raw)


def _time(body: dict[str, Any], name: str, *, required: bool) -> float | None:
    value = body.get(name)
    if value is None:
        if required:
            raise _Invalid(f"{name} is required")
        return None
    try:
        return serialize.parse_iso(str(value))
    except ValueError:
        raise _Invalid(f"Invalid date-time for {name}") from None


def build_event_routes(world: AirbyteWorld) -> list[Route]:
    def events_list(body: dict[str, Any]) -> Any:
        ensure_seeded(world)
        connection_id = body.get("connectionId")
        if not connection_id:
            raise _Invalid("connectionId is required")
        if str(connection_id) not in world.connections_by_id:
            return _not_found("connection", connection_id)
        types = _types(body, required=False)
        start, end = (
            _time(body, "createdAtStart", required=False),
            _time(body, "createdAtEnd", required=False),
        )
        pagination = body.get("pagination") or {}
        size, offset = (
            int(pagination.get("pageSize") or 200),
            int(pagination.get("rowOffset") or 0),
        )
        if size < 1 or offset < 0:
            raise _Invalid("pagination.pageSize must be >= 1 and rowOffset >= 0")
        events = [
            e
            for e in reversed(world.events.for_connections({str(connection_id)}))
            if (types is None or e.event_type in types)
            and (start is None or e.created_at >= start)
            and (end is None or e.created_at <= end)
        ]
        with world.lock:
            return {"events": [connection_event(world, e) for e in events[offset : offset + size]]}

    def events_get(body: dict[str, Any]) -> Any:
        ensure_seeded(world)
        event_id = body.get("connectionEventId")
        if not event_id or not body.get("connectionId"):
            raise _Invalid("connectionEventId and connectionId are required")
        event = world.events.get(str(event_id))
        if event is None or event.connection_id != str(body["connectionId"]):
            return _not_found("connection event", event_id)
        with world.lock:
            return connection_event_with_details(world, event)

    def events_list_minimal(body: dict[str, Any]) -> Any:
        ensure_seeded(world)
        workspace_id = body.get("workspaceId")
        if not workspace_id:
            raise _Invalid("workspaceId is required")
        types = _types(body, required=True) or set()
        start, end = (
            _time(body, "createdAtStart", required=True),
            _time(body, "createdAtEnd", required=True),
        )
        assert start is not None and end is not None
        ids = {c.connection_id for c in world.connections if c.workspace_id == str(workspace_id)}
        events = [e for e in reversed(world.events.for_connections(ids)) if e.event_type in types and start <= e.created_at <= end]
        return {"events": [connection_event_minimal(world, e) for e in events]}

    def endpoint(handler: Callable[[dict[str, Any]], Any]) -> Callable[[Request], Any]:
        async def wrapped(request: Request) -> Response:
            raw = await request.body()
            try:
                body = orjson.loads(raw) if raw else {}
                if not isinstance(body, dict):
                    raise _Invalid("Request body must be a JSON object")
                result = handler(body)
                if asyncio.iscoroutine(result):
                    result = await result
            except orjson.JSONDecodeError:
                return _invalid("Request body is not valid JSON")
            except (_Invalid, TypeError, ValueError) as exc:
                return _invalid(str(exc))
            return result if isinstance(result, Response) else json_response(result)

        return wrapped

    return [
        Route("/connections/events/list", endpoint(events_list), methods=["POST"]),
        Route("/connections/events/get", endpoint(events_get), methods=["POST"]),
        Route(
            "/connections/events/list_minimal",
            endpoint(events_list_minimal),
            methods=["POST"],
        ),
    ]
