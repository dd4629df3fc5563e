"""The emulator's failure texts and logs match the connector that wrote them.

Before: a Snowflake destination threw `BigQueryException`, MongoDB → S3
logged a BigQuery exception, Postgres was "rate limited by Postgres API",
URLs used invented hosts (`api.zendesksupport.com`), and "Records read" in
the log did not match the attempt's stats; "Flushing 7023 records" followed
"Records read: 3,165" (a random batch size, not the stream's reads).
"""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from airsync_tui.emulator.airbyte.connector_texts import API_BASE, TOKEN_URL
from airsync_tui.emulator.airbyte.logs import (
    build_script,
    fill_failure_text,
    visible_lines,
)
from airsync_tui.emulator.airbyte.model import stream_progress
from airsync_tui.emulator.airbyte.world import AirbyteWorld
from airsync_tui.emulator.clock import VirtualClock

START = 1_772_400_000.0

#: Words that name one product: they may only appear when that product is
#: the connection's source or destination.
PRODUCT_MARKERS = {
    "BigQuery": ("BigQueryException", "com.google.cloud.bigquery"),
    "Snowflake": ("SnowflakeSQLException", "net.snowflake"),
    "Postgres": ("org.postgresql", "PSQLException"),
    "MySQL": ("com.mysql",),
    "MongoDB": ("com.mongodb",),
    "Redshift": ("com.amazon.redshift",),
    "S3": ("software.amazon.awssdk.services.s3",),
    "Databricks": ("[Databricks]",),
    "Kafka": ("org.apache.kafka",),
}
DB_SOURCES = {"Postgres", "MySQL", "MongoDB", "Kafka"}
KNOWN_HOSTS = {u.split("/")[2] for u in (*API_BASE.values(), *TOKEN_URL.values())}


def _worlds() -> list[AirbyteWorld]:
    clock = VirtualClock(1e-9, start=START)
    return [AirbyteWorld(clock, seed=seed, big_log_lines=0) for seed in (7, 8, 9)] + [
        AirbyteWorld(clock, seed=7, connections=120, big_log_lines=0, history_per_connection=6)
    ]


def _texts(world: AirbyteWorld):  # type: ignore[no-untyped-def]  # generator helper
    for job in world.jobs:
        for attempt in job.attempts:
            conn = job.connection
            failure = attempt.plan.failure
            parts = [line.message + "\n" + (line.stack or "") for line in build_script(job, attempt)]
            if failure is not None:
                stream = attempt.plan.failure_stream
                parts += [fill_failure_text(t, job, stream) for t in (failure.external, failure.internal, failure.stacktrace)]
            yield conn, "\n".join(parts)


@pytest.fixture(scope="module")
def worlds() -> list[AirbyteWorld]:
    return _worlds()


def test_exceptions_name_only_the_connections_own_products(
    worlds: list[AirbyteWorld],
) -> None:
    wrong: set[tuple[str, str]] = set()
    for world in worlds:
        for conn, text in _texts(world):
            involved = {conn.source_name, conn.destination_name}
            for product, markers in PRODUCT_MARKERS.items():
                if product not in involved and any(m in text for m in markers):
                    wrong.add((f"{conn.source_name} → {conn.destination_name}", product))
    assert wrong == set()


def test_databases_are_never_rate_limited_like_an_api(
    worlds: list[AirbyteWorld],
) -> None:
    offenders = {
        conn.source_name
        for world in worlds
        for conn, text in _texts(world)
        if conn.source_name in DB_SOURCES and re.search(r"Rate limit|HTTP 429|status code 429|Too Many Requests", text)
    }
    assert offenders == set()


def test_urls_use_real_api_hosts(worlds: list[AirbyteWorld]) -> None:
    hosts = {host for world in worlds for _conn, text in _texts(world) for host in re.findall(r"https?://([^/\s'\"]+)", text)}
    assert hosts and hosts <= KNOWN_HOSTS, hosts - KNOWN_HOSTS


def test_log_counts_agree_with_the_attempts_stats(worlds: list[AirbyteWorld]) -> None:
    checked = checked_failed = 0
    for job in worlds[0].jobs:
        for attempt in job.attempts:
            if attempt.ended_at is None:
                continue
            streams = stream_progress(job, attempt, attempt.ended_at)
            emitted = sum(s.records_emitted for s in streams)
            lines = [line.message for line in visible_lines(job, attempt, attempt.ended_at)]
            reads = [int(m.group(1).replace(",", "")) for line in lines if (m := re.match(r"Records read: ([\d,]+)", line))]
            assert reads == sorted(reads) and (not reads or reads[-1] <= emitted)
            if attempt.status == "failed" and attempt.plan.failure is not None and reads:
                # The log's last count is the panel's: "Records read: 29,272" beside "30,019 emitted" was not.
                assert reads[-1] == emitted
                summary = next(line for line in lines if line.startswith("sync summary"))
                assert f'"recordsCommitted":{sum(s.records_committed for s in streams)},' in summary
                checked_failed += 1
            if attempt.status == "succeeded":
                summary = next(line for line in lines if line.startswith("sync summary"))
                committed = sum(s.records_committed for s in streams)
                committed_bytes = sum(s.bytes_committed for s in streams)
                assert f'"recordsSynced":{committed},' in summary
                assert f'"bytesSynced":{committed_bytes},' in summary
                if reads:
                    assert reads[-1] == emitted
                checked += 1
    assert checked > 10 and checked_failed > 10


def test_every_count_the_log_prints_agrees_with_the_stream_stats(worlds: list[AirbyteWorld]) -> None:
    """Per stream: flushed batches never exceed what the stream read, "Read N records" is its total."""
    flush = re.compile(r"Flushing ([\d,]+) records for stream (\S+) ")
    read = re.compile(r"Read ([\d,]+) records from (\S+) stream")
    flushes = reads = 0
    for world in worlds[:3]:
        for job in world.jobs:
            for attempt in job.attempts:
                if attempt.ended_at is None:
                    continue
                emitted = {s.name: s.records_emitted for s in stream_progress(job, attempt, attempt.ended_at)}
                flushed: dict[str, int] = {}
                read_so_far = 0
                for line in visible_lines(job, attempt, attempt.ended_at):
                    text = line.message
                    if m := re.match(r"Records read: ([\d,]+)", text):
                        read_so_far = int(m.group(1).replace(",", ""))
                    if m := flush.match(text):
                        stream, n = m.group(2), int(m.group(1).replace(",", ""))
                        flushed[stream] = flushed.get(stream, 0) + n
                        assert n > 0
                        assert flushed[stream] <= emitted[stream], (job.job_id, stream, flushed[stream], emitted[stream])
                        assert sum(flushed.values()) <= read_so_far, (job.job_id, text, read_so_far)
                        flushes += 1
                    if m := read.match(text):
                        assert int(m.group(1).replace(",", "")) == emitted[m.group(2)], (job.job_id, text)
                        reads += 1
    assert flushes > 50 and reads > 10


def test_retries_of_one_job_do_not_report_copied_counts() -> None:
    """Two failed tries of one job commit different counts (their checkpoints are their own).

    Before: every attempt checkpointed on the same 10 % grid, so retries that failed in the same tenth
    of the work showed the very same committed count and bytes on the job panel, like a copy bug.
    """
    copies = pairs = 0
    for world in _worlds():
        for job in world.jobs:
            failed = [a for a in job.attempts if a.status == "failed" and a.ended_at is not None]
            for first, second in pairwise(failed):
                one = sum(s.records_committed for s in stream_progress(job, first, first.ended_at or 0.0))
                two = sum(s.records_committed for s in stream_progress(job, second, second.ended_at or 0.0))
                if one and two:
                    pairs += 1
                    copies += one == two
    assert pairs >= 5  # the worlds do retry
    assert copies <= pairs // 20, f"{copies} of {pairs} retries committed exactly what the try before them did"
