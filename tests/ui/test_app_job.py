"""Job panel: live summary, attempts, streams, recent jobs, links, provider facts."""

from __future__ import annotations

from datetime import timedelta

from airsync_tui.models.domain import Job
from airsync_tui.providers.airbyte.statuses import airbyte_job_status
from airsync_tui.ui.screens.connections import ConnectionsScreen
from airsync_tui.ui.screens.job import JobScreen
from tests.ui.conftest import SIZE, make_app, notifications, screen_text, wait_for
from tests.ui.fakes import FROZEN_NOW, FakeProvider, demo_world, hightouch_caps, hightouch_world


async def _open(pilot, app, key: str) -> JobScreen:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count > 0)
    app.screen.table.move_to_key(key)
    await pilot.pause()
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, JobScreen))
    return app.screen


async def test_job_panel_shows_running_job_with_attempts_and_streams() -> None:
    connections, jobs = demo_world()
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=False)
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open(pilot, app, "airbyte:c0002")
        assert panel.job_key == "airbyte:4802"
        assert "airbyte:4802" in app.watcher.followed
        await wait_for(pilot, lambda: panel.query_one("#streams").row_count == 2, what="streams")
        text = screen_text(app)
        assert "Salesforce → Snowflake" in text and "job 4802" in text
        assert "45%" in text
        assert "12,000 emitted · 11,500 committed" in text and "of ~26,000 est." in text
        assert "public.users" in text and "public.orders" in text
        assert panel.query_one("#attempts").row_count == 1
        assert "Elapsed     5m 55s" in text and "ETA " in text
        assert "https://cloud.example.com/airbyte/connections/c0002/timeline#4802" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectionsScreen))
        assert "airbyte:4802" not in app.watcher.followed


async def test_job_panel_follows_transitions_and_notifies_on_terminal() -> None:
    connections, jobs = demo_world()
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=False, finish_status="failed")
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open(pilot, app, "airbyte:c0002")
        for _ in range(3):
            provider.advance("4802")
        app.watcher.refresh_now()
        await wait_for(pilot, lambda: "✘ failed" in screen_text(app), what="failed status")
        text = screen_text(app)
        assert "→ failed" in text  # observed transition in the history line
        assert "source · config_error: Invalid credentials" in text
        # the notification is a message of its own: it may land a frame after the screen shows the status
        await wait_for(pilot, lambda: any("4802 failed" in n for n in notifications(app)), what="failure notification")
        note = [n for n in app._notifications if "4802 failed" in str(n.message)]
        assert note[0].severity == "error"
        assert panel.job is not None and panel.job.status.is_terminal


async def test_brackets_browse_older_and_newer_jobs() -> None:
    connections, jobs = demo_world()
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=False)
    older = Job(
        provider="airbyte",
        id="4700",
        connection_id="c0000",
        status=airbyte_job_status("failed"),
        created_at=FROZEN_NOW - timedelta(hours=5),
        started_at=FROZEN_NOW - timedelta(hours=5),
        ended_at=FROZEN_NOW - timedelta(hours=4, minutes=50),
        records_synced=10,
        error="boom",
    )
    provider.set_job(older)
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open(pilot, app, "airbyte:c0000")
        await wait_for(pilot, lambda: panel.query_one("#jobs").row_count == 2, what="recent jobs")
        assert panel.job_key == "airbyte:4800"
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: panel.job_key == "airbyte:4700")
        await wait_for(
            pilot, lambda: "Error       destination · system_error: boom" in screen_text(app)
        )  # the failure's origin · type, once
        await pilot.press("right_square_bracket")
        assert panel.job_key == "airbyte:4800"
        await pilot.press("right_square_bracket")
        assert any("newest job" in n for n in notifications(app))


async def test_open_in_browser_is_safe_headless_and_shows_url() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, app, "airbyte:c0000")
        await pilot.press("o")
        await wait_for(
            pilot, lambda: any("https://cloud.example.com/airbyte/connections/c0000/timeline#4800" in n for n in notifications(app))
        )


async def test_hightouch_facts_and_row_breakdown_render_generically() -> None:
    connections, jobs = hightouch_world()
    provider = FakeProvider("hightouch", "Hightouch", connections=connections, jobs=jobs, capabilities=hightouch_caps(), auto_advance=False)
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, app, "hightouch:c0000")
        text = screen_text(app)
        assert "run 901" in text and "Query size  12,345 rows" in text
        assert "planned" in text and "successful" in text and "failed" in text
        assert "Recent runs" in text
        assert "Attempts" not in text  # one run, no attempt logs: no Airbyte-shaped attempts table
        # No destination to read: Data is not offered (as Cancel), and pressing it anyway says why.
        assert "d Data" not in text.splitlines()[-1]
        await pilot.press("d")
        await wait_for(pilot, lambda: any("does not expose its destination" in n for n in notifications(app)), what="the reason")
        assert isinstance(app.screen, JobScreen)


async def test_indeterminate_progress_when_ratio_unknown() -> None:
    connections, jobs = hightouch_world()
    provider = FakeProvider("hightouch", "Hightouch", connections=connections, jobs=jobs, capabilities=hightouch_caps(), auto_advance=False)
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, app, "hightouch:c0001")
        assert "(no estimate)" in screen_text(app)
        assert "%" not in screen_text(app).split("Progress", 1)[1].splitlines()[0]


async def test_trigger_from_panel_switches_to_new_job() -> None:
    connections, jobs = demo_world()
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=False)
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open(pilot, app, "airbyte:c0000")
        await pilot.press("s")
        await wait_for(pilot, lambda: app.screen is not panel)
        await pilot.press("y")
        await wait_for(pilot, lambda: panel.job_key == "airbyte:5001", what="panel switches to the new job")
        await wait_for(pilot, lambda: "started sync job 5001" in screen_text(app) or any("5001" in n for n in notifications(app)))
