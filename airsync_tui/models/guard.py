"""One rule for values we cannot use: unknown for that one field, reported once.

Why: a single absurd value (`"inf"` rows, `P9999999999D`, `1e30`, an epoch of
0) used to raise `OverflowError` deep in progress maths and take down the
whole poll every tick. The wire models' lenient validators call these
functions instead: a value outside what any real server sends becomes None
(shown as "–"/unknown), and what was wrong is recorded once per kind so the
CLI and the dashboard can say it without repeating it every poll.
"""

from __future__ import annotations

import math
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

#: A quadrillion records or bytes: beyond any real sync, far inside int64.
MAX_COUNT = 10**15
#: A job or interval longer than a century is not a duration, it is a bug.
MAX_DURATION = timedelta(days=36_500)
#: Epoch 0 is a placeholder ("not set"), and times past 2200 are garbage.
#: (Small non-zero epochs stay: tests and emulators use them.)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)

_lock = threading.Lock()
_reported: dict[str, str] = {}  # kind+why -> one line
_unread: list[str] = []


def report(kind: str, value: Any, why: str) -> None:
    """Record one unusable value (once per kind and reason)."""
    shown = repr(value)
    shown = shown if len(shown) <= 40 else shown[:39] + "…"
    key = f"{kind}:{why}"
    with _lock:
        if key in _reported:
            return
        line = f"ignored a {kind} from the server ({shown}: {why}); shown as unknown"
        _reported[key] = line
        _unread.append(line)


def reports_since(position: int) -> tuple[list[str], int]:
    """Report lines after `position` and the new position (for a second reader: the watcher)."""
    with _lock:
        lines = list(_reported.values())
    return lines[position:], len(lines)


def take_reports() -> list[str]:
    """New report lines since the last call (each reported once per process)."""
    with _lock:
        lines = list(_unread)
        _unread.clear()
    return lines


def forget_reports() -> None:
    """Start over as a fresh process would (in-process CLI runs and tests, one after another)."""
    with _lock:
        _reported.clear()
        _unread.clear()


def count(value: Any, kind: str = "count") -> int | None:
    """A non-negative integer count, or None (reported) when unusable."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        report(kind, value, "not a number")
        return None
    if isinstance(number, float) and not math.isfinite(number):
        report(kind, value, "not a finite number")
        return None
    if number < 0 or number > MAX_COUNT:
        report(kind, value, "out of range")
        return None
    return int(number)


def duration(value: timedelta | None, kind: str = "duration") -> timedelta | None:
    if value is None:
        return None
    if value < timedelta(0) or value > MAX_DURATION:
        report(kind, value, "out of range")
        return None
    return value


def moment(value: datetime | None, kind: str = "time") -> datetime | None:
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    if aware <= EPOCH or aware > LATEST:
        report(kind, value.isoformat(), "not a plausible time")
        return None
    return value


__all__ = ["MAX_COUNT", "count", "duration", "forget_reports", "moment", "report", "take_reports"]
