"""One derivation for every number and time a job shows (issue 7: the screens contradict themselves)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from airsync_tui.cli.output import WaitPrinter, job_json
from airsync_tui.models.domain import Attempt, Job, Progress
from airsync_tui.models.jobview import (
    HistoryEntry,
    attempt_records,
    eta,
    records_total,
    status_history,
    transition_time,
    whole_percent,
)
from airsync_tui.models.rate import RateWindow
from airsync_tui.providers.airbyte.statuses import airbyte_job_status
from airsync_tui.service.clock import ShownClock
from airsync_tui.ui.formatting import DARK, percent, progress_bar
from airsync_tui.ui.screens.connection_columns import plan_columns

T0 = datetime(2026, 11, 30, 0, 37, 57, tzinfo=UTC)


def _job(status: str, **kw: object) -> Job:
    return Job(
        provider="airbyte",
        id="7",
        connection_id="c1",
        status=airbyte_job_status(status),
        **kw,
    )  # type: ignore[arg-type]


def test_bar_and_text_use_the_same_floored_percent() -> None:
    # 96.6 %: the old bar said 96 (int) while the text said 97 (round).
    bar = progress_bar(0.966, DARK, width=48).plain
    assert bar.endswith(" 96%") and percent(0.966) == "96%"
    assert whole_percent(0.9999) == 99 and whole_percent(1.0) == 100 and whole_percent(None) is None


def test_records_total_is_committed_over_all_attempts_and_never_below_the_live_attempt() -> None:
    running = _job(
        "running",
        records_synced=77_148,
        progress=Progress(records_emitted=34_236, records_committed=30_644),
    )
    assert records_total(running) == 77_148
    # A list answer older than the live stats: the total cannot be less than this attempt's committed count.
    stale = _job("running", records_synced=10, progress=Progress(records_committed=30_644))
    assert records_total(stale) == 30_644
    done = _job("succeeded", records_synced=77_148, progress=Progress(records_committed=1))
    assert records_total(done) == 77_148


def test_running_attempt_row_reads_the_same_live_counts_as_the_panel_header() -> None:
    job = _job("running", progress=Progress(records_emitted=202_814, records_committed=197_835))
    stale_attempt = Attempt(
        number=1,
        status=airbyte_job_status("running"),
        records_emitted=190_000,
        records_committed=185_000,
    )
    counts = attempt_records(stale_attempt, job, current=True)
    assert (counts.records_emitted, counts.records_committed) == (202_814, 197_835)
    finished = Attempt(number=0, status=airbyte_job_status("failed"), records_committed=5)
    assert attempt_records(finished, job, current=False).records_committed == 5


def test_transition_time_is_the_servers_not_ours() -> None:
    ended = T0 + timedelta(minutes=2, seconds=21)
    job = _job(
        "cancelled",
        created_at=T0,
        started_at=T0 + timedelta(seconds=3),
        updated_at=ended,
        ended_at=ended,
    )
    assert transition_time(job, airbyte_job_status("running"), job.status) == ended
    running = _job(
        "running",
        created_at=T0,
        started_at=T0 + timedelta(seconds=3),
        updated_at=T0 + timedelta(minutes=1),
    )
    assert transition_time(running, airbyte_job_status("pending"), running.status) == T0 + timedelta(seconds=3)


def test_history_never_runs_backwards() -> None:
    job = _job(
        "cancelled",
        created_at=T0,
        started_at=T0 + timedelta(seconds=1),
        ended_at=T0 + timedelta(minutes=2),
        updated_at=T0 + timedelta(minutes=2),
    )
    # An observation stamped by a client clock 29 s behind the server.
    observed = [HistoryEntry(airbyte_job_status("running"), "running", T0 - timedelta(seconds=29))]
    entries = status_history(job, observed)
    times = [e.at for e in entries if e.at is not None]
    assert times == sorted(times)
    assert all(at >= T0 for at in times)
    assert entries[0].label == "created"


def test_no_eta_while_stalled_and_current_rate_drives_it() -> None:
    progress = Progress(ratio=0.5, records_emitted=500, estimated_records=1000)
    # Lifetime average would say 10 min left; the current rate (1 rec/s) says 500 s.
    assert eta(progress, timedelta(minutes=10), records_per_second=1.0) == timedelta(seconds=500)
    assert (
        eta(
            progress,
            timedelta(minutes=10),
            records_per_second=0.0,
            no_progress_for=timedelta(hours=1),
        )
        is None
    )


def test_shown_clock_learns_a_server_ahead_and_never_goes_back() -> None:
    wall = [T0]
    clock = ShownClock(wall=lambda: wall[0])
    clock.observe_timestamp(T0 + timedelta(hours=1))
    assert clock.now() >= T0 + timedelta(hours=1)
    first = clock.now()
    clock.observe_server_now(T0)  # an older Date header cannot move the shown time back
    assert clock.now() >= first


def test_wait_line_elapsed_uses_the_server_clock() -> None:
    server_now = T0 + timedelta(hours=3)
    job = _job(
        "running",
        created_at=server_now - timedelta(minutes=5),
        started_at=server_now - timedelta(minutes=5),
        updated_at=server_now,
        progress=Progress(ratio=0.5, records_committed=10),
    )
    clock = ShownClock(wall=lambda: T0)  # our wall clock is 3 h behind the server
    clock.observe_timestamp(job.updated_at)  # what the watcher does with every job it sees
    out = io.StringIO()
    WaitPrinter(out, live=True, clock=clock.now).update(job, force=True)
    assert "elapsed 0s" not in out.getvalue()
    assert "elapsed 5m" in out.getvalue()
    assert job_json(job, now=clock.now())["durationSeconds"] >= 300


def test_wait_line_says_no_progress_instead_of_an_eta() -> None:
    job = _job(
        "running",
        created_at=T0,
        started_at=T0,
        progress=Progress(ratio=0.5, records_committed=10, records_emitted=10, estimated_records=20),
    )
    window = RateWindow()
    window.add(T0, 10, None)
    window.add(T0 + timedelta(minutes=30), 10, None)
    out = io.StringIO()
    WaitPrinter(
        out,
        live=True,
        clock=lambda: T0 + timedelta(minutes=30),
        rate_window=lambda key: window,
    ).update(job, force=True)
    assert "no progress for 30m" in out.getvalue() and "ETA" not in out.getvalue()


def test_columns_by_importance_fit_80_and_names_use_200() -> None:
    narrow = [spec.key for spec, _ in plan_columns(80, multi_provider=True, longest_name=40)]
    assert {"name", "last", "progress", "records"} <= set(narrow)
    assert "state" not in narrow and "schedule" not in narrow
    used = sum(width + 2 for _, width in plan_columns(80, multi_provider=True, longest_name=40))
    assert used <= 78
    wide = {spec.key: width for spec, width in plan_columns(200, multi_provider=True, longest_name=40)}
    assert wide["name"] == 40 and "schedule" in wide and "provider" in wide
