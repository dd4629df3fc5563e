"""Home screen: every connection, live, patched in place.

Why it is built this way:

* Row keys are connection keys and each row caches what it last rendered, so
  a watcher event becomes `update_cell` calls for the cells that changed;
  the table is never cleared on a tick, so the cursor and scroll stay put
  (dolphie's diff pattern, reference §2.5).
* The filter (`/`, `!term` inverts), the status filter (`F`) and the sort
  (`S`, header click) only add, remove or reorder rows, with O(n) bulk
  operations, so a keystroke stays fast with 5,000 connections.
* The 1-second clock re-renders running rows (spinner, elapsed) every 2 s and
  a row's age only when its humanized text can change ("3 minutes ago" once a
  minute); rows outside the window are only flagged and re-render when they
  scroll into view (`LiveTable.refresh_lazily`), and the clock pauses while
  another screen or a modal covers this one (one catch-up pass on resume).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from time import monotonic
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.events import Key
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

from airsync_tui.models.domain import Connection, Job
from airsync_tui.models.jobview import records_total
from airsync_tui.models.status import StatusCategory
from airsync_tui.service.events import (
    ConnectionsChanged,
    ConnectionsLoaded,
    Event,
    JobCreated,
    JobDetailUpdated,
    JobStatusChanged,
    JobUpdated,
    LatestJobs,
    ProgressUpdated,
)
from airsync_tui.service.filtering import connection_haystack, parse_filter
from airsync_tui.service.watcher import Watcher
from airsync_tui.startup_trace import TRACE_PATH, mark
from airsync_tui.textfmt import synced_rows
from airsync_tui.ui.bindings import bindings_for
from airsync_tui.ui.fleet import FleetMarkingMixin
from airsync_tui.ui.formatting import (
    DASH,
    Palette,
    age,
    age_changes_at,
    clean,
    count,
    duration,
    plain,
    progress_bar,
    status_badge,
)
from airsync_tui.ui.screens.base import LiveScreen, open_input
from airsync_tui.ui.screens.connection_columns import plan_columns
from airsync_tui.ui.widgets.footer import SteadyFooter
from airsync_tui.ui.widgets.header import HeaderBar
from airsync_tui.ui.widgets.live_table import LiveTable

#: Running rows (spinner, elapsed) re-render every 2 s (only those on screen repaint).
RUNNING_ROW_TICKS = 2
STATUS_FILTERS = ("all", "running", "failed")
#: Filter keystrokes closer together than this are coalesced into one table update
#: (the first applies at once; later ones wait for the rest of the window).
FILTER_COALESCE_SECONDS = 0.03


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int | None = None
    sortable: bool = True


COLUMNS: tuple[Column, ...] = (
    Column("provider", "Provider", 9),
    Column("name", "Connection", 34),
    Column("state", "State", 8),
    Column("schedule", "Schedule", 15),
    Column("last", "Last job", 15),
    Column("progress", "Progress", 16, sortable=False),
    Column("age", "Last sync", 14),
    Column("records", "Committed", 10),
    Column("duration", "Duration", 8),
)

#: `S` cycles through these (column, reverse): failures first, newest first, biggest first.
SORT_CYCLE: tuple[tuple[str, bool], ...] = (
    ("name", False),
    ("last", False),
    ("age", True),
    ("records", True),
    ("duration", True),
)

_STATUS_RANK = {
    StatusCategory.FAILED: 0,
    StatusCategory.UNKNOWN: 1,
    StatusCategory.RETRYING: 2,
    StatusCategory.RUNNING: 3,
    StatusCategory.PENDING: 4,
    StatusCategory.WARNING: 5,
    StatusCategory.CANCELLED: 6,
    StatusCategory.SUCCEEDED: 7,
}


def last_activity(job: Job | None) -> datetime | None:
    """When the last job finished, or started while it runs."""
    if job is None:
        return None
    if job.status.is_terminal:
        return job.ended_at or job.updated_at or job.started_at or job.created_at
    return job.started_at or job.created_at


def job_records(job: Job | None) -> int | None:
    """Records committed, all attempts (`models.jobview.records_total`): the same number every screen shows."""
    return records_total(job) if job is not None else None


class ConnectionsScreen(FleetMarkingMixin, LiveScreen):
    """The live connection list (home)."""

    scope = "connections"
    BINDINGS = bindings_for("connections")

    def __init__(self) -> None:
        super().__init__()
        self.filter_text = ""
        #: The row (and whether its job was running) whose actions the footer last offered.
        self._footer_row: tuple[str | None, bool] = (None, False)
        self.status_filter = "all"
        self.sort_column, self.sort_reverse = SORT_CYCLE[0]
        self._haystack: dict[str, str] = {}
        self._by_name: list[str] = []  # connection keys in name order (the default sort)
        self._cells: dict[str, dict[str, Text]] = {}  # last rendered cells, reused when a filter re-adds a row
        self._multi_provider = False
        self._age_due: dict[str, datetime] = {}  # when each shown row's age text can next change
        self._missed_tick = False
        self._pending_filter: str | None = None
        self._filter_timer: Timer | None = None
        self._filter_applied_at = float("-inf")
        self._column_plan: tuple[tuple[str, int], ...] | None = None

    # ---------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        yield Input(placeholder="filter connections…  (!term inverts, esc clears)", id="filter")
        yield LiveTable(id="connections", cursor_type="row", zebra_stripes=True)
        yield Static(id="status-line")
        yield SteadyFooter()  # rebuilds its keys only when they change (first-paint cost)

    def on_mount(self) -> None:
        app = self.app
        self._multi_provider = len(app.watcher.providers) > 1
        table = self.table
        self._layout_columns()
        self.query_one("#filter", Input).display = False
        table.row_source = self._fresh_cells
        self._index_connections()
        self._apply_view()
        table.focus()
        app.refresh_headers()
        self._update_status_line()

    def _layout_columns(self) -> bool:
        """(Re)build the columns for the terminal width; True when they changed."""
        connections = self.watcher.store.connections
        longest = max((len(clean(c.name)) for c in connections.values()), default=20)
        plan = plan_columns(self.app.size.width, multi_provider=self._multi_provider, longest_name=longest)
        signature = tuple((spec.key, width) for spec, width in plan)
        if signature == self._column_plan:
            return False
        self._column_plan = signature
        table = self.table
        cursor = table.cursor_key() if table.row_count else None
        table.clear(columns=True)
        for spec, width in plan:
            table.add_column(Text(spec.label), key=spec.key, width=width)
        self._cells.clear()
        if cursor is not None:
            self._apply_view()
            table.move_to_key(cursor)
        self.refresh_bindings()  # the footer recomputes what it offers for the rebuilt table
        return True

    def _shows_column(self, key: str) -> bool:
        """The current layout has column `key` (before the first layout: assume it does)."""
        plan = self._column_plan
        return plan is None or any(column == key for column, _ in plan)

    def on_resize(self) -> None:
        if self.is_mounted and self._layout_columns():
            self._apply_view()

    @property
    def table(self) -> LiveTable:
        return self.query_one("#connections", LiveTable)

    @property
    def watcher(self) -> Watcher:
        return self.app.watcher

    @property
    def palette(self) -> Palette:
        return self.app.palette

    def now(self) -> datetime:
        return self.app.clock()

    # ------------------------------------------------------- rendering
    def render_cells(self, key: str, now: datetime | None = None) -> dict[str, Text]:
        """The row of one connection, every cell an inert `Text`."""
        watcher = self.watcher
        connection: Connection = watcher.store.connections[key]
        job: Job | None = watcher.store.latest_job.get(key)
        now = now or self.now()
        palette = self.palette
        tick = self.app.tick
        cells: dict[str, Text] = {}
        if self._multi_provider:
            cells["provider"] = Text(watcher.providers[connection.provider].display_name, style=palette.muted)
        cells["name"] = plain(connection.name)
        state = clean(connection.state_label) or DASH
        active = connection.enabled and state == "active"
        if not active and not self._shows_column("state"):
            # Narrow terminal, no State column: a paused connection must not look like a live one.
            cells["name"] = Text.assemble((f"{state} · ", palette.muted), cells["name"], no_wrap=True, overflow="ellipsis", end="")
        mark = self.mark_prefix(key)
        if mark is not None:
            cells["name"] = Text.assemble(mark, cells["name"], no_wrap=True, overflow="ellipsis", end="")
        cells["state"] = Text(state, style="" if active else palette.muted)
        cells["schedule"] = Text(connection.schedule.describe(), style=palette.muted)
        cells["last"] = status_badge(job.status if job else None, palette, tick=tick)
        if job is not None and job.status.is_active:
            ratio = job.progress.ratio if job.progress is not None else None
            if job.status.category == StatusCategory.PENDING:
                cells["progress"] = Text("queued", style=palette.pending)
            else:
                cells["progress"] = progress_bar(ratio, palette, width=10, tick=tick)
        else:
            cells["progress"] = Text("")
        moment = last_activity(job)
        cells["age"] = Text(age(moment, now), style=palette.muted if job is None else "")
        due = age_changes_at(moment, now)
        if due is None:
            self._age_due.pop(key, None)
        else:
            self._age_due[key] = due
        records = synced_rows(job_records(job), job.records_planned, job.per_row_results, short=True) if job else count(None)
        cells["records"] = Text(records, justify="right")
        cells["duration"] = Text(duration(job.elapsed(now)) if job else DASH, justify="right")
        self._cells[key] = cells
        return cells

    def _fresh_cells(self, key: str) -> dict[str, Text] | None:
        """`LiveTable.row_source`: a lazily refreshed row scrolled into view."""
        return self.render_cells(key) if key in self.watcher.store.connections else None

    def refresh_rows(self, keys: set[str] | list[str], *, lazy: bool = False) -> None:
        """Re-render rows and patch what changed; hidden rows only drop their cached cells.

        `lazy`: rows outside the window are only flagged and re-render when shown.
        """
        table = self.table
        now = self.now()
        connections = self.watcher.store.connections
        deferred: list[str] = []
        for key in keys:
            if key not in connections:
                continue
            if not table.has_row(key):
                self._cells.pop(key, None)
                self._age_due.pop(key, None)
                table.forget([key])
            elif lazy:
                deferred.append(key)
                self._cells.pop(key, None)  # a row re-added by a filter renders afresh, not from this cache
            else:
                table.sync_row(key, self.render_cells(key, now))
        if deferred:
            table.refresh_lazily(deferred)
            for key in deferred:
                if table.is_stale(key):
                    self._age_due.pop(key, None)  # re-scheduled when it is rendered
        if self._footer_row[0] in keys:
            self._follow_cursor_row()  # its job started or ended: cancel is offered or not

    # ------------------------------------------------- filter and sort
    def _index_connections(self) -> None:
        """Lower-case search text per connection (built once per list change)."""
        watcher = self.watcher
        self._haystack = {
            key: connection_haystack(c, watcher.providers[c.provider].display_name) for key, c in watcher.store.connections.items()
        }
        connections = watcher.store.connections
        self._by_name = sorted(connections, key=lambda key: connections[key].name.lower())

    def _matches_status(self, key: str) -> bool:
        if self.status_filter == "all":
            return True
        job = self.watcher.store.latest_job.get(key)
        if job is None:
            return False
        if self.status_filter == "running":
            return job.status.is_active
        return job.status.category == StatusCategory.FAILED

    def visible_keys(self) -> list[str]:
        """Connection keys that pass the filters, in sort order."""
        term, inverted = parse_filter(self.filter_text)
        haystack = self._haystack
        by_name = self.sort_column == "name"
        source = self._by_name if by_name else self.watcher.store.connections
        if len(source) != len(self.watcher.store.connections):  # pragma: no cover - defensive
            source, by_name = self.watcher.store.connections, False
        if term:
            keys = [key for key in source if (term in haystack.get(key, "")) != inverted]
        else:
            keys = list(source)
        if self.status_filter != "all":
            keys = [key for key in keys if self._matches_status(key)]
        if by_name:  # already in name order (sorted once per connection-list change)
            if self.sort_reverse:
                keys.reverse()
        else:
            keys.sort(key=self._sort_key(), reverse=self.sort_reverse)
        return keys

    def _sort_key(self) -> Callable[[str], SupportsRichComparison]:
        watcher = self.watcher
        connections = watcher.store.connections
        latest = watcher.store.latest_job
        column = self.sort_column
        now = self.now()

        def name_of(key: str) -> str:
            return connections[key].name.lower()

        if column == "provider":
            return lambda key: (connections[key].provider, name_of(key))
        if column == "state":
            return lambda key: (connections[key].status, name_of(key))
        if column == "schedule":
            return lambda key: (connections[key].schedule.describe(), name_of(key))
        if column == "last":
            return lambda key: (_STATUS_RANK[latest[key].status.category] if key in latest else 99, name_of(key))
        if column == "age":
            return lambda key: ((last_activity(latest.get(key)) or datetime.min.replace(tzinfo=now.tzinfo)).timestamp(), name_of(key))
        if column == "records":
            return lambda key: (job_records(latest.get(key)) or -1, name_of(key))
        if column == "duration":

            def by_duration(key: str) -> tuple[float, str]:
                job = latest.get(key)
                elapsed = job.elapsed(now) if job else None
                return (elapsed.total_seconds() if elapsed else -1.0, name_of(key))

            return by_duration
        return name_of

    def _apply_view(self) -> None:
        """Make the table show exactly the visible keys, adding/removing/reordering only."""
        # Read the store only once every event published so far is applied (the header's
        # counts and the alert rules follow the events, and applying them refreshes the
        # header): rows and header then agree.
        self.app.catch_up_events()
        table = self.table
        now = self.now()
        cache = self._cells

        def cells_for(key: str) -> dict[str, Text]:
            return cache.get(key) or self.render_cells(key, now)

        table.show_rows(self.visible_keys(), cells_for)
        self._follow_cursor_row()
        self._update_status_line()
        if TRACE_PATH is not None and all(self.watcher.store.loaded.values()) and table.row_count:
            shown = f"parent: {table.row_count} rows"  # the start-up bench's milestone (once)
            mark(shown + " in table")
            self.app.mark_after_next_frame(shown + " refreshed")

    def _follow_cursor_row(self) -> None:
        """Re-check the footer's keys when another row is under the cursor.

        Rows can change under a cursor that did not move (the first page lands
        in an empty table, a filter hides the highlighted row) and no
        `RowHighlighted` fires then; the keys offered (cancel or not) belong to
        the row under the cursor, so they are re-checked whenever that row changed.
        """
        state = self._cursor_row_state()
        if state != self._footer_row:
            self._footer_row = state
            self.refresh_bindings()

    def _cursor_row_state(self) -> tuple[str | None, bool]:
        """The row under the cursor and whether its job runs: what the footer's keys depend on."""
        key = self.table.cursor_key()
        return key, key is not None and self._job_running(key)

    def _cancel_offered(self, key: str) -> bool:
        """Cancel is offered on `key`'s row: its provider can cancel and its job runs.

        A row left from the previous profile (switching) has no provider here: nothing to offer yet.
        """
        provider = self.watcher.providers.get(key.split(":", 1)[0])
        return provider is not None and provider.capabilities.can_cancel and self._job_running(key)

    def _job_running(self, key: str) -> bool:
        job = self.watcher.store.latest_job.get(key)
        return job is not None and job.status.is_active

    def _update_status_line(self) -> None:
        palette = self.palette
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        shown, total = self.table.row_count, len(self.watcher.store.connections)
        line.append(f" {shown:,} of {total:,} shown", style="bold")
        if self.filter_text:
            term, inverted = parse_filter(self.filter_text)
            line.append("   filter ", style=palette.muted)
            line.append(("not " if inverted else "") + repr(term))
        if self.status_filter != "all":
            line.append("   status ", style=palette.muted)
            line.append(self.status_filter, style="bold")
        if shown == 0 and total and (self.filter_text or self.status_filter != "all"):
            line.append("   no matches", style=f"bold {palette.warning}")
            line.append(" (esc clears the filter, F the status filter)", style=palette.muted)
        marks = self.mark_status()
        if marks is not None:
            line.append_text(marks)
        label = next((c.label for c in COLUMNS if c.key == self.sort_column), self.sort_column)
        line.append("   sort ", style=palette.muted)
        line.append(f"{label} {'↓' if self.sort_reverse else '↑'}")
        if not any(self.watcher.store.loaded.values()):
            line.append("   loading connections…", style=palette.muted)
        self.query_one("#status-line", Static).update(line, layout=False)  # one fixed line: no re-layout

    # --------------------------------------------------------- events
    def apply_events(self, events: list[Event]) -> None:
        """Watcher events → row diffs (called by the app once per batch)."""
        structural = False
        dirty: set[str] = set()
        for event in events:
            if isinstance(event, (ConnectionsLoaded, ConnectionsChanged)):
                structural = True
                if isinstance(event, ConnectionsChanged):
                    dirty.update(c.key for c in event.changed)
                    for key in event.removed:
                        self._cells.pop(key, None)
                    self.table.forget(event.removed)
                else:
                    dirty.update(c.key for c in event.connections)
            elif isinstance(event, LatestJobs):
                dirty.update(job.connection_key for job in event.jobs)
            elif isinstance(event, (JobCreated, JobStatusChanged, JobUpdated)):
                dirty.add(event.job.connection_key)
            elif isinstance(event, ProgressUpdated):
                dirty.add(event.connection_key)
            elif isinstance(event, JobDetailUpdated):
                dirty.add(event.detail.job.connection_key)
        if structural:
            self._index_connections()
            self._layout_columns()
        job_dependent = self.status_filter != "all" or self.sort_column not in ("name", "provider", "state", "schedule")
        if structural or (dirty and job_dependent):
            self._apply_view()
        # Rows on screen re-render now; the others are flagged and render when scrolled to or read
        # (with 1,000 connections, most running jobs' rows are off screen: rendering each of them on
        # every poll was a large part of the idle CPU).
        self.refresh_rows(dirty, lazy=True)
        if structural or dirty:
            self._update_status_line()

    def on_clock_tick(self) -> None:
        """Running rows every 2 s, ages when their text can change; paused while covered."""
        if not self.is_active:  # another screen or a modal on top: nothing cosmetic to animate
            self._missed_tick = True
            return
        self._time_pass(running=self.app.tick % RUNNING_ROW_TICKS == 0)

    def on_screen_resume(self) -> None:
        if self._missed_tick:
            self._missed_tick = False
            self._time_pass(running=True)

    def _time_pass(self, *, running: bool) -> None:
        now = self.now()
        keys = [key for key, due in self._age_due.items() if due <= now]
        if running:
            keys.extend(key for key, job in self.watcher.store.latest_job.items() if job.status.is_active)
        if keys:
            self.refresh_rows(list(dict.fromkeys(keys)), lazy=True)  # de-duplicated, in order

    def on_theme_changed(self) -> None:
        self._cells.clear()
        self.table.forget()
        self.refresh_rows(self.table.row_keys())
        self._update_status_line()

    # -------------------------------------------------------- actions
    def selected_key(self) -> str | None:
        return self.table.cursor_key()

    def _require_selection(self) -> str | None:
        key = self.selected_key()
        if key is None:
            self.app.notify("no connection selected", markup=False)
        return key

    @on(DataTable.RowSelected, "#connections")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_job()

    @on(DataTable.RowHighlighted, "#connections")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._footer_row = self._cursor_row_state()
        self.refresh_bindings()  # the footer offers what this row's provider and job can do

    @on(DataTable.HeaderSelected, "#connections")
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        column = str(event.column_key.value)
        if not next((c.sortable for c in COLUMNS if c.key == column), False):
            return
        if column == self.sort_column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column = column
            self.sort_reverse = dict(SORT_CYCLE).get(column, False)
        self._apply_view()

    def action_open_job(self) -> None:
        key = self._require_selection()
        if key is None:
            return
        from airsync_tui.ui.screens.job import JobScreen

        self.app.push_screen(JobScreen(key))

    def action_filter(self) -> None:
        open_input(self, self.query_one("#filter", Input), "/")

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value != event.input.value:
            return  # a newer keystroke is already in the box; its own Changed follows
        self.request_filter(event.value)

    def request_filter(self, text: str) -> None:
        """Typing: apply now, or coalesce with keystrokes within FILTER_COALESCE_SECONDS."""
        self._pending_filter = text
        if self._filter_timer is not None:
            return
        wait = self._filter_applied_at + FILTER_COALESCE_SECONDS - monotonic()
        if wait <= 0:
            self._flush_filter()
        else:
            self._filter_timer = self.set_timer(wait, self._flush_filter, name="filter-coalesce")

    def _flush_filter(self) -> None:
        self._filter_timer = None
        text, self._pending_filter = self._pending_filter, None
        if text is not None:
            self._filter_applied_at = monotonic()
            self.set_filter(text)

    def _cancel_pending_filter(self) -> None:
        self._pending_filter = None
        timer, self._filter_timer = self._filter_timer, None
        if timer is not None:
            timer.stop()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._cancel_pending_filter()
        self.set_filter(event.value)  # Enter applies whatever is still coalescing
        if not event.value:
            event.input.display = False
        self.table.focus()

    def set_filter(self, text: str) -> None:
        if text != self.filter_text:
            self.filter_text = text
            self._apply_view()

    def go_back(self) -> bool:
        """Escape: clear the filter first (home has nowhere to go back to)."""
        box = self.query_one("#filter", Input)
        if box.display or self.filter_text:
            box.value = ""
            self._cancel_pending_filter()
            self.set_filter("")
            box.display = False
            self.table.focus()
            return True
        return False

    def action_cycle_sort(self) -> None:
        """Each column first in its natural order, then (pressed again) reversed, then the next column."""
        columns = [column for column, _ in SORT_CYCLE]
        index = columns.index(self.sort_column) if self.sort_column in columns else -1
        natural = dict(SORT_CYCLE).get(self.sort_column)
        if index >= 0 and self.sort_reverse == natural:
            self.sort_reverse = not natural
        else:
            self.sort_column, self.sort_reverse = SORT_CYCLE[(index + 1) % len(SORT_CYCLE)]
        self._apply_view()

    def action_cycle_status_filter(self) -> None:
        index = STATUS_FILTERS.index(self.status_filter)
        self.status_filter = STATUS_FILTERS[(index + 1) % len(STATUS_FILTERS)]
        self._apply_view()

    def action_switch_profile(self) -> None:
        self.app.action_switch_profile()

    def action_trigger_sync(self) -> None:
        key = self._require_selection()
        if key is not None:
            self.app.request_trigger(key, "sync")

    def action_choose_job_type(self) -> None:
        key = self._require_selection()
        if key is not None:
            self.app.request_job_type(key)

    def action_cancel_job(self) -> None:
        key = self._require_selection()
        if key is not None:
            self.app.request_cancel(self.watcher.store.latest_job.get(key), key)

    def action_open_logs(self) -> None:
        key = self._require_selection()
        if key is None:
            return
        job = self.watcher.store.latest_job.get(key)
        self.app.open_logs(job.key if job else None)

    def action_open_browser(self) -> None:
        key = self._require_selection()
        if key is None:
            return
        connection = self.watcher.store.connections[key]
        provider = self.watcher.provider_for_key(key)
        url = provider.connection_url(connection.id) or connection.web_url
        self.app.open_link(url, provider.capabilities.connection_noun)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Mutating keys are gated by `LiveScreen` (read-only); `P` only with profiles;
        cancel is offered only on a row whose provider can cancel and whose job is running."""
        if action == "cancel_job":
            key = self.selected_key() if self.is_mounted else None
            if key is not None and not self._cancel_offered(key):
                return False  # no cancel API, or nothing running: not offered (pressed anyway: says why)
        if action == "switch_profile":
            return self.app.check_action(action, parameters)
        return super().check_action(action, parameters)

    def on_key(self, event: Key) -> None:
        """A cancel key on a provider without cancel still explains itself (the binding did not run)."""
        if event.key == "c" and not isinstance(self.focused, Input):
            key = self.selected_key()
            known = key is not None and key.split(":", 1)[0] in self.watcher.providers  # not a row left by a profile switch
            if key is not None and known and not self._cancel_offered(key):
                event.stop()
                self.action_cancel_job()  # says why: no cancel API, or no running job
                return
        super().on_key(event)
