"""Every timestamp shape the providers send, parsed to aware UTC datetimes.

Airbyte mixes units by API and by field: public job times are ISO strings whose
seconds vanish when zero (Java's `OffsetDateTime.toString()` prints
`2026-03-02T08:15Z`), config-API job/attempt times are epoch seconds, and log
events and failure reasons are epoch milliseconds. Durations are ISO-8601
(`PT6M36S`). Parsing lives here once so no caller guesses a unit.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

_ISO_NO_SECONDS = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(Z|[+-]\d{2}:?\d{2})?$")
_DURATION = re.compile(
    r"^P(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


class TimeParseError(ValueError):
    """A timestamp or duration in a shape we do not understand."""


def parse_iso(value: str) -> datetime:
    """ISO-8601 with or without seconds, `Z` or offset, any fraction → aware UTC."""
    text = value.strip()
    match = _ISO_NO_SECONDS.match(text)
    if match:
        text = f"{match.group(1)}:00{match.group(2) or ''}"
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise TimeParseError(f"not an ISO-8601 time: {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def from_epoch_seconds(value: float) -> datetime:
    return datetime.fromtimestamp(float(value), tz=UTC)


def from_epoch_millis(value: float) -> datetime:
    return datetime.fromtimestamp(float(value) / 1000.0, tz=UTC)


def parse_time(value: Any, *, epoch_unit: str = "s") -> datetime | None:
    """Parse a time that may be missing, ISO text, or an epoch number.

    `epoch_unit` says what a bare number means ("s" or "ms"); it is the
    caller's knowledge of the field, never guessed from magnitude.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, bool):
        raise TimeParseError(f"not a time: {value!r}")
    if isinstance(value, (int, float)):
        return from_epoch_millis(value) if epoch_unit == "ms" else from_epoch_seconds(value)
    if isinstance(value, str):
        stripped = value.strip()
        if re.fullmatch(r"-?\d+(\.\d+)?", stripped):
            return parse_time(float(stripped), epoch_unit=epoch_unit)
        return parse_iso(stripped)
    raise TimeParseError(f"not a time: {value!r}")


def parse_duration(value: str | None) -> timedelta | None:
    """ISO-8601 duration (`PT6M36S`, `P1DT2H`, `PT0.5S`) → timedelta."""
    if not value:
        return None
    match = _DURATION.match(value.strip())
    if not match or value.strip() in ("P", "PT"):
        raise TimeParseError(f"not an ISO-8601 duration: {value!r}")
    parts = {name: float(amount) for name, amount in match.groupdict().items() if amount}
    return timedelta(
        days=parts.get("days", 0.0),
        hours=parts.get("hours", 0.0),
        minutes=parts.get("minutes", 0.0),
        seconds=parts.get("seconds", 0.0),
    )


def format_iso(moment: datetime) -> str:
    """UTC ISO text with a `Z`, seconds always present (what we send to APIs)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_duration(delta: timedelta) -> str:
    """`timedelta` → ISO-8601 duration with whole seconds (`PT6M36S`)."""
    total = round(delta.total_seconds())
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    out = "P"
    if days:
        out += f"{days}D"
    time_part = ""
    if hours:
        time_part += f"{hours}H"
    if minutes:
        time_part += f"{minutes}M"
    if seconds or not (days or hours or minutes):
        time_part += f"{seconds}S"
    if time_part:
        out += "T" + time_part
    return out


def utcnow() -> datetime:
    return datetime.now(UTC)
