"""Fleet actions on the emulated Airbyte world: pause/resume, schedule, per-stream refresh and clear.

Kept out of `world.py` (a hot file several people edit): these functions take
the world's lock and use its scheduling primitives. Every change is recorded in
`world.events` with the config API's `ConnectionEventType` names, so the
timeline (`connections/events/list`) shows who paused what and when:
`CONNECTION_DISABLED` / `CONNECTION_ENABLED`, `CONNECTION_SETTINGS_UPDATE`
(schedule, name), `REFRESH_STARTED`, `CLEAR_STARTED`. The terminal
REFRESH_*/CLEAR_* events come from the job lifecycle like any job's.

Behaviour mirrors the server: an inactive connection keeps no schedule (its
pending fire is dropped) and refuses syncs and refreshes with Airbyte's real
409 ("Can only sync an active connection" / the public API's generic state
conflict); resuming computes its next fire from now.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from airsync_tui.emulator.airbyte.model import Connection, Job
from airsync_tui.emulator.airbyte.schedule import QuartzCron
from airsync_tui.emulator.airbyte.world import (
    AirbyteWorld,
    ConnectionNotActive,
    JobConflict,
)

#: Who acts through the API in the emulator (UserReadInConnectionEvent needs `isDeleted`).
API_USER: dict[str, Any] = {
    "id": "00000000-0000-4000-8000-00000000a11c",
    "name": "API client",
    "email": "api-client@emulator.invalid",
    "isDeleted": False,
}
PATCH_STATUSES = frozenset({"active", "inactive"})
SCHEDULE_TYPES = frozenset({"manual", "cron"})


class InvalidPatch(ValueError):
    """The PATCH body is not a valid `ConnectionPatchRequest` (answered 400 bad-request)."""


class CronProblem(InvalidPatch):
    """A cron Airbyte's cron validation refuses (problem type `error:cron-validation/...`)."""

    def __init__(self, kind: str, title: str, detail: str, data: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.kind, self.title, self.detail, self.data = kind, title, detail, data


class UnknownStreams(ValueError):
    """Streams named in a refresh/clear request that the connection does not have (answered 422)."""


@dataclass(frozen=True, slots=True)
class PatchOutcome:
    connection: Connection
    changed: tuple[str, ...]  # field names that actually changed


def _live(world: AirbyteWorld, connection_id: str) -> Connection:
    connection = world.connections_by_id[connection_id]  # KeyError → 404
    if connection.status == "deprecated":
        raise KeyError(connection_id)
    return connection


def patch_connection(world: AirbyteWorld, connection_id: str, body: dict[str, Any]) -> PatchOutcome:
    """Apply a public `PATCH /connections/{id}` body (name, status, schedule).

    Validates everything before changing anything, so a bad field changes
    nothing. Setting a value the connection already has changes nothing and
    records no event (a second bulk pause is a no-op on the server too).
    """
    with world.lock:
        connection = _live(world, connection_id)
        status = body.get("status")
        if status is not None and status not in PATCH_STATUSES:
            raise InvalidPatch(f"Invalid status: {status}. Allowed: active, inactive")
        name = body.get("name")
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise InvalidPatch("name must be a non-empty string")
        schedule = body.get("schedule")
        new_kind: str | None = None
        new_expr: str | None = None
        if schedule is not None:
            if not isinstance(schedule, dict) or "scheduleType" not in schedule:
                raise InvalidPatch("schedule.scheduleType is required")
            new_kind = str(schedule["scheduleType"])
            if new_kind not in SCHEDULE_TYPES:
                raise InvalidPatch(f"Invalid scheduleType: {new_kind}. Allowed: manual, cron")
            if new_kind == "cron":
                new_expr = schedule.get("cronExpression")
                if not isinstance(new_expr, str) or not new_expr.strip():
                    raise CronProblem(
                        "missing-cron-data",
                        "Cron data is missing",
                        "If schedule type is cron, scheduleData.cron must be provided.",
                    )
                try:
                    QuartzCron.parse(new_expr).next_after(world.clock.now())
                except (ValueError, IndexError, KeyError) as exc:
                    raise CronProblem(
                        "invalid-expression",
                        "Invalid cron expression",
                        "The cron expression is invalid",
                        {
                            "cronExpression": new_expr,
                            "validationErrorMessage": str(exc) or "invalid",
                        },
                    ) from None
        now = world.clock.now()
        changed: list[str] = []
        if name is not None and name != connection.name:
            world.events.record(
                connection_id,
                "CONNECTION_SETTINGS_UPDATE",
                now,
                {"patches": {"name": {"from": connection.name, "to": name}}},
                API_USER,
            )
            connection.name = name
            changed.append("name")
        if new_kind is not None and (new_kind, new_expr) != (
            connection.schedule_kind,
            connection.schedule_expression,
        ):
            before = {
                "scheduleType": connection.schedule_kind,
                "cronExpression": connection.schedule_expression,
            }
            connection.schedule_kind, connection.schedule_expression = (
                new_kind,
                new_expr,
            )
            world.events.record(
                connection_id,
                "CONNECTION_SETTINGS_UPDATE",
                now,
                {
                    "patches": {
                        "schedule": {
                            "from": before,
                            "to": {
                                "scheduleType": new_kind,
                                "cronExpression": new_expr,
                            },
                        }
                    }
                },
                API_USER,
            )
            world._schedule_next(connection, now)
            changed.append("schedule")
        if status is not None and status != connection.status:
            connection.status = status
            world.events.record(
                connection_id,
                "CONNECTION_ENABLED" if status == "active" else "CONNECTION_DISABLED",
                now,
                {},
                API_USER,
            )
            # Inactive: the pending fire is dropped (heap entries whose time no longer matches are skipped).
            world._schedule_next(connection, now)
            changed.append("status")
        return PatchOutcome(connection, tuple(changed))


def start_scoped_job(
    world: AirbyteWorld,
    connection_id: str,
    job_type: str,
    streams: list[str] | None,
    refresh_mode: str | None = None,
) -> Job:
    """Start a refresh or clear limited to `streams` (None/empty = every stream).

    Raises KeyError (404), UnknownStreams (422), ConnectionNotActive (409, refresh
    only: a refresh syncs) or JobConflict (409: a job is already running).
    """
    assert job_type in ("refresh", "clear")
    with world.lock:
        connection = _live(world, connection_id)
        known = {s.name for s in connection.streams}
        unknown = [s for s in streams or () if s not in known]
        if unknown:
            raise UnknownStreams(f"Stream(s) not in the connection's catalog: {', '.join(unknown)}")
        if job_type == "refresh" and connection.status != "active":
            raise ConnectionNotActive(connection_id)
        if connection.active_job_id is not None:
            raise JobConflict(connection_id)
        now = world.clock.now()
        outcome = world.forced_outcomes.pop(connection_id, None)
        job = world._create_job(connection, job_type, now, outcome=outcome, record=True)
        job.stream_scope = tuple(streams) if streams else None
        job.refresh_mode = refresh_mode
        scope = list(job.stream_scope or (s.name for s in connection.streams))
        summary: dict[str, Any] = {
            "jobId": job.job_id,
            "startTimeEpochSeconds": int(now),
            "streams": scope,
        }
        if refresh_mode:
            summary["refreshMode"] = refresh_mode
        world.events.record(
            connection_id,
            "REFRESH_STARTED" if job_type == "refresh" else "CLEAR_STARTED",
            now,
            summary,
            API_USER,
        )
        return job
