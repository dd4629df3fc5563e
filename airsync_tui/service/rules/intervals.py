"""How often a schedule fires, for the `stale` rule.

`Schedule.describe()` (models/domain.py) already recognises the common basic
and cron shapes in words; this turns the same shapes into a `timedelta`. An
unusual cron yields None and the connection is simply not judged stale (a
false "stale" alert is worse than none).
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache

from airsync_tui.models.domain import Schedule, describe_cron

_UNITS = {
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
    "month": timedelta(days=31),
}
_EVERY = re.compile(r"^every (?:(\d+) )?([a-z]+?)s?$")
_HOURLY = re.compile(r"^hourly at :\d\d$")


@lru_cache(maxsize=4096)
def schedule_interval(schedule: Schedule) -> timedelta | None:
    """The longest gap between two runs of this schedule (None: manual or unknown).

    Cached (a `Schedule` is frozen, so hashable): the `stale` rule asks for every
    connection at each evaluation, about once a second with a thousand connections.
    """
    kind = schedule.kind.lower()
    if kind in ("basic", "interval"):
        words = schedule.describe()
    elif kind == "cron" and schedule.expression:
        words = describe_cron(schedule.expression.strip()) or ""
    else:
        return None
    match = _EVERY.match(words)
    if match:
        unit = _UNITS.get(match.group(2))
        return unit * int(match.group(1) or 1) if unit else None
    if _HOURLY.match(words):
        return timedelta(hours=1)
    if words.startswith("daily at"):
        return timedelta(days=1)
    if words.startswith("weekdays at"):
        return timedelta(days=3)  # Friday → Monday
    if " at " in words and words.split(" at ")[0].endswith("days"):
        return timedelta(weeks=1)
    return None
