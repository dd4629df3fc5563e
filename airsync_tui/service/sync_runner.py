"""Trigger a job and wait for it: the seed Arazzo workflow `trigger-sync-and-poll`.

Steps: createJob (never twice: the provider attaches to an already-running
job on 409 or an ambiguous failure), then poll the job until its status is
terminal. Unlike the orchestrator peers (trigger-and-poll-peers.md) it
treats `queued`/`incomplete`/unknown values as still running, keeps polling
through transient errors until the deadline, and cancels on timeout or Ctrl-C
only when asked (`cancel_on_timeout`), saying so either way.

It runs on the shared `Watcher` in follow-only mode, so the CLI sees the same
typed events as the dashboard.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from airsync_tui.errors import AirsyncError, ApiError, SyncTimeoutError
from airsync_tui.models.domain import Job
from airsync_tui.providers.base import TriggerResult
from airsync_tui.providers.waiting import wait_until_terminal
from airsync_tui.service.events import ApiHealthChanged, Event, JobDetailUpdated, JobStatusChanged
from airsync_tui.service.subscription import Subscription
from airsync_tui.service.watcher import Watcher

CANCEL_GRACE_SECONDS = 60.0
#: How long Ctrl-C waits for a trigger already sent, to report (and cancel) its job.
TRIGGER_GRACE_SECONDS = 10.0
#: Consecutive permanent re-read failures (gone, credentials rejected, unreadable) that end a wait.
PERMANENT_FAILURES = 3
OnEvent = Callable[[Event, Job], None]


class InterruptedDuringTrigger(AirsyncError):
    """Ctrl-C arrived while the trigger was in flight; the message says what became of the job."""

    exit_code = 130


@dataclass(frozen=True)
class SyncOutcome:
    """How a trigger-and-wait ended."""

    job: Job
    attached: bool = False
    waited: bool = False
    timed_out: bool = False
    interrupted: bool = False
    cancel_requested: bool = False
    message: str = ""

    @property
    def finished(self) -> bool:
        return self.job.status.is_terminal


async def trigger_and_wait(
    watcher: Watcher,
    connection_key: str,
    *,
    job_type: str = "sync",
    wait: bool = True,
    timeout: float | None = None,
    cancel_on_timeout: bool = False,
    on_event: Callable[[Event, Job], None] | None = None,
    on_started: Callable[[Job, bool], None] | None = None,
) -> SyncOutcome:
    """Run the workflow; returns the outcome (never raises for a failed job)."""
    subscription = watcher.subscribe()
    await watcher.start()
    started = time.monotonic()
    requested = timeout
    try:
        result = await _trigger_bounded(watcher, connection_key, job_type, timeout, cancel_on_timeout)
        job = result.job
        if timeout is not None:
            timeout = max(0.0, timeout - (time.monotonic() - started))  # --timeout bounds the whole command
        if on_started is not None:
            on_started(job, result.attached)
        if not wait or job.status.is_terminal:
            return SyncOutcome(job=job, attached=result.attached, waited=wait, message=result.message)
        watcher.follow_job(job.key)
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            job = await _wait_terminal(watcher, subscription, job, deadline, on_event)
        except asyncio.CancelledError:
            # Ctrl-C: asyncio.run cancels us; decide the job's fate, then report.
            current = watcher.store.jobs.get(job.key, job)
            if cancel_on_timeout:
                cancelled = await _cancel_quietly(watcher, current)
                return SyncOutcome(
                    job=cancelled,
                    attached=result.attached,
                    waited=True,
                    interrupted=True,
                    cancel_requested=True,
                    message=f"interrupted: cancel requested for job {current.id}",
                )
            return SyncOutcome(
                job=current,
                attached=result.attached,
                waited=True,
                interrupted=True,
                message=f"interrupted: job {current.id} keeps running on the server",
            )
        if job.status.is_terminal:
            return SyncOutcome(job=job, attached=result.attached, waited=True, message=result.message)
        if cancel_on_timeout:
            cancelled = await _cancel_quietly(watcher, job)
            final = await _settle_after_cancel(watcher, subscription, cancelled, on_event)
            return SyncOutcome(
                job=final,
                attached=result.attached,
                waited=True,
                timed_out=True,
                cancel_requested=True,
                message=f"timed out after {requested or 0:g} s: cancel requested for job {job.id} (now {final.status.label})",
            )
        return SyncOutcome(
            job=job,
            attached=result.attached,
            waited=True,
            timed_out=True,
            message=f"timed out after {requested or 0:g} s: job {job.id} is {job.status.label} and keeps running on the server",
        )
    finally:
        subscription.close()


async def _wait_terminal(watcher: Watcher, subscription: Subscription, job: Job, deadline: float | None, on_event: OnEvent | None) -> Job:
    """The shared loop (`providers.waiting`), one watcher event per step.

    A followed job whose re-read keeps failing for good (gone, credentials
    rejected, unreadable) ends the wait with that error instead of waiting
    forever; API-health changes of the job's provider reach `on_event`, so
    "retrying in 8 s: 503 from …" is shown, not silent.
    """
    key = job.key

    async def next_event(limit: float | None) -> Job:
        failure = watcher.store.follow_failures.get(key)
        if failure is not None and failure[1] >= PERMANENT_FAILURES:
            raise _as_error(watcher.store.jobs.get(key, job), failure[0])
        event = await subscription.get(timeout=limit)
        if event is not None:
            relevant = _job_of(event)
            about_job = (relevant is not None and relevant.key == key) or getattr(event, "job_key", None) == key
            if isinstance(event, ApiHealthChanged) and event.provider == job.provider:
                about_job = True
            if about_job and on_event is not None:
                on_event(event, watcher.store.jobs.get(key, relevant or job))
        return watcher.store.jobs.get(key, job)

    final = await wait_until_terminal(next_event, watcher.store.jobs.get(key, job), deadline, step=1.0)
    return final if final is not None else job


async def _trigger_bounded(
    watcher: Watcher, connection_key: str, job_type: str, timeout: float | None, cancel_on_timeout: bool
) -> TriggerResult:
    """The trigger, inside `--timeout`, and never abandoned half-way by Ctrl-C.

    The trigger runs as its own task: on Ctrl-C we still wait (briefly) for
    its answer, so a created job is reported — and cancelled when asked —
    instead of being left running unreported.
    """
    task = asyncio.ensure_future(watcher.trigger(connection_key, job_type))
    try:
        return await asyncio.wait_for(asyncio.shield(task), timeout=timeout)
    except TimeoutError:
        task.cancel()
        raise SyncTimeoutError(
            f"timed out after {timeout:g} s while starting the job; it may have started on the server",
            hint="check the connection's jobs (airsync jobs CONNECTION) before triggering again",
        ) from None
    except asyncio.CancelledError:
        try:
            result = await asyncio.wait_for(task, timeout=TRIGGER_GRACE_SECONDS)
        except (TimeoutError, asyncio.CancelledError, AirsyncError):
            raise asyncio.CancelledError() from None
        if cancel_on_timeout and not result.job.status.is_terminal:
            await _cancel_quietly(watcher, result.job)
            raise InterruptedDuringTrigger(f"interrupted: cancel requested for job {result.job.id}") from None
        raise InterruptedDuringTrigger(f"interrupted: job {result.job.id} was started and keeps running on the server") from None


def _as_error(job: Job, exc: BaseException) -> AirsyncError:
    """A permanent failure to re-read the job, as one line (exit 2)."""
    if isinstance(exc, AirsyncError):
        hint = exc.hint
        return ApiError(f"stopped waiting for job {job.id}: {exc.message}", hint=hint)
    detail = " ".join(str(exc).split())[:200]
    return ApiError(
        f"stopped waiting for job {job.id}: its answers cannot be read ({type(exc).__name__}: {detail})",
        hint="check the job in the provider's UI",
    )


def _job_of(event: Event) -> Job | None:
    if isinstance(event, JobStatusChanged):
        return event.job
    if isinstance(event, JobDetailUpdated):
        return event.detail.job
    job = getattr(event, "job", None)
    return job if isinstance(job, Job) else None


async def _cancel_quietly(watcher: Watcher, job: Job) -> Job:
    try:
        return await asyncio.shield(watcher.cancel(job.key))
    except AirsyncError:
        return watcher.store.jobs.get(job.key, job)


async def _settle_after_cancel(watcher: Watcher, subscription: Subscription, job: Job, on_event: OnEvent | None) -> Job:
    """Cancel is asynchronous server-side: wait (bounded) to report the final status."""
    deadline = time.monotonic() + CANCEL_GRACE_SECONDS
    return await _wait_terminal(watcher, subscription, job, deadline, on_event)
