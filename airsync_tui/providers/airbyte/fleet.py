"""Airbyte fleet actions: pause/resume, schedule, per-stream refresh and clear.

Wire facts (shared/reference/openapi):

* pause/resume and schedule: public `PATCH /connections/{id}` with
  `{"status": "inactive"|"active"}` or `{"schedule": {"scheduleType":
  "manual"|"cron", "cronExpression"?}}` (`ConnectionPatchRequest`); the answer
  is the updated `ConnectionResponse`.
* per-stream refresh: config `connections/refresh`
  (`ConnectionStreamRefreshRequestBody`: `refreshMode` Truncate|Merge, optional
  `streams[{streamName, streamNamespace?}]`) answers `JobReadResponse`; the
  public API refuses `jobType: refresh` with 422, so this is the only path.
* per-stream clear: config `connections/clear/stream`
  (`ConnectionStreamRequestBody`) answers `JobInfoRead`; no streams means
  `connections/clear` (the whole connection, as `sync --type clear` does).

Read-only sessions refuse here, before any request is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from airsync_tui.errors import ApiError, ConfigError, UnsupportedError
from airsync_tui.models.domain import Connection, Job
from airsync_tui.models.schedule_change import ScheduleChange
from airsync_tui.providers.airbyte.mapping import map_config_job, map_connection
from airsync_tui.providers.base import ConnectionAction
from airsync_tui.providers.paused import paused_error

if TYPE_CHECKING:
    from airsync_tui.providers.airbyte.client import AirbyteClient

REFRESH_MODES = ("merge", "truncate")
_WIRE_MODE = {"merge": "Merge", "truncate": "Truncate"}

AIRBYTE_ACTIONS: tuple[ConnectionAction, ...] = (
    ConnectionAction(
        "pause",
        "Pause",
        "Set the connection inactive: its schedule stops and syncs are refused.",
    ),
    ConnectionAction("resume", "Resume", "Set the connection active again: its schedule runs."),
    ConnectionAction(
        "schedule",
        "Schedule",
        "Change when the connection runs: manual, every N hours, or a cron.",
    ),
    ConnectionAction(
        "refresh_streams",
        "Refresh streams",
        "Re-sync the chosen streams from scratch (merge keeps loaded rows; truncate deletes them first).",
        destructive=True,
        modes=REFRESH_MODES,
    ),
    ConnectionAction(
        "clear_streams",
        "Clear streams",
        "Delete the chosen streams' data and state in the destination (no re-sync).",
        destructive=True,
    ),
)


class AirbyteFleetMixin:
    """Fleet actions of `AirbyteProvider` (kept apart so the provider module stays readable)."""

    if TYPE_CHECKING:
        client: AirbyteClient

        def _ensure_writable(self, action: str) -> None: ...

        def connection_url(self, connection_id: str) -> str | None: ...

        def job_url(self, job: Job, attempt_number: int | None = None) -> str | None: ...

        def server_now(self) -> datetime: ...

        async def get_connection(self, connection_id: str) -> Connection: ...

    async def explain_refusal(self, connection_id: str, error: ApiError) -> ApiError:
        """A refused trigger on a paused connection says so (Airbyte's body only says "Could not fulfill request")."""
        try:
            connection = await self.get_connection(connection_id)
        except ApiError:
            return error
        if connection.status == "active":
            return error
        return paused_error(connection, error)

    async def set_enabled(self, connection_id: str, enabled: bool) -> Connection:
        """Resume (`active`) or pause (`inactive`) one connection."""
        self._ensure_writable(f"{'resume' if enabled else 'pause'} connection {connection_id}")
        wire = await self.client.patch_connection(connection_id, {"status": "active" if enabled else "inactive"})
        return map_connection(wire, web_url=self.connection_url(wire.connection_id))

    async def set_schedule(self, connection_id: str, change: ScheduleChange) -> Connection:
        """Manual or cron; an interval arrives here already turned into its cron (`ScheduleChange.every`)."""
        self._ensure_writable(f"change the schedule of connection {connection_id}")
        schedule: dict[str, Any]
        if change.kind == "manual":
            schedule = {"scheduleType": "manual"}
        elif change.kind == "cron" and change.cron:
            schedule = {"scheduleType": "cron", "cronExpression": change.cron}
        else:
            raise UnsupportedError(
                f"Airbyte's public API cannot set a {change.kind!r} schedule",
                hint="use --manual, --every or --cron",
            )
        wire = await self.client.patch_connection(connection_id, {"schedule": schedule})
        return map_connection(wire, web_url=self.connection_url(wire.connection_id))

    async def refresh_streams(self, connection_id: str, streams: Sequence[str], mode: str = "merge") -> Job:
        """Start a refresh of `streams` (all when empty) through the config API."""
        self._ensure_writable(f"refresh streams of connection {connection_id}")
        if mode not in REFRESH_MODES:
            raise ConfigError(f"unknown refresh mode {mode!r}", hint="use merge or truncate")
        info = await self.client.config_refresh_streams(connection_id, streams, _WIRE_MODE[mode])
        return self._config_job(info.job, connection_id)

    async def clear_streams(self, connection_id: str, streams: Sequence[str]) -> Job:
        """Start a clear of `streams` (the whole connection when empty) through the config API."""
        self._ensure_writable(f"clear streams of connection {connection_id}")
        info = await self.client.config_clear_streams(connection_id, streams)
        return self._config_job(info.job, connection_id)

    def _config_job(self, wire: Any, connection_id: str) -> Job:
        job = map_config_job(wire, [], now=self.server_now())
        if not job.connection_id:
            job = job.model_copy(update={"connection_id": connection_id})
        return job.model_copy(update={"web_url": self.job_url(job)})
