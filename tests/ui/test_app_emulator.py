"""Main flows against the real emulator over 127.0.0.1 with the real Airbyte provider."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator
from airsync_tui.service.watcher import Watcher, WatcherConfig
from airsync_tui.ui.app import AirsyncApp, SessionInfo
from airsync_tui.ui.screens.connections import ConnectionsScreen
from airsync_tui.ui.screens.job import JobScreen
from airsync_tui.ui.screens.modals import ConfirmModal
from tests.emulator_helpers import airbyte_provider, quiet_emulator
from tests.ui.conftest import SIZE, notifications, screen_text, wait_for

WATCHER_CONFIG = WatcherConfig(active_interval=0.3, idle_interval=0.5, progress_interval=0.5, detail_interval=0.5)


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    # scheduled jobs would race the tests' own triggers
    yield from quiet_emulator(EmulatorOptions(seed=7, speed=300, big_log_lines=0))


@pytest.fixture(scope="module")
def held_emulator() -> Iterator[RunningEmulator]:
    """Virtual time at x1: a job runs for minutes, so it is still running when the operator cancels it."""
    yield from quiet_emulator(EmulatorOptions(seed=7, speed=1, big_log_lines=0))


def _app(emu: RunningEmulator, **session: object) -> AirsyncApp:
    provider = airbyte_provider(emu)
    return AirsyncApp(Watcher([provider], WATCHER_CONFIG), SessionInfo(profile_name="emulator", **session))  # type: ignore[arg-type]


async def _idle_connection(pilot, app: AirsyncApp) -> str:  # type: ignore[no-untyped-def]
    await wait_for(
        pilot, lambda: isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count > 0, timeout=10, what="connections"
    )
    screen = app.screen
    for key in screen.table.row_keys():
        job = app.watcher.latest_job.get(key)
        connection = app.watcher.connections[key]
        if connection.status == "active" and (job is None or job.status.is_terminal):
            screen.table.move_to_key(key)
            await pilot.pause()
            return key
    raise AssertionError("no idle connection in the demo workspace")


async def test_trigger_on_emulator_runs_to_a_terminal_state(emulator: RunningEmulator) -> None:
    app = _app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        key = await _idle_connection(pilot, app)
        name = app.watcher.connections[key].name
        emulator.world.force_next_outcome(key.split(":", 1)[1], "success")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        assert app.screen.question_text == f"Start a sync of {name}?"
        await pilot.press("y")
        await wait_for(pilot, lambda: bool(app.watcher.triggered), timeout=10, what="trigger")
        job_key = next(iter(app.watcher.triggered))
        screen = app.screen
        assert isinstance(screen, ConnectionsScreen)
        await wait_for(pilot, lambda: app.watcher.latest_job[key].key == job_key, timeout=10)
        await wait_for(pilot, lambda: app.watcher.jobs[job_key].status.is_terminal, timeout=60, what="job to finish")
        final = app.watcher.jobs[job_key].status
        await wait_for(pilot, lambda: final.raw in screen.table.get_cell(key, "last").plain, timeout=5)
        job_id = job_key.split(":", 1)[1]
        await wait_for(
            pilot, lambda: any(f"{job_id} {final.label}" in n for n in notifications(app)), timeout=5, what="terminal notification"
        )
        assert final.raw == "succeeded"


async def test_cancel_on_emulator(held_emulator: RunningEmulator) -> None:
    app = _app(held_emulator)
    async with app.run_test(size=SIZE) as pilot:
        key = await _idle_connection(pilot, app)
        await app.watcher.trigger(key, "sync")
        job_key = next(iter(app.watcher.triggered))
        await wait_for(
            pilot, lambda: app.watcher.latest_job.get(key) is not None and app.watcher.latest_job[key].key == job_key, timeout=10
        )
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal), timeout=5)
        name = app.watcher.connections[key].name
        assert app.screen.question_text == f"Cancel job {job_key.split(':', 1)[1]} of {name}?"
        await pilot.press("y")
        await wait_for(pilot, lambda: app.watcher.jobs[job_key].status.raw == "cancelled", timeout=15, what="cancelled")
        await wait_for(pilot, lambda: "cancelled" in app.screen.table.get_cell(key, "last").plain, timeout=5)


async def test_job_panel_on_emulator_shows_attempts_and_streams(emulator: RunningEmulator) -> None:
    app = _app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count > 0, timeout=10)
        screen = app.screen
        # Rows can paint before the newest jobs arrive: wait for a row that has one.
        await wait_for(
            pilot, lambda: any(k in app.watcher.latest_job for k in screen.table.row_keys()), timeout=10, what="a row with a job"
        )
        key = next(k for k in screen.table.row_keys() if k in app.watcher.latest_job)
        screen.table.move_to_key(key)
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen))
        panel = app.screen
        await wait_for(pilot, lambda: panel.query_one("#attempts").row_count > 0, timeout=10, what="attempts")
        await wait_for(pilot, lambda: panel.query_one("#streams").row_count > 0, timeout=10, what="streams")
        # The tables can fill a frame before the screen repaints them (seen under load): wait for the paint.
        await wait_for(
            pilot,
            lambda: all(word in screen_text(app) for word in ("Attempts", "Streams", "Records")),
            timeout=10,
            what="the attempts and streams painted",
        )
        assert app.watcher.followed == [panel.job_key]
