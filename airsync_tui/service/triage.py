"""Triage: what is broken across the fleet, grouped by cause.

Three parts, all headless (no Textual):

* `fingerprint()` turns a failure (origin · type · message) into a stable key
  by masking what differs between occurrences of the same cause: UUIDs, ids,
  numbers, timestamps, host names, URLs, e-mail addresses and quoted values.
  "Incorrect username or password" on nine Snowflake connections is then one
  group with a count, not nine rows.
* `ProblemSource` is the small interface triage reads problems through.
  `EngineProblemSource` reads them from the rules engine (`service/rules/`):
  the SAME failed / stalled / stale / auto-disable-risk notions the Alerts
  screen and `airsync watch` raise, so triage and alerts cannot disagree.
  The dashboard hands in its engine; `airsync failures` builds one over its
  one-shot snapshot (`engine_from_snapshot`). Either way the only requests
  triage adds are at most ONE failure listing per provider, so its cost does
  not grow with the number of connections.
* `group_problems()` groups `ConnectionProblem`s by fingerprint with, per
  group and per connection, since-when, streak, last success, next run and
  the failing stream.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from airsync_tui.errors import AirsyncError
from airsync_tui.logs.fingerprint import normalise_message
from airsync_tui.models.domain import Connection, FailureInfo, Job
from airsync_tui.service.events import ConnectionsLoaded, JobUpdated
from airsync_tui.service.problems import (
    ConnectionProblem,
    ProblemKind,
    Severity,
    failure_from_line,
)
from airsync_tui.service.rules.engine import RulesEngine
from airsync_tui.service.rules.intervals import schedule_interval
from airsync_tui.service.rules.settings import WatchSettings

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
        head = " · ".join(part for part in (self.origin, self.type) if part and part != "-")
        return f"{head}: {self.pattern}" if head and self.pattern else head or self.pattern or "unknown"


def fingerprint(origin: str | None, failure_type: str | None, message: str | None) -> Fingerprint:
    return Fingerprint(
        origin=(origin or "-").lower(),
        type=(failure_type or "-").lower(),
        pattern=normalise_message(message) or "(no message)",
    )


def problem_fingerprint(problem: ConnectionProblem) -> Fingerprint:
    """Failures group by their failure; other kinds by kind (all stale connections together)."""
    failure = problem.failure
    if failure is not None and (failure.message or failure.internal_message or failure.type):
        return fingerprint(failure.origin, failure.type, failure.message or failure.internal_message)
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


#: What triage lists (issue 11): the rules engine's other kinds (slow, rows
#: rejected, API unhealthy) stay on the Alerts screen only.
TRIAGE_KINDS = frozenset(
    {
        ProblemKind.FAILED,
        ProblemKind.STALLED,
        ProblemKind.STALE,
        ProblemKind.AUTO_DISABLE_RISK,
    }
)


def _start(job: Job) -> datetime | None:
    return job.started_at or job.created_at


def failure_from_job(job: Job) -> FailureInfo | None:
    """Best effort from a job's one-line error (`origin · type: message`, or just a message)."""
    return failure_from_line(job.error)


def next_run(connection: Connection | None, latest: Job | None, now: datetime) -> datetime | None:
    """Estimated next scheduled start: last start + interval (rolled forward to the future)."""
    if connection is None or latest is None or not connection.enabled:
        return None
    interval = schedule_interval(connection.schedule)
    start = _start(latest)
    if interval is None or interval.total_seconds() <= 0 or start is None:
        return None
    nxt = start + interval
    if nxt < now:
        nxt += interval * (int((now - nxt) / interval) + 1)
    return nxt


def until(moment: datetime | None, now: datetime) -> str:
    """A next run as the screen and `airsync failures` print it: `in 1h05m`, `in 7m`, `due`, `-`."""
    if moment is None:
        return "-"
    seconds = int((moment - now).total_seconds())
    if seconds <= 0:
        return "due"
    if seconds >= 3600:
        return f"in {seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"in {max(1, seconds // 60)}m"


def merge_connection_problems(
    problems: Iterable[ConnectionProblem],
) -> list[ConnectionProblem]:
    """One triage row per connection and cause.

    The engine raises `failed`, `auto_disable_risk` and (once the failures
    outlast twice the schedule) `stale` as separate alerts for one failing
    connection, each notifying on its own. Triage shows that connection once,
    in its failure's group (marked at risk when it is): its staleness is that
    failure, not a second cause.
    """
    failed: dict[str, ConnectionProblem] = {}
    risk: dict[str, ConnectionProblem] = {}
    rest: list[ConnectionProblem] = []
    for problem in problems:
        key = problem.connection_key
        if key is not None and problem.kind is ProblemKind.FAILED:
            failed[key] = problem
        elif key is not None and problem.kind is ProblemKind.AUTO_DISABLE_RISK:
            risk[key] = problem
        else:
            rest.append(problem)
    rest = [p for p in rest if not (p.kind is ProblemKind.STALE and p.connection_key in failed)]
    merged: list[ConnectionProblem] = []
    for key, problem in failed.items():
        at_risk = risk.pop(key, None)
        if at_risk is None:
            merged.append(problem)
            continue
        merged.append(
            replace(
                problem,
                kind=ProblemKind.AUTO_DISABLE_RISK,
                summary=f"{at_risk.summary} · {problem.summary}",
                streak=max(problem.streak, at_risk.streak),
                last_success=problem.last_success or at_risk.last_success,
            )
        )
    return merged + list(risk.values()) + rest


class EngineProblemSource:
    """Triage's problems ARE the rules engine's open problems (one notion, shared with alerts).

    `engine` is the session's `RulesEngine` (the dashboard's `app.alerts.engine`,
    or the one `airsync failures` builds over its snapshot). `providers`, when
    given, are asked once each per refresh (`FailureFeed.recent_failures`, ONE
    request per provider, whatever the number of connections) for the failures'
    full records, which add the failing stream and the exact origin/type.
    """

    def __init__(
        self,
        engine: RulesEngine,
        *,
        providers: Mapping[str, Any] | None = None,
        failure_limit: int = 200,
    ) -> None:
        self.engine = engine
        self.providers = providers or {}
        self.failure_limit = failure_limit

    async def _failures(self) -> dict[str, FailureInfo]:
        failures: dict[str, FailureInfo] = {}
        for name, provider in self.providers.items():
            if isinstance(provider, FailureFeed):
                try:
                    found = await provider.recent_failures(limit=self.failure_limit)
                except AirsyncError:
                    found = {}  # failure texts enrich; the problems stand without them
                failures.update({f"{name}:{job}": info for job, info in found.items()})
        return failures

    async def open_problems(self) -> list[ConnectionProblem]:
        engine = self.engine
        now = engine.clock()
        failures = await self._failures() if self.providers else {}
        out: list[ConnectionProblem] = []
        for problem in engine.open_problems():
            if problem.kind not in TRIAGE_KINDS or problem.connection_key is None:
                continue
            key = problem.connection_key
            failure = failures.get(problem.job_key or "") or problem.failure
            out.append(
                replace(
                    problem,
                    failure=failure,
                    failing_stream=failure.stream if failure else None,
                    last_success=problem.last_success or engine.last_success(key),
                    next_run=next_run(engine.connections.get(key), engine.latest_job(key), now),
                )
            )
        return merge_connection_problems(out)


def _job_moment(job: Job) -> datetime | None:
    """When the server last changed this job (what a one-shot snapshot can observe)."""
    return job.ended_at or job.updated_at or _start(job)


async def engine_from_snapshot(
    connections: Iterable[Connection],
    jobs: Iterable[Job],
    *,
    now: datetime,
    settings: WatchSettings | None = None,
) -> RulesEngine:
    """A rules engine judged once over a one-shot snapshot (`airsync failures`).

    Each connection's jobs are replayed oldest first as watcher events, so the
    engine rebuilds failure streaks, last successes and durations exactly as it
    does live. A running job is sampled at its server `updatedAt`: its counts
    have not grown since then at least, so "no progress for N" measured from
    there never overstates a stall. No history fetcher, no failure fetcher: no
    request at all (the cost is the snapshot the caller already paid for).
    """
    engine = RulesEngine(settings, clock=lambda: now)
    held = list(connections)
    for provider in dict.fromkeys(c.provider for c in held):
        engine.handle(
            ConnectionsLoaded(
                provider=provider,
                at=now,
                connections=tuple(c for c in held if c.provider == provider),
            )
        )
    ordered = sorted(
        jobs,
        key=lambda j: (
            (j.created_at or j.started_at or now).timestamp(),
            j.id.rjust(20, "0"),
        ),
    )
    for job in ordered:
        engine.handle(JobUpdated(provider=job.provider, at=_job_moment(job) or now, job=job))
    await engine.evaluate(now)
    return engine


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
        return Severity.CRITICAL if any(p.severity == Severity.CRITICAL for p in self.problems) else Severity.WARNING

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
        return tuple(sorted({p.failing_stream for p in self.problems if p.failing_stream}))

    @property
    def example(self) -> str:
        """One real message of the group (the newest), for the operator to read."""
        for problem in sorted(
            self.problems,
            key=lambda p: p.since.timestamp() if p.since else 0.0,
            reverse=True,
        ):
            if problem.failure is not None and (problem.failure.message or problem.failure.internal_message):
                return (problem.failure.message or problem.failure.internal_message or "").strip().splitlines()[0]
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
    connection_id = problem.connection_key.split(":", 1)[1] if problem.connection_key else None
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
    "FailureFeed",
    "Fingerprint",
    "EngineProblemSource",
    "ProblemGroup",
    "ProblemSource",
    "TRIAGE_KINDS",
    "engine_from_snapshot",
    "failure_from_job",
    "fingerprint",
    "merge_connection_problems",
    "next_run",
    "group_json",
    "group_problems",
    "normalise_message",
    "problem_fingerprint",
    "problem_json",
    "until",
]
