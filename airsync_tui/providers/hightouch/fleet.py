"""Hightouch fleet actions: pause/resume through `PATCH /syncs/{id}` `{"disabled": bool}`.

hightouch-api.md documents `UpdateSync` only for `disabled` ("stops future
scheduled runs"); schedule changes through the API are not documented, and a
Hightouch sync has no streams, so those actions are declared unavailable with
the reason instead of guessed at.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from airsync_tui.errors import ApiError, NotFoundError, ReadOnlyError, UnsupportedError
from airsync_tui.models.domain import Connection, Job
from airsync_tui.models.schedule_change import ScheduleChange
from airsync_tui.providers.base import ConnectionAction
from airsync_tui.providers.paused import paused_error

from .mapping import map_sync

if TYPE_CHECKING:
    from .client import HightouchClient

SCHEDULE_UNAVAILABLE = "Hightouch's API documents no schedule change (only enabling/disabling a sync); change it in Hightouch"
STREAMS_UNAVAILABLE = "a Hightouch sync has no streams; use the full resync job type instead"

HIGHTOUCH_ACTIONS: tuple[ConnectionAction, ...] = (
    ConnectionAction(
        "pause",
        "Pause",
        "Disable the sync: scheduled runs stop and triggers are refused.",
    ),
    ConnectionAction("resume", "Resume", "Enable the sync again: its schedule runs."),
    ConnectionAction(
        "schedule",
        "Schedule",
        "Change when the sync runs.",
        available=False,
        unavailable_reason=SCHEDULE_UNAVAILABLE,
    ),
    ConnectionAction(
        "refresh_streams",
        "Refresh streams",
        "Per-stream refresh.",
        available=False,
        unavailable_reason=STREAMS_UNAVAILABLE,
    ),
    ConnectionAction(
        "clear_streams",
        "Clear streams",
        "Per-stream clear.",
        available=False,
        unavailable_reason=STREAMS_UNAVAILABLE,
    ),
)


def _sync_id(connection_id: str) -> int:
    text = str(connection_id).strip()
    if not text.isdigit():
        raise NotFoundError(
            f"Hightouch sync {connection_id!r} not found",
            hint="sync ids are numbers, e.g. 58201",
        )
    return int(text)


class HightouchFleetMixin:
    """Fleet actions of `HightouchProvider`."""

    if TYPE_CHECKING:
        client: HightouchClient
        read_only: bool

        def connection_url(self, connection_id: str) -> str | None: ...

        async def get_connection(self, connection_id: str) -> Connection: ...

    async def explain_refusal(self, connection_id: str, error: ApiError) -> ApiError:
        """A trigger refused because the sync is disabled says "paused" and how to resume."""
        if error.status_code != 422:
            return error
        try:
            connection = await self.get_connection(connection_id)
        except ApiError:
            return error
        return paused_error(connection, error) if not connection.enabled else error

    async def set_enabled(self, connection_id: str, enabled: bool) -> Connection:
        if self.read_only:
            raise ReadOnlyError(
                f"refusing to {'enable' if enabled else 'disable'} Hightouch sync {connection_id}: this session is read-only",
                hint="drop --read-only (or read_only / AIRSYNC_READ_ONLY) to allow it",
            )
        sync = await self.client.patch_sync(_sync_id(connection_id), {"disabled": not enabled})
        return map_sync(sync, web_url=self.connection_url(str(sync.id)))

    async def set_schedule(self, connection_id: str, change: ScheduleChange) -> Connection:
        raise UnsupportedError(SCHEDULE_UNAVAILABLE)

    async def refresh_streams(self, connection_id: str, streams: Sequence[str], mode: str = "merge") -> Job:
        raise UnsupportedError(STREAMS_UNAVAILABLE)

    async def clear_streams(self, connection_id: str, streams: Sequence[str]) -> Job:
        raise UnsupportedError(STREAMS_UNAVAILABLE)
