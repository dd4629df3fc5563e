"""The app is styled once, with its own theme, before its first frame (startup speed, issue 7).

Setting the theme in `on_mount` used to restyle the whole app after Textual had
styled it with its default theme: one more parse of every stylesheet and a
re-render of every row (theme-changed signal) before the first frame. The theme
is now known to the stylesheet from the start. Checked: no CSS refresh and no
theme-changed signal up to the populated list, the app's theme classes are
right, the rows use that theme's palette, and a light start works the same way.
"""

from __future__ import annotations

import pytest
from textual.color import Color

from airsync_tui.ui.app import AirsyncApp
from airsync_tui.ui.screens.connections import ConnectionsScreen
from airsync_tui.ui.themes import DARK_THEME, LIGHT_THEME, palette_for
from tests.ui.conftest import make_app, wait_for


@pytest.mark.parametrize("theme", [DARK_THEME, LIGHT_THEME], ids=lambda theme: theme.name)
async def test_first_frame_is_styled_once_with_the_apps_theme(monkeypatch, theme) -> None:  # type: ignore[no-untyped-def]
    refreshes: list[str] = []
    signals: list[str] = []
    original = AirsyncApp.refresh_css

    def counting(self: AirsyncApp, animate: bool = True) -> None:
        refreshes.append(self.theme)
        original(self, animate)

    monkeypatch.setattr(AirsyncApp, "refresh_css", counting)
    app = make_app(theme=theme.name)
    async with app.run_test(size=(200, 50)) as pilot:
        app.theme_changed_signal.subscribe(app, lambda changed: signals.append(changed.name))
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count > 0,
            what="the rows",
        )
        await pilot.pause()
        assert app.theme == theme.name
        assert app.current_theme.dark is theme.dark
        assert app.has_class(f"-theme-{theme.name}")
        assert app.has_class("-dark-mode") is theme.dark and app.has_class("-light-mode") is not theme.dark
        # The stylesheet was built with this theme's variables (the screen's background is the theme's).
        assert app.screen.styles.background == Color.parse(theme.background)
        # The rows were rendered with this theme's palette (not re-rendered after a late switch).
        palette = palette_for(theme.dark)
        screen = app.screen
        assert isinstance(screen, ConnectionsScreen)
        succeeded = [cells["last"] for cells in screen._cells.values() if "succeeded" in cells["last"].plain]
        assert succeeded and {str(cell.style) for cell in succeeded} == {palette.succeeded}
        assert refreshes == [] and signals == []
        # And a later switch still restyles (the signal and the CSS refresh are only skipped at start).
        app.action_toggle_theme()
        await pilot.pause()
        await pilot.pause()
        assert app.theme != theme.name
        assert refreshes and signals
