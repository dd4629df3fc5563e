"""Alerts: open alerts first (critical, then oldest), then history newest first; enter opens the job.

History includes resolved alerts kept in the state file by earlier `airsync
watch` runs (read in a worker when the screen opens), not only this session's.

Fed by the dashboard's `RulesEngine` (the same rules as `airsync watch`), so
what an operator sees here is what their Slack channel gets.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from airsync_tui.service.events import Event
from airsync_tui.service.problems import ProblemKind, Severity
from airsync_tui.service.rules.alerts import RULE_TITLES, Alert, short_duration
from airsync_tui.textfmt import counted
from airsync_tui.ui.bindings import bindings_for
from airsync_tui.ui.formatting import clean, plain
from airsync_tui.ui.screens.base import AirsyncScreen
from airsync_tui.ui.widgets.fitted_columns import FitColumn, FittedColumns, Row
from airsync_tui.ui.widgets.footer import SteadyFooter
from airsync_tui.ui.widgets.header import HeaderBar

#: Rules whose count means something (runs failed, rows rejected); the others leave it blank.
_COUNTED = frozenset({ProblemKind.FAILED, ProblemKind.AUTO_DISABLE_RISK, ProblemKind.ROWS_REJECTED})


#: In display order; which show and how wide depends on the terminal (`ui/widgets/fitted_columns.py`).
#: The rule, the connection and what happened matter most; the severity is
#: also the row's colour, and the age and count are in the detail pane.
ALERT_COLUMNS: tuple[FitColumn, ...] = (
    FitColumn("severity", "Alert", 8, 3),
    FitColumn("rule", "Rule", 13, 0),
    FitColumn("what", "Connection", 20, 1, grow_to=64),
    FitColumn("since", "For", 7, 4),
    FitColumn("count", "Count", 5, 5),
    FitColumn("summary", "What happened", 16, 2, grow_to=160),
)


class AlertsScreen(AirsyncScreen):
    BINDINGS = bindings_for("alerts")

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[Alert] = []
        self._seen = -1
        self._columns = FittedColumns(ALERT_COLUMNS)

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        yield Static(id="alerts-summary")
        yield DataTable(id="alerts", cursor_type="row", zebra_stripes=False)
        yield Static(id="alert-detail")
        yield SteadyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#alerts", DataTable)
        self.render_alerts()
        self.app.alerts.load_past()
        table.focus()
        self.app.refresh_headers()

    def on_resize(self) -> None:
        """Columns follow the terminal's width."""
        if self.is_mounted:
            self.render_alerts(force=True)

    def apply_events(self, events: list[Event]) -> None:
        self.render_alerts()

    def on_clock_tick(self) -> None:
        self.render_alerts(force=True)

    def render_alerts(self, force: bool = False) -> None:
        bridge = self.app.alerts
        if not force and bridge.changes == self._seen:
            return
        self._seen = bridge.changes
        now = self.app.clock()
        open_alerts = bridge.engine.open_alerts()
        recent = bridge.history()
        self._rows = open_alerts + recent
        table = self.query_one("#alerts", DataTable)
        cursor = table.cursor_row
        palette = self.app.palette
        rows: list[Row] = []
        for alert in self._rows:
            severity_style = palette.failed if alert.severity is Severity.CRITICAL else palette.retrying
            state = Text("open", style="bold") if alert.is_open else Text("resolved", style=palette.muted)
            what = alert.connection_name or alert.provider
            summary = alert.summary if alert.is_open else f"{alert.resolution or ''} · was: {alert.summary}"
            cells = {
                "severity": Text(alert.severity.value, style=f"bold {severity_style}") if alert.is_open else state,
                "rule": Text(RULE_TITLES[alert.rule]),
                "what": plain(what),
                "since": Text(short_duration(alert.duration(now))),
                "count": Text(str(alert.count) if alert.rule in _COUNTED else "", justify="right"),
                "summary": plain(clean(summary)[:160]),
            }
            rows.append((alert.id, cells))
        self._columns.fill(table, self.app.size.width, rows)
        if self._rows:
            table.move_cursor(row=min(max(cursor, 0), len(self._rows) - 1))
        critical = sum(1 for a in open_alerts if a.severity is Severity.CRITICAL)
        # The header's "N failing": the same function (the engine's failing connections).
        failing = len(bridge.engine.failing())
        bell = "on" if bridge.bell else "off"
        desktop = "on" if bridge.desktop else "off"
        past_ids = {a.id for a in bridge.past}
        earlier = sum(1 for a in recent if a.id in past_ids)
        note = f" · {bridge.past_note}" if bridge.past_note else ""
        self.query_one("#alerts-summary", Static).update(
            Text(
                f" {len(open_alerts)} open ({critical} critical) · {counted(failing, 'connection')} failing"
                f" · {len(recent)} resolved"
                f"{f' ({earlier} from earlier runs)' if earlier else ''} · "
                f"bell {bell} (b) · desktop {desktop} (d) · enter: job{note}",
                style="bold" if open_alerts else palette.muted,
            )
        )

    def action_open_alert(self) -> None:
        table = self.query_one("#alerts", DataTable)
        if not self._rows or table.cursor_row < 0:
            return
        alert = self._rows[min(table.cursor_row, len(self._rows) - 1)]
        if alert.connection_key is None:
            self.app.notify("this alert is about the provider's API, not one job", markup=False)
            return
        from airsync_tui.ui.screens.job import JobScreen

        self.app.push_screen(JobScreen(alert.connection_key, alert.job_key))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The selected alert in full under the table (the column cuts long messages)."""
        if not self._rows or event.cursor_row < 0:
            self.query_one("#alert-detail", Static).update("")
            return
        alert = self._rows[min(event.cursor_row, len(self._rows) - 1)]
        lines = [clean(alert.summary)]
        if alert.resolution:
            lines.append(f"resolved: {clean(alert.resolution)}")
        if alert.url:
            lines.append(clean(alert.url))
        lines.append(f"alert id: {clean(alert.id)}")
        self.query_one("#alert-detail", Static).update(Text("\n".join(lines)))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """The table takes enter itself: a selected row opens its job."""
        event.stop()
        self.action_open_alert()

    def action_toggle_bell(self) -> None:
        bridge = self.app.alerts
        bridge.bell = not bridge.bell
        self.render_alerts(force=True)

    def action_toggle_desktop(self) -> None:
        self.app.alerts.toggle_desktop()
        self.render_alerts(force=True)
