"""Job panel: a paused connection says so (from the data — enabled/status — for any provider)."""

from __future__ import annotations

from airsync_tui.ui.screens.connections import ConnectionsScreen
from airsync_tui.ui.screens.job import JobScreen
from tests.ui.conftest import SIZE, make_app, screen_text, wait_for
from tests.ui.fakes import FakeProvider, demo_world, hightouch_caps, hightouch_world


async def _open(pilot, app, key: str) -> JobScreen:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count > 0)
    app.screen.table.move_to_key(key)
    await pilot.pause()
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, JobScreen))
    return app.screen


async def test_paused_airbyte_connection_is_marked_and_an_active_one_is_not() -> None:
    connections, jobs = demo_world()
    assert connections[6].state_label == "paused" and connections[2].state_label == "active"
    app = make_app([FakeProvider(connections=connections, jobs=jobs, auto_advance=False)])
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, app, "airbyte:c0006")
        await wait_for(pilot, lambda: "⏸ paused" in screen_text(app), what="paused mark")
        await pilot.press("escape")
        await _open(pilot, app, "airbyte:c0002")
        await wait_for(pilot, lambda: "job 4802" in screen_text(app), what="the active connection's job")
        assert "⏸ paused" not in screen_text(app)


async def test_disabled_hightouch_sync_is_marked_paused() -> None:
    connections, jobs = hightouch_world()
    connections[0] = connections[0].model_copy(update={"status": "disabled", "enabled": False})
    provider = FakeProvider("hightouch", "Hightouch", connections=connections, jobs=jobs, capabilities=hightouch_caps(), auto_advance=False)
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, app, connections[0].key)
        await wait_for(pilot, lambda: "⏸ paused" in screen_text(app), what="paused mark")
