"""The one-line header: where am I, may I act, is the API healthy, what is wrong.

Operators glance at it before anything else, so it answers four questions in
a fixed order: profile/workspace, read-only, per-provider API health (ok /
retrying in N s / auth failed / unreachable) and counts (connections,
running, failing: an open failure streak, the same count as the Alerts
screen and triage). It re-renders only when its text changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.widget import Widget

from airsync_tui.service.events import ApiHealthChanged, HealthState
from airsync_tui.textfmt import counted
from airsync_tui.ui.formatting import Palette, clean

#: The word of the demo badge; a profile or workspace named so is not repeated.
DEMO_WORD = "demo"


@dataclass(frozen=True)
class HeaderState:
    """Everything the header shows (built by the app from the watcher)."""

    profile: str
    workspace: str | None
    read_only: bool
    demo: bool
    health: tuple[tuple[str, ApiHealthChanged], ...]  # (display name, state)
    connections: int
    running: int
    #: Connections whose failure streak is open (`service.problems.failing_connections`).
    failed: int
    title: str = ""
    alerts: int = 0  # open alerts of the rules engine


def health_text(event: ApiHealthChanged, now: datetime) -> str:
    """ "ok", "retrying in 4 s", "auth failed", "unreachable", "connecting"."""
    state = event.state
    if state == HealthState.RETRYING:
        if event.retry_in is None:
            return "retrying"
        left = max(0, round(event.retry_in - (now - event.at).total_seconds()))
        return f"retrying in {left} s" if left else "retrying now"
    return {
        HealthState.OK: "ok",
        HealthState.DEGRADED: "degraded",
        HealthState.AUTH_FAILED: "auth failed",
        HealthState.UNREACHABLE: "unreachable",
        HealthState.CONNECTING: "connecting…",
    }[state]


def _health_style(state: HealthState, palette: Palette) -> tuple[str, str]:
    if state == HealthState.OK:
        return "●", palette.ok
    if state == HealthState.CONNECTING:
        return "◌", palette.muted
    if state in (HealthState.RETRYING, HealthState.DEGRADED):
        return "◐", palette.retrying
    return "✘", palette.failed


def render_header(state: HeaderState, palette: Palette, now: datetime, width: int | None = None) -> Text:
    """The header line; at `width` columns every provider's health stays visible.

    What gives way first when the line is too long: the workspace label is
    shortened, then dropped, then the counts shrink to their numbers.
    """
    full = _render_header(state, palette, now, workspace=state.workspace, compact=False)
    if width is None or full.cell_len <= width:
        return full
    without = _render_header(state, palette, now, workspace=None, compact=False)
    room = width - without.cell_len - 3
    if state.workspace and room >= 12:
        label = clean(state.workspace)
        return _render_header(state, palette, now, workspace=label[: room - 1] + "…", compact=False)
    if without.cell_len <= width:
        return without
    # Narrow: the counts shrink to their numbers; then a healthy provider is its green dot alone, so the
    # open alerts still show (at 80 columns they were the first thing dropped: "1 failing", but not the
    # stale or stalled connections behind "4 alerts").
    for tight in (False, True):
        compact = _render_header(state, palette, now, workspace=None, compact=True, tight=tight, alerts=True)
        if compact.cell_len <= width:
            return compact
    return _render_header(state, palette, now, workspace=None, compact=True)


def _render_header(
    state: HeaderState,
    palette: Palette,
    now: datetime,
    *,
    workspace: str | None,
    compact: bool,
    tight: bool = False,
    alerts: bool = False,
) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    text.append(" airsync ", style="bold reverse")
    if state.title:
        text.append("  ")
        text.append(clean(state.title), style="bold")
    profile = clean(state.profile)
    # Each fact once: the demo badge already says "demo", so a profile (or
    # workspace) of that name would only repeat it ("demo demo").
    if state.demo and profile == DEMO_WORD:
        profile = ""
    if workspace and state.demo and clean(workspace) == DEMO_WORD:
        workspace = None
    if profile:
        text.append(" " if compact else "  profile ", style=palette.muted)
        text.append(profile, style="bold")
    if workspace:
        text.append(" · " if profile else "  ", style=palette.muted)
        text.append(clean(workspace))
    if state.demo:
        text.append("  ")
        text.append(" demo ", style=f"reverse {palette.running}")
    if state.read_only:
        text.append("  ")
        text.append(" read-only ", style=f"bold reverse {palette.retrying}")
    for name, event in state.health:
        icon, style = _health_style(event.state, palette)
        text.append("  " if tight else "   ")
        text.append(f"{clean(name)} ", style="bold")
        if tight and event.state == HealthState.OK:
            text.append(icon, style=style)  # the green dot says "ok"; any other state keeps its words
        else:
            text.append(f"{icon} {health_text(event, now)}", style=style)
        if event.state in (HealthState.AUTH_FAILED, HealthState.UNREACHABLE, HealthState.DEGRADED) and event.message and not compact:
            text.append(f" ({clean(event.message)[:60]})", style=palette.muted)
    text.append("   ")
    if compact:  # the counts shrink to their numbers
        text.rstrip()
        text.append("  ")
    text.append(f"{state.connections:,}" if compact else counted(state.connections, "connection"), style="")
    text.append(" · ", style=palette.muted)
    text.append(f"{state.running} {'run' if compact else 'running'}", style=palette.running if state.running else palette.muted)
    text.append(" · ", style=palette.muted)
    text.append(f"{state.failed} failing", style=palette.failed if state.failed else palette.muted)
    if state.alerts and (alerts or not compact):
        text.append(" · ", style=palette.muted)
        text.append(f"{counted(state.alerts, 'alert')} (A)", style=f"bold {palette.failed}")
    return text


class HeaderBar(Widget):
    """Docked top line; `show(state)` is cheap when nothing changed.

    The line is laid out for the width it is painted at (`render`), not the one
    known when `show` ran: the first `show` comes before the first layout, when
    the bar has no width yet, and its full-width line, cropped at 80 columns, was
    the first frame's header (one provider's health, no counts, beside rows of both).
    """

    DEFAULT_CSS = """
    HeaderBar { dock: top; height: 1; background: $panel; color: $foreground; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._last: tuple[str, tuple[object, ...], int] | None = None
        self._args: tuple[HeaderState, Palette, datetime] | None = None
        #: The line last laid out: for these arguments, at this width (`show` and the paint after it share it).
        self._laid_out: tuple[tuple[HeaderState, Palette, datetime], int, Text] | None = None

    def show(self, state: HeaderState, palette: Palette, now: datetime) -> None:
        self._args = (state, palette, now)
        text = self._text()
        sig = (text.plain, tuple(text.spans), self.size.width)
        if sig != self._last:
            self._last = sig
            self.refresh()  # docked, one line high: the size never changes

    def render(self) -> Text:
        return self._text()

    def _text(self) -> Text:
        args, width = self._args, self.size.width
        if args is None:
            return Text("")
        laid_out = self._laid_out
        if laid_out is not None and laid_out[0] is args and laid_out[1] == width:
            return laid_out[2]
        text = render_header(*args, width or None)
        self._laid_out = (args, width, text)
        return text

    @property
    def plain(self) -> str:
        return self._text().plain
