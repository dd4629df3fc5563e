"""Typed bases for the dashboard's screens.

Why: screens used to reach the app untyped (`self.app.watcher` behind an ignore comment)
and the app found screen hooks by `hasattr`, so a renamed hook or a typo
failed silently at run time. Here:

* `AirsyncScreen` types `self.app` as `AirsyncApp` (for the type checker only;
  at run time it is Textual's own property);
* `LiveScreen` is the one contract for screens that follow the watcher:
  `apply_events` (a batch of watcher events), `on_clock_tick` (once a second),
  `on_theme_changed`, and read-only gating of the keys the binding registry
  marks `mutating` (shown disabled, and explained when pressed).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, ClassVar

from textual.events import Key
from textual.screen import Screen
from textual.widgets import Input

from airsync_tui.service.events import Event
from airsync_tui.ui.bindings import specs_for

if TYPE_CHECKING:
    from airsync_tui.ui.app import AirsyncApp


class AirsyncScreen(Screen[None]):
    """A full screen of the dashboard; `self.app` is the `AirsyncApp`."""

    if TYPE_CHECKING:

        @property
        def app(self) -> AirsyncApp:  # type: ignore[override]  # narrower than Textual's App: these screens only run in AirsyncApp
            ...


class LiveScreen(AirsyncScreen):
    """A screen that follows the watcher: the app calls these hooks on every screen in the stack."""

    scope: ClassVar[str] = "app"  # the binding registry's scope of this screen's keys

    def apply_events(self, events: list[Event]) -> None:
        """A batch of watcher events arrived (called inside the app's batch update)."""

    def on_clock_tick(self) -> None:
        """One second passed on the app's clock (ages, elapsed times, spinners)."""

    def on_theme_changed(self) -> None:
        """The theme changed: re-render anything coloured from the palette."""

    def go_back(self) -> bool:
        """Escape pressed: True when the screen handled it itself (e.g. cleared a filter)."""
        return False

    # ------------------------------------------------------------ read-only gating
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Mutating actions are shown disabled (None) in a read-only session."""
        if action in _mutating_actions(self.scope) and self.app.is_read_only:
            return None
        return True

    def on_key(self, event: Key) -> None:
        """A disabled mutating key still explains itself (its binding did not run)."""
        if event.key in _mutating_keys(self.scope) and self.app.is_read_only and not isinstance(self.focused, Input):
            event.stop()
            self.app.refuse_if_read_only("cancelling" if event.key == "c" else "triggering")


def open_input(screen: Screen[None], box: Input, key_text: str) -> None:
    """Show `box` and give it the keys from now on; if it has them already, type `key_text` into it.

    Why: the app routes each key to the widget focused when the app reads it,
    and `Widget.focus` only moves focus on a later turn of the loop. Keys typed
    in one burst ("/snow") were all routed before the box had focus, so "snow"
    went to the list, where `s` is Sync. The key that opens the box is a
    priority binding (the app runs it before routing the next key) and focus
    moves here at once. Being a priority binding, it also fires while the box
    has focus: then it is just a character typed into the box.
    """
    if screen.focused is box:
        box.insert_text_at_cursor(key_text)
        return
    box.display = True
    screen.set_focus(box)


@cache
def _mutating_actions(scope: str) -> frozenset[str]:
    return frozenset(spec.action for spec in specs_for(scope) if spec.mutating)


@cache
def _mutating_keys(scope: str) -> frozenset[str]:
    return frozenset(spec.key for spec in specs_for(scope) if spec.mutating)


__all__ = ["AirsyncScreen", "LiveScreen", "open_input"]
