"""Timeline of one connection, and the workspace-wide pulse.

TimelineScreen: the server's connection event log (Airbyte config API) or, on
servers without it and for Hightouch, a timeline built from jobs/runs: what
ran and how it ended, what changed (settings, schema, connector version),
enabled/disabled with the reason, and who acted. The selected event's details
are fetched (`events/get`) in a worker; `enter` on a job event opens the job.

PulseScreen: the last things that happened anywhere, newest first, refreshed
every few seconds at a constant cost per provider.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Static

from airsync_tui.models.timeline import Timeline, TimelineEvent
from airsync_tui.service.timeline import (
    TimelineFeed,
    connection_timeline,
    workspace_pulse,
)
from airsync_tui.textfmt import age, counted, duration
from airsync_tui.ui.bindings import bindings_for
from airsync_tui.ui.formatting import Palette, clean, plain
from airsync_tui.ui.screens.base import AirsyncScreen
from airsync_tui.ui.styles import stylesheet_path
from airsync_tui.ui.widgets.fitted_columns import FitColumn, FittedColumns, Row
from airsync_tui.ui.widgets.footer import SteadyFooter
from airsync_tui.ui.widgets.header import HeaderBar

TIMELINE_REFRESH_SECONDS = 10.0
PULSE_REFRESH_SECONDS = 5.0


def event_style(event: TimelineEvent, palette: Palette) -> str:
    if event.is_failure:
        return palette.failed
    if event.status == "succeeded" or event.status == "enabled":
        return palette.ok
    if event.status in ("cancelled", "running", "started"):
        return palette.retrying
    return palette.muted


def event_title(event: TimelineEvent, palette: Palette) -> Text:
    return plain(event.title, event_style(event, palette))


class _EventsScreen(AirsyncScreen):
    """Shared table + detail pane: subclasses name their title, columns, refresh period and `load`."""

    CSS_PATH = str(stylesheet_path("triage"))
    #: Shown until the first load answers.
    loading_title = "Loading…"
    #: In display order; which show and how wide depends on the terminal (`ui/widgets/fitted_columns.py`).
    columns: ClassVar[tuple[FitColumn, ...]] = ()
    #: One request per refresh, on a timer (never per watcher event).
    refresh_seconds: ClassVar[float] = 30.0

    def __init__(self) -> None:
        super().__init__()
        self.events: list[TimelineEvent] = []
        #: The rows last shown, cells by column key: re-laid out on resize without a reload.
        self._rows: list[Row] = []
        self._columns = FittedColumns(self.columns, leave_out_empty=True)

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        yield Static(self.loading_title, id="timeline-title", markup=False)
        yield DataTable(id="events", cursor_type="row", zebra_stripes=True)
        yield Static("", id="event-detail")
        yield SteadyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#events", DataTable)
        self._columns.plan(table, self.app.size.width, self._rows)
        table.focus()
        self.load()
        self.set_interval(self.refresh_seconds, self.load, name=f"{type(self).__name__}-refresh")
        self.app.refresh_headers()

    def load(self) -> object:
        """Start (re)loading the events in a worker (each subclass's own request)."""
        raise NotImplementedError

    def _now(self) -> datetime:
        now: datetime = self.app.clock()
        return now

    def fill_table(self, rows: list[Row]) -> None:
        """Show `rows` (key, cells by column key) in the columns that fit, keeping the cursor's row."""
        table = self.query_one("#events", DataTable)
        cursor = table.cursor_row
        selected = str(table.coordinate_to_cell_key(Coordinate(cursor, 0)).row_key.value) if 0 <= cursor < table.row_count else None
        self._rows = rows
        self._columns.fill(table, self.app.size.width, rows)
        if selected is not None:
            for row, (key, _) in enumerate(rows):
                if key == selected:
                    table.move_cursor(row=row)
                    break

    def on_resize(self) -> None:
        """Columns follow the terminal's width (rows are kept, nothing is reloaded)."""
        if self._rows:
            self.fill_table(self._rows)
        else:
            self._columns.plan(self.query_one("#events", DataTable), self.app.size.width, self._rows)

    @property
    def palette(self) -> Palette:
        palette: Palette = self.app.palette
        return palette

    def selected_event(self) -> TimelineEvent | None:
        table = self.query_one("#events", DataTable)
        if not self.events or table.cursor_row < 0 or table.cursor_row >= len(self.events):
            return None
        return self.events[table.cursor_row]

    def show_detail(self, event: TimelineEvent | None) -> None:
        pane = self.query_one("#event-detail", Static)
        if event is None:
            pane.update("")
            return
        lines: list[Text | str] = [plain(f"{event.at:%Y-%m-%d %H:%M:%S} UTC · {event.event_type}", "bold")]
        facts = []
        if event.job_id:
            facts.append(f"job {event.job_id}")
        if event.duration is not None:
            facts.append(duration(event.duration))
        if event.user:
            facts.append(f"by {clean(event.user)}")
        if facts:
            lines.append(plain(" · ".join(facts)))
        lines += [plain(line) for line in event.details]
        if event.failure is not None and event.failure.stacktrace:
            lines.append(plain(event.failure.stacktrace.splitlines()[0][:200], self.palette.muted))
        pane.update(Text("\n").join(line if isinstance(line, Text) else Text(line) for line in lines))

    def apply_events(self, _events: list[object]) -> None:
        """Refreshed on a timer (one request), not per watcher event."""

    def on_clock_tick(self) -> None:
        """Ages are recomputed on each refresh."""


class TimelineScreen(_EventsScreen):
    """One connection's history, newest first."""

    scope = "timeline"
    BINDINGS: ClassVar[list[BindingType]] = list(bindings_for("timeline"))
    loading_title = "Loading timeline…"
    columns = (
        FitColumn("when", "When", 11, 4),
        FitColumn("age", "Age", 14, 1),
        FitColumn("event", "Event", 22, 0, grow_to=64),  # "Settings changed: schedule type, …" whole where there is room
        FitColumn("who", "Who", 12, 3, grow_to=32),
        FitColumn("job", "Job", 9, 2),
        FitColumn("what", "Details", 16, 2, grow_to=120),
    )
    refresh_seconds = TIMELINE_REFRESH_SECONDS

    def __init__(self, connection_key: str) -> None:
        super().__init__()
        self.connection_key = connection_key
        self.notice: str | None = None

    @work(exclusive=True, group="timeline-load", exit_on_error=False)
    async def load(self) -> None:
        app: Any = self.app
        watcher = app.watcher
        title = self.query_one("#timeline-title", Static)
        try:
            provider = watcher.provider_for_key(self.connection_key)
            connection = watcher.store.connections.get(self.connection_key) or await provider.get_connection(
                self.connection_key.split(":", 1)[1]
            )
            timeline = await connection_timeline(provider, connection, limit=200)
        except Exception as exc:  # noqa: BLE001 - shown, never raised into the UI
            title.update(f"Could not load the timeline: {clean(exc)}")
            return
        self.notice = timeline.notice
        text = f"Timeline · {clean(timeline.connection_name or timeline.connection_id)} · {events_source(timeline)}"
        if timeline.notice:
            text += f"\n{clean(timeline.notice)}"
        title.update(text)
        self.show_events(list(timeline.events))

    def show_events(self, events: list[TimelineEvent]) -> None:
        self.events = events
        now = self._now()
        palette = self.palette
        self.fill_table(
            [
                (
                    event.id,
                    {
                        "when": Text(f"{event.at:%m-%d %H:%M}"),
                        "age": Text(age(event.at, now)),
                        "event": event_title(event, palette),
                        "who": plain(event.user or "-"),
                        "job": Text(event.job_id or "-"),
                        "what": plain(event.details[0][:120] if event.details else ""),
                    },
                )
                for event in events
            ]
        )
        self.show_detail(self.selected_event())

    @on(DataTable.RowHighlighted, "#events")
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        event = self.selected_event()
        self.show_detail(event)
        if event is not None and event.origin == "events" and not event.id.startswith("job:"):
            self.fetch_details(event)

    @work(exclusive=True, group="timeline-detail", exit_on_error=False)
    async def fetch_details(self, event: TimelineEvent) -> None:
        app: Any = self.app
        provider = app.watcher.provider_for_key(self.connection_key)
        if not isinstance(provider, TimelineFeed):
            return
        try:
            detailed = await provider.event_details(event.connection_id, event.id)
        except Exception:  # noqa: BLE001 - the summary already shown stays
            return
        if self.selected_event() is event:
            self.show_detail(detailed.model_copy(update={"connection_name": event.connection_name}))

    def action_open_event_job(self) -> None:
        event = self.selected_event()
        if event is None or not event.job_id:
            self.notify("this event has no job", markup=False)
            return
        from airsync_tui.ui.screens.job import JobScreen

        provider = self.connection_key.split(":", 1)[0]
        self.app.push_screen(JobScreen(self.connection_key, f"{provider}:{event.job_id}"))

    @on(DataTable.RowSelected, "#events")
    def _selected(self, _event: DataTable.RowSelected) -> None:
        self.action_open_event_job()


class PulseScreen(_EventsScreen):
    """The last things that happened anywhere, newest first, live."""

    scope = "pulse"
    BINDINGS: ClassVar[list[BindingType]] = list(bindings_for("pulse"))
    loading_title = "Pulse · loading…"
    columns = (
        FitColumn("when", "When", 11, 4),
        FitColumn("age", "Age", 14, 2),
        FitColumn("connection", "Connection", 20, 1, grow_to=40),
        FitColumn("event", "Event", 22, 0, grow_to=64),  # "Settings changed: schedule type, …" whole where there is room
        FitColumn("job", "Job", 9, 3),
    )
    refresh_seconds = PULSE_REFRESH_SECONDS

    @work(exclusive=True, group="pulse-load", exit_on_error=False)
    async def load(self) -> None:
        app: Any = self.app
        watcher = app.watcher
        names = {key: c.name for key, c in watcher.store.connections.items()}
        try:
            events = await workspace_pulse(
                list(watcher.providers.values()),
                now=self._now(),
                window=timedelta(days=2),
                limit=200,
                names=names,
            )
        except Exception as exc:  # noqa: BLE001
            self.query_one("#timeline-title", Static).update(f"Could not load the pulse: {clean(exc)}")
            return
        self.query_one("#timeline-title", Static).update(
            f"Pulse · the last {len(events)} things that happened, newest first (enter: timeline)"
        )
        self.events = events
        now = self._now()
        rows: list[Row] = []
        for event in events:
            name = event.connection_name or names.get(f"{event.provider}:{event.connection_id}") or event.connection_id
            cells = {
                "when": Text(f"{event.at:%m-%d %H:%M}"),
                "age": Text(age(event.at, now)),
                "connection": plain(name),
                "event": event_title(event, self.palette),
                "job": Text(event.job_id or "-"),
            }
            rows.append((f"{event.provider}:{event.id}", cells))
        self.fill_table(rows)

    @on(DataTable.RowHighlighted, "#events")
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.show_detail(self.selected_event())

    def action_open_timeline(self) -> None:
        event = self.selected_event()
        if event is None:
            return
        self.app.push_screen(TimelineScreen(f"{event.provider}:{event.connection_id}"))

    @on(DataTable.RowSelected, "#events")
    def _selected(self, _event: DataTable.RowSelected) -> None:
        self.action_open_timeline()


def events_source(timeline: Timeline) -> str:
    """How many events and where they come from (a built timeline may mix runs and the connection's own record)."""
    total = len(timeline.events)
    events = counted(total, "event")
    if timeline.origin == "events":
        return f"{events} from connection events"
    from_jobs = sum(1 for event in timeline.events if event.job_id is not None)
    if from_jobs == total:
        return f"{events} from jobs"
    # Runs plus what the connection's own record says (Hightouch: created, last updated, changes seen).
    return f"{events} ({from_jobs} from jobs, {total - from_jobs} from the connection itself)"
