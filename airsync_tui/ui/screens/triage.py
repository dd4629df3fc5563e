"""Triage screen: what is broken across the fleet, grouped by cause.

Top table: one row per cause (fingerprint) with how many connections share
it, since when, the longest streak and the failing streams. Bottom table: the
connections of the selected cause with since-when, streak, last success, next
run and the failing stream. `enter` on a connection opens its job panel, `l`
opens the failed attempt's log at the first line of that error, `T` its
timeline.

Problems come from a `ProblemSource`: by default the dashboard's own rules
engine (`app.alerts.engine`, the one behind the Alerts screen), so triage and
alerts show the same failed / stalled / stale / at-risk connections; tests
may hand in another through `TriageScreen(source=...)`. Refreshing costs at
most one request per provider, whatever the number of connections, and runs
in a worker.
"""

from __future__ import annotations

from datetime import datetime
from time import monotonic
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Static

from airsync_tui.service.problems import ConnectionProblem, Severity, failing_connections
from airsync_tui.service.triage import (
    EngineProblemSource,
    ProblemGroup,
    ProblemSource,
    group_problems,
    until,
)
from airsync_tui.textfmt import age, counted
from airsync_tui.ui.bindings import bindings_for
from airsync_tui.ui.formatting import clean, plain
from airsync_tui.ui.screens.base import AirsyncScreen
from airsync_tui.ui.styles import stylesheet_path
from airsync_tui.ui.widgets.fitted_columns import FitColumn, FittedColumns, Row
from airsync_tui.ui.widgets.footer import SteadyFooter
from airsync_tui.ui.widgets.header import HeaderBar

REFRESH_SECONDS = 15.0
#: After an alert changes, refresh once this much later (changes in between ride along).
FOLLOW_SECONDS = 2.0

#: Which columns show and how wide follows the terminal (`ui/widgets/fitted_columns.py`): the cause and
#: the connection matter most; the streak and the job id drop first at 80 columns.
GROUP_COLUMNS: tuple[FitColumn, ...] = (
    FitColumn("count", "#", 3, 1),
    FitColumn("kind", "Kind", 7, 2, grow_to=30),
    FitColumn("since", "Since", 14, 3),  # "36 minutes ago": the cause would take any room left to grow into
    FitColumn("streak", "Streak", 6, 4),
    FitColumn("cause", "Cause", 24, 0, grow_to=200),
)
CONNECTION_COLUMNS: tuple[FitColumn, ...] = (
    FitColumn("name", "Connection", 22, 0, grow_to=48),
    FitColumn("since", "Since", 14, 2),
    FitColumn("streak", "Streak", 6, 5),
    FitColumn("ok", "Last success", 14, 1),
    FitColumn("next", "Next run", 10, 3),
    FitColumn("stream", "Stream", 8, 4, grow_to=40),
    FitColumn("job", "Job", 8, 6, grow_to=12),
)


class TriageScreen(AirsyncScreen):
    """Failing / stalled / stale / at-risk connections grouped by cause."""

    scope = "triage"
    BINDINGS: ClassVar[list[BindingType]] = list(bindings_for("triage"))
    CSS_PATH = str(stylesheet_path("triage"))

    def __init__(self, source: ProblemSource | None = None) -> None:
        super().__init__()
        self._source = source
        self.groups: list[ProblemGroup] = []
        self._loaded = False
        self._follow_pending = False
        self._last_follow = float("-inf")  # monotonic time of the last refresh that followed an alert
        self._group_columns = FittedColumns(GROUP_COLUMNS)
        self._connection_columns = FittedColumns(CONNECTION_COLUMNS, leave_out_empty=True)

    @property
    def source(self) -> ProblemSource:
        if self._source is None:
            app: Any = self.app
            self._source = EngineProblemSource(app.alerts.engine, providers=app.watcher.providers)
        return self._source

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        yield Static("Loading problems…", id="triage-summary", markup=False)
        yield DataTable(id="triage-groups", cursor_type="row", zebra_stripes=True)
        yield Static("", id="triage-cause", markup=False)
        yield DataTable(id="triage-connections", cursor_type="row", zebra_stripes=True)
        yield SteadyFooter()

    def on_mount(self) -> None:
        groups = self.query_one("#triage-groups", DataTable)
        self._group_columns.plan(groups, self.app.size.width, [])
        self._connection_columns.plan(self.query_one("#triage-connections", DataTable), self.app.size.width, [])
        groups.focus()
        self.refresh_problems()
        self.set_interval(REFRESH_SECONDS, self.refresh_problems, name="triage-refresh")
        self.app.refresh_headers()

    # ----------------------------------------------------------- data
    def render_alerts(self) -> None:
        """The rules engine opened or resolved an alert: follow it (the app calls this).

        The first change after a quiet spell refreshes at once (the header
        beside this list already counts it); a burst of changes after that
        costs one more listing `FOLLOW_SECONDS` later, not one per change.
        """
        if self._follow_pending:
            return
        now = monotonic()
        if now - self._last_follow >= FOLLOW_SECONDS:
            self._last_follow = now
            self.refresh_problems()
            return
        self._follow_pending = True
        self.set_timer(FOLLOW_SECONDS, self._follow_alerts, name="triage-follow")

    def _follow_alerts(self) -> None:
        self._follow_pending = False
        self._last_follow = monotonic()
        self.refresh_problems()

    @work(exclusive=True, group="triage-refresh", exit_on_error=False)
    async def refresh_problems(self) -> None:
        try:
            problems = await self.source.open_problems()
        except Exception as exc:  # noqa: BLE001 - shown, never raised into the UI
            self.query_one("#triage-summary", Static).update(f"Could not list problems: {clean(exc)}")
            return
        self.show_groups(group_problems(problems))

    def on_resize(self) -> None:
        """Columns follow the terminal's width."""
        if self.is_mounted and self._loaded:
            self.show_groups(self.groups)

    def show_groups(self, groups: list[ProblemGroup]) -> None:
        table = self.query_one("#triage-groups", DataTable)
        selected = self._selected_group_id()
        self.groups = groups
        now = self._now()
        palette = self.app.palette
        rows: list[Row] = []
        for group in groups:
            style = palette.failed if group.severity == Severity.CRITICAL else palette.retrying
            cells = {
                "count": Text(str(group.count), style=f"bold {style}"),
                "kind": Text(",".join(k.value.replace("_", " ") for k in group.kinds)),
                "since": Text(age(group.since, now)),
                "streak": Text(str(group.streak) if group.streak else "-"),
                "cause": plain(group.fingerprint.label()[:200]),
            }
            rows.append((group.fingerprint.id, cells))
        self._group_columns.fill(table, self.app.size.width, rows)
        connections = sum(g.count for g in groups)
        failing = len(failing_connections(p for g in groups for p in g.problems))  # the header's count
        summary = (
            f"{connections} connection{'s need' if connections != 1 else ' needs'} attention ({failing} failing),"
            f" {counted(len(groups), 'cause')}"
            if groups
            else "Nothing is failing, stalled, stale or at risk of auto-disable."
        )
        # One line: the count first; the key hint gives way (cut, not wrapped) where the terminal is narrow.
        line = Text(summary, end="")
        line.append("   (enter: connections · l: log at the error · T: timeline · r: refresh)", style=palette.muted)
        self.query_one("#triage-summary", Static).update(line)
        if selected is not None:
            for row, group in enumerate(groups):
                if group.fingerprint.id == selected:
                    table.move_cursor(row=row)
        self._loaded = True
        self._show_connections()

    def _now(self) -> datetime:
        now: datetime = self.app.clock()
        return now

    def _selected_group_id(self) -> str | None:
        group = self.selected_group()
        return group.fingerprint.id if group else None

    def selected_group(self) -> ProblemGroup | None:
        table = self.query_one("#triage-groups", DataTable)
        if not self.groups or table.cursor_row < 0 or table.cursor_row >= len(self.groups):
            return None
        return self.groups[table.cursor_row]

    def selected_problem(self) -> ConnectionProblem | None:
        group = self.selected_group()
        table = self.query_one("#triage-connections", DataTable)
        if group is None or table.cursor_row < 0 or table.cursor_row >= len(group.problems):
            return None
        return group.problems[table.cursor_row]

    def _show_connections(self) -> None:
        group = self.selected_group()
        table = self.query_one("#triage-connections", DataTable)
        table.clear()
        cause = self.query_one("#triage-cause", Static)
        if group is None:
            cause.update("")
            return
        now = self._now()
        example = group.example
        cause.update(
            Text.assemble(
                plain(group.fingerprint.label()[:300], "bold"),
                "\n",
                plain(f"e.g. {example[:300]}" if example and example != group.fingerprint.pattern else ""),
            )
        )
        rows: list[Row] = []
        for index, problem in enumerate(group.problems):
            cells = {
                "name": plain(problem.connection_name or problem.connection_key or ""),
                "since": Text(age(problem.since, now)),
                "streak": Text(str(problem.streak) if problem.streak else "-"),
                "ok": Text(age(problem.last_success, now) if problem.last_success else "not seen"),
                "next": Text(until(problem.next_run, now)),
                "stream": plain(problem.failing_stream or "-"),
                "job": Text((problem.job_key or "-").split(":", 1)[-1]),
            }
            rows.append((problem.connection_key or f"provider-wide-{index}", cells))
        self._connection_columns.fill(table, self.app.size.width, rows)

    @on(DataTable.RowHighlighted, "#triage-groups")
    def _group_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        if self._loaded:
            self._show_connections()

    # ----------------------------------------------------------- actions
    def action_open(self) -> None:
        groups = self.query_one("#triage-groups", DataTable)
        if groups.has_focus:
            self.query_one("#triage-connections", DataTable).focus()
            return
        problem = self.selected_problem()
        if problem is None or problem.connection_key is None:
            return
        from airsync_tui.ui.screens.job import JobScreen

        self.app.push_screen(JobScreen(problem.connection_key, problem.job_key))

    @on(DataTable.RowSelected)
    def _row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open_logs(self) -> None:
        problem = self.selected_problem()
        if problem is None:
            self.notify("select a connection first (enter on a cause)", markup=False)
            return
        opener = getattr(self.app, "open_failure_logs", None)
        if callable(opener):
            opener(problem.job_key, problem.attempt_number, problem.failure)
        else:
            self.app.open_logs(problem.job_key, problem.attempt_number)

    def action_open_timeline(self) -> None:
        group = self.selected_group()
        problem = self.selected_problem() or (group.problems[0] if group is not None else None)
        if problem is None or problem.connection_key is None:
            return
        from airsync_tui.ui.screens.timeline import TimelineScreen

        self.app.push_screen(TimelineScreen(problem.connection_key))

    def action_refresh_problems(self) -> None:
        self.refresh_problems()

    def go_back(self) -> bool:
        """Escape from the connections table returns to the causes first."""
        connections = self.query_one("#triage-connections", DataTable)
        if connections.has_focus:
            self.query_one("#triage-groups", DataTable).focus()
            return True
        return False

    # -------------------------------------------------- app hooks
    def apply_events(self, _events: list[object]) -> None:
        """Problems change with jobs; the periodic refresh picks them up (cheaply)."""

    def on_clock_tick(self) -> None:
        """Ages are refreshed with each problem refresh."""
