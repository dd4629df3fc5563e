"""PyAirbyte-parity library API: `SyncResult` and `SyncAttempt`, async.

Mirrors `airbyte.cloud.sync_results` (job_id, job_url, start_time,
records_synced, bytes_synced, get_job_status, is_job_complete,
wait_for_completion, get_attempts, stream_names, get_full_log_text) with the
fixes PyAirbyte lacks:

* `job_url` is the direct per-attempt link, not the connection timeline;
* `queued` (and any future status) keeps the wait going instead of raising;
* a transient error while waiting (timeout, 5xx, 429) does not fail the wait —
  only the deadline or a terminal status ends it (prefect-airbyte#64);
* optional `cancel_on_timeout`, so a give-up does not leave a job running
  (apache/airflow#36070).

Being async, properties read the last fetched job: call `await refresh()`
(done for you by `run_sync`, `get_sync_result` and every status call).
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from airsync_tui.errors import ApiError, AuthError, JobFailedError, NotFoundError, SyncTimeoutError
from airsync_tui.models.domain import Connection, Job
from airsync_tui.models.status import JobStatus, StatusCategory
from airsync_tui.models.timeparse import parse_time
from airsync_tui.providers.airbyte.provider import AirbyteProvider
from airsync_tui.providers.airbyte.sync_result_sql import SyncResultSqlMixin
from airsync_tui.providers.waiting import wait_until_terminal

DEFAULT_SYNC_TIMEOUT_SECONDS = 30 * 60
DEFAULT_POLL_INTERVAL = 2.0
FAILED_CATEGORIES = frozenset({StatusCategory.FAILED, StatusCategory.CANCELLED})


@dataclass
class SyncAttempt:
    """One attempt of a job, from config `jobs/get` (PyAirbyte's source)."""

    job_id: int
    attempt_number: int
    _attempt_data: dict[str, Any] = field(repr=False)

    @property
    def _attempt(self) -> dict[str, Any]:
        return self._attempt_data.get("attempt") or {}

    @property
    def attempt_id(self) -> int:
        return int(self._attempt.get("id", self.attempt_number))

    @property
    def status(self) -> str:
        return str(self._attempt.get("status", ""))

    @property
    def bytes_synced(self) -> int:
        return int(self._attempt.get("bytesSynced") or 0)

    @property
    def records_synced(self) -> int:
        return int(self._attempt.get("recordsSynced") or 0)

    @property
    def created_at(self) -> datetime | None:
        """Config API attempt times are epoch SECONDS."""
        return parse_time(self._attempt.get("createdAt"), epoch_unit="s")

    def get_full_log_text(self) -> str:
        """The attempt's log exactly as PyAirbyte renders it.

        Structured: `[{timestamp}] {level}: {message}` per event, the raw
        epoch-ms number and the raw lower-case level. Legacy: `logLines` as-is
        (ANSI codes included). `logType` is ignored; no logs → "".
        """
        logs = self._attempt_data.get("logs")
        if not isinstance(logs, dict):
            return ""
        if "events" in logs:
            lines = []
            for event in logs.get("events") or []:
                if not isinstance(event, dict):
                    continue
                lines.append(f"[{event.get('timestamp', '')}] {event.get('level', 'INFO')}: {event.get('message', '')}")
            return "\n".join(lines)
        if "logLines" in logs:
            return "\n".join(str(line) for line in logs.get("logLines") or [])
        return ""


class SyncResult(SyncResultSqlMixin):
    """A job's status, counts, attempts and logs (PyAirbyte's `SyncResult`, async); SQL access from the mixin."""

    def __init__(self, provider: AirbyteProvider, job_id: int | str, *, connection_id: str | None = None, job: Job | None = None) -> None:
        self.provider = provider
        self.job_id = int(job_id)
        self.connection_id = connection_id or (job.connection_id if job else None)
        self._latest_job: Job | None = job
        self._connection: Connection | None = None
        self._job_with_attempts: dict[str, Any] | None = None

    def __repr__(self) -> str:
        status = self._latest_job.status.raw if self._latest_job else "?"
        return f"SyncResult(job_id={self.job_id}, status={status})"

    # -- fetching

    async def refresh(self) -> Job:
        """Fetch the job (cached once it is final, like PyAirbyte)."""
        if self._latest_job is not None and self._latest_job.status.is_terminal:
            return self._latest_job
        job = await self.provider.get_job(str(self.job_id))
        self._latest_job = job
        self.connection_id = self.connection_id or job.connection_id
        return job

    async def get_job_status(self) -> JobStatus:
        """The job's status; an unknown word is kept and flagged (`status.known is False`)."""
        return (await self.refresh()).status

    async def is_job_complete(self) -> bool:
        return (await self.get_job_status()).is_terminal

    async def raise_failure_status(self, *, refresh_status: bool = False) -> None:
        job = await self.refresh() if (refresh_status or self._latest_job is None) else self._latest_job
        if job.status.category in FAILED_CATEGORIES:
            raise JobFailedError(
                f"Airbyte job {self.job_id} ended {job.status.label}{': ' + job.error if job.error else ''}",
                hint=self.job_url or None,
            )

    async def wait_for_completion(
        self,
        *,
        wait_timeout: float = DEFAULT_SYNC_TIMEOUT_SECONDS,
        raise_timeout: bool = True,
        raise_failure: bool = False,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        cancel_on_timeout: bool = False,
    ) -> JobStatus:
        """Poll until the job is final or `wait_timeout` (seconds) passes.

        Only `succeeded`, `failed` and `cancelled` end the wait; `pending`,
        `queued`, `running`, `incomplete` (retrying) and unknown words keep it
        going. Transient errors are tolerated until the deadline; auth and
        not-found errors are not (they will not fix themselves).
        """
        deadline = time.monotonic() + wait_timeout
        last_error: ApiError | None = None

        async def poll() -> Job | None:
            nonlocal last_error
            try:
                job = await self.refresh()
            except (AuthError, NotFoundError):
                raise  # they will not fix themselves
            except ApiError as exc:
                last_error = exc
                return None
            last_error = None
            return job

        async def next_poll(limit: float | None) -> Job | None:
            delay = poll_interval * (1 + random.uniform(-0.1, 0.1))
            await asyncio.sleep(max(0.0, delay if limit is None else min(delay, limit)))
            return await poll()

        # The shared loop (`providers.waiting`, also behind `airsync sync --wait`), one poll per step.
        job = await wait_until_terminal(next_poll, await poll(), deadline, step=None)
        status = job.status if job is not None else None
        if status is not None and status.is_terminal:
            if raise_failure and status.category in FAILED_CATEGORIES:
                await self.raise_failure_status()
            return status
        if cancel_on_timeout:
            try:
                await self.provider.cancel(str(self.job_id))
            except ApiError:
                pass
        if raise_timeout or status is None:
            detail = f" (last error: {last_error.message})" if last_error else ""
            raise SyncTimeoutError(
                f"Airbyte job {self.job_id} still {status.label if status else 'unknown'} after {wait_timeout:g} s{detail}",
                hint="raise the timeout, or attach to it with `airsync sync <connection> --wait`"
                + ("; a cancel was requested" if cancel_on_timeout else ""),
            )
        return status

    # -- cached views (call refresh() first)

    @property
    def job_url(self) -> str:
        """Direct link to the job's latest attempt in the web UI (PyAirbyte only links the timeline)."""
        job = self._latest_job or Job(
            provider="airbyte", id=str(self.job_id), connection_id=self.connection_id or "", status=JobStatus.classify("", {})
        )
        attempt = None
        if self._job_with_attempts is not None:
            attempts = self._job_with_attempts.get("attempts") or []
            attempt = len(attempts) - 1 if attempts else None
        return self.provider.job_url(job, attempt) or ""

    @property
    def start_time(self) -> datetime | None:
        return self._latest_job.created_at if self._latest_job else None

    @property
    def records_synced(self) -> int:
        return (self._latest_job.records_synced or 0) if self._latest_job else 0

    @property
    def bytes_synced(self) -> int:
        return (self._latest_job.bytes_synced or 0) if self._latest_job else 0

    async def get_connection(self) -> Connection:
        if self._connection is None:
            if not self.connection_id:
                await self.refresh()
            self._connection = await self.provider.get_connection(self.connection_id or "")
        return self._connection

    @property
    def stream_names(self) -> list[str]:
        """Stream names of the connection (after `await get_connection()`, or [] )."""
        return list(self._connection.streams) if self._connection else []

    async def get_stream_names(self) -> list[str]:
        return list((await self.get_connection()).streams)

    async def get_attempts(self, *, force_refresh: bool = False) -> list[SyncAttempt]:
        """Attempts with logs from config `jobs/get` (one call, cached once the job is final)."""
        if self._job_with_attempts is None or force_refresh or not (self._latest_job and self._latest_job.status.is_terminal):
            self._job_with_attempts = await self.provider.client.config_get_job_raw(self.job_id)
        attempts = self._job_with_attempts.get("attempts") or []
        return [SyncAttempt(self.job_id, i, a) for i, a in enumerate(attempts) if isinstance(a, dict)]


async def run_sync(
    provider: AirbyteProvider,
    connection_id: str,
    *,
    wait: bool = True,
    wait_timeout: float = 300,
    poll_interval: float = DEFAULT_POLL_INTERVAL,
) -> SyncResult:
    """`CloudConnection.run_sync` parity: start (or attach to) a sync, optionally wait, raise on failure."""
    result = await provider.trigger(connection_id, "sync")
    sync = SyncResult(provider, result.job.id, connection_id=connection_id, job=result.job)
    if wait:
        await sync.wait_for_completion(wait_timeout=wait_timeout, raise_failure=True, raise_timeout=True, poll_interval=poll_interval)
    return sync


async def get_sync_result(provider: AirbyteProvider, connection_id: str, job_id: int | str | None = None) -> SyncResult | None:
    """The given job, or the connection's latest one (None if it has never run)."""
    if job_id is not None:
        result = SyncResult(provider, job_id, connection_id=connection_id)
        await result.refresh()
        return result
    jobs = await provider.list_jobs(connection_id, limit=1)
    if not jobs:
        return None
    return SyncResult(provider, jobs[0].id, connection_id=connection_id, job=jobs[0])


__all__ = ["DEFAULT_SYNC_TIMEOUT_SECONDS", "SyncAttempt", "SyncResult", "get_sync_result", "run_sync"]
