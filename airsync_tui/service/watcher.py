"""The watcher: one facade over the state store, the poller and the job actions.

Both the TUI and the CLI consume it. The parts (issue 9, "split Watcher"):

* `store` (`service/store.py`): what is known now, as read-only versioned
  views. Screens and the CLI read from it; only the service writes.
* `poller` (`service/poller.py`): one poll loop per provider, health tracking,
  the follow loop for job details, and the log follower (`service/log_follow.py`).
* `actions` (`service/job_actions.py`): trigger and cancel, the one path both
  the UI and the CLI take.

A screen opened later renders from the store's snapshot and then applies events
from `subscribe()`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from airsync_tui.models.domain import Connection, Job, JobDetail
from airsync_tui.models.rate import RateWindow
from airsync_tui.models.recent import newest
from airsync_tui.models.timeparse import utcnow
from airsync_tui.providers.base import SyncProvider, TriggerResult
from airsync_tui.service.clock import ShownClock
from airsync_tui.service.events import ApiHealthChanged, ConnectionsChanged, Event
from airsync_tui.service.job_actions import JobActions
from airsync_tui.service.poller import Poller
from airsync_tui.service.store import StateStore
from airsync_tui.service.subscription import EventHub, Subscription
from airsync_tui.service.watch_config import WatcherConfig, paced_config


class Watcher:
    """Polls providers and publishes events; its `store` holds the current state (read-only)."""

    def __init__(self, providers: Sequence[SyncProvider], config: WatcherConfig | None = None) -> None:
        if not providers:
            raise ValueError("the watcher needs at least one provider")
        self.config = paced_config(config or WatcherConfig())  # AIRSYNC_PACE (tests) shortens the poll waits
        self.providers: dict[str, SyncProvider] = {p.name: p for p in providers}
        self.hub = EventHub()
        self.store = StateStore(self.providers)
        self.poller = Poller(self.providers, self.store, self.hub, ShownClock(), self.config)
        self.actions = JobActions(self.store, self.poller, self.hub)

    @property
    def clock(self) -> ShownClock:
        """The one clock every shown time is read from (server time, skew applied)."""
        return self.poller.clock

    @clock.setter
    def clock(self, clock: ShownClock) -> None:
        # The app injects its clock (tests freeze it): the poller samples rates and transitions with it.
        self.poller.clock = clock

    # ------------------------------------------------------------ lifecycle
    def subscribe(self, maxsize: int = 10_000) -> Subscription:
        return self.hub.subscribe(maxsize)

    async def start(self) -> None:
        """Start one poll loop per provider plus the follow loop (idempotent)."""
        await self.poller.start()

    async def stop(self) -> None:
        """Stop every loop."""
        await self.poller.stop()

    async def aclose(self) -> None:
        await self.stop()
        for provider in self.providers.values():
            with contextlib.suppress(Exception):
                await provider.aclose()

    def refresh_now(self) -> None:
        """Poll every provider now instead of waiting for the next tick."""
        self.poller.wake_all()

    # ------------------------------------------------------------ providers
    def provider(self, name: str) -> SyncProvider:
        return self.providers[name]

    def provider_for_key(self, key: str) -> SyncProvider:
        """The provider of a connection or job key (`provider:id`)."""
        return self.poller.provider_for_key(key)

    def request_count(self) -> int:
        return sum(p.stats.requests for p in self.providers.values())

    # ------------------------------------------------------------ following
    def follow_job(self, job_key: str) -> None:
        """Fetch this job's detail every `detail_interval` (reference-counted)."""
        self.poller.follow_job(job_key)

    def unfollow_job(self, job_key: str) -> None:
        self.poller.unfollow_job(job_key)

    @property
    def followed(self) -> list[str]:
        return self.poller.followed

    def follow_logs(self, job_key: str, attempt_number: int) -> None:
        """Publish `LogLinesAdded` for this attempt: first its lines so far, then only new ones."""
        self.poller.logs.follow(job_key, attempt_number)
        self.poller.wake_follow()

    def unfollow_logs(self, job_key: str, attempt_number: int) -> None:
        self.poller.logs.unfollow(job_key, attempt_number)

    def log_follow_done(self, job_key: str, attempt_number: int) -> bool:
        """True once a followed attempt has ended and its trailing lines were read."""
        return self.poller.logs.done(job_key, attempt_number)

    # ---------------------------------------------------------------- reads
    def active_jobs(self, provider: str | None = None) -> list[Job]:
        return self.store.active_jobs(provider)

    def rate_window(self, job_key: str) -> RateWindow | None:
        """The current-rate window of an active job (None when finished or never seen running)."""
        return self.store.rate_window(job_key)

    async def list_jobs(self, connection_key: str, *, limit: int = 20, offset: int = 0) -> list[Job]:
        return await self.poller.list_jobs(connection_key, limit=limit, offset=offset)

    async def job_detail(self, job_key: str) -> JobDetail:
        return await self.poller.job_detail(job_key)

    async def fetch_job(self, job_key: str) -> Job:
        """The job from the store, or read once from its provider and remembered."""
        known = self.store.job(job_key)
        if known is not None:
            return known
        job = await self.provider_for_key(job_key).get_job(job_key.split(":", 1)[1])
        self.store.put_job(job)
        return job

    # --------------------------------------------------------------- writes
    def remember_job(self, job: Job) -> None:
        """Seed a job read elsewhere (the CLI's `logs --follow` resolved it first)."""
        self.store.put_job(job)

    def remember_connection(self, connection: Connection) -> None:
        """Seed a connection read elsewhere (the CLI's `sync` resolved it first)."""
        self.store.put_connection(connection)

    def apply_connection_updates(self, connections: Iterable[Connection]) -> list[Connection]:
        """Show what an action changed at once, without waiting for the next connection reload.

        Only connections already known are updated; `ConnectionsChanged` is published when any changed.
        """
        changed = [c for c in connections if c.key in self.store.connections and self.store.put_connection(c)]
        if changed:
            self.hub.publish(ConnectionsChanged(provider=changed[0].provider, changed=tuple(changed)))
        return changed

    async def trigger(self, connection_key: str, job_type: str = "sync") -> TriggerResult:
        """Start a job (or attach to the running one) and publish the result (see `JobActions`)."""
        return await self.actions.trigger(connection_key, job_type)

    async def cancel(self, job_key: str) -> Job:
        """Cancel a job and publish the result (see `JobActions`)."""
        return await self.actions.cancel(job_key)

    # ------------------------------------------- read-only views (compatibility)
    # Same objects as `store.*`: read-only mappings; writes raise TypeError.
    @property
    def connections(self) -> Mapping[str, Connection]:
        return self.store.connections

    @property
    def jobs(self) -> Mapping[str, Job]:
        return self.store.jobs

    @property
    def latest_job(self) -> Mapping[str, Job]:
        return self.store.latest_job

    @property
    def details(self) -> Mapping[str, JobDetail]:
        return self.store.details

    @property
    def health(self) -> Mapping[str, ApiHealthChanged]:
        return self.store.health

    @property
    def loaded(self) -> Mapping[str, bool]:
        return self.store.loaded

    @property
    def rates(self) -> Mapping[str, RateWindow]:
        return self.store.rates

    @property
    def follow_failures(self) -> Mapping[str, tuple[BaseException, int]]:
        return self.store.follow_failures

    @property
    def triggered(self) -> frozenset[str]:
        return self.store.triggered


def as_utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment else None


__all__ = ["Watcher", "WatcherConfig", "Event", "newest", "utcnow"]
