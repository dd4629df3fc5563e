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

from datetime import datetime, timedelta

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.events import Key
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

from airsync_tui.errors import AirsyncError
from airsync_tui.models.domain import Attempt, Job, JobDetail, Progress, StreamProgress
from airsync_tui.models.status import JobStatus
from airsync_tui.service.events import (
    ActionResult,
    Event,
    JobCreated,
    JobDetailUpdated,
    JobStatusChanged,
    JobUpdated,
    ProgressUpdated,
)
from airsync_tui.ui.bindings import bindings_for, specs_for
from airsync_tui.ui.formatting import (
    DASH,
    clock_time,
    Palette,
    clean,
    count,
    duration,
    percent,
    plain,
    progress_bar,
    rate,
    size,
    status_badge,
    status_style,
)
from airsync_tui.ui.messages import JobOpened
from airsync_tui.ui.widgets.header import HeaderBar
from airsync_tui.ui.widgets.stream_states import StreamStatesPanel
from airsync_tui.ui.widgets.live_table import LiveTable

RECENT_JOBS_PAGE = 20


def _label(text: str, palette: Palette) -> Text:
    """Fixed-width field label (longer provider fact labels keep one space)."""
    return Text(f"{text:<12}" if len(text) < 12 else f"{text} ", style=palette.muted)


def eta_of(progress: Progress | None, elapsed: timedelta | None) -> timedelta | None:
    """Elapsed / ratio × (1 − ratio), recomputed each second so it ticks down."""
    if progress is None or progress.ratio is None:
        return None
    ratio = progress.ratio
    if ratio >= 1:
        return timedelta(0)
    if ratio > 0 and elapsed is not None:
        return timedelta(seconds=elapsed.total_seconds() / ratio * (1 - ratio))
    return progress.eta


class JobScreen(Screen[None]):
    """Live panel of a connection's job (the latest unless one is chosen)."""

    scope = "job"
    BINDINGS = bindings_for("job")

    def __init__(self, connection_key: str, job_key: str | None = None) -> None:
        super().__init__()
        self.connection_key = connection_key
        self.job_key: str | None = job_key
        self.follow_latest = job_key is None
        self.history: list[tuple[JobStatus | None, str, datetime | None]] = []
        self.recent: list[Job] = []
        self.action_message: str | None = None
        self._followed: str | None = None
        self._blocks: dict[str, tuple[str, tuple[object, ...]]] = {}

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
            yield Label("Attempts", classes="section")
            yield LiveTable(id="attempts", cursor_type="row")
            yield Static(id="attempt-failure")
            yield Label("Streams", classes="section")
            yield LiveTable(id="streams", cursor_type="row")
            yield StreamStatesPanel(id="stream-states")  # live run state per stream (ui/widgets/stream_states.py)
            yield Label("Recent jobs  ([ older · ] newer · enter show)", classes="section", id="recent-label")
            yield LiveTable(id="jobs", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#attempts", LiveTable).add_columns(
            *((Text(label), key) for key, label in (("n", "#"), ("status", "Status"), ("start", "Started"), ("duration", "Duration"), ("records", "Records"), ("bytes", "Bytes"), ("failure", "Failure")))
        )
        streams = self.query_one("#streams", LiveTable)
        for key, label in (("name", "Stream"), ("emitted", "Emitted"), ("committed", "Committed"), ("estimated", "Estimated"), ("bytes", "Bytes"), ("progress", "Progress")):
            streams.add_column(Text(label), key=key)
        jobs = self.query_one("#jobs", LiveTable)
        for key, label in (("mark", " "), ("id", "Job"), ("type", "Type"), ("status", "Status"), ("start", "Started"), ("duration", "Duration"), ("records", "Records")):
            jobs.add_column(Text(label), key=key)
        noun = self.caps.job_noun.capitalize()
        self.query_one("#recent-label", Label).update(f"Recent {noun.lower()}s  ([ older · ] newer · enter show)")
        if self.job_key is None:
            latest = self.watcher.latest_job.get(self.connection_key)
            self.job_key = latest.key if latest else None
        self._seed_recent_from_state()
        self._show_job(self.job_key)
        self._load_recent()
        self.app.refresh_headers()  # type: ignore[attr-defined]

    def on_unmount(self) -> None:
        if self._followed is not None:
            self.watcher.unfollow_job(self._followed)
            self._followed = None

    # --------------------------------------------------------- helpers
    @property
    def watcher(self):  # type: ignore[no-untyped-def]
        return self.app.watcher  # type: ignore[attr-defined]

    @property
    def provider(self):  # type: ignore[no-untyped-def]
        return self.watcher.provider_for_key(self.connection_key)

    @property
    def caps(self):  # type: ignore[no-untyped-def]
        return self.provider.capabilities

    @property
    def palette(self) -> Palette:
        return self.app.palette  # type: ignore[attr-defined]

    def now(self) -> datetime:
        return self.app.clock()  # type: ignore[attr-defined]

    @property
    def job(self) -> Job | None:
        return self.watcher.jobs.get(self.job_key) if self.job_key else None

    @property
    def detail(self) -> JobDetail | None:
        return self.watcher.details.get(self.job_key) if self.job_key else None

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
            if job_key not in self.watcher.details:
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
        self._merge_recent([job for job in self.watcher.jobs.values() if job.connection_key == self.connection_key])

    def _merge_recent(self, jobs: list[Job]) -> None:
        by_key = {job.key: job for job in self.recent}
        for job in jobs:
            by_key[job.key] = self.watcher.jobs.get(job.key, job)
        self.recent = sorted(by_key.values(), key=_newest_first)
        self._render_recent()

    def _seed_history(self) -> None:
        """Forget observed transitions: a different job is shown."""
        self.history = []

    def history_entries(self) -> list[tuple[JobStatus | None, str, datetime | None]]:
        """What the job's own timestamps say, merged with the transitions we observed."""
        job = self.job
        if job is None:
            return []
        entries: list[tuple[JobStatus | None, str, datetime | None]] = []
        if job.created_at is not None:
            entries.append((None, "created", job.created_at))
        observed_labels = {label for _, label, _ in self.history}
        if job.started_at is not None and job.status.category.value != "pending" and "running" not in observed_labels:
            entries.append((None, "running", job.started_at))
        entries.extend(self.history)
        if job.status.is_terminal and job.status.label not in observed_labels:
            entries.append((job.status, job.status.label, job.ended_at or job.updated_at))
        elif not self.history and job.status.raw != "running" and not job.status.is_terminal:
            entries.append((job.status, job.status.label, job.updated_at))
        return entries

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
        connection = self.watcher.connections.get(self.connection_key)
        provider = self.provider
        noun = self.caps.job_noun
        title = Text(no_wrap=True, overflow="ellipsis", end="")
        title.append_text(plain(connection.name if connection else self.connection_key, "bold"))
        title.append(f"   {provider.display_name}", style=palette.muted)
        if job is not None:
            title.append(f" · {noun} {job.id} · {clean(job.job_type)}", style=palette.muted)
        url = self._job_url()
        if url:
            title.append("\n")
            title.append(clean(url), style=f"underline {palette.muted}")
            title.append("   (o opens)", style=palette.muted)
        self._set("job-title", title)
        if job is None:
            self._set("job-status", Text(f"No {noun}s yet for this {self.caps.connection_noun}. Press s to start one.", style=palette.muted))
            for block in ("job-progress", "job-stats", "job-extra"):
                self._set(block, Text(""))
            self._set("job-action", self._action_text())
            return
        tick = self.app.tick  # type: ignore[attr-defined]
        status = Text(end="")
        status.append_text(_label("Status", palette))
        status.append_text(status_badge(job.status, palette, tick=tick))
        if not job.status.known:
            status.append("  (status not known to this version; still watching)", style=palette.muted)
        status.append("\n")
        status.append_text(_label("History", palette))
        for index, (state, label, moment) in enumerate(self.history_entries()):
            if index:
                status.append(" → ", style=palette.muted)
            style = status_style(state.category, palette) if state is not None else ""
            status.append(clean(label), style=style)
            status.append(f" {self._t(moment)}", style=palette.muted)
        self._set("job-status", status)

        progress = self._progress()
        elapsed = job.elapsed(now)
        bar = Text(end="")
        bar.append_text(_label("Progress", palette))
        if job.status.is_active:
            ratio = progress.ratio if progress else None
            bar.append_text(progress_bar(ratio, palette, width=48, tick=tick))
            if ratio is None:
                bar.append("  (no estimate: indeterminate)", style=palette.muted)
        else:
            style = status_style(job.status.category, palette)
            ratio = 1.0 if job.status.category.is_success else (progress.ratio if progress else None)
            bar.append_text(progress_bar(ratio if ratio is not None else 0.0, palette, width=48, style=style))
        self._set("job-progress", bar)

        self._set("job-stats", self._stats_text(job, progress, elapsed, palette))
        self._set("job-extra", self._extra_text(job, palette))
        self._set("job-action", self._action_text())

    def _progress(self) -> Progress | None:
        job = self.job
        detail = self.detail
        if job is not None and job.progress is not None:
            return job.progress
        return detail.progress if detail is not None else None

    def _stats_text(self, job: Job, progress: Progress | None, elapsed: timedelta | None, palette: Palette) -> Text:
        attempt = self.detail.current_attempt if self.detail else None
        records_emitted = progress.records_emitted if progress and progress.records_emitted is not None else (attempt.records_emitted if attempt else None)
        records_committed = progress.records_committed if progress and progress.records_committed is not None else (attempt.records_committed if attempt else None)
        bytes_emitted = progress.bytes_emitted if progress and progress.bytes_emitted is not None else (attempt.bytes_emitted if attempt else None)
        bytes_committed = progress.bytes_committed if progress and progress.bytes_committed is not None else (attempt.bytes_committed if attempt else None)
        if records_emitted is None and records_committed is None:
            records_committed = job.records_synced
        if bytes_emitted is None and bytes_committed is None:
            bytes_committed = job.bytes_synced
        text = Text(end="")
        text.append_text(_label("Records", palette))
        text.append(f"{count(records_emitted)} emitted · {count(records_committed)} committed")
        if progress and progress.estimated_records:
            text.append(f"  of ~{count(progress.estimated_records)} estimated", style=palette.muted)
        text.append("\n")
        text.append_text(_label("Bytes", palette))
        text.append(f"{size(bytes_emitted)} emitted · {size(bytes_committed)} committed")
        text.append("\n")
        text.append_text(_label("Throughput", palette))
        rps = progress.records_per_second if progress else None
        bps = progress.bytes_per_second if progress else None
        if rps is None and elapsed and elapsed.total_seconds() > 0 and (records_emitted or records_committed):
            rps = (records_emitted or records_committed or 0) / elapsed.total_seconds()
        text.append(f"{rate(rps, 'rec')} · {rate(bps, 'B')}")
        text.append("\n")
        text.append_text(_label("Elapsed", palette))
        text.append(f"{duration(elapsed):<12}")
        text.append("ETA ", style=palette.muted)
        eta = eta_of(progress, elapsed) if job.status.is_active else None
        text.append(duration(eta) if eta is not None else ("done" if job.status.is_terminal else "unknown"))
        if progress and progress.ratio is not None and job.status.is_active:
            text.append(f"  ({percent(progress.ratio)} by {progress.basis or 'records'})", style=palette.muted)
        text.append("\n")
        text.append_text(_label("Started", palette))
        text.append(f"{self._t(job.started_at or job.created_at):<12}")
        text.append("Ended ", style=palette.muted)
        text.append(self._t(job.ended_at) if job.status.is_terminal else DASH)
        return text

    def _extra_text(self, job: Job, palette: Palette) -> Text:
        """Provider-specific facts, row breakdowns (Hightouch) and the error, generically."""
        text = Text(end="")
        for fact in job.facts:
            text.append_text(_label(clean(fact.label), palette))
            text.append(clean(fact.value))
            text.append("\n")
        if job.row_breakdown:
            text.append_text(_label("Rows", palette))
            text.append(f"{'':<12}{'added':>10}{'changed':>10}{'removed':>10}{'total':>10}", style=palette.muted)
            text.append("\n")
            for row in job.row_breakdown:
                style = palette.failed if "fail" in row.label.lower() and row.total else ""
                text.append(" " * 12)
                text.append(f"{clean(row.label)[:12]:<12}{count(row.added):>10}{count(row.changed):>10}{count(row.removed):>10}{count(row.total):>10}", style=style)
                text.append("\n")
        if job.error:
            text.append_text(_label("Error", palette))
            text.append(clean(job.error), style=palette.failed)
            text.append("\n")
        text.rstrip()
        return text

    def _action_text(self) -> Text:
        if not self.action_message:
            return Text("")
        text = Text(end="")
        text.append_text(_label("Last action", self.palette))
        text.append(self.action_message)
        return text

    def _render_attempts(self) -> None:
        table = self.query_one("#attempts", LiveTable)
        detail = self.detail
        attempts = list(detail.attempts) if detail else []
        palette = self.palette
        now = self.now()
        tick = self.app.tick  # type: ignore[attr-defined]
        rows = [(str(a.number), self._attempt_cells(a, palette, now, tick)) for a in attempts]
        table.sync_rows(rows)
        failure = next((a for a in reversed(attempts) if a.failures), None)
        if failure is not None:
            info = failure.failures[0]
            text = Text(end="")
            text.append_text(_label("Failure", palette))
            text.append(f"attempt {failure.number + 1}: ", style=palette.muted)
            text.append(clean(info.summary()), style=palette.failed)
            self._set("attempt-failure", text)
        else:
            self._set("attempt-failure", Text(""))

    def _attempt_cells(self, attempt: Attempt, palette: Palette, now: datetime, tick: int) -> dict[str, Text]:
        running = attempt.status.is_active
        elapsed = (now - attempt.created_at) if running and attempt.created_at else attempt.duration
        return {
            "n": Text(str(attempt.number + 1)),
            "status": status_badge(attempt.status, palette, tick=tick),
            "start": Text(self._t(attempt.created_at)),
            "duration": Text(duration(elapsed), justify="right"),
            "records": Text(count(attempt.records_committed if attempt.records_committed is not None else attempt.records_emitted), justify="right"),
            "bytes": Text(size(attempt.bytes_committed if attempt.bytes_committed is not None else attempt.bytes_emitted), justify="right"),
            "failure": plain(attempt.failure_summary or "", palette.failed) if attempt.failures else Text(""),
        }

    def _render_streams(self) -> None:
        table = self.query_one("#streams", LiveTable)
        detail = self.detail
        streams: tuple[StreamProgress, ...] = ()
        if detail is not None:
            streams = detail.streams or (detail.current_attempt.streams if detail.current_attempt else ())
        palette = self.palette
        active = self.job is not None and self.job.status.is_active
        tick = self.app.tick  # type: ignore[attr-defined]
        rows = []
        for stream in streams:
            name = f"{stream.namespace}.{stream.name}" if stream.namespace else stream.name
            if stream.ratio is not None or active:
                bar = progress_bar(stream.ratio if stream.ratio is not None or not active else None, palette, width=12, tick=tick)
                if stream.done:
                    bar = progress_bar(1.0, palette, width=12, style=palette.succeeded)
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
                        "bytes": Text(size(stream.bytes_emitted if stream.bytes_emitted is not None else stream.bytes_committed), justify="right"),
                        "progress": bar,
                    },
                )
            )
        table.sync_rows(rows)

    def _render_recent(self) -> None:
        if not self.is_mounted:
            return
        table = self.query_one("#jobs", LiveTable)
        palette = self.palette
        now = self.now()
        tick = self.app.tick  # type: ignore[attr-defined]
        rows = []
        for known in self.recent:
            job = self.watcher.jobs.get(known.key, known)
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
                        "records": Text(count(job.records_synced), justify="right"),
                    },
                )
            )
        table.sync_rows(rows)

    # --------------------------------------------------------- events
    def apply_events(self, events: list[Event]) -> None:
        summary = attempts = recent = False
        for event in events:
            if isinstance(event, JobCreated) and event.job.connection_key == self.connection_key:
                self._merge_recent([event.job])
                if self.follow_latest and (self.job is None or _newest_first(event.job) < _newest_first(self.job)):
                    self._show_job(event.job.key)
                    continue
                recent = True
            elif isinstance(event, JobStatusChanged) and event.job.connection_key == self.connection_key:
                recent = True
                if event.job.key == self.job_key:
                    if not self.history or self.history[-1][0] != event.new:
                        self.history.append((event.new, event.new.label, event.at))
                    summary = attempts = True
            elif isinstance(event, JobUpdated) and event.job.connection_key == self.connection_key:
                recent = True
                summary = summary or event.job.key == self.job_key
            elif isinstance(event, ProgressUpdated) and event.job_key == self.job_key:
                summary = True
            elif isinstance(event, JobDetailUpdated) and event.detail.job.key == self.job_key:
                summary = attempts = True
            elif isinstance(event, ActionResult) and event.connection_key == self.connection_key:
                self.action_message = clean(event.message)
                summary = True
        if summary:
            self._render_summary()
        if attempts:
            self._render_attempts()
            self._render_streams()
        if recent:
            self._render_recent()

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

    # -------------------------------------------------------- actions
    def _job_url(self) -> str | None:
        job = self.job
        provider = self.provider
        if job is None:
            connection = self.watcher.connections.get(self.connection_key)
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
        self.app.request_trigger(self.connection_key, "sync")  # type: ignore[attr-defined]

    def action_choose_job_type(self) -> None:
        self.follow_latest = True
        self.app.request_job_type(self.connection_key)  # type: ignore[attr-defined]

    def action_cancel_job(self) -> None:
        self.app.request_cancel(self.job, self.connection_key)  # type: ignore[attr-defined]

    def action_open_logs(self) -> None:
        self.app.open_logs(self.job_key, self._selected_attempt())  # type: ignore[attr-defined]

    def action_open_browser(self) -> None:
        self.app.open_url(self._job_url(), self.caps.job_noun)  # type: ignore[attr-defined]

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
        self.app.open_logs(self.job_key, int(str(event.row_key.value)))  # type: ignore[attr-defined]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _MUTATING_ACTIONS and self.app.is_read_only:  # type: ignore[attr-defined]
            return None
        return True

    def on_key(self, event: Key) -> None:
        if event.key in _MUTATING_KEYS and self.app.is_read_only:  # type: ignore[attr-defined]
            event.stop()
            self.app.refuse_if_read_only("cancelling" if event.key == "c" else "triggering")  # type: ignore[attr-defined]


def _newest_first(job: Job) -> tuple[float, str]:
    """Sort key: newest job first (ties broken by descending id)."""
    created = job.created_at.timestamp() if job.created_at else 0.0
    return (-created, _neg_id(job.id))


def _neg_id(job_id: str) -> str:
    """Descending id order for equal timestamps (ids are numeric for Airbyte)."""
    return "".join(chr(0x10FFFF - ord(ch)) if ord(ch) < 0x10FFFF else ch for ch in job_id.rjust(20, "0"))


_MUTATING_ACTIONS = {spec.action for spec in specs_for("job") if spec.mutating}
_MUTATING_KEYS = {spec.key for spec in specs_for("job") if spec.mutating}
