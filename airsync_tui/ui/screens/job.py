"""Job panel: one job of one connection, live.

Why it looks like this: an operator opens it to answer "is it moving, how
far, how long, and if it failed, why" without leaving the keyboard. So the
top shows status with its transition history, a progress bar (indeterminate
when nothing estimates the total, never a made-up percentage), counts,
throughput, a ticking elapsed time and an ETA; below sit the attempts (with
failure origin/type/message), per-stream progress and the connection's
recent jobs, browsable with `[` / `]`.

The panel follows its job through the watcher (`follow_job` on mount,
`unfollow_job` on unmount) and applies events as diffs: each text block is
re-rendered only when its content changes and the tables patch cells.
When opened on "the latest job", a newer job of the connection (one you just
triggered) takes over the panel automatically.
"""

from __future__ import annotations

import textwrap
from datetime import datetime, timedelta

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.events import Key
from textual.widgets import DataTable, Label, Static

from airsync_tui.errors import AirsyncError
from airsync_tui.models.domain import Attempt, Job, JobDetail, Progress, StreamProgress
from airsync_tui.models.jobview import (
    HistoryEntry,
    attempt_records,
    bytes_total,
    is_stalled,
    percent_text,
    records_label,
    records_total,
    status_history,
)
from airsync_tui.models.jobview import eta as job_eta
from airsync_tui.models.recent import is_newer, newest_first
from airsync_tui.providers.base import ProviderCapabilities, SyncProvider
from airsync_tui.service.events import (
    ActionResult,
    ConnectionsChanged,
    ConnectionsLoaded,
    Event,
    JobCreated,
    JobDetailUpdated,
    JobStatusChanged,
    JobUpdated,
    ProgressUpdated,
)
from airsync_tui.service.stream_states import detail_streams
from airsync_tui.service.watcher import Watcher
from airsync_tui.textfmt import synced_rows
from airsync_tui.ui.bindings import bindings_for
from airsync_tui.ui.formatting import (
    DASH,
    Palette,
    clean,
    clock_time,
    count,
    duration,
    plain,
    progress_bar,
    rate,
    size,
    status_badge,
    status_style,
)
from airsync_tui.ui.messages import JobOpened
from airsync_tui.ui.screens.base import LiveScreen
from airsync_tui.ui.widgets.footer import SteadyFooter
from airsync_tui.ui.widgets.header import HeaderBar
from airsync_tui.ui.widgets.jobcharts import rate_sparkline, recent_bars
from airsync_tui.ui.widgets.live_table import LiveTable
from airsync_tui.ui.widgets.stream_states import StreamStatesPanel

RECENT_JOBS_PAGE = 20
#: The recent jobs' duration and records bars: each this many cells at most, fewer in a narrow terminal.
MAX_BAR_CELLS = 10
MIN_BAR_CELLS = 4
#: An attempt's failure cell keeps at least this much when the terminal is narrow ("destination · s…").
MIN_FAILURE_CELLS = 12
#: Refreshes to wait for the job panel's tables to get a width before fitting their cells.
FIT_RETRIES = 5


LABEL_WIDTH = 12


def _label(text: str, palette: Palette, width: int = LABEL_WIDTH) -> Text:
    """Fixed-width field label; `width` grows with the longest label shown so values align."""
    return Text(f"{text:<{width}}" if len(text) < width else f"{text} ", style=palette.muted)


def eta_of(progress: Progress | None, elapsed: timedelta | None) -> timedelta | None:
    """Lifetime extrapolation (kept for callers without a rate window); see `models.jobview.eta`."""
    return job_eta(progress, elapsed)


class JobScreen(LiveScreen):
    """Live panel of a connection's job (the latest unless one is chosen)."""

    scope = "job"
    BINDINGS = bindings_for("job")

    def __init__(self, connection_key: str, job_key: str | None = None) -> None:
        super().__init__()
        self.connection_key = connection_key
        self.job_key: str | None = job_key
        self.follow_latest = job_key is None
        self.history: list[HistoryEntry] = []
        self._data_readable: dict[str, bool] = {}
        self.label_width = LABEL_WIDTH
        self.recent: list[Job] = []
        self.action_message: str | None = None
        self._followed: str | None = None
        self._blocks: dict[str, tuple[str, tuple[object, ...]]] = {}
        self._bar_cells = MAX_BAR_CELLS  # the recent jobs' bar width that fits the table (see `_render_recent`)
        self._fit_retries = 0  # renders asked for after layout (see `_fit_after_layout`)
        self._cancel_was_offered: bool | None = None  # what the footer last offered (see `_render_summary`)

    # ---------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        with VerticalScroll(id="job-body"):
            yield Static(id="job-title")
            yield Static(id="job-status")
            yield Static(id="job-progress")
            yield Static(id="job-stats")
            yield Static(id="job-extra")
            yield Static(id="job-action")
            yield Static(id="job-link")
            yield Label("Attempts", classes="section", id="attempts-label")
            yield LiveTable(id="attempts", cursor_type="row")
            yield Static(id="attempt-failure")
            yield Label("Streams", classes="section", id="streams-label")
            yield LiveTable(id="streams", cursor_type="row")
            yield StreamStatesPanel(id="stream-states")  # live run state per stream (ui/widgets/stream_states.py)
            yield Label("Recent jobs  ([ older · ] newer · enter show)", classes="section", id="recent-label")
            yield LiveTable(id="jobs", cursor_type="row")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#attempts", LiveTable).add_columns(
            *(
                (Text(label), key)
                for key, label in (
                    ("n", "#"),
                    ("status", "Status"),
                    ("start", "Started"),
                    ("duration", "Duration"),
                    ("records", "Committed"),
                    ("bytes", "Bytes"),
                    ("failure", "Failure"),
                )
            )
        )
        streams = self.query_one("#streams", LiveTable)
        for key, label in (
            ("name", "Stream"),
            ("emitted", "Emitted"),
            ("committed", "Committed"),
            ("estimated", "Estimated"),
            ("bytes", "Bytes"),
            ("progress", "Progress"),
        ):
            streams.add_column(Text(label), key=key)
        jobs = self.query_one("#jobs", LiveTable)
        for key, label in (
            ("mark", " "),
            ("id", "Job"),
            ("type", "Type"),
            ("status", "Status"),
            ("start", "Started"),
            ("duration", "Duration"),
            ("records", "Committed"),
            ("bars", "time ▕ records"),
        ):
            jobs.add_column(Text(label), key=key)
        noun = self.caps.job_noun.capitalize()
        jobs.columns[jobs._ck("id")].label = Text(noun)  # "Run" for providers that say run
        self.query_one("#recent-label", Label).update(f"Recent {noun.lower()}s  ([ older · ] newer · enter show)")
        if self.job_key is None:
            latest = self.watcher.store.latest_job.get(self.connection_key)
            self.job_key = latest.key if latest else None
        self._seed_recent_from_state()
        self._show_job(self.job_key)
        self._load_recent()
        self.app.refresh_headers()

    def on_unmount(self) -> None:
        if self._followed is not None:
            self.watcher.unfollow_job(self._followed)
            self._followed = None

    # --------------------------------------------------------- helpers
    @property
    def watcher(self) -> Watcher:
        return self.app.watcher

    @property
    def provider(self) -> SyncProvider:
        return self.watcher.provider_for_key(self.connection_key)

    @property
    def caps(self) -> ProviderCapabilities:
        return self.provider.capabilities

    @property
    def _records_label(self) -> str:
        """The headline count's meaning for this provider (capabilities, never a name)."""
        return records_label(jobs_have_attempts=self.caps.jobs_have_attempts)

    @property
    def palette(self) -> Palette:
        return self.app.palette

    def now(self) -> datetime:
        return self.app.clock()

    @property
    def job(self) -> Job | None:
        return self.watcher.store.jobs.get(self.job_key) if self.job_key else None

    @property
    def detail(self) -> JobDetail | None:
        return self.watcher.store.details.get(self.job_key) if self.job_key else None

    def _t(self, moment: datetime | None) -> str:
        return clock_time(moment, self.now())

    def _set(self, widget_id: str, text: Text) -> None:
        """Update a block only when what it shows changed."""
        sig = (text.plain, tuple(text.spans))
        if self._blocks.get(widget_id) != sig:
            self._blocks[widget_id] = sig
            widget = self.query_one(f"#{widget_id}", Static)
            widget.update(text)
            widget.display = bool(text.plain)

    # ---------------------------------------------------- job switching
    def _show_job(self, job_key: str | None) -> None:
        if self._followed is not None and self._followed != job_key:
            self.watcher.unfollow_job(self._followed)
            self._followed = None
        self.job_key = job_key
        self._seed_history()
        self.query_one("#attempts", LiveTable).sync_rows([])
        self.query_one("#streams", LiveTable).sync_rows([])
        if job_key is not None and self._followed != job_key:
            self.watcher.follow_job(job_key)
            self._followed = job_key
            if job_key not in self.watcher.store.details:
                self._fetch_detail(job_key)
        self.render_all()
        self.post_message(JobOpened(job_key, self.connection_key))

    @work(exclusive=True, group="job-detail", exit_on_error=False)
    async def _fetch_detail(self, job_key: str) -> None:
        try:
            await self.watcher.job_detail(job_key)  # publishes JobDetailUpdated
        except AirsyncError as exc:
            self.app.notify(f"cannot load {self.caps.job_noun} {job_key.split(':', 1)[-1]}: {exc}", severity="error", markup=False)
        except Exception as exc:  # noqa: BLE001 - never crash the panel
            self.app.notify(f"cannot load job detail: {clean(exc)}", severity="error", markup=False)

    @work(exclusive=True, group="job-list", exit_on_error=False)
    async def _load_recent(self, offset: int = 0) -> None:
        try:
            jobs = await self.watcher.list_jobs(self.connection_key, limit=RECENT_JOBS_PAGE, offset=offset)
        except AirsyncError as exc:
            self.app.notify(f"cannot list {self.caps.job_noun}s: {exc}", severity="error", markup=False)
            return
        except Exception as exc:  # noqa: BLE001
            self.app.notify(f"cannot list jobs: {clean(exc)}", severity="error", markup=False)
            return
        self._merge_recent(jobs)
        if self.job_key is None and self.recent:
            self._show_job(self.recent[0].key)

    def _seed_recent_from_state(self) -> None:
        self._merge_recent([job for job in self.watcher.store.jobs.values() if job.connection_key == self.connection_key])

    def _merge_recent(self, jobs: list[Job]) -> None:
        by_key = {job.key: job for job in self.recent}
        for job in jobs:
            by_key[job.key] = self.watcher.store.jobs.get(job.key, job)
        self.recent = newest_first(by_key.values())
        self._render_recent()

    def _seed_history(self) -> None:
        """Forget observed transitions: a different job is shown."""
        self.history = []

    def history_entries(self) -> list[HistoryEntry]:
        """What the job's own timestamps say, merged with the (server-timed) transitions observed."""
        job = self.job
        return status_history(job, self.history) if job is not None else []

    # ------------------------------------------------------- rendering
    def render_all(self) -> None:
        with self.app.batch_update():
            self._render_summary()
            self._render_attempts()
            self._render_streams()
            self._render_recent()

    def _render_summary(self) -> None:
        palette = self.palette
        now = self.now()
        job = self.job
        offered = self._cancel_offered()
        if offered != self._cancel_was_offered:
            self._cancel_was_offered = offered
            self.refresh_bindings()  # the job started or ended (or another is shown): cancel is offered or not
        connection = self.watcher.store.connections.get(self.connection_key)
        provider = self.provider
        noun = self.caps.job_noun
        title = Text(no_wrap=True, overflow="ellipsis", end="")
        title.append_text(plain(connection.name if connection else self.connection_key, "bold"))
        if connection is not None and connection.state_label == "paused":
            # From the data (not enabled + inactive/disabled), whatever the provider: no scheduled runs until resumed.
            title.append("  ⏸ paused", style=f"bold {palette.retrying}")
        title.append(f"   {provider.display_name}", style=palette.muted)
        if job is not None:
            title.append(f" · {noun} {job.id} · {clean(job.job_type)}", style=palette.muted)
        self._set("job-title", title)
        url = self._job_url()
        link = Text(no_wrap=True, overflow="ellipsis", end="")
        if url:
            link.append_text(self._lbl("Link"))
            link.append("o opens  ", style=palette.muted)
            link.append(clean(url), style=f"underline {palette.muted}")
            width = self.size.width - 6  # the body's padding and scrollbar
            if width > 20:
                link.truncate(width, overflow="ellipsis")  # one line: `o` opens the full link
        self._set("job-link", link)
        if job is None:
            self._set(
                "job-status", Text(f"No {noun}s yet for this {self.caps.connection_noun}. Press s to start one.", style=palette.muted)
            )
            for block in ("job-progress", "job-stats", "job-extra"):
                self._set(block, Text(""))
            self._set("job-action", self._action_text())
            return
        tick = self.app.tick
        self.label_width = max([LABEL_WIDTH] + [len(clean(fact.label)) + 2 for fact in job.facts])
        status = Text(end="")
        status.append_text(self._lbl("Status"))
        status.append_text(status_badge(job.status, palette, tick=tick))
        if not job.status.known:
            status.append("  (status not known to this version; still watching)", style=palette.muted)
        status.append("\n")
        status.append_text(self._lbl("History"))
        # Wrapped between transitions and under its value (old jobs show dates: the line outgrows 80 columns).
        room, used = self._body_width() - self.label_width - 1, 0
        for index, (state, label, moment) in enumerate((e.status, e.label, e.at) for e in self.history_entries()):
            when = f" {self._t(moment)}" if moment is not None else ""  # a state whose start the server did not say: no "–"
            step = f"{clean(label)}{when}"
            if index:
                if used + 3 + len(step) > room:
                    status.append("\n" + " " * self.label_width)
                    status.append("→ ", style=palette.muted)
                    used = 2
                else:
                    status.append(" → ", style=palette.muted)
                    used += 3
            style = status_style(state.category, palette) if state is not None else ""
            status.append(clean(label), style=style)
            status.append(when, style=palette.muted)
            used += len(step)
        self._set("job-status", status)

        progress = self._progress()
        elapsed = job.elapsed(now)
        self._set("job-progress", self._progress_text(job, progress, now, tick, palette))
        self._set("job-stats", self._stats_text(job, progress, elapsed, palette))
        self._set("job-extra", self._extra_text(job, palette))
        self._set("job-action", self._action_text())

    def _progress(self) -> Progress | None:
        job = self.job
        detail = self.detail
        if job is not None and job.progress is not None:
            return job.progress
        return detail.progress if detail is not None else None

    def _lbl(self, text: str) -> Text:
        return _label(text, self.palette, self.label_width)

    def _no_progress_for(self, now: datetime) -> timedelta | None:
        window = self.watcher.rate_window(self.job_key) if self.job_key else None
        return window.no_progress_for(now) if window is not None else None

    def _progress_text(self, job: Job, progress: Progress | None, now: datetime, tick: int, palette: Palette) -> Text:
        """Active: the bar (indeterminate without an estimate). Ended: what is true, never a grey 0 %."""
        bar = Text(end="")
        bar.append_text(self._lbl("Progress"))
        category = job.status.category
        if job.status.is_active:
            ratio = progress.ratio if progress else None
            bar.append_text(progress_bar(ratio, palette, width=40, tick=tick))
            if ratio is None:
                bar.append("  (no estimate)", style=palette.muted)
            stalled = self._no_progress_for(now)
            if is_stalled(stalled):
                bar.append(f"  no progress for {duration(stalled)}", style=palette.warning)
        elif category.is_success:
            bar.append_text(progress_bar(1.0, palette, width=40, style=status_style(category, palette)))
        else:
            total = records_total(job)
            where = f" at {count(total)} records ({self._records_label})" if total is not None else ""
            bar.append(f"{clean(job.status.label)}{where}", style=status_style(category, palette))
        return bar

    def _stats_text(self, job: Job, progress: Progress | None, elapsed: timedelta | None, palette: Palette) -> Text:
        detail = self.detail
        attempts = detail.attempts if detail else ()
        current = attempt_records(attempts[-1] if attempts else None, job, current=True)
        total = records_total(job)
        total_bytes = bytes_total(job)
        text = Text(end="")
        lines: list[Text] = []
        line = self._lbl("Records")
        if not job.per_row_results:
            line.append(synced_rows(None, job.records_planned, per_row_results=False))
        else:
            line.append(f"{count(total)} ", style="bold")
            line.append(self._records_label, style=palette.muted)
        lines.append(line)
        has_attempt_counts = current.records_emitted is not None or current.records_committed is not None
        # One finished attempt says the same as the total: only a live or retried job needs the line.
        if has_attempt_counts and (job.status.is_active or len(attempts) > 1):
            line = self._lbl("")
            which = f"attempt {len(attempts)}" if attempts else "this attempt"
            line.append(f"{which}: {count(current.records_emitted)} emitted · {count(current.records_committed)} committed")
            if progress and progress.estimated_records and job.status.is_active:
                line.append(f" of ~{count(progress.estimated_records)} est.", style=palette.muted)
            lines.append(line)
        byte_parts: list[tuple[str, str]] = []
        if total_bytes is not None:
            byte_parts.append((size(total_bytes), " committed"))
        if job.status.is_active and current.bytes_emitted is not None:
            byte_parts.append((size(current.bytes_emitted), " emitted (this attempt)"))
        if byte_parts:  # a provider that reports no bytes gets no Bytes line
            line = self._lbl("Bytes")
            for index, (value, meaning) in enumerate(byte_parts):
                if index:
                    line.append(" · ", style=palette.muted)
                line.append(value)
                line.append(meaning, style=palette.muted)
            lines.append(line)
        # A rate of records and bytes only where the provider counts them: a Hightouch run reports planned
        # rows and a completion ratio, and "– · – emitted" on its panel was an Airbyte line with nothing in it.
        counts_records = job.per_row_results and (has_attempt_counts or total is not None or total_bytes is not None)
        if job.status.is_active:
            now = self.now()
            window = self.watcher.rate_window(self.job_key) if self.job_key else None
            rps = window.records_per_second(now) if window is not None else None
            bps = window.bytes_per_second(now) if window is not None else None
            stalled_for = window.no_progress_for(now) if window is not None else None
            if counts_records:
                line = self._lbl("Rate")
                if is_stalled(stalled_for):
                    line.append(f"no progress for {duration(stalled_for)}", style=palette.warning)
                else:
                    line.append(f"{rate(rps, 'rec')} · {rate(bps, 'B')}")
                    line.append(" emitted, last minute", style=palette.muted)
                if window is not None and len(window.samples) >= 3:
                    line.append("  ")
                    line.append_text(rate_sparkline(window.samples, palette, width=24))
                lines.append(line)
            line = self._lbl("Elapsed")
            line.append(duration(elapsed))
            line.append("   ETA ", style=palette.muted)
            remaining = job_eta(progress, elapsed, records_per_second=rps, no_progress_for=stalled_for)
            line.append(duration(remaining) if remaining is not None else ("none while stalled" if is_stalled(stalled_for) else "unknown"))
            if progress and progress.ratio is not None:
                line.append(f"  ({percent_text(progress.ratio)} by {progress.basis or 'records'})", style=palette.muted)
            lines.append(line)
        else:
            line = self._lbl("Duration")
            line.append(duration(elapsed))
            lines.append(line)
        line = self._lbl("Started")
        line.append(self._t(job.started_at or job.created_at))
        line.append("   Ended ", style=palette.muted)
        line.append(self._t(job.ended_at or job.updated_at) if job.status.is_terminal else DASH)
        lines.append(line)
        text = Text("\n", end="").join(lines)
        return text

    def _body_width(self) -> int:
        """Columns the panel's text really has: the body's width without its padding and scrollbar."""
        try:
            width = self.query_one("#job-body").scrollable_content_region.width
        except NoMatches:
            width = 0
        return width if width > 0 else max(20, (self.size.width or 80) - 4)

    def _extra_text(self, job: Job, palette: Palette) -> Text:
        """Provider-specific facts, row breakdowns (Hightouch) and the error, generically."""
        text = Text(end="")
        error = self._error_text(job)
        if error:
            label, error, style = self._error_line(job, error, palette)
            text.append_text(self._wrapped(label, error, style))
            text.append("\n")
        for fact in job.facts:
            text.append_text(self._lbl(clean(fact.label)))
            text.append(clean(fact.value))
            text.append("\n")
        if job.row_breakdown:
            pad = " " * self.label_width
            text.append_text(self._lbl("Rows"))
            text.append(f"{'':<12}{'added':>10}{'changed':>10}{'removed':>10}{'total':>10}", style=palette.muted)
            text.append("\n")
            for row in job.row_breakdown:
                style = palette.failed if "fail" in row.label.lower() and row.total else ""
                text.append(pad)
                text.append(
                    f"{clean(row.label)[:12]:<12}{count(row.added):>10}{count(row.changed):>10}{count(row.removed):>10}{count(row.total):>10}",
                    style=style,
                )
                text.append("\n")
        text.rstrip()
        return text

    def _wrapped(self, label: str, value: str, style: str) -> Text:
        """`label  value`, the value wrapped under itself within the body's real width.

        Not back at the left edge: at 80 columns a continuation there read as
        a new, unlabelled line.
        """
        room = max(20, self._body_width() - self.label_width - 1)
        lines = textwrap.wrap(clean(value), width=room) or [clean(value)]
        text = Text(end="")
        text.append_text(self._lbl(label))
        text.append(lines[0], style=style)
        for line in lines[1:]:
            text.append("\n" + " " * self.label_width)
            text.append(line, style=style)
        return text

    def _error_line(self, job: Job, error: str, palette: Palette) -> tuple[str, str, str]:
        """(label, text, style) for the job's failure text, by what it means for this job.

        "Error" in red only when the job did not succeed: on a job that
        succeeded after a retry, or is retrying now, it is an earlier
        attempt's failure ("attempt 1 failed: …"); on a run that succeeded with
        a warning (rejected rows), it is the warning.
        """
        if not job.status.is_active and not job.status.category.is_success:
            return "Error", error, palette.failed
        detail = self.detail
        failed = next((a for a in reversed(detail.attempts) if a.failures), None) if detail else None
        if failed is not None:
            label = "Retrying" if job.status.is_active else "Retried"
            return label, f"attempt {failed.number + 1} failed: {error}", palette.retrying
        return ("Warning", error, palette.warning) if not job.status.is_active else ("Last error", error, palette.retrying)

    def _error_text(self, job: Job) -> str | None:
        """The job's error, else its last attempt failure (a list answer may carry no error).

        When the error is the bare message of an attempt's failure (Hightouch
        runs, list answers), the failure's fuller line (origin · type:
        message) is shown instead, once: the Failure line below then does
        not repeat it.
        """
        detail = self.detail
        failed = next((a for a in reversed(detail.attempts) if a.failures), None) if detail else None
        if job.error:
            if failed is not None and clean(failed.failures[0].message or "") == clean(job.error):
                return failed.failures[0].summary()
            return job.error
        if job.status.category.is_success:
            return None
        return failed.failures[0].summary() if failed is not None else None

    def _action_text(self) -> Text:
        if not self.action_message:
            return Text("")
        text = Text(end="")
        text.append_text(self._lbl("Last action"))
        text.append(self.action_message)
        return text

    def _render_attempts(self) -> None:
        table = self.query_one("#attempts", LiveTable)
        detail = self.detail
        attempts = list(detail.attempts) if detail else []
        palette = self.palette
        now = self.now()
        tick = self.app.tick
        rows = [(str(a.number), self._attempt_cells(a, palette, now, tick)) for a in attempts]
        room = table.room_for("failure", rows)
        if room is None:
            self._fit_after_layout()  # not laid out yet: the width is known after the next refresh
        else:
            for _, cells in rows:  # the failure (also on the Error line above) gives way, cut with "…"
                cells["failure"].truncate(max(room, MIN_FAILURE_CELLS), overflow="ellipsis")
        table.sync_rows(rows)
        table.shrink_column("failure")
        # A one-attempt run of a provider without attempt logs (Hightouch) says nothing the panel above has
        # not said: the table is for retries and for opening an attempt's log.
        self._show_section("attempts", bool(rows) and (len(rows) > 1 or self.caps.has_attempt_logs))
        failure = next((a for a in reversed(attempts) if a.failures), None)
        job = self.job
        if failure is not None and job is not None and self._error_text(job) == failure.failures[0].summary():
            failure = None  # the Error line above already says it
        if failure is not None:
            value = clean(failure.failures[0].summary())
            if self.caps.jobs_have_attempts:  # a Hightouch run is one try: "attempt 1" would mean nothing
                value = f"attempt {failure.number + 1}: {value}"
            warning = job is not None and job.status.category.is_success  # e.g. rows rejected on a run that succeeded
            self._set(
                "attempt-failure",
                self._wrapped("Warning" if warning else "Failure", value, palette.warning if warning else palette.failed),
            )
        else:
            self._set("attempt-failure", Text(""))

    def _attempt_cells(self, attempt: Attempt, palette: Palette, now: datetime, tick: int) -> dict[str, Text]:
        job = self.job
        job_active = job is not None and job.status.is_active
        running = attempt.status.is_active and job_active
        elapsed = (now - attempt.created_at) if running and attempt.created_at else attempt.duration
        detail = self.detail
        is_current = detail is not None and detail.current_attempt is not None and detail.current_attempt.number == attempt.number
        counts = attempt_records(attempt, job, current=is_current) if job is not None else None
        failure = Text("")
        if attempt.failures:
            info = attempt.failures[0]
            same = job is not None and self._error_text(job) == info.summary()
            head = " · ".join(part for part in (info.origin, info.type) if part)
            failure = plain(head if same and head else info.summary(), palette.failed)
        return {
            "n": Text(str(attempt.number + 1)),
            # A job that ended stops every spinner, even before the attempt's own end is read.
            "status": status_badge(attempt.status, palette, tick=tick if job_active else 0),
            "start": Text(self._t(attempt.created_at)),
            "duration": Text(duration(elapsed), justify="right"),
            "records": Text(count(counts.records_committed if counts else attempt.records_committed), justify="right"),
            "bytes": Text(
                size(_first(counts.bytes_committed, counts.bytes_emitted) if counts else attempt.bytes_committed), justify="right"
            ),
            "failure": failure,
        }

    def _render_streams(self) -> None:
        table = self.query_one("#streams", LiveTable)
        detail = self.detail
        streams: tuple[StreamProgress, ...] = detail_streams(detail) if detail is not None else ()
        states = self.query_one(StreamStatesPanel)
        states.refresh_counts()  # same detail, same frame: one count per stream
        complete = states.completed()  # and one state: a stream the panel says is complete is not still "running" here
        palette = self.palette
        job = self.job
        active = job is not None and job.status.is_active
        succeeded = job is not None and job.status.is_terminal and job.status.category.is_success
        tick = self.app.tick
        rows = []
        for stream in streams:
            name = f"{stream.namespace}.{stream.name}" if stream.namespace else stream.name
            if succeeded or (active and (stream.done or name in complete)):
                # Estimates are approximate: a stream of a succeeded job is complete, whatever they said.
                bar = progress_bar(1.0, palette, width=12, style=palette.succeeded)
            elif active:
                bar = progress_bar(stream.ratio, palette, width=12, tick=tick)
            else:
                bar = Text("")
            rows.append(
                (
                    name,
                    {
                        "name": plain(name),
                        "emitted": Text(count(stream.records_emitted), justify="right"),
                        "committed": Text(count(stream.records_committed), justify="right"),
                        "estimated": Text(count(stream.estimated_records), justify="right"),
                        "bytes": Text(
                            size(stream.bytes_emitted if stream.bytes_emitted is not None else stream.bytes_committed), justify="right"
                        ),
                        "progress": bar,
                    },
                )
            )
        table.sync_rows(rows)
        self._show_section("streams", bool(rows))

    def _show_section(self, table_id: str, visible: bool) -> None:
        """Hide a table (and its heading) that has nothing to show for this provider's job."""
        self.query_one(f"#{table_id}", LiveTable).display = visible
        heading = self.query(f"#{table_id}-label")
        for label in heading:
            label.display = visible

    def _render_recent(self) -> None:
        if not self.is_mounted:
            return
        table = self.query_one("#jobs", LiveTable)
        palette = self.palette
        now = self.now()
        tick = self.app.tick
        rows = []
        jobs = [self.watcher.store.jobs.get(known.key, known) for known in self.recent]
        bars = recent_bars(jobs, now, palette, width=self._bar_cells)
        for job in jobs:
            rows.append(
                (
                    job.key,
                    {
                        "mark": Text("▶" if job.key == self.job_key else " ", style="bold"),
                        "id": Text(clean(job.id)),
                        "type": Text(clean(job.job_type)),
                        "status": status_badge(job.status, palette, tick=tick),
                        "start": Text(self._t(job.started_at or job.created_at)),
                        "duration": Text(duration(job.elapsed(now)), justify="right"),
                        "records": Text(
                            synced_rows(records_total(job), job.records_planned, job.per_row_results, short=True), justify="right"
                        ),
                        "bars": bars[job.key],
                    },
                )
            )
        room = table.room_for("bars", rows)
        if room is None:
            self._fit_after_layout()
        else:
            # Two bars and a divider in the room the other columns leave (the 80-column panel scrolled sideways).
            fitted = max(MIN_BAR_CELLS, min(MAX_BAR_CELLS, (room - 1) // 2))
            if fitted != self._bar_cells:
                self._bar_cells = fitted
                bars = recent_bars(jobs, now, palette, width=fitted)
                rows = [(key, {**cells, "bars": bars[key]}) for key, cells in rows]
        table.sync_rows(rows)
        table.shrink_column("bars")

    # --------------------------------------------------------- events
    def apply_events(self, events: list[Event]) -> None:
        summary = attempts = live_attempt = recent = False
        for event in events:
            if isinstance(event, JobCreated) and event.job.connection_key == self.connection_key:
                self._merge_recent([event.job])
                if self.follow_latest and (self.job is None or is_newer(event.job, self.job)):
                    self._show_job(event.job.key)
                    continue
                recent = True
            elif isinstance(event, JobStatusChanged) and event.job.connection_key == self.connection_key:
                recent = True
                if event.job.key == self.job_key:
                    if not self.history or self.history[-1].status != event.new:
                        self.history.append(HistoryEntry(event.new, event.new.label, event.at))
                    summary = attempts = True
            elif isinstance(event, JobUpdated) and event.job.connection_key == self.connection_key:
                recent = True
                summary = summary or event.job.key == self.job_key
            elif isinstance(event, ProgressUpdated) and event.job_key == self.job_key:
                # The running attempt's row reads the same live counts as the Records line: repaint both
                # (the streams come from the job detail, which a progress update does not change).
                summary = live_attempt = True
            elif isinstance(event, JobDetailUpdated) and event.detail.job.key == self.job_key:
                summary = attempts = True
            elif isinstance(event, ActionResult) and event.connection_key == self.connection_key:
                self.action_message = clean(event.message)
                summary = True
            elif isinstance(event, ConnectionsChanged) and any(c.key == self.connection_key for c in event.changed):
                summary = True  # e.g. paused or resumed: the title says so
            elif isinstance(event, ConnectionsLoaded) and event.provider == self.connection_key.split(":", 1)[0]:
                summary = True
        if summary:
            self._render_summary()
        if attempts or live_attempt:
            self._render_attempts()
        if attempts:
            self._render_streams()
        if recent:
            self._render_recent()

    def on_stream_states_panel_changed(self, _message: StreamStatesPanel.Changed) -> None:
        self._render_streams()

    def on_clock_tick(self) -> None:
        job = self.job
        if job is not None and job.status.is_active:
            self._render_summary()
            self._render_attempts()
            self._render_streams()
            self._render_recent()

    def on_theme_changed(self) -> None:
        self._blocks.clear()
        self.render_all()

    def _fit_after_layout(self) -> None:
        """Render the attempts and recent jobs again once the tables have a width (a few refreshes at most)."""
        if self._fit_retries >= FIT_RETRIES:
            return
        self._fit_retries += 1

        def refit() -> None:
            self._render_attempts()
            self._render_recent()

        self.call_after_refresh(refit)

    def on_resize(self) -> None:
        self._fit_retries = 0
        if self.is_mounted:
            self._render_summary()
            self._render_attempts()
            self._render_recent()

    # -------------------------------------------------------- actions
    def _job_url(self) -> str | None:
        job = self.job
        provider = self.provider
        if job is None:
            connection = self.watcher.store.connections.get(self.connection_key)
            return provider.connection_url(connection.id) if connection else None
        try:
            return provider.job_url(job, self._selected_attempt()) or job.web_url
        except Exception:  # noqa: BLE001 - a link is a nicety
            return job.web_url

    def _selected_attempt(self) -> int | None:
        table = self.query_one("#attempts", LiveTable)
        if table.has_focus:
            key = table.cursor_key()
            return int(key) if key is not None else None
        detail = self.detail
        return detail.current_attempt.number if detail and detail.current_attempt else None

    def action_trigger_sync(self) -> None:
        self.follow_latest = True
        self.app.request_trigger(self.connection_key, "sync")

    def action_choose_job_type(self) -> None:
        self.follow_latest = True
        self.app.request_job_type(self.connection_key)

    def action_cancel_job(self) -> None:
        self.app.request_cancel(self.job, self.connection_key)

    def action_open_logs(self) -> None:
        self.app.open_logs(self.job_key, self._selected_attempt())

    def action_open_browser(self) -> None:
        self.app.open_link(self._job_url(), self.caps.job_noun)

    def action_open_data(self) -> None:
        from airsync_tui.ui.screens.data_view import open_data_view

        open_data_view(self, self.connection_key, self.job)

    def _step(self, delta: int) -> None:
        if not self.recent:
            self.app.notify(f"no other {self.caps.job_noun}s", markup=False)
            return
        keys = [job.key for job in self.recent]
        index = keys.index(self.job_key) if self.job_key in keys else -1
        target = index + delta
        if target < 0:
            self.app.notify(f"this is the newest {self.caps.job_noun}", markup=False)
            return
        if target >= len(keys):
            self._load_recent(offset=len(keys))
            self.app.notify(f"loading older {self.caps.job_noun}s…", markup=False, timeout=1.5)
            return
        self.follow_latest = target == 0
        self._show_job(keys[target])

    def action_older_job(self) -> None:
        self._step(+1)

    def action_newer_job(self) -> None:
        self._step(-1)

    @on(DataTable.RowSelected, "#jobs")
    def _job_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = str(event.row_key.value)
        self.follow_latest = bool(self.recent) and self.recent[0].key == key
        self._show_job(key)

    @on(DataTable.RowSelected, "#attempts")
    def _attempt_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.app.open_logs(self.job_key, int(str(event.row_key.value)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Not offered at all when the provider has no cancel API (capabilities, never a name).
        if action == "cancel_job" and not self._cancel_offered():
            return False  # no cancel API, or the job shown is not running (pressed anyway: says why)
        if action == "open_data" and not self._can_read_data():
            return False  # the provider cannot open its destination: not offered (pressed anyway: says why)
        return super().check_action(action, parameters)

    def _cancel_offered(self) -> bool:
        job = self.job
        return self.caps.can_cancel and job is not None and job.status.is_active

    def _can_read_data(self) -> bool:
        """Asked by every footer/binding check: decided once per connection (its provider does not change)."""
        known = self._data_readable.get(self.connection_key)
        if known is None:
            from airsync_tui.service.data_access import can_read_data  # loaded with the panel, not the first screen

            try:
                known = can_read_data(self.watcher.provider_for_key(self.connection_key))
            except KeyError:
                return False  # provider gone (profile switch): not offered, and not remembered
            self._data_readable[self.connection_key] = known
        return known

    def on_key(self, event: Key) -> None:
        if event.key == "c" and not self._cancel_offered():
            event.stop()
            self.action_cancel_job()  # not offered; pressed anyway: say why
            return
        if event.key == "d" and not self._can_read_data():
            event.stop()
            self.action_open_data()  # not offered; pressed anyway: say why
            return
        super().on_key(event)


def _first(*values: int | None) -> int | None:
    return next((value for value in values if value is not None), None)
