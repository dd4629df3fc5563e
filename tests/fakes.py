"""An in-memory provider for watcher and CLI unit tests (no HTTP).

Integration tests use the real emulator over HTTP; this fake exists to pin
down watcher semantics (diffing, pacing, constant cost) precisely.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from airsync_tui.errors import ConflictError, NotFoundError, ReadOnlyError
from airsync_tui.models.domain import Connection, Job, JobDetail, Workspace
from airsync_tui.models.status import JobStatus
from airsync_tui.providers import registry
from airsync_tui.providers.base import (
    ActivityCursor,
    ActivityPoll,
    AttemptLog,
    JobTypeOption,
    ProviderCapabilities,
    TriggerResult,
)
from airsync_tui.providers.http import HttpSignal, RequestStats

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class FakeProvider:
    name = "airbyte"
    display_name = "Airbyte"
    capabilities = ProviderCapabilities(
        job_types=(
            JobTypeOption("sync", "Sync", "Sync new data"),
            JobTypeOption("refresh", "Refresh", "", available=False, unavailable_reason="not on the public API"),
        )
    )

    def __init__(self, connections: int = 3, *, read_only: bool = False) -> None:
        self.read_only = read_only
        self.stats = RequestStats()
        self.calls: list[str] = []
        self.listeners: list[Callable[[HttpSignal], None]] = []
        self.connections = [Connection(provider=self.name, id=f"c{i}", name=f"Conn {i}") for i in range(connections)]
        self.jobs: dict[str, Job] = {}
        self._ids = itertools.count(100)
        self.fail_next: list[Exception] = []
        self.complete = True

    # helpers for tests
    def add_job(self, connection_id: str, status: str = "running", **kw: object) -> Job:
        job_id = str(next(self._ids))
        job = Job(
            provider=self.name,
            id=job_id,
            connection_id=connection_id,
            status=self._status(status),
            created_at=T0 + timedelta(seconds=int(job_id)),
            **kw,  # type: ignore[arg-type]
        )
        self.jobs[job_id] = job
        return job

    def _status(self, raw: str) -> JobStatus:
        """`raw` classified by the registered spec this fake poses as (what a real provider's mapping does)."""
        spec = registry.spec(self.name)
        assert spec is not None, f"no registered provider {self.name!r}"
        return spec.classify(raw)

    def set_status(self, job_id: str, status: str, **kw: object) -> None:
        self.jobs[job_id] = self.jobs[job_id].model_copy(update={"status": self._status(status), **kw})

    def _call(self, name: str) -> None:
        self.calls.append(name)
        self.stats.requests += 1
        if self.fail_next:
            raise self.fail_next.pop(0)

    # protocol
    def add_health_listener(self, listener: Callable[[HttpSignal], None]) -> None:
        self.listeners.append(listener)

    async def aclose(self) -> None:
        pass

    async def check(self) -> None:
        self._call("check")

    async def list_workspaces(self) -> list[Workspace]:
        return [Workspace(provider=self.name, id="w", name="W")]

    async def list_connections(self) -> list[Connection]:
        self._call("list_connections")
        return list(self.connections)

    async def get_connection(self, connection_id: str) -> Connection:
        self._call("get_connection")
        for c in self.connections:
            if c.id == connection_id:
                return c
        raise NotFoundError(f"connection {connection_id} not found")

    async def list_jobs(self, connection_id: str, *, limit: int = 20, offset: int = 0) -> list[Job]:
        self._call("list_jobs")
        jobs = sorted((j for j in self.jobs.values() if j.connection_id == connection_id), key=lambda j: -int(j.id))
        return jobs[offset : offset + limit]

    async def recent_jobs(self, *, max_jobs: int = 500) -> list[Job]:
        self._call("recent_jobs")
        return sorted(self.jobs.values(), key=lambda j: -int(j.id))[:max_jobs]

    async def poll_activity(self, cursor: ActivityCursor | None, *, include_progress: bool) -> ActivityPoll:
        self._call("poll_activity")
        active = [j for j in self.jobs.values() if j.status.is_active]
        return ActivityPoll(jobs=tuple(active), cursor=cursor or ActivityCursor(), complete=self.complete)

    async def get_job(self, job_id: str) -> Job:
        self._call("get_job")
        if job_id not in self.jobs:
            raise NotFoundError(f"job {job_id} not found")
        return self.jobs[job_id]

    async def get_job_detail(self, job_id: str) -> JobDetail:
        self._call("get_job_detail")
        return JobDetail(job=await self.get_job(job_id))

    async def trigger(self, connection_id: str, job_type: str = "sync") -> TriggerResult:
        if self.read_only:
            raise ReadOnlyError("read-only session: triggering is disabled")
        self._call("trigger")
        running = [j for j in self.jobs.values() if j.connection_id == connection_id and j.status.is_active]
        if running:
            return TriggerResult(job=running[0], attached=True)
        return TriggerResult(job=self.add_job(connection_id, "pending", job_type=job_type))

    async def cancel(self, job_id: str) -> Job:
        if self.read_only:
            raise ReadOnlyError("read-only session: cancelling is disabled")
        self._call("cancel")
        job = self.jobs[job_id]
        if job.status.is_terminal:
            raise ConflictError("Job is not currently running")
        self.set_status(job_id, "cancelled")
        return self.jobs[job_id]

    async def fetch_attempt_log(self, job_id: str, attempt_number: int) -> AttemptLog:
        return AttemptLog(job_id=job_id, attempt_number=attempt_number, text_lines=("hello",))

    def job_url(self, job: Job, attempt_number: int | None = None) -> str | None:
        return None

    def connection_url(self, connection_id: str) -> str | None:
        return None
