"""The footer offers what the row under the cursor can do, from the first screen on (issue 7).

Rows arrive under a cursor that does not move: the first page lands in an
empty table, later pages and re-sorts put another provider's row under the
same cursor position. No `RowHighlighted` fires then, so a footer that only
followed highlights kept the keys it computed for the empty table (`c Cancel`
shown on a Hightouch row, which has no cancel API).
"""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from airsync_tui.ui.screens.connections import ConnectionsScreen
from airsync_tui.ui.widgets.footer import SteadyFooter
from tests.ui.conftest import list_shown, make_app, wait_for
from tests.ui.fakes import FakeProvider, demo_world, hightouch_caps


def _offers_cancel(screen: ConnectionsScreen) -> bool:
    return "cancel_job" in [key.action for key in screen.query_one(SteadyFooter).query(FooterKey)]


def _hightouch() -> FakeProvider:
    connections, jobs = demo_world("hightouch")
    return FakeProvider("hightouch", "Hightouch", connections=connections, jobs=jobs, capabilities=hightouch_caps(), auto_advance=False)


async def test_first_rows_of_a_provider_without_cancel_do_not_offer_cancel() -> None:
    app = make_app([_hightouch()])
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count > 0,
            what="the first rows",
        )
        screen = app.screen
        assert isinstance(screen, ConnectionsScreen)
        await pilot.pause()
        await pilot.pause()
        assert screen.table.cursor_key() is not None
        assert not _offers_cancel(screen)


async def test_footer_matches_the_provider_of_the_row_under_a_still_cursor() -> None:
    airbyte_connections, airbyte_jobs = demo_world("airbyte")
    airbyte = FakeProvider(connections=airbyte_connections, jobs=airbyte_jobs, auto_advance=False)
    hightouch = _hightouch()
    app = make_app([airbyte, hightouch])
    async with app.run_test(size=(200, 50)) as pilot:
        total = len(airbyte_connections) + len(hightouch.connections)
        screen = await list_shown(pilot, app, rows=total)
        await pilot.pause()
        await pilot.pause()
        table = screen.table
        names = {"airbyte": "Airbyte", "hightouch": "Hightouch"}
        for _ in range(2):  # a filter that hides the cursor's row puts another provider's row under it
            first = table.cursor_key()
            assert first is not None
            provider = first.split(":", 1)[0]
            other = next(name for name in names if name != provider)
            screen.filter_text = f"!{names[provider].lower()}"
            screen._apply_view()
            await pilot.pause()
            await pilot.pause()
            key = table.cursor_key()
            assert key is not None and key.split(":", 1)[0] == other
            expected = other == "airbyte"  # Airbyte cancels, the fake Hightouch cannot
            assert _offers_cancel(screen) is expected, f"footer with the cursor on {key}"
            screen.filter_text = ""
            screen._apply_view()
            await pilot.pause()
