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

from airsync_tui.errors import AirsyncError
from airsync_tui.models.domain import Job
from airsync_tui.providers.waiting import wait_until_terminal
from airsync_tui.service.events import Event, JobDetailUpdated, JobStatusChanged
from airsync_tui.service.subscription import Subscription
from airsync_tui.service.watcher import Watcher

CANCEL_GRACE_SECONDS = 60.0
OnEvent = Callable[[Event, Job], None]


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
    try:
        result = await watcher.trigger(connection_key, job_type)
        job = result.job
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
            current = watcher.jobs.get(job.key, job)
            if cancel_on_timeout:
                cancelled = await _cancel_quietly(watcher, current)
                return SyncOutcome(
                    job=cancelled, attached=result.attached, waited=True, interrupted=True, cancel_requested=True,
                    message=f"interrupted: cancel requested for job {current.id}",
                )
            return SyncOutcome(
                job=current, attached=result.attached, waited=True, interrupted=True,
                message=f"interrupted: job {current.id} keeps running on the server",
            )
        if job.status.is_terminal:
            return SyncOutcome(job=job, attached=result.attached, waited=True, message=result.message)
        if cancel_on_timeout:
            cancelled = await _cancel_quietly(watcher, job)
            final = await _settle_after_cancel(watcher, subscription, cancelled, on_event)
            return SyncOutcome(
                job=final, attached=result.attached, waited=True, timed_out=True, cancel_requested=True,
                message=f"timed out after {timeout:g} s: cancel requested for job {job.id} (now {final.status.label})",
            )
        return SyncOutcome(
            job=job, attached=result.attached, waited=True, timed_out=True,
            message=f"timed out after {timeout:g} s: job {job.id} is {job.status.label} and keeps running on the server",
        )
    finally:
        subscription.close()


async def _wait_terminal(
    watcher: Watcher, subscription: Subscription, job: Job, deadline: float | None, on_event: OnEvent | None
) -> Job:
    """The shared loop (`providers.waiting`), one watcher event per step."""
    key = job.key

    async def next_event(limit: float | None) -> Job:
        event = await subscription.get(timeout=limit)
        if event is not None:
            relevant = _job_of(event)
            about_job = (relevant is not None and relevant.key == key) or getattr(event, "job_key", None) == key
            if about_job and on_event is not None:
                on_event(event, watcher.jobs.get(key, relevant or job))
        return watcher.jobs.get(key, job)

    final = await wait_until_terminal(next_event, watcher.jobs.get(key, job), deadline, step=1.0)
    return final if final is not None else job


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
        return watcher.jobs.get(job.key, job)


async def _settle_after_cancel(watcher: Watcher, subscription: Subscription, job: Job, on_event: OnEvent | None) -> Job:
    """Cancel is asynchronous server-side: wait (bounded) to report the final status."""
    deadline = time.monotonic() + CANCEL_GRACE_SECONDS
    return await _wait_terminal(watcher, subscription, job, deadline, on_event)
