"""The one "recent jobs, newest first" ordering.

Every list of jobs shown or merged (the watcher's latest job per connection, the
job screen's recent list, `airsync jobs`, a provider's recent jobs) orders by
this key, so two views of the same jobs never disagree about which is newest.
Newest = latest `created_at`; equal (or missing) times fall back to the id,
compared as a number-like string (Airbyte and Hightouch ids are numeric).
"""

from __future__ import annotations

from collections.abc import Iterable

from airsync_tui.models.domain import Job


def job_age_key(job: Job) -> tuple[float, str]:
    """Ascending sort key: oldest first, newest last (ties broken by the id)."""
    created = job.created_at.timestamp() if job.created_at else 0.0
    return (created, job.id.rjust(20, "0"))


def newest_first(jobs: Iterable[Job]) -> list[Job]:
    """The jobs, newest first."""
    return sorted(jobs, key=job_age_key, reverse=True)


def newest(jobs: Iterable[Job]) -> Job | None:
    """The newest of the jobs (None when there are none)."""
    return max(jobs, key=job_age_key, default=None)


def is_newer(job: Job, than: Job) -> bool:
    """True when `job` sorts strictly before `than` in a newest-first list."""
    return job_age_key(job) > job_age_key(than)


__all__ = ["is_newer", "job_age_key", "newest", "newest_first"]
