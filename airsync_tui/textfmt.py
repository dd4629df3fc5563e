"""Plain-text formatting of counts, durations and ages, shared by the CLI and the UI.

Headless (no Textual, no Rich) so `airsync jobs` and the dashboard print the
same "12,000", "4m 05s" and "3 minutes ago".
"""

from __future__ import annotations

from datetime import datetime, timedelta

import humanize

DASH = "–"


def count(value: int | None) -> str:
    """12,000 (exact with separators; operators compare counts between runs)."""
    return DASH if value is None else humanize.intcomma(int(value))


def counted(value: int, noun: str) -> str:
    """ "1 connection", "12,000 connections": a count with its noun, singular for one (regular nouns)."""
    return f"{count(value)} {noun}{'' if value == 1 else 's'}"


def synced_rows(records: int | None, planned: int | None = None, per_row_results: bool = True, *, short: bool = False) -> str:
    """The rows a job synced, or what is known instead when the destination
    does not report per-row results: "109 planned, per-row results not
    reported" (never "0", which would read as "nothing synced"). ``short``
    is for table cells: "109 planned"."""
    if not per_row_results:
        if short:
            return f"{count(planned)} planned" if planned is not None else DASH
        known = f"{count(planned)} planned, " if planned is not None else ""
        return f"{known}per-row results not reported"
    return count(records)


def duration(value: timedelta | None) -> str:
    """Compact: 12s, 4m 05s, 2h 03m, 3d 04h."""
    if value is None:
        return DASH
    total = int(max(value.total_seconds(), 0))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {seconds:02d}s"
    return f"{seconds}s"


def age(moment: datetime | None, now: datetime) -> str:
    """ "3 minutes ago"; clock skew into the future reads "just now"."""
    if moment is None:
        return DASH
    delta = now - moment
    seconds = delta.total_seconds()
    if seconds < 5:
        return "just now"
    # Whole units, floored, as every duration on screen is ("47 min" in the alerts): humanize rounds
    # to the nearest unit, so the list said "48 minutes ago" for the same moment.
    unit = 60 if seconds < 3600 else 3600 if seconds < 86400 else 86400
    if seconds >= 60:
        delta = timedelta(seconds=seconds // unit * unit)
    return humanize.naturaltime(delta)
