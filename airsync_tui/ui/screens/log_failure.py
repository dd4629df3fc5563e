"""The log viewer with what explains a failure: a pinned failure header, error groups, an attempt summary.

Extends `LogScreen` without changing it:

* a pinned header from the attempt's `failureSummary` (origin, type, stream,
  retryable, external message) and a dbt-style attempt summary (outcome,
  duration, records); `x` jumps to the first log line that matches the failure;
* `ctrl+e` toggles the error-groups panel (ERROR/exception lines fingerprinted,
  counted, first/last line); `enter` on a group makes its occurrences the
  matches, so `n`/`N` (or `}`/`{`) step through that group only;
* opened from triage it starts positioned at the first line of the error.

Grouping runs in a thread: the UI never scans a million lines.
"""

from __future__ import annotations

import re
from array import array
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from airsync_tui.logs.errors import ErrorGroup, error_groups, first_line_matching
from airsync_tui.logs.fingerprint import normalise_message
from airsync_tui.logs.index import LogIndex
from airsync_tui.models.domain import Attempt, FailureInfo
from airsync_tui.service.log_report import attempt_summary_lines, failure_header_lines
from airsync_tui.ui.bindings import bindings_for
from airsync_tui.ui.screens.log_screen import LogScreen
from airsync_tui.ui.widgets.log_view import LogView

_MASK = re.compile(r"<(?:n|id|uuid|ts|host|url|q|email)>")


def literal_piece(pattern: str) -> str:
    """The longest literal run of a masked pattern (what every occurrence shares), for highlighting."""
    pieces = sorted((p.strip() for p in _MASK.split(pattern)), key=len, reverse=True)
    return pieces[0] if pieces and pieces[0] else pattern


class FailureLogScreen(LogScreen):
    """LogScreen + failure header, error groups and attempt summary."""

    BINDINGS = [*bindings_for("logs"), *bindings_for("logs_failure")]

    def __init__(
        self,
        feed: Any,
        *,
        failure: FailureInfo | None = None,
        jump_to_failure: bool = False,
    ) -> None:
        super().__init__(feed)
        self._given_failure = failure
        self.jump_to_failure = jump_to_failure
        self.groups: list[ErrorGroup] = []
        self._groups_for: LogIndex | None = None
        self._header_for: int | None = None
        self._jumped = False

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, LogView):
                header = Static("", id="failure-header")
                header.display = False
                yield header
                yield widget
                panel: DataTable[object] = DataTable(id="error-groups", cursor_type="row", zebra_stripes=True)
                panel.display = False
                yield panel
            else:
                yield widget

    def on_mount(self) -> None:
        super().on_mount()
        panel: DataTable[object] = self.query_one("#error-groups", DataTable)
        for key, label in (
            ("count", "×"),
            ("first", "First line"),
            ("last", "Last line"),
            ("error", "Error"),
        ):
            panel.add_column(label, key=key)
        self.set_interval(0.25, self._after_load, name="failure-after-load")

    # -------------------------------------------------------------- header
    def attempt(self, number: int | None = None) -> Attempt | None:
        app: Any = self.app
        job = getattr(self.feed, "job", None)
        detail = app.watcher.store.details.get(job.key) if job is not None else None
        if detail is None:
            return None
        wanted = self.attempt_number if number is None else number
        return next((a for a in detail.attempts if a.number == wanted), None)

    def failure(self) -> FailureInfo | None:
        attempt = self.attempt()
        if attempt is not None and attempt.failures:
            return attempt.failures[0]
        initial = getattr(self.feed, "initial_attempt", None)
        return self._given_failure if self.attempt_number == initial else None

    def _this(self) -> str:
        """ "this attempt", or "this run" where the provider's jobs are one try."""
        return f"this {self.single_try_noun or 'attempt'}"

    def _render_header(self) -> None:
        header = self.query_one("#failure-header", Static)
        failure = self.failure()
        attempt = self.attempt()
        lines: list[str] = []
        if failure is not None:
            lines += failure_header_lines(failure)
        if attempt is not None and attempt.status.is_terminal:
            noun = "attempt" if self.single_try_noun is None else None  # a single-try run: no "attempt 1:"
            lines.append(attempt_summary_lines(attempt, noun=noun)[0])
        header.display = bool(lines)
        if lines:
            text = Text("\n").join(Text(line) for line in lines[:4])
            if failure is not None:
                text.append("   (x: jump to it · ctrl+e: error groups)", style="dim")
            header.update(text)
        header.set_class(failure is not None, "-failed")

    def _after_load(self) -> None:
        """Keep the header in step with the attempt shown; jump once the log is indexed."""
        if self._header_for != self.attempt_number:
            self._header_for = self.attempt_number
            self._render_header()
        if self._loading or self._prefix is not None or not len(self.view.index):
            return
        if self.jump_to_failure and not self._jumped:
            self._jumped = True
            self.action_jump_to_failure()
        panel = self.query_one("#error-groups", DataTable)
        if panel.display and self._groups_for is not self.view.index:
            self.compute_groups()

    def action_jump_to_failure(self) -> None:
        failure = self.failure()
        if failure is None:
            self.notify(f"no failure recorded for {self._this()}", markup=False, timeout=2)
            return
        index = self.view.index
        line = first_line_matching(index, failure.message) if failure.message else None
        if line is None:
            line = first_line_matching(index, failure.internal_message)
        if line is None:
            self.notify(
                "the failure's text is not in this log; press e for the next error line",
                markup=False,
                timeout=4,
            )
            return
        term = literal_piece(normalise_message(index.line(line)))[:80] or index.line(line)[:80]
        self.view.apply_search_result(term, True, False, array("q", [line]))
        self._update_status()

    # -------------------------------------------------------------- groups
    def action_toggle_error_groups(self) -> None:
        panel = self.query_one("#error-groups", DataTable)
        panel.display = not panel.display
        if panel.display:
            if self._groups_for is not self.view.index:
                self.compute_groups()
            panel.focus()
        else:
            self.view.focus()

    @work(exclusive=True, group="error-groups", thread=True, exit_on_error=False)
    def compute_groups(self) -> None:
        index = self.view.index
        groups = error_groups(index)
        self.app.call_from_thread(self._show_groups, index, groups)

    def _show_groups(self, index: LogIndex, groups: list[ErrorGroup]) -> None:
        if index is not self.view.index:
            return
        self._groups_for = index
        self.groups = groups
        panel = self.query_one("#error-groups", DataTable)
        panel.clear()
        for group in groups:
            panel.add_row(
                str(group.count),
                f"{group.first + 1:,}",
                f"{group.last + 1:,}",
                Text(group.pattern[:200]),
                key=group.id,
            )
        if not groups:
            self.notify(f"no ERROR or exception lines in {self._this()}", markup=False, timeout=3)

    @on(DataTable.RowSelected, "#error-groups")
    def _group_selected(self, event: DataTable.RowSelected) -> None:
        row = event.cursor_row
        if 0 <= row < len(self.groups):
            self.select_group(self.groups[row])

    def select_group(self, group: ErrorGroup) -> None:
        """Make this group's occurrences the matches: n/N (or }/{) step through them."""
        self.view.apply_search_result(literal_piece(group.pattern)[:80], True, False, array("q", group.lines))
        self.view.focus()
        self._update_status()
