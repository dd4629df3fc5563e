"""Alerts: open alerts first (critical, then oldest), then history newest first; enter opens the job.

History includes resolved alerts kept in the state file by earlier `airsync
watch` runs (read in a worker when the screen opens), not only this session's.

Fed by the dashboard's `RulesEngine` (the same rules as `airsync watch`), so
what an operator sees here is what their Slack channel gets.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Static

from airsync_tui.service.events import Event
from airsync_tui.service.problems import ProblemKind, Severity, failing_connections
from airsync_tui.service.rules.alerts import RULE_TITLES, Alert, short_duration
from airsync_tui.ui.bindings import bindings_for
from airsync_tui.ui.formatting import clean
from airsync_tui.ui.screens.base import AirsyncScreen
from airsync_tui.ui.widgets.header import HeaderBar

#: Rules whose count means something (runs failed, rows rejected); the others leave it blank.
_COUNTED = frozenset({ProblemKind.FAILED, ProblemKind.AUTO_DISABLE_RISK, ProblemKind.ROWS_REJECTED})


#: Cells the other alert columns need (Alert, Rule, For, Count, a readable What happened, padding).
_OTHER_COLUMNS = 92


def connection_room(width: int) -> int:
    """Cells for the connection name: 28 at 80 columns, the room there is on wider terminals (at most 64).

    Names were cut at 28 ("Facebook Marketing → Snowfla") even at 200 columns.
    """
    return max(28, min(64, width - _OTHER_COLUMNS))


class AlertsScreen(AirsyncScreen):
    BINDINGS = bindings_for("alerts")

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[Alert] = []
        self._seen = -1

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        yield Static(id="alerts-summary")
        yield DataTable(id="alerts", cursor_type="row", zebra_stripes=False)
        yield Static(id="alert-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#alerts", DataTable)
        # What happened goes last: it takes the width that is left (80 columns stay readable).
        for key, label in (
            ("severity", "Alert"),
            ("rule", "Rule"),
            ("what", "Connection"),
            ("since", "For"),
            ("count", "Count"),
            ("summary", "What happened"),
        ):
            table.add_column(label, key=key)
        self.render_alerts()
        self.app.alerts.load_past()
        table.focus()
        self.app.refresh_headers()

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
        table.clear()
        palette = self.app.palette
        name_room = connection_room(self.app.size.width)
        for alert in self._rows:
            severity_style = palette.failed if alert.severity is Severity.CRITICAL else palette.retrying
            state = Text("open", style="bold") if alert.is_open else Text("resolved", style=palette.muted)
            what = alert.connection_name or alert.provider
            summary = alert.summary if alert.is_open else f"{alert.resolution or ''} · was: {alert.summary}"
            table.add_row(
                Text(alert.severity.value, style=f"bold {severity_style}") if alert.is_open else state,
                Text(RULE_TITLES[alert.rule]),
                Text(clean(what)[:name_room]),
                Text(short_duration(alert.duration(now))),
                Text(str(alert.count) if alert.rule in _COUNTED else "", justify="right"),
                Text(clean(summary)[:160]),
                key=alert.id,
            )
        if self._rows:
            table.move_cursor(row=min(max(cursor, 0), len(self._rows) - 1))
        critical = sum(1 for a in open_alerts if a.severity is Severity.CRITICAL)
        # The header's "N failing": the same function over the same alerts.
        failing = len(failing_connections(a.problem() for a in open_alerts))
        bell = "on" if bridge.bell else "off"
        desktop = "on" if bridge.desktop else "off"
        past_ids = {a.id for a in bridge.past}
        earlier = sum(1 for a in recent if a.id in past_ids)
        note = f" · {bridge.past_note}" if bridge.past_note else ""
        self.query_one("#alerts-summary", Static).update(
            Text(
                f" {len(open_alerts)} open ({critical} critical) · {failing} connection{'s' if failing != 1 else ''} failing"
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
