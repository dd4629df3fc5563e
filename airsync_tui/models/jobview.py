"""What each number and time of a job means: one derivation for every screen and the CLI.

Why this exists: the connection list, the recent-jobs table, the job panel's
header, its attempt rows and the CLI each used to pick their own count (sum
over attempts here, last attempt there, emitted elsewhere), their own
rounding of a ratio, and their own clock for a status transition. One job
then showed three record counts and a history that ran backwards. Every
caller now asks this module:

* `records_total(job)` — **records committed, all attempts** (label
  `RECORDS_LABEL`): the job's headline count everywhere.
* `attempt_records(attempt, job, current=...)` — one attempt's emitted /
  committed counts; the running attempt takes the job's live progress so the
  panel header and its attempt row agree in the same frame.
* `whole_percent(ratio)` — the one rounding for bars and text (floored: 100 %
  only when the work is complete).
* `transition_time(job, old, new)` — the server's time of a status change
  (startedAt / updatedAt / endedAt), never our own observation time.
* `status_history(job, observed)` — the transition line, in time order.
* `eta(...)` — from the *current* rate; none when the job is not moving.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from airsync_tui.models.domain import Attempt, Job, Progress
from airsync_tui.models.rate import STALL_DISPLAY_AFTER
from airsync_tui.models.status import JobStatus, StatusCategory

#: What `records_total` means, for labels and `--help`.
RECORDS_LABEL = "committed, all attempts"
#: The same count for a provider whose job is one try (no retries to add up).
SINGLE_TRY_RECORDS_LABEL = "committed"


def records_label(*, jobs_have_attempts: bool) -> str:
    """What `records_total` is called for this provider: "all attempts" only where retries exist."""
    return RECORDS_LABEL if jobs_have_attempts else SINGLE_TRY_RECORDS_LABEL


#: What an attempt row's / the live line's "this attempt" counts mean.
ATTEMPT_RECORDS_LABEL = "this attempt"
#: A running job whose counts have not grown for this long is "not moving":
#: no ETA, and the panel says "no progress for N min". Defined with the alert
#: threshold in `models/rate.py` (one notion, two thresholds).
STALL_AFTER = STALL_DISPLAY_AFTER


def whole_percent(ratio: float | None) -> int | None:
    """0–100, floored (a bar at 99.6 % must not read 100 % before it is done)."""
    if ratio is None or math.isnan(ratio):
        return None
    clamped = max(0.0, min(1.0, ratio))
    return 100 if clamped >= 1.0 else min(99, int(clamped * 100))


def percent_text(ratio: float | None) -> str:
    value = whole_percent(ratio)
    return "–" if value is None else f"{value}%"


def records_total(job: Job) -> int | None:
    """Records committed over all attempts (the server's aggregate).

    While the job runs the current attempt's live committed count is a lower
    bound of the total, so a list answer older than the live stats never shows
    less than the attempt row beside it.
    """
    total = job.records_synced
    live = job.progress.records_committed if job.progress is not None and job.status.is_active else None
    if total is None:
        return live
    return max(total, live) if live is not None else total


def bytes_total(job: Job) -> int | None:
    """Bytes committed over all attempts (same rule as `records_total`)."""
    total = job.bytes_synced
    live = job.progress.bytes_committed if job.progress is not None and job.status.is_active else None
    if total is None:
        return live
    return max(total, live) if live is not None else total


@dataclass(frozen=True)
class AttemptCounts:
    records_emitted: int | None
    records_committed: int | None
    bytes_emitted: int | None
    bytes_committed: int | None


def attempt_records(attempt: Attempt | None, job: Job, *, current: bool) -> AttemptCounts:
    """One attempt's counts; the job's running attempt reads the live progress."""
    progress = job.progress if job.status.is_active else None
    if attempt is None and progress is None:
        return AttemptCounts(None, None, None, None)
    if current and progress is not None and (attempt is None or attempt.status.is_active):
        # Live values first; a count the live stats lack comes from the attempt itself.
        def pick(live: int | None, own: int | None) -> int | None:
            return live if live is not None else own

        return AttemptCounts(
            pick(progress.records_emitted, attempt.records_emitted if attempt else None),
            pick(progress.records_committed, attempt.records_committed if attempt else None),
            pick(progress.bytes_emitted, attempt.bytes_emitted if attempt else None),
            pick(progress.bytes_committed, attempt.bytes_committed if attempt else None),
        )
    assert attempt is not None
    return AttemptCounts(
        attempt.records_emitted,
        attempt.records_committed,
        attempt.bytes_emitted,
        attempt.bytes_committed,
    )


def transition_time(job: Job, old: JobStatus | None, new: JobStatus) -> datetime | None:
    """The server's time of the change `old → new` (None when the API gives none)."""
    if new.is_terminal:
        moment = job.ended_at or job.updated_at
    elif new.category == StatusCategory.RUNNING and (old is None or old.category == StatusCategory.PENDING):
        moment = job.started_at or job.updated_at
    else:
        moment = job.updated_at
    if moment is not None and job.created_at is not None and moment < job.created_at:
        return job.created_at
    return moment


@dataclass(frozen=True)
class HistoryEntry:
    status: JobStatus | None
    label: str
    at: datetime | None


def status_history(job: Job, observed: list[HistoryEntry]) -> list[HistoryEntry]:
    """created → running → … → terminal, from the job's own timestamps and observed changes, in time order."""
    entries: list[HistoryEntry] = []
    if job.created_at is not None:
        entries.append(HistoryEntry(None, "created", job.created_at))
    labels = {entry.label for entry in observed}
    if job.started_at is not None and job.status.category != StatusCategory.PENDING and "running" not in labels:
        entries.append(HistoryEntry(None, "running", job.started_at))
    entries.extend(observed)
    if job.status.is_terminal and job.status.label not in labels:
        entries.append(HistoryEntry(job.status, job.status.label, job.ended_at or job.updated_at))
    elif not observed and job.status.raw != "running" and not job.status.is_terminal:
        # The current state (pending, processing…) without a known start: `updated_at` is when the job was
        # last touched, which moves on every progress update, so it would claim the state began just now.
        entries.append(HistoryEntry(job.status, job.status.label, None))
    # Nothing happens before creation: clamp first (a client-stamped time may lag
    # the server), then a stable sort by time; an entry without a time keeps its
    # place after the one before it.
    created = job.created_at
    keyed: list[tuple[float, int, HistoryEntry]] = []
    previous = float("-inf")
    for index, entry in enumerate(entries):
        at = entry.at
        if at is not None and created is not None and at < created:
            at = created
            entry = HistoryEntry(entry.status, entry.label, at)
        if at is not None:
            previous = at.timestamp()
        keyed.append((previous, index, entry))
    keyed.sort(key=lambda item: (item[0], item[1]))
    ordered = [entry for _, _, entry in keyed]
    return ordered


def eta(
    progress: Progress | None,
    elapsed: timedelta | None,
    *,
    records_per_second: float | None = None,
    no_progress_for: timedelta | None = None,
) -> timedelta | None:
    """Time left: remaining records at the *current* rate, else the lifetime extrapolation.

    None when the job has not moved for `STALL_AFTER` (an ETA would be a lie)
    or when nothing estimates the total.
    """
    if progress is None or progress.ratio is None:
        return None
    if no_progress_for is not None and no_progress_for >= STALL_AFTER:
        return None
    if progress.ratio >= 1:
        return timedelta(0)
    if records_per_second and records_per_second > 0 and progress.estimated_records and progress.records_emitted is not None:
        remaining = max(progress.estimated_records - progress.records_emitted, 0)
        return timedelta(seconds=remaining / records_per_second)
    if progress.ratio > 0 and elapsed is not None and elapsed.total_seconds() > 0:
        seconds = elapsed.total_seconds()
        return timedelta(seconds=seconds / progress.ratio * (1 - progress.ratio))
    return None


def is_stalled(no_progress_for: timedelta | None) -> bool:
    return no_progress_for is not None and no_progress_for >= STALL_AFTER


__all__ = [
    "ATTEMPT_RECORDS_LABEL",
    "RECORDS_LABEL",
    "SINGLE_TRY_RECORDS_LABEL",
    "records_label",
    "STALL_AFTER",
    "AttemptCounts",
    "HistoryEntry",
    "attempt_records",
    "bytes_total",
    "eta",
    "is_stalled",
    "percent_text",
    "records_total",
    "status_history",
    "transition_time",
    "whole_percent",
]
