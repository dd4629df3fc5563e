"""Small pictures for the job panel: a rate sparkline and recent-job bars.

Why: an operator sees a slow or small run faster than they read one. The
sparkline draws the job's recent rate (from the watcher's `RateWindow`, the
same window that decides "no progress for N min"); the recent-jobs bars put
each run's duration and records side by side, scaled to the longest and
largest of the runs listed, so an outlier stands out at a glance.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import pairwise

from rich.text import Text

from airsync_tui.models.domain import Job
from airsync_tui.models.jobview import records_total
from airsync_tui.models.rate import RateSample
from airsync_tui.ui.formatting import Palette

_LEVELS = "▁▂▃▄▅▆▇█"
_EIGHTHS = " ▏▎▍▌▋▊▉█"


def rates_between(samples: Sequence[RateSample]) -> list[float]:
    """Records/s between consecutive samples (a restart from zero counts as 0)."""
    rates: list[float] = []
    for before, after in pairwise(samples):
        seconds = (after.at - before.at).total_seconds()
        if seconds <= 0 or before.records is None or after.records is None:
            continue
        rates.append(max(after.records - before.records, 0) / seconds)
    return rates


def rate_sparkline(samples: Sequence[RateSample], palette: Palette, *, width: int = 24) -> Text:
    """The last `width` rates as block heights (a flat line at the bottom = not moving)."""
    values = rates_between(samples)[-width:]
    if not values:
        return Text("", end="")
    top = max(values)
    chars = [_LEVELS[0] if top <= 0 else _LEVELS[min(len(_LEVELS) - 1, int(value / top * (len(_LEVELS) - 1) + 0.5))] for value in values]
    return Text("".join(chars), style=palette.running, end="")


def _bar(value: float, top: float, width: int, style: str) -> Text:
    if top <= 0 or value <= 0:
        return Text(" " * width, end="")
    eighths = max(1, round(value / top * width * 8))
    full, part = divmod(eighths, 8)
    text = "█" * full + (_EIGHTHS[part] if part and full < width else "")
    return Text(text.ljust(width)[:width], style=style, end="")


def recent_bars(jobs: Sequence[Job], now: datetime, palette: Palette, *, width: int = 10) -> dict[str, Text]:
    """Per job key: a duration bar and a records bar, each scaled to the largest listed."""
    durations = {job.key: (job.elapsed(now) or timedelta(0)).total_seconds() for job in jobs}
    records = {job.key: float(records_total(job) or 0) for job in jobs}
    top_duration = max(durations.values(), default=0.0)
    top_records = max(records.values(), default=0.0)
    bars: dict[str, Text] = {}
    for job in jobs:
        text = Text(end="", no_wrap=True)
        text.append_text(_bar(durations[job.key], top_duration, width, palette.cancelled))
        text.append("▕", style=palette.muted)
        text.append_text(_bar(records[job.key], top_records, width, palette.running))
        bars[job.key] = text
    return bars


__all__ = ["rate_sparkline", "rates_between", "recent_bars"]
