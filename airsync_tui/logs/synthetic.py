"""Deterministic attempt-log JSON for tests, benchmarks and demos.

Produces the same shapes the Airbyte config API (and our emulator) serves
for ``/api/v1/attempt/get_for_job`` — structured ``events`` or legacy
``logLines`` — so the parser is exercised on realistic bytes.
"""

from __future__ import annotations

from typing import Any

import orjson

__all__ = ["synthetic_events", "synthetic_log_lines", "synthetic_attempt_json", "ANSI_SOURCE"]

_SOURCES = ("platform", "source", "destination", "replication-orchestrator")
_STREAMS = ("users", "orders", "invoices", "events", "payments")
#: How legacy lines colour their source word (airbyte-api.md §2.4).
ANSI_SOURCE = {
    "platform": "\x1b[36mplatform\x1b[0m",
    "source": "\x1b[34msource\x1b[0m",
    "destination": "\x1b[33mdestination\x1b[0m",
    "replication-orchestrator": "\x1b[35mreplication-orchestrator\x1b[0m",
}
_START_MS = 1_767_254_400_000  # 2026-01-01 08:00:00 UTC


def _line_parts(i: int) -> tuple[int, str, str, str]:
    """(timestamp ms, level, source, message) of synthetic line ``i``."""
    ts = _START_MS + i * 7  # ~140 lines per second
    source = _SOURCES[i % 4] if i % 10 else "platform"
    stream = _STREAMS[i % 5]
    if i % 5000 == 4999:
        return ts, "error", source, f"Failed to write batch {i} for stream {stream}: connection reset by peer"
    if i % 997 == 0:
        return ts, "warn", source, f"Rate limited on stream {stream}, backing off {i % 30 + 1}s"
    if i % 11 == 0:
        return ts, "debug", source, f"Checkpoint state for stream {stream} at cursor {i * 13}"
    return ts, "info", source, f"INFO Read {i * 3} records from stream {stream} (page {i // 100}, offset {i % 100})"


def synthetic_events(count: int) -> list[dict[str, Any]]:
    events = []
    for i in range(count):
        ts, level, source, message = _line_parts(i)
        event: dict[str, Any] = {"timestamp": ts, "level": level, "logSource": source, "message": message}
        if level == "error":
            event["stackTrace"] = "java.net.SocketException: Connection reset\n\tat io.airbyte.Writer.flush(Writer.java:88)"
        events.append(event)
    return events


def synthetic_log_lines(count: int) -> list[str]:
    import time

    lines = []
    for i in range(count):
        ts, level, source, message = _line_parts(i)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts // 1000))
        if message.startswith("INFO "):
            message = message[5:]
        lines.append(f"{stamp} {ANSI_SOURCE[source]} > {level.upper()} {message}")
    return lines


def synthetic_attempt_json(count: int, *, structured: bool = True, attempt_number: int = 0, status: str = "failed") -> bytes:
    """A full ``AttemptInfoRead`` body with ``count`` log records."""
    attempt = {
        "id": attempt_number,
        "status": status,
        "createdAt": _START_MS // 1000,
        "updatedAt": _START_MS // 1000 + count // 140,
    }
    if structured:
        body = {"attempt": attempt, "logType": "structured", "logs": {"version": "1", "events": synthetic_events(count)}}
    else:
        body = {"attempt": attempt, "logType": "formatted", "logs": {"logLines": synthetic_log_lines(count)}}
    return orjson.dumps(body)
