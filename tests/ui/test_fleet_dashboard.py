"""Fleet actions in the dashboard, against the real emulator (Airbyte + Hightouch) over 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Button, OptionList, SelectionList

from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator
from airsync_tui.service.session import providers_for
from airsync_tui.service.watcher import Watcher, WatcherConfig
from airsync_tui.ui.app import AirsyncApp, SessionInfo
from airsync_tui.ui.screens.connections import ConnectionsScreen
from airsync_tui.ui.screens.fleet_dialogs import (
    FleetConfirmModal,
    FleetMenuModal,
    FleetResultsModal,
    ScheduleModal,
    StreamPickerModal,
)
from tests.emulator_helpers import emulator_profile, quiet_emulator, stop_job
from tests.ui.conftest import SIZE, notifications, screen_text, wait_for

WATCHER_CONFIG = WatcherConfig(active_interval=0.3, idle_interval=0.5, progress_interval=0.5, detail_interval=0.5)


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    # Schedules paused: scheduled jobs would race the tests' own.
    yield from quiet_emulator(
        EmulatorOptions(
            seed=7,
            speed=50,
            big_log_lines=0,
            client_id="fleet-ui",
            client_secret="fleet-ui-secret",
        )
    )


@pytest.fixture(autouse=True)
def state_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "state.sqlite3"
    monkeypatch.setenv("AIRSYNC_STATE", str(path))
    return path


def _app(emu: RunningEmulator, *, read_only: bool = False) -> AirsyncApp:
    profile = emulator_profile(emu, "fleet-ui", read_only=read_only)
    providers = providers_for(profile, read_only=read_only)
    return AirsyncApp(
        Watcher(providers, WATCHER_CONFIG),
        SessionInfo(profile_name="fleet-ui", read_only=read_only),
    )


def server_paused(emu: RunningEmulator, key: str) -> bool:
    """What the emulator itself says (Airbyte inactive / Hightouch disabled)."""
    provider, ident = key.split(":", 1)
    if provider == "airbyte":
        return emu.world.connections_by_id[ident].status == "inactive"
    return emu.hightouch_world.get_sync(int(ident)).disabled


async def _loaded(pilot, app: AirsyncApp) -> ConnectionsScreen:  # type: ignore[no-untyped-def]
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, ConnectionsScreen) and all(app.watcher.loaded.values()) and app.screen.table.row_count > 0,
        timeout=15,
        what="connections",
    )
    screen = app.screen
    assert isinstance(screen, ConnectionsScreen)
    return screen


async def test_mark_pause_with_safe_default_then_undo(
    emulator: RunningEmulator,
) -> None:
    app = _app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _loaded(pilot, app)
        active = [
            next(k for k in screen.table.row_keys() if k.startswith(p) and app.watcher.connections[k].state_label == "active")
            for p in ("airbyte:", "hightouch:")
        ]
        for key in active:
            screen.table.move_to_key(key)
            await pilot.press("space")
        await pilot.pause()
        assert screen.marked == set(active)
        assert "2 marked" in screen_text(app)
        await pilot.press("p")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, FleetConfirmModal),
            what="confirmation",
        )
        modal = app.screen
        assert isinstance(modal, FleetConfirmModal)
        assert app.focused is modal.query_one("#no", Button)  # the harmless answer is the default
        assert sorted(n.split("  (")[0] for n in modal.names) == sorted(app.watcher.connections[k].name for k in active)
        await pilot.press("enter")  # reflexive enter = No
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectionsScreen))
        assert not any(server_paused(emulator, k) for k in active)

        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, FleetConfirmModal))
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, FleetResultsModal),
            timeout=10,
            what="results",
        )
        results = app.screen
        assert isinstance(results, FleetResultsModal)
        assert [t.outcome for t in results.entry.targets] == ["succeeded", "succeeded"]
        assert all(server_paused(emulator, k) for k in active)
        await pilot.press("escape")
        await wait_for(
            pilot,
            lambda: all(screen.table.get_cell(k, "state").plain == "paused" for k in active),
            what="paused rows",
        )
        assert not screen.marked
        # Triggering a paused connection explains itself instead of asking.
        screen.table.move_to_key(active[0])
        await pilot.press("s")
        await wait_for(
            pilot,
            lambda: any("is paused" in n for n in notifications(app)),
            what="paused notice",
        )

        await pilot.press("u")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, FleetConfirmModal),
            what="undo confirmation",
        )
        assert app.focused is app.screen.query_one("#no", Button)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, FleetResultsModal), timeout=10)
        assert not any(server_paused(emulator, k) for k in active)


async def test_star_marks_the_filtered_rows_and_menu_explains_unavailable_actions(
    emulator: RunningEmulator,
) -> None:
    app = _app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _loaded(pilot, app)
        screen.set_filter("hightouch")
        await pilot.pause()
        shown = screen.visible_keys()
        assert shown and all(k.startswith("hightouch:") for k in shown)
        await pilot.press("asterisk")
        assert screen.marked == set(shown)
        assert f"{len(shown)} marked" in screen_text(app)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, FleetMenuModal))
        options = app.screen.query_one(OptionList)
        by_id = {options.get_option_at_index(i).id: options.get_option_at_index(i) for i in range(options.option_count)}
        assert by_id["schedule"].disabled and "documents no schedule change" in str(by_id["schedule"].prompt)
        assert by_id["refresh"].disabled and not by_id["pause"].disabled
        await pilot.press("escape")
        await pilot.press("asterisk")  # again: unmark what is shown
        assert not screen.marked


async def test_refresh_one_stream_from_the_catalog(emulator: RunningEmulator) -> None:
    app = _app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _loaded(pilot, app)
        key = next(
            k
            for k in screen.table.row_keys()
            if k.startswith("airbyte:")
            and (c := emulator.world.connections_by_id[k.split(":", 1)[1]]).status == "active"
            and c.active_job_id is None
            and len(c.streams) > 1
        )
        connection = emulator.world.connections_by_id[key.split(":", 1)[1]]
        screen.table.move_to_key(key)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, FleetMenuModal))
        app.screen.query_one(OptionList).highlighted = 2  # Refresh streams
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, StreamPickerModal))
        picker = app.screen
        picker.query_one(SelectionList).select(connection.streams[1].name)
        await pilot.click("#continue")
        await wait_for(pilot, lambda: isinstance(app.screen, FleetConfirmModal))
        assert "refresh (merge) 1 stream" in app.screen.query_one("#fleet-question").render().plain.lower()  # type: ignore[attr-defined]
        assert app.focused is app.screen.query_one("#no", Button)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, FleetResultsModal), timeout=10)
        entry = app.screen.entry  # type: ignore[attr-defined]
        assert entry.targets[0].outcome == "succeeded", entry.targets[0].reason
        job = emulator.world.get_job(int(entry.targets[0].job_id))
        assert (job.config_type, job.stream_scope, job.refresh_mode) == (
            "refresh",
            (connection.streams[1].name,),
            "Merge",
        )
        stop_job(emulator.world, job.job_id)


async def test_read_only_dashboard_sends_nothing(emulator: RunningEmulator) -> None:
    app = _app(emulator, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _loaded(pilot, app)
        mark = emulator.app.state.request_log.mark()
        await pilot.press("space", "p", "e", "x", "u")
        await pilot.pause(0.3)
        assert isinstance(app.screen, ConnectionsScreen)
        writes = (
            "/public/v1/jobs",
            "/trigger",
            "/connections/refresh",
            "/connections/clear",
            "/connections/sync",
        )
        seen = emulator.app.state.request_log.since(mark)
        assert not [r for r in seen if r.method == "PATCH" or (r.method == "POST" and r.path.endswith(writes))]
        assert any("read-only" in n for n in notifications(app))
        assert screen is app.screen


async def test_long_confirmation_scrolls_and_no_is_the_default(
    emulator: RunningEmulator,
) -> None:
    app = _app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _loaded(pilot, app)
        await pilot.press("asterisk")
        assert len(screen.marked) == len(screen.visible_keys()) > 12
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, FleetConfirmModal))
        modal = app.screen
        assert isinstance(modal, FleetConfirmModal)
        assert len(modal.names) == len(screen.marked)
        await pilot.pause(0.2)
        assert modal.query_one("#fleet-names").max_scroll_y > 0  # the list scrolls; the buttons stay visible
        assert app.focused is modal.query_one("#no", Button)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectionsScreen))
        assert screen.marked  # declining keeps the marks


async def test_schedule_dialog_validates_shows_words_and_undo_restores(
    emulator: RunningEmulator,
) -> None:
    app = _app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _loaded(pilot, app)
        key = next(
            k
            for k in screen.table.row_keys()
            if k.startswith("airbyte:")
            and (c := emulator.world.connections_by_id[k.split(":", 1)[1]]).status == "active"
            and c.schedule_kind in ("cron", "manual")
            and c.schedule_expression != "0 0 */6 * * ? UTC"
        )
        connection = emulator.world.connections_by_id[key.split(":", 1)[1]]
        before = (connection.schedule_kind, connection.schedule_expression)
        screen.table.move_to_key(key)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, FleetMenuModal))
        app.screen.query_one(OptionList).highlighted = 4  # Schedule
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ScheduleModal))
        await pilot.press(*"7h")
        await pilot.pause()
        assert "does not divide a day" in app.screen.query_one("#fleet-schedule-preview").render().plain  # type: ignore[attr-defined]
        await pilot.press("enter")  # invalid: nothing happens
        assert isinstance(app.screen, ScheduleModal)
        await pilot.press("backspace", "backspace", *"6h")
        await pilot.pause()
        assert "every 6 hours" in app.screen.query_one("#fleet-schedule-preview").render().plain  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FleetConfirmModal))
        assert app.focused is app.screen.query_one("#no", Button)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, FleetResultsModal), timeout=10)
        assert app.screen.entry.targets[0].outcome == "succeeded"  # type: ignore[attr-defined]
        assert (connection.schedule_kind, connection.schedule_expression) == (
            "cron",
            "0 0 */6 * * ? UTC",
        )
        await pilot.press("u")  # undo straight from the results
        await wait_for(pilot, lambda: isinstance(app.screen, FleetConfirmModal))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, FleetResultsModal), timeout=10)
        assert (connection.schedule_kind, connection.schedule_expression) == before


async def test_menu_offers_pause_or_resume_by_the_connections_state(emulator: RunningEmulator) -> None:
    """An active connection is not offered Resume (a no-op); a paused one is not offered Pause."""
    app = _app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _loaded(pilot, app)
        store = app.watcher.store.connections
        active = next(k for k in screen.table.row_keys() if store[k].state_label == "active")
        paused = next(k for k in screen.table.row_keys() if store[k].state_label == "paused")
        for key, offered, refused, reason in ((active, "pause", "resume", "not paused"), (paused, "resume", "pause", "already paused")):
            screen.table.move_to_key(key)
            await pilot.press("x")
            await wait_for(pilot, lambda: isinstance(app.screen, FleetMenuModal), what="the action menu")
            options = app.screen.query_one(OptionList)
            by_id = {options.get_option_at_index(i).id: options.get_option_at_index(i) for i in range(options.option_count)}
            assert not by_id[offered].disabled
            assert by_id[refused].disabled and reason in str(by_id[refused].prompt)
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, ConnectionsScreen), what="back on the list")
