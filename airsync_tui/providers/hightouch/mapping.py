"""Hightouch wire models -> neutral domain models (Connection, Job, JobDetail).

Pure functions, no I/O, so every mapping rule is unit-testable:

* Sync -> Connection: the API has no sync name, so a readable one is derived
  from the slug (`customers-to-salesforce` -> `customers → salesforce`).
* SyncRun -> Job: `Job.id = str(run.id)` (the run's own number; see
  provider.py for why), status through `hightouch_run_status` (unknown values
  stay in progress and flagged), records = successful rows, progress only
  while the run is active (a finished run's `completionRatio` may say 0.54 on
  a success), and Hightouch-only data as `row_breakdown` and `facts`.
* A run has no attempts and no log text: the detail gets ONE pseudo-attempt
  (number 0) so the attempt table is never empty, and the "log" is a summary.
"""

from __future__ import annotations

from datetime import datetime, timedelta

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
)
from airsync_tui.models.jobview import percent_text
from airsync_tui.models.progress import compute_progress
from airsync_tui.models.timeparse import format_iso
from airsync_tui.providers.hightouch.statuses import hightouch_run_status
from airsync_tui.providers.hightouch.wire import RowCounts, Sync, SyncRun, SyncSchedule
from airsync_tui.textfmt import counted
from airsync_tui.textfmt import duration as format_duration

PROVIDER = "hightouch"
_SLUG_JOIN = "-to-"


def sync_display_name(sync: Sync) -> str:
    """A human name: the API's `name` if it ever sends one, else the slug made readable."""
    if sync.name and sync.name.strip():
        return sync.name.strip()
    slug = sync.slug.strip()
    if not slug:
        return f"sync {sync.id}"
    if _SLUG_JOIN in slug:
        model, _, destination = slug.partition(_SLUG_JOIN)
        if model and destination:
            return f"{model} → {destination}"
    return slug


def _slug_parts(sync: Sync) -> tuple[str | None, str | None]:
    if _SLUG_JOIN in sync.slug:
        model, _, destination = sync.slug.partition(_SLUG_JOIN)
        return (model or None, destination or None)
    return (None, None)


def map_schedule(schedule: SyncSchedule | None) -> Schedule:
    """interval -> `Every N UNIT`; cron -> the expression; none -> manual; anything else kept by type."""
    if schedule is None:
        return Schedule(kind="manual")
    kind = schedule.type.strip().lower() or "unknown"
    if kind == "interval":
        interval = schedule.interval()
        if interval is not None and interval.quantity > 0 and interval.unit:
            return Schedule(kind="interval", expression=f"Every {interval.quantity} {interval.unit.upper()}")
        return Schedule(kind="interval")
    if kind == "cron":
        return Schedule(kind="cron", expression=schedule.cron_expression())
    # visual_cron, dbt, or a future type: name the type, keep any expression.
    return Schedule(kind=kind, expression=schedule.cron_expression())


def map_sync(sync: Sync, *, web_url: str | None = None) -> Connection:
    model, destination = _slug_parts(sync)
    return Connection(
        provider=PROVIDER,
        id=str(sync.id),
        name=sync_display_name(sync),
        workspace_id=sync.workspace_id,
        status="disabled" if sync.disabled else "active",
        enabled=not sync.disabled,
        schedule=map_schedule(sync.schedule),
        source=f"model {model}" if model else (f"model {sync.model_id}" if sync.model_id else None),
        destination=destination or (f"destination {sync.destination_id}" if sync.destination_id else None),
        web_url=web_url,
        created_at=sync.created_at,
    )


def _breakdown(label: str, rows: RowCounts) -> RowBreakdown:
    return RowBreakdown(label=label, added=rows.added_count, changed=rows.changed_count, removed=rows.removed_count)


def queue_wait(run: SyncRun) -> timedelta | None:
    """`startedAt - createdAt`: how long the run waited behind another run (or for a worker)."""
    if run.started_at is None:
        return None
    return max(run.started_at - run.created_at, timedelta(0))


def _format_seconds(delta: timedelta) -> str:
    """The one duration format (`textfmt.duration`): the run summary said "41s" where the panel said "40s"."""
    return format_duration(delta)


def run_facts(run: SyncRun) -> tuple[Fact, ...]:
    facts = [
        Fact(label="Query size", value=f"{run.query_size:,} rows"),
        # The same rounding as the progress bar (floored): the bar read 72 % beside "73 %" here.
        Fact(label="Completion ratio", value=f"{percent_text(run.completion_ratio)} (reported by Hightouch, advisory)"),
    ]
    wait = queue_wait(run)
    facts.append(Fact(label="Queue wait", value=_format_seconds(wait) if wait is not None else "still queued"))
    return tuple(facts)


def per_row_results_reported(run: SyncRun) -> bool:
    """False when a run succeeded with rows planned but no per-row results.

    Destinations that do not report per-row results leave `successfulRows`
    and `failedRows` at 0 on a successful run that planned 109 rows; those
    zeros mean "not reported", not "nothing synced".
    """
    status = hightouch_run_status(run.status)
    nothing_reported = run.planned_rows.total > 0 and run.successful_rows.total == 0 and run.failed_rows.total == 0
    if status.is_terminal:
        return not (status.category.is_success and nothing_reported)
    # Still running: rows planned, the run has progressed (completionRatio),
    # yet no row results at all: the destination does not report them (yet).
    return not (nothing_reported and run.completion_ratio > 0)


def run_progress(run: SyncRun, now: datetime) -> Progress | None:
    """Live progress for an active run; None once it has finished.

    Planned rows are the estimate once Hightouch knows them (after querying);
    before that, `completionRatio` is all there is.
    """
    status = hightouch_run_status(run.status)
    if status.is_terminal:
        return None
    planned = run.planned_rows.total
    done = run.successful_rows.total + run.failed_rows.total
    counted = planned > 0 and per_row_results_reported(run)  # else completionRatio is all there is
    return compute_progress(
        records_emitted=done if counted else None,
        records_committed=run.successful_rows.total if counted else None,
        estimated_records=planned if counted else None,
        started_at=run.started_at,
        now=now,
        provider_ratio=run.completion_ratio,
    )


def map_run(
    run: SyncRun,
    sync_id: int | str,
    *,
    now: datetime,
    job_type: str = "sync",
    web_url: str | None = None,
) -> Job:
    status = hightouch_run_status(run.status)
    duration = (run.finished_at - run.started_at) if run.finished_at and run.started_at else None
    reported = per_row_results_reported(run)
    return Job(
        provider=PROVIDER,
        id=str(run.id),
        connection_id=str(sync_id),
        job_type=job_type,
        status=status,
        created_at=run.created_at,
        started_at=run.started_at,
        updated_at=run.finished_at,
        ended_at=run.finished_at,
        duration=duration,
        records_synced=run.successful_rows.total if reported else None,
        records_planned=run.planned_rows.total,
        per_row_results=reported,
        progress=run_progress(run, now),
        error=run.error,
        facts=run_facts(run),
        row_breakdown=(
            _breakdown("planned", run.planned_rows),
            _breakdown("successful", run.successful_rows),
            _breakdown("failed", run.failed_rows),
        ),
        web_url=web_url,
        extra={"sync_id": str(sync_id), "completion_ratio": run.completion_ratio, "query_size": run.query_size},
    )


def queued_job(run_id: int, sync_id: int | str, *, created_at: datetime, job_type: str = "sync") -> Job:
    """A placeholder for a run Hightouch acknowledged but does not list yet."""
    return Job(
        provider=PROVIDER,
        id=str(run_id),
        connection_id=str(sync_id),
        job_type=job_type,
        status=hightouch_run_status("queued"),
        created_at=created_at,
        extra={"sync_id": str(sync_id), "synthesized": True},
    )


def run_attempt(run: SyncRun) -> Attempt:
    """The single pseudo-attempt (number 0) standing for the whole run."""
    status = hightouch_run_status(run.status)
    failures: tuple[FailureInfo, ...] = ()
    if run.error:
        failures = (FailureInfo(origin="hightouch", type=status.raw, message=run.error, timestamp=run.finished_at),)
    elif run.failed_rows.total and status.is_terminal:
        failures = (
            FailureInfo(
                origin="destination",
                type="rejected_rows",
                message=f"{counted(run.failed_rows.total, 'row')} {'was' if run.failed_rows.total == 1 else 'were'} rejected by the destination",
                timestamp=run.finished_at,
            ),
        )
    reported = per_row_results_reported(run)
    return Attempt(
        number=0,
        status=status,
        created_at=run.started_at or run.created_at,
        ended_at=run.finished_at,
        records_emitted=run.successful_rows.total + run.failed_rows.total if reported else None,
        records_committed=run.successful_rows.total if reported else None,
        failures=failures,
        partial_success=(status.is_terminal and run.successful_rows.total > 0 and bool(run.error)) or None,
    )


def run_detail(run: SyncRun, sync_id: int | str, *, now: datetime, job_type: str = "sync") -> JobDetail:
    job = map_run(run, sync_id, now=now, job_type=job_type)
    return JobDetail(job=job, attempts=(run_attempt(run),), progress=job.progress)


def _rows_line(label: str, rows: RowCounts) -> str:
    return (
        f"{label + ' rows:':<17}{rows.total:>12,}  "
        f"(added {rows.added_count:,}, changed {rows.changed_count:,}, removed {rows.removed_count:,})"
    )


def run_summary_lines(run: SyncRun, sync_id: int | str) -> tuple[str, ...]:
    """The "log" of a run: Hightouch exposes no log text, so summarise what it does expose."""
    status = hightouch_run_status(run.status)

    def when(moment: datetime | None, missing: str) -> str:
        return format_iso(moment) if moment else missing

    lines = [
        f"Hightouch sync {sync_id}, run {run.id}",
        f"status:          {status.label}" + ("" if status.known else "  (status not known to this version)"),
        f"created:         {format_iso(run.created_at)}",
        f"started:         {when(run.started_at, 'not yet (queued)')}",
        f"finished:        {when(run.finished_at, 'not yet')}",
    ]
    wait = queue_wait(run)
    if wait is not None:
        lines.append(f"queue wait:      {_format_seconds(wait)}")
    if run.started_at and run.finished_at:
        lines.append(f"duration:        {_format_seconds(run.finished_at - run.started_at)}")
    lines += [
        f"query size:      {run.query_size:,} rows",
        f"completion:      {run.completion_ratio:.0%} (advisory)",
        _rows_line("planned", run.planned_rows),
        _rows_line("successful", run.successful_rows),
        _rows_line("failed", run.failed_rows),
    ]
    if not per_row_results_reported(run):
        lines.append("per-row results: not reported by the destination (the counts above are not row results)")
    if run.error:
        lines.append("error:")
        lines += [f"  {line}" for line in run.error.splitlines() or [run.error]]
    return tuple(lines)


__all__ = [
    "PROVIDER",
    "map_run",
    "map_schedule",
    "map_sync",
    "per_row_results_reported",
    "queue_wait",
    "queued_job",
    "run_attempt",
    "run_detail",
    "run_facts",
    "run_progress",
    "run_summary_lines",
    "sync_display_name",
]
