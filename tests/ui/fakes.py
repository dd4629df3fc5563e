"""An in-memory `SyncProvider` that drives a real `Watcher` in UI tests.

Why a fake as well as the emulator: it is deterministic to the field (fixed
clock, fixed ids), needs no sockets, can be told to fail (API errors, auth)
and can pretend to be Hightouch (`can_cancel=False`), so snapshot tests and
edge cases stay fast and stable. Jobs advance one step per `poll_activity`
(pending → running with progress → succeeded) unless `auto_advance=False`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from airsync_tui.errors import ApiError, ConflictError, NotFoundError, ReadOnlyError, TransportError
from airsync_tui.models.domain import (
    Attempt,
    Connection,
    Fact,
    FailureInfo,
    Job,
    JobDetail,
    Progress,
    RowBreakdown,
    Schedule,
    StreamProgress,
    Workspace,
)
from airsync_tui.models.status import JobStatus
from airsync_tui.providers import registry
from airsync_tui.providers.airbyte.statuses import airbyte_job_status
from airsync_tui.providers.base import (
    ActivityCursor,
    ActivityPoll,
    AttemptLog,
    JobTypeOption,
    ProviderCapabilities,
    TriggerResult,
)
from airsync_tui.providers.http import HttpSignal, RequestStats
from airsync_tui.service.watcher import WatcherConfig

FROZEN_NOW = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)
FAST_CONFIG = WatcherConfig(active_interval=0.05, idle_interval=0.1, progress_interval=0.05, detail_interval=0.1, connections_interval=3600)

AIRBYTE_JOB_TYPES = (
    JobTypeOption("sync", "Sync", "Copy new data from the source"),
    JobTypeOption("reset", "Reset", "Delete destination data and start over", destructive=True),
    JobTypeOption("clear", "Clear", "Delete destination data without syncing", destructive=True),
    JobTypeOption(
        "refresh",
        "Refresh",
        "Re-sync all data",
        available=False,
        unavailable_reason="the Airbyte public API cannot start refreshes; use the web UI",
    ),
)


def provider_status(provider: str, raw: str) -> JobStatus:
    """`raw` classified by the registered provider's own status table (what its mapping does)."""
    spec = registry.spec(provider)
    assert spec is not None, f"no registered provider {provider!r}"
    return spec.classify(raw)


def status_as(provider: str, raw: str) -> JobStatus:
    """A status word of the fakes' shared (Airbyte) vocabulary, said in `provider`'s own word.

    A fake posing as Hightouch must report `success`, not `succeeded`: the provider contract
    (tests/integration/test_provider_contract.py) checks every status against the provider's table.
    """
    own = provider_status(provider, raw)
    if own.known:
        return own
    category = airbyte_job_status(raw).category
    spec = registry.spec(provider)
    assert spec is not None
    word = next((w for w, c in spec.status_table.items() if c == category), raw)
    return spec.classify(word)


def airbyte_caps() -> ProviderCapabilities:
    return ProviderCapabilities(job_types=AIRBYTE_JOB_TYPES)


def hightouch_caps() -> ProviderCapabilities:
    return ProviderCapabilities(
        job_types=(JobTypeOption("sync", "Run", "Run the sync now"),),
        can_cancel=False,
        cancel_unavailable_reason="the Hightouch API has no cancel endpoint",
        has_attempt_logs=False,
        jobs_have_attempts=False,
        logs_notice="Hightouch exposes no log text",
        job_noun="run",
        connection_noun="sync",
    )


@dataclass
class FakeJobState:
    job: Job
    steps: int = 0
    attempts: list[Attempt] = field(default_factory=list)


class FakeProvider:
    """Deterministic in-memory provider (see module docstring)."""

    def __init__(
        self,
        name: str = "airbyte",
        display_name: str = "Airbyte",
        *,
        connections: list[Connection] | None = None,
        jobs: list[Job] | None = None,
        capabilities: ProviderCapabilities | None = None,
        read_only: bool = False,
        clock: Callable[[], datetime] = lambda: FROZEN_NOW,
        auto_advance: bool = True,
        steps_to_finish: int = 3,
        finish_status: str = "succeeded",
        streams: bool = True,
    ) -> None:
        self.name = name
        #: False mimics a provider whose runs have no streams (Hightouch: one run, row counts, no per-stream stats).
        self.has_streams = streams
        self.display_name = display_name
        self.capabilities = capabilities or airbyte_caps()
        self.read_only = read_only
        self.stats = RequestStats()
        self.clock = clock
        self.auto_advance = auto_advance
        self.steps_to_finish = steps_to_finish
        self.finish_status = finish_status
        self.connections: dict[str, Connection] = {c.id: c for c in connections or []}
        self.jobs: dict[str, FakeJobState] = {}
        for job in jobs or []:
            self.jobs[job.id] = FakeJobState(job=job, attempts=_default_attempts(job))
        self._listeners: list[Callable[[HttpSignal], None]] = []
        self._next_id = 5000
        self.fail_next: Exception | None = None  # raised by the next poll
        self.fail_polls: Exception | None = None  # raised by every poll until cleared
        self.fail_connections: Exception | None = None
        self.triggers: list[tuple[str, str]] = []
        self.dirty: set[str] = set()  # jobs changed since the last poll (the "updated since" feed)
        self.cancels: list[str] = []

    # ------------------------------------------------------------ helpers
    def emit(self, signal: HttpSignal) -> None:
        for listener in self._listeners:
            listener(signal)

    def add_health_listener(self, listener: Callable[[HttpSignal], None]) -> None:
        self._listeners.append(listener)

    async def aclose(self) -> None:
        return None

    async def check(self) -> None:
        return None

    def _count(self, path: str) -> None:
        self.stats.requests += 1
        self.stats.by_path[path] = self.stats.by_path.get(path, 0) + 1

    # ---------------------------------------------------------- protocol
    async def list_workspaces(self) -> list[Workspace]:
        return [Workspace(provider=self.name, id="ws-1", name="Demo workspace")]

    async def list_connections(self) -> list[Connection]:
        self._count("connections")
        if self.fail_connections is not None:
            raise self.fail_connections
        return list(self.connections.values())

    async def get_connection(self, connection_id: str) -> Connection:
        try:
            return self.connections[connection_id]
        except KeyError:
            raise NotFoundError(f"connection {connection_id} not found") from None

    async def list_jobs(self, connection_id: str, *, limit: int = 20, offset: int = 0) -> list[Job]:
        self._count("jobs")
        jobs = [s.job for s in self.jobs.values() if s.job.connection_id == connection_id]
        jobs.sort(key=lambda j: (j.created_at or FROZEN_NOW, int(j.id)), reverse=True)
        return jobs[offset : offset + limit]

    async def recent_jobs(self, *, max_jobs: int = 500) -> list[Job]:
        self._count("recent")
        jobs = [s.job for s in self.jobs.values()]
        jobs.sort(key=lambda j: (j.created_at or FROZEN_NOW, int(j.id)), reverse=True)
        return jobs[:max_jobs]

    async def poll_activity(self, cursor: ActivityCursor | None, *, include_progress: bool) -> ActivityPoll:
        self._count("poll")
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        if self.fail_polls is not None:
            raise self.fail_polls
        if self.auto_advance:
            for state in self.jobs.values():
                if state.job.status.is_active:
                    self.advance(state.job.id)
        active = tuple(s.job for s in self.jobs.values() if s.job.status.is_active or s.job.id in self.dirty)
        self.dirty.clear()
        return ActivityPoll(jobs=active, cursor=cursor or ActivityCursor(), complete=False)

    async def get_job(self, job_id: str) -> Job:
        return self._state(job_id).job

    async def get_job_detail(self, job_id: str) -> JobDetail:
        self._count("detail")
        state = self._state(job_id)
        job = state.job
        streams = _streams_for(job) if self.has_streams else ()
        return JobDetail(job=job, attempts=tuple(state.attempts), streams=streams, progress=job.progress)

    async def trigger(self, connection_id: str, job_type: str = "sync") -> TriggerResult:
        self._count("trigger")
        if self.read_only:  # the real providers refuse in the client too (the provider contract)
            raise ReadOnlyError("read-only session: triggering is disabled")
        self.triggers.append((connection_id, job_type))
        for state in self.jobs.values():
            if state.job.connection_id == connection_id and state.job.status.is_active:
                return TriggerResult(job=state.job, attached=True)
        self._next_id += 1
        now = self.clock()
        job = Job(
            provider=self.name,
            id=str(self._next_id),
            connection_id=connection_id,
            job_type=job_type,
            status=status_as(self.name, "pending"),
            created_at=now,
            updated_at=now,
        )
        self.jobs[job.id] = FakeJobState(job=job)
        return TriggerResult(job=job)

    async def cancel(self, job_id: str) -> Job:
        self._count("cancel")
        self.cancels.append(job_id)
        state = self._state(job_id)
        if not state.job.status.is_active:
            raise ConflictError(f"job {job_id} is not running")
        now = self.clock()
        state.job = state.job.model_copy(
            update={"status": status_as(self.name, "cancelled"), "ended_at": now, "updated_at": now, "progress": None}
        )
        return state.job

    async def fetch_attempt_log(self, job_id: str, attempt_number: int) -> AttemptLog:
        return AttemptLog(job_id=job_id, attempt_number=attempt_number, text_lines=("hello", "world"))

    def job_url(self, job: Job, attempt_number: int | None = None) -> str | None:
        suffix = f"#{job.id}::{attempt_number}" if attempt_number is not None else f"#{job.id}"
        return f"https://cloud.example.com/{self.name}/connections/{job.connection_id}/timeline{suffix}"

    def connection_url(self, connection_id: str) -> str | None:
        return f"https://cloud.example.com/{self.name}/connections/{connection_id}"

    # ---------------------------------------------------------- driving
    def _state(self, job_id: str) -> FakeJobState:
        try:
            return self.jobs[job_id]
        except KeyError:
            raise NotFoundError(f"job {job_id} not found") from None

    def advance(self, job_id: str) -> Job:
        """One step: pending → running (progress grows) → finish_status."""
        state = self._state(job_id)
        self.dirty.add(job_id)
        state.steps += 1
        now = self.clock()
        job = state.job
        if state.steps >= self.steps_to_finish:
            status = status_as(self.name, self.finish_status)
            failed = status.category.value == "failed"
            attempt = Attempt(
                number=len(state.attempts) - 1 if state.attempts else 0,
                status=status_as(self.name, "failed" if failed else "succeeded"),
                created_at=job.started_at or now,
                ended_at=now,
                records_committed=1200,
                failures=(FailureInfo(origin="source", type="config_error", message="Invalid credentials"),) if failed else (),
            )
            state.attempts = state.attempts[:-1] + [attempt] if state.attempts else [attempt]
            state.job = job.model_copy(
                update={
                    "status": status,
                    "ended_at": now,
                    "updated_at": now,
                    "records_synced": 1200,
                    "bytes_synced": 480_000,
                    "progress": None,
                    "error": "source · config_error: Invalid credentials" if failed else None,
                }
            )
            return state.job
        ratio = state.steps / self.steps_to_finish
        progress = Progress(ratio=ratio, basis="records", records_emitted=int(1200 * ratio), estimated_records=1200)
        if not state.attempts:
            state.attempts = [Attempt(number=0, status=airbyte_job_status("running"), created_at=now)]
        state.job = job.model_copy(
            update={
                "status": status_as(self.name, "running"),
                "started_at": job.started_at or now,
                "updated_at": now,
                "progress": progress,
            }
        )
        return state.job

    def set_job(self, job: Job, attempts: list[Attempt] | None = None) -> None:
        existing = self.jobs.get(job.id)
        self.dirty.add(job.id)
        self.jobs[job.id] = FakeJobState(
            job=job,
            steps=existing.steps if existing else 0,
            attempts=attempts if attempts is not None else (existing.attempts if existing else _default_attempts(job)),
        )


def _default_attempts(job: Job) -> list[Attempt]:
    if job.status.category.value == "pending":
        return []
    failed = job.status.category.value == "failed"
    return [
        Attempt(
            number=0,
            status=airbyte_job_status("failed" if failed else ("running" if job.status.is_active else "succeeded")),
            created_at=job.started_at or job.created_at,
            ended_at=job.ended_at,
            records_emitted=job.records_synced,
            records_committed=job.records_synced,
            bytes_committed=job.bytes_synced,
            failures=(FailureInfo(origin="destination", type="system_error", message=(job.error or "boom").split(": ", 1)[-1]),)
            if failed
            else (),
        )
    ]


def _streams_for(job: Job) -> tuple[StreamProgress, ...]:
    progress = job.progress
    ratio = progress.ratio if progress and progress.ratio is not None else (1.0 if job.status.is_terminal else 0.0)
    return (
        StreamProgress(
            name="users",
            namespace="public",
            records_emitted=int(800 * ratio),
            records_committed=int(800 * ratio),
            estimated_records=800,
            bytes_emitted=int(320_000 * ratio),
        ),
        StreamProgress(
            name="orders",
            namespace="public",
            records_emitted=int(400 * ratio),
            records_committed=int(400 * ratio),
            estimated_records=400,
            bytes_emitted=int(160_000 * ratio),
        ),
    )


# ----------------------------------------------------------------- worlds
def make_connections(provider: str, names: list[str]) -> list[Connection]:
    schedules = [
        Schedule(kind="basic", expression="every 1 hours"),
        Schedule(kind="cron", expression="0 0 */6 * * ?"),
        Schedule(kind="manual"),
        Schedule(kind="cron", expression="0 30 2 * * ?"),
    ]
    return [
        Connection(
            provider=provider,
            id=f"c{index:04d}",
            name=name,
            status="inactive" if index % 7 == 6 else "active",
            enabled=index % 7 != 6,
            schedule=schedules[index % len(schedules)],
            source=name.split(" → ")[0] if " → " in name else None,
            destination=name.split(" → ")[1] if " → " in name else None,
        )
        for index, name in enumerate(names)
    ]


DEMO_NAMES = [
    "Postgres → Snowflake",
    "Stripe → BigQuery",
    "Salesforce → Snowflake",
    "HubSpot → Redshift",
    "MySQL orders → S3",
    "Zendesk → BigQuery",
    "GitHub → Postgres",
    "[bold red]x[/] hostile\x1b[2J name",
]


def demo_world(provider: str = "airbyte") -> tuple[list[Connection], list[Job]]:
    """Eight connections with one job each in every interesting state."""
    connections = make_connections(provider, DEMO_NAMES)
    now = FROZEN_NOW
    specs = [
        ("succeeded", 3, 1_234_567, 45_000_000, None),
        ("failed", 12, 800, 120_000, "destination · system_error: BigQuery quota exceeded"),
        ("running", 2, None, None, None),
        ("incomplete", 30, 50, 4_000, None),
        ("cancelled", 60, 0, 0, None),
        ("pending", 1, None, None, None),
        ("hibernating", 5, None, None, None),  # unknown to this version → flagged "?"
    ]
    jobs: list[Job] = []
    for index, (status, minutes, records, nbytes, error) in enumerate(specs):
        created = now - timedelta(minutes=minutes + 4)
        job_status = airbyte_job_status(status)
        terminal = job_status.is_terminal
        progress = None
        if status == "running":
            progress = Progress(
                ratio=0.45,
                basis="records",
                records_emitted=12_000,
                records_committed=11_500,
                estimated_records=26_000,
                records_per_second=100.0,
                bytes_emitted=3_400_000,
            )
        jobs.append(
            Job(
                provider=provider,
                id=str(4800 + index),
                connection_id=connections[index].id,
                status=job_status,
                created_at=created,
                started_at=created + timedelta(seconds=5) if status != "pending" else None,
                updated_at=now - timedelta(minutes=minutes) if terminal else now,
                ended_at=now - timedelta(minutes=minutes) if terminal else None,
                duration=timedelta(minutes=4) if terminal else None,
                records_synced=records,
                bytes_synced=nbytes,
                progress=progress,
                error=error,
            )
        )
    return connections, jobs


def hightouch_world() -> tuple[list[Connection], list[Job]]:
    connections = make_connections("hightouch", ["Users model → Salesforce", "Accounts → HubSpot"])
    now = FROZEN_NOW
    jobs = [
        Job(
            provider="hightouch",
            id="901",
            connection_id=connections[0].id,
            status=provider_status("hightouch", "warning"),
            created_at=now - timedelta(minutes=20),
            started_at=now - timedelta(minutes=20),
            ended_at=now - timedelta(minutes=18),
            updated_at=now - timedelta(minutes=18),
            records_synced=152,  # successful rows: 2 of the 154 planned failed (hence warning)
            facts=(Fact(label="Query size", value="12,345 rows"),),
            row_breakdown=(
                RowBreakdown(label="planned", added=120, changed=30, removed=4),
                RowBreakdown(label="successful", added=118, changed=30, removed=4),
                RowBreakdown(label="failed", added=2),
            ),
            error=None,
        ),
        Job(
            provider="hightouch",
            id="902",
            connection_id=connections[1].id,
            status=provider_status("hightouch", "processing"),
            created_at=now - timedelta(minutes=1),
            started_at=now - timedelta(minutes=1),
            updated_at=now,
            progress=Progress(ratio=None),
        ),
    ]
    return connections, jobs


def api_down() -> Exception:
    return TransportError("cannot reach http://127.0.0.1:1/api: connection refused")


def api_broken() -> Exception:
    return ApiError("server answered 500: internal error")
