"""A Footer that rebuilds its keys once per burst of binding changes.

Textual's Footer recomposes (creating and styling a widget per key) on every
`bindings_updated` signal. At start-up a screen sends several in a row
(focus set, screen stack update, app focus), and each recompose restyles all
keys: on a slow machine that is a visible part of the time to the first
populated screen. Coalescing: while a recompose is already scheduled, further
signals only mark the bindings ready; the one recompose reads the latest
bindings anyway.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class CoalescingFooter(Footer):
    """`Footer` with at most one pending recompose."""

    _recompose_pending = False

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not (self.is_attached and screen is self.screen):
            return  # the same conditions under which Footer would not recompose
        if self._recompose_pending:
            return
        self._recompose_pending = True
        self.call_after_refresh(self.recompose)

    async def recompose(self) -> None:
        self._recompose_pending = False
        await super().recompose()


__all__ = ["CoalescingFooter"]
