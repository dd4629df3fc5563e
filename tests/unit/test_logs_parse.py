"""Both Airbyte log formats become the same kind of index."""

from __future__ import annotations

import orjson

from airsync_tui.logs import (
    Level,
    LogIndex,
    Source,
    append_attempt_json,
    format_full_text,
    parse_attempt,
    parse_attempt_json,
)
from airsync_tui.logs.synthetic import synthetic_attempt_json

TS = 1767255305123  # 2026-01-01 08:15:05.123 UTC

STRUCTURED = {
    "attempt": {"id": 1, "status": "failed", "createdAt": 1767258904, "updatedAt": 1767259010},
    "logType": "structured",
    "logs": {
        "version": "1",
        "events": [
            {
                "timestamp": TS,
                "level": "info",
                "logSource": "platform",
                "message": "Starting replication",
                "caller": {"className": "io.airbyte.X", "methodName": "run", "lineNumber": 88, "threadName": "main"},
            },
            {"timestamp": TS + 1000, "level": "warn", "logSource": "source", "message": "WARN  Rate limited, backing off 30s"},
            {
                "timestamp": TS + 2000,
                "level": "error",
                "logSource": "destination",
                "message": "Write failed",
                "stackTrace": "java.io.IOException: boom\n\tat a.b(C.java:1)",
            },
            {"timestamp": TS + 3000, "level": "debug", "logSource": "replication-orchestrator", "message": "INFORMATION kept"},
            {"timestamp": TS + 4000, "level": "info", "logSource": "platform", "message": "INFO: kept too"},
        ],
    },
}

LEGACY = {
    "logLines": [
        "2026-01-01 08:15:05 \x1b[36mplatform\x1b[0m > Starting replication",
        "2026-01-01 08:15:06 \x1b[34msource\x1b[0m > INFO i.a.Source(main):12 - reading",
        "2026-01-01 08:15:07 \x1b[33mdestination\x1b[0m > 2026 ERROR something broke",
        "\tat io.airbyte.Foo(Foo.java:1)",
        "2026-01-01 08:15:08 \x1b[35mreplication-orchestrator\x1b[0m > WARN slow",
        "not a header at all",
    ]
}


def test_structured_columns_and_stack_trace_lines() -> None:
    parsed = parse_attempt(orjson.dumps(STRUCTURED))
    index = parsed.index
    assert parsed.log_type == "structured" and parsed.attempt["id"] == 1
    assert index.record_count == 5
    assert len(index) == 7  # the stack trace adds two lines
    assert index.formatted(0) == "2026-01-01 08:15:05 INFO  platform Starting replication"
    assert index.line(1) == "Rate limited, backing off 30s"  # redundant level stripped
    assert index.level(1) is Level.WARN and index.source(1) is Source.SOURCE
    assert [index.level(i) for i in (2, 3, 4)] == [Level.ERROR] * 3
    assert {index.timestamp(i) for i in (2, 3, 4)} == {TS + 2000}
    assert index.line(4) == "        at a.b(C.java:1)"
    assert index.line(5) == "INFORMATION kept"
    assert index.source(5) is Source.ORCHESTRATOR
    assert index.line(6) == "INFO: kept too"


def test_bare_logs_object_is_accepted() -> None:
    index = parse_attempt_json(STRUCTURED["logs"])
    assert len(index) == 7


def test_legacy_lines() -> None:
    parsed = parse_attempt({"attempt": {"id": 0}, "logType": "formatted", "logs": LEGACY})
    index = parsed.index
    assert parsed.log_type == "formatted"
    assert len(index) == 6 and index.record_count == 6
    assert index.formatted(0) == "2026-01-01 08:15:05       platform Starting replication"
    assert index.source(0) is Source.PLATFORM and index.level(0) is Level.UNKNOWN
    assert index.line(1) == "i.a.Source(main):12 - reading" and index.level(1) is Level.INFO
    assert index.level(2) is Level.ERROR  # from the " ERROR " token
    # a headerless continuation line belongs to the line above
    assert index.timestamp(3) == index.timestamp(2) and index.source(3) is Source.DESTINATION
    assert index.level(3) is Level.ERROR
    assert index.line(3).startswith("        at io.airbyte")
    assert index.level(4) is Level.WARN and index.source(4) is Source.ORCHESTRATOR
    assert index.line(5) == "not a header at all"
    assert index.timestamp(0) == 1767255305000


def test_empty_logs() -> None:
    assert len(parse_attempt_json({"logLines": []})) == 0
    assert len(parse_attempt_json({"attempt": {"id": 0, "status": "running"}})) == 0
    assert format_full_text(LogIndex()) == ""


def test_format_full_text_is_one_line_per_log_line() -> None:
    index = parse_attempt_json(STRUCTURED)
    text = format_full_text(index)
    assert text.count("\n") == len(index)
    assert text.splitlines()[2] == "2026-01-01 08:15:07 ERROR dest     Write failed"
    assert format_full_text(index, show_timestamps=False).splitlines()[0] == "INFO  platform Starting replication"


def test_append_attempt_json_only_adds_new_records() -> None:
    first = {"logs": {"events": STRUCTURED["logs"]["events"][:2]}}
    index = parse_attempt_json(first)
    assert len(index) == 2
    added = append_attempt_json(index, STRUCTURED)
    assert added == 5 and len(index) == 7 and index.record_count == 5
    assert append_attempt_json(index, STRUCTURED) == 0
    assert index.line(6) == "INFO: kept too"


def test_append_legacy_and_events_methods() -> None:
    index = parse_attempt_json(LEGACY)
    generation = index.generation
    assert index.append_log_lines(["2026-01-01 09:00:00 \x1b[34msource\x1b[0m > ERROR late"]) == 1
    assert index.line(6) == "late" and index.level(6) is Level.ERROR
    assert index.append_events([{"timestamp": TS, "level": "info", "logSource": "source", "message": "ev"}]) == 1
    assert index.line(7) == "ev" and index.generation > generation


def test_synthetic_formats_parse_identically() -> None:
    structured = parse_attempt_json(synthetic_attempt_json(3000, structured=True))
    legacy = parse_attempt_json(synthetic_attempt_json(3000, structured=False))
    assert len(legacy) == 3000
    assert structured.record_count == legacy.record_count == 3000
    assert legacy.line(10) == structured.line(10)
    assert legacy.level(1) == structured.level(1)
