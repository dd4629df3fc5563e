"""In-memory records of the simulated Airbyte: connections, jobs, attempts and their plans.

A job's whole future is decided when it is created (its `JobPlan`), from an RNG
seeded by (world seed, job id). The ticker then only *applies* the planned
transitions when virtual time reaches them, and stats/logs are pure functions of
(plan, virtual time). That keeps the emulator deterministic for a given seed,
cheap for 100k jobs (nothing per-record is stored), and lets live counters grow
smoothly between ticks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from airsync_tui.emulator.airbyte.catalog import FailureTemplate, StreamSpec

if TYPE_CHECKING:
    from airsync_tui.emulator.airbyte.logs import LogLine  # logs imports this module

TERMINAL_STATUSES = frozenset({"succeeded", "failed", "cancelled"})
ACTIVE_STATUSES = frozenset({"pending", "queued", "running", "incomplete"})
CONFIG_TYPE_BY_JOB_TYPE = {"sync": "sync", "reset": "reset_connection", "clear": "clear", "refresh": "refresh"}
JOB_TYPE_BY_CONFIG_TYPE = {v: k for k, v in CONFIG_TYPE_BY_JOB_TYPE.items()}


@dataclass(slots=True)
class Connection:
    connection_id: str
    workspace_id: str
    source_id: str
    destination_id: str
    name: str
    source_name: str
    destination_name: str
    status: str
    schedule_kind: str
    schedule_expression: str | None
    streams: tuple[StreamSpec, ...]
    created_at: int
    log_format: str
    emits_estimates: bool
    typical_duration_s: float
    flakiness: float
    prefix: str | None
    tag_names: tuple[str, ...]
    index: int
    job_ids: list[int] = field(default_factory=list)
    active_job_id: int | None = None
    next_fire_at: float | None = None
    #: Which server version's legacy line shape `logLines` use ("2024",
    #: "2023", "2022"; see logs.LEGACY_ERAS). Only for log_format "formatted".
    log_era: str = "2024"
    #: Serve this connection's config bodies as older servers did: attempts
    #: without `id`, failure reasons without `timestamp` (both spec-required).
    omits_required: bool = False


@dataclass(slots=True)
class AttemptPlan:
    """What one attempt will do: when it starts/ends, how far it gets, and how it fails."""

    start: float
    end: float
    succeeds: bool
    volume: float  # fraction of the job's records processed by the end of the attempt
    failure: FailureTemplate | None
    failure_stream: str | None = None


@dataclass(slots=True)
class JobPlan:
    """Per-stream record targets and the attempt schedule, fixed at job creation."""

    targets: tuple[int, ...]
    bytes_per_record: tuple[int, ...]
    speeds: tuple[float, ...]  # >= 1: a stream finishes when overall progress reaches 1/speed
    estimates: tuple[int | None, ...]
    attempts: list[AttemptPlan]


@dataclass(slots=True)
class Attempt:
    number: int
    plan: AttemptPlan
    status: str
    created_at: float
    ended_at: float | None = None
    failure: FailureTemplate | None = None
    failure_stream: str | None = None
    log_script: list[LogLine] | None = None  # built lazily by the log generator


@dataclass(slots=True)
class Job:
    job_id: int
    connection: Connection
    job_type: str
    created_at: float
    updated_at: float
    status: str
    plan: JobPlan
    attempts: list[Attempt] = field(default_factory=list)
    started_at: float | None = None
    next_step: int = 0  # index into the flattened (start, end) step list of plan.attempts
    big_log: bool = False
    #: Per-stream refresh/clear scope (stream names); None = every stream of the connection.
    stream_scope: tuple[str, ...] | None = None
    refresh_mode: str | None = None  # "Truncate" | "Merge" for config-API refreshes

    @property
    def config_type(self) -> str:
        return CONFIG_TYPE_BY_JOB_TYPE[self.job_type]

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    def next_step_time(self) -> float | None:
        """Virtual time of the next planned transition, or None if nothing is left."""
        if self.is_terminal or self.next_step >= 2 * len(self.plan.attempts):
            return None
        attempt_plan = self.plan.attempts[self.next_step // 2]
        return attempt_plan.start if self.next_step % 2 == 0 else attempt_plan.end


@dataclass(frozen=True, slots=True)
class StreamProgress:
    name: str
    namespace: str | None
    records_emitted: int
    bytes_emitted: int
    records_committed: int
    bytes_committed: int
    estimated_records: int | None
    estimated_bytes: int | None
    state_messages: int


def attempt_fraction(attempt: Attempt, now: float) -> float:
    """Overall progress of an attempt in [0, plan.volume] at virtual time `now`."""
    plan = attempt.plan
    until = now if attempt.ended_at is None else min(now, attempt.ended_at)
    span = max(plan.end - plan.start, 1e-9)
    elapsed = min(max((until - plan.start) / span, 0.0), 1.0)
    return elapsed * plan.volume


#: Committed counts move at checkpoints: every tenth of the work, each attempt offset by this much more.
CHECKPOINT_EVERY = 0.1
CHECKPOINT_PHASE = 0.037


def stream_progress(job: Job, attempt: Attempt, now: float) -> list[StreamProgress]:
    """Per-stream counters of one attempt. Committed lags emitted by checkpoint (every 10 %).

    Each attempt's checkpoints sit at its own offset: with the same grid for every attempt, two
    retries that failed in the same tenth of the work reported the very same committed count and
    bytes, which reads like a copy bug on the job panel, not like two tries.
    """
    fraction = attempt_fraction(attempt, now)
    finished_ok = attempt.status == "succeeded"
    phase = (attempt.number * CHECKPOINT_PHASE) % CHECKPOINT_EVERY
    committed_fraction = fraction if finished_ok else max(0.0, math.floor((fraction - phase) / CHECKPOINT_EVERY) * CHECKPOINT_EVERY + phase)
    plan = job.plan
    result: list[StreamProgress] = []
    for spec, target, bpr, speed, estimate in zip(
        job.connection.streams, plan.targets, plan.bytes_per_record, plan.speeds, plan.estimates, strict=True
    ):
        emitted = int(target * min(1.0, fraction * speed))
        committed = int(target * min(1.0, committed_fraction * speed))
        result.append(
            StreamProgress(
                name=spec.name,
                namespace=spec.namespace,
                records_emitted=emitted,
                bytes_emitted=emitted * bpr,
                records_committed=committed,
                bytes_committed=committed * bpr,
                estimated_records=estimate,
                estimated_bytes=None if estimate is None else estimate * bpr,
                state_messages=committed // 5000 + (1 if committed else 0),
            )
        )
    return result
