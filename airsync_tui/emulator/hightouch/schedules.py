"""When does a scheduled sync fire next?

Only what the demo world uses: fixed intervals and five-field cron expressions
(`*`, `*/n`, `a`, `a-b`, `a,b`, `a-b/n`) evaluated in UTC. Scheduled syncs must
start runs by themselves, so the world asks this module for the next fire time
after every firing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from .model import Schedule

_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400}
_FIELD_RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 6)]  # minute hour dom month dow(0=Sun)


def interval_seconds(schedule: Schedule) -> float:
    """Nominal period of a schedule; cron gets a rough figure used only to space history."""
    if schedule.kind == "interval":
        return schedule.quantity * _UNIT_SECONDS[schedule.unit]
    minute, hour = schedule.expression.split()[:2]
    if hour == "*":
        return 60 * (int(minute[2:]) if minute.startswith("*/") else 60)
    if hour.startswith("*/"):
        return 3600 * int(hour[2:])
    return 86400


def _parse_field(text: str, low: int, high: int) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/")
            step = int(step_text)
        if part == "*":
            start, stop = low, high
        elif "-" in part:
            a, b = part.split("-")
            start, stop = int(a), int(b)
        else:
            start = stop = int(part)
            if step != 1:
                stop = high
        if not (low <= start <= stop <= high) or step < 1:
            raise ValueError(f"cron field out of range: {text!r}")
        values.update(range(start, stop + 1, step))
    return frozenset(values)


def parse_cron(expression: str) -> list[frozenset[int]]:
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"cron expression needs 5 fields: {expression!r}")
    parsed = [_parse_field(f, lo, hi) for f, (lo, hi) in zip(fields, _FIELD_RANGES, strict=True)]
    parsed[4] = frozenset(d % 7 for d in parsed[4])
    return parsed


def next_cron_time(expression: str, after: float) -> float:
    """First minute strictly after `after` matching the expression.

    Skips whole days and hours that cannot match, so even a daily cron costs
    a few dozen steps rather than 1440 minute probes.
    """
    minutes, hours, doms, months, dows = parse_cron(expression)
    t = datetime.fromtimestamp(after, UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    for _ in range(366 * 24 * 2):
        if t.month not in months or t.day not in doms or (t.isoweekday() % 7) not in dows:
            t = (t + timedelta(days=1)).replace(hour=0, minute=0)
        elif t.hour not in hours:
            t = (t + timedelta(hours=1)).replace(minute=0)
        elif t.minute not in minutes:
            t += timedelta(minutes=1)
        else:
            return t.timestamp()
    raise ValueError(f"cron expression never fires: {expression!r}")


def next_fire(schedule: Schedule, after: float) -> float:
    """Next fire time strictly after `after` (virtual epoch seconds)."""
    if schedule.kind == "interval":
        return after + interval_seconds(schedule)
    return next_cron_time(schedule.expression, after)
