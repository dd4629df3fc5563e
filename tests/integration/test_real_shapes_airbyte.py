"""Airbyte answers in the shapes of older real servers, served over HTTP.

* legacy ``logLines`` of three server eras (2024 source words, 2023 ANSI
  levels and connector timestamps, 2022 plain) with stack traces joined
  into one element: every line keeps its timestamp, source and level;
* config bodies that omit spec-required fields (attempt ``id``, failure
  ``timestamp``): read when the meaning is clear, reported as missing.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator

import pytest

from airsync_tui.emulator.airbyte.logs import visible_lines
from airsync_tui.emulator.airbyte.model import Job
from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator
from airsync_tui.logs import Level, Source, parse_attempt
from airsync_tui.providers.airbyte import AirbyteProvider
from airsync_tui.providers.http import RetryPolicy
from tests.emulator_helpers import airbyte_settings, quiet_emulator

SOURCES = {
    "platform": Source.PLATFORM,
    "source": Source.SOURCE,
    "destination": Source.DESTINATION,
    "replication-orchestrator": Source.ORCHESTRATOR,
}
LEVELS = {
    "info": Level.INFO,
    "warn": Level.WARN,
    "error": Level.ERROR,
    "debug": Level.DEBUG,
    "trace": Level.TRACE,
}


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    yield from quiet_emulator(
        EmulatorOptions(
            seed=7,
            speed=1.0,
            big_log_lines=0,
            client_id="shapes-ab",
            client_secret="shapes-ab-secret",
        )
    )


def _provider(emu: RunningEmulator) -> AirbyteProvider:
    settings = airbyte_settings(emu, timeout=5.0, profile_name="test")
    return AirbyteProvider.from_settings(settings, policy=RetryPolicy(attempts=3, base_delay=0.05, max_delay=0.5))


def _failed_job(emu: RunningEmulator, name: str) -> Job:
    """The connection's newest job with a failed attempt; one is made when the seeded history has none."""
    world = emu.world
    connection = world.connection_by_name(name)

    def newest_failed() -> Job | None:
        jobs = [world.get_job(i) for i in connection.job_ids]
        return next(
            (j for j in reversed(jobs) if any(a.failure is not None and a.ended_at for a in j.attempts)),
            None,
        )

    found = newest_failed()
    if found is None:
        world.force_next_outcome(connection.connection_id, "fatal")
        job = world.create_job(connection.connection_id, "sync")
        for _ in range(200):  # virtual time: an hour a step, no waiting on the wall clock
            if world.get_job(job.job_id).status in ("failed", "succeeded", "cancelled"):
                break
            world.clock.advance(3600)
            world.tick()
        found = newest_failed()
    assert found is not None, f"no failed attempt for {name} even after forcing one"
    return found


@pytest.mark.parametrize(
    ("name", "era"),
    [
        ("Zendesk Support → Postgres", "2024"),
        ("MongoDB → S3", "2023"),
        ("MySQL → Redshift", "2022"),
    ],
)
async def test_legacy_eras_keep_timestamp_source_and_level(emu: RunningEmulator, name: str, era: str) -> None:
    connection = emu.world.connection_by_name(name)
    assert connection.log_format == "formatted" and connection.log_era == era
    job = next(emu.world.get_job(i) for i in reversed(connection.job_ids) if emu.world.get_job(i).is_terminal)
    attempt = job.attempts[-1]
    provider = _provider(emu)
    try:
        log = await provider.fetch_attempt_log(str(job.job_id), attempt.number)
    finally:
        await provider.aclose()
    assert log.raw_json is not None
    index = parse_attempt(log.raw_json).index
    script = visible_lines(job, attempt, emu.clock.now())
    expected: Counter[tuple[int, Source, Level]] = Counter()
    for line in script:
        source = line.source
        if era == "2022" and source == "replication-orchestrator":
            source = "platform"  # 2022 servers wrote the orchestrator's lines as the platform's
        stamp = int(attempt.plan.start + line.offset_s) * 1000
        level = LEVELS[line.level]
        if era == "2023" and source == "replication-orchestrator" and level is Level.INFO:
            level = Level.UNKNOWN  # that era wrote no level word there: none is invented
        expected[(stamp, SOURCES[source], level)] += 1 + (line.stack.count("\n") + 1 if line.stack else 0)
    assert index.record_count == len(script)
    got = Counter((index.timestamp(i), index.source(i), index.level(i)) for i in range(len(index)))
    assert got == expected


async def test_stack_traces_arrive_joined_and_stay_with_their_line(
    emu: RunningEmulator,
) -> None:
    job = _failed_job(emu, "MySQL → Redshift")
    attempt = next(a for a in job.attempts if a.failure is not None)
    provider = _provider(emu)
    try:
        log = await provider.fetch_attempt_log(str(job.job_id), attempt.number)
    finally:
        await provider.aclose()
    assert log.raw_json is not None
    index = parse_attempt(log.raw_json).index
    assert len(index) > index.record_count  # an element carried a multi-line trace
    traced = [i for i in range(len(index)) if index.line(i).lstrip().startswith("at ")]
    assert traced and all(index.level(i) is Level.ERROR and index.source(i) is not Source.UNKNOWN for i in traced)


async def test_bodies_without_attempt_id_and_failure_timestamp(
    emu: RunningEmulator,
) -> None:
    job = _failed_job(emu, "Postgres (orders) → Snowflake")
    connection = job.connection
    provider = _provider(emu)
    try:
        connection.omits_required = True
        detail = await provider.get_job_detail(str(job.job_id))
    finally:
        connection.omits_required = False
        await provider.aclose()
    assert [a.number for a in detail.attempts] == list(range(len(job.attempts)))
    assert all(a.missing == ("id",) for a in detail.attempts)
    failures = [f for a in detail.attempts for f in a.failures]
    assert failures and all(f.timestamp is None and f.missing == ("timestamp",) for f in failures)
    assert dataclasses.is_dataclass(job)
