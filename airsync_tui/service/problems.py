"""What is wrong with a connection right now: the shared vocabulary of alerts and triage.

The rules engine (`airsync watch`, the Alerts screen) raises these; the triage
view (`airsync failures`, the Triage screen) groups them by cause. Keeping one
record type means both always agree on what counts as failing, stalled, stale
or at risk of auto-disable, and on since when.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from airsync_tui.models.domain import FailureInfo


class ProblemKind(str, Enum):
    FAILED = "failed"
    STALLED = "stalled"
    SLOW = "slow"
    STALE = "stale"
    AUTO_DISABLE_RISK = "auto_disable_risk"
    ROWS_REJECTED = "rows_rejected"
    API_UNHEALTHY = "api_unhealthy"


class Severity(str, Enum):
    CRITICAL = "critical"
    WARNING = "warning"


@dataclass(frozen=True)
class ConnectionProblem:
    """One open problem of one connection (or, for API_UNHEALTHY, of one provider).

    `connection_key` is `provider:connection_id` (None for provider-wide
    problems). `since` is when the problem began on the server's clock (start
    of the failure streak, last growth of counts, last success…).
    """

    kind: ProblemKind
    severity: Severity
    provider: str
    connection_key: str | None
    connection_name: str | None
    since: datetime | None
    summary: str
    job_key: str | None = None
    attempt_number: int | None = None
    failure: FailureInfo | None = None
    streak: int = 0
    last_success: datetime | None = None
    next_run: datetime | None = None
    failing_stream: str | None = None


_FAILURE_HEAD = re.compile(r"[a-z_]+")


def failure_from_line(text: str | None) -> FailureInfo | None:
    """A failure from its one-line form (`FailureInfo.summary()`: `origin · type: message`).

    Alerts and job rows carry the failure as that one line; triage needs its
    parts back to fingerprint the cause. Text that is not in that form is the
    message itself.
    """
    if not text:
        return None
    head, sep, message = text.partition(": ")
    parts = head.split(" · ") if sep else []
    if sep and 1 <= len(parts) <= 2 and all(_FAILURE_HEAD.fullmatch(p) for p in parts):
        return FailureInfo(origin=parts[0], type=parts[1] if len(parts) > 1 else None, message=message)
    return FailureInfo(message=text)


def failing_connections(problems: Iterable[ConnectionProblem]) -> frozenset[str]:
    """The connections that are *failing*: their failure streak is open.

    The one meaning of "failing" that the header, the Alerts screen and
    triage all count: the last finished job failed and no success has
    followed, even while a retry or the next run is already going (the
    header used to count only connections whose *latest* job had failed, so
    a connection retrying after a failure was "critical" on the Alerts screen
    but not "failed" in the header).
    """
    return frozenset(p.connection_key for p in problems if p.kind is ProblemKind.FAILED and p.connection_key is not None)
