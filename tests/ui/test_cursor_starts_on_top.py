"""The cursor starts on the first row and stays there until the operator moves it (issue 7).

One provider often answers before another: its rows land first and the
cursor sits on its first row; then the other provider's rows sort in above.
A cursor that "followed its row" ended up on row 2 of a list nobody had
touched yet, so Enter opened a connection the operator never chose.
"""

from __future__ import annotations

import asyncio

from airsync_tui.models.domain import Connection
from tests.ui.conftest import list_shown, make_app
from tests.ui.fakes import FakeProvider, demo_world, hightouch_caps


class _SlowFirstAnswer(FakeProvider):
    """A provider whose connection list waits until the test lets it answer."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.answer = asyncio.Event()

    async def list_connections(self) -> list[Connection]:
        await self.answer.wait()
        return await super().list_connections()


def _providers() -> tuple[_SlowFirstAnswer, FakeProvider]:
    airbyte_connections, airbyte_jobs = demo_world("airbyte")
    slow = _SlowFirstAnswer(connections=airbyte_connections, jobs=airbyte_jobs, auto_advance=False)
    ht_connections, ht_jobs = demo_world("hightouch")
    # Names that sort after every Airbyte name: its rows land below the late ones.
    ht_connections = [c.model_copy(update={"name": f"zz {c.name}"}) for c in ht_connections]
    hightouch = FakeProvider(
        "hightouch", "Hightouch", connections=ht_connections, jobs=ht_jobs, capabilities=hightouch_caps(), auto_advance=False
    )
    return slow, hightouch


async def test_rows_landing_above_an_untouched_cursor_leave_it_on_the_first_row() -> None:
    slow, hightouch = _providers()
    app = make_app([slow, hightouch])
    async with app.run_test(size=(200, 50)) as pilot:
        screen = await list_shown(pilot, app, rows=len(hightouch.connections))
        table = screen.table
        assert table.cursor_row == 0
        slow.answer.set()
        total = len(hightouch.connections) + len(slow.connections)
        await list_shown(pilot, app, rows=total)
        await pilot.pause()
        assert table.cursor_row == 0
        assert table.cursor_key() == table.row_keys()[0]
        assert table.row_keys()[0].startswith("airbyte:")  # the late rows really sorted in above


async def test_a_placed_cursor_follows_its_row_when_rows_land_above() -> None:
    slow, hightouch = _providers()
    app = make_app([slow, hightouch])
    async with app.run_test(size=(200, 50)) as pilot:
        screen = await list_shown(pilot, app, rows=len(hightouch.connections))
        table = screen.table
        await pilot.press("j")
        chosen = table.cursor_key()
        assert chosen is not None and table.cursor_row == 1
        slow.answer.set()
        await list_shown(pilot, app, rows=len(hightouch.connections) + len(slow.connections))
        await pilot.pause()
        assert table.cursor_key() == chosen
        assert table.cursor_row == len(slow.connections) + 1
