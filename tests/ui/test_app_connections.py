"""Connections screen: listing, badges, filter, sort, status filter, live diffs."""

from __future__ import annotations

from datetime import timedelta

from airsync_tui.service.events import HealthState
from airsync_tui.ui.screens.connections import ConnectionsScreen
from tests.ui.conftest import SIZE, make_app, notifications, screen_text, wait_for
from tests.ui.fakes import FROZEN_NOW, FakeProvider, api_down, demo_world


async def _ready(pilot, app) -> ConnectionsScreen:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count == 8, what="8 rows")
    return app.screen


async def test_lists_connections_with_status_badges_and_header() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        text = screen_text(app)
        assert "8 connections · 4 running · 1 failed" in text
        assert "✔ succeeded" in text and "✘ failed" in text and "⊘ cancelled" in text
        assert "↻ incomplete" in text and "◌ pending" in text
        assert "hibernating?" in text  # an unknown status is flagged, not hidden
        assert "45%" in text  # running job with a ratio shows a bar
        assert "3 minutes ago" in text and "1,234,567" in text and "every 6 hours" in text


async def test_filter_substring_case_insensitive_and_inverted() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot, app)
        await pilot.press("slash", *"SNOW")
        assert screen.table.row_count == 2
        assert set(screen.table.row_keys()) == {"airbyte:c0000", "airbyte:c0002"}
        filter_box = screen.query_one("#filter")
        filter_box.value = "!snow"  # type: ignore[attr-defined]
        await pilot.pause()
        assert screen.table.row_count == 6
        assert "airbyte:c0000" not in screen.table.row_keys()
        await pilot.press("escape")
        assert screen.table.row_count == 8 and screen.filter_text == ""


async def test_sort_cycles_and_header_click_reverses() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot, app)
        assert screen.table.row_keys()[1] == "airbyte:c0006"  # by name: "[..." then GitHub
        await pilot.press("S")  # last job status: failures first
        assert screen.sort_column == "last"
        assert screen.table.row_keys()[0] == "airbyte:c0001"  # Stripe → BigQuery failed
        await pilot.press("S")  # last sync, newest first
        assert screen.table.row_keys()[0] == "airbyte:c0000"  # finished 3 minutes ago
        # Clicking the "Records" header sorts by it; clicking again reverses.
        header_line = screen_text(app).splitlines()[1]
        x = header_line.index("Records")
        await pilot.click("#connections", offset=(x + 2, 0))
        assert screen.sort_column == "records"
        first = screen.table.row_keys()[0]
        await pilot.click("#connections", offset=(x + 2, 0))
        assert screen.sort_reverse is False
        assert screen.table.row_keys()[-1] == first


async def test_status_filter_cycles_all_running_failed() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot, app)
        await pilot.press("F")
        assert screen.status_filter == "running" and screen.table.row_count == 4
        await pilot.press("F")
        assert screen.status_filter == "failed" and screen.table.row_keys() == ["airbyte:c0001"]
        assert "status failed" in screen_text(app)
        await pilot.press("F")
        assert screen.table.row_count == 8


async def test_row_updates_in_place_and_cursor_stays() -> None:
    connections, jobs = demo_world()
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=False)
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot, app)
        table = screen.table
        await pilot.press("down", "down", "down", "down", "down")
        cursor_key = table.cursor_key()
        order = table.row_keys()
        before = table.cell_updates
        running_key = "airbyte:c0002"
        provider.advance("4802")
        provider.advance("4802")
        provider.advance("4802")  # → succeeded
        app.watcher.refresh_now()
        await wait_for(pilot, lambda: "succeeded" in table.get_cell(running_key, "last").plain, what="running row to finish")
        assert table.cursor_key() == cursor_key
        assert table.row_keys() == order
        # Only the changed cells of that one row were patched (status, progress, age, records, duration).
        assert 0 < table.cell_updates - before <= 6
        assert table.get_cell(running_key, "progress").plain == ""
        assert table.get_cell(running_key, "records").plain == "1,200"


async def test_ages_refresh_on_the_clock_tick() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot, app)
        assert screen.table.get_cell("airbyte:c0000", "age").plain == "3 minutes ago"
        app.clock = lambda: FROZEN_NOW + timedelta(minutes=10)
        app.tick = 14
        app._on_clock_tick()  # tick 15: full refresh
        assert screen.table.get_cell("airbyte:c0000", "age").plain == "13 minutes ago"


async def test_hostile_connection_name_renders_inert() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot, app)
        text = screen_text(app)
        assert "[bold red]x[/] hostile name" in text
        assert "\x1b" not in screen.table.get_cell("airbyte:c0007", "name").plain
        await pilot.press("enter")  # cursor starts on it (sorted first)
        await wait_for(pilot, lambda: "hostile" in screen_text(app) and app.screen is not screen)
        assert "[bold red]x[/] hostile name" in screen_text(app)


async def test_api_error_shows_in_header_health() -> None:
    connections, jobs = demo_world()
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=False)
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        provider.fail_next = api_down()
        app.watcher.refresh_now()
        await wait_for(pilot, lambda: app.watcher.health["airbyte"].state != HealthState.OK, what="health change")
        await wait_for(pilot, lambda: "retrying" in screen_text(app) or "unreachable" in screen_text(app), what="header health")
        assert app.is_running  # never crashes
        await wait_for(pilot, lambda: "Airbyte ● ok" in screen_text(app), timeout=5, what="recovery")


async def test_connections_load_failure_is_shown_not_raised() -> None:
    connections, jobs = demo_world()
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=False)
    provider.fail_connections = api_down()
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "unreachable" in screen_text(app) or "retrying" in screen_text(app))
        assert "loading connections" in screen_text(app)
        assert notifications(app) == []
