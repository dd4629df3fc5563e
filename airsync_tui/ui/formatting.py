"""Turn domain values into short, human, *inert* `rich.text.Text`.

Why one module: every cell, label and notification goes through these
helpers, so (1) numbers, ages and durations read the same everywhere, and
(2) untrusted text (connection names, error messages) is always wrapped in
`Text(...)` after control characters are stripped — never parsed as markup —
so a connection called ``[bold red]x[/]`` or containing ``ESC[2J`` shows up
literally and cannot drive the terminal.

Colours come from a `Palette` chosen by the active theme (dark or light), so
status badges stay readable on both backgrounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import humanize
from rich.text import Text

from airsync_tui.logs.sanitize import sanitize_text
from airsync_tui.models.domain import Progress
from airsync_tui.models.jobview import percent_text, whole_percent
from airsync_tui.models.status import JobStatus, StatusCategory
from airsync_tui.textfmt import DASH as DASH  # re-exported for the UI (explicit, for mypy --strict)
from airsync_tui.textfmt import age as age
from airsync_tui.textfmt import count as count
from airsync_tui.textfmt import duration as duration


def clean(value: object) -> str:
    """Untrusted text → one printable line (control/escape sequences removed)."""
    text = sanitize_text("" if value is None else str(value))
    return " ".join(text.split()) if ("\n" in text or "\t" in text or "\r" in text) else text


def plain(value: object, style: str = "") -> Text:
    """Untrusted text as an inert `Text` (brackets shown literally)."""
    return Text(clean(value), style=style, no_wrap=True, overflow="ellipsis", end="")


# --------------------------------------------------------------------- palette
@dataclass(frozen=True)
class Palette:
    """Concrete colours for status badges and bars, per theme brightness."""

    succeeded: str
    failed: str
    cancelled: str
    running: str
    retrying: str
    pending: str
    warning: str
    unknown: str
    muted: str
    bar_empty: str
    ok: str


DARK = Palette(
    succeeded="#4ec97a",
    failed="bold #ff6b6b",
    cancelled="#d7995b",
    running="#5fa8ff",
    retrying="#ffb347",
    pending="#8a8f98",
    warning="#e8d44d",
    unknown="bold #c792ea",
    muted="#8a8f98",
    bar_empty="#3a3f47",
    ok="#4ec97a",
)
LIGHT = Palette(
    succeeded="#17803d",
    failed="bold #c62828",
    cancelled="#a5561b",
    running="#1f5fbf",
    retrying="#b06000",
    pending="#6b7280",
    warning="#8a6d00",
    unknown="bold #7b1fa2",
    muted="#6b7280",
    bar_empty="#d0d4da",
    ok="#17803d",
)

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"

_ICONS: dict[StatusCategory, str] = {
    StatusCategory.SUCCEEDED: "✔",
    StatusCategory.FAILED: "✘",
    StatusCategory.CANCELLED: "⊘",
    StatusCategory.RETRYING: "↻",
    StatusCategory.PENDING: "◌",
    StatusCategory.WARNING: "⚠",
    StatusCategory.UNKNOWN: "?",
}


def status_style(category: StatusCategory, palette: Palette) -> str:
    return {
        StatusCategory.SUCCEEDED: palette.succeeded,
        StatusCategory.FAILED: palette.failed,
        StatusCategory.CANCELLED: palette.cancelled,
        StatusCategory.RUNNING: palette.running,
        StatusCategory.RETRYING: palette.retrying,
        StatusCategory.PENDING: palette.pending,
        StatusCategory.WARNING: palette.warning,
        StatusCategory.UNKNOWN: palette.unknown,
    }[category]


def spinner_frame(tick: int) -> str:
    return SPINNER[tick % len(SPINNER)]


def status_badge(status: JobStatus | None, palette: Palette, *, tick: int = 0) -> Text:
    """`✔ succeeded`, `✘ failed`, `⠙ running`, `? weird?` (unknown flagged)."""
    if status is None:
        return Text(DASH, style=palette.muted, end="")
    category = status.category
    icon = spinner_frame(tick) if category == StatusCategory.RUNNING else _ICONS[category]
    return Text(f"{icon} {clean(status.label)}", style=status_style(category, palette), no_wrap=True, end="")


def progress_bar(ratio: float | None, palette: Palette, *, width: int = 12, tick: int = 0, style: str | None = None) -> Text:
    """A block bar with percentage; `ratio=None` gives a sliding indeterminate bar."""
    fill_style = style or palette.running
    if ratio is None:
        span = max(2, width // 4)
        travel = max(1, width - span)
        pos = tick % (2 * travel)
        start = pos if pos <= travel else 2 * travel - pos
        return Text.assemble(
            ("━" * start, palette.bar_empty),
            ("━" * span, fill_style),
            ("━" * (width - start - span), palette.bar_empty),
            ("   ···", palette.muted),
            end="",
        )
    whole = whole_percent(ratio) or 0  # one rounding for the bar and every percentage text
    filled = whole * width // 100
    return Text.assemble(
        ("━" * filled, fill_style),
        ("━" * (width - filled), palette.bar_empty),
        (f" {whole:>3d}%", ""),
        end="",
    )


# ------------------------------------------------------------------- numbers
def short_count(value: int | float | None) -> str:
    """1.2k / 3.4M for dense columns."""
    if value is None:
        return DASH
    value = float(value)
    for unit, size in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= size:
            return f"{value / size:.1f}{unit}".replace(".0" + unit, unit)
    return f"{int(value)}"


def size(value: int | float | None) -> str:
    """1.2 MB (decimal units, as providers report them)."""
    return DASH if value is None else humanize.naturalsize(value)


def rate(value: float | None, unit: str) -> str:
    if value is None:
        return DASH
    if unit == "B":
        return f"{humanize.naturalsize(value)}/s"
    return f"{short_count(value)} {unit}/s"


def age_changes_at(moment: datetime | None, now: datetime) -> datetime | None:
    """When `age(moment, ...)` can next read differently (never later than the real change).

    "just now" holds for 5 s; humanize counts whole seconds under a minute,
    whole minutes under an hour, whole hours under a day and whole days
    beyond, rounding minutes and hours to the nearest, so the text can only
    change on a half-minute boundary under an hour ("3 minutes ago" changes
    once a minute), a half-hour one under a day and a day one beyond.
    """
    if moment is None:
        return None
    seconds = (now - moment).total_seconds()
    if seconds < 5:
        return moment + timedelta(seconds=5)
    if seconds < 60:
        return now + timedelta(seconds=1)
    unit = 30 if seconds < 3600 else 1800 if seconds < 86400 else 86400
    previous = int(seconds // unit) * unit
    upcoming = previous + unit
    # Rounding (half-even, on whole or rounded seconds) moves a change up to ~1 s around a
    # boundary: poll every second near one, otherwise sleep until just before the next.
    if seconds < previous + 1.5 or seconds >= upcoming - 1:
        return now + timedelta(seconds=1)
    return moment + timedelta(seconds=upcoming - 1)


def clock_time(moment: datetime | None, now: datetime | None = None) -> str:
    """Local wall time HH:MM:SS (the date when it is not the same day as `now`)."""
    if moment is None:
        return DASH
    local = moment.astimezone()
    today = (now.astimezone() if now is not None else datetime.now(local.tzinfo)).date()
    return local.strftime("%H:%M:%S") if local.date() == today else local.strftime("%Y-%m-%d %H:%M")


def percent(ratio: float | None) -> str:
    """Same rounding as the bars (`models.jobview.whole_percent`)."""
    return DASH if ratio is None else percent_text(ratio)


def progress_summary(progress: Progress | None) -> str:
    """ "45% · 12,000 / 26,000 records" for labels and tests."""
    if progress is None:
        return DASH
    parts = [percent(progress.ratio) if progress.ratio is not None else "indeterminate"]
    if progress.records_emitted is not None:
        total = f" / {count(progress.estimated_records)}" if progress.estimated_records else ""
        parts.append(f"{count(progress.records_emitted)}{total} records")
    return " · ".join(parts)
