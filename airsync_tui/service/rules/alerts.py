"""What the rules raise: an `Alert` and its transitions (opened, updated, resolved).

An alert is a `ConnectionProblem` with an identity and a life cycle. Its id is
stable and derived from data (rule, connection, the job that opened it), so a
restarted `airsync watch` recognises an alert it already raised and the outbox
can refuse to queue the same notification twice.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from airsync_tui.service.problems import (
    ConnectionProblem,
    ProblemKind,
    Severity,
    failure_from_line,
)


class Transition(str, Enum):
    OPENED = "opened"
    UPDATED = "updated"  # counts changed (a later failure of the same streak): recorded, not re-sent
    RESOLVED = "resolved"


#: Transitions that become a notification (the rest only update the record).
NOTIFIED = frozenset({Transition.OPENED, Transition.RESOLVED})


@dataclass(frozen=True)
class Alert:
    """One alert: what happened, to what, since when, how often, and where to look."""

    id: str
    rule: ProblemKind
    severity: Severity
    provider: str
    connection_key: str | None
    connection_name: str | None
    summary: str  # one line: failure origin · type · message, or what the rule saw
    opened_at: datetime
    since: datetime | None = None
    count: int = 1  # runs failed in the streak, rejected rows, consecutive failures…
    job_key: str | None = None
    attempt_number: int | None = None
    url: str | None = None
    resolved_at: datetime | None = None
    resolution: str | None = None
    last_success: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def duration(self, now: datetime) -> timedelta:
        start = self.since or self.opened_at
        end = self.resolved_at or now
        return max(end - start, timedelta(0))

    def problem(self) -> ConnectionProblem:
        """The triage view of this alert (shared vocabulary with `airsync failures`)."""
        return ConnectionProblem(
            kind=self.rule,
            severity=self.severity,
            provider=self.provider,
            connection_key=self.connection_key,
            connection_name=self.connection_name,
            since=self.since or self.opened_at,
            summary=self.summary,
            job_key=self.job_key,
            attempt_number=self.attempt_number,
            streak=self.count if self.rule in (ProblemKind.FAILED, ProblemKind.AUTO_DISABLE_RISK) else 0,
            last_success=self.last_success,
            # A failed alert's summary is the failure's one line: triage fingerprints it.
            failure=failure_from_line(self.summary) if self.rule is ProblemKind.FAILED else None,
        )

    def resolve(self, at: datetime, resolution: str) -> Alert:
        return replace(self, resolved_at=at, resolution=resolution)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, datetime):
                data[key] = value.isoformat()
            elif isinstance(value, Enum):
                data[key] = value.value
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Alert:
        values = dict(data)
        values["rule"] = ProblemKind(values["rule"])
        values["severity"] = Severity(values["severity"])
        for key in ("opened_at", "since", "resolved_at", "last_success"):
            if values.get(key):
                values[key] = datetime.fromisoformat(values[key])
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in known})


@dataclass(frozen=True)
class AlertChange:
    """One transition of one alert, as subscribers (outbox, UI, --json) receive it."""

    transition: Transition
    alert: Alert
    at: datetime
    #: Raised from the state found at start (a failure that happened before we watched), not a live change.
    initial: bool = False


RULE_TITLES: dict[ProblemKind, str] = {
    ProblemKind.FAILED: "failed",
    ProblemKind.STALLED: "stalled",
    ProblemKind.SLOW: "slow",
    ProblemKind.STALE: "stale",
    ProblemKind.AUTO_DISABLE_RISK: "auto-disable risk",
    ProblemKind.ROWS_REJECTED: "rows rejected",
    ProblemKind.API_UNHEALTHY: "API unhealthy",
}


def short_duration(delta: timedelta) -> str:
    """`3d 4h`, `2h 05m`, `12 min`, `40 s`: compact, for one-line messages."""
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h"


def headline(change: AlertChange) -> str:
    """One line for stderr, the Alerts screen and a notification title."""
    alert = change.alert
    who = alert.connection_name or alert.provider
    rule = RULE_TITLES[alert.rule]
    if change.transition is Transition.RESOLVED:
        return f"RECOVERED {who}: {alert.resolution or rule} (after {short_duration(alert.duration(change.at))})"
    return f"{alert.severity.value.upper()} {who}: {rule} — {alert.summary}"


def body(change: AlertChange) -> str:
    """The notification text: the headline's details, counts, duration and the link."""
    alert = change.alert
    lines = [alert.summary]
    if alert.connection_name:
        lines.append(f"connection: {alert.connection_name} ({alert.provider})")
    else:
        lines.append(f"provider: {alert.provider}")
    if alert.rule is ProblemKind.FAILED:
        lines.append(f"runs failed: {alert.count}")
    elif alert.count > 1:
        lines.append(f"count: {alert.count}")
    lines.append(f"duration: {short_duration(alert.duration(change.at))}")
    if change.transition is Transition.RESOLVED and alert.resolution:
        lines.append(f"resolved: {alert.resolution}")
    if alert.url:
        lines.append(alert.url)
    lines.append(f"alert id: {alert.id}")
    return "\n".join(lines)
