"""What the headless commands print: tables, JSON, and the `--wait` progress.

On a terminal `--wait` redraws one progress line; piped, it prints one line
per status transition so logs and CI output stay readable. Text from the
server (names, errors) is sanitised so it cannot drive the terminal.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, TextIO

from airsync_tui.cli.terminal import clean, write_control
from airsync_tui.errors import redact
from airsync_tui.logs.sanitize import sanitize_text
from airsync_tui.models.domain import Connection, Job
from airsync_tui.models.jobview import bytes_total, records_total, whole_percent
from airsync_tui.models.jobview import eta as job_eta
from airsync_tui.models.rate import RateWindow
from airsync_tui.models.timeparse import utcnow
from airsync_tui.textfmt import count, duration


def inert(text: object) -> str:
    """Server-provided text as one inert line (escape sequences and controls removed)."""
    return clean(sanitize_text(str(text), keep_newlines=False))


#: Widest table cell: a 1 MB name must not pad every row to a megabyte.
MAX_CELL = 80


def _cell(value: object) -> str:
    text = inert(str(value)[: MAX_CELL * 4])  # clip first: sanitising 1 MB per cell is wasted work
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def job_id_value(job: Job) -> int | str:
    return int(job.id) if job.id.isascii() and job.id.isdigit() else job.id


def job_json(job: Job, *, now: datetime | None = None, connection_name: str | None = None, **extra: Any) -> dict[str, Any]:
    """The `--json` shape; keys follow the Arazzo workflow outputs.

    `rowsSynced` is records committed over all attempts (`models.jobview.records_total`),
    the same number the dashboard shows; `now` is the watcher's server clock.
    """
    data: dict[str, Any] = {
        "jobId": job_id_value(job),
        "finalStatus" if job.status.is_terminal else "status": job.status.raw,
        "rowsSynced": records_total(job),
        "rowsPlanned": job.records_planned,
        "perRowResultsReported": job.per_row_results,
        "bytesSynced": bytes_total(job),
        "provider": job.provider,
        "connectionId": job.connection_id,
        "jobType": job.job_type,
        "startTime": job.created_at.isoformat() if job.created_at else None,
        "durationSeconds": _seconds(job.elapsed(now or utcnow())),
        "jobUrl": redact(job.web_url) if job.web_url else job.web_url,
    }
    if connection_name is not None:
        data["connectionName"] = connection_name
    if job.error:
        data["error"] = inert(job.error)
    if not job.status.known:
        data["statusUnknown"] = True
    data.update(extra)
    return data


def _seconds(delta: timedelta | None) -> float | None:
    return round(delta.total_seconds(), 1) if delta is not None else None


def connection_json(connection: Connection) -> dict[str, Any]:
    return {
        "provider": connection.provider,
        "connectionId": connection.id,
        "name": connection.name,
        "status": connection.status,
        "paused": connection.state_label == "paused",
        "schedule": connection.schedule.describe(),
        "streams": list(connection.streams),
    }


def print_table(rows: Iterable[Iterable[object]], headers: list[str], out: TextIO | None = None) -> None:
    """`out` defaults to `sys.stdout` *at call time*: the CLI wraps stdout in its safe
    stream after this module may have been imported (a default bound at import
    would bypass the sanitiser and the quiet closed-pipe handling)."""
    out = out if out is not None else sys.stdout
    table = [[inert(c) for c in headers]] + [[_cell(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    for index, row in enumerate(table):
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip(), file=out)
        if index == 0:
            print("  ".join("-" * w for w in widths), file=out)


class WaitPrinter:
    """Progress for `airsync sync --wait`: a live line on a TTY, transitions otherwise."""

    BAR_WIDTH = 24
    SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"

    def __init__(
        self,
        stream: TextIO,
        *,
        live: bool,
        clock: Callable[[], datetime] = utcnow,
        rate_window: Callable[[str], RateWindow | None] | None = None,
        noun: str = "job",
    ) -> None:
        self.stream = stream
        #: The provider's word for a job ("run" for Hightouch), as in the summary line.
        self.noun = noun
        self.live = live
        #: The watcher's one clock (server time): elapsed never reads 0 s when the server is ahead.
        self.clock = clock
        self.rate_window = rate_window
        self._frame = 0
        self._last_status: str | None = None
        self._drawn = False
        self._last_draw = 0.0

    def started(self, job: Job, attached: bool, connection_name: str) -> None:
        verb = "attached to running" if attached else "started"
        self._line(f"{verb} {job.job_type} {self.noun} {job.id} of {inert(connection_name)} ({job.status.label})")
        self._last_status = job.status.raw

    def update(self, job: Job, *, force: bool = False) -> None:
        if job.status.raw != self._last_status:
            self._line(f"{self.noun} {job.id}: {self._last_status or '?'} → {job.status.label}")
            self._last_status = job.status.raw
        if self.live and (force or time.monotonic() - self._last_draw >= 0.2):
            self._draw(job)

    def note(self, text: str) -> None:
        """A notable event between transitions (an attempt failed, a retry is coming)."""
        self._line(inert(text))

    def finish(self, message: str) -> None:
        self._clear()
        self.stream.write(message + "\n")
        self.stream.flush()

    def _line(self, text: str) -> None:
        stamp = self.clock().astimezone().strftime("%H:%M:%S")  # the one shown clock (server time)
        self._clear()
        self.stream.write(f"{stamp} {text}\n")
        self.stream.flush()

    def _clear(self) -> None:
        if self.live and self._drawn:
            write_control(self.stream, "\r\x1b[2K")
            self._drawn = False

    def _draw(self, job: Job) -> None:
        self._frame = (self._frame + 1) % len(self.SPINNER)
        progress = job.progress
        ratio = progress.ratio if progress else None
        if ratio is None:
            pos = self._frame % self.BAR_WIDTH
            bar = "·" * pos + "━━━" + "·" * max(0, self.BAR_WIDTH - pos - 3)
            bar = bar[: self.BAR_WIDTH]
            pct = " ?? "
        else:
            whole = whole_percent(ratio) or 0
            filled = whole * self.BAR_WIDTH // 100
            bar = "█" * filled + "░" * (self.BAR_WIDTH - filled)
            pct = f"{whole:3d}%"
        records = records_total(job)
        now = self.clock()
        elapsed = job.elapsed(now)
        window = self.rate_window(job.key) if self.rate_window is not None else None
        rps = window.records_per_second(now) if window is not None else None
        stalled = window.no_progress_for(now) if window is not None else None
        eta = job_eta(progress, elapsed, records_per_second=rps, no_progress_for=stalled)
        tail = f"ETA {duration(eta)}"
        if eta is None and stalled is not None and job_eta(progress, elapsed) is not None:
            tail = f"no progress for {duration(stalled)}"
        text = (
            f"{self.SPINNER[self._frame]} {job.status.label:<10} {pct} {bar}  {count(records)} committed"
            f"  elapsed {duration(elapsed)}  {tail}"
        )
        write_control(self.stream, "\r\x1b[2K")
        self.stream.write(text)
        self.stream.flush()
        self._drawn = True
        self._last_draw = time.monotonic()
