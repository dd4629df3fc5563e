"""The first frame the operator sees is the list, and no frame is rendered only to be thrown away.

Why (issue 7, first screen): the connection list used to be pushed from the app's
`on_mount`, while Textual still held its start-up batch. Its first frame, rows
included (the first page is in the store by then: cli/early_watch.py), was
rendered and discarded, and the list appeared one layout-and-render later. And a
screen that re-read the store before the app had applied the watcher's pending
events showed rows the header had not counted yet (one frame, two answers).
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual.app import App

from airsync_tui.service.events import Event, JobStatusChanged
from airsync_tui.ui.screens.connections import ConnectionsScreen
from tests.ui.conftest import list_shown, make_app, screen_text, wait_for
from tests.ui.fakes import FakeProvider, airbyte_job_status, demo_world


async def test_first_frame_after_start_up_is_the_populated_list(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    frames: list[tuple[bool, int]] = []  # (rendered inside a batch, i.e. thrown away; rows in the list)
    original = App._display

    def recording(self: App[Any], screen: Any, renderable: Any) -> None:
        if renderable is not None:
            rows = screen.table.row_count if isinstance(screen, ConnectionsScreen) else -1
            frames.append((self._batch_count > 0, rows))
        original(self, screen, renderable)

    monkeypatch.setattr(App, "_display", recording)
    app = make_app()  # subscribes to its watcher when built, as the app `airsync` runs does
    # As `airsync` starts (cli/early_watch.py): the first page is in the store before the app runs.
    await app.watcher.start()
    for _ in range(200):
        if all(app.watcher.store.loaded.values()):
            break
        await asyncio.sleep(0.01)
    assert all(app.watcher.store.loaded.values())
    async with app.run_test(size=(200, 50)) as pilot:
        await list_shown(pilot, app, rows=8)
        await pilot.pause()
        assert frames, "no frame was painted"
        thrown_away = [frame for frame in frames if frame[0]]
        assert thrown_away == []
        assert frames[0] == (False, 8)  # the very first frame painted shows the rows
        assert app.screen_stack[0] is app.screen  # the list is the bottom of the stack


async def test_rows_and_header_agree_when_the_list_rereads_the_store() -> None:
    connections, jobs = demo_world()
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=False)
    app = make_app([provider])
    applied: list[Event] = []
    async with app.run_test(size=(160, 30)) as pilot:
        screen = await list_shown(pilot, app, rows=8)
        original = screen.apply_events

        def recording(events: list[Event]) -> None:
            applied.extend(events)
            original(events)

        screen.apply_events = recording  # type: ignore[method-assign]
        # Hold the app's consumer: the poller keeps writing the store, its events wait.
        app.workers.cancel_group(app, "watcher-events")
        await pilot.pause()
        succeeded = jobs[0]
        provider.set_job(
            succeeded.model_copy(update={"status": airbyte_job_status("failed"), "error": "source · config_error: bad password"})
        )
        key = f"airbyte:{succeeded.connection_id}"
        await wait_for(pilot, lambda: app.watcher.store.latest_job[key].status.category.value == "failed", what="the store")
        assert applied == []  # nothing applied yet
        # A resize re-lays out the list, which re-reads the store: the events are applied first.
        await pilot.resize_terminal(120, 30)
        await pilot.pause()
        assert any(isinstance(event, JobStatusChanged) and event.job.connection_key == key for event in applied)
        assert screen_text(app).count("✘ failed") == 2
        # The consumer, back, finds nothing left: no event is applied twice.
        count = len(applied)
        app._consume_events()  # noqa: SLF001
        await pilot.pause(0.3)
        assert len(applied) == count


async def test_every_header_painted_at_80_columns_fits_and_names_each_provider(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The first frame's header at 80 columns was the full-width line cropped: "airsync  embedded emulator on
    http://127.0.0.1:46653  demo  Airbyte ● ok", no Hightouch, no counts, beside rows of both providers
    (it was laid out when `show` first ran, before the bar had a width)."""
    from airsync_tui.ui.app import SessionInfo
    from airsync_tui.ui.widgets.header import HeaderBar

    painted: list[tuple[int, str]] = []
    original = HeaderBar.render

    def recording(self: HeaderBar) -> Any:
        result = original(self)
        painted.append((self.size.width, str(result)))
        return result

    monkeypatch.setattr(HeaderBar, "render", recording)
    connections, jobs = demo_world()
    airbyte = FakeProvider(connections=connections, jobs=jobs, auto_advance=False)
    hightouch = FakeProvider("hightouch", "Hightouch", connections=[], jobs=[], auto_advance=False)
    session = SessionInfo(profile_name="demo", demo=True, workspace_label="embedded emulator on http://127.0.0.1:46653")
    app = make_app([airbyte, hightouch], session=session)
    await app.watcher.start()
    for _ in range(200):
        if all(app.watcher.store.loaded.values()):
            break
        await asyncio.sleep(0.01)
    async with app.run_test(size=(80, 24)) as pilot:
        await list_shown(pilot, app, rows=8)
        await pilot.pause()
    assert painted, "no header was painted"
    for width, text in painted:
        assert width == 80
        assert len(text) <= width, text
        assert "Airbyte" in text and "Hightouch" in text, text
        assert "8 ·" in text, text  # the connection count
