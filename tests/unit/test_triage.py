"""Triage: fingerprints on real Airbyte failure texts, problems from the rules engine, grouping.

Triage has no problem derivation of its own: these tests build the rules
engine over a snapshot (as `airsync failures` does) and check that what
triage lists is exactly what the engine's alerts say, with issue 10's
thresholds (auto-disable warn 20 / 4 days, disable 30 / 7 days; stalled after
15 min without growth of the counts).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from airsync_tui.models.domain import Connection, FailureInfo, Job, Schedule
from airsync_tui.models.jobview import STALL_AFTER
from airsync_tui.models.rate import STALL_ALERT_AFTER, STALL_DISPLAY_AFTER
from airsync_tui.providers.airbyte.statuses import airbyte_job_status
from airsync_tui.service.problems import ConnectionProblem, ProblemKind, Severity
from airsync_tui.service.rules.engine import RulesEngine
from airsync_tui.service.rules.intervals import schedule_interval
from airsync_tui.service.rules.settings import WatchSettings
from airsync_tui.service.triage import (
    TRIAGE_KINDS,
    EngineProblemSource,
    engine_from_snapshot,
    failure_from_job,
    fingerprint,
    group_json,
    group_problems,
    normalise_message,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

# Real failure texts (Airbyte platform FailureHelper, Snowflake JDBC, Airbyte issues #4236 / Spider2#107).
SNOWFLAKE_AUTH_A = "Failed to connect to DB: RSRSBDK-YDB67606.snowflakecomputing.com:443. Incorrect username or password was specified."
SNOWFLAKE_AUTH_B = "Failed to connect to DB: ab12345.eu-west-1.snowflakecomputing.com:443. Incorrect username or password was specified."
SCHEMA_A = "Schema 'KAVACH_DB.ML' does not exist or not authorized."
SCHEMA_B = "Schema 'ANALYTICS.RAW_STRIPE' does not exist or not authorized."
SOURCE_GENERIC = "Something went wrong within the source connector"
DEST_GENERIC = "Something went wrong within the destination connector"
EXIT_CODE = "Source process exited with non-zero exit code 1"
HTTP_429_A = "Request to https://api.stripe.com/v1/charges?limit=100 failed with status code 429 and error message Too Many Requests"
HTTP_429_B = "Request to https://api.hubapi.com/crm/v3/objects/contacts failed with status code 429 and error message Too Many Requests"
WITH_IDS = "Job 4073 attempt 2 for connection 9f1c2a7e-51d3-4b8e-9a51-2f1e0e6b7c11 failed at 2026-11-30T03:00:27Z after 3600 seconds"
WITH_IDS_B = "Job 98 attempt 0 for connection 0b1e2c3d-4f50-4a6b-8c7d-9e0f1a2b3c4d failed at 2026-12-01 11:02:03 after 12 seconds"


def test_same_cause_on_different_hosts_and_accounts_shares_a_fingerprint() -> None:
    a = fingerprint("destination", "config_error", SNOWFLAKE_AUTH_A)
    b = fingerprint("destination", "config_error", SNOWFLAKE_AUTH_B)
    assert a.key == b.key and a.id == b.id
    assert "<host>" in a.pattern and "Incorrect username or password was specified" in a.pattern
    assert "RSRSBDK" not in a.pattern


def test_quoted_values_urls_ids_and_timestamps_are_masked() -> None:
    assert normalise_message(SCHEMA_A) == normalise_message(SCHEMA_B) == "Schema <q> does not exist or not authorized."
    assert normalise_message(HTTP_429_A) == normalise_message(HTTP_429_B)
    assert "stripe" not in normalise_message(HTTP_429_A)
    masked = normalise_message(WITH_IDS)
    assert masked == normalise_message(WITH_IDS_B)
    assert masked == "Job <n> attempt <n> for connection <uuid> failed at <ts> after <n> seconds"


def test_different_causes_stay_apart() -> None:
    src = fingerprint("source", "system_error", SOURCE_GENERIC)
    dst = fingerprint("destination", "system_error", DEST_GENERIC)
    assert src.key != dst.key
    # Same text, different origin or type: different cause.
    assert fingerprint("source", "config_error", EXIT_CODE).key != fingerprint("source", "system_error", EXIT_CODE).key
    assert fingerprint("destination", "config_error", SCHEMA_A).key != fingerprint("destination", "config_error", SNOWFLAKE_AUTH_A).key


def test_only_the_first_line_counts_and_whitespace_is_collapsed() -> None:
    text = "SQL compilation error:\nObject 'AIRBYTE_RAW.ORDERS' does not exist\n\tat net.snowflake..."
    assert normalise_message(text) == "SQL compilation error:"
    assert normalise_message("  a   b\t c ") == "a b c"
    assert normalise_message(None) == "" and normalise_message("") == ""


def test_failure_from_job_splits_origin_type_and_message() -> None:
    job = _job("1", "c1", "failed", NOW, error="source · config_error: Invalid credentials")
    info = failure_from_job(job)
    assert info == FailureInfo(origin="source", type="config_error", message="Invalid credentials")
    plain = failure_from_job(_job("2", "c1", "failed", NOW, error="Query failed: column 'x' not found"))
    assert plain == FailureInfo(message="Query failed: column 'x' not found")


def _conn(cid: str, name: str, *, schedule: Schedule | None = None, enabled: bool = True) -> Connection:
    return Connection(
        provider="airbyte",
        id=cid,
        name=name,
        schedule=schedule or Schedule(),
        enabled=enabled,
        status="active" if enabled else "inactive",
        created_at=NOW - timedelta(days=60),
    )


def _job(
    jid: str,
    cid: str,
    status: str,
    at: datetime,
    *,
    error: str | None = None,
    attempts: int = 3,
    updated: datetime | None = None,
) -> Job:
    return Job(
        provider="airbyte",
        id=jid,
        connection_id=cid,
        status=airbyte_job_status(status),
        created_at=at,
        started_at=at,
        updated_at=updated or at + timedelta(minutes=5),
        ended_at=None if status in ("running", "pending") else at + timedelta(minutes=5),
        error=error,
        extra={"attempts": attempts},
    )


def _triage(conns: dict[str, Connection], jobs: list[Job], provider: object | None = None) -> tuple[list[ConnectionProblem], RulesEngine]:
    """Triage's problems the way `airsync failures` gets them: the rules engine over a snapshot."""

    async def run() -> tuple[list[ConnectionProblem], RulesEngine]:
        engine = await engine_from_snapshot(conns.values(), jobs, now=NOW)
        source = EngineProblemSource(engine, providers={"airbyte": provider} if provider else None)
        return await source.open_problems(), engine

    return asyncio.run(run())


def _alerted(engine: RulesEngine) -> set[tuple[str | None, ProblemKind]]:
    return {(a.connection_name, a.rule) for a in engine.open_alerts() if a.rule in TRIAGE_KINDS}


def test_failed_streak_since_last_success_and_next_run() -> None:
    hourly = Schedule(kind="basic", expression="every 1 hours")
    conns = {c.key: c for c in [_conn("c1", "Stripe → Snowflake", schedule=hourly)]}
    jobs = [
        _job("10", "c1", "succeeded", NOW - timedelta(hours=5)),
        _job("11", "c1", "failed", NOW - timedelta(hours=4)),
        _job("12", "c1", "cancelled", NOW - timedelta(hours=3)),
        _job("13", "c1", "failed", NOW - timedelta(hours=2)),
        _job(
            "14",
            "c1",
            "failed",
            NOW - timedelta(hours=1),
            error="destination · config_error: " + SNOWFLAKE_AUTH_A,
        ),
    ]
    (problem,), engine = _triage(conns, jobs)
    # Failing for 5 h on an hourly schedule: the engine also calls it stale;
    # triage shows the connection once, under its failure.
    assert _alerted(engine) == {
        ("Stripe → Snowflake", ProblemKind.FAILED),
        ("Stripe → Snowflake", ProblemKind.STALE),
    }
    assert problem.kind == ProblemKind.FAILED and problem.severity == Severity.CRITICAL
    assert problem.streak == 3  # the cancelled job neither breaks nor counts
    assert problem.since == NOW - timedelta(hours=4)
    assert problem.last_success == NOW - timedelta(hours=5) + timedelta(minutes=5)
    assert problem.next_run == NOW  # last start 1 h ago + every hour
    assert problem.job_key == "airbyte:14" and problem.attempt_number == 2
    assert problem.failure is not None and problem.failure.origin == "destination"


def test_failure_feed_beats_the_one_line_error_and_carries_the_stream() -> None:
    conns = {c.key: c for c in [_conn("c1", "A")]}
    jobs = [_job("14", "c1", "failed", NOW - timedelta(hours=1), error="something")]

    class Feed:
        async def recent_failures(self, *, limit: int = 200) -> dict[str, FailureInfo]:
            return {
                "14": FailureInfo(
                    origin="destination",
                    type="system_error",
                    message=SCHEMA_A,
                    stream="orders",
                )
            }

    (problem,), _ = _triage(conns, jobs, Feed())
    assert problem.failing_stream == "orders" and problem.failure is not None and problem.failure.message == SCHEMA_A


def test_recovered_connection_is_not_a_problem_and_stale_needs_a_schedule() -> None:
    conns = {
        c.key: c
        for c in [
            _conn(
                "ok",
                "Recovered",
                schedule=Schedule(kind="basic", expression="every 1 hours"),
            ),
            _conn(
                "stale",
                "Stale",
                schedule=Schedule(kind="basic", expression="every 1 hours"),
            ),
            _conn("manual", "Manual"),
            _conn(
                "off",
                "Disabled",
                schedule=Schedule(kind="basic", expression="every 1 hours"),
                enabled=False,
            ),
        ]
    }
    jobs = [
        _job("1", "ok", "failed", NOW - timedelta(hours=2)),
        _job("2", "ok", "succeeded", NOW - timedelta(hours=1)),
        _job("3", "stale", "succeeded", NOW - timedelta(hours=10)),
        _job("4", "manual", "succeeded", NOW - timedelta(days=30)),
        _job("5", "off", "succeeded", NOW - timedelta(days=30)),
    ]
    problems, engine = _triage(conns, jobs)
    assert [(p.connection_name, p.kind) for p in problems] == [("Stale", ProblemKind.STALE)]
    assert _alerted(engine) == {("Stale", ProblemKind.STALE)}
    # since = the last success (the engine's `stale` rule: 2× the interval without one).
    assert problems[0].since == NOW - timedelta(hours=10) + timedelta(minutes=5)


def _running(jid: str, cid: str, *, quiet: timedelta) -> Job:
    """A running job with counts, last changed on the server `quiet` ago."""
    return _job(jid, cid, "running", NOW - timedelta(hours=2), updated=NOW - quiet).model_copy(update={"records_synced": 1_000})


def test_stalled_is_the_rate_windows_notion_with_the_alert_threshold() -> None:
    conns = {c.key: c for c in [_conn("run", "Stuck"), _conn("slow", "Paused briefly")]}
    jobs = [
        _running("1", "run", quiet=timedelta(minutes=45)),
        # Not moving for 5 min: the job panel already says "no progress" (display
        # threshold), but no alert yet and so no triage row (alert threshold).
        _running("2", "slow", quiet=timedelta(minutes=5)),
    ]
    assert STALL_AFTER == STALL_DISPLAY_AFTER < timedelta(minutes=5) < STALL_ALERT_AFTER
    assert WatchSettings().for_connection(ProblemKind.STALLED, "airbyte", None).minutes == STALL_ALERT_AFTER.total_seconds() / 60
    problems, engine = _triage(conns, jobs)
    assert [(p.connection_name, p.kind) for p in problems] == [("Stuck", ProblemKind.STALLED)]
    assert _alerted(engine) == {("Stuck", ProblemKind.STALLED)}
    assert problems[0].since == NOW - timedelta(minutes=45)
    assert problems[0].summary == "no progress for 45 min at 1,000 records"


def test_auto_disable_risk_uses_airbytes_thresholds_and_merges_with_the_failure() -> None:
    conns = {
        c.key: c
        for c in [
            _conn("bad", "Failing for days"),
            _conn("many", "Twenty failures today"),
            _conn("few", "Three failures"),
        ]
    }
    jobs = [
        _job(
            str(100 + i),
            "bad",
            "failed",
            NOW - timedelta(days=8) + timedelta(hours=i),
            error="source · config_error: " + SNOWFLAKE_AUTH_A,
        )
        for i in range(5)
    ]
    jobs += [_job(str(200 + i), "many", "failed", NOW - timedelta(hours=20) + timedelta(minutes=30 * i)) for i in range(20)]
    jobs += [_job(str(300 + i), "few", "failed", NOW - timedelta(hours=3) + timedelta(hours=i)) for i in range(3)]
    problems, engine = _triage(conns, jobs)
    by_name = {p.connection_name: p for p in problems}
    assert len(problems) == 3  # one row per connection, not one per alert
    # 8 days without success: past the 7-day disable threshold.
    days = by_name["Failing for days"]
    assert days.kind == ProblemKind.AUTO_DISABLE_RISK
    assert days.severity == Severity.CRITICAL and days.streak == 5
    assert days.summary.startswith("will be disabled by Airbyte: 5 consecutive failures")
    assert days.failure is not None and days.failure.origin == "source"
    # 20 failures in a day: Airbyte's warning point (not 50 of 100).
    many = by_name["Twenty failures today"]
    assert many.kind == ProblemKind.AUTO_DISABLE_RISK and many.streak == 20
    assert many.summary.startswith("approaching Airbyte's auto-disable: 20 consecutive failures")
    assert by_name["Three failures"].kind == ProblemKind.FAILED
    # The Alerts screen shows the same verdicts (two alerts where triage shows one row).
    assert _alerted(engine) == {
        ("Failing for days", ProblemKind.FAILED),
        ("Failing for days", ProblemKind.AUTO_DISABLE_RISK),
        ("Twenty failures today", ProblemKind.FAILED),
        ("Twenty failures today", ProblemKind.AUTO_DISABLE_RISK),
        ("Three failures", ProblemKind.FAILED),
    }


def test_schedule_interval_reads_basic_and_common_crons() -> None:
    assert schedule_interval(Schedule(kind="basic", expression="every 24 hours")) == timedelta(days=1)
    assert schedule_interval(Schedule(kind="cron", expression="0 0 3 * * ? UTC")) == timedelta(days=1)
    assert schedule_interval(Schedule(kind="cron", expression="0 */15 * * * ?")) == timedelta(minutes=15)
    assert schedule_interval(Schedule()) is None


def _problem(
    name: str,
    message: str,
    since_hours: int,
    *,
    origin: str = "destination",
    stream: str | None = None,
) -> ConnectionProblem:
    return ConnectionProblem(
        kind=ProblemKind.FAILED,
        severity=Severity.CRITICAL,
        provider="airbyte",
        connection_key=f"airbyte:{name}",
        connection_name=name,
        since=NOW - timedelta(hours=since_hours),
        summary=message,
        failure=FailureInfo(origin=origin, type="config_error", message=message, stream=stream),
        streak=since_hours,
        failing_stream=stream,
    )


def test_grouping_counts_connections_per_cause_with_oldest_since() -> None:
    problems = [
        _problem("a", SNOWFLAKE_AUTH_A, 3),
        _problem("b", SNOWFLAKE_AUTH_B, 9),
        _problem("c", SCHEMA_A, 1, stream="orders"),
        _problem("d", SNOWFLAKE_AUTH_A.replace("RSRSBDK-YDB67606", "xy99887"), 2),
        ConnectionProblem(
            kind=ProblemKind.STALE,
            severity=Severity.WARNING,
            provider="hightouch",
            connection_key="hightouch:7",
            connection_name="ht",
            since=NOW,
            summary="stale",
        ),
        ConnectionProblem(
            kind=ProblemKind.API_UNHEALTHY,
            severity=Severity.WARNING,
            provider="hightouch",
            connection_key=None,
            connection_name=None,
            since=NOW,
            summary="api down",
        ),
    ]
    groups = group_problems(problems)
    assert [g.count for g in groups] == [3, 1, 1]
    auth = groups[0]
    assert [p.connection_name for p in auth.problems] == [
        "b",
        "a",
        "d",
    ]  # oldest streak first
    assert auth.since == NOW - timedelta(hours=9) and auth.streak == 9
    assert groups[1].streams == ("orders",)
    assert groups[2].kinds == (ProblemKind.STALE,)
    data = group_json(auth)
    assert data["count"] == 3 and data["origin"] == "destination" and data["type"] == "config_error"
    assert [(c["connectionId"], c["connectionName"]) for c in data["connections"]] == [
        ("b", "b"),
        ("a", "a"),
        ("d", "d"),
    ]
    assert data["example"] == SNOWFLAKE_AUTH_A.replace("RSRSBDK-YDB67606", "xy99887")


class _FeedProvider:
    name = "airbyte"

    def __init__(self) -> None:
        self.calls = 0

    async def recent_failures(self, *, limit: int = 200) -> dict[str, FailureInfo]:
        self.calls += 1
        return {
            str(i): FailureInfo(
                origin="source",
                type="config_error",
                message=f"Token for account {i} revoked",
            )
            for i in range(1000)
        }


def test_source_sends_one_failure_request_whatever_the_number_of_connections() -> None:
    for n in (5, 500):
        provider = _FeedProvider()
        conns = {c.key: c for c in (_conn(f"c{i}", f"conn {i}") for i in range(n))}
        jobs = [_job(str(i), f"c{i}", "failed", NOW - timedelta(hours=1)) for i in range(n)]
        problems, _ = _triage(conns, jobs, provider)
        assert provider.calls == 1  # the engine's snapshot replay itself asks nothing
        groups = group_problems(problems)
        assert len(groups) == 1 and groups[0].count == n
        assert groups[0].fingerprint.pattern == "Token for account <n> revoked"
