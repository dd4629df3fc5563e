"""The rules engine: each rule, failure streaks, recovery and restart semantics."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from airsync_tui.models.domain import Connection, Job, Progress, RowBreakdown, Schedule
from airsync_tui.providers.airbyte.statuses import airbyte_job_status
from airsync_tui.providers.hightouch.statuses import hightouch_run_status
from airsync_tui.service.events import (
    ApiHealthChanged,
    ConnectionsLoaded,
    HealthState,
    JobCreated,
    JobStatusChanged,
    JobUpdated,
    LatestJobs,
    ProgressUpdated,
)
from airsync_tui.service.local_state import open_state
from airsync_tui.service.problems import ProblemKind, Severity
from airsync_tui.service.rules.alerts import AlertChange, Transition
from airsync_tui.service.rules.engine import RulesEngine, p90
from airsync_tui.service.rules.settings import parse_watch_settings
from airsync_tui.service.rules.store import AlertStore, Target

T0 = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
CONN = Connection(
    provider="airbyte",
    id="c1",
    name="Stripe → BQ",
    schedule=Schedule(kind="basic", expression="Every 1 HOURS"),
)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def job(
    job_id: str,
    status: str,
    *,
    start: datetime,
    minutes: float = 5,
    error: str | None = None,
    conn: str = "c1",
) -> Job:
    st = airbyte_job_status(status)
    end = start + timedelta(minutes=minutes) if st.is_terminal else None
    return Job(
        provider="airbyte",
        id=job_id,
        connection_id=conn,
        status=st,
        created_at=start,
        started_at=start,
        updated_at=end or start,
        ended_at=end,
        duration=(end - start) if end else None,
        error=error,
        extra={"attempts": 3},
    )


def make(settings: dict | None = None, **kwargs: object) -> tuple[RulesEngine, list[AlertChange], Clock]:
    clock = Clock()
    engine = RulesEngine(
        parse_watch_settings(settings),
        clock=clock,
        job_link=lambda j, n: f"http://x/jobs/{j.id}/{n}",
        **kwargs,
    )  # type: ignore[arg-type]
    changes: list[AlertChange] = []
    engine.add_listener(changes.append)
    engine.handle(ConnectionsLoaded(provider="airbyte", connections=(CONN,), at=T0))
    return engine, changes, clock


def fail(
    engine: RulesEngine,
    job_id: str,
    at: datetime,
    error: str = "source · config_error: bad key",
) -> None:
    running = job(job_id, "running", start=at)
    engine.handle(JobCreated(provider="airbyte", job=running, at=at))
    done = job(job_id, "failed", start=at, error=error)
    engine.handle(
        JobStatusChanged(
            provider="airbyte",
            job=done,
            old=running.status,
            new=done.status,
            at=at + timedelta(minutes=5),
        )
    )


def succeed(engine: RulesEngine, job_id: str, at: datetime, minutes: float = 5) -> None:
    running = job(job_id, "running", start=at)
    engine.handle(JobCreated(provider="airbyte", job=running, at=at))
    done = job(job_id, "succeeded", start=at, minutes=minutes)
    engine.handle(
        JobStatusChanged(
            provider="airbyte",
            job=done,
            old=running.status,
            new=done.status,
            at=at + timedelta(minutes=minutes),
        )
    )


def test_failure_streak_opens_one_alert_then_recovers_with_duration_and_count() -> None:
    engine, changes, _ = make()
    fail(engine, "1", T0)
    fail(engine, "2", T0 + timedelta(hours=1))
    fail(engine, "3", T0 + timedelta(hours=2))
    opened = [c for c in changes if c.transition is Transition.OPENED]
    assert len(opened) == 1
    alert = opened[0].alert
    assert alert.id == "failed:airbyte:c1:1"
    assert alert.severity is Severity.CRITICAL
    assert alert.summary == "source · config_error: bad key"
    assert alert.url == "http://x/jobs/1/2"
    assert [c.transition for c in changes if c.alert.rule is ProblemKind.FAILED] == [
        Transition.OPENED,
        Transition.UPDATED,
        Transition.UPDATED,
    ]
    assert engine.open_alerts()[0].count == 3
    succeed(engine, "4", T0 + timedelta(hours=3))
    resolved = [c for c in changes if c.transition is Transition.RESOLVED]
    assert len(resolved) == 1
    assert resolved[0].alert.id == alert.id
    assert resolved[0].alert.resolution == "succeeded after 3 failed runs, broken for 3h 05m"
    assert engine.open_alerts() == []
    # A new failure after recovery is a new streak: a new alert with a new id.
    fail(engine, "5", T0 + timedelta(hours=4))
    assert [c.alert.id for c in changes if c.transition is Transition.OPENED][-1] == "failed:airbyte:c1:5"


def test_open_problems_share_the_triage_vocabulary() -> None:
    engine, _, _ = make()
    fail(engine, "1", T0)
    fail(engine, "2", T0 + timedelta(hours=1))
    [problem] = engine.open_problems()
    assert problem.kind is ProblemKind.FAILED
    assert problem.connection_key == "airbyte:c1"
    assert problem.connection_name == "Stripe → BQ"
    assert problem.streak == 2
    assert problem.since == T0
    # The failure's parts come back out of the alert's one line: triage fingerprints them.
    assert problem.failure is not None
    assert (problem.failure.origin, problem.failure.type, problem.failure.message) == (
        "source",
        "config_error",
        "bad key",
    )


def test_triage_groups_exactly_the_engines_open_alerts() -> None:
    """The Triage screen and `airsync failures` read this engine: same connections, same kinds."""
    import asyncio

    from airsync_tui.service.triage import (
        TRIAGE_KINDS,
        EngineProblemSource,
        group_problems,
    )

    engine, _, clock = make()
    other = Connection(provider="airbyte", id="c2", name="HubSpot → BQ")
    engine.handle(ConnectionsLoaded(provider="airbyte", connections=(other,), at=T0))
    fail(engine, "1", T0)
    running = job("3", "running", start=T0, conn="c2").model_copy(update={"records_synced": 10})
    engine.handle(JobCreated(provider="airbyte", job=running, at=T0))
    clock.now = T0 + timedelta(minutes=20)
    asyncio.run(engine.evaluate())
    alerted = {(a.connection_key, a.rule) for a in engine.open_alerts() if a.rule in TRIAGE_KINDS}
    assert alerted == {
        ("airbyte:c1", ProblemKind.FAILED),
        ("airbyte:c2", ProblemKind.STALLED),
    }
    groups = group_problems(asyncio.run(EngineProblemSource(engine).open_problems()))
    assert {(p.connection_key, p.kind) for g in groups for p in g.problems} == alerted
    assert {g.fingerprint.label() for g in groups} == {
        "source · config_error: bad key",
        "stalled: running job stopped making progress",
    }


def test_restart_restores_open_alert_and_store_refuses_duplicates(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = AlertStore(open_state(tmp_path / "state.sqlite3"))
    target = Target(id="t1", label="json://host/****")
    engine, _, _ = make()
    engine.add_listener(lambda c: store.record(c, [target], "title", "body"))
    fail(engine, "1", T0)
    assert len(store.rows()) == 1
    # Restart: a new engine from the store's open alerts sees the same failed job again at start.
    store2 = AlertStore(open_state(tmp_path / "state.sqlite3"))
    restored = store2.open_alerts()
    assert [a.id for a in restored] == ["failed:airbyte:c1:1"]
    engine2, changes2, _ = make(initial_alerts=restored)
    queued: list[int] = []
    engine2.add_listener(lambda c: queued.append(store2.record(c, [target], "title", "body")))
    engine2.handle(
        LatestJobs(
            provider="airbyte",
            jobs=(job("1", "failed", start=T0),),
            at=T0 + timedelta(hours=1),
        )
    )
    assert [c.transition for c in changes2] == []  # the same job: nothing new
    fail(engine2, "2", T0 + timedelta(hours=1))
    assert [c.transition for c in changes2] == [Transition.UPDATED]
    assert sum(queued) == 0 and len(store2.rows()) == 1
    succeed(engine2, "3", T0 + timedelta(hours=2))
    assert changes2[-1].transition is Transition.RESOLVED
    assert changes2[-1].alert.resolution == "succeeded after 2 failed runs, broken for 2h 05m"
    assert [r.transition for r in store2.rows()] == ["opened", "resolved"]
    # Re-deriving the same transition again (another restart) queues nothing.
    assert store2.record(changes2[-1], [target], "title", "body") == 0


async def test_failure_before_watch_started_alerts_once_and_history_refines_the_streak() -> None:
    history = [
        job("9", "failed", start=T0 - timedelta(hours=1)),
        job("8", "failed", start=T0 - timedelta(hours=2)),
        job("7", "succeeded", start=T0 - timedelta(hours=3)),
    ]
    calls: list[str] = []

    async def fetch(key: str) -> list[Job]:
        calls.append(key)
        return history

    engine, changes, _ = make(history=fetch, history_interval=0)
    engine.handle(LatestJobs(provider="airbyte", jobs=(history[0],), at=T0))
    assert [c.transition for c in changes] == [Transition.OPENED]
    await engine.evaluate(T0)
    assert calls == ["airbyte:c1"]
    failed = [c for c in changes if c.alert.rule is ProblemKind.FAILED]
    assert [c.transition for c in failed] == [Transition.OPENED, Transition.UPDATED]
    assert failed[-1].alert.count == 2
    assert failed[-1].alert.since == T0 - timedelta(hours=2)
    # The history also told when it last succeeded (00:05 − 3 h): hourly schedule → stale.
    stale = [c for c in changes if c.alert.rule is ProblemKind.STALE]
    assert [c.alert.since for c in stale] == [T0 - timedelta(hours=3) + timedelta(minutes=5)]
    await engine.evaluate(T0 + timedelta(seconds=5))
    assert calls == ["airbyte:c1"]  # cached: fetched once


async def test_a_history_fetch_cancelled_mid_request_is_asked_again() -> None:
    """The dashboard cancels an evaluation still running when the next one starts. A history fetch cut
    off that way used to leave the connection at "loading" for good: never asked again, so the stale
    rule (and the streak seen at start) stayed silent for it all session."""
    history = [
        job("9", "failed", start=T0 - timedelta(hours=1)),
        job("7", "succeeded", start=T0 - timedelta(hours=3)),
    ]
    calls: list[str] = []
    hold = asyncio.Event()

    async def fetch(key: str) -> list[Job]:
        calls.append(key)
        if len(calls) == 1:
            await hold.wait()  # the first request never answers: it is cancelled below
        return history

    engine, changes, _ = make(history=fetch, history_interval=0)
    engine.handle(LatestJobs(provider="airbyte", jobs=(history[0],), at=T0))
    first = asyncio.create_task(engine.evaluate(T0))
    while not calls:
        await asyncio.sleep(0)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    await engine.evaluate(T0 + timedelta(seconds=1))
    assert calls == ["airbyte:c1", "airbyte:c1"]  # asked again, and answered this time
    stale = [c for c in changes if c.alert.rule is ProblemKind.STALE]
    assert [c.alert.since for c in stale] == [T0 - timedelta(hours=3) + timedelta(minutes=5)]


def test_alert_on_start_false_stays_quiet_about_old_failures() -> None:
    engine, changes, _ = make({"alert_on_start": False})
    engine.handle(LatestJobs(provider="airbyte", jobs=(job("9", "failed", start=T0),), at=T0))
    assert changes == []


async def test_stalled_uses_the_rate_window_and_recovers_when_moving() -> None:
    engine, changes, _ = make({"rules": {"stalled": {"minutes": 10}}})
    running = job("1", "running", start=T0)
    engine.handle(JobCreated(provider="airbyte", job=running, at=T0))
    for minute, records in ((0, 100), (1, 200), (2, 200), (11, 200)):
        engine.handle(
            ProgressUpdated(
                provider="airbyte",
                job_key="airbyte:1",
                connection_key="airbyte:c1",
                progress=Progress(records_committed=records),
                at=T0 + timedelta(minutes=minute),
            )
        )
    await engine.evaluate(T0 + timedelta(minutes=10))
    assert changes == []  # last growth at minute 1: 9 min quiet
    await engine.evaluate(T0 + timedelta(minutes=11, seconds=30))
    [opened] = changes
    assert opened.alert.rule is ProblemKind.STALLED
    assert opened.alert.id == "stalled:airbyte:1"
    assert opened.alert.summary == "no progress for 10 min at 200 records"
    await engine.evaluate(T0 + timedelta(minutes=12))
    assert len(changes) == 1  # no repeat
    engine.handle(
        ProgressUpdated(
            provider="airbyte",
            job_key="airbyte:1",
            connection_key="airbyte:c1",
            progress=Progress(records_committed=300),
            at=T0 + timedelta(minutes=13),
        )
    )
    assert changes[-1].transition is Transition.RESOLVED
    assert changes[-1].alert.resolution == "moving again"


async def test_slow_needs_five_successes_and_fires_over_twice_the_p90() -> None:
    engine, changes, _ = make({"rules": {"stale": False}})
    start = T0
    for n in range(4):
        succeed(engine, f"s{n}", start + timedelta(hours=n), minutes=10)
    running = job("r1", "running", start=T0 + timedelta(hours=5))
    engine.handle(JobCreated(provider="airbyte", job=running, at=running.created_at))
    await engine.evaluate(T0 + timedelta(hours=6))
    assert [c for c in changes if c.alert.rule is ProblemKind.SLOW] == []  # only 4 samples
    engine.handle(
        JobStatusChanged(
            provider="airbyte",
            job=job("r1", "succeeded", start=running.created_at, minutes=12),
            old=running.status,
            new=airbyte_job_status("succeeded"),
            at=T0 + timedelta(hours=6),
        )
    )
    slow = job("r2", "running", start=T0 + timedelta(hours=7))
    engine.handle(JobCreated(provider="airbyte", job=slow, at=slow.created_at))
    await engine.evaluate(T0 + timedelta(hours=7, minutes=24))
    assert [c for c in changes if c.alert.rule is ProblemKind.SLOW] == []  # 24 min = 2 × p90 (12): not over
    await engine.evaluate(T0 + timedelta(hours=7, minutes=25))
    [opened] = [c for c in changes if c.alert.rule is ProblemKind.SLOW]
    assert "over 2× its p90 of 12 min (5 successful runs)" in opened.alert.summary
    engine.handle(
        JobStatusChanged(
            provider="airbyte",
            job=job("r2", "succeeded", start=slow.created_at, minutes=30),
            old=slow.status,
            new=airbyte_job_status("succeeded"),
            at=T0 + timedelta(hours=7, minutes=30),
        )
    )
    assert changes[-1].transition is Transition.RESOLVED and changes[-1].alert.rule is ProblemKind.SLOW


def test_p90_nearest_rank() -> None:
    assert p90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == 9
    assert p90([5]) == 5
    assert p90([]) is None


async def test_stale_against_basic_and_cron_schedules_manual_excluded() -> None:
    cron = Connection(
        provider="airbyte",
        id="c2",
        name="cron one",
        schedule=Schedule(kind="cron", expression="0 0 */6 * * ? UTC"),
    )
    manual = Connection(provider="airbyte", id="c3", name="manual one")
    engine, changes, _ = make()
    engine.handle(ConnectionsLoaded(provider="airbyte", connections=(CONN, cron, manual), at=T0))
    engine.handle(
        LatestJobs(
            provider="airbyte",
            at=T0,
            jobs=(
                job("1", "succeeded", start=T0),
                job("2", "succeeded", start=T0, conn="c2"),
                job("3", "succeeded", start=T0, conn="c3"),
            ),
        )
    )
    await engine.evaluate(T0 + timedelta(hours=2, minutes=5))  # hourly: limit 2 h after the 00:05 success
    assert changes == []
    await engine.evaluate(T0 + timedelta(hours=2, minutes=6))
    assert [c.alert.connection_key for c in changes] == ["airbyte:c1"]
    assert changes[0].alert.rule is ProblemKind.STALE
    # No age in the stored text (it went stale beside the live "For" column): the limit it passed.
    assert changes[0].alert.summary == "no successful sync for over 2h 00m (schedule: every hour)"
    assert changes[0].alert.since == T0 + timedelta(minutes=5)  # the age is read from here, live
    await engine.evaluate(T0 + timedelta(hours=12, minutes=6))
    assert [c.alert.connection_key for c in changes] == [
        "airbyte:c1",
        "airbyte:c2",
    ]  # 6 h cron: 12 h; manual never
    succeed(engine, "4", T0 + timedelta(hours=13))
    assert changes[-1].transition is Transition.RESOLVED and changes[-1].alert.connection_key == "airbyte:c1"


async def test_slow_rules_sweep_every_connection_every_ten_seconds_and_touched_ones_at_once() -> None:
    """Stale and auto-disable limits are hours and days: every connection is looked at once per
    `SWEEP_EVERY` (10 s), not every second (most of the idle CPU with 1,000 connections); a connection an
    event just changed is looked at in the very next evaluation, so its counts never lag its events."""
    engine, changes, _ = make()
    engine.handle(LatestJobs(provider="airbyte", at=T0, jobs=(job("1", "succeeded", start=T0),)))
    await engine.evaluate(T0 + timedelta(hours=2, minutes=5))  # a sweep; the limit is 02:05:00
    await engine.evaluate(T0 + timedelta(hours=2, minutes=5, seconds=5))  # past it, between sweeps
    assert changes == []
    await engine.evaluate(T0 + timedelta(hours=2, minutes=5, seconds=10))  # the next sweep
    assert [c.alert.rule for c in changes] == [ProblemKind.STALE]

    engine, changes, _ = make({"rules": {"failed": False, "stale": False}})
    for n in range(19):
        fail(engine, str(n), T0 + timedelta(minutes=10 * n))
    await engine.evaluate(T0 + timedelta(hours=4))  # a sweep: 19 failures, below the warning
    fail(engine, "19", T0 + timedelta(hours=4))
    await engine.evaluate(T0 + timedelta(hours=4, seconds=1))  # between sweeps, but this connection changed
    assert [(c.alert.rule, c.alert.count) for c in changes] == [(ProblemKind.AUTO_DISABLE_RISK, 20)]


async def test_stale_override_by_name_glob_and_switch_off() -> None:
    engine, changes, _ = make({"overrides": [{"match": {"name": "stripe*"}, "rules": {"stale": {"factor": 10}}}]})
    engine.handle(LatestJobs(provider="airbyte", at=T0, jobs=(job("1", "succeeded", start=T0),)))
    await engine.evaluate(T0 + timedelta(hours=5))
    assert changes == []
    engine2, changes2, _ = make({"rules": {"stale": False}})
    engine2.handle(LatestJobs(provider="airbyte", at=T0, jobs=(job("1", "succeeded", start=T0),)))
    await engine2.evaluate(T0 + timedelta(hours=50))
    assert changes2 == []


async def test_auto_disable_risk_warns_at_20_and_escalates_at_30() -> None:
    engine, changes, _ = make({"rules": {"failed": False, "stale": False}})
    for n in range(19):
        fail(engine, str(n), T0 + timedelta(minutes=10 * n))
    await engine.evaluate(T0 + timedelta(hours=4))
    assert changes == []
    fail(engine, "19", T0 + timedelta(hours=4))
    await engine.evaluate(T0 + timedelta(hours=4, minutes=10))
    [warn] = changes
    assert warn.alert.severity is Severity.WARNING and warn.alert.count == 20
    assert warn.alert.summary.startswith("approaching Airbyte's auto-disable: 20 consecutive failures")
    for n in range(20, 30):
        fail(engine, str(n), T0 + timedelta(hours=5, minutes=n))
    await engine.evaluate(T0 + timedelta(hours=6))
    opened = [c for c in changes if c.transition is Transition.OPENED]
    assert [a.alert.severity for a in opened] == [Severity.WARNING, Severity.CRITICAL]
    assert opened[-1].alert.summary.startswith("will be disabled by Airbyte: 30 consecutive failures")
    succeed(engine, "ok", T0 + timedelta(hours=7))
    assert engine.open_alerts() == []


async def test_auto_disable_risk_by_days_without_success() -> None:
    engine, changes, _ = make({"rules": {"failed": False, "stale": False}})
    succeed(engine, "0", T0 - timedelta(days=5))
    fail(engine, "1", T0)
    await engine.evaluate(T0)
    [warn] = changes
    assert "5.0 days without success" in warn.alert.summary


def test_rows_rejected_for_hightouch_warning_runs_above_threshold() -> None:
    engine, changes, _ = make({"rules": {"rows_rejected": {"threshold": 10}}})
    ht = Connection(provider="hightouch", id="s1", name="users → Salesforce")
    engine.handle(ConnectionsLoaded(provider="hightouch", connections=(ht,), at=T0))

    def run(run_id: str, failed: int, at: datetime) -> Job:
        return Job(
            provider="hightouch",
            id=run_id,
            connection_id="s1",
            status=hightouch_run_status("warning" if failed else "success"),
            created_at=at,
            ended_at=at + timedelta(minutes=1),
            row_breakdown=(RowBreakdown(label="failed", added=failed),),
        )

    engine.handle(JobCreated(provider="hightouch", job=run("1", 5, T0), at=T0))
    assert changes == []  # 5 ≤ threshold
    engine.handle(
        JobCreated(
            provider="hightouch",
            job=run("2", 500, T0 + timedelta(hours=1)),
            at=T0 + timedelta(hours=1),
        )
    )
    [opened] = changes
    assert opened.alert.rule is ProblemKind.ROWS_REJECTED and opened.alert.count == 500
    assert opened.alert.summary == "500 rows rejected by the destination"
    engine.handle(
        JobCreated(
            provider="hightouch",
            job=run("3", 0, T0 + timedelta(hours=2)),
            at=T0 + timedelta(hours=2),
        )
    )
    assert changes[-1].transition is Transition.RESOLVED


async def test_api_unhealthy_for_n_minutes_alerts_once_then_recovers() -> None:
    engine, changes, _ = make({"rules": {"api_unhealthy": {"minutes": 3}}})
    engine.handle(
        ApiHealthChanged(
            provider="airbyte",
            state=HealthState.UNREACHABLE,
            message="connection refused",
            at=T0,
        )
    )
    engine.handle(
        ApiHealthChanged(
            provider="airbyte",
            state=HealthState.RETRYING,
            message="connection refused",
            at=T0 + timedelta(minutes=1),
        )
    )
    await engine.evaluate(T0 + timedelta(minutes=2))
    assert changes == []
    await engine.evaluate(T0 + timedelta(minutes=3))
    await engine.evaluate(T0 + timedelta(minutes=4))
    [opened] = changes
    assert opened.alert.severity is Severity.CRITICAL and opened.alert.connection_key is None
    assert opened.alert.summary == "API unreachable for 3 min · connection refused"
    engine.handle(ApiHealthChanged(provider="airbyte", state=HealthState.OK, at=T0 + timedelta(minutes=6)))
    assert changes[-1].transition is Transition.RESOLVED
    assert changes[-1].alert.duration(changes[-1].at) == timedelta(minutes=6)


def test_bad_rule_config_is_one_line() -> None:
    from airsync_tui.errors import ConfigError

    with pytest.raises(ConfigError, match=r"unknown rule 'stuck'"):
        parse_watch_settings({"rules": {"stuck": {"minutes": 3}}})
    with pytest.raises(ConfigError, match=r"stalled.minutes must be a non-negative number"):
        parse_watch_settings({"rules": {"stalled": {"minutes": "ten"}}})


async def test_failure_waiting_for_its_reason_counts_as_failing_at_once() -> None:
    """At start, a failed job without an error text waits for its reason (fetched at the next tick);
    the header's failing count must include it meanwhile, and drop it once a success follows."""
    fetched: list[str] = []

    async def reason(failed: Job) -> str | None:
        fetched.append(failed.id)
        return "source · config_error: bad key"

    second = CONN.model_copy(update={"id": "c2", "name": "Shopify → BQ"})
    engine, changes, _ = make(failure_detail=reason)
    engine.handle(ConnectionsLoaded(provider="airbyte", connections=(CONN, second), at=T0))
    engine.handle(
        LatestJobs(
            provider="airbyte",
            jobs=(job("9", "failed", start=T0 - timedelta(hours=1)), job("5", "failed", start=T0 - timedelta(hours=1), conn="c2")),
            at=T0,
        )
    )
    assert changes == []  # no alert without its reason yet
    assert engine.failing() == frozenset({"airbyte:c1", "airbyte:c2"})
    assert engine.failing() == frozenset({"airbyte:c1", "airbyte:c2"})
    running = job("6", "running", start=T0, conn="c2")
    engine.handle(JobCreated(provider="airbyte", job=running, at=T0))
    done = job("6", "succeeded", start=T0, conn="c2")
    engine.handle(JobStatusChanged(provider="airbyte", job=done, old=running.status, new=done.status, at=T0 + timedelta(minutes=5)))
    assert "airbyte:c2" not in engine.failing()  # its streak ended before its reason was fetched
    assert "airbyte:c1" in engine.failing()


async def test_reasons_of_failures_found_at_start_are_fetched_together() -> None:
    """Many connections failing at start: their reasons come in one tick (bounded), not one per tick."""
    from airsync_tui.service.rules.engine import START_REASONS_PER_TICK

    in_flight = 0
    most = 0

    async def reason(failed: Job) -> str | None:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0)
        in_flight -= 1
        return f"source · config_error: bad key {failed.id}"

    count = START_REASONS_PER_TICK + 2
    conns = tuple(CONN.model_copy(update={"id": f"c{n}", "name": f"conn {n}"}) for n in range(count))
    engine, changes, _ = make(failure_detail=reason)
    engine.handle(ConnectionsLoaded(provider="airbyte", connections=conns, at=T0))
    failed = tuple(job(str(100 + n), "failed", start=T0 - timedelta(hours=1), conn=f"c{n}") for n in range(count))
    engine.handle(LatestJobs(provider="airbyte", jobs=failed, at=T0))
    await engine.evaluate(T0)
    opened = [c for c in changes if c.alert.rule is ProblemKind.FAILED and c.transition is Transition.OPENED]
    assert len(opened) == START_REASONS_PER_TICK
    assert most == START_REASONS_PER_TICK  # fetched concurrently
    await engine.evaluate(T0)
    opened = [c for c in changes if c.alert.rule is ProblemKind.FAILED and c.transition is Transition.OPENED]
    assert len(opened) == count
    assert {c.alert.summary for c in opened} == {f"source · config_error: bad key {n}" for n in range(100, 100 + count)}
    assert engine.failing() == frozenset(f"airbyte:c{n}" for n in range(count))


async def test_a_success_learned_late_and_already_too_old_keeps_the_stale_alert_open() -> None:
    """A stale alert is resolved by a success that ends the staleness, not by any success.

    Before: a success learned late (older than the limit when seen) resolved the alert, "a sync
    succeeded", and the next evaluation re-opened it a second later, "no successful sync for over 2h".
    """
    engine, changes, _ = make()
    engine.handle(ConnectionsLoaded(provider="airbyte", connections=(CONN,), at=T0))
    engine.handle(LatestJobs(provider="airbyte", at=T0, jobs=(job("1", "succeeded", start=T0),)))
    await engine.evaluate(T0 + timedelta(hours=6))
    assert [(c.transition, c.alert.rule) for c in changes] == [(Transition.OPENED, ProblemKind.STALE)]
    late = job("2", "succeeded", start=T0 + timedelta(hours=1))  # ended 01:05, seen at 06:00
    engine.handle(JobUpdated(provider="airbyte", job=late, at=T0 + timedelta(hours=6)))
    await engine.evaluate(T0 + timedelta(hours=6, seconds=10))
    assert [c.transition for c in changes] == [Transition.OPENED, Transition.UPDATED]
    assert changes[-1].alert.since == T0 + timedelta(hours=1, minutes=5)  # the age counts from the newer success
    succeed(engine, "3", T0 + timedelta(hours=6, minutes=1))  # a success that ends it
    assert changes[-1].transition is Transition.RESOLVED and changes[-1].alert.rule is ProblemKind.STALE
