"""The watcher: one async engine that turns provider polling into typed events.

Both the TUI and the CLI consume it. Design rules (issue: core engine §4):

* Cost does not grow with the number of connections. Each tick asks every
  provider for `poll_activity` — a constant number of list calls (jobs updated
  since a watermark, plus all active jobs with live stats). Per-job detail is
  fetched only for jobs someone follows.
* Poll fast while jobs run, slowly when idle, back off on errors, and never
  overlap polls: each provider has one sequential loop that sleeps between
  ticks (a `refresh_now()` or a trigger wakes it early).
* State lives here (connections, jobs, latest job per connection, health), so
  a screen opened later renders from a snapshot and then applies events.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from airsync_tui.errors import AirsyncError, AuthError, NotFoundError, TransportError
from airsync_tui.models.domain import Connection, Job, JobDetail
from airsync_tui.models.guard import reports_since
from airsync_tui.models.jobview import bytes_total, records_total, transition_time
from airsync_tui.models.rate import RateWindow
from airsync_tui.models.timeparse import utcnow
from airsync_tui.providers.base import ActivityCursor, SyncProvider, TriggerResult
from airsync_tui.providers.http import HttpSignal
from airsync_tui.service.clock import ShownClock
from airsync_tui.service.events import (
    ActionResult,
    ApiHealthChanged,
    AttemptAdded,
    AttemptEnded,
    ConnectionsChanged,
    ConnectionsLoaded,
    Event,
    HealthState,
    JobCreated,
    JobDetailUpdated,
    JobStatusChanged,
    JobUpdated,
    LatestJobs,
    LogLinesAdded,
    ProgressUpdated,
)
from airsync_tui.service.subscription import EventHub, Subscription


@dataclass(frozen=True)
class WatcherConfig:
    """Pacing. Defaults keep a 1,000-connection workspace under ~2 requests/s."""

    active_interval: float = 1.0  # tick while any job is active
    idle_interval: float = 5.0  # tick while nothing runs
    progress_interval: float = 3.0  # live stats of all active jobs at most this often
    connections_interval: float = 60.0  # full connection list refresh
    detail_interval: float = 2.5  # followed jobs (as the Airbyte web UI polls)
    max_backoff: float = 60.0
    recent_jobs: int = 500
    settle_fetch_limit: int = 10  # per tick: vanished active jobs re-read individually
    #: Finished jobs kept in memory beyond each connection's latest (an all-day
    #: session must not grow without bound; older ones are re-read on demand).
    retained_finished_jobs: int = 2000
    log_interval: float = 2.5  # followed attempt logs (as the Airbyte web UI polls)
    #: Logs keep arriving after an attempt ends (the web UI polls 2 min more).
    log_trailing_seconds: float = 120.0
    #: False = follow-only mode (the CLI's `sync --wait`): no workspace polling,
    #: just the followed jobs, one cheap request each per `detail_interval`.
    watch_workspace: bool = True

    def detail_interval_for(self, age_seconds: float) -> float:
        """Poll followed jobs quickly at first, then more gently for long jobs."""
        if age_seconds > 1800:
            return max(self.detail_interval, 10.0)
        if age_seconds > 300:
            return max(self.detail_interval, 5.0)
        return self.detail_interval


def _job_sort_key(job: Job) -> tuple[float, str]:
    created = job.created_at.timestamp() if job.created_at else 0.0
    return (created, job.id.rjust(20, "0"))


class Watcher:
    """Polls providers and publishes events; holds the current state."""

    def __init__(self, providers: Sequence[SyncProvider], config: WatcherConfig | None = None) -> None:
        if not providers:
            raise ValueError("the watcher needs at least one provider")
        self.config = config or WatcherConfig()
        self.providers: dict[str, SyncProvider] = {p.name: p for p in providers}
        self.hub = EventHub()
        self.connections: dict[str, Connection] = {}
        self.jobs: dict[str, Job] = {}
        self.latest_job: dict[str, Job] = {}
        self.details: dict[str, JobDetail] = {}
        self.health: dict[str, ApiHealthChanged] = {
            name: ApiHealthChanged(provider=name, state=HealthState.CONNECTING) for name in self.providers
        }
        self.loaded: dict[str, bool] = {name: False for name in self.providers}
        self.triggered: set[str] = set()
        #: The one clock every shown time is read from (server time, skew applied).
        self.clock = ShownClock()
        #: Recent counts of each active job: current rate and "no progress for N".
        self.rates: dict[str, RateWindow] = {}
        self._refetch_detail: set[str] = set()
        self._rate_series: dict[str, str] = {}
        #: Followed jobs whose re-read keeps failing in a way that will not fix
        #: itself (gone, credentials rejected, unreadable): key → (error, count).
        #: `sync --wait` ends on these instead of waiting forever.
        self.follow_failures: dict[str, tuple[BaseException, int]] = {}
        self._unusable_seen = reports_since(0)[1]  # only what arises while this watcher runs
        self._followed: dict[str, int] = {}
        self._followed_logs: dict[tuple[str, int], _LogFollow] = {}
        self._cursors: dict[str, ActivityCursor | None] = {name: None for name in self.providers}
        self._wake: dict[str, asyncio.Event] = {}
        self._follow_wake: asyncio.Event | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._started = False
        for provider in providers:
            provider.add_health_listener(self._health_listener(provider.name))

    # ------------------------------------------------------------------ API
    def subscribe(self, maxsize: int = 10_000) -> Subscription:
        return self.hub.subscribe(maxsize)

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

    async def aclose(self) -> None:
        await self.stop()
        for provider in self.providers.values():
            with contextlib.suppress(Exception):
                await provider.aclose()

    def refresh_now(self) -> None:
        """Poll every provider now instead of waiting for the next tick."""
        for event in self._wake.values():
            event.set()
        if self._follow_wake is not None:
            self._follow_wake.set()

    def provider(self, name: str) -> SyncProvider:
        return self.providers[name]

    def provider_for_key(self, key: str) -> SyncProvider:
        """The provider of a connection or job key (`provider:id`)."""
        return self.providers[key.split(":", 1)[0]]

    def follow_job(self, job_key: str) -> None:
        """Fetch this job's detail every `detail_interval` (reference-counted)."""
        self._followed[job_key] = self._followed.get(job_key, 0) + 1
        if self._follow_wake is not None:
            self._follow_wake.set()

    def unfollow_job(self, job_key: str) -> None:
        count = self._followed.get(job_key, 0) - 1
        if count <= 0:
            self._followed.pop(job_key, None)
        else:
            self._followed[job_key] = count

    def follow_logs(self, job_key: str, attempt_number: int) -> None:
        """Publish `LogLinesAdded` for this attempt: first its lines so far, then only new ones."""
        key = (job_key, attempt_number)
        follow = self._followed_logs.get(key)
        if follow is None:
            self._followed_logs[key] = _LogFollow()
        else:
            follow.refs += 1
        if self._follow_wake is not None:
            self._follow_wake.set()

    def unfollow_logs(self, job_key: str, attempt_number: int) -> None:
        key = (job_key, attempt_number)
        follow = self._followed_logs.get(key)
        if follow is None:
            return
        follow.refs -= 1
        if follow.refs <= 0:
            del self._followed_logs[key]

    def log_follow_done(self, job_key: str, attempt_number: int) -> bool:
        """True once a followed attempt has ended and its trailing lines were read."""
        follow = self._followed_logs.get((job_key, attempt_number))
        return follow is not None and follow.done

    @property
    def followed(self) -> list[str]:
        return list(self._followed)

    def active_jobs(self, provider: str | None = None) -> list[Job]:
        return [job for job in self.jobs.values() if job.status.is_active and (provider is None or job.provider == provider)]

    def request_count(self) -> int:
        return sum(p.stats.requests for p in self.providers.values())

    async def list_jobs(self, connection_key: str, *, limit: int = 20, offset: int = 0) -> list[Job]:
        provider = self.provider_for_key(connection_key)
        jobs = await provider.list_jobs(connection_key.split(":", 1)[1], limit=limit, offset=offset)
        for job in jobs:
            self._observe(job, publish=True)
        return jobs

    async def job_detail(self, job_key: str) -> JobDetail:
        provider = self.provider_for_key(job_key)
        detail = await provider.get_job_detail(job_key.split(":", 1)[1])
        self._apply_detail(detail)
        return detail

    async def trigger(self, connection_key: str, job_type: str = "sync") -> TriggerResult:
        """Start a job (or attach to the running one) and publish the result."""
        provider = self.provider_for_key(connection_key)
        connection_id = connection_key.split(":", 1)[1]
        known = self.connections.get(connection_key)
        name = known.name if known is not None else connection_id
        try:
            result = await provider.trigger(connection_id, job_type)
        except AirsyncError as exc:
            self.hub.publish(
                ActionResult(provider=provider.name, action="trigger", ok=False, message=str(exc), connection_key=connection_key)
            )
            raise
        self.triggered.add(result.job.key)
        self._observe(result.job, publish=True, triggered_here=True)
        verb = "attached to running" if result.attached else "started"
        message = result.message or f"{name}: {verb} {job_type} {provider.capabilities.job_noun} {result.job.id}"
        self.hub.publish(
            ActionResult(
                provider=provider.name,
                action="trigger",
                ok=True,
                message=message,
                connection_key=connection_key,
                job=result.job,
                outcome="attached" if result.attached else "started",
            )
        )
        self._wake_provider(provider.name)
        return result

    async def cancel(self, job_key: str) -> Job:
        provider = self.provider_for_key(job_key)
        job_id = job_key.split(":", 1)[1]
        try:
            job = await provider.cancel(job_id)
        except AirsyncError as exc:
            self.hub.publish(ActionResult(provider=provider.name, action="cancel", ok=False, message=str(exc)))
            raise
        self._observe(job, publish=True)
        self.hub.publish(
            ActionResult(
                provider=provider.name,
                action="cancel",
                ok=True,
                message=f"cancel requested for {provider.capabilities.job_noun} {job_id}",
                outcome="requested",
                connection_key=job.connection_key,
                job=job,
            )
        )
        self._wake_provider(provider.name)
        return job

    # ------------------------------------------------------------ internals
    def _note_follow_failure(self, key: str, exc: BaseException) -> None:
        """Count consecutive permanent failures of one followed job (transient ones reset nothing)."""
        permanent = isinstance(exc, (AuthError, NotFoundError)) or not isinstance(exc, AirsyncError)
        if not permanent:
            return
        previous = self.follow_failures.get(key)
        self.follow_failures[key] = (exc, (previous[1] if previous else 0) + 1)

    def _wake_provider(self, name: str) -> None:
        if name in self._wake:
            self._wake[name].set()
        if self._follow_wake is not None:
            self._follow_wake.set()

    def _health_listener(self, provider: str) -> Callable[[HttpSignal], None]:
        def listener(signal: HttpSignal) -> None:
            if signal.kind == "ok":
                self._set_health(provider, HealthState.OK)
            elif signal.kind == "retrying":
                self._set_health(provider, HealthState.RETRYING, signal.message, signal.retry_in)
            elif signal.kind == "auth_failed":
                self._set_health(provider, HealthState.AUTH_FAILED, signal.message)

        return listener

    def _set_health(self, provider: str, state: HealthState, message: str = "", retry_in: float | None = None) -> None:
        current = self.health.get(provider)
        if current is not None and current.state == state and current.message == message and state != HealthState.RETRYING:
            return
        event = ApiHealthChanged(provider=provider, state=state, message=message, retry_in=retry_in)
        self.health[provider] = event
        self.hub.publish(event)

    async def _sleep(self, name: str, seconds: float) -> None:
        wake = self._wake[name]
        try:
            await asyncio.wait_for(wake.wait(), timeout=max(0.0, seconds))
        except TimeoutError:
            pass
        wake.clear()

    async def _provider_loop(self, name: str) -> None:
        provider = self.providers[name]
        failures = 0
        last_connections = 0.0
        last_progress = 0.0
        while self._started:
            try:
                now = time.monotonic()
                if not self.loaded[name] or now - last_connections >= self.config.connections_interval:
                    await self._load_connections(provider, first=not self.loaded[name])
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
                self._set_health(name, HealthState.AUTH_FAILED, str(exc))
            except AirsyncError as exc:
                failures += 1
                state = HealthState.UNREACHABLE if isinstance(exc, TransportError) else HealthState.DEGRADED
                self._set_health(name, state, str(exc))
            except Exception as exc:  # noqa: BLE001 — never let one bad answer kill the loop
                failures += 1
                self._set_health(name, HealthState.DEGRADED, f"{type(exc).__name__}: {exc}")
            if failures:
                delay = min(self.config.active_interval * (2**failures), self.config.max_backoff)
                if self.health[name].state != HealthState.AUTH_FAILED:
                    # "auth failed" stays on screen: retrying will not fix rejected credentials.
                    self._set_health(name, HealthState.RETRYING, self.health[name].message, delay)
            else:
                active = any(job.provider == name and job.status.is_active for job in self.jobs.values())
                delay = self.config.active_interval if active else self.config.idle_interval
            await self._sleep(name, delay)

    async def _load_connections(self, provider: SyncProvider, *, first: bool) -> None:
        connections = await provider.list_connections()
        name = provider.name
        fresh = {c.key: c for c in connections}
        if first:
            for key in [k for k, c in self.connections.items() if c.provider == name]:
                del self.connections[key]
            self.connections.update(fresh)
            self.hub.publish(ConnectionsLoaded(provider=name, connections=tuple(connections)))
            recent = await provider.recent_jobs(max_jobs=self.config.recent_jobs)
            latest: dict[str, Job] = {}
            for job in recent:
                self.jobs.setdefault(job.key, job)
                if job.connection_key not in latest or _job_sort_key(job) > _job_sort_key(latest[job.connection_key]):
                    latest[job.connection_key] = job
            self.latest_job.update(latest)
            self.hub.publish(LatestJobs(provider=name, jobs=tuple(latest.values())))
            self.loaded[name] = True
            self._set_health(name, HealthState.OK)
            return
        old = {k: c for k, c in self.connections.items() if c.provider == name}
        added = tuple(c for k, c in fresh.items() if k not in old)
        changed = tuple(c for k, c in fresh.items() if k in old and old[k] != c)
        removed = tuple(k for k in old if k not in fresh)
        for key in removed:
            del self.connections[key]
        self.connections.update(fresh)
        if added or changed or removed:
            self.hub.publish(ConnectionsChanged(provider=name, added=added, changed=changed, removed=removed))

    async def _poll(self, provider: SyncProvider, *, include_progress: bool) -> None:
        name = provider.name
        poll = await provider.poll_activity(self._cursors[name], include_progress=include_progress)
        self._cursors[name] = poll.cursor
        self.clock.observe_server_now(poll.server_time)
        self._prune()
        seen: set[str] = set()
        for job in sorted(poll.jobs, key=_job_sort_key):
            seen.add(job.key)
            self._observe(job, publish=True)
        if poll.complete:
            vanished = [job for job in self.active_jobs(name) if job.key not in seen and job.key not in self._followed]
            for job in vanished[: self.config.settle_fetch_limit]:
                try:
                    fresh = await provider.get_job(job.id)
                except NotFoundError:
                    # The server no longer knows this job (restarted, purged): stop
                    # counting it as running instead of showing it "running" forever.
                    self._forget_vanished(job)
                    continue
                self._observe(fresh, publish=True)
        self._set_health(name, HealthState.OK)
        self._report_unusable(name)

    def _report_unusable(self, name: str) -> None:
        """Values the models could not use (shown as unknown): say each once, the poll goes on."""
        lines, self._unusable_seen = reports_since(self._unusable_seen)
        for line in lines:
            self.hub.publish(ActionResult(provider=name, action="read", ok=False, message=line))

    def _forget_vanished(self, job: Job) -> None:
        self.jobs.pop(job.key, None)
        self.details.pop(job.key, None)
        self.rates.pop(job.key, None)  # never seen ending: its window would stay forever
        self._rate_series.pop(job.key, None)
        if self.latest_job.get(job.connection_key, None) is not None and self.latest_job[job.connection_key].key == job.key:
            del self.latest_job[job.connection_key]
        self._set_health(
            job.provider, HealthState.DEGRADED, f"{job.provider} job {job.id} no longer exists on the server (server restarted?)"
        )

    def _prune(self) -> None:
        """Forget the oldest finished jobs that no connection row or follower needs."""
        limit = self.config.retained_finished_jobs
        if len(self.jobs) <= limit * 1.25:
            return
        needed = {job.key for job in self.latest_job.values()} | set(self._followed) | self.triggered
        droppable = sorted(
            (job for key, job in self.jobs.items() if job.status.is_terminal and key not in needed),
            key=_job_sort_key,
        )
        for job in droppable[: max(0, len(droppable) - limit)]:
            del self.jobs[job.key]
            self.details.pop(job.key, None)

    def _observe(self, job: Job, *, publish: bool, triggered_here: bool = False) -> None:
        """Merge a fresh view of a job into the state and publish the differences."""
        old = self.jobs.get(job.key)
        if old is not None and job.progress is None and old.progress is not None and job.status.is_active:
            job = job.model_copy(update={"progress": old.progress})
        self.jobs[job.key] = job
        for moment in (job.updated_at, job.ended_at, job.started_at, job.created_at):
            self.clock.observe_timestamp(moment)
        self._sample_rate(job)
        latest = self.latest_job.get(job.connection_key)
        if latest is None or latest.key == job.key or _job_sort_key(job) >= _job_sort_key(latest):
            self.latest_job[job.connection_key] = job
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
                if self._follow_wake is not None:
                    self._follow_wake.set()
        elif _counts(old) != _counts(job):
            self.hub.publish(JobUpdated(provider=job.provider, job=job))
        if job.progress is not None and job.progress != old.progress and job.status.is_active:
            self.hub.publish(
                ProgressUpdated(provider=job.provider, job_key=job.key, connection_key=job.connection_key, progress=job.progress)
            )

    def _sample_rate(self, job: Job) -> None:
        """Feed the job's rate window (active jobs only; a finished job's window is dropped)."""
        if not job.status.is_active:
            self.rates.pop(job.key, None)
            self._rate_series.pop(job.key, None)
            return
        window = self.rates.get(job.key)
        if window is None:
            window = self.rates[job.key] = RateWindow()
        # Emitted counts move with every batch read; committed ones jump at each
        # commit, so "is it moving" and the current rate read the emitted side.
        # One series per job: mixing emitted and committed samples would read as a
        # restart (a count going down) and reset "no progress for".
        progress = job.progress
        live = progress is not None and progress.records_emitted is not None
        series = self._rate_series.get(job.key)
        if live:
            assert progress is not None
            if series != "emitted":  # live stats arrived: they replace a committed-only series
                self._rate_series[job.key] = "emitted"
                if series is not None:
                    window = self.rates[job.key] = RateWindow()
            window.add(self.clock.now(), progress.records_emitted, progress.bytes_emitted)
        elif series != "emitted":  # a provider without live stats: committed totals
            self._rate_series[job.key] = "total"
            window.add(self.clock.now(), records_total(job), bytes_total(job))

    def rate_window(self, job_key: str) -> RateWindow | None:
        """The current-rate window of an active job (None when finished or never seen running)."""
        return self.rates.get(job_key)

    def _apply_detail(self, detail: JobDetail) -> None:
        key = detail.job.key
        previous = self.details.get(key)
        job = detail.job
        if detail.progress is not None and job.progress != detail.progress:
            job = job.model_copy(update={"progress": detail.progress})
        self._observe(job, publish=True)
        self.details[key] = detail
        old_attempts = {a.number: a for a in previous.attempts} if previous else {}
        for attempt in detail.attempts:
            before = old_attempts.get(attempt.number)
            if before is None and previous is not None:
                self.hub.publish(AttemptAdded(provider=job.provider, job_key=key, attempt=attempt))
            if attempt.status.is_terminal and (before is None or before.status.is_active) and previous is not None:
                self.hub.publish(AttemptEnded(provider=job.provider, job_key=key, attempt=attempt, failure_summary=attempt.failure_summary))
        self.hub.publish(JobDetailUpdated(provider=job.provider, detail=detail))

    async def _poll_log(self, log_key: tuple[str, int], follow: _LogFollow, now: float) -> None:
        from airsync_tui.service.log_feed import ProviderLogFeed

        job_key, attempt_number = log_key
        if follow.feed is None:
            job = self.jobs.get(job_key) or await self.provider_for_key(job_key).get_job(job_key.split(":", 1)[1])
            connection = self.connections.get(job.connection_key)
            feed = ProviderLogFeed(
                self.provider_for_key(job_key),
                job,
                detail=self.details.get(job_key),
                connection_name=connection.name if connection else None,
                attempt_number=attempt_number,
            )
            try:
                index = await feed.load(attempt_number)
            except NotFoundError:
                # The attempt does not exist yet (job still pending): keep waiting
                # while the job is active, give up once it has ended without it.
                fresh = await self.provider_for_key(job_key).get_job(job.id)
                self._observe(fresh, publish=True)
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
            self.hub.publish(
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
        if follow.ended_at is not None and now - follow.ended_at >= self.config.log_trailing_seconds:
            follow.done = True

    async def _follow_loop(self) -> None:
        assert self._follow_wake is not None
        last_fetch: dict[str, float] = {}
        first_seen: dict[str, float] = {}
        while self._started:
            now = time.monotonic()
            for key in list(self._followed):
                known = self.jobs.get(key)
                done = known is not None and known.status.is_terminal and key in self.details and self.details[key].job.status.is_terminal
                age = now - first_seen.setdefault(key, now)
                interval = self.config.detail_interval_for(age) * (8 if done else 1)
                if now - last_fetch.get(key, 0.0) < interval and key not in self._refetch_detail:
                    continue
                self._refetch_detail.discard(key)
                last_fetch[key] = now
                try:
                    await self.job_detail(key)
                    self.follow_failures.pop(key, None)
                except asyncio.CancelledError:
                    raise
                except AirsyncError as exc:
                    self._note_follow_failure(key, exc)
                    state = HealthState.AUTH_FAILED if isinstance(exc, AuthError) else HealthState.DEGRADED
                    self._set_health(key.split(":", 1)[0], state, str(exc))
                except Exception as exc:  # noqa: BLE001 — a malformed detail must not stop following
                    self._note_follow_failure(key, exc)
                    self._set_health(key.split(":", 1)[0], HealthState.DEGRADED, f"{type(exc).__name__}: {exc}")
            for log_key, follow in list(self._followed_logs.items()):
                if follow.done or now - follow.last_poll < self.config.log_interval:
                    continue
                follow.last_poll = now
                try:
                    await self._poll_log(log_key, follow, now)
                except asyncio.CancelledError:
                    raise
                except AirsyncError as exc:
                    self._set_health(log_key[0].split(":", 1)[0], HealthState.DEGRADED, str(exc))
                except Exception as exc:  # noqa: BLE001 — a malformed log must not stop following
                    self._set_health(log_key[0].split(":", 1)[0], HealthState.DEGRADED, f"{type(exc).__name__}: {exc}")
            try:
                await asyncio.wait_for(self._follow_wake.wait(), timeout=min(0.5, self.config.detail_interval, self.config.log_interval))
            except TimeoutError:
                pass
            self._follow_wake.clear()


@dataclass
class _LogFollow:
    """State of one followed attempt log."""

    refs: int = 1
    feed: Any = None
    index: Any = None
    last_poll: float = 0.0
    ended_at: float | None = None
    done: bool = False


def _counts(job: Job) -> tuple[object, ...]:
    return (job.records_synced, job.bytes_synced, job.duration, job.updated_at, job.ended_at)


def newest(jobs: Iterable[Job]) -> Job | None:
    ordered = sorted(jobs, key=_job_sort_key)
    return ordered[-1] if ordered else None


def as_utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment else None


__all__ = ["Watcher", "WatcherConfig", "Event", "newest", "utcnow"]
