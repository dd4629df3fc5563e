"""Live per-stream run state in the job panel, with a countdown for rate-limited streams.

Shows each stream as pending / running / complete / incomplete (with the
cause) / rate limited "quota resets in 1m 12s", so a stream reads done as
soon as it is done (the Airbyte web UI says "Syncing" until the whole job
ends). Lives in its own module and only needs `connection_key` / `job_key`
on its screen: the job panel hooks it in with one `yield`.

Fetching runs in a worker every few seconds while the job runs (one request);
the countdown re-renders from the app's one clock every second.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text
from textual import work
from textual.message import Message
from textual.widgets import Static

from airsync_tui.models.stream_state import StreamState
from airsync_tui.service.stream_states import load_stream_states, states_from_detail, with_counts
from airsync_tui.ui.formatting import Palette, clean

POLL_SECONDS = 2.5

_SYMBOL = {
    "pending": "○",
    "running": "◐",
    "rate_limited": "⏸",
    "complete": "●",
    "incomplete": "✘",
}
_WORD = {
    "pending": "pending",
    "running": "running",
    "rate_limited": "rate limited",
    "complete": "complete",
    "incomplete": "incomplete",
}


def countdown(reset: datetime | None, now: datetime) -> str:
    """ "quota resets in 2m 05s" / "quota reset due" (never negative)."""
    if reset is None:
        return "waiting for API quota"
    seconds = int((reset - now).total_seconds())
    if seconds <= 0:
        return "quota reset due"
    if seconds >= 3600:
        return f"quota resets in {seconds // 3600}h {seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"quota resets in {seconds // 60}m {seconds % 60:02d}s"
    return f"quota resets in {seconds}s"


def _style(state: str, palette: Palette) -> str:
    return {
        "complete": palette.ok,
        "running": palette.running,
        "rate_limited": palette.retrying,
        "incomplete": palette.failed,
    }.get(state, palette.muted)


def render_stream_states(states: list[StreamState], now: datetime, palette: Palette) -> Text:
    """One line per stream; a summary line first (3/6 complete · 1 rate limited)."""
    if not states:
        return Text("")
    done = sum(1 for s in states if s.state == "complete")
    limited = sum(1 for s in states if s.state == "rate_limited")
    head = f"Stream states: {done}/{len(states)} complete"
    if limited:
        head += f" · {limited} rate limited"
    if any(s.derived for s in states):
        head += " (from counts: this server reports no stream statuses)"
    text = Text(head, style="bold")
    width = max(len(clean(s.label)) for s in states)
    for state in states:
        style = _style(state.state, palette)
        text.append("\n")
        text.append(f" {_SYMBOL.get(state.state, '?')} ", style=style)
        text.append(clean(state.label).ljust(width + 2))
        text.append(_WORD.get(state.state, clean(state.state)), style=style)
        if state.state == "rate_limited":
            text.append(f"  {countdown(state.quota_reset, now)}", style=style)
        elif state.state == "incomplete" and state.cause:
            text.append(f"  ({state.cause})", style=palette.muted)
        if state.records is not None and state.state in ("running", "rate_limited"):
            total = f" / {state.estimated:,}" if state.estimated else ""
            text.append(f"  {state.records:,}{total} records", style=palette.muted)
    return text


class StreamStatesPanel(Static):
    """Polls and renders the stream states of the job on its screen."""

    class Changed(Message):
        """A stream's state changed (e.g. it completed): the Streams table beside the panel shows it too."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        #: What is shown: the server's states with the counts of the detail held now, or states derived from it.
        self.states: list[StreamState] = []
        #: The server's own states for the job (None: this provider/server reports none, so they are derived).
        self._server_states: list[StreamState] | None = None
        self._job_key: str | None = None
        self._asking: str | None = None  # the job whose states a started refresh is fetching

    def on_mount(self) -> None:
        self.display = False
        self.set_interval(1.0, self._render_now, name="stream-states-clock")
        self.set_interval(POLL_SECONDS, self.refresh_states, name="stream-states-poll")
        self.refresh_states()

    def _target(self) -> tuple[str | None, str | None]:
        screen: Any = self.screen
        return getattr(screen, "connection_key", None), getattr(screen, "job_key", None)

    @work(exclusive=True, group="stream-states", exit_on_error=False)
    async def refresh_states(self) -> None:
        app: Any = self.app
        connection_key, job_key = self._target()
        if connection_key is None or job_key is None:
            return
        watcher = app.watcher
        detail = watcher.store.details.get(job_key)
        job = watcher.store.jobs.get(job_key)
        if job is not None and job.status.is_terminal and self._job_key == job_key and self.states:
            return  # finished and already shown: nothing moves any more
        latest = watcher.store.latest_job.get(connection_key)
        newest = latest is not None and latest.key == job_key
        provider = watcher.provider_for_key(connection_key) if newest else None
        try:
            states = await load_stream_states(provider, connection_key.split(":", 1)[1], detail)
        except Exception:  # noqa: BLE001 - the table above still shows counts
            return
        if self._target()[1] != job_key:
            return
        self._job_key = job_key
        self._server_states = states if states and not any(state.derived for state in states) else None
        self._render_now()

    def _render_now(self, *, only_if_changed: bool = False) -> None:
        """Paint the states with the counts of the job detail the store holds now (the Streams table's).

        `only_if_changed`: skip the repaint when the states are the ones shown (the job panel asks on
        every event batch; the once-a-second clock repaint keeps countdowns moving).
        """
        app: Any = self.app
        shown = self.states
        job_key = self._target()[1]
        detail = app.watcher.store.details.get(job_key) if job_key else None
        if job_key is None or job_key != self._job_key:
            self.states = []  # not asked yet for this job: the server's states may differ from derived ones
            if job_key is not None and self._asking != job_key:
                self._asking = job_key
                self.refresh_states()  # the panel now shows another job (or its key just became known)
        elif self._server_states is not None:
            self.states = with_counts(self._server_states, detail)
        else:
            self.states = states_from_detail(detail) if detail is not None else []
        if only_if_changed and self.states == shown:
            return
        if [(state.label, state.state) for state in self.states] != [(state.label, state.state) for state in shown]:
            self.post_message(self.Changed())
        self.display = bool(self.states)
        if self.states:
            self.update(render_stream_states(self.states, app.clock(), app.palette))

    def completed(self) -> frozenset[str]:
        """Labels of the streams shown complete (`namespace.name`, or the name)."""
        return frozenset(state.label for state in self.states if state.state == "complete")

    def refresh_counts(self) -> None:
        """The job detail changed (the Streams table is being repainted): repaint with its counts."""
        if self.is_mounted:
            self._render_now(only_if_changed=True)
