"""A key footer that rebuilds its keys only when what it shows changed.

Why: Textual's `Footer` recomposes (unmounts and mounts one widget per key,
each styled from the stylesheet) every time the screen's bindings are
refreshed, and a screen refreshes them on every cursor move and table
rebuild. While the first connection list fills, that happened ~25 times for
an identical footer and was the largest share of the first paint's CPU
(bench/startup_trace.py). This footer compares what it would show (keys,
labels, enabled state, tooltips) with what it shows, and skips the rebuild
when they are equal; anything that changes the keys still rebuilds them.

And the keys fit the terminal: Textual lays them out in one row and the ones
past the edge are cut (at 80 columns the connection list showed "/ Filter …
o Browser" and no "? Help"; the Data view showed "esc Ba"). Here keys are
hidden from the end of the row until the rest fits, the help key last of all
(it lists every key), so whatever is shown is whole.

And when it does build its keys, each key starts in the footer's compact state:
Textual's `FooterKey` is born compact, its watcher adds the class (one style
pass), then the footer's binding turns it back (a second pass), two stylesheet
applications per key for nothing (~50 on the first screen).
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

#: Refreshes to wait for freshly built keys to be laid out before fitting them.
FIT_RETRIES = 5


class SteadyFooter(Footer):
    """`Footer` without rebuilds that would show the same keys again."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, classes=classes)
        self._shown: Hashable | None = None
        #: Each key's width as laid out when shown (a hidden key has none to read).
        self._widths: dict[FooterKey, int] = {}
        self._fit_retries = 0

    def shown_signature(self) -> Hashable:
        """Everything `Footer.compose` reads, as one comparable value."""
        app = self.app
        keys = tuple(
            (
                key,
                binding.key,
                app.get_key_display(binding),
                binding.action,
                binding.description,
                binding.show,
                None if binding.group is None else (binding.group.description, binding.group.compact),
                enabled,
                tooltip,
                binding.tooltip,
            )
            for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
        )
        return (
            self._bindings_ready,
            self.show_command_palette,
            self.combine_groups,
            app.ENABLE_COMMAND_PALETTE,
            app.COMMAND_PALETTE_BINDING,
            keys,
        )

    async def recompose(self) -> None:
        if not self.is_attached or self._pruning:
            return  # as `Widget.recompose`: a footer being removed (its screen replaced) reads no bindings
        signature = self.shown_signature()
        if signature == self._shown:
            return  # the same keys are on screen already
        self._shown = signature
        self._widths = {}
        await super().recompose()
        self.call_after_refresh(self.fit_keys)

    def on_resize(self) -> None:
        self.fit_keys()

    def fit_keys(self) -> None:
        """Show the keys that fit whole, in order; hide from the end, the help key last."""
        keys = [key for key in self.query_children(FooterKey) if not key.has_class("-command-palette")]
        if not keys:
            return
        for key in keys:
            if key.display and key.outer_size.width:
                self._widths[key] = key.outer_size.width + key.styles.margin.width
        if any(key not in self._widths for key in keys):
            # Not laid out yet (just rebuilt): measure after the next refresh, a few times at most.
            self._fit_retries += 1
            if self._fit_retries <= FIT_RETRIES:
                self.call_after_refresh(self.fit_keys)
            return
        self._fit_retries = 0
        palette = sum(key.outer_size.width for key in self.query_children(FooterKey) if key.has_class("-command-palette") and key.display)
        room = self.size.width - palette
        shown = {key: True for key in keys}
        used = sum(self._widths[key] for key in keys)
        for key in sorted(reversed(keys), key=lambda k: k.action.endswith("show_help")):  # stable: help last
            if used <= room:
                break
            shown[key] = False
            used -= self._widths[key]
        for key, show in shown.items():
            if key.display != show:
                key.display = show

    def compose(self) -> ComposeResult:
        compact = self.compact
        for widget in super().compose():  # grouped keys pass through here too (yielded inside `with KeyGroup`)
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):  # Textual keeps that one compact
                # Born in the footer's state: no watcher call, no style pass before the mount's own.
                widget.set_reactive(FooterKey.compact, compact)
                widget.set_class(compact, "-compact", update=False)
            yield widget
