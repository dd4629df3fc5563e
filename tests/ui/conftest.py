"""Shared helpers for the dashboard's Pilot tests.

`screen_text` renders the current screen (with the screens below a modal) to
plain text, the same compositor output `export_screenshot` uses, so tests and
snapshots assert on what an operator would actually read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from textual._compositor import LayoutUpdate
from textual.pilot import Pilot

from airsync_tui.service.watcher import Watcher
from airsync_tui.ui.app import AirsyncApp, SessionInfo
from airsync_tui.ui.screens.connections import ConnectionsScreen
from airsync_tui.ui.screens.job import JobScreen
from tests.ui.fakes import FAST_CONFIG, FROZEN_NOW, FakeProvider, demo_world

SIZE = (140, 40)


def screen_text(app: AirsyncApp) -> str:
    """The screen as plain text, one line per row (trailing spaces dropped).

    Read straight from the compositor's full render: the text of every segment that is not a
    terminal control, row by row. That is what printing the render to a recording Rich console
    and exporting its text gave, without the console's pass over every segment (the tests poll
    this every 0.05 s while they wait, so its cost was a noticeable share of the UI tests' CPU).
    """
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    assert isinstance(update, LayoutUpdate), "a full render is a LayoutUpdate"
    lines = ["".join(segment.text for strip in line for segment in strip if not segment.control).rstrip() for line in update.strips]
    return "\n".join(lines).rstrip() + "\n"


async def wait_for(pilot: Pilot, predicate: Callable[[], bool], timeout: float = 5.0, what: str = "condition") -> None:
    """Poll the UI until `predicate()` holds (the watcher runs on real time)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if predicate():
            return
        await pilot.pause(0.05)
    assert predicate(), f"timed out waiting for {what}"


async def list_shown(pilot: Pilot, app: AirsyncApp, rows: int | None = None, timeout: float = 5.0) -> ConnectionsScreen:
    """The connection list once it shows rows (exactly `rows` of them when given)."""

    def shown() -> bool:
        screen = app.screen
        if not isinstance(screen, ConnectionsScreen):
            return False
        return screen.table.row_count > 0 if rows is None else screen.table.row_count == rows

    await wait_for(pilot, shown, timeout=timeout, what="the connection list's rows" if rows is None else f"{rows} rows")
    screen = app.screen
    assert isinstance(screen, ConnectionsScreen)
    return screen


async def open_job_panel(pilot: Pilot, app: AirsyncApp, connection_key: str, timeout: float = 5.0) -> JobScreen:
    """From the list: put the cursor on `connection_key`'s row and press enter; the job panel it opens."""
    screen = await list_shown(pilot, app, timeout=timeout)
    screen.table.move_to_key(connection_key)
    await pilot.pause()
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, JobScreen), timeout=timeout, what="the job panel")
    panel = app.screen
    assert isinstance(panel, JobScreen)
    return panel


async def type_into(pilot: Pilot, app: AirsyncApp, selector: str, text: str, *, keys: int = 6) -> None:
    """Type `text` into the focused Input `selector`: the first `keys` characters as real key presses
    (checked to have landed there), the rest inserted at the cursor as typing would.

    Why: Pilot waits for the app to go idle after every key (0.1 s or more while a watcher polls),
    so a 60-character SQL query cost 7 s of waiting; a typed prefix still proves the keys reach the field.
    """
    from textual.widgets import Input

    await pilot.press(*text[:keys])
    field = app.screen.query_one(selector, Input)
    assert field.has_focus and field.value == text[:keys], (field.has_focus, field.value)
    field.insert_text_at_cursor(text[keys:])
    await pilot.pause()
    assert field.value == text


def notifications(app: AirsyncApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def make_app(
    providers: list[FakeProvider] | None = None,
    *,
    session: SessionInfo | None = None,
    live_clock: bool = False,
    **kwargs: object,
) -> AirsyncApp:
    if providers is None:
        connections, jobs = demo_world()
        providers = [FakeProvider(connections=connections, jobs=jobs, auto_advance=False)]
    watcher = Watcher(providers, FAST_CONFIG)
    return AirsyncApp(
        watcher,
        session or SessionInfo(profile_name="test"),
        clock=lambda: FROZEN_NOW,
        live_clock=live_clock,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
def demo_provider() -> FakeProvider:
    connections, jobs = demo_world()
    return FakeProvider(connections=connections, jobs=jobs, auto_advance=False)
