"""`LogScreen`: the attempt log viewer.

It owns no data access: everything comes through an
:class:`~airsync_tui.logs.feed.AttemptLogFeed`, so Airbyte (full logs),
Hightouch (a notice plus the run's error) and tests share this screen.
Loading, polling, searching and saving run in Textual workers so a
100 MB download or a million-line search never freezes key handling; feed
errors become a one-line message instead of a crash.

Big logs load progressively when the feed supports it
(:class:`~airsync_tui.logs.feed.ProgressiveLogFeed`): the first lines are
shown as soon as they are parsed, the status line says "indexing… N lines",
and the full index is swapped in when ready, keeping the cursor, scroll
position, filters and search (which is re-run on the full log).

Keys come from the binding registry (``bindings_for("logs")``), the single
source of truth for keys, help and the command palette.
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from array import array
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import Worker, get_current_worker

from airsync_tui.errors import NotFoundError
from airsync_tui.files import write_private_text
from airsync_tui.logs import (
    Level,
    LogIndex,
    SearchError,
    Source,
    format_full_text,
    sanitize_text,
)
from airsync_tui.logs.feed import AttemptLogFeed, supports_progressive
from airsync_tui.textfmt import counted
from airsync_tui.ui.bindings import bindings_for
from airsync_tui.ui.screens.base import open_input
from airsync_tui.ui.styles import stylesheet_path
from airsync_tui.ui.widgets.footer import SteadyFooter
from airsync_tui.ui.widgets.log_view import LogView

__all__ = ["LogScreen", "log_save_dir", "log_file_name"]

#: How often a live attempt is polled (the web UI uses 2.5 s too).
POLL_INTERVAL = 2.5
#: Longest wait for the prefix to be painted before the full parse starts
#: anyway (a headless or very slow terminal must not stall the load).
FIRST_PAINT_TIMEOUT = 1.0

LEVEL_CYCLE: tuple[Level | None, ...] = (None, Level.INFO, Level.WARN, Level.ERROR)
SOURCE_CYCLE: tuple[Source | None, ...] = (
    None,
    Source.SOURCE,
    Source.DESTINATION,
    Source.PLATFORM,
    Source.ORCHESTRATOR,
)
_LEVEL_NAMES = {Level.INFO: "info", Level.WARN: "warn", Level.ERROR: "error"}
_SOURCE_NAMES = {
    Source.SOURCE: "source",
    Source.DESTINATION: "destination",
    Source.PLATFORM: "platform",
    Source.ORCHESTRATOR: "orchestrator",
}


def log_save_dir() -> Path:
    """``<user data dir>/airsync/logs`` (platformdirs when available)."""
    try:
        from platformdirs import user_data_path
    except ImportError:  # pragma: no cover - platformdirs is a dependency
        return Path.home() / ".local" / "share" / "airsync" / "logs"
    return user_data_path("airsync") / "logs"


def _safe_name(text: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return cleaned[:80] or "connection"


def log_file_name(connection: str, job_id: object, attempt_number: int) -> str:
    """``<connection-name>-job<id>-attempt<n>.log`` with a filesystem-safe name."""
    # 1-based, as the screen and `airsync logs --attempt` number attempts.
    return f"{_safe_name(connection)}-job{_safe_name(str(job_id))}-attempt{attempt_number + 1}.log"


class LogScreen(Screen[None]):
    """Full-screen viewer for one job's attempt logs."""

    scope = "logs"  # the command palette lists this screen's registry entries
    BINDINGS = bindings_for("logs")
    CSS_PATH = str(stylesheet_path("logs"))

    def __init__(self, feed: AttemptLogFeed, *, name: str | None = None) -> None:
        super().__init__(name=name)
        self.feed = feed
        self.attempt_number = feed.initial_attempt
        self._level_pos = 0
        self._source_pos = 0
        self._loading = False
        #: The prefix index on screen while the full log is still being indexed.
        self._prefix: LogIndex | None = None
        #: The last prefix replaced by a full index (late search results re-run).
        self._replaced_prefix: LogIndex | None = None
        self._message = ""
        self._message_is_error = False
        self._following = False
        self._match = (0, 0)
        self._cursor = (0, 0)
        self._poll_timer: Timer | None = None

    # -- layout -------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(sanitize_text(self.feed.title, keep_newlines=False), id="log-title", markup=False)
        notice = Static(sanitize_text(self.feed.notice or "", keep_newlines=False), id="log-notice", markup=False)
        notice.display = bool(self.feed.notice)
        yield notice
        message = Static("", id="log-message", markup=False)
        message.display = False
        yield message
        yield LogView(id="log-view")
        search = Input(placeholder="Search (regex: prefix re:)  enter = find, esc = close", id="log-search")
        search.display = False
        yield search
        yield Static("", id="log-status", markup=False)
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one(LogView).focus()
        self._poll_timer = self.set_interval(POLL_INTERVAL, self._poll_tick, pause=True)
        self.load_attempt(self.attempt_number)

    @property
    def view(self) -> LogView:
        return self.query_one("#log-view", LogView)

    # -- loading & polling ----------------------------------------------------

    @work(exclusive=True, group="log-load")
    async def load_attempt(self, attempt_number: int) -> None:
        """Fetch an attempt's full log without blocking the UI (progressively
        when the feed can: see :meth:`_show_prefix`)."""
        self.attempt_number = attempt_number
        self._loading = True
        self._prefix = None
        if self._poll_timer is not None:
            self._poll_timer.pause()
        self._set_message("Loading attempt log…")
        self._update_status()
        worker = get_current_worker()
        try:
            if supports_progressive(self.feed):
                index = await self.feed.load_progressive(attempt_number, lambda prefix: self._show_prefix(prefix, worker))
            else:
                index = await self.feed.load(attempt_number)
        except Exception as exc:  # noqa: BLE001 - any feed failure is shown, not raised
            self._loading = False
            if self._await_first_attempt(exc, attempt_number):
                return
            partial = f" (showing its first {len(self._prefix):,} lines only)" if self._prefix is not None else ""
            self._prefix = None
            self._set_message(f"Could not load {self._which(attempt_number)}: {exc}{partial}", error=True)
            self._update_status()
            return
        if worker.is_cancelled:
            return
        live = self.feed.is_live(attempt_number)
        prefix = self._shown_prefix()
        if prefix is not None and self.view.index is prefix:
            await self._swap_in_full(prefix, index, worker)
            if get_current_worker().is_cancelled:  # (the same worker; read anew after the await)
                return
            if live:
                self.view.action_follow()
        else:
            self.view.set_index(index, follow=live)
        self._loading = False
        self._prefix = None
        self._set_message("" if len(index) else f"{self._which(attempt_number, capital=True)} has no log lines (yet).")
        if live and self._poll_timer is not None:
            self._poll_timer.resume()
        self._update_status()

    @property
    def single_try_noun(self) -> str | None:
        """The provider's word for a job ("run") when its jobs are one try, else None (attempts are numbered).

        Read from the feed (`ProviderLogFeed.has_attempts`); a feed that does not say has attempts.
        """
        if getattr(self.feed, "has_attempts", True):
            return None
        return str(getattr(self.feed, "job_noun", "job"))

    def _which(self, attempt_number: int, *, capital: bool = False) -> str:
        """ "attempt 2", or "the run" where the provider's jobs are one try (no attempt numbers there)."""
        noun = self.single_try_noun
        if noun is None:
            return f"{'A' if capital else 'a'}ttempt {attempt_number + 1}"
        return f"{'The' if capital else 'the'} {noun}"

    def _shown_prefix(self) -> LogIndex | None:
        """The prefix `_show_prefix` put on screen during this load. Read through a call:
        `_show_prefix` sets it from a callback, which a type checker cannot see across the await."""
        return self._prefix

    def _await_first_attempt(self, exc: Exception, attempt_number: int) -> bool:
        """A job that has not started has no attempt yet: wait for it, then follow it.

        True when the failure was "no such attempt" on a job that is still
        pending or running (the screen retries every `POLL_INTERVAL`).
        """
        if not isinstance(exc, NotFoundError):
            return False
        job = getattr(self.feed, "job", None)
        watcher = getattr(self.app, "watcher", None)
        current = watcher.store.jobs.get(job.key, job) if job is not None and watcher is not None else job
        if current is None or current.status.is_terminal:
            if current is not None:
                self._set_message(f"{current.status.label}: this job ended without {self._which(attempt_number)}", error=True)
                self._update_status()
                return True
            return False
        self._set_message(f"Waiting for {self._which(attempt_number)} to start ({current.status.label})… it opens here by itself.")
        self._update_status()
        self.set_timer(POLL_INTERVAL, lambda: self.load_attempt(attempt_number) if self.is_mounted else None)
        return True

    def _show_prefix(self, prefix: LogIndex, worker: Worker[None]) -> asyncio.Future[None] | None:
        """Show the first lines of a log that is still being indexed.

        Returns an awaitable that resolves once the screen has been painted
        (or after :data:`FIRST_PAINT_TIMEOUT`): the feed waits for it before
        starting the full parse, which holds the GIL for seconds and would
        otherwise delay this very first paint.
        """
        if worker.is_cancelled or not self.is_mounted:
            return None
        self._prefix = prefix
        self.view.set_index(prefix)
        self._set_message("")
        self._update_status()
        painted: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def done() -> None:
            if not painted.done():
                painted.set_result(None)

        self.call_after_refresh(done)
        asyncio.get_running_loop().call_later(FIRST_PAINT_TIMEOUT, done)
        return painted

    async def _swap_in_full(self, prefix: LogIndex, index: LogIndex, worker: Worker[None]) -> None:
        """Replace the prefix with the full index, re-running the active search
        in a thread first so the UI thread never scans a million lines."""
        view = self.view
        active = view._search  # noqa: SLF001
        matches = None
        if active is not None:
            term, case_sensitive, regex = active
            try:
                matches = await asyncio.to_thread(index.search, term, case_sensitive, regex)
            except SearchError:
                matches = None
            if worker.is_cancelled or view.index is not prefix:
                return
            if view._search != active:  # noqa: SLF001 - the user searched meanwhile
                matches = None
        self._replaced_prefix = prefix
        view.replace_index(index, matches=matches)

    def _poll_tick(self) -> None:
        if not self._loading:
            self.poll_attempt()

    @work(exclusive=True, group="log-poll")
    async def poll_attempt(self) -> None:
        number = self.attempt_number
        index = self.view.index
        before = len(index)
        try:
            added = await self.feed.poll(number, index)
        except Exception as exc:  # noqa: BLE001
            self._set_message(f"Polling failed (will retry): {exc}", error=True)
            return
        if number != self.attempt_number or index is not self.view.index:
            return  # the user switched attempts meanwhile
        if self._message_is_error:
            self._set_message("")
        if added:
            self.view.lines_appended(before)
        if not self.feed.is_live(number) and self._poll_timer is not None:
            self._poll_timer.pause()
        self._update_status()

    # -- view messages -> status bar -------------------------------------------

    @on(LogView.FollowChanged)
    def _on_follow_changed(self, event: LogView.FollowChanged) -> None:
        self._following = event.following
        self._update_status()

    @on(LogView.MatchChanged)
    def _on_match_changed(self, event: LogView.MatchChanged) -> None:
        self._match = (event.current, event.total)
        self._update_status()

    @on(LogView.CursorMoved)
    def _on_cursor_moved(self, event: LogView.CursorMoved) -> None:
        self._cursor = (event.row, event.rows)
        self._update_status()

    def status_text(self) -> str:
        """The status line (also handy in tests)."""
        parts = [sanitize_text(self.feed.attempt_label(self.attempt_number), keep_newlines=False)]
        if self._loading:
            parts.append(f"indexing… {len(self._prefix):,} lines" if self._prefix is not None else "loading…")
        elif self.feed.is_live(self.attempt_number):
            parts.append("FOLLOWING" if self._following else "PAUSED (press f)")
        view = self.view if self.is_mounted else None
        if view is not None and view._search is not None:  # noqa: SLF001
            current, total = self._match
            if not total:
                parts.append("no matches")
            else:  # none selected (e.g. after a filter change): no "0/9"
                parts.append(f"{current:,}/{total:,} matches" if current else f"{total:,} match{'es' if total != 1 else ''}")
        filters = []
        level, source = LEVEL_CYCLE[self._level_pos], SOURCE_CYCLE[self._source_pos]
        if level is not None:
            filters.append(f"level ≥ {_LEVEL_NAMES[level]}")
        if source is not None:
            filters.append(f"source: {_SOURCE_NAMES[source]}")
        parts.append(" · ".join(filters) if filters else "all lines")
        if view is not None:
            flags = []
            if view.wrap:
                flags.append("wrap")
            if not view.show_timestamps:
                flags.append("no times")
            if flags:
                parts.append(" ".join(flags))
        row, rows = self._cursor
        parts.append(f"line {row + 1 if rows else 0:,}/{rows:,}")
        text = "  │  ".join(parts)
        room = self.size.width - 2 if self.size.width else 0  # 0 until laid out: no room known, nothing tightened
        if room and len(text) > room:
            # A narrow terminal: tighter separators, and the default filter goes without saying
            # (at 80 columns "line 12/42", the viewer's position, was cut off the end).
            text = " │ ".join(part for part in parts if part != "all lines")
        return text

    def _update_status(self) -> None:
        if not self.is_mounted:
            return
        status = self.query_one("#log-status", Static)
        status.update(self.status_text())
        status.set_class(self._following, "-following")

    def _set_message(self, text: str, *, error: bool = False) -> None:
        self._message = text
        self._message_is_error = error and bool(text)
        widget = self.query_one("#log-message", Static)
        widget.update(sanitize_text(text, keep_newlines=False))
        widget.set_class(self._message_is_error, "-error")
        widget.display = bool(text)

    # -- search -------------------------------------------------------------------

    def action_search(self) -> None:
        open_input(self, self.query_one("#log-search", Input), "/")

    @on(Input.Submitted, "#log-search")
    def _on_search_submitted(self, event: Input.Submitted) -> None:
        term = event.value
        regex = term.startswith("re:")
        if regex:
            term = term[3:]
        if not term:
            self.view.clear_search()
            self._update_status()
            return
        self.run_search(term, regex)

    @work(exclusive=True, group="log-search", thread=True)
    def run_search(self, term: str, regex: bool) -> None:
        """Search in a thread: the UI keeps answering keys on huge logs."""
        index = self.view.index
        case_sensitive = term != term.lower()  # "smart case", as in less/vim
        try:
            matches = index.search(term, case_sensitive, regex)
        except SearchError as exc:
            self.app.call_from_thread(self._set_message, str(exc), error=True)
            return
        if get_current_worker().is_cancelled:
            return
        self.app.call_from_thread(self._apply_search, index, term, case_sensitive, regex, matches)

    def _apply_search(self, index: LogIndex, term: str, case_sensitive: bool, regex: bool, matches: array[int]) -> None:
        view = self.view
        if index is not view.index:
            if index is self._replaced_prefix:  # indexing finished meanwhile: search the full log
                self.run_search(term, regex)
            return
        if self._message_is_error:
            self._set_message("")
        view.apply_search_result(term, case_sensitive, regex, matches)
        view.focus()
        self._update_status()

    def action_next_match(self) -> None:
        if not self.view.next_match():
            self.notify("No matches.", severity="warning", timeout=2)

    def action_prev_match(self) -> None:
        if not self.view.prev_match():
            self.notify("No matches.", severity="warning", timeout=2)

    def action_back(self) -> None:
        search = self.query_one("#log-search", Input)
        if search.display:
            search.display = False
            self.view.focus()
            return
        if len(self.app.screen_stack) > 1:
            self.dismiss()
        else:
            self.app.exit()

    # -- navigation & toggles -------------------------------------------------------

    def action_next_error(self) -> None:
        if not self.view.next_error():
            self.notify("No error lines.", timeout=2)

    def action_follow(self) -> None:
        self.view.action_follow()

    def action_toggle_wrap(self) -> None:
        self.view.wrap = not self.view.wrap
        self._update_status()

    def action_toggle_timestamps(self) -> None:
        self.view.show_timestamps = not self.view.show_timestamps
        self._update_status()

    def action_cycle_level_filter(self) -> None:
        self._level_pos = (self._level_pos + 1) % len(LEVEL_CYCLE)
        self._apply_filters()

    def action_cycle_source_filter(self) -> None:
        self._source_pos = (self._source_pos + 1) % len(SOURCE_CYCLE)
        self._apply_filters()

    def _apply_filters(self) -> None:
        source = SOURCE_CYCLE[self._source_pos]
        self.view.set_filter(LEVEL_CYCLE[self._level_pos], None if source is None else [source])
        if not self._loading and len(self.view.index) and self.view.row_count == 0:
            self._set_message("No lines match these filters (v: level, u: source).")
        elif self._message.startswith("No lines match"):
            self._set_message("")
        self._update_status()

    def action_prev_attempt(self) -> None:
        self._switch_attempt(-1)

    def action_next_attempt(self) -> None:
        self._switch_attempt(+1)

    def _switch_attempt(self, step: int) -> None:
        numbers = self.feed.attempt_numbers
        if self.attempt_number not in numbers:
            return
        position = numbers.index(self.attempt_number) + step
        if not 0 <= position < len(numbers):
            self.notify("No more attempts.", timeout=2)
            return
        self.load_attempt(numbers[position])

    # -- export -----------------------------------------------------------------------

    def save_path(self) -> Path:
        feed = self.feed
        connection = getattr(feed, "connection_name", None) or feed.title.split(" · ")[0]
        job_id = getattr(feed, "job_id", None)
        if job_id is None:
            found = re.search(r"job\s*#?(\d+)", feed.title)
            job_id = found.group(1) if found else "unknown"
        return log_save_dir() / log_file_name(connection, job_id, self.attempt_number)

    def _still_indexing(self) -> bool:
        """Saving or paging a half-indexed log would silently drop lines."""
        if self._prefix is None:
            return False
        self.notify("The log is still being indexed; try again in a moment.", severity="warning", timeout=3)
        return True

    def action_save_log(self) -> None:
        if self._still_indexing():
            return
        self.save_log(self.save_path())

    @work(exclusive=True, group="log-save", thread=True)
    def save_log(self, path: Path) -> None:
        """Write the formatted log (sanitised) in a thread; notify the path."""
        index = self.view.index
        show_timestamps = self.view.show_timestamps
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_private_text(path, format_full_text(index, show_timestamps))  # 0600: logs may hold secrets
        except OSError as exc:
            self.app.call_from_thread(self.notify, f"Could not save the log: {exc}", severity="error")
            return
        self.app.call_from_thread(self.notify, f"Saved {counted(len(index), 'line')} to {path}", title="Log saved")

    def action_copy_line(self) -> None:
        text = self.view.current_text()
        if not text:
            return
        self.app.copy_to_clipboard(text)
        self.notify("Copied the current line.", timeout=2)

    def action_open_pager(self) -> None:
        pager = os.environ.get("PAGER", "").strip()
        command = shlex.split(pager) if pager else (["less", "-R"] if shutil.which("less") else [])
        if not command:
            self.notify("Set $PAGER (or install less) to open the log in a pager.", severity="warning")
            return
        if self._still_indexing():
            return
        text = format_full_text(self.view.index, self.view.show_timestamps)
        with tempfile.NamedTemporaryFile("w", suffix=".log", prefix="airsync-", delete=False, encoding="utf-8") as handle:
            handle.write(text)
            path = handle.name
        try:
            with self.app.suspend():
                subprocess.run([*command, path], check=False)
        except Exception as exc:  # noqa: BLE001 - e.g. SuspendNotSupported in web/headless mode
            self.notify(f"Could not open the pager: {exc}. The log is in {path}", severity="warning")
            return
        finally:
            self.refresh()
        try:
            os.unlink(path)
        except OSError:
            pass
