"""Keys typed in one burst after the key that opens an input box all land in the box.

Why: the app routes each key to the widget focused when it reads the key, and
`Widget.focus` moves focus only on a later turn of the loop. "/snow" typed fast
(one read from the terminal: the keys arrive together) sent "snow" to the
connection list, where `s` is Sync and `o` opens the browser. The keys are posted
here all at once, as the terminal driver posts them, without Pilot's per-key wait.
"""

from __future__ import annotations

from textual import events
from textual.app import App
from textual.widgets import Input

from airsync_tui.ui.screens.modals import ConfirmModal
from tests.ui.conftest import list_shown, make_app, wait_for
from tests.ui.test_log_view import LogApp, _feed, _wait_loaded


def _burst(app: App[None], text: str) -> None:
    names = {"/": "slash", " ": "space"}
    for char in text:
        app.post_message(events.Key(names.get(char, char), char))


async def test_filter_typed_in_one_burst_goes_to_the_filter_not_to_the_list_keys() -> None:
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await list_shown(pilot, app, rows=8)
        box = screen.query_one("#filter", Input)
        _burst(app, "/snow")
        await wait_for(pilot, lambda: box.value == "snow", what="the filter text")
        await pilot.pause(0.2)
        assert box.value == "snow"
        assert not isinstance(app.screen, ConfirmModal)  # `s` did not ask to sync
        # "/" typed inside the open filter is a character of the filter.
        _burst(app, "/x")
        await wait_for(pilot, lambda: box.value == "snow/x", what="a slash in the filter")


async def test_log_search_typed_in_one_burst_goes_to_the_search_box() -> None:
    app = LogApp(_feed())
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await _wait_loaded(pilot, app)
        box = screen.query_one("#log-search", Input)
        _burst(app, "/users")
        await wait_for(pilot, lambda: box.value == "users", what="the search text")
        await pilot.pause(0.2)
        assert box.value == "users"
