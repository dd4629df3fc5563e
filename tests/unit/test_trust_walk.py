"""Defects found walking `airsync --demo` as an operator (issue 7, this round).

Each test fails on the code before its fix: names cut at 140 columns while
the schedule, provider and state columns were kept; "demo demo" in the header.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from airsync_tui.service.events import ApiHealthChanged, HealthState
from airsync_tui.ui.screens.connection_columns import CELL_PADDING, RESERVED, plan_columns
from airsync_tui.ui.themes import palette_for
from airsync_tui.ui.widgets.header import HeaderState, render_header

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
LONGEST = len("Facebook Marketing → Snowflake")


def test_names_are_whole_at_140_columns_before_the_less_important_columns() -> None:
    plan = {spec.key: width for spec, width in plan_columns(140, multi_provider=True, longest_name=LONGEST)}
    assert plan["name"] == LONGEST
    assert {"last", "progress", "records", "age", "duration"} <= set(plan)
    assert sum(width + CELL_PADDING for width in plan.values()) <= 140 - RESERVED


def test_names_are_whole_at_120_and_200_columns_and_never_overflow() -> None:
    for cols in (120, 200):
        plan = {spec.key: width for spec, width in plan_columns(cols, multi_provider=True, longest_name=LONGEST)}
        assert plan["name"] == LONGEST, cols
        assert sum(width + CELL_PADDING for width in plan.values()) <= cols - RESERVED
    wide = {spec.key for spec, _ in plan_columns(200, multi_provider=True, longest_name=LONGEST)}
    assert {"provider", "state", "schedule"} <= wide


def test_at_80_columns_the_outcome_and_numbers_still_come_first() -> None:
    plan = {spec.key: width for spec, width in plan_columns(80, multi_provider=True, longest_name=LONGEST)}
    assert {"name", "last", "progress", "records"} <= set(plan)
    assert sum(width + CELL_PADDING for width in plan.values()) <= 80 - RESERVED


def _header(profile: str, workspace: str | None, *, demo: bool, connections: int = 12) -> str:
    health = (("Airbyte", ApiHealthChanged(provider="airbyte", state=HealthState.OK, at=NOW)),)
    state = HeaderState(
        profile=profile,
        workspace=workspace,
        read_only=False,
        demo=demo,
        health=health,
        connections=connections,
        running=2,
        failed=1,
    )
    return render_header(state, palette_for(True), NOW, 200).plain


def test_header_counts_one_connection_in_the_singular() -> None:
    assert "1 connection ·" in _header("prod", "Acme", demo=False, connections=1)
    assert "12 connections ·" in _header("prod", "Acme", demo=False)


def test_header_says_demo_once() -> None:
    assert _header("demo", None, demo=True).count("demo") == 1
    assert _header("demo", "demo", demo=True).count("demo") == 1
    text = _header("demo", "Acme workspace", demo=True)
    assert text.count("demo") == 1 and "Acme workspace" in text


def test_header_keeps_a_real_profile_beside_the_demo_badge() -> None:
    text = _header("prod", "Acme", demo=False)
    assert "profile prod · Acme" in text and "demo" not in text


def test_the_demo_header_names_the_emulator_and_says_demo_once() -> None:
    from airsync_tui.cli.dashboard import demo_workspace_label

    text = _header("demo", demo_workspace_label("http://127.0.0.1:34253"), demo=True)
    assert text.count("demo") == 1 and "embedded emulator on http://127.0.0.1:34253" in text


def test_hightouch_run_summary_and_panel_give_one_duration() -> None:
    from datetime import timedelta

    from airsync_tui.providers.hightouch.mapping import map_run, run_summary_lines
    from airsync_tui.providers.hightouch.wire import SyncRun
    from airsync_tui.textfmt import duration

    started = datetime(2026, 12, 1, 4, 56, 6, tzinfo=UTC)
    rows = {"addedCount": 1, "changedCount": 0, "removedCount": 0}
    run = SyncRun.model_validate(
        {
            "id": 41000061,
            "status": "cancelled",
            "createdAt": started - timedelta(seconds=2),
            "startedAt": started,
            "finishedAt": started + timedelta(seconds=40, milliseconds=600),
            "querySize": 10,
            "completionRatio": 0.27,
            "plannedRows": rows,
            "successfulRows": rows,
            "failedRows": {"addedCount": 0, "changedCount": 0, "removedCount": 0},
        }
    )
    panel = duration(map_run(run, 58201, now=started + timedelta(minutes=5)).duration)
    summary = next(line for line in run_summary_lines(run, 58201) if line.startswith("duration:"))
    assert panel == "40s" and summary.split()[-1] == panel


def test_alert_names_use_the_room_there_is() -> None:
    from airsync_tui.ui.screens.alerts import ALERT_COLUMNS
    from airsync_tui.ui.widgets.fitted_columns import fit_columns

    name = "Facebook Marketing → Snowflake"
    longest = {"what": len(name), "summary": 90}
    narrow = {column.key: width for column, width in fit_columns(ALERT_COLUMNS, 80, longest=longest)}
    assert {"rule", "what", "summary"} <= set(narrow)  # what matters most stays at 80 columns
    assert narrow["summary"] >= 16  # and what happened is readable, not three letters
    wide = {column.key: width for column, width in fit_columns(ALERT_COLUMNS, 200, longest=longest)}
    assert list(wide) == ["severity", "rule", "what", "since", "count", "summary"]
    assert wide["what"] == len(name) and wide["summary"] == 90


def test_a_jobs_duration_is_measured_from_the_start_it_shows_to_its_end() -> None:
    """Panel read "Started 05:05:31 · Ended 05:08:11" beside "Duration 2m 47s" (Airbyte's from-creation duration)."""
    from datetime import timedelta

    from airsync_tui.models.domain import Job
    from airsync_tui.providers.airbyte.statuses import airbyte_job_status

    created = datetime(2026, 12, 1, 5, 5, 24, tzinfo=UTC)
    started = created + timedelta(seconds=7)
    ended = datetime(2026, 12, 1, 5, 8, 11, tzinfo=UTC)
    running = Job(
        provider="airbyte", id="4072", connection_id="c", status=airbyte_job_status("running"), created_at=created, started_at=started
    )
    done = running.model_copy(update={"status": airbyte_job_status("succeeded"), "ended_at": ended, "duration": ended - created})
    assert done.elapsed(ended) == ended - started == timedelta(minutes=2, seconds=40)
    assert running.elapsed(ended) == done.elapsed(ended)  # no jump by the queue time at the end
    listed = done.model_copy(update={"started_at": None, "ended_at": None, "updated_at": None})
    assert listed.elapsed(ended) == ended - created  # no end known: the provider's own duration


def test_hightouch_completion_ratio_reads_as_the_progress_bar() -> None:
    """A running run at 72.7 %: the bar floors to 72 %, and the "Completion ratio" fact must say the same."""
    from datetime import timedelta

    from airsync_tui.models.jobview import percent_text
    from airsync_tui.providers.hightouch.mapping import map_run
    from airsync_tui.providers.hightouch.wire import SyncRun

    started = datetime(2026, 12, 1, 7, 30, 57, tzinfo=UTC)
    rows = {"addedCount": 126, "changedCount": 374, "removedCount": 37}
    zero = {"addedCount": 0, "changedCount": 0, "removedCount": 0}
    run = SyncRun.model_validate(
        {
            "id": 41000065,
            "status": "processing",
            "createdAt": started - timedelta(seconds=1),
            "startedAt": started,
            "querySize": 11924,
            "completionRatio": 0.727,
            "plannedRows": rows,
            "successfulRows": zero,
            "failedRows": zero,
        }
    )
    job = map_run(run, 58201, now=started + timedelta(seconds=24))
    fact = next(f.value for f in job.facts if f.label == "Completion ratio")
    assert job.progress is not None
    assert fact.startswith(percent_text(job.progress.ratio) + " ") and fact.startswith("72% ")


def test_an_age_and_a_duration_of_one_moment_agree() -> None:
    """ "33m 55s" of a running job sat beside "34 minutes ago" for its start (humanize rounds to the
    nearest unit; every duration on screen is floored). Ages now floor too: one moment, one answer."""
    from datetime import timedelta

    from airsync_tui.service.rules.alerts import short_duration
    from airsync_tui.textfmt import age, duration

    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    for elapsed, said in (
        (timedelta(minutes=33, seconds=55), "33 minutes ago"),
        (timedelta(minutes=47, seconds=40), "47 minutes ago"),
        (timedelta(hours=1, minutes=59), "an hour ago"),
        (timedelta(hours=23, minutes=50), "23 hours ago"),
    ):
        assert age(now - elapsed, now) == said
        minutes = int(elapsed.total_seconds() // 60)
        if minutes < 60:
            assert duration(elapsed).startswith(f"{minutes}m") and short_duration(elapsed) == f"{minutes} min"
    assert age(now - timedelta(seconds=3), now) == "just now"


def test_the_80_column_header_keeps_the_open_alerts() -> None:
    """At 80 columns the header said "22 · 6 run · 1 failing" and dropped "4 alerts (A)": the stale and
    stalled connections were nowhere on the first screen. Healthy providers shrink to their dot first."""
    ok = ApiHealthChanged(provider="airbyte", state=HealthState.OK, at=NOW)
    state = HeaderState(
        profile="demo",
        workspace="embedded emulator on http://127.0.0.1:34253",
        read_only=False,
        demo=True,
        health=(("Airbyte", ok), ("Hightouch", ApiHealthChanged(provider="hightouch", state=HealthState.OK, at=NOW))),
        connections=22,
        running=6,
        failed=1,
        alerts=4,
    )
    text = render_header(state, palette_for(True), NOW, 80).plain
    assert len(text) <= 80 and text.rstrip().endswith("22 · 6 run · 1 failing · 4 alerts (A)")
    assert "Airbyte ●" in text and "Hightouch ●" in text and "ok" not in text  # the dot says it
    wide = render_header(state, palette_for(True), NOW, 200).plain
    assert "Airbyte ● ok" in wide and "4 alerts (A)" in wide
    down = replace(state, health=(("Airbyte", ApiHealthChanged(provider="airbyte", state=HealthState.UNREACHABLE, at=NOW)),))
    assert "unreachable" in render_header(down, palette_for(True), NOW, 80).plain  # a problem keeps its words
