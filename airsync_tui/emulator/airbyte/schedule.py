"""Next-fire computation for connection schedules (a small Quartz-cron subset + basic timing).

Scheduled connections must start jobs by themselves at plausible times. A full
Quartz parser is not needed: we support the fields the demo and realistic users
write — numbers, `*`, `?`, lists, ranges, steps (`*/6`, `5/15`) and day names —
with the trailing timezone token (only UTC offsets of zero are honoured).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

_DAY_NAMES = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_MONTH_NAMES = {m: i + 1 for i, m in enumerate(["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"])}
_BASIC_UNITS = {"MINUTES": 60, "HOURS": 3600, "DAYS": 86400, "WEEKS": 7 * 86400, "MONTHS": 30 * 86400}


def _parse_field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        part = part.strip().upper()
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part in ("*", "?", ""):
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = _value(a, names), _value(b, names)
        else:
            start = _value(part, names)
            end = high if step != 1 else start
        values.update(range(start, end + 1, step))
    return frozenset(v for v in values if low <= v <= high)


def _value(token: str, names: dict[str, int] | None) -> int:
    if names and token in names:
        return names[token]
    return int(token)


@dataclass(frozen=True, slots=True)
class QuartzCron:
    """A parsed Quartz expression: `sec min hour day-of-month month day-of-week [year] [TZ]`."""

    seconds: frozenset[int]
    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: frozenset[int] | None  # None = "?" / unrestricted
    months: frozenset[int]
    days_of_week: frozenset[int] | None  # Quartz numbering: 1 = Sunday

    @classmethod
    def parse(cls, expression: str) -> QuartzCron:
        tokens = expression.split()
        if tokens and not tokens[-1][0].isdigit() and tokens[-1] not in ("*", "?") and "/" not in tokens[-1] and len(tokens) > 6:
            tokens = tokens[:-1]  # trailing timezone, e.g. "UTC"
        if len(tokens) < 6:
            raise ValueError(f"not a Quartz cron expression: {expression!r}")
        sec, minute, hour, dom, month, dow = tokens[:6]
        return cls(
            _parse_field(sec, 0, 59),
            _parse_field(minute, 0, 59),
            _parse_field(hour, 0, 23),
            None if dom in ("?", "*") else _parse_field(dom, 1, 31),
            _parse_field(month, 1, 12, _MONTH_NAMES),
            None if dow in ("?", "*") else _parse_field(dow, 1, 7, _DAY_NAMES),
        )

    def next_after(self, epoch_s: float) -> float:
        """First fire time strictly after `epoch_s` (UTC). Searches at most ~400 days."""
        start = dt.datetime.fromtimestamp(math.floor(epoch_s), dt.UTC)
        day = start.replace(hour=0, minute=0, second=0)
        for _ in range(400):
            if self._day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        for second in sorted(self.seconds):
                            candidate = day.replace(hour=hour, minute=minute, second=second)
                            if candidate.timestamp() > epoch_s:
                                return candidate.timestamp()
            day += dt.timedelta(days=1)
        raise ValueError("cron expression never fires")

    def _day_matches(self, day: dt.datetime) -> bool:
        if day.month not in self.months:
            return False
        if self.days_of_month is not None and day.day not in self.days_of_month:
            return False
        quartz_dow = (day.isoweekday() % 7) + 1  # Sunday=1 … Saturday=7
        return self.days_of_week is None or quartz_dow in self.days_of_week


def basic_interval_seconds(timing: str) -> float:
    """`"Every 24 HOURS"` → 86400."""
    parts = timing.split()
    if len(parts) != 3 or parts[0].lower() != "every" or parts[2].upper() not in _BASIC_UNITS:
        raise ValueError(f"not a basic schedule: {timing!r}")
    return int(parts[1]) * _BASIC_UNITS[parts[2].upper()]


def schedule_period_seconds(kind: str, expression: str | None) -> float | None:
    """Rough period of a schedule (used to space out generated history). None for manual."""
    if kind == "basic" and expression:
        return basic_interval_seconds(expression)
    if kind == "cron" and expression:
        cron = QuartzCron.parse(expression)
        first = cron.next_after(1_767_225_600)
        return cron.next_after(first) - first
    return None
