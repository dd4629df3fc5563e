"""The log follower: followed attempt logs turned into `LogLinesAdded` events.

Moved out of the watcher so the poll loops stay about jobs. The poller's follow
loop calls `poll_due` each pass; this module decides which followed attempt is
due, reads its new lines through a `ProviderLogFeed`, and keeps reading for
`log_trailing_seconds` after the attempt ends (logs arrive late).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from airsync_tui.errors import AirsyncError, NotFoundError
from airsync_tui.models.domain import Job
from airsync_tui.providers.base import SyncProvider
from airsync_tui.service.events import HealthState, LogLinesAdded
from airsync_tui.service.store import StateStore
from airsync_tui.service.subscription import EventHub
from airsync_tui.service.watch_config import WatcherConfig

if TYPE_CHECKING:  # the log engine loads on the first followed log, not with the first screen
    from airsync_tui.logs import LogIndex
    from airsync_tui.service.log_feed import ProviderLogFeed

LogKey = tuple[str, int]


@dataclass
class LogFollow:
    """State of one followed attempt log."""

    refs: int = 1
    feed: ProviderLogFeed | None = None
    index: LogIndex | None = None
    last_poll: float = 0.0
    ended_at: float | None = None
    done: bool = False


class LogFollower:
    """Reference-counted followed attempt logs and their polling."""

    def __init__(
        self,
        store: StateStore,
        hub: EventHub,
        config: WatcherConfig,
        provider_for_key: Callable[[str], SyncProvider],
        observe: Callable[[Job], None],
        set_health: Callable[[str, HealthState, str], None],
    ) -> None:
        self._store = store
        self._hub = hub
        self._config = config
        self._provider_for_key = provider_for_key
        self._observe = observe
        self._set_health = set_health
        self._followed: dict[LogKey, LogFollow] = {}

    def follow(self, job_key: str, attempt_number: int) -> None:
        key = (job_key, attempt_number)
        follow = self._followed.get(key)
        if follow is None:
            self._followed[key] = LogFollow()
        else:
            follow.refs += 1

    def unfollow(self, job_key: str, attempt_number: int) -> None:
        key = (job_key, attempt_number)
        follow = self._followed.get(key)
        if follow is None:
            return
        follow.refs -= 1
        if follow.refs <= 0:
            del self._followed[key]

    def done(self, job_key: str, attempt_number: int) -> bool:
        """True once a followed attempt has ended and its trailing lines were read."""
        follow = self._followed.get((job_key, attempt_number))
        return follow is not None and follow.done

    async def poll_due(self, now: float) -> None:
        """Read new lines of every followed attempt whose interval has passed."""
        for log_key, follow in list(self._followed.items()):
            if follow.done or now - follow.last_poll < self._config.log_interval:
                continue
            follow.last_poll = now
            provider = log_key[0].split(":", 1)[0]
            try:
                await self._poll(log_key, follow, now)
            except asyncio.CancelledError:
                raise
            except AirsyncError as exc:
                self._set_health(provider, HealthState.DEGRADED, str(exc))
            except Exception as exc:  # noqa: BLE001 — a malformed log must not stop following
                self._set_health(provider, HealthState.DEGRADED, f"{type(exc).__name__}: {exc}")

    async def _poll(self, log_key: LogKey, follow: LogFollow, now: float) -> None:
        job_key, attempt_number = log_key
        if follow.feed is None or follow.index is None:
            from airsync_tui.service.log_feed import ProviderLogFeed

            provider = self._provider_for_key(job_key)
            job = self._store.job(job_key) or await provider.get_job(job_key.split(":", 1)[1])
            connection = self._store.connection(job.connection_key)
            feed = ProviderLogFeed(
                provider,
                job,
                detail=self._store.detail(job_key),
                connection_name=connection.name if connection else None,
                attempt_number=attempt_number,
            )
            try:
                index = await feed.load(attempt_number)
            except NotFoundError:
                # The attempt does not exist yet (job still pending): keep waiting
                # while the job is active, give up once it has ended without it.
                fresh = await provider.get_job(job.id)
                self._observe(fresh)
                if fresh.status.is_terminal:
                    follow.done = True
                return
            follow.feed, follow.index = feed, index
            added = len(index)
        else:
            added = await follow.feed.poll(attempt_number, follow.index)
        index = follow.index
        if added:
            start = len(index) - added
            lines = tuple(index.formatted(i) for i in range(start, len(index)))
            self._hub.publish(
                LogLinesAdded(
                    provider=job_key.split(":", 1)[0],
                    job_key=job_key,
                    attempt_number=attempt_number,
                    lines=lines,
                    total_lines=len(index),
                )
            )
        if follow.feed.is_live(attempt_number):
            follow.ended_at = None
        elif follow.ended_at is None:
            follow.ended_at = now
        if follow.ended_at is not None and now - follow.ended_at >= self._config.log_trailing_seconds:
            follow.done = True


__all__ = ["LogFollow", "LogFollower"]
