"""Attempt logs: realistic platform/source/destination/orchestrator lines that grow with time.

Each attempt gets a *script* (built once, lazily, from an RNG seeded by job id
and attempt number) of `LogLine`s with offsets from the attempt start. Serving a
log just cuts the script at the current virtual time, so logs grow while the
attempt runs without storing anything per tick. Two wire formats exist on real
servers and both are produced here: structured (`logs.events`, epoch-ms
timestamps, lower-case levels) and legacy formatted (`logs.logLines` with the
ANSI-coloured source word).

The big-log scenario (≥1M lines) is generated separately, straight to JSON
bytes in chunks with orjson, because a million Python dicts would cost seconds
and hundreds of MB; it is legacy formatted.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

import orjson

from airsync_tui.emulator.airbyte import catalog
from airsync_tui.emulator.airbyte.connector_texts import api_url, rate_limit_warning
from airsync_tui.emulator.airbyte.model import Attempt, Job, stream_progress

# Real servers' colours around the source word (destination 43, orchestrator 46).
ANSI_BY_SOURCE = {
    "platform": "\x1b[36m",
    "source": "\x1b[44m",
    "destination": "\x1b[43m",
    "replication-orchestrator": "\x1b[46m",
}
ANSI_RESET = "\x1b[0m"
# log4j's highlight colours around the level word (2023-era servers).
ANSI_BY_LEVEL = {"error": "\x1b[31m", "warn": "\x1b[33m", "info": "\x1b[32m", "debug": "\x1b[36m", "trace": "\x1b[37m"}
ANSI_LEVEL_RESET = "\x1b[m"

#: Shapes of legacy `logLines` by server era (see logs/parse.py for the reader):
#: 2024: ``ts <ANSI>source<ANSI> > LEVEL msg``; 2023: platform lines without a
#: source word and ANSI around the level, connector lines with their own second
#: timestamp; 2022: the same without ANSI and without an orchestrator. Every
#: era joins a stack trace into one element with embedded newlines.
LEGACY_ERAS = ("2024", "2023", "2022")
#: The platform version a log of each era names (structured logs: 1.x).
SERVER_VERSION_BY_ERA = {"2024": "0.64.7", "2023": "0.50.33", "2022": "0.39.41-alpha"}

IMAGE_BY_CONNECTOR = {
    "Postgres": "airbyte/source-postgres:3.6.28",
    "MySQL": "airbyte/source-mysql:3.11.4",
    "Stripe": "airbyte/source-stripe:5.8.3",
    "Salesforce": "airbyte/source-salesforce:2.6.9",
    "HubSpot": "airbyte/source-hubspot:4.5.2",
    "Zendesk Support": "airbyte/source-zendesk-support:4.4.1",
    "GitHub": "airbyte/source-github:1.8.19",
    "Shopify": "airbyte/source-shopify:2.5.12",
    "Google Ads": "airbyte/source-google-ads:3.7.8",
    "Jira": "airbyte/source-jira:3.4.5",
    "MongoDB": "airbyte/source-mongodb-v2:1.5.12",
    "Facebook Marketing": "airbyte/source-facebook-marketing:3.3.21",
    "Kafka": "airbyte/source-kafka:0.2.5",
}
DEST_IMAGE = {
    "Snowflake": "airbyte/destination-snowflake:3.15.2",
    "BigQuery": "airbyte/destination-bigquery:2.9.3",
    "Redshift": "airbyte/destination-redshift:3.5.3",
    "Postgres": "airbyte/destination-postgres:2.4.1",
    "Databricks": "airbyte/destination-databricks:3.3.2",
    "S3": "airbyte/destination-s3:1.5.1",
}


@dataclass(frozen=True, slots=True)
class LogLine:
    offset_s: float
    level: str  # trace | debug | info | warn | error
    source: str  # platform | source | destination | replication-orchestrator
    message: str
    class_name: str | None = None
    method: str | None = None
    line_number: int | None = None
    stack: str | None = None


def _image(name: str, table: dict[str, str], kind: str) -> str:
    return table.get(name, f"airbyte/{kind}-{name.lower().replace(' ', '-')}:latest")


def build_script(job: Job, attempt: Attempt) -> list[LogLine]:
    """The complete planned log of one attempt (cut at read time to what has 'happened')."""
    rng = random.Random(f"log:{job.job_id}:{attempt.number}")
    conn = job.connection
    plan = attempt.plan
    span = max(plan.end - plan.start, 1.0)
    src_image = _image(conn.source_name, IMAGE_BY_CONNECTOR, "source")
    dst_image = _image(conn.destination_name, DEST_IMAGE, "destination")
    lines: list[LogLine] = []

    def add(offset: float, level: str, source: str, message: str, *caller: Any, stack: str | None = None) -> None:
        cls, method, lineno = (caller + (None, None, None))[:3]
        lines.append(LogLine(max(0.0, offset), level, source, message, cls, method, lineno, stack))

    add(
        0.0,
        "info",
        "platform",
        f"----- START REPLICATION (job {job.job_id}, attempt {attempt.number + 1}) -----",
        "io.airbyte.workers.temporal.sync.ReplicationActivityImpl",
        "replicate",
        118,
    )
    add(
        0.1,
        "info",
        "platform",
        f"Cloud storage job log path: /workspace/{job.job_id}/{attempt.number}/logs.log",
        "io.airbyte.commons.logging.LogClientManager",
        "setJobMdc",
        62,
    )
    version = "1.8.0" if conn.log_format != "formatted" else SERVER_VERSION_BY_ERA.get(conn.log_era, "0.64.7")
    add(
        0.2,
        "info",
        "platform",
        f"Executing worker wrapper. Airbyte version: {version}",
        "io.airbyte.workers.temporal.TemporalAttemptExecution",
        "get",
        141,
    )
    add(
        0.4,
        "info",
        "platform",
        "Using default value for environment variable SIDECAR_KUBE_CPU_LIMIT: '2.0'",
        "io.airbyte.config.EnvConfigs",
        "getEnvOrDefault",
        1211,
    )
    add(
        0.9,
        "info",
        "replication-orchestrator",
        f"Starting workload {conn.connection_id}_{job.job_id}_{attempt.number}_sync",
        "io.airbyte.container.orchestrator.ReplicationJobOrchestrator",
        "runJob",
        84,
    )
    add(
        1.4,
        "info",
        "replication-orchestrator",
        f"Starting source container: {src_image}",
        "io.airbyte.workers.process.KubeProcessFactory",
        "create",
        107,
    )
    add(
        1.6,
        "info",
        "replication-orchestrator",
        f"Starting destination container: {dst_image}",
        "io.airbyte.workers.process.KubeProcessFactory",
        "create",
        107,
    )
    add(3.0, "info", "source", f"Starting syncing Source{conn.source_name.replace(' ', '')}")
    add(3.2, "info", "destination", f"Starting destination connector {dst_image.split('/')[1]}")
    if attempt.number > 0:
        add(3.3, "info", "source", "Resuming from the last committed state (per-stream cursors restored)")
    for spec in conn.streams:
        cursor = f" with cursor {spec.cursor_field[0]}" if spec.cursor_field else " (full refresh)"
        ns = f" (namespace {spec.namespace})" if spec.namespace else ""
        add(3.5 + rng.uniform(0, 2), "info", "source", f"Marking stream {spec.name}{ns} as STARTED; reading{cursor}")
        add(4.0 + rng.uniform(0, 2), "info", "destination", f"Preparing raw table airbyte_internal.{(conn.prefix or '')}{spec.name}_raw")

    fraction_per_second = plan.volume / span
    totals = sum(job.plan.targets)
    total_bytes = sum(t * b for t, b in zip(job.plan.targets, job.plan.bytes_per_record, strict=True))
    step = 0.05
    flushed = [0] * len(conn.streams)  # records of each stream flushed so far
    x = step
    last_read, last_read_at = 0, 0.0
    while x <= plan.volume + 1e-9:
        at = x / fraction_per_second
        # The same per-stream formula as the attempt's stats (model.stream_progress),
        # so the log's counts agree with the job's numbers at that moment.
        records, read_bytes = _emitted_at(job, x)
        last_read, last_read_at = records, at
        add(
            at,
            "info",
            "replication-orchestrator",
            f"Records read: {records:,} ({read_bytes / 1e6:.1f} MB)",
            "io.airbyte.workers.general.ReplicationWorkerHelper",
            "processMessageFromSource",
            395,
        )
        if rng.random() < 0.35:
            # A flush writes what the stream read since its last flush: the same
            # per-stream counts as the stats, so the flushed records never add up
            # to more than the stream read.
            index = rng.randrange(len(conn.streams))
            read_now = _stream_emitted_at(job, index, x)
            batch = read_now - flushed[index]
            if batch > 0:
                flushed[index] = read_now
                batch_mb = batch * job.plan.bytes_per_record[index] / 1e6
                add(
                    at + 0.3,
                    "info",
                    "destination",
                    f"Flushing {batch:,} records for stream {conn.streams[index].name} ({batch_mb:.1f} MB) to staging",
                )
        if rng.random() < 0.07:
            backoff = rate_limit_warning(conn.source_name, rng.choice([5, 15, 30, 60]))
            if backoff is not None:  # databases and brokers have no API rate limit
                add(at + 0.6, "warn", "source", backoff)
        if rng.random() < 0.04:
            add(
                at + 0.8,
                "warn",
                "platform",
                "Heartbeat from the source took longer than expected (12s)",
                "io.airbyte.workers.internal.HeartbeatMonitor",
                "check",
                77,
            )
        if rng.random() < 0.1:
            add(at + 0.9, "debug", "destination", f"Committed state for a batch; {rng.randint(1, 40)} state messages flushed")
        x += step
    for spec, speed, target in zip(conn.streams, job.plan.speeds, job.plan.targets, strict=True):
        done_at = 1.0 / speed
        if done_at <= plan.volume:
            add(done_at / fraction_per_second, "info", "source", f"Read {target:,} records from {spec.name} stream")
            add(done_at / fraction_per_second + 0.5, "info", "source", f"Marking stream {spec.name} as STOPPED")

    if plan.succeeds:
        add(span - 1.5, "info", "source", f"Finished syncing Source{conn.source_name.replace(' ', '')}")
        add(
            span - 1.2,
            "info",
            "replication-orchestrator",
            "Source has no more messages, closing connection.",
            "io.airbyte.workers.general.BufferedReplicationWorker",
            "readFromSource",
            361,
        )
        add(span - 0.8, "info", "destination", "Typing and deduping all tables completed")
        add(
            span - 0.3,
            "info",
            "replication-orchestrator",
            f'sync summary: {{"status":"completed","recordsSynced":{totals},"bytesSynced":{total_bytes},"streams":{len(conn.streams)}}}',
            "io.airbyte.workers.general.ReplicationWorkerHelper",
            "getReplicationOutput",
            512,
        )
        add(
            span,
            "info",
            "platform",
            "----- END REPLICATION -----",
            "io.airbyte.workers.temporal.sync.ReplicationActivityImpl",
            "replicate",
            171,
        )
    elif plan.failure is not None:
        # The attempt's own last word on its counts, as the panel shows them: what was read in all (the
        # periodic line above may be up to 5 % older) and what was committed before the failure.
        streams = stream_progress(job, attempt, attempt.ended_at or plan.end)
        emitted = sum(s.records_emitted for s in streams)
        if emitted != last_read:
            emitted_bytes = sum(s.bytes_emitted for s in streams)
            add(
                max(last_read_at, span - 1.0),  # never before the periodic line it completes (equal times keep this order)
                "info",
                "replication-orchestrator",
                f"Records read: {emitted:,} ({emitted_bytes / 1e6:.1f} MB)",
                "io.airbyte.workers.general.ReplicationWorkerHelper",
                "processMessageFromSource",
                395,
            )
        add(
            max(last_read_at, span - 0.8),
            "info",
            "replication-orchestrator",
            f'sync summary: {{"status":"failed","recordsEmitted":{emitted},'
            f'"recordsCommitted":{sum(s.records_committed for s in streams)},'
            f'"bytesCommitted":{sum(s.bytes_committed for s in streams)},"streams":{len(conn.streams)}}}',
            "io.airbyte.workers.general.ReplicationWorkerHelper",
            "getReplicationOutput",
            512,
        )
        failure = plan.failure
        origin = failure.origin if failure.origin in ("source", "destination") else "replication-orchestrator"
        stack = _fill(failure.stacktrace, job, plan.failure_stream or "") or None
        add(span - 0.6, "error", origin, _fill(failure.internal, job, plan.failure_stream or ""), stack=stack)
        add(
            span - 0.2,
            "error",
            "replication-orchestrator",
            f"Replication failed: {_fill(failure.external, job, plan.failure_stream or '')}",
            "io.airbyte.container.orchestrator.worker.ReplicationWorker",
            "run",
            151,
        )
        add(
            span,
            "info",
            "platform",
            f"Attempt {attempt.number + 1} failed; retryable={str(failure.retryable).lower()}",
            "io.airbyte.workers.temporal.sync.ReplicationActivityImpl",
            "replicate",
            176,
        )
    lines.sort(key=lambda line: line.offset_s)
    return lines


def cancellation_lines(attempt: Attempt) -> list[LogLine]:
    offset = (attempt.ended_at or attempt.created_at) - attempt.plan.start
    return [
        LogLine(
            offset,
            "info",
            "platform",
            "Received cancellation request from the user",
            "io.airbyte.workers.temporal.CancellationHandler",
            "checkAndHandleCancellation",
            53,
        ),
        LogLine(
            offset + 0.2,
            "warn",
            "replication-orchestrator",
            "Interrupting source and destination containers (cancelled)",
            "io.airbyte.container.orchestrator.worker.ReplicationWorker",
            "cancel",
            203,
        ),
        LogLine(offset + 0.4, "info", "platform", "----- END REPLICATION (cancelled) -----"),
    ]


def _emitted_at(job: Job, fraction: float) -> tuple[int, int]:
    """Records and bytes emitted at this fraction of the job (as in model.stream_progress)."""
    plan = job.plan
    counts = [int(t * min(1.0, fraction * s)) for t, s in zip(plan.targets, plan.speeds, strict=True)]
    return sum(counts), sum(c * b for c, b in zip(counts, plan.bytes_per_record, strict=True))


def _stream_emitted_at(job: Job, index: int, fraction: float) -> int:
    """Records one stream has emitted at this fraction of the job (as in `_emitted_at`)."""
    plan = job.plan
    return int(plan.targets[index] * min(1.0, fraction * plan.speeds[index]))


def _fill(text: str, job: Job, stream: str) -> str:
    conn = job.connection
    url = api_url(conn.source_name, stream)
    return (
        text.replace("{source}", conn.source_name)
        .replace("{destination}", conn.destination_name)
        .replace("{stream}", stream)
        .replace("{stream_upper}", stream.upper())
        .replace("{url}", url)
    )


def fill_failure_text(text: str, job: Job, stream: str | None) -> str:
    return _fill(text, job, stream or "")


def visible_lines(job: Job, attempt: Attempt, now: float) -> list[LogLine]:
    """The part of the attempt's script that has been written by virtual time `now`."""
    if attempt.log_script is None:
        attempt.log_script = build_script(job, attempt)
    script: list[LogLine] = attempt.log_script
    cut = now if attempt.ended_at is None else min(now, attempt.ended_at)
    # Lines stamped a little after the end (the trailer) still belong to a finished attempt.
    if attempt.ended_at is not None and attempt.failure is catalog.CANCELLATION_FAILURE:
        elapsed = cut - attempt.plan.start
        return [line for line in script if line.offset_s <= elapsed] + cancellation_lines(attempt)
    if attempt.ended_at is not None and cut >= attempt.ended_at:
        return script
    elapsed = cut - attempt.plan.start
    return [line for line in script if line.offset_s <= elapsed]


def structured_logs(job: Job, attempt: Attempt, now: float) -> dict[str, Any]:
    start_ms = attempt.plan.start * 1000
    events = []
    for line in visible_lines(job, attempt, now):
        event: dict[str, Any] = {
            "timestamp": int(start_ms + line.offset_s * 1000),
            "message": line.message,
            "level": line.level,
            "logSource": line.source,
        }
        if line.class_name:
            caller = {"className": line.class_name, "methodName": line.method, "lineNumber": line.line_number, "threadName": "main"}
            event["caller"] = {k: v for k, v in caller.items() if v is not None}
        if line.stack:
            event["stackTrace"] = line.stack
        events.append(event)
    return {"events": events, "version": "1"}


def _legacy_prefix(epoch_s: float, source: str) -> str:
    stamp = dt.datetime.fromtimestamp(int(epoch_s), dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    return f"{stamp} {ANSI_BY_SOURCE[source]}{source}{ANSI_RESET} > "


def formatted_logs(job: Job, attempt: Attempt, now: float) -> dict[str, Any]:
    era = job.connection.log_era
    out: list[str] = []
    for line in visible_lines(job, attempt, now):
        epoch = attempt.plan.start + line.offset_s
        who = f"{line.class_name.rsplit('.', 1)[-1]}({line.method}):{line.line_number} - " if line.class_name else ""
        text = _legacy_line(era, epoch, line.source, line.level, who + line.message)
        if line.stack:  # the server joins a trace into the element of its line
            text += "\n" + line.stack
        out.append(text)
    return {"logLines": out}


def _legacy_line(era: str, epoch_s: float, source: str, level: str, message: str) -> str:
    """One legacy line as a server of that era wrote it."""
    if era == "2024":
        return f"{_legacy_prefix(epoch_s, source)}{level.upper()} {message}"
    stamp = dt.datetime.fromtimestamp(int(epoch_s), dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    if era == "2023":
        word = f"{ANSI_BY_LEVEL.get(level, '')}{level.upper()}{ANSI_LEVEL_RESET}"
        if source in ("source", "destination"):
            return f"{stamp} {ANSI_BY_SOURCE[source]}{source}{ANSI_RESET} > {stamp} {word} {message}"
        if source == "replication-orchestrator":  # no level word on its info lines
            word = "" if level == "info" else f"{level.upper()} "
            return f"{stamp} {ANSI_BY_SOURCE[source]}{source}{ANSI_RESET} > {word}{message}"
        return f"{stamp} {word} {message}"
    # 2022: no colours, and the orchestrator's lines were the platform's.
    if source in ("source", "destination"):
        return f"{stamp} {source} > {stamp} {level.upper()} {message}"
    return f"{stamp} {level.upper()} {message}"


def attempt_logs(job: Job, attempt: Attempt, now: float) -> tuple[str, dict[str, Any]]:
    """`(logType, logs)` in the connection's format."""
    if job.connection.log_format == "formatted":
        return "formatted", formatted_logs(job, attempt, now)
    return "structured", structured_logs(job, attempt, now)


def big_log_lines_json(job: Job, attempt: Attempt, line_count: int) -> bytes:
    """A JSON array (bytes) of `line_count` legacy log lines, deterministic for the job.

    Built in chunks so peak memory stays near the final byte size.
    """
    rng = random.Random(f"biglog:{job.job_id}")
    conn = job.connection
    streams = [s.name for s in conn.streams]
    start = attempt.plan.start
    span = max((attempt.ended_at or attempt.plan.end) - start, 1.0)
    templates = (
        ("source", "INFO Read {n} records from {stream} partition {p}"),
        ("replication-orchestrator", "INFO Records read: {n} ({mb} MB)"),
        ("destination", "INFO Flushed {k} records for {stream} to part-{p}.jsonl.gz"),
        ("destination", "DEBUG Uploaded part-{p}.jsonl.gz in {ms} ms"),
        ("source", "INFO Committed offset {o} for partition {p}"),
        ("platform", "INFO Heartbeat ok; workload alive"),
        ("source", "WARN Slow fetch from broker b-{p}: {ms} ms"),
    )
    weights = [30, 20, 25, 15, 6, 3, 1]
    picks = rng.choices(range(len(templates)), weights, k=4096)
    chunks: list[bytes] = []
    chunk_size = 20_000
    prefixes: dict[tuple[int, str], str] = {}
    for chunk_start in range(0, line_count, chunk_size):
        chunk: list[str] = []
        for i in range(chunk_start, min(line_count, chunk_start + chunk_size)):
            source, template = templates[picks[i & 4095]]
            second = int(start + span * i / line_count)
            key = (second, source)
            prefix = prefixes.get(key)
            if prefix is None:
                if len(prefixes) > 64:
                    prefixes.clear()
                prefix = prefixes[key] = _legacy_prefix(second, source)
            chunk.append(
                prefix
                + template.format(
                    n=i * 50,
                    p=i % 12,
                    o=1_000_000 + i * 7,
                    stream=streams[i % len(streams)],
                    mb=f"{i * 0.021:.1f}",
                    k=500 + i % 4500,
                    ms=40 + (i * 37) % 1900,
                )
            )
        chunks.append(orjson.dumps(chunk)[1:-1])
    return b"[" + b",".join(c for c in chunks if c) + b"]"
