"""Connections screen: listing, badges, filter, sort, status filter, live diffs."""

from __future__ import annotations

from datetime import UTC, timedelta

from airsync_tui.service.events import HealthState
from airsync_tui.ui.formatting import clean
from airsync_tui.ui.screens.connections import ConnectionsScreen
from airsync_tui.ui.widgets.header import health_text
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
        assert "8 connections · 4 running · 1 failing" in text  # an open failure streak (one meaning: header, Alerts, triage)
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
        by_name = screen.table.row_keys()
        assert by_name[1] == "airbyte:c0006"  # by name: "[..." then GitHub
        await pilot.press("S")  # pressed again: the same column, reversed (as help says)
        assert (screen.sort_column, screen.sort_reverse) == ("name", True)
        assert screen.table.row_keys() == list(reversed(by_name))
        await pilot.press("S")  # then the next column: last job status, failures first
        assert screen.sort_column == "last"
        assert screen.table.row_keys()[0] == "airbyte:c0001"  # Stripe → BigQuery failed
        await pilot.press("S", "S")  # last sync, newest first
        assert screen.sort_column == "age"
        assert screen.table.row_keys()[0] == "airbyte:c0000"  # finished 3 minutes ago
        # Clicking the "Committed" (records) header sorts by it; clicking again reverses.
        header_line = screen_text(app).splitlines()[1]
        x = header_line.index("Committed")
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
        provider.fail_polls = api_down()  # down until the test says otherwise (no race with a quick recovery)
        app.watcher.refresh_now()
        await wait_for(pilot, lambda: app.watcher.health["airbyte"].state != HealthState.OK, what="health change")

        def header_shows_the_current_health() -> bool:
            event = app.watcher.health["airbyte"]
            header = screen_text(app).splitlines()[0]
            return event.state != HealthState.OK and health_text(event, app.clock()) in header and "● ok" not in header

        await wait_for(pilot, header_shows_the_current_health, what="header health")
        assert app.is_running  # never crashes
        provider.fail_polls = None
        app.watcher.refresh_now()
        await wait_for(pilot, lambda: "Airbyte ● ok" in screen_text(app), timeout=10, what="recovery")


async def test_connections_load_failure_is_shown_not_raised() -> None:
    connections, jobs = demo_world()
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=False)
    provider.fail_connections = api_down()
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "unreachable" in screen_text(app) or "retrying" in screen_text(app))
        assert "loading connections" in screen_text(app)
        assert notifications(app) == []


# ------------------------------------------------- repaint and laziness
def _tall_world():  # type: ignore[no-untyped-def]
    """The demo's eight connections after 100 fillers that sort first (demo rows start off-screen)."""
    from tests.ui.fakes import DEMO_NAMES, make_connections

    _connections, jobs = demo_world()
    fillers = [f"AAA filler {i:03d}" for i in range(100)]
    return make_connections("airbyte", DEMO_NAMES + fillers), jobs


async def test_visible_row_change_repaints_only_its_line() -> None:
    connections, jobs = demo_world()
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=False)
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot, app)
        table = screen.table
        await pilot.pause()
        before = table.lines_rendered
        for _ in range(3):
            provider.advance("4802")
        app.watcher.refresh_now()
        await wait_for(pilot, lambda: "succeeded" in table.get_cell("airbyte:c0002", "last").plain, what="running row to finish")
        await pilot.pause(0.1)  # let the frame be painted
        assert 1 <= table.lines_rendered - before <= 2  # that row's line (plus at most the cursor line), not all 8
        row = next(line for line in screen_text(app).splitlines() if "Salesforce" in line)
        assert "✔ succeeded" in row


async def test_off_screen_row_refreshes_lazily_and_shows_new_value_when_scrolled_in() -> None:
    connections, jobs = _tall_world()
    app = make_app([FakeProvider(connections=connections, jobs=jobs, auto_advance=False)])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count == 108)
        screen = app.screen
        table = screen.table
        await pilot.pause()
        assert "airbyte:c0000" not in table.row_keys()[: table.visible_row_range()[1]]
        app.clock = lambda: FROZEN_NOW + timedelta(minutes=10)
        app._on_clock_tick()
        assert table.is_stale("airbyte:c0000")  # off-screen: flagged, not rendered
        assert "13 minutes ago" not in screen_text(app)
        assert table.get_cell("airbyte:c0001", "age").plain == "22 minutes ago"  # reading pulls fresh cells
        table.move_to_key("airbyte:c0000")  # scroll it into view
        await pilot.pause()
        await pilot.pause()
        assert "13 minutes ago" in screen_text(app)
        assert not table.is_stale("airbyte:c0000")


async def test_clock_pauses_under_a_modal_and_catches_up_on_return() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot, app)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: app.screen is not screen, what="help")
        app.clock = lambda: FROZEN_NOW + timedelta(minutes=10)
        cells_before = screen.table.cell_updates
        screen._age_due["airbyte:c0000"] = FROZEN_NOW  # due now, but covered: the tick does nothing
        app._on_clock_tick()
        assert screen._missed_tick and screen.table.cell_updates == cells_before
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="back")
        await wait_for(pilot, lambda: not screen._missed_tick, what="catch-up pass")
        assert screen.table.get_cell("airbyte:c0000", "age").plain == "13 minutes ago"


async def test_fast_typing_is_coalesced_and_ends_with_the_right_rows() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot, app)
        await pilot.press("slash")
        applied: list[str] = []
        original = screen.set_filter

        def spy(text: str) -> None:
            applied.append(text)
            original(text)

        screen.set_filter = spy  # type: ignore[method-assign]
        box = screen.query_one("#filter")
        for text in ("s", "sn", "sno", "snow"):  # four keystrokes inside one coalescing window
            box.value = text  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: screen.filter_text == "snow", what="filter applied")
        assert set(screen.table.row_keys()) == {"airbyte:c0000", "airbyte:c0002"}
        assert len(applied) <= 2 and applied[-1] == "snow"
        box.value = ""  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: screen.table.row_count == 8, what="cleared")


def test_age_changes_at_is_never_late() -> None:
    from datetime import datetime

    from airsync_tui.ui.formatting import age, age_changes_at

    moment = datetime(2026, 1, 1, tzinfo=UTC)
    assert age_changes_at(None, moment) is None
    for seconds in [0, 3, 30, 59, 61, 89.5, 95, 150, 1000, 3599, 3700, 5400.2, 40000, 86400 * 3 + 7, 86400 * 400]:
        now = moment + timedelta(seconds=seconds)
        due = age_changes_at(moment, now)
        assert due is not None and due > now
        step = (due - now).total_seconds()
        probe = now + timedelta(seconds=max(0.0, step - 1.0))
        assert age(moment, probe) == age(moment, now), seconds  # unchanged until (nearly) due
    # "3 minutes ago" is re-checked twice a minute (rounding boundaries), not every second.
    now = moment + timedelta(minutes=3, seconds=5)
    assert (age_changes_at(moment, now) - now).total_seconds() >= 20  # type: ignore[operator]


async def test_a_paused_connection_says_so_when_the_state_column_does_not_fit() -> None:
    """At 80 columns the State column is dropped; a paused connection then looked exactly like a live
    one (same badge, same colours), right where the operator presses `s` to sync."""
    connections, jobs = demo_world()
    paused = connections[0].model_copy(update={"status": "inactive", "enabled": False})
    connections = [paused, *connections[1:]]
    app = make_app([FakeProvider(connections=connections, jobs=jobs, auto_advance=False)])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _ready(pilot, app)
        assert "state" not in screen.table.columns  # the premise: no State column at 80 columns
        assert screen.table.get_cell(paused.key, "name").plain == f"paused · {paused.name}"
        live = [c for c in connections[1:] if c.enabled and c.status == "active"]
        assert live and not [c.name for c in live if screen.table.get_cell(c.key, "name").plain != clean(c.name)]
        await pilot.press("slash", *"paused", "enter")  # what the row says can be searched for
        paused_keys = {c.key for c in connections if c.state_label == "paused"}
        await wait_for(pilot, lambda: set(screen.table.row_keys()) == paused_keys, what="only the paused rows")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen.table.row_count == len(connections), what="every row again")
        await pilot.resize_terminal(200, 50)
        await wait_for(pilot, lambda: "state" in screen.table.columns, what="the State column at 200 columns")
        await wait_for(pilot, lambda: screen.table.get_cell(paused.key, "name").plain == paused.name, what="the plain name")
        assert "paused" in screen_text(app)


async def test_an_event_on_an_off_screen_row_renders_it_when_shown_even_after_a_filter() -> None:
    """Watcher events re-render rows on screen only; an off-screen row is flagged and renders when it
    scrolls in or is read (rendering every running row on every poll was most of the idle CPU with 1,000
    connections). A filter that hides and re-adds that row must show the new state, not a cached one."""
    connections, jobs = _tall_world()
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=False)
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count == 108)
        screen = app.screen
        table = screen.table
        await pilot.pause()
        key = "airbyte:c0002"  # Salesforce → Snowflake, running, off screen (after the fillers)
        assert key not in table.row_keys()[: table.visible_row_range()[1]]
        for _ in range(3):
            provider.advance("4802")
        app.watcher.refresh_now()
        await wait_for(pilot, lambda: app.watcher.store.latest_job[key].status.raw == "succeeded", what="the job to finish")
        await wait_for(pilot, lambda: table.is_stale(key), what="the off-screen row flagged")
        await pilot.press("slash", *"filler 000", "enter")  # a filter takes the row out of the table …
        await wait_for(pilot, lambda: key not in table.row_keys(), what="the row filtered out")
        await pilot.press("escape")  # … and clearing it puts the row back
        await wait_for(pilot, lambda: table.row_count == 108, what="every row again")
        await pilot.press("slash", *"Salesforce", "enter")
        await wait_for(pilot, lambda: table.row_keys() == [key], what="only that row")
        await pilot.pause()
        row = next(line for line in screen_text(app).splitlines() if "Salesforce → Snowflake" in line)
        assert "✔ succeeded" in row
