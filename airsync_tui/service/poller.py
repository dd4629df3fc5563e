"""The poller: provider poll loops, health tracking and the follow loop.

Design rules (issue: core engine §4):

* Cost does not grow with the number of connections. Each tick asks every
  provider for `poll_activity` — a constant number of list calls (jobs updated
  since a watermark, plus all active jobs with live stats). Per-job detail is
  fetched only for jobs someone follows.
* Poll fast while jobs run, slowly when idle, back off on errors, and never
  overlap polls: each provider has one sequential loop that sleeps between
  ticks (a `wake()` wakes it early).
* The poller is the store's main writer: every fresh view of a job goes through
  `observe`, which merges it into the store and publishes the differences.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping

from airsync_tui.errors import AirsyncError, AuthError, NotFoundError, TransportError
from airsync_tui.models.domain import Job, JobDetail
from airsync_tui.models.guard import reports_since
from airsync_tui.models.jobview import bytes_total, records_total, transition_time
from airsync_tui.models.recent import job_age_key
from airsync_tui.providers.base import ActivityCursor, SyncProvider
from airsync_tui.providers.http import HttpSignal
from airsync_tui.service.clock import ShownClock
from airsync_tui.service.events import (
    ActionResult,
    ApiHealthChanged,
    AttemptAdded,
    AttemptEnded,
    ConnectionsChanged,
    ConnectionsLoaded,
    HealthState,
    JobCreated,
    JobDetailUpdated,
    JobStatusChanged,
    JobUpdated,
    LatestJobs,
    ProgressUpdated,
)
from airsync_tui.service.log_follow import LogFollower
from airsync_tui.service.store import StateStore
from airsync_tui.service.subscription import EventHub
from airsync_tui.service.watch_config import WatcherConfig


class Poller:
    """One sequential poll loop per provider plus one follow loop (details and logs)."""

    def __init__(
        self,
        providers: Mapping[str, SyncProvider],
        store: StateStore,
        hub: EventHub,
        clock: ShownClock,
        config: WatcherConfig,
    ) -> None:
        self.providers = providers
        self.store = store
        self.hub = hub
        self.clock = clock
        self.config = config
        self.logs = LogFollower(store, hub, config, self.provider_for_key, lambda job: self.observe(job, publish=True), self.set_health)
        #: Which counts feed each active job's rate window ("emitted" live stats or committed "total").
        self.rate_series: dict[str, str] = {}
        self._refetch_detail: set[str] = set()
        self._unusable_seen = reports_since(0)[1]  # only what arises while this poller runs
        self._followed: dict[str, int] = {}
        self._cursors: dict[str, ActivityCursor | None] = {name: None for name in providers}
        self._wake: dict[str, asyncio.Event] = {}
        self._follow_wake: asyncio.Event | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._started = False
        for provider in providers.values():
            provider.add_health_listener(self._health_listener(provider.name))

    # ------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        """Start one poll loop per provider plus the follow loop (idempotent)."""
        if self._started:
            return
        self._started = True
        self._follow_wake = asyncio.Event()
        for name in self.providers:
            self._wake[name] = asyncio.Event()
            if self.config.watch_workspace:
                self._tasks.append(asyncio.create_task(self._provider_loop(name), name=f"watch-{name}"))
        self._tasks.append(asyncio.create_task(self._follow_loop(), name="watch-follow"))

    async def stop(self) -> None:
        """Stop every loop. Re-cancels until done: on Python 3.11 `wait_for`
        can swallow a cancellation that races with its own timeout."""
        self._started = False
        for task in self._tasks:
            while not task.done():
                task.cancel()
                await asyncio.wait([task], timeout=0.2)
            with contextlib.suppress(asyncio.CancelledError, Exception):
                task.result()
        self._tasks.clear()

    def wake_all(self) -> None:
        """Poll every provider now instead of waiting for the next tick."""
        for event in self._wake.values():
            event.set()
        self.wake_follow()

    def wake(self, provider: str) -> None:
        """Poll one provider (and the followed jobs) now."""
        if provider in self._wake:
            self._wake[provider].set()
        self.wake_follow()

    def wake_follow(self) -> None:
        if self._follow_wake is not None:
            self._follow_wake.set()

    def provider_for_key(self, key: str) -> SyncProvider:
        """The provider of a connection or job key (`provider:id`)."""
        return self.providers[key.split(":", 1)[0]]

    # ------------------------------------------------------------ following
    def follow_job(self, job_key: str) -> None:
        """Fetch this job's detail every `detail_interval` (reference-counted)."""
        self._followed[job_key] = self._followed.get(job_key, 0) + 1
        self.wake_follow()

    def unfollow_job(self, job_key: str) -> None:
        count = self._followed.get(job_key, 0) - 1
        if count <= 0:
            self._followed.pop(job_key, None)
        else:
            self._followed[job_key] = count

    @property
    def followed(self) -> list[str]:
        return list(self._followed)

    # ---------------------------------------------------------- on-demand reads
    async def list_jobs(self, connection_key: str, *, limit: int = 20, offset: int = 0) -> list[Job]:
        provider = self.provider_for_key(connection_key)
        jobs = await provider.list_jobs(connection_key.split(":", 1)[1], limit=limit, offset=offset)
        for job in jobs:
            self.observe(job, publish=True)
        return jobs

    async def job_detail(self, job_key: str) -> JobDetail:
        provider = self.provider_for_key(job_key)
        detail = await provider.get_job_detail(job_key.split(":", 1)[1])
        self.apply_detail(detail)
        return detail

    # ---------------------------------------------------------------- health
    def _health_listener(self, provider: str) -> Callable[[HttpSignal], None]:
        def listener(signal: HttpSignal) -> None:
            if signal.kind == "ok":
                self.set_health(provider, HealthState.OK)
            elif signal.kind == "retrying":
                self.set_health(provider, HealthState.RETRYING, signal.message, signal.retry_in)
            elif signal.kind == "auth_failed":
                self.set_health(provider, HealthState.AUTH_FAILED, signal.message)

        return listener

    def set_health(self, provider: str, state: HealthState, message: str = "", retry_in: float | None = None) -> None:
        current = self.store.health.get(provider)
        if current is not None and current.state == state and current.message == message and state != HealthState.RETRYING:
            return
        event = ApiHealthChanged(provider=provider, state=state, message=message, retry_in=retry_in)
        self.store.put_health(event)
        self.hub.publish(event)

    def _note_follow_failure(self, key: str, exc: BaseException) -> None:
        """Count consecutive permanent failures of one followed job (transient ones reset nothing)."""
        permanent = isinstance(exc, (AuthError, NotFoundError)) or not isinstance(exc, AirsyncError)
        if permanent:
            self.store.note_follow_failure(key, exc)

    # ----------------------------------------------------------- poll loops
    async def _sleep(self, name: str, seconds: float) -> None:
        wake = self._wake[name]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=max(0.0, seconds))
        wake.clear()

    async def _provider_loop(self, name: str) -> None:
        provider = self.providers[name]
        failures = 0
        last_connections = 0.0
        last_progress = 0.0
        while self._started:
            try:
                now = time.monotonic()
                loaded = self.store.loaded[name]
                if not loaded or now - last_connections >= self.config.connections_interval:
                    await self._load_connections(provider, first=not loaded)
                    last_connections = time.monotonic()
                include_progress = time.monotonic() - last_progress >= self.config.progress_interval
                await self._poll(provider, include_progress=include_progress)
                if include_progress:
                    last_progress = time.monotonic()
                failures = 0
            except asyncio.CancelledError:
                raise
            except AuthError as exc:
                failures += 1
                self.set_health(name, HealthState.AUTH_FAILED, str(exc))
            except AirsyncError as exc:
                failures += 1
                state = HealthState.UNREACHABLE if isinstance(exc, TransportError) else HealthState.DEGRADED
                self.set_health(name, state, str(exc))
            except Exception as exc:  # noqa: BLE001 — never let one bad answer kill the loop
                failures += 1
                self.set_health(name, HealthState.DEGRADED, f"{type(exc).__name__}: {exc}")
            if failures:
                delay = min(self.config.active_interval * (2**failures), self.config.max_backoff)
                health = self.store.health[name]
                if health.state != HealthState.AUTH_FAILED:
                    # "auth failed" stays on screen: retrying will not fix rejected credentials.
                    self.set_health(name, HealthState.RETRYING, health.message, delay)
            else:
                active = any(job.provider == name and job.status.is_active for job in self.store.jobs.values())
                delay = self.config.active_interval if active else self.config.idle_interval
            await self._sleep(name, delay)

    async def _load_connections(self, provider: SyncProvider, *, first: bool) -> None:
        connections = await provider.list_connections()
        name = provider.name
        store = self.store
        fresh = {c.key: c for c in connections}
        old = {k: c for k, c in store.connections.items() if c.provider == name}
        for key in old:
            if key not in fresh:
                store.drop_connection(key)
        for connection in connections:
            store.put_connection(connection)
        if first:
            self.hub.publish(ConnectionsLoaded(provider=name, connections=tuple(connections)))
            recent = await provider.recent_jobs(max_jobs=self.config.recent_jobs)
            latest: dict[str, Job] = {}
            for job in recent:
                if store.job(job.key) is None:
                    store.put_job(job)
                if job.connection_key not in latest or job_age_key(job) > job_age_key(latest[job.connection_key]):
                    latest[job.connection_key] = job
            for job in latest.values():
                store.put_latest(job)
            self.hub.publish(LatestJobs(provider=name, jobs=tuple(latest.values())))
            store.set_loaded(name)
            self.set_health(name, HealthState.OK)
            return
        added = tuple(c for k, c in fresh.items() if k not in old)
        changed = tuple(c for k, c in fresh.items() if k in old and old[k] != c)
        removed = tuple(k for k in old if k not in fresh)
        if added or changed or removed:
            self.hub.publish(ConnectionsChanged(provider=name, added=added, changed=changed, removed=removed))

    async def _poll(self, provider: SyncProvider, *, include_progress: bool) -> None:
        name = provider.name
        poll = await provider.poll_activity(self._cursors[name], include_progress=include_progress)
        self._cursors[name] = poll.cursor
        self.clock.observe_server_now(poll.server_time)
        self._prune()
        seen: set[str] = set()
        for job in sorted(poll.jobs, key=job_age_key):
            seen.add(job.key)
            self.observe(job, publish=True)
        if poll.complete:
            vanished = [job for job in self.store.active_jobs(name) if job.key not in seen and job.key not in self._followed]
            for job in vanished[: self.config.settle_fetch_limit]:
                try:
                    fresh = await provider.get_job(job.id)
                except NotFoundError:
                    # The server no longer knows this job (restarted, purged): stop
                    # counting it as running instead of showing it "running" forever.
                    self._forget_vanished(job)
                    continue
                self.observe(fresh, publish=True)
        self.set_health(name, HealthState.OK)
        self._report_unusable(name)

    def _report_unusable(self, name: str) -> None:
        """Values the models could not use (shown as unknown): say each once, the poll goes on."""
        lines, self._unusable_seen = reports_since(self._unusable_seen)
        for line in lines:
            self.hub.publish(ActionResult(provider=name, action="read", ok=False, message=line))

    def _forget_vanished(self, job: Job) -> None:
        store = self.store
        store.drop_job(job.key)
        store.drop_detail(job.key)
        store.drop_rate(job.key)  # never seen ending: its window would stay forever
        self.rate_series.pop(job.key, None)
        latest = store.latest(job.connection_key)
        if latest is not None and latest.key == job.key:
            store.drop_latest(job.connection_key)
        self.set_health(
            job.provider, HealthState.DEGRADED, f"{job.provider} job {job.id} no longer exists on the server (server restarted?)"
        )

    def _prune(self) -> None:
        """Forget the oldest finished jobs that no connection row or follower needs."""
        store = self.store
        limit = self.config.retained_finished_jobs
        if len(store.jobs) <= limit * 1.25:
            return
        needed = {job.key for job in store.latest_job.values()} | set(self._followed) | store.triggered
        droppable = sorted(
            (job for key, job in store.jobs.items() if job.status.is_terminal and key not in needed),
            key=job_age_key,
        )
        for job in droppable[: max(0, len(droppable) - limit)]:
            store.drop_job(job.key)
            store.drop_detail(job.key)

    # ------------------------------------------------------------- merging
    def observe(self, job: Job, *, publish: bool, triggered_here: bool = False) -> None:
        """Merge a fresh view of a job into the store and publish the differences."""
        store = self.store
        old = store.job(job.key)
        if old is not None and job.progress is None and old.progress is not None and job.status.is_active:
            job = job.model_copy(update={"progress": old.progress})
        if old is not None and job.started_at is None and old.started_at is not None:
            # A list answer without the start (Airbyte's public API) must not undo a start the detail gave:
            # every duration counts from the start shown, so the list and the panel keep one duration.
            job = job.model_copy(update={"started_at": old.started_at})
        store.put_job(job)
        for moment in (job.updated_at, job.ended_at, job.started_at, job.created_at):
            self.clock.observe_timestamp(moment)
        self._sample_rate(job)
        latest = store.latest(job.connection_key)
        if latest is None or latest.key == job.key or job_age_key(job) >= job_age_key(latest):
            store.put_latest(job)
        if not publish:
            return
        if old is None:
            self.hub.publish(JobCreated(provider=job.provider, job=job, triggered_here=triggered_here))
            return
        if old.status != job.status:
            at = transition_time(job, old.status, job.status) or self.clock.now()
            self.hub.publish(JobStatusChanged(provider=job.provider, job=job, old=old.status, new=job.status, at=at))
            if job.status.is_terminal and job.key in self._followed:
                # Attempts end with the job: re-read them now, not a poll later.
                self._refetch_detail.add(job.key)
                self.wake_follow()
        elif _counts(old) != _counts(job):
            self.hub.publish(JobUpdated(provider=job.provider, job=job))
        if job.progress is not None and job.progress != old.progress and job.status.is_active:
            self.hub.publish(
                ProgressUpdated(provider=job.provider, job_key=job.key, connection_key=job.connection_key, progress=job.progress)
            )

    def _sample_rate(self, job: Job) -> None:
        """Feed the job's rate window (active jobs only; a finished job's window is dropped)."""
        store = self.store
        if not job.status.is_active:
            store.drop_rate(job.key)
            self.rate_series.pop(job.key, None)
            return
        if store.rate_window(job.key) is None:
            store.new_rate_window(job.key)
        # Emitted counts move with every batch read; committed ones jump at each
        # commit, so "is it moving" and the current rate read the emitted side.
        # One series per job: mixing emitted and committed samples would read as a
        # restart (a count going down) and reset "no progress for".
        progress = job.progress
        series = self.rate_series.get(job.key)
        if progress is not None and progress.records_emitted is not None:
            if series != "emitted":  # live stats arrived: they replace a committed-only series
                self.rate_series[job.key] = "emitted"
                if series is not None:
                    store.new_rate_window(job.key)
            store.add_rate_sample(job.key, self.clock.now(), progress.records_emitted, progress.bytes_emitted)
        elif series != "emitted":  # a provider without live stats: committed totals
            self.rate_series[job.key] = "total"
            store.add_rate_sample(job.key, self.clock.now(), records_total(job), bytes_total(job))

    def apply_detail(self, detail: JobDetail) -> None:
        key = detail.job.key
        previous = self.store.detail(key)
        job = detail.job
        if detail.progress is not None and job.progress != detail.progress:
            job = job.model_copy(update={"progress": detail.progress})
        self.observe(job, publish=True)
        self.store.put_detail(detail)
        old_attempts = {a.number: a for a in previous.attempts} if previous else {}
        for attempt in detail.attempts:
            before = old_attempts.get(attempt.number)
            if before is None and previous is not None:
                self.hub.publish(AttemptAdded(provider=job.provider, job_key=key, attempt=attempt))
            if attempt.status.is_terminal and (before is None or before.status.is_active) and previous is not None:
                self.hub.publish(AttemptEnded(provider=job.provider, job_key=key, attempt=attempt, failure_summary=attempt.failure_summary))
        self.hub.publish(JobDetailUpdated(provider=job.provider, detail=detail))

    # ---------------------------------------------------------- follow loop
    async def _follow_loop(self) -> None:
        assert self._follow_wake is not None
        last_fetch: dict[str, float] = {}
        first_seen: dict[str, float] = {}
        while self._started:
            now = time.monotonic()
            for key in list(self._followed):
                known = self.store.job(key)
                detail = self.store.detail(key)
                done = known is not None and known.status.is_terminal and detail is not None and detail.job.status.is_terminal
                age = now - first_seen.setdefault(key, now)
                interval = self.config.detail_interval_for(age) * (8 if done else 1)
                if now - last_fetch.get(key, 0.0) < interval and key not in self._refetch_detail:
                    continue
                self._refetch_detail.discard(key)
                last_fetch[key] = now
                try:
                    await self.job_detail(key)
                    self.store.clear_follow_failure(key)
                except asyncio.CancelledError:
                    raise
                except AirsyncError as exc:
                    self._note_follow_failure(key, exc)
                    state = HealthState.AUTH_FAILED if isinstance(exc, AuthError) else HealthState.DEGRADED
                    self.set_health(key.split(":", 1)[0], state, str(exc))
                except Exception as exc:  # noqa: BLE001 — a malformed detail must not stop following
                    self._note_follow_failure(key, exc)
                    self.set_health(key.split(":", 1)[0], HealthState.DEGRADED, f"{type(exc).__name__}: {exc}")
            await self.logs.poll_due(now)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._follow_wake.wait(), timeout=min(0.5, self.config.detail_interval, self.config.log_interval))
            self._follow_wake.clear()


def _counts(job: Job) -> tuple[object, ...]:
    return (job.records_synced, job.bytes_synced, job.duration, job.updated_at, job.ended_at)


__all__ = ["Poller"]
