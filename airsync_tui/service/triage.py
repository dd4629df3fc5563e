"""Triage: what is broken across the fleet, grouped by cause.

Three parts, all headless (no Textual):

* `fingerprint()` turns a failure (origin · type · message) into a stable key
  by masking what differs between occurrences of the same cause: UUIDs, ids,
  numbers, timestamps, host names, URLs, e-mail addresses and quoted values.
  "Incorrect username or password" on nine Snowflake connections is then one
  group with a count, not nine rows.
* `ProblemSource` is the small interface triage reads problems through.
  `SnapshotProblemSource` derives failed / stalled / stale / auto-disable-risk
  problems from state the watcher already holds (latest jobs, the recent-jobs
  window, schedules) plus at most ONE failure listing per provider, so its
  cost does not grow with the number of connections. The rules engine
  (`service/rules/`) can replace it later by implementing `open_problems()`.
* `group_problems()` groups `ConnectionProblem`s by fingerprint with, per
  group and per connection, since-when, streak, last success, next run and
  the failing stream.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from airsync_tui.errors import AirsyncError
from airsync_tui.logs.fingerprint import normalise_message
from airsync_tui.models.domain import Connection, FailureInfo, Job
from airsync_tui.service.problems import ConnectionProblem, ProblemKind, Severity

# --------------------------------------------------------------------------- fingerprints


@dataclass(frozen=True)
class Fingerprint:
    """A failure's cause: origin · type · normalised message, and a short stable id."""

    origin: str
    type: str
    pattern: str

    @property
    def key(self) -> str:
        return f"{self.origin}|{self.type}|{self.pattern.lower()}"

    @property
    def id(self) -> str:
        return hashlib.sha1(self.key.encode("utf-8")).hexdigest()[:10]

    def label(self) -> str:
        head = " · ".join(
            part for part in (self.origin, self.type) if part and part != "-"
        )
        return (
            f"{head}: {self.pattern}"
            if head and self.pattern
            else head or self.pattern or "unknown"
        )


def fingerprint(
    origin: str | None, failure_type: str | None, message: str | None
) -> Fingerprint:
    return Fingerprint(
        origin=(origin or "-").lower(),
        type=(failure_type or "-").lower(),
        pattern=normalise_message(message) or "(no message)",
    )


def problem_fingerprint(problem: ConnectionProblem) -> Fingerprint:
    """Failures group by their failure; other kinds by kind (all stale connections together)."""
    failure = problem.failure
    if failure is not None and (
        failure.message or failure.internal_message or failure.type
    ):
        return fingerprint(
            failure.origin, failure.type, failure.message or failure.internal_message
        )
    if problem.kind in (ProblemKind.FAILED, ProblemKind.AUTO_DISABLE_RISK):
        return fingerprint(None, None, None)
    return Fingerprint(
        origin=problem.kind.value,
        type="-",
        pattern=_KIND_TEXT.get(problem.kind, problem.kind.value),
    )


_KIND_TEXT = {
    ProblemKind.STALE: "no successful sync within its schedule",
    ProblemKind.STALLED: "running job stopped making progress",
    ProblemKind.SLOW: "running job slower than usual",
    ProblemKind.ROWS_REJECTED: "rows rejected",
    ProblemKind.API_UNHEALTHY: "provider API unhealthy",
}


# --------------------------------------------------------------------------- problem sources


@runtime_checkable
class ProblemSource(Protocol):
    """Anything that can list the fleet's open problems (this module's source, or the rules engine)."""

    async def open_problems(self) -> list[ConnectionProblem]: ...


@runtime_checkable
class FailureFeed(Protocol):
    """Optional provider capability: the newest failed jobs' failure reasons in ONE request.

    Returns `{job_id: FailureInfo}` for the last failed attempt of each.
    Providers whose jobs already carry their error text need not implement it.
    """

    async def recent_failures(self, *, limit: int = 200) -> dict[str, FailureInfo]: ...


#: Airbyte disables a connection after 100 consecutive failed jobs or 14 days
#: of only failures, and warns at half of either; we flag the warning point.
AUTO_DISABLE_FAILURES = 100
AUTO_DISABLE_DAYS = 14
_UNITS = {
    "minute": 60,
    "hour": 3600,
    "day": 86400,
    "week": 7 * 86400,
    "month": 30 * 86400,
}
_EVERY = re.compile(r"every\s+(\d+)\s+([a-z]+?)s?$", re.IGNORECASE)


def schedule_interval(connection: Connection) -> timedelta | None:
    """How often a connection runs by itself, when its schedule says so simply (basic; common crons)."""
    schedule = connection.schedule
    expr = (schedule.expression or "").strip()
    if schedule.kind.lower() in ("basic", "interval"):
        match = _EVERY.match(expr)
        if match and match.group(2).lower() in _UNITS:
            return timedelta(
                seconds=int(match.group(1)) * _UNITS[match.group(2).lower()]
            )
        return None
    if schedule.kind.lower() == "cron":
        described = schedule.describe()
        if described.startswith(("daily", "weekdays")):
            return timedelta(days=1)
        if described.startswith("hourly") or described == "every hour":
            return timedelta(hours=1)
        match = re.match(r"every (\d+) (minute|hour)s$", described)
        if match:
            return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])
        if re.match(r"(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)days at ", described):
            return timedelta(days=7)
    return None


@dataclass(frozen=True)
class FleetSnapshot:
    """What the watcher already holds: connections and the recent jobs (any order)."""

    connections: Mapping[str, Connection]
    jobs: Iterable[Job]
    now: datetime
    failures: Mapping[str, FailureInfo] = field(
        default_factory=dict
    )  # job key -> failure


def _start(job: Job) -> datetime | None:
    return job.started_at or job.created_at


def _sort_key(job: Job) -> tuple[float, str]:
    moment = job.created_at or job.started_at
    return (moment.timestamp() if moment else 0.0, job.id.rjust(20, "0"))


def failure_from_job(job: Job) -> FailureInfo | None:
    """Best effort from a job's one-line error (`origin · type: message`, or just a message)."""
    if not job.error:
        return None
    head, sep, message = job.error.partition(": ")
    parts = head.split(" · ") if sep else []
    if sep and 1 <= len(parts) <= 2 and all(re.fullmatch(r"[a-z_]+", p) for p in parts):
        return FailureInfo(
            origin=parts[0], type=parts[1] if len(parts) > 1 else None, message=message
        )
    return FailureInfo(message=job.error)


def derive_problems(
    snapshot: FleetSnapshot,
    *,
    stall_after: timedelta = timedelta(minutes=30),
    stale_factor: float = 3.0,
) -> list[ConnectionProblem]:
    """Failed / auto-disable risk / stalled / stale problems from a snapshot (pure, O(jobs))."""
    by_connection: dict[str, list[Job]] = {}
    for job in snapshot.jobs:
        by_connection.setdefault(job.connection_key, []).append(job)
    problems: list[ConnectionProblem] = []
    now = snapshot.now
    for key, held in by_connection.items():
        # Only connections with jobs in the window can show evidence of a problem,
        # so the pass costs O(held jobs), not O(connections).
        connection = snapshot.connections.get(key)
        if connection is None:
            continue
        jobs = sorted(held, key=_sort_key, reverse=True)
        terminal = [
            j
            for j in jobs
            if j.status.is_terminal and j.job_type in ("sync", "refresh", "full_resync")
        ] or [j for j in jobs if j.status.is_terminal]
        last_success = next((j for j in terminal if j.status.category.is_success), None)
        last_success_at = (
            (last_success.ended_at or last_success.updated_at or _start(last_success))
            if last_success
            else None
        )
        interval = schedule_interval(connection)
        next_run = _next_run(connection, jobs, interval, now)
        streak_jobs: list[Job] = []
        for job in terminal:
            if job.status.category.is_success:
                break
            if job.status.category.value == "failed":
                streak_jobs.append(job)
            elif job.status.category.value != "cancelled":
                break
        base: dict[str, Any] = {
            "provider": connection.provider,
            "connection_key": key,
            "connection_name": connection.name,
            "last_success": last_success_at,
            "next_run": next_run,
        }
        if streak_jobs and terminal and terminal[0] is streak_jobs[0]:
            latest = streak_jobs[0]
            failure = snapshot.failures.get(latest.key) or failure_from_job(latest)
            since = _start(streak_jobs[-1])
            streak = len(streak_jobs)
            days = (now - since).total_seconds() / 86400 if since else 0.0
            risk = connection.enabled and (
                streak >= AUTO_DISABLE_FAILURES // 2 or days >= AUTO_DISABLE_DAYS / 2
            )
            attempts = (
                latest.extra.get("attempts")
                if isinstance(latest.extra.get("attempts"), int)
                else None
            )
            summary = (
                failure.summary()
                if failure
                else (latest.error or f"{latest.job_type} failed")
            )
            if risk:
                summary = f"at risk of auto-disable ({streak} failures in a row, {days:.0f} days): {summary}"
            problems.append(
                ConnectionProblem(
                    kind=ProblemKind.AUTO_DISABLE_RISK if risk else ProblemKind.FAILED,
                    severity=Severity.CRITICAL,
                    since=since,
                    summary=summary,
                    job_key=latest.key,
                    attempt_number=(attempts - 1) if attempts else None,
                    failure=failure,
                    streak=streak,
                    failing_stream=failure.stream if failure else None,
                    **base,
                )
            )
            continue
        active = next((j for j in jobs if j.status.is_active), None)
        if active is not None:
            moved = active.updated_at or _start(active)
            if moved is not None and now - moved >= stall_after:
                problems.append(
                    ConnectionProblem(
                        kind=ProblemKind.STALLED,
                        severity=Severity.WARNING,
                        since=moved,
                        summary=f"{active.job_type} {active.id} has not moved since {moved:%Y-%m-%d %H:%M} UTC",
                        job_key=active.key,
                        **base,
                    )
                )
                continue
        if connection.enabled and interval is not None:
            # Evidence only: the last success we saw, else the oldest job we saw
            # (all unsuccessful since). A connection with no job in the window
            # may have succeeded just before it, so it is not called stale.
            oldest_seen = _start(terminal[-1]) if terminal else None
            reference = last_success_at or oldest_seen
            if reference is not None and now - reference > interval * stale_factor:
                problems.append(
                    ConnectionProblem(
                        kind=ProblemKind.STALE,
                        severity=Severity.WARNING,
                        since=reference + interval,
                        summary=f"no successful sync for {_span(now - reference)} (scheduled {connection.schedule.describe()})",
                        job_key=jobs[0].key if jobs else None,
                        **base,
                    )
                )
    return problems


def _next_run(
    connection: Connection,
    jobs: Sequence[Job],
    interval: timedelta | None,
    now: datetime,
) -> datetime | None:
    """Estimated next scheduled start: last start + interval (rolled forward to the future)."""
    if not connection.enabled or interval is None or interval.total_seconds() <= 0:
        return None
    starts = [s for s in (_start(j) for j in jobs) if s is not None]
    if not starts:
        return None
    nxt = max(starts) + interval
    if nxt < now:
        skipped = int((now - nxt) / interval) + 1
        nxt += interval * skipped
    return nxt


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds >= 86400:
        return f"{seconds // 86400}d {seconds % 86400 // 3600}h"
    if seconds >= 3600:
        return f"{seconds // 3600}h {seconds % 3600 // 60}m"
    return f"{seconds // 60}m"


class SnapshotProblemSource:
    """Problems from a watcher's state: no per-connection requests.

    `watcher` needs `connections`, `jobs`, `providers` (duck-typed, so tests
    and the CLI can hand in a plain holder). Per call it sends at most one
    `recent_failures` request per provider that offers it, whatever the
    number of connections.
    """

    def __init__(
        self, watcher: Any, *, clock: Any = None, failure_limit: int = 200
    ) -> None:
        self.watcher = watcher
        self._clock = clock
        self.failure_limit = failure_limit

    def _now(self) -> datetime:
        if self._clock is not None:
            now: datetime = self._clock()
            return now
        from airsync_tui.models.timeparse import utcnow

        return utcnow()

    async def open_problems(self) -> list[ConnectionProblem]:
        failures: dict[str, FailureInfo] = {}
        for name, provider in self.watcher.providers.items():
            if isinstance(provider, FailureFeed):
                try:
                    found = await provider.recent_failures(limit=self.failure_limit)
                except AirsyncError:
                    found = {}  # failure texts enrich; the problems stand without them
                failures.update(
                    {f"{name}:{job_id}": info for job_id, info in found.items()}
                )
        snapshot = FleetSnapshot(
            connections=dict(self.watcher.connections),
            jobs=list(self.watcher.jobs.values()),
            now=self._now(),
            failures=failures,
        )
        return derive_problems(snapshot)


# --------------------------------------------------------------------------- grouping


@dataclass(frozen=True)
class ProblemGroup:
    """Connections sharing one cause."""

    fingerprint: Fingerprint
    problems: tuple[ConnectionProblem, ...]

    @property
    def count(self) -> int:
        return len(self.problems)

    @property
    def kinds(self) -> tuple[ProblemKind, ...]:
        return tuple(dict.fromkeys(p.kind for p in self.problems))

    @property
    def severity(self) -> Severity:
        return (
            Severity.CRITICAL
            if any(p.severity == Severity.CRITICAL for p in self.problems)
            else Severity.WARNING
        )

    @property
    def since(self) -> datetime | None:
        moments = [p.since for p in self.problems if p.since is not None]
        return min(moments) if moments else None

    @property
    def streak(self) -> int:
        return max((p.streak for p in self.problems), default=0)

    @property
    def last_success(self) -> datetime | None:
        moments = [p.last_success for p in self.problems if p.last_success is not None]
        return max(moments) if moments else None

    @property
    def next_run(self) -> datetime | None:
        moments = [p.next_run for p in self.problems if p.next_run is not None]
        return min(moments) if moments else None

    @property
    def streams(self) -> tuple[str, ...]:
        return tuple(
            sorted({p.failing_stream for p in self.problems if p.failing_stream})
        )

    @property
    def example(self) -> str:
        """One real message of the group (the newest), for the operator to read."""
        for problem in sorted(
            self.problems,
            key=lambda p: p.since.timestamp() if p.since else 0.0,
            reverse=True,
        ):
            if problem.failure is not None and (
                problem.failure.message or problem.failure.internal_message
            ):
                return (
                    (problem.failure.message or problem.failure.internal_message or "")
                    .strip()
                    .splitlines()[0]
                )
        return self.problems[0].summary if self.problems else ""


def group_problems(problems: Iterable[ConnectionProblem]) -> list[ProblemGroup]:
    """Group by fingerprint; biggest and most severe groups first, connections oldest streak first."""
    buckets: dict[str, tuple[Fingerprint, list[ConnectionProblem]]] = {}
    for problem in problems:
        if problem.connection_key is None:
            continue
        fp = problem_fingerprint(problem)
        buckets.setdefault(fp.key, (fp, []))[1].append(problem)
    groups = [
        ProblemGroup(
            fp,
            tuple(
                sorted(
                    items,
                    key=lambda p: (
                        p.since.timestamp() if p.since else 0.0,
                        p.connection_name or "",
                    ),
                )
            ),
        )
        for fp, items in buckets.values()
    ]
    groups.sort(
        key=lambda g: (
            g.severity != Severity.CRITICAL,
            -g.count,
            g.since.timestamp() if g.since else 0.0,
        )
    )
    return groups


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def problem_json(problem: ConnectionProblem) -> dict[str, Any]:
    connection_id = (
        problem.connection_key.split(":", 1)[1] if problem.connection_key else None
    )
    failure = problem.failure
    return {
        "provider": problem.provider,
        "connectionId": connection_id,
        "connectionName": problem.connection_name,
        "kind": problem.kind.value,
        "severity": problem.severity.value,
        "since": _iso(problem.since),
        "streak": problem.streak,
        "lastSuccess": _iso(problem.last_success),
        "nextRun": _iso(problem.next_run),
        "failingStream": problem.failing_stream,
        "jobId": problem.job_key.split(":", 1)[1] if problem.job_key else None,
        "attemptNumber": problem.attempt_number,
        "summary": problem.summary,
        "failure": None
        if failure is None
        else {
            "origin": failure.origin,
            "type": failure.type,
            "message": failure.message,
            "retryable": failure.retryable,
            "stream": failure.stream,
        },
    }


def group_json(group: ProblemGroup) -> dict[str, Any]:
    fp = group.fingerprint
    return {
        "fingerprint": fp.id,
        "origin": None if fp.origin == "-" else fp.origin,
        "type": None if fp.type == "-" else fp.type,
        "pattern": fp.pattern,
        "example": group.example,
        "kinds": [k.value for k in group.kinds],
        "severity": group.severity.value,
        "count": group.count,
        "since": _iso(group.since),
        "streak": group.streak,
        "lastSuccess": _iso(group.last_success),
        "nextRun": _iso(group.next_run),
        "streams": list(group.streams),
        "connections": [problem_json(p) for p in group.problems],
    }


__all__ = [
    "AUTO_DISABLE_DAYS",
    "AUTO_DISABLE_FAILURES",
    "FailureFeed",
    "Fingerprint",
    "FleetSnapshot",
    "ProblemGroup",
    "ProblemSource",
    "SnapshotProblemSource",
    "derive_problems",
    "failure_from_job",
    "fingerprint",
    "group_json",
    "group_problems",
    "normalise_message",
    "problem_fingerprint",
    "problem_json",
    "schedule_interval",
]
