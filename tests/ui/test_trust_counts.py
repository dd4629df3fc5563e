"""The header, the Alerts screen and triage count "failing" the same way (issue 7).

Before: the header counted connections whose *latest* job had failed, the
Alerts screen every open failure streak. A connection retrying after a
failure (HubSpot in the demo) was "critical" on Alerts but not "failed" in
the header: 3 critical against 2 failed on the same screen's header.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from airsync_tui.models.domain import Job
from airsync_tui.providers.airbyte.statuses import airbyte_job_status
from airsync_tui.ui.screens.alerts import AlertsScreen
from airsync_tui.ui.screens.triage import TriageScreen
from tests.ui.conftest import SIZE, make_app, screen_text, wait_for
from tests.ui.fakes import FROZEN_NOW, FakeProvider, demo_world


def _world_with_a_retry_after_failure() -> FakeProvider:
    connections, jobs = demo_world()
    running = next(j for j in jobs if j.status.raw == "running")
    created = FROZEN_NOW - timedelta(minutes=40)
    earlier_failure = Job(
        provider="airbyte",
        id="4790",
        connection_id=running.connection_id,
        status=airbyte_job_status("failed"),
        created_at=created,
        started_at=created + timedelta(seconds=5),
        updated_at=created + timedelta(minutes=4),
        ended_at=created + timedelta(minutes=4),
        duration=timedelta(minutes=4),
        records_synced=10,
        bytes_synced=1_000,
        error="source · config_error: HubSpot token revoked",
    )
    return FakeProvider(connections=connections, jobs=[earlier_failure, *jobs], auto_advance=False)


async def test_header_alerts_and_triage_count_the_same_failing_connections() -> None:
    app = make_app([_world_with_a_retry_after_failure()])
    async with app.run_test(size=SIZE) as pilot:
        engine = app.alerts.engine
        engine.history_interval = 0.0  # the test's clock does not tick: evaluate by hand
        await wait_for(pilot, lambda: "8 connections" in screen_text(app), what="connections loaded")
        for _ in range(10):  # one queued history per evaluation (a flat cost)
            await engine.evaluate()
        # Two failure streaks: c0001 (latest job failed) and c0002 (failed, now retrying).
        await wait_for(pilot, lambda: "2 failing" in screen_text(app), what="header: 2 failing")
        assert "failed ·" not in screen_text(app).splitlines()[0]
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen), what="alerts screen")
        await wait_for(pilot, lambda: "2 connections failing" in screen_text(app), what="alerts: 2 failing")
        await pilot.press("escape")
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen), what="triage screen")
        await wait_for(pilot, lambda: "(2 failing)" in screen_text(app), what="triage: 2 failing")
        assert "2 failing" in screen_text(app).splitlines()[0]


async def test_a_log_without_timestamps_levels_or_sources_has_no_empty_gutter() -> None:
    """Hightouch's run summary was drawn behind 35 blank columns (issue 7: "an indented static log")."""
    from airsync_tui.providers.base import AttemptLog
    from airsync_tui.providers.hightouch.provider import LOGS_NOTICE
    from airsync_tui.ui.screens.log_screen import LogScreen
    from tests.ui.fakes import hightouch_caps, hightouch_world

    connections, jobs = hightouch_world()
    provider = FakeProvider("hightouch", "Hightouch", connections=connections, jobs=jobs, capabilities=hightouch_caps(), auto_advance=False)
    summary = ("Hightouch sync 58201, run 901", "status:          success", "planned rows:           154")

    async def run_summary(job_id: str, attempt_number: int) -> AttemptLog:
        return AttemptLog(job_id=job_id, attempt_number=0, text_lines=summary, notice=LOGS_NOTICE)

    provider.fetch_attempt_log = run_summary  # type: ignore[method-assign]
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "Users model" in screen_text(app), what="connections")
        app.screen.table.move_to_key("hightouch:c0000")  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LogScreen), what="log viewer")
        await wait_for(pilot, lambda: "status:" in screen_text(app), what="summary lines")
        lines = screen_text(app).splitlines()
        starts = {line.index(text[:12]) for text in summary for line in lines if text[:12] in line and "·" not in line}
        assert starts == {0}, starts  # flush left: no blank timestamp, level and source columns


async def test_an_error_that_is_the_failures_message_is_said_once_with_its_origin() -> None:
    """The Hightouch panel said "The sync run was cancelled by a user." as Error and again as Failure."""
    from airsync_tui.ui.screens.job import JobScreen

    connections, jobs = demo_world()
    failed = next(j for j in jobs if j.status.raw == "failed")
    jobs = [j.model_copy(update={"error": "BigQuery quota exceeded"}) if j is failed else j for j in jobs]
    app = make_app([FakeProvider(connections=connections, jobs=jobs, auto_advance=False)])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "8 connections" in screen_text(app), what="connections")
        app.screen.table.move_to_key(failed.connection_key)  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen), what="job panel")
        await wait_for(pilot, lambda: "Attempts" in screen_text(app), what="attempts")
        lines = screen_text(app).splitlines()
        error = [line for line in lines if line.strip().startswith("Error")]
        assert len(error) == 1 and "destination · system_error: BigQuery quota exceeded" in error[0]
        assert not [line for line in lines if line.strip().startswith("Failure ")]


@pytest.mark.parametrize(
    "long_error",
    [
        "source · transient_error: Rate limit exceeded while reading from Facebook Marketing. "
        "The sync will be retried after the quota resets.",
        # First line exactly as wide as the screen minus label and padding, but not minus the scrollbar.
        "source · system_error: " + "W" * 41 + " in the connector. See the logs, quota resets.",
    ],
)
async def test_a_long_error_wraps_under_its_value_at_80_columns(long_error: str) -> None:

    connections, jobs = demo_world()
    failed = next(j for j in jobs if j.status.raw == "failed")
    jobs = [j.model_copy(update={"error": long_error}) if j is failed else j for j in jobs]
    app = make_app([FakeProvider(connections=connections, jobs=jobs, auto_advance=False)])
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_panel(app, pilot, failed.connection_key)
        await wait_for(pilot, lambda: "Error" in screen_text(app), what="error line")
        lines = _text_lines(app)
        first = next(i for i, line in enumerate(lines) if line.strip().startswith("Error"))
        value_column = lines[first].index("source")
        assert "quota resets." not in lines[first]
        continuation = lines[first + 1]
        assert continuation[:value_column].strip() == "" and continuation[value_column] != " ", continuation
        # Every line of the error keeps to its column (the panel's padding and scrollbar leave less room than
        # the screen's width: a first line wrapped for the screen was re-wrapped back to the left edge).
        block = []
        for line in lines[first + 1 :]:
            if not line[value_column:].strip() or line[:value_column].strip():
                break
            block.append(line[value_column:].strip())
        shown = " ".join([lines[first][value_column:].strip(), *block])
        assert " ".join(shown.split()) == " ".join(long_error.split()), lines[first : first + 4]


async def test_an_old_jobs_history_wraps_under_its_value_at_80_columns() -> None:
    """Two-week-old transitions carry dates; the History line then outgrows 80 columns and must not fold left."""

    connections, jobs = demo_world()
    done = next(j for j in jobs if j.status.raw == "succeeded")
    shift = timedelta(days=14)
    old = done.model_copy(
        update={
            "created_at": done.created_at - shift if done.created_at else None,
            "started_at": done.started_at - shift if done.started_at else None,
            "updated_at": done.updated_at - shift if done.updated_at else None,
            "ended_at": done.ended_at - shift if done.ended_at else None,
        }
    )
    jobs = [old if j is done else j for j in jobs]
    app = make_app([FakeProvider(connections=connections, jobs=jobs, auto_advance=False)])
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_panel(app, pilot, done.connection_key)
        await wait_for(pilot, lambda: "succeeded 20" in screen_text(app).replace("\n", " "), what="history with dates")
        lines = _text_lines(app)
        first = next(i for i, line in enumerate(lines) if line.strip().startswith("History"))
        value_column = lines[first].index("created")
        continuation = lines[first + 1]
        assert continuation[:value_column].strip() == "" and continuation[value_column:].startswith("→ "), lines[first : first + 2]
        assert "succeeded" in lines[first] + continuation


async def _open_panel(app: Any, pilot: Any, connection_key: str) -> None:
    """From the connection list to the job panel of one connection (the fake world has 8)."""
    from airsync_tui.ui.screens.job import JobScreen

    await wait_for(pilot, lambda: getattr(app.screen, "table", None) is not None and app.screen.table.row_count == 8, what="connections")
    app.screen.table.move_to_key(connection_key)
    await pilot.pause()
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, JobScreen), what="job panel")


def _text_lines(app: Any) -> list[str]:
    """Screen lines without the scrollbar's half blocks at the right edge: text must fit left of them."""
    return [line.rstrip().rstrip("▁▂▃▄▅▆▇█") for line in screen_text(app).splitlines()]


async def test_the_error_keeps_its_column_when_later_content_brings_the_scrollbar() -> None:
    """The panel first fits the screen; the attempts arriving later make it scroll. The scrollbar then
    took two columns the error had been wrapped into, and Textual folded the overflow back to the left
    edge ("…detected that the" / "Source" alone at column 1 / "didn't send…"), seen on `--demo` at 80x24."""
    from airsync_tui.models.domain import Attempt, FailureInfo

    long_error = (
        "replication · heartbeat_timeout: Airbyte detected that the Source didn't send any records in the "
        "last 3 hours, exceeding the configured 3 hour threshold. Airbyte will try reading again on the next sync."
    )
    connections, jobs = demo_world()
    failed = next(j for j in jobs if j.status.raw == "failed").model_copy(update={"error": long_error})
    jobs = [failed if j.id == failed.id else j for j in jobs]
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=False)
    provider.set_job(failed, [])  # no attempts yet: the panel fits the screen, no scrollbar
    app = make_app([provider])
    async with app.run_test(size=(80, 40)) as pilot:
        await _open_panel(app, pilot, failed.connection_key)
        await wait_for(pilot, lambda: "heartbeat_timeout" in screen_text(app), what="error line")
        body = app.screen.query_one("#job-body")
        assert body.max_scroll_y == 0  # the premise: nothing to scroll yet
        attempts = [
            Attempt(
                number=n,
                status=airbyte_job_status("failed"),
                created_at=failed.created_at,
                ended_at=failed.ended_at,
                failures=(FailureInfo(origin="replication", type="heartbeat_timeout", message="no records"),),
            )
            for n in range(10)
        ]
        provider.set_job(failed, attempts)
        app.watcher.refresh_now()
        await wait_for(pilot, lambda: body.max_scroll_y > 0, what="the attempts making the panel scroll")
        await pilot.pause()
        lines = _text_lines(app)
        first = next(i for i, line in enumerate(lines) if line.strip().startswith("Error"))
        value_column = lines[first].index("replication")
        block = [lines[first][value_column:].strip()]
        for line in lines[first + 1 :]:
            if not line.strip() or line[:value_column].strip():
                break
            block.append(line[value_column:].strip())
        assert " ".join(" ".join(block).split()) == " ".join(long_error.split()), lines[first : first + 6]
