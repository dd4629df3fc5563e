"""Shared by the log equivalence tests: what two indexes must agree on, and hostile structured events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airsync_tui.logs import parse as parse_module
from airsync_tui.logs.index import LogIndex


def index_columns(index: LogIndex) -> tuple[object, ...]:
    """Every column an index holds: text buffer, line offsets, timestamps, levels, sources and counts."""
    return (
        bytes(index._buf),  # noqa: SLF001
        list(index._offsets),  # noqa: SLF001
        list(index._timestamps),  # noqa: SLF001
        bytes(index._levels),  # noqa: SLF001
        bytes(index._sources),  # noqa: SLF001
        index.record_count,
        index.max_line_bytes,
    )


def hostile_events(count: int, messages: Sequence[str], *, drop_source_every: int = 0) -> list[dict[str, Any]]:
    """Structured log events of every shape the parsers meet: zero timestamps, levels in any case or
    missing, unknown sources, stack traces with newlines, and (every `drop_source_every`th) no source."""
    events: list[dict[str, Any]] = []
    for i in range(count):
        event: dict[str, Any] = {
            "timestamp": 1_767_254_400_000 + i * 337 if i % 11 else 0,
            "level": ("info", "WARN", "error", "debug", "trace", "fatal", None)[i % 7],
            "logSource": ("source", "destination", "platform", "replication-orchestrator", "other")[i % 5],
            "message": f"INFO  {i} {messages[i % len(messages)]}",
        }
        if i % 7 == 0:
            event["stackTrace"] = "java.io.IOException: boom\n\tat a.b(C.java:1)"
        if drop_source_every and i % drop_source_every == 0:
            del event["logSource"]  # missing fields
        events.append(event)
    return events


def one_shot_formatted(raw: bytes) -> bytes:
    """The slow reference path: one-shot parse (no chunking), one ``formatted`` string per line."""
    saved = parse_module.CHUNKED_PARSE_MIN_BYTES
    parse_module.CHUNKED_PARSE_MIN_BYTES = 1 << 60
    try:
        index = parse_module.parse_attempt(raw).index
    finally:
        parse_module.CHUNKED_PARSE_MIN_BYTES = saved
    return "".join(index.formatted(i) + "\n" for i in range(len(index))).encode("utf-8")
