"""Data view: did the rows land, and how fresh are they? One key (`d`) from the job panel.

For each stream of the connection: the destination table, its row count, the
newest `_airbyte_extracted_at` (freshness) and the rows this job extracted when
the table allows telling (`_airbyte_extracted_at` inside the job's window);
for the selected stream its columns and types and the latest rows; and a small
SQL prompt whose query runs in a worker with a timeout and a row limit and can
be cancelled (ctrl+g).

Everything from the server or the database is shown as inert `Text`
(`formatting.plain`): markup and escape sequences never take effect. Database
I/O never runs on the UI's path: summaries and queries are workers calling
`service.data_access`, whose blocking calls run in threads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Input, Label, Static

from airsync_tui.errors import AirsyncError
from airsync_tui.models.domain import Job
from airsync_tui.service.data_access import (
    QueryHandle,
    QueryResult,
    SqlCache,
    StreamSummary,
    can_read_data,
    format_rows,
    open_sql_cache,
    rows_added_text,
    run_query,
    stream_summaries,
)
from airsync_tui.textfmt import DASH, age, counted
from airsync_tui.ui.bindings import bindings_for
from airsync_tui.ui.formatting import clean, clock_time, plain
from airsync_tui.ui.screens.base import AirsyncScreen, open_input
from airsync_tui.ui.styles import stylesheet_path
from airsync_tui.ui.widgets.fitted_columns import FitColumn, FittedColumns, Row
from airsync_tui.ui.widgets.footer import SteadyFooter
from airsync_tui.ui.widgets.header import HeaderBar

QUERY_LIMIT = 200
QUERY_TIMEOUT_S = 30.0
LATEST_ROWS = 20
CELL_WIDTH = 40

#: Which stream columns show and how wide follows the terminal (`ui/widgets/fitted_columns.py`). What the
#: job added and the row count matter most; the table name drops first (the details below name it).
STREAM_COLUMNS: tuple[FitColumn, ...] = (
    FitColumn("stream", "Stream", 10, 0, grow_to=32),
    FitColumn("table", "Table", 16, 4, grow_to=48),
    FitColumn("rows", "Rows", 7, 2, grow_to=13),
    FitColumn("newest", "Newest extracted", 25, 3, grow_to=34),  # "15:36:38 (24 minutes ago)"
    FitColumn("added", "By this job", 14, 1, grow_to=40),  # "2,672 upserted (dedup by key)"
)


def open_data_view(screen: AirsyncScreen, connection_key: str, job: Job | None) -> None:
    """The job panel's hook: push the Data view, or say in one line why there is none."""
    provider = screen.app.watcher.provider_for_key(connection_key)
    if not can_read_data(provider):
        screen.app.notify(
            f"{provider.display_name} does not expose its destination's data",
            severity="information",
            markup=False,
        )
        return
    screen.app.push_screen(DataScreen(connection_key, job))


class DataScreen(AirsyncScreen):
    """Per-stream tables of one connection's destination, plus a read-only SQL prompt."""

    scope = "data"
    BINDINGS: ClassVar[list[BindingType]] = [*bindings_for("data")]
    CSS_PATH = str(stylesheet_path("data"))

    def __init__(self, connection_key: str, job: Job | None) -> None:
        super().__init__()
        self.connection_key = connection_key
        self.job = job
        self.cache: SqlCache | None = None
        self.summaries: dict[str, StreamSummary] = {}
        self.selected: str | None = None
        self._handle: QueryHandle | None = None
        self._stream_columns = FittedColumns(STREAM_COLUMNS)
        self._stream_rows: dict[str, dict[str, Text]] = {}

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")  # health and fleet counts stay in view, as on every other screen
        with VerticalScroll(id="data-body"):
            yield Static(id="data-title")
            yield Static(id="data-status")
            yield Label("Streams", classes="section")
            yield DataTable(id="data-streams", cursor_type="row")
            yield Static(id="data-stream-facts")
            yield Label("Columns", classes="section")
            yield DataTable(id="data-columns", cursor_type="row")
            yield Label("Latest rows", classes="section", id="data-latest-label")
            yield DataTable(id="data-latest", cursor_type="row")
            yield Label(
                f"SQL  read-only · e edit · enter run · ctrl+g cancel · ≤ {QUERY_LIMIT} rows, {QUERY_TIMEOUT_S:g} s",
                classes="section",
            )
            yield Input(placeholder="SELECT … FROM …", id="data-sql")
            yield Static(id="data-query-status")
            yield DataTable(id="data-result", cursor_type="row")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.app.refresh_headers()
        self._stream_columns.plan(self.query_one("#data-streams", DataTable), self.app.size.width, [])
        columns = self.query_one("#data-columns", DataTable)
        columns.add_column("Column", key="name")
        columns.add_column("Type", key="type")
        connection = self.app.watcher.store.connections.get(self.connection_key)
        name = clean(connection.name) if connection else self.connection_key
        job = f"job {clean(self.job.id)}" if self.job else "no job yet"
        self.query_one("#data-title", Static).update(Text.assemble(("Data  ", "bold"), plain(name), ("  ·  " + job, "dim")))
        self._status("opening the destination …")
        self.load()

    # ------------------------------------------------------------------ loading
    def _status(self, text: str, widget: str = "#data-status") -> None:
        self.query_one(widget, Static).update(plain(text))

    def now(self) -> datetime:
        return self.app.clock()

    @work(exclusive=True, group="data-load", exit_on_error=False)
    async def load(self) -> None:
        provider = self.app.watcher.provider_for_key(self.connection_key)
        connection_id = self.connection_key.split(":", 1)[-1]
        try:
            if self.cache is None:
                self.cache = await open_sql_cache(provider, connection_id)
            cache = self.cache
            self._status(f"{cache.destination_name or cache.target.kind} · {cache.target.kind} · {cache.database_name}.{cache.schema_name}")
            summaries = await stream_summaries(cache, cache.stream_names, self.job, latest=LATEST_ROWS)
            for summary in summaries:
                stream = summary.stream
                self.summaries[stream] = summary
                self._show_stream_row(summary)
                if self.selected is None:
                    self.selected = stream
                    self._show_details(summary)
        except AirsyncError as exc:
            self._status(exc.one_line())
        except Exception as exc:  # noqa: BLE001 - a driver error must not kill the screen; shown in one line
            self._status(f"{type(exc).__name__}: {clean(exc)}")

    def _show_stream_row(self, summary: StreamSummary) -> None:
        if not summary.exists:
            cells = [
                plain(summary.stream),
                plain(summary.table),
                plain(DASH),
                plain("no table yet"),
                plain(DASH),
            ]
        else:
            newest = DASH
            if summary.newest_extracted_at is not None:
                now = self.now()
                newest = f"{clock_time(summary.newest_extracted_at, now)} ({age(summary.newest_extracted_at, now)})"
            added = rows_added_text(summary) if self.job else DASH
            rows = f"{summary.row_count:,}" if summary.row_count is not None else DASH
            cells = [
                plain(summary.stream),
                plain(summary.table),
                plain(rows),
                plain(newest),
                plain(added),
            ]
        self._stream_rows[summary.stream] = dict(zip(("stream", "table", "rows", "newest", "added"), cells, strict=True))
        self._show_streams()

    def _show_streams(self) -> None:
        """Every stream row in the columns that fit the terminal now; the cursor stays on its stream."""
        table = self.query_one("#data-streams", DataTable)
        cursor = table.cursor_row
        rows: list[Row] = list(self._stream_rows.items())
        self._stream_columns.fill(table, self.app.size.width, rows)
        if rows:
            table.move_cursor(row=min(max(cursor, 0), len(rows) - 1), scroll=False)

    def on_resize(self) -> None:
        """Columns follow the terminal's width."""
        if self.is_mounted and self._stream_rows:
            self._show_streams()

    def _show_details(self, summary: StreamSummary) -> None:
        facts = self.query_one("#data-stream-facts", Static)
        if not summary.exists:
            facts.update(plain(f"{summary.table} does not exist yet: has {summary.stream} synced at least once?"))
        else:
            fresh = summary.newest_extracted_at.isoformat() if summary.newest_extracted_at else "unknown (no _airbyte_extracted_at)"
            facts.update(
                Text.assemble(
                    ("Table ", "dim"),
                    plain(summary.table),
                    ("   sync mode ", "dim"),
                    plain(summary.sync_mode or DASH),
                    ("   newest _airbyte_extracted_at ", "dim"),
                    plain(fresh),
                )
            )
        columns = self.query_one("#data-columns", DataTable)
        columns.clear()
        for column in summary.columns:
            columns.add_row(plain(column.name), plain(column.type))
        self.query_one("#data-latest-label", Label).update(f"Latest rows of {clean(summary.stream)} (newest first)")
        self._fill(self.query_one("#data-latest", DataTable), summary.latest)

    def _fill(self, table: DataTable[Any], result: QueryResult | None) -> None:
        table.clear(columns=True)
        if result is None:
            return
        for index, column in enumerate(result.columns):
            table.add_column(plain(column), key=f"c{index}")
        for row in format_rows(result):
            table.add_row(*(plain(_short(cell)) for cell in row))

    @on(DataTable.RowHighlighted, "#data-streams")
    def _stream_highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value if event.row_key is not None else None
        if key and key in self.summaries and key != self.selected:
            self.selected = key
            self._show_details(self.summaries[key])

    # ------------------------------------------------------------------ SQL prompt
    @on(Input.Submitted, "#data-sql")
    def _submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            return
        if self.cache is None:
            self._status("the destination is not open yet", "#data-query-status")
            return
        self.run_sql(event.value)

    @work(exclusive=True, group="data-query", exit_on_error=False)
    async def run_sql(self, sql: str) -> None:
        assert self.cache is not None
        handle = QueryHandle()
        self._handle = handle
        self._status("running … (ctrl+g cancels)", "#data-query-status")
        try:
            result = await run_query(
                self.cache,
                sql,
                limit=QUERY_LIMIT,
                timeout_s=QUERY_TIMEOUT_S,
                handle=handle,
            )
        except AirsyncError as exc:
            self._status(exc.one_line(), "#data-query-status")
            return
        except Exception as exc:  # noqa: BLE001 - same: shown in one line, the screen stays usable
            self._status(f"{type(exc).__name__}: {clean(exc)}", "#data-query-status")
            return
        finally:
            if self._handle is handle:
                self._handle = None
        more = f" (first {result.limit}; more exist)" if result.truncated else ""
        self._status(f"{counted(len(result.rows), 'row')}{more}", "#data-query-status")
        table = self.query_one("#data-result", DataTable)
        self._fill(table, result)
        table.scroll_visible()

    def action_cancel_query(self) -> None:
        if self._handle is None:
            self.app.notify("no query is running", severity="information", markup=False)
            return
        self._handle.cancel()

    def action_focus_sql(self) -> None:
        open_input(self, self.query_one("#data-sql", Input), "e")

    def action_reload(self) -> None:
        self.summaries.clear()
        self._stream_rows.clear()
        self.query_one("#data-streams", DataTable).clear()
        self.selected = None
        self._status("reloading …")
        self.load()

    def on_unmount(self) -> None:
        if self._handle is not None:
            self._handle.cancel("cancelled (screen closed)")
        if self.cache is not None:
            self.cache.dispose()


def _short(value: str) -> str:
    return value if len(value) <= CELL_WIDTH else value[: CELL_WIDTH - 1] + "…"


__all__ = ["DataScreen", "open_data_view"]
