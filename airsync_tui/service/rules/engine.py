"""The rules engine: watcher events in, alert transitions out (headless, no Textual).

`airsync watch` and the dashboard's Alerts screen run this same engine on the
same `Watcher`, so both agree on what is failing, stalled, slow, stale, at risk
of auto-disable, rejecting rows, or cut off from its API.

Cost: the engine adds no polling. It reads the watcher's events and state;
the only requests it makes are lazy, cached job histories (one `list_jobs` per
connection, when a rule first needs the connection's past: a failure streak
that started before we watched, p90 of past durations, last success), paced
by `history_interval` so a 1,000-connection workspace stays flat.

Time: every judgement uses the engine's one clock (`clock`, UTC, injectable
for tests); events carry their own `at` on the same clock.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from airsync_tui.models.domain import Connection, Job
from airsync_tui.models.rate import RateWindow
from airsync_tui.models.status import StatusCategory
from airsync_tui.models.timeparse import utcnow
from airsync_tui.service.events import (
    ApiHealthChanged,
    ConnectionsChanged,
    ConnectionsLoaded,
    Event,
    HealthState,
    JobCreated,
    JobStatusChanged,
    JobUpdated,
    LatestJobs,
    ProgressUpdated,
)
from airsync_tui.service.problems import ConnectionProblem, ProblemKind, Severity, failing_connections
from airsync_tui.service.rules.alerts import (
    Alert,
    AlertChange,
    Transition,
    short_duration,
)
from airsync_tui.service.rules.intervals import schedule_interval
from airsync_tui.service.rules.settings import WatchSettings
from airsync_tui.textfmt import counted

HistoryFetcher = Callable[[str], Awaitable[list[Job]]]
"""`connection_key` → its recent jobs, newest first (one request)."""
JobLinker = Callable[[Job, int | None], str | None]
FailureFetcher = Callable[[Job], Awaitable[str | None]]
"""A failed job → its failure in one line (origin · type: message), one request."""
AlertListener = Callable[[AlertChange], None]

#: Jobs of history fetched per connection: enough for Airbyte's disable threshold (30).
HISTORY_JOBS = 30
#: Terminal jobs remembered per connection (to ignore repeats); small: × 1,000 connections it adds up.
SEEN_KEPT = 8
#: Reasons of failures found at start fetched per evaluation, concurrently: a
#: handful of requests at once, so a fleet with many failing connections gets
#: its alerts within a few ticks instead of one connection per tick.
START_REASONS_PER_TICK = 8
#: Successful durations kept per connection for the `slow` p90.
DURATIONS_KEPT = 20
#: The slow rules (stale, auto-disable risk: limits in hours and days) look at every connection at most
#: this often; a connection an event or its history just changed is looked at in the next evaluation.
#: Why: judged every second, they were most of the dashboard's idle CPU with 1,000 connections.
SWEEP_EVERY = timedelta(seconds=10)
_UNHEALTHY = frozenset(
    {
        HealthState.UNREACHABLE,
        HealthState.AUTH_FAILED,
        HealthState.RETRYING,
        HealthState.DEGRADED,
    }
)


@dataclass
class _ConnState:
    """What the engine knows about one connection's recent past."""

    latest: Job | None = None
    #: Failed jobs of the current streak (keys), oldest first; empty = not failing.
    streak: list[str] = field(default_factory=list)
    streak_since: datetime | None = None
    last_success: datetime | None = None
    durations: deque[float] = field(default_factory=lambda: deque(maxlen=DURATIONS_KEPT))
    seen_terminal: set[str] = field(default_factory=set)
    history: str = "none"  # none | queued | loading | loaded | failed
    history_oldest: datetime | None = None


def _failed(job: Job) -> bool:
    return job.status.category is StatusCategory.FAILED


def _succeeded(job: Job) -> bool:
    return job.status.category is StatusCategory.SUCCEEDED or (job.status.category is StatusCategory.WARNING and not _rejected_rows(job))


def _rejected_rows(job: Job) -> int:
    return sum(row.total for row in job.row_breakdown if row.label.lower() == "failed")


def _ended(job: Job) -> datetime | None:
    return job.ended_at or job.updated_at or job.created_at


def _counts(job: Job) -> tuple[int | None, int | None]:
    progress = job.progress
    if progress is not None:
        records = progress.records_committed if progress.records_committed is not None else progress.records_emitted
        bytes_ = progress.bytes_committed if progress.bytes_committed is not None else progress.bytes_emitted
        if records is not None or bytes_ is not None:
            return records, bytes_
    return job.records_synced, job.bytes_synced


def p90(values: Iterable[float]) -> float | None:
    """Nearest-rank 90th percentile (None for no values)."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


class RulesEngine:
    """Turns watcher events into alerts; `evaluate()` judges the time-based rules."""

    def __init__(
        self,
        settings: WatchSettings | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
        history: HistoryFetcher | None = None,
        job_link: JobLinker | None = None,
        initial_alerts: Iterable[Alert] = (),
        history_interval: float = 2.0,
        failure_detail: FailureFetcher | None = None,
    ) -> None:
        self.settings = settings or WatchSettings()
        self.clock = clock
        self._history = history
        self._failure_detail = failure_detail
        #: Failed jobs waiting for their failure reason before the alert opens.
        self._pending_failures: list[tuple[Job, datetime]] = []
        #: Failures found at start (one reason fetched per evaluation: a flat cost, however many).
        self._start_failures: deque[tuple[Job, datetime]] = deque()
        self._job_link = job_link
        self.history_interval = history_interval
        self.connections: dict[str, Connection] = {}
        self._conns: dict[str, _ConnState] = {}
        self._rates: dict[str, RateWindow] = {}
        self._active: dict[str, Job] = {}
        self._health_since: dict[str, tuple[datetime, HealthState, str]] = {}
        #: Open alerts by id (restored from the store after a restart).
        self._open: dict[str, Alert] = {}
        self._recent: deque[Alert] = deque(maxlen=200)
        self._listeners: list[AlertListener] = []
        self._history_queue: deque[str] = deque()
        self._last_history: float | None = None
        self._last_sweep: datetime | None = None
        #: Connections an event or a history changed since the last evaluation (judged then, not at the sweep).
        self._touched: set[str] = set()
        self.history_requests = 0
        #: Times each provider's API turned unhealthy (the metrics' error counter).
        self.api_errors: dict[str, int] = {}
        for alert in initial_alerts:
            if alert.is_open:
                self._open[alert.id] = alert
                if alert.rule is ProblemKind.FAILED and alert.connection_key:
                    state = self._conn(alert.connection_key)
                    state.streak = [alert.job_key or alert.id] * max(alert.count, 1)
                    state.streak_since = alert.since

    # ----------------------------------------------------------------- API
    def add_listener(self, listener: AlertListener) -> None:
        self._listeners.append(listener)

    def open_alerts(self) -> list[Alert]:
        """Open alerts, critical first, then oldest first."""
        return sorted(
            self._open.values(),
            key=lambda a: (
                a.severity is not Severity.CRITICAL,
                a.since or a.opened_at,
                a.id,
            ),
        )

    def recent_alerts(self) -> list[Alert]:
        """Recently resolved alerts, newest first (this session)."""
        return list(reversed(self._recent))

    def open_problems(self) -> list[ConnectionProblem]:
        """The open alerts as `ConnectionProblem`s (what triage groups)."""
        return [alert.problem() for alert in self.open_alerts()]

    def failing(self) -> frozenset[str]:
        """The failing connections (`problems.failing_connections`), for the header on every refresh.

        Only the open `failed` alerts are turned into problems: no sort, and no problem built for the rest.
        A connection whose last job failed while its alert waits for the
        failure's reason (fetched one per tick at start) is failing already:
        the header must not count fewer failing connections than the list
        shows red rows while those reasons load.
        """
        opened = failing_connections(a.problem() for a in self._open.values() if a.rule is ProblemKind.FAILED)
        waiting = {
            job.connection_key
            for job, _ in (*self._pending_failures, *self._start_failures)
            if self._still_latest(job) and self._enabled(ProblemKind.FAILED, job.provider, job.connection_key)
        }
        return opened | waiting if waiting else opened

    def _still_latest(self, job: Job) -> bool:
        """`job` is still its connection's newest (a later success would have ended the streak)."""
        state = self._conns.get(job.connection_key)
        return state is not None and state.latest is not None and state.latest.key == job.key

    def last_success(self, connection_key: str) -> datetime | None:
        state = self._conns.get(connection_key)
        return state.last_success if state else None

    def latest_job(self, connection_key: str) -> Job | None:
        """The newest job seen for a connection (triage's "next run" starts from it)."""
        state = self._conns.get(connection_key)
        return state.latest if state else None

    def failure_streak(self, connection_key: str) -> int:
        state = self._conns.get(connection_key)
        return len(state.streak) if state else 0

    def handle(self, event: Event) -> None:
        """Apply one watcher event (synchronous; cheap)."""
        if isinstance(event, ConnectionsLoaded):
            self.connections.update({c.key: c for c in event.connections})
            self._touched.update(c.key for c in event.connections)
        elif isinstance(event, ConnectionsChanged):
            for connection in event.added + event.changed:
                self.connections[connection.key] = connection
                self._touched.add(connection.key)
            for key in event.removed:
                self.connections.pop(key, None)
                self._close_connection(key, event.at)
        elif isinstance(event, LatestJobs):
            for job in event.jobs:
                self._job(job, event.at, at_start=True)
        elif isinstance(event, (JobCreated, JobStatusChanged, JobUpdated)):
            self._job(event.job, event.at, at_start=False)
        elif isinstance(event, ProgressUpdated):
            active = self._active.get(event.job_key)
            if active is not None:
                active = active.model_copy(update={"progress": event.progress})
                self._active[event.job_key] = active
                self._sample(active, event.at)
        elif isinstance(event, ApiHealthChanged):
            self._health(event)

    @property
    def has_pending(self) -> bool:
        """A failure waits for its reason: call `evaluate()` now rather than at the next tick."""
        return bool(self._pending_failures)

    async def evaluate(self, now: datetime | None = None) -> None:
        """Judge the time-based rules now; fetch pending failure reasons and at most one queued history."""
        now = now or self.clock()
        while self._pending_failures:
            job, at = self._pending_failures.pop(0)
            reason = await self._reason(job)
            self._on_failure(
                job.model_copy(update={"error": reason}) if reason else job,
                at,
                at_start=False,
                fetched=True,
            )
        if self._start_failures:
            batch = [self._start_failures.popleft() for _ in range(min(START_REASONS_PER_TICK, len(self._start_failures)))]
            reasons = await asyncio.gather(*(self._reason(job) for job, _ in batch))
            for (job, at), reason in zip(batch, reasons, strict=True):
                self._on_failure(
                    job.model_copy(update={"error": reason}) if reason else job,
                    at,
                    at_start=True,
                    fetched=True,
                )
        await self._fetch_one_history()
        for job in list(self._active.values()):
            self._judge_stalled(job, now)
            self._judge_slow(job, now)
        for key in self._keys_to_judge(now):
            self._judge_stale(key, now)
            self._judge_auto_disable(key, now)
        self._judge_health(now)

    def _keys_to_judge(self, now: datetime) -> list[str]:
        """Every connection once per `SWEEP_EVERY` (and when the clock moved back); else only the touched ones."""
        last = self._last_sweep
        if last is None or now - last >= SWEEP_EVERY or now < last:
            self._last_sweep = now
            keys = list(self._conns)
        else:
            keys = [key for key in self._touched if key in self._conns]
        self._touched.clear()
        return keys

    async def _reason(self, job: Job) -> str | None:
        if self._failure_detail is None:
            return None
        try:
            return await self._failure_detail(job)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - the alert goes out without the reason rather than not at all
            return None

    async def run(self, events: AsyncEventSource, *, tick: float = 1.0) -> None:
        """Consume events until cancelled, evaluating at least every `tick` seconds."""
        last = 0.0
        loop = asyncio.get_running_loop()
        while True:
            event = await events.get(timeout=tick)
            if event is not None:
                self.handle(event)
            if loop.time() - last >= tick:
                last = loop.time()
                await self.evaluate()

    # ------------------------------------------------------------ internals
    def _conn(self, key: str) -> _ConnState:
        state = self._conns.get(key)
        if state is None:
            state = self._conns[key] = _ConnState()
        return state

    def _emit(
        self,
        transition: Transition,
        alert: Alert,
        at: datetime,
        *,
        initial: bool = False,
    ) -> None:
        if transition is Transition.RESOLVED:
            self._open.pop(alert.id, None)
            self._recent.append(alert)
        else:
            self._open[alert.id] = alert
        change = AlertChange(transition=transition, alert=alert, at=at, initial=initial)
        for listener in list(self._listeners):
            listener(change)

    def _find(
        self,
        rule: ProblemKind,
        connection_key: str | None,
        *,
        job_key: str | None = None,
    ) -> Alert | None:
        for alert in self._open.values():
            if alert.rule is rule and alert.connection_key == connection_key and (job_key is None or alert.job_key == job_key):
                return alert
        return None

    def _resolve(self, alert: Alert | None, at: datetime, resolution: str) -> None:
        if alert is not None:
            self._emit(Transition.RESOLVED, alert.resolve(at, resolution), at)

    def _name(self, key: str | None) -> str | None:
        if key is None:
            return None
        connection = self.connections.get(key)
        return connection.name if connection else key.split(":", 1)[1]

    def _link(self, job: Job) -> tuple[str | None, int | None]:
        attempts = job.extra.get("attempts") if isinstance(job.extra, dict) else None
        attempt = int(attempts) - 1 if isinstance(attempts, int) and attempts > 0 else None
        url = self._job_link(job, attempt) if self._job_link else None
        return url or job.web_url, attempt

    def _enabled(self, kind: ProblemKind, provider: str, key: str | None) -> bool:
        return self.settings.for_connection(kind, provider, self.connections.get(key) if key else None).enabled

    def _queue_history(self, key: str) -> None:
        state = self._conn(key)
        if self._history is not None and state.history == "none":
            state.history = "queued"
            self._history_queue.append(key)

    # ----------------------------------------------------------- job events
    def _job(self, job: Job, at: datetime, *, at_start: bool) -> None:
        key = job.connection_key
        self._touched.add(key)
        state = self._conn(key)
        if state.latest is None or (job.created_at or at) >= (state.latest.created_at or at) or state.latest.key == job.key:
            state.latest = job
        if job.status.is_active:
            self._active[job.key] = job
            self._sample(job, at)
            if state.history == "none" and (
                self._enabled(ProblemKind.SLOW, job.provider, key) or (at_start and self._enabled(ProblemKind.FAILED, job.provider, key))
            ):
                # SLOW needs past durations; at start, a job running after
                # failures may sit in an open failure streak only history shows.
                self._queue_history(key)
            return
        self._active.pop(job.key, None)
        self._rates.pop(job.key, None)
        self._end_job_alerts(job, at)
        if job.key in state.seen_terminal:
            return
        state.seen_terminal.add(job.key)
        if len(state.seen_terminal) > SEEN_KEPT:
            state.seen_terminal = {job.key}
        if state.latest is not None and state.latest.key != job.key:
            return  # an older job seen late: it does not change the streak
        if _failed(job):
            self._on_failure(job, at, at_start=at_start)
        elif _succeeded(job):
            self._on_success(job, at)
        if job.status.is_terminal and job.status.category is not StatusCategory.CANCELLED:
            self._judge_rows(job, at)

    def _on_failure(self, job: Job, at: datetime, *, at_start: bool, fetched: bool = False) -> None:
        key = job.connection_key
        self._touched.add(key)
        state = self._conn(key)
        if job.key in state.streak:
            return
        if job.error is None and not fetched and self._failure_detail is not None:
            if not at_start:
                self._pending_failures.append((job, at))
            elif self.settings.alert_on_start and self._enabled(ProblemKind.FAILED, job.provider, key):
                self._start_failures.append((job, at))
            return
        state.streak.append(job.key)
        if state.streak_since is None or len(state.streak) == 1:
            state.streak_since = job.created_at or _ended(job) or at
        if at_start:
            self._queue_history(key)  # how long has it been failing? (refines count and since)
        if not self._enabled(ProblemKind.FAILED, job.provider, key):
            return
        url, attempt = self._link(job)
        summary = job.error or f"{job.job_type} {job.status.raw}"
        current = self._find(ProblemKind.FAILED, key)
        if current is not None:
            updated = replace(
                current,
                count=max(current.count + 1, len(state.streak)),
                summary=summary,
                job_key=job.key,
                attempt_number=attempt,
                url=url,
            )
            self._emit(Transition.UPDATED, updated, at)
            return
        if at_start and not self.settings.alert_on_start:
            return
        alert = Alert(
            id=f"failed:{key}:{job.id}",
            rule=ProblemKind.FAILED,
            severity=Severity.CRITICAL,
            provider=job.provider,
            connection_key=key,
            connection_name=self._name(key),
            summary=summary,
            opened_at=at,
            since=state.streak_since,
            count=len(state.streak),
            job_key=job.key,
            attempt_number=attempt,
            url=url,
            last_success=state.last_success,
        )
        self._emit(Transition.OPENED, alert, at, initial=at_start)

    def _on_success(self, job: Job, at: datetime) -> None:
        key = job.connection_key
        state = self._conn(key)
        ended = _ended(job) or at
        state.last_success = max(state.last_success, ended) if state.last_success else ended
        elapsed = job.elapsed(ended)
        if elapsed is not None and job.job_type == "sync":
            state.durations.append(elapsed.total_seconds())
        runs = len(state.streak)
        broken_since = state.streak_since
        state.streak = []
        state.streak_since = None
        failed = self._find(ProblemKind.FAILED, key)
        if failed is not None:
            runs = max(runs, failed.count)
            since = failed.since or broken_since or failed.opened_at
            self._resolve(
                replace(failed, since=since),
                at,
                f"succeeded after {counted(runs, 'failed run')}, broken for {short_duration(max(ended - since, timedelta(0)))}",
            )
        risk = self._find(ProblemKind.AUTO_DISABLE_RISK, key)
        self._resolve(risk, at, f"a {job.job_type} succeeded")
        stale = self._find(ProblemKind.STALE, key)
        if stale is not None:
            limit = self._stale_limit(key)
            if limit is None or at - ended <= limit:
                self._resolve(stale, at, f"a {job.job_type} succeeded")
            else:
                # A success learned late (the watcher was off) and already older than the limit: the
                # connection is still stale. Resolving it here re-opened it a second later, "a sync
                # succeeded" then "no successful sync for over 30 min"; the alert now just moves on.
                self._emit(Transition.UPDATED, replace(stale, since=ended, last_success=ended), at)

    def _end_job_alerts(self, job: Job, at: datetime) -> None:
        for rule in (ProblemKind.STALLED, ProblemKind.SLOW):
            alert = self._find(rule, job.connection_key, job_key=job.key)
            if alert is not None:
                self._resolve(alert, at, f"job ended: {job.status.raw}")

    def _judge_rows(self, job: Job, at: datetime) -> None:
        key = job.connection_key
        rejected = _rejected_rows(job)
        settings = self.settings.for_connection(ProblemKind.ROWS_REJECTED, job.provider, self.connections.get(key))
        current = self._find(ProblemKind.ROWS_REJECTED, key)
        if rejected > settings.threshold and settings.enabled:
            summary = f"{counted(rejected, 'row')} rejected by the destination" + (f" · {job.error}" if job.error else "")
            url, attempt = self._link(job)
            if current is not None:
                self._emit(
                    Transition.UPDATED,
                    replace(
                        current,
                        count=rejected,
                        summary=summary,
                        job_key=job.key,
                        url=url,
                    ),
                    at,
                )
                return
            alert = Alert(
                id=f"rows_rejected:{key}:{job.id}",
                rule=ProblemKind.ROWS_REJECTED,
                severity=Severity.WARNING,
                provider=job.provider,
                connection_key=key,
                connection_name=self._name(key),
                summary=summary,
                opened_at=at,
                since=_ended(job) or at,
                count=rejected,
                job_key=job.key,
                attempt_number=attempt,
                url=url,
            )
            self._emit(Transition.OPENED, alert, at)
        elif current is not None and job.status.category.is_success:
            self._resolve(current, at, "a run finished without rejected rows")

    def _close_connection(self, key: str, at: datetime) -> None:
        for alert in [a for a in self._open.values() if a.connection_key == key]:
            self._resolve(alert, at, "connection removed")
        self._conns.pop(key, None)

    # ------------------------------------------------------------ stalled
    def _sample(self, job: Job, at: datetime) -> None:
        records, bytes_ = _counts(job)
        window = self._rates.get(job.key)
        if window is None:
            window = self._rates[job.key] = RateWindow()
        window.add(at, records, bytes_)
        stalled = self._find(ProblemKind.STALLED, job.connection_key, job_key=job.key)
        if stalled is not None:
            settings = self.settings.for_connection(
                ProblemKind.STALLED,
                job.provider,
                self.connections.get(job.connection_key),
            )
            if not window.is_stalled(at, timedelta(minutes=settings.minutes)):
                self._resolve(stalled, at, "moving again")

    def _judge_stalled(self, job: Job, now: datetime) -> None:
        if job.status.category not in (StatusCategory.RUNNING, StatusCategory.UNKNOWN):
            return
        window = self._rates.get(job.key)
        if window is None or not any(s.records is not None or s.bytes is not None for s in window.samples):
            return  # a provider that reports no counts cannot be judged stalled
        settings = self.settings.for_connection(ProblemKind.STALLED, job.provider, self.connections.get(job.connection_key))
        if not settings.enabled or self._find(ProblemKind.STALLED, job.connection_key, job_key=job.key):
            return
        threshold = timedelta(minutes=settings.minutes)
        if not window.is_stalled(now, threshold):
            return
        quiet = window.no_progress_for(now) or threshold
        records, _ = _counts(job)
        url, attempt = self._link(job)
        alert = Alert(
            id=f"stalled:{job.key}",
            rule=ProblemKind.STALLED,
            severity=Severity.WARNING,
            provider=job.provider,
            connection_key=job.connection_key,
            connection_name=self._name(job.connection_key),
            summary=f"no progress for {short_duration(quiet)}" + (f" at {records:,} records" if records is not None else ""),
            opened_at=now,
            since=now - quiet,
            job_key=job.key,
            attempt_number=attempt,
            url=url,
        )
        self._emit(Transition.OPENED, alert, now)

    # ---------------------------------------------------------------- slow
    def _judge_slow(self, job: Job, now: datetime) -> None:
        key = job.connection_key
        settings = self.settings.for_connection(ProblemKind.SLOW, job.provider, self.connections.get(key))
        if not settings.enabled or job.job_type != "sync" or self._find(ProblemKind.SLOW, key, job_key=job.key):
            return
        state = self._conns.get(key)
        if state is None or len(state.durations) < settings.min_samples:
            return
        typical = p90(state.durations)
        elapsed = job.elapsed(now)
        if typical is None or elapsed is None or elapsed.total_seconds() <= settings.factor * typical:
            return
        url, attempt = self._link(job)
        alert = Alert(
            id=f"slow:{job.key}",
            rule=ProblemKind.SLOW,
            severity=Severity.WARNING,
            provider=job.provider,
            connection_key=key,
            connection_name=self._name(key),
            summary=f"running {short_duration(elapsed)}, over {settings.factor:g}× its p90 of "
            f"{short_duration(timedelta(seconds=typical))} ({len(state.durations)} successful runs)",
            opened_at=now,
            since=job.started_at or job.created_at,
            job_key=job.key,
            attempt_number=attempt,
            url=url,
        )
        self._emit(Transition.OPENED, alert, now)

    # --------------------------------------------------------------- stale
    def _stale_limit(self, key: str) -> timedelta | None:
        """How long without a success makes this connection stale (None: the rule does not apply to it)."""
        connection = self.connections.get(key)
        if connection is None or not connection.enabled:
            return None
        settings = self.settings.for_connection(ProblemKind.STALE, connection.provider, connection)
        if not settings.enabled:
            return None
        interval = schedule_interval(connection.schedule)
        if interval is None:
            if not (settings.include_manual and connection.schedule.kind.lower() == "manual"):
                return None
            interval = timedelta(hours=settings.manual_hours)
        return interval * settings.factor

    def _judge_stale(self, key: str, now: datetime) -> None:
        connection = self.connections.get(key)
        state = self._conns.get(key)
        limit = self._stale_limit(key)
        if connection is None or state is None or limit is None:
            return
        last = state.last_success
        if last is None:
            if state.history != "loaded":
                if state.latest is not None:
                    self._queue_history(key)
                return
            last = state.history_oldest or connection.created_at
            if last is None:
                return
        if now - last <= limit or self._find(ProblemKind.STALE, key):
            return
        alert = Alert(
            id=f"stale:{key}:{int(last.timestamp())}",
            rule=ProblemKind.STALE,
            severity=Severity.WARNING,
            provider=connection.provider,
            connection_key=key,
            connection_name=connection.name,
            # No age in the text: it is stored, and "for 46 min" beside a live "For 47 min" column (and
            # the list's "48 minutes ago") read as three answers; the alert's `since` carries the age.
            summary=f"no successful sync for over {short_duration(limit)} (schedule: {connection.schedule.describe()})",
            opened_at=now,
            since=last,
            last_success=state.last_success,
        )
        self._emit(Transition.OPENED, alert, now)

    # --------------------------------------------------- auto-disable risk
    def _judge_auto_disable(self, key: str, now: datetime) -> None:
        state = self._conns.get(key)
        if state is None or not state.streak:
            return
        provider = key.split(":", 1)[0]
        settings = self.settings.for_connection(ProblemKind.AUTO_DISABLE_RISK, provider, self.connections.get(key))
        if not settings.enabled:
            return
        failures = len(state.streak)
        reference = state.last_success or state.streak_since
        days = (now - reference).total_seconds() / 86400 if reference else 0.0
        if failures >= settings.disable_failures or days >= settings.disable_days:
            level, severity = "disable", Severity.CRITICAL
        elif failures >= settings.warn_failures or days >= settings.warn_days:
            level, severity = "warn", Severity.WARNING
        else:
            return
        current = self._find(ProblemKind.AUTO_DISABLE_RISK, key)
        if current is not None:
            if current.severity is severity or current.severity is Severity.CRITICAL:
                if current.count != failures:
                    self._emit(Transition.UPDATED, replace(current, count=failures), now)
                return
            self._resolve(current, now, "escalated")
        verb = "will be disabled by Airbyte" if level == "disable" else "approaching Airbyte's auto-disable"
        alert = Alert(
            id=f"auto_disable_risk:{key}:{level}:{state.streak[0].split(':', 1)[-1]}",
            rule=ProblemKind.AUTO_DISABLE_RISK,
            severity=severity,
            provider=provider,
            connection_key=key,
            connection_name=self._name(key),
            summary=f"{verb}: {failures} consecutive failures, {days:.1f} days without success "
            f"(warn {settings.warn_failures}/{settings.warn_days:g}d, disable {settings.disable_failures}/{settings.disable_days:g}d)",
            opened_at=now,
            since=reference,
            count=failures,
            last_success=state.last_success,
        )
        self._emit(Transition.OPENED, alert, now)

    # --------------------------------------------------------- API health
    def _health(self, event: ApiHealthChanged) -> None:
        if event.state in _UNHEALTHY:
            previous = self._health_since.get(event.provider)
            if previous is None:
                self.api_errors[event.provider] = self.api_errors.get(event.provider, 0) + 1
            since = previous[0] if previous else event.at
            self._health_since[event.provider] = (
                since,
                event.state,
                event.message or (previous[2] if previous else ""),
            )
        elif event.state is HealthState.OK:
            self._health_since.pop(event.provider, None)
            for open_alert in [a for a in self._open.values() if a.rule is ProblemKind.API_UNHEALTHY and a.provider == event.provider]:
                self._resolve(open_alert, event.at, "API answering again")

    def _judge_health(self, now: datetime) -> None:
        for provider, (since, state, message) in self._health_since.items():
            settings = self.settings.for_connection(ProblemKind.API_UNHEALTHY, provider, None)
            if not settings.enabled or now - since < timedelta(minutes=settings.minutes):
                continue
            if any(a.rule is ProblemKind.API_UNHEALTHY and a.provider == provider for a in self._open.values()):
                continue
            what = "authentication failing" if state is HealthState.AUTH_FAILED else "API unreachable"
            alert = Alert(
                id=f"api_unhealthy:{provider}:{int(since.timestamp())}",
                rule=ProblemKind.API_UNHEALTHY,
                severity=Severity.CRITICAL,
                provider=provider,
                connection_key=None,
                connection_name=None,
                summary=f"{what} for {short_duration(now - since)}" + (f" · {message}" if message else ""),
                opened_at=now,
                since=since,
            )
            self._emit(Transition.OPENED, alert, now)

    # ------------------------------------------------------------ history
    async def _fetch_one_history(self) -> None:
        if self._history is None or not self._history_queue:
            return
        loop = asyncio.get_running_loop()
        last = self._last_history
        if last is not None and loop.time() - last < self.history_interval:
            return
        self._last_history = loop.time()
        key = self._history_queue.popleft()
        state = self._conn(key)
        state.history = "loading"
        self.history_requests += 1
        try:
            jobs = await self._history(key)
        except asyncio.CancelledError:
            # Cancelled mid-request (the dashboard cancels an evaluation still running when the next
            # starts): not an answer. Left at "loading", the connection was never asked again and the
            # rules that need its history (stale, streaks seen at start) stayed silent for the session.
            state.history = "queued"
            self._history_queue.appendleft(key)
            self._last_history = None
            raise
        except Exception:  # noqa: BLE001 - any failure: the rules that needed it stay silent
            state.history = "failed"  # the rules that needed it stay silent; no retry storm
            return
        state.history = "loaded"
        self._apply_history(key, jobs)

    def _apply_history(self, key: str, jobs: list[Job]) -> None:
        """Fill streak, last success and durations from a connection's past (newest first)."""
        self._touched.add(key)
        state = self._conn(key)
        terminal = [j for j in jobs if j.status.is_terminal and j.job_type == "sync"]
        if jobs:
            oldest = min((j.created_at for j in jobs if j.created_at), default=None)
            state.history_oldest = oldest
        streak: list[Job] = []
        for job in terminal:
            if _failed(job):
                streak.append(job)
            elif _succeeded(job):
                ended = _ended(job)
                if ended and (state.last_success is None or ended > state.last_success):
                    state.last_success = ended
                break
        durations = [e.total_seconds() for j in reversed(terminal) if _succeeded(j) and (e := j.elapsed(_ended(j) or utcnow())) is not None]
        if durations and len(state.durations) < len(durations):
            state.durations.clear()
            state.durations.extend(durations[-DURATIONS_KEPT:])
        latest = state.latest
        if streak and not state.streak and latest is not None and latest.status.is_active and latest.key != streak[0].key:
            # Seen at start: a job runs after failures with no success since;
            # the streak is still open (a retry is not a recovery). Raise it as
            # a failure found at start, like a failed latest job.
            state.streak = [j.key for j in reversed(streak[1:])]
            state.streak_since = streak[-1].created_at or _ended(streak[-1])
            self._on_failure(streak[0], self.clock(), at_start=True)
            return
        if streak and state.streak:
            keys = [j.key for j in reversed(streak)]
            merged = keys + [k for k in state.streak if k not in keys]
            state.streak = merged
            state.streak_since = streak[-1].created_at or state.streak_since
            current = self._find(ProblemKind.FAILED, key)
            if current is not None:
                updated = replace(
                    current,
                    count=max(current.count, len(merged)),
                    since=state.streak_since,
                    last_success=state.last_success,
                )
                self._emit(Transition.UPDATED, updated, self.clock())


class AsyncEventSource(Protocol):
    """What `RulesEngine.run` reads from (a watcher `Subscription` fits)."""

    async def get(self, timeout: float | None = None) -> Event | None: ...
