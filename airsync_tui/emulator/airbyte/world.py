"""The Airbyte world: workspaces, connections and jobs, advanced by virtual time.

Why a ticker-driven state machine and not lazy evaluation on read: watchers and
benchmarks measure *when* a status change becomes visible, so transitions must
happen at their simulated time even if nobody polls. `tick()` is called by the
server's background task (~10×/s wall); it applies due job steps, fires
schedules, tops up `running=K` and appends every status change to
`transitions` as `(job_id, old_status, new_status, virtual_ts, monotonic_ts)`.

Everything random flows from `random.Random` instances seeded by the world seed
(and the job id for per-job plans), so a seed reproduces the same workspace,
history and job outcomes.
"""

from __future__ import annotations

import bisect
import heapq
import random
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from airsync_tui.emulator.airbyte import catalog
from airsync_tui.emulator.airbyte.catalog import ConnectionSpec, StreamSpec
from airsync_tui.emulator.airbyte.connector_texts import connector_failure
from airsync_tui.emulator.airbyte.events import EventLog
from airsync_tui.emulator.airbyte.model import (
    ACTIVE_STATUSES,
    Attempt,
    AttemptPlan,
    Connection,
    Job,
    JobPlan,
)
from airsync_tui.emulator.airbyte.schedule import QuartzCron, basic_interval_seconds, schedule_period_seconds
from airsync_tui.emulator.airbyte.warehouse import attach_warehouse, extra_demo_specs
from airsync_tui.emulator.clock import VirtualClock

JOB_ID_BASE = 4_000
BACKOFF_SECONDS = (10.0, 30.0, 90.0, 270.0)
HISTORY_HORIZON_S = 30 * 60  # generated history ends at least this long before "now"

Transition = tuple[int, "str | None", str, float, float]


OUTCOMES = frozenset({"success", "retry1_then_success", "retry2_then_success", "fatal", "exhausted"})


class JobConflict(Exception):
    """A sync is already running for the connection (public 409 try-again-later)."""


class ConnectionNotActive(Exception):
    """Only active connections can sync (public 409 state-conflict)."""


class JobNotRunning(Exception):
    """Cancel on a terminal job (public 409 state-conflict)."""


@dataclass(frozen=True, slots=True)
class Workspace:
    workspace_id: str
    name: str
    data_residency: str = "auto"
    notification_email: bool = True
    webhook_url: str | None = None


@dataclass(frozen=True, slots=True)
class Tag:
    tag_id: str
    workspace_id: str
    name: str
    color: str


@dataclass(slots=True)
class JobQuery:
    """Filters shared by public `GET /jobs` and config `/jobs/list*`."""

    connection_id: str | None = None
    workspace_ids: frozenset[str] | None = None
    job_types: frozenset[str] | None = None
    statuses: frozenset[str] | None = None
    created_start: float | None = None
    created_end: float | None = None
    updated_start: float | None = None
    updated_end: float | None = None
    order_field: str = "createdAt"
    descending: bool = False


class AirbyteWorld:
    """All simulated Airbyte state. Thread-safe: every public method takes `lock`."""

    def __init__(
        self,
        clock: VirtualClock,
        *,
        seed: int = 7,
        connections: int | None = None,
        running: int = 0,
        big_log_lines: int = 1_000_000,
        history_per_connection: int | None = None,
        duckdb_path: str | None = None,
    ) -> None:
        self.clock = clock
        self.seed = seed
        self.target_running = running
        self.big_log_lines = big_log_lines
        self.lock = threading.RLock()
        self.transitions: deque[Transition] = deque(maxlen=500_000)
        self.forced_outcomes: dict[str, str] = {}
        #: Standing outcomes of next jobs (`--outcome`, `/_admin/outcomes`): see emulator/airbyte/outcomes.py.
        self.standing_outcomes: dict[str, str] = {}
        #: Connection events (config API `connections/events/*`): jobs, pause/resume, schedule, refresh/clear.
        self.events = EventLog(seed)
        self.workspaces: list[Workspace] = []
        self.tags: dict[str, Tag] = {}
        self.connections: list[Connection] = []
        self.connections_by_id: dict[str, Connection] = {}
        self.jobs: list[Job] = []
        self._created_ats: list[float] = []
        self.active_job_ids: set[int] = set()
        self._step_heap: list[tuple[float, int]] = []
        self._schedule_heap: list[tuple[float, int]] = []
        self.schedules_paused = False
        self._rng = random.Random(f"world:{seed}")
        self._uuid_rng = random.Random(f"uuids:{seed}")
        self.scaled = connections is not None
        #: The demo's DuckDB destination (None unless a path is given): receives committed rows.
        self.warehouse = attach_warehouse(duckdb_path if connections is None else None)
        now = clock.now()
        self.built_at = now  # everything generated is relative to this instant (determinism is relative to it)
        if connections is None:
            self._build_demo(now, history_per_connection)
        else:
            self._build_scaled(connections, now, 20 if history_per_connection is None else history_per_connection)
        self._init_schedules(now)
        from airsync_tui.emulator.airbyte import timeline

        timeline.seed_history(self)

    # ------------------------------------------------------------------ construction

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self._uuid_rng.getrandbits(128), version=4))

    def _add_workspace(self, name: str) -> Workspace:
        workspace = Workspace(self._uuid(), name, "auto", True, "https://hooks.slack.com/services/T000/B000/acme-data-alerts")
        self.workspaces.append(workspace)
        for tag_name, color in catalog.TAG_COLORS.items():
            tag = Tag(self._uuid(), workspace.workspace_id, tag_name, color)
            self.tags[f"{workspace.workspace_id}:{tag_name}"] = tag
        return workspace

    def _add_connection(self, spec: ConnectionSpec, workspace: Workspace, created_at: int) -> Connection:
        connection = Connection(
            connection_id=self._uuid(),
            workspace_id=workspace.workspace_id,
            source_id=self._uuid(),
            destination_id=self._uuid(),
            name=spec.name,
            source_name=spec.source,
            destination_name=spec.destination,
            status=spec.status,
            schedule_kind=spec.schedule.kind,
            schedule_expression=spec.schedule.expression,
            streams=spec.streams,
            created_at=created_at,
            log_format=spec.log_format,
            emits_estimates=spec.emits_estimates,
            typical_duration_s=spec.typical_duration_s,
            flakiness=spec.flakiness,
            prefix=spec.prefix,
            tag_names=spec.tags,
            index=len(self.connections),
        )
        self.connections.append(connection)
        self.connections_by_id[connection.connection_id] = connection
        return connection

    def _build_demo(self, now: float, history_per_connection: int | None) -> None:
        workspace = self._add_workspace(catalog.DEMO_WORKSPACE_NAME)
        specs = list(catalog.DEMO_CONNECTIONS) + extra_demo_specs(self.warehouse) + [catalog.DELETED_CONNECTION]
        by_name: dict[str, Connection] = {}
        for i, spec in enumerate(specs):
            created = int(now - 86400 * (180 - i * 9))
            by_name[spec.name] = self._add_connection(spec, workspace, created)

        # Legacy logs of older servers (see logs.LEGACY_ERAS): one connection per era.
        by_name["MySQL → Redshift"].log_era = "2022"
        by_name["MongoDB → S3"].log_era = "2023"

        # History: (created_at, connection, outcome, big_log), generated per connection then
        # sorted globally so job ids increase with createdAt, as on a real server.
        history: list[tuple[float, Connection, str | None, bool]] = []
        for spec in specs:
            connection = by_name[spec.name]
            count = history_per_connection or self._rng.randint(4, 7)
            end = now - HISTORY_HORIZON_S - self._rng.uniform(0, 1800)
            if spec.status == "inactive":
                end -= 14 * 86400
            if spec.status == "deprecated":
                end -= 90 * 86400
            times = self._history_times(connection, count, end)
            outcomes: list[str | None] = [None] * len(times)
            big = [False] * len(times)
            if spec.name.startswith("Postgres (orders)") and len(times) >= 2:
                outcomes[-2] = "retry2_then_success"
            if spec.name.startswith("Salesforce"):
                outcomes[-1] = "cancelled"
            if spec.name.startswith("HubSpot"):
                outcomes[-1] = "fatal"
            if spec.name.startswith("Facebook"):
                outcomes[-1] = "exhausted"
            if spec.name.startswith("Stripe") and len(times) >= 3:
                outcomes[-3] = "retry1_then_success"
            if spec.big_log:
                outcomes[-1] = "success"
                big[-1] = self.big_log_lines > 0
            history.extend((t, connection, o, b) for t, o, b in zip(times, outcomes, big, strict=True))
        history.sort(key=lambda item: item[0])
        for created_at, connection, outcome, big_log in history:
            job = self._create_job(connection, "sync", created_at, outcome=outcome, record=False)
            job.big_log = big_log
            self._finish_history_job(job, outcome, now)

        # Live jobs so the demo is busy from the first frame.
        live = [
            ("Postgres (orders) → Snowflake", 70.0, "success"),
            ("Zendesk Support → Postgres", 45.0, "success"),
            ("HubSpot → BigQuery", None, "retry1_then_success"),
            ("MongoDB → S3", 3.0, "success"),
        ]
        # Oldest first, so job ids keep increasing with createdAt (list ordering relies on it).
        for name, age, outcome in sorted(live, key=lambda item: -(item[1] if item[1] is not None else 200.0)):
            connection = by_name[name]
            if age is None:
                # Created so that its first attempt failed a few seconds ago: shows `incomplete`.
                probe = self._make_plan(connection, "sync", 0.0, outcome, job_seed=len(self.jobs) + JOB_ID_BASE)
                age = probe.attempts[0].end + 4.0
            job = self._create_job(connection, "sync", now - age, outcome=outcome, record=False)
            self._advance_job(job, now, record=False)

    def _history_times(self, connection: Connection, count: int, end: float) -> list[float]:
        period = schedule_period_seconds(connection.schedule_kind, connection.schedule_expression)
        if connection.schedule_kind == "cron" and connection.schedule_expression:
            cron = QuartzCron.parse(connection.schedule_expression)
            assert period is not None
            cursor = end - period * (count + 1)
            fires: list[float] = []
            while len(fires) < count + 2:
                cursor = cron.next_after(cursor)
                if cursor > end:
                    break
                fires.append(cursor + self._rng.uniform(0, 3))
            return fires[-count:]
        spacing = period if period is not None else self._rng.uniform(6 * 3600, 30 * 3600)
        return [end - spacing * k - self._rng.uniform(0, 60) for k in reversed(range(count))]

    def _finish_history_job(self, job: Job, outcome: str | None, now: float) -> None:
        if outcome == "cancelled":
            first = job.plan.attempts[0]
            cancel_at = first.start + (first.end - first.start) * 0.4
            self._advance_job(job, cancel_at, record=False)
            self._cancel(job, cancel_at, record=False)
        else:
            self._advance_job(job, now, record=False)

    def _build_scaled(self, count: int, now: float, history_per_connection: int) -> None:
        workspace = self._add_workspace(f"{catalog.DEMO_WORKSPACE_NAME} (scaled ×{count})")
        rng = self._rng
        for i in range(count):
            source, stream_names, estimates = catalog.SCALED_SOURCES[i % len(catalog.SCALED_SOURCES)]
            destination = catalog.SCALED_DESTINATIONS[(i // len(catalog.SCALED_SOURCES)) % len(catalog.SCALED_DESTINATIONS)]
            qualifier = catalog.SCALED_QUALIFIERS[(i // 7) % len(catalog.SCALED_QUALIFIERS)]
            n_streams = rng.randint(2, min(8, max(2, len(stream_names))))
            streams = tuple(
                StreamSpec(
                    name,
                    "public" if estimates else None,
                    "incremental_append",
                    ("updated_at",),
                    (("id",),),
                    rng.randint(2_000, 200_000),
                    rng.randint(200, 1200),
                    estimates and rng.random() < 0.8,
                )
                for name in stream_names[:n_streams]
            )
            roll = rng.random()
            if roll < 0.35:
                schedule = catalog.ScheduleSpec("cron", f"0 {i % 60} */6 * * ? UTC")
            elif roll < 0.7:
                schedule = catalog.ScheduleSpec("basic", "Every 24 HOURS")
            else:
                schedule = catalog.MANUAL
            spec = ConnectionSpec(
                f"{source} ({qualifier}-{i:04d}) → {destination}",
                source,
                destination,
                streams,
                schedule,
                status="inactive" if rng.random() < 0.05 else "active",
                log_format="formatted" if i % 4 == 3 else "structured",
                emits_estimates=estimates,
                typical_duration_s=rng.uniform(120, 600),
                flakiness=rng.uniform(0.05, 0.3),
            )
            added = self._add_connection(spec, workspace, int(now - 86400 * 200))
            added.log_era = ("2024", "2023", "2022")[(i // 4) % 3]
        history: list[tuple[float, Connection]] = []
        span = 14 * 86400
        for connection in self.connections:
            for _ in range(history_per_connection):
                history.append((now - HISTORY_HORIZON_S - rng.uniform(0, span), connection))
        history.sort(key=lambda item: item[0])
        for created_at, connection in history:
            job = self._create_job(connection, "sync", created_at, outcome=None, record=False)
            self._advance_job(job, now, record=False)

    def _init_schedules(self, now: float) -> None:
        if self.scaled and self.target_running > 0:
            return  # benchmark mode: `running=K` alone drives activity, so load stays predictable
        for connection in self.connections:
            self._schedule_next(connection, now)

    def pause_schedules(self) -> None:
        """Stop scheduled jobs from starting (scripts and tests that need a quiet workspace)."""
        with self.lock:
            self.schedules_paused = True
            self._schedule_heap.clear()
            for connection in self.connections:
                connection.next_fire_at = None

    def _schedule_next(self, connection: Connection, now: float) -> None:
        """Compute the next fire time after `now` (misfires fire once, never in a burst)."""
        connection.next_fire_at = None
        if self.schedules_paused or connection.status != "active" or not connection.schedule_expression:
            return
        if connection.schedule_kind == "cron":
            fire = QuartzCron.parse(connection.schedule_expression).next_after(now)
        elif connection.schedule_kind == "basic":
            interval = basic_interval_seconds(connection.schedule_expression)
            last = self.jobs[connection.job_ids[-1] - JOB_ID_BASE].created_at if connection.job_ids else None
            fire = (last + interval) if last is not None else now + self._rng.uniform(0, interval)
            if fire <= now:
                # Missed while "down": spread the catch-up over one interval instead of a burst.
                fire = now + self._rng.uniform(5, max(10.0, interval / 4))
        else:
            return
        connection.next_fire_at = fire
        heapq.heappush(self._schedule_heap, (fire, connection.index))

    # ------------------------------------------------------------------ plans

    def _make_plan(self, connection: Connection, job_type: str, created_at: float, outcome: str | None, *, job_seed: int) -> JobPlan:
        rng = random.Random(self.seed * 1_000_003 + job_seed)
        streams = connection.streams
        pending = rng.uniform(2.0, 8.0)
        if job_type != "sync":
            duration = rng.uniform(15.0, 45.0)
            start = created_at + pending
            return JobPlan(
                targets=tuple(0 for _ in streams),
                bytes_per_record=tuple(s.bytes_per_record for s in streams),
                speeds=tuple(1.0 for _ in streams),
                estimates=tuple(None for _ in streams),
                attempts=[self._short_attempt(connection, rng, start, duration, outcome)],
            )
        targets = []
        for spec in streams:
            share = rng.uniform(0.9, 1.05) if spec.sync_mode.startswith("full_refresh") else rng.uniform(0.04, 0.35)
            targets.append(max(1, int(spec.base_records * share)))
        estimates = tuple(
            int(t * rng.uniform(0.92, 1.12)) if (connection.emits_estimates and s.has_estimate) else None
            for s, t in zip(streams, targets, strict=True)
        )
        speeds = tuple(rng.uniform(1.0, 2.6) for _ in streams)
        if outcome is None:
            if rng.random() >= connection.flakiness:
                outcome = "success"
            else:
                outcome = rng.choices(["retry1_then_success", "retry2_then_success", "fatal", "exhausted"], [0.45, 0.15, 0.2, 0.2])[0]
        duration = max(90.0, connection.typical_duration_s * rng.uniform(0.6, 1.4))
        failures_before = {"success": 0, "retry1_then_success": 1, "retry2_then_success": 2, "fatal": 0, "exhausted": 3}.get(outcome, 0)
        attempts: list[AttemptPlan] = []
        t = created_at + pending
        for n in range(failures_before):
            volume = rng.uniform(0.15, 0.7)
            template = connector_failure(rng.choice(catalog.RETRYABLE_FAILURES), connection.source_name, connection.destination_name)
            end = t + duration * volume
            last_exhausted = outcome == "exhausted" and n == failures_before - 1
            attempts.append(AttemptPlan(t, end, False, volume, template, rng.choice(streams).name))
            if not last_exhausted:
                t = end + BACKOFF_SECONDS[min(n, len(BACKOFF_SECONDS) - 1)]
        if outcome == "fatal":
            volume = rng.uniform(0.05, 0.5)
            fatal = connector_failure(rng.choice(catalog.FATAL_FAILURES), connection.source_name, connection.destination_name)
            attempts.append(AttemptPlan(t, t + duration * volume, False, volume, fatal, rng.choice(streams).name))
        elif outcome != "exhausted":
            attempts.append(AttemptPlan(t, t + duration, True, 1.0, None))
        return JobPlan(tuple(targets), tuple(s.bytes_per_record for s in streams), speeds, estimates, attempts)

    def _short_attempt(self, connection: Connection, rng: random.Random, start: float, duration: float, outcome: str | None) -> AttemptPlan:
        """A refresh/clear job's one attempt: succeeds unless a fatal outcome was forced (`force_next_outcome`)."""
        if outcome in ("fatal", "exhausted"):
            failure = connector_failure(rng.choice(catalog.FATAL_FAILURES), connection.source_name, connection.destination_name)
            return AttemptPlan(
                start, start + duration * 0.5, False, 0.5, failure, connection.streams[0].name if connection.streams else None
            )
        return AttemptPlan(start, start + duration, True, 1.0, None)

    # ------------------------------------------------------------------ state machine

    def _create_job(self, connection: Connection, job_type: str, created_at: float, *, outcome: str | None, record: bool) -> Job:
        job_id = JOB_ID_BASE + len(self.jobs)
        standing = self.standing_outcomes.get(connection.connection_id) if record and job_type == "sync" else None
        if standing is not None and outcome is None:
            from airsync_tui.emulator.airbyte.outcomes import scripted_plan

            plan = scripted_plan(self, connection, created_at, standing, job_seed=job_id)
        else:
            plan = self._make_plan(connection, job_type, created_at, outcome, job_seed=job_id)
        job = Job(job_id, connection, job_type, created_at, created_at, "pending", plan)
        self.jobs.append(job)
        self._created_ats.append(created_at)
        connection.job_ids.append(job_id)
        connection.active_job_id = job_id
        self.active_job_ids.add(job_id)
        if record:
            self._record(job_id, None, "pending", created_at)
        step_at = job.next_step_time()
        if step_at is not None:
            heapq.heappush(self._step_heap, (step_at, job_id))
        return job

    def _record(self, job_id: int, old: str | None, new: str, virtual_ts: float) -> None:
        self.transitions.append((job_id, old, new, virtual_ts, time.monotonic()))
        from airsync_tui.emulator.airbyte import timeline  # the connection timeline records job ends

        timeline.record_transition(self, self.jobs[job_id - JOB_ID_BASE], new, virtual_ts)

    def _advance_job(self, job: Job, now: float, *, record: bool) -> None:
        """Apply every planned step of `job` due at or before `now`, then put
        its next step on the heap: the entry pushed at creation went stale
        when the steps were applied here, and `tick` skips stale entries, so
        without this a job advanced outside `tick` never moves again."""
        while True:
            step_at = job.next_step_time()
            if step_at is None:
                return
            if step_at > now:
                heapq.heappush(self._step_heap, (step_at, job.job_id))
                return
            self._apply_step(job, step_at, record)

    def _apply_step(self, job: Job, at: float, record: bool) -> None:
        index, is_end = divmod(job.next_step, 2)
        attempt_plan = job.plan.attempts[index]
        old = job.status
        if not is_end:
            job.attempts.append(Attempt(index, attempt_plan, "running", at))
            job.status = "running"
            if job.started_at is None:
                job.started_at = at
        else:
            attempt = job.attempts[index]
            attempt.ended_at = at
            if attempt_plan.succeeds:
                attempt.status = "succeeded"
                job.status = "succeeded"
            else:
                attempt.status = "failed"
                attempt.failure = attempt_plan.failure
                attempt.failure_stream = attempt_plan.failure_stream
                job.status = "incomplete" if index + 1 < len(job.plan.attempts) else "failed"
            if self.warehouse is not None:
                self.warehouse.attempt_ended(job, attempt)
        job.next_step += 1
        job.updated_at = at
        if job.is_terminal:
            self._deactivate(job)
        if record and old != job.status:
            self._record(job.job_id, old, job.status, at)

    def _deactivate(self, job: Job) -> None:
        self.active_job_ids.discard(job.job_id)
        if job.connection.active_job_id == job.job_id:
            job.connection.active_job_id = None

    def _cancel(self, job: Job, at: float, *, record: bool) -> None:
        if job.is_terminal:
            raise JobNotRunning(job.job_id)
        old = job.status
        if job.attempts and job.attempts[-1].ended_at is None:
            attempt = job.attempts[-1]
            attempt.ended_at = at
            attempt.status = "failed"
            attempt.failure = catalog.CANCELLATION_FAILURE
            if self.warehouse is not None:
                self.warehouse.attempt_ended(job, attempt)
        job.status = "cancelled"
        job.updated_at = at
        job.next_step = 2 * len(job.plan.attempts)
        self._deactivate(job)
        if record:
            self._record(job.job_id, old, "cancelled", at)

    # ------------------------------------------------------------------ public operations

    def tick(self, now: float | None = None) -> None:
        """Advance the simulation to `now` (default: the clock). Called by the server ticker."""
        with self.lock:
            now = self.clock.now() if now is None else now
            heap = self._step_heap
            while heap and heap[0][0] <= now:
                at, job_id = heapq.heappop(heap)
                job = self.jobs[job_id - JOB_ID_BASE]
                if job.next_step_time() != at:
                    continue  # stale entry (job cancelled or already advanced)
                self._apply_step(job, at, True)
                following = job.next_step_time()
                if following is not None:
                    heapq.heappush(heap, (following, job_id))
            schedule = self._schedule_heap
            while schedule and schedule[0][0] <= now:
                fire_at, index = heapq.heappop(schedule)
                connection = self.connections[index]
                if connection.next_fire_at != fire_at:
                    continue
                if connection.status == "active" and connection.active_job_id is None:
                    self._create_job(connection, "sync", fire_at, outcome=None, record=True)
                self._schedule_next(connection, max(now, fire_at))
            if self.target_running > 0:
                self._top_up_running(now)

    def _top_up_running(self, now: float) -> None:
        missing = self.target_running - len(self.active_job_ids)
        tries, max_tries = 0, max(0, missing) * 20 + 100
        while missing > 0 and tries < max_tries:
            tries += 1
            connection = self.connections[self._rng.randrange(len(self.connections))]
            if connection.status == "active" and connection.active_job_id is None:
                self._create_job(connection, "sync", now, outcome=None, record=True)
                missing -= 1

    def create_job(self, connection_id: str, job_type: str) -> Job:
        """Start a manual job. Raises KeyError, ConnectionNotActive or JobConflict."""
        with self.lock:
            connection = self.connections_by_id[connection_id]
            if connection.status == "deprecated":
                raise KeyError(connection_id)
            if connection.status != "active":
                raise ConnectionNotActive(connection_id)
            if connection.active_job_id is not None:
                raise JobConflict(connection_id)
            outcome = self.forced_outcomes.pop(connection_id, None)
            job = self._create_job(connection, job_type, self.clock.now(), outcome=outcome, record=True)
            from airsync_tui.emulator.airbyte import timeline

            timeline.record_manual_start(self, job)
            return job

    def force_next_outcome(self, connection_id: str, outcome: str) -> None:
        """Script the next manual job of a connection (tests, demos of failure handling).

        Outcomes: success, retry1_then_success, retry2_then_success, fatal, exhausted.
        """
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}; use one of {sorted(OUTCOMES)}")
        with self.lock:
            self.forced_outcomes[connection_id] = outcome

    def cancel_job(self, job_id: int) -> Job:
        """Cancel a non-terminal job. Raises KeyError or JobNotRunning."""
        with self.lock:
            job = self.get_job(job_id)
            self._cancel(job, max(self.clock.now(), job.updated_at), record=True)
            return job

    def get_job(self, job_id: int) -> Job:
        index = job_id - JOB_ID_BASE
        if index < 0 or index >= len(self.jobs):
            raise KeyError(job_id)
        return self.jobs[index]

    def get_connection(self, connection_id: str) -> Connection:
        return self.connections_by_id[connection_id]

    def tag(self, workspace_id: str, name: str) -> Tag:
        return self.tags[f"{workspace_id}:{name}"]

    def visible_connections(self, workspace_ids: Iterable[str] | None, include_deleted: bool) -> list[Connection]:
        wanted = set(workspace_ids) if workspace_ids else None
        return [
            c for c in self.connections if (wanted is None or c.workspace_id in wanted) and (include_deleted or c.status != "deprecated")
        ]

    def query_jobs(self, query: JobQuery, offset: int, limit: int, *, want_total: bool = False) -> tuple[list[Job], int | None]:
        """One page of jobs matching `query`, plus the total match count when asked.

        Ordered by createdAt, pages stop scanning as soon as they are full, so the
        common "latest N jobs" query stays cheap with 100k jobs. Asking only for
        active statuses scans the active set instead of the whole history.
        """
        with self.lock:
            candidates = self._candidates(query)
            matches = (job for job in candidates if self._matches(job, query))
            if query.order_field == "updatedAt":
                ordered = sorted(matches, key=lambda j: (j.updated_at, j.job_id), reverse=query.descending)
                return ordered[offset : offset + limit], len(ordered)
            page: list[Job] = []
            total = 0
            for job in matches:
                if offset <= total < offset + limit:
                    page.append(job)
                total += 1
                if not want_total and total >= offset + limit:
                    break
            return page, (total if want_total else None)

    def _candidates(self, query: JobQuery) -> Iterator[Job]:
        if query.connection_id is not None:
            connection = self.connections_by_id.get(query.connection_id)
            ids = connection.job_ids if connection else []
            jobs: Iterable[Job] = (self.jobs[i - JOB_ID_BASE] for i in (reversed(ids) if query.descending else ids))
            return iter(jobs)
        if query.statuses is not None and query.statuses <= ACTIVE_STATUSES:
            ids = sorted(self.active_job_ids, reverse=query.descending)
            return (self.jobs[i - JOB_ID_BASE] for i in ids)
        lo = bisect.bisect_left(self._created_ats, query.created_start) if query.created_start is not None else 0
        hi = bisect.bisect_right(self._created_ats, query.created_end) if query.created_end is not None else len(self.jobs)
        indices = range(hi - 1, lo - 1, -1) if query.descending else range(lo, hi)
        return (self.jobs[i] for i in indices)

    @staticmethod
    def _matches(job: Job, query: JobQuery) -> bool:
        if query.workspace_ids is not None and query.connection_id is None and job.connection.workspace_id not in query.workspace_ids:
            return False
        if query.job_types is not None and job.job_type not in query.job_types:
            return False
        if query.statuses is not None and job.status not in query.statuses:
            return False
        if query.created_start is not None and job.created_at < query.created_start:
            return False
        if query.created_end is not None and job.created_at > query.created_end:
            return False
        if query.updated_start is not None and job.updated_at < query.updated_start:
            return False
        return not (query.updated_end is not None and job.updated_at > query.updated_end)

    def running_jobs(self) -> list[Job]:
        with self.lock:
            return [self.jobs[i - JOB_ID_BASE] for i in sorted(self.active_job_ids)]

    def connection_by_name(self, name: str) -> Connection:
        for connection in self.connections:
            if connection.name == name:
                return connection
        raise KeyError(name)

    def big_log_job(self) -> Job | None:
        for job in self.jobs:
            if job.big_log:
                return job
        return None
