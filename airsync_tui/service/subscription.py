"""Fan-out of watcher events to any number of subscribers.

Each subscriber gets its own queue so a slow consumer (a CLI printing to a
pipe) never delays another (the TUI). Queues are bounded: a subscriber that
stops reading loses the oldest progress updates first, never status changes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from airsync_tui.service.events import Event, JobDetailUpdated, ProgressUpdated

_DROPPABLE = (ProgressUpdated, JobDetailUpdated)


class Subscription:
    """An async iterator of events; `close()` (or `async with`) to leave."""

    def __init__(self, hub: EventHub, maxsize: int) -> None:
        self._hub = hub
        self._queue: asyncio.Queue[Event | None] = asyncio.Queue(maxsize=maxsize)
        self.dropped = 0
        self.closed = False

    def _offer(self, event: Event) -> None:
        if self.closed:
            return
        if self._queue.full():
            if isinstance(event, _DROPPABLE):
                self.dropped += 1
                return
            self._evict_droppable()
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped += 1

    def _evict_droppable(self) -> None:
        kept: list[Event | None] = []
        evicted = False
        while not self._queue.empty():
            item = self._queue.get_nowait()
            if not evicted and isinstance(item, _DROPPABLE):
                evicted = True
                self.dropped += 1
                continue
            kept.append(item)
        for item in kept:
            self._queue.put_nowait(item)

    async def get(self, timeout: float | None = None) -> Event | None:
        """Next event, or None when closed or on timeout.

        `asyncio.timeout`, not `wait_for`: on Python 3.11 `wait_for` swallows a
        cancellation that lands while the queue has just produced an event, so a
        Ctrl-C during `sync --wait` was lost (the CLI kept waiting).
        """
        try:
            async with asyncio.timeout(timeout):
                return await self._queue.get()
        except TimeoutError:
            return None

    def get_nowait(self) -> Event | None:
        try:
            return self._queue.get_nowait()
        except asyncio.QueueEmpty:
            return None

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._hub._remove(self)
            try:
                self._queue.put_nowait(None)
            except asyncio.QueueFull:
                pass

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Event]:
        while True:
            event = await self._queue.get()
            if event is None:
                return
            yield event

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()


class EventHub:
    def __init__(self) -> None:
        self._subscribers: list[Subscription] = []

    def subscribe(self, maxsize: int = 10_000) -> Subscription:
        sub = Subscription(self, maxsize)
        self._subscribers.append(sub)
        return sub

    def publish(self, event: Event) -> None:
        for sub in list(self._subscribers):
            sub._offer(event)

    def _remove(self, sub: Subscription) -> None:
        if sub in self._subscribers:
            self._subscribers.remove(sub)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)
