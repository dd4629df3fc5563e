"""A schedule an operator asks for (`--manual`, `--every 6h`, `--cron EXPR`), validated.

Why a model of its own: the CLI, the dashboard's schedule dialog and the
action journal (which stores the previous schedule so `undo` can restore it)
all speak it, and each provider turns it into its own wire shape. Airbyte's
public `PATCH /connections/{id}` accepts only `manual` and `cron`
(`AirbyteApiConnectionSchedule.scheduleType`), so an interval becomes the
equivalent Quartz cron there; `describe()` shows every choice in words with
`describe_cron`, the same words the connection list uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from airsync_tui.models.domain import Schedule, describe_cron

_EVERY = re.compile(r"^\s*(\d+)\s*(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)\s*$", re.IGNORECASE)
_QUARTZ_FIELD = re.compile(r"^[0-9A-Za-z*?/,\-#LW]+$")
_TIME_ZONE = re.compile(r"^[A-Za-z_]+(?:/[A-Za-z_+\-]+)*$")
# (low, high) per Quartz field: seconds, minutes, hours, day of month, month, day of week.
_NAMES = re.compile(r"(?i)(MON|TUE|WED|THU|FRI|SAT|SUN|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)")
_RANGES = ((0, 59), (0, 59), (0, 23), (1, 31), (1, 12), (1, 7))


class ScheduleError(ValueError):
    """What was wrong with the requested schedule, in one line."""


@dataclass(frozen=True, slots=True)
class ScheduleChange:
    """manual, every N minutes/hours/days, or a cron expression (Quartz, 6–7 fields, optional zone)."""

    kind: str  # "manual" | "cron"
    cron: str | None = None
    every_minutes: int | None = None

    @classmethod
    def manual(cls) -> ScheduleChange:
        return cls("manual")

    @classmethod
    def every(cls, text: str) -> ScheduleChange:
        """`6h`, `30m`, `1d` → the equivalent cron (intervals must divide an hour or a day evenly)."""
        match = _EVERY.match(text)
        if match is None:
            raise ScheduleError(f"cannot read interval {text!r}: use e.g. 30m, 6h or 1d")
        count, unit = int(match.group(1)), match.group(2).lower()[0]
        minutes = count * {"m": 1, "h": 60, "d": 1440}[unit]
        if minutes <= 0:
            raise ScheduleError("the interval must be at least 1 minute")
        if minutes < 60:
            if 60 % minutes:
                raise ScheduleError(f"every {minutes} minutes does not divide an hour; use 1, 2, 3, 4, 5, 6, 10, 12, 15, 20 or 30 minutes")
            cron = f"0 */{minutes} * * * ? UTC"
        elif minutes < 1440:
            if minutes % 60 or 24 % (minutes // 60):
                raise ScheduleError(f"every {count}{unit} does not divide a day; use 1, 2, 3, 4, 6, 8 or 12 hours")
            hours = minutes // 60
            cron = "0 0 * * * ? UTC" if hours == 1 else f"0 0 */{hours} * * ? UTC"
        elif minutes == 1440:
            cron = "0 0 0 * * ? UTC"
        else:
            raise ScheduleError("intervals longer than a day need --cron (e.g. '0 0 6 ? * MON UTC')")
        return cls("cron", cron=cron, every_minutes=minutes)

    @classmethod
    def from_cron(cls, expression: str) -> ScheduleChange:
        """Validate a Quartz cron (Airbyte's dialect); a 5-field Unix cron is converted."""
        fields = expression.split()
        zone: str | None = None
        if (
            fields
            and _TIME_ZONE.match(fields[-1])
            and not fields[-1].isdigit()
            and len(fields) in (6, 7, 8)
            and not _NAMES.fullmatch(fields[-1])
        ):
            zone, fields = fields[-1], fields[:-1]
        if len(fields) == 5:  # Unix cron: add seconds, and Quartz needs '?' in day-of-month or day-of-week
            minute, hour, dom, month, dow = fields
            if dow == "*":
                dow = "?"
            else:  # Unix weekdays 0–7 (0 and 7 = Sunday) → Quartz 1–7 (1 = Sunday)
                dow = re.sub(r"\d+", lambda m: str(int(m.group()) % 7 + 1), dow)
                if dom == "*":
                    dom = "?"
            fields = ["0", minute, hour, dom, month, dow]
        if len(fields) not in (6, 7):
            raise ScheduleError(
                f"cron {expression!r} has {len(fields)} fields: use 5 (Unix) or 6–7 (Quartz: sec min hour day month weekday [year])"
            )
        for index, (value, (low, high)) in enumerate(zip(fields[:6], _RANGES, strict=True)):
            if not _QUARTZ_FIELD.match(value):
                raise ScheduleError(f"cron field {index + 1} ({value!r}) has characters cron does not allow")
            for number in re.findall(r"(?<![A-Za-z#/])\d+", value):
                if not low <= int(number) <= high and not (index == 5 and value.upper() != value.lower()):
                    raise ScheduleError(f"cron field {index + 1} ({value!r}): {number} is outside {low}–{high}")
        if fields[3] != "?" and fields[5] != "?":
            raise ScheduleError("Quartz cron needs '?' in day-of-month or day-of-week (e.g. '0 0 6 * * ?')")
        cron = " ".join(fields + ([zone] if zone else ["UTC"]))
        return cls("cron", cron=cron)

    def to_schedule(self) -> Schedule:
        return Schedule(kind=self.kind, expression=self.cron)

    def describe(self) -> str:
        """In words: "manual", "every 6 hours", "weekdays at 06:00" (else the raw cron)."""
        if self.kind == "manual" or not self.cron:
            return "manual"
        return describe_cron(self.cron) or f"cron {self.cron}"

    def to_json(self) -> dict[str, str | int | None]:
        return {
            "kind": self.kind,
            "cron": self.cron,
            "everyMinutes": self.every_minutes,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> ScheduleChange:
        every = data.get("everyMinutes")
        cron = data.get("cron")
        return cls(
            str(data.get("kind") or "manual"),
            cron=str(cron) if cron else None,
            every_minutes=int(every) if isinstance(every, int) else None,
        )

    @classmethod
    def from_schedule(cls, schedule: Schedule) -> ScheduleChange:
        """What a connection has now, as a change that would restore it (undo)."""
        kind = schedule.kind.lower()
        if kind == "cron" and schedule.expression:
            return cls("cron", cron=schedule.expression)
        if kind in ("basic", "interval") and schedule.expression:
            # Airbyte's PATCH takes only manual|cron: "Every 24 HOURS" comes back as its cron twin.
            match = re.match(
                r"(?i)^every\s+(\d+)\s+(minute|hour|day)s?$",
                schedule.expression.strip(),
            )
            if match:
                try:
                    return cls.every(f"{match.group(1)}{match.group(2)[0].lower()}")
                except ScheduleError:
                    pass
            return cls("basic", cron=schedule.expression)
        return cls("manual")

    def same_as(self, schedule: Schedule) -> bool:
        """True when the connection already runs on this schedule (an idempotent no-op)."""
        kind = schedule.kind.lower()
        if self.kind == "manual":
            return kind == "manual"
        return kind == self.kind and " ".join((schedule.expression or "").split()) == " ".join((self.cron or "").split())
