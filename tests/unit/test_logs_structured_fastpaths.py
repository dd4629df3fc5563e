"""The structured index's fast paths give exactly what event-by-event indexing gives.

``index_from_events`` works on whole columns: stack traces have their tabs
expanded one by one, the redundant level word is stripped with ``replace``,
an optional key (``stackTrace``) is read with ``dict.get`` in C, and the
extra lines of multi-line events are counted from the traced events when
their counts explain every extra line. Events are independent of each
other, so indexing a list at once must equal indexing each event alone
and appending: the single-event indexes take the simple branches.
"""

from __future__ import annotations

from typing import Any

import pytest

from airsync_tui.logs.index import Level, LogIndex, Source
from airsync_tui.logs.parse import index_from_events
from airsync_tui.logs.sanitize import TAB_SIZE

TRACE = "java.net.SocketException: Connection reset\n\tat io.airbyte.Writer.flush(Writer.java:88)\n\t\tat x\tfoo"

HOSTILE: list[dict[str, Any]] = [
    {"timestamp": 1, "level": "info", "logSource": "source", "message": "INFO Read 3 records"},
    {"timestamp": 2, "level": "error", "logSource": "destination", "message": "boom", "stackTrace": TRACE},
    {"timestamp": 3, "level": "warn", "logSource": "platform", "message": "tab\there and\tthere"},
    {"timestamp": 4, "level": "INFO", "logSource": "source", "message": "two\nlines in a message"},
    {"timestamp": 5, "level": "debug", "logSource": "source", "message": "INFO INFO twice"},
    {"timestamp": 6, "level": "info", "logSource": "source", "message": "INFO\tafter a tab"},
    {"timestamp": 7, "level": "info", "logSource": "source", "message": "INFO  two blanks"},
    {"timestamp": 8, "level": "info", "logSource": "source", "message": "INFORMATION stays"},
    {"timestamp": 9, "level": "info", "logSource": "source", "message": "nul \x00 esc \x1b[31mred\x1b[0m \u202e bidi"},
    {"timestamp": 10, "level": "info", "logSource": "source", "message": '{"nested": "json", "events": [{"a": "},{"}]}'},
    {"timestamp": 11, "level": "error", "logSource": "source", "message": "trace and\nnewline", "stackTrace": "a\n\tb"},
    {"timestamp": 12, "level": "info", "logSource": "source", "message": "WARN"},
    {"timestamp": 13, "level": "info", "logSource": "source", "message": "cr\r\nlf"},
    {"timestamp": 14, "level": "info", "logSource": "source", "message": "", "stackTrace": ""},
    {"timestamp": 15, "level": "info", "logSource": "source", "message": "ünïcödé ✓ 𝄞"},
]


def columns(index: LogIndex) -> tuple[list[str], list[int], list[Level], list[Source]]:
    n = len(index)
    return (
        [index.line(i) for i in range(n)],
        [index.timestamp(i) for i in range(n)],
        [index.level(i) for i in range(n)],
        [index.source(i) for i in range(n)],
    )


def one_by_one(events: list[Any]) -> LogIndex:
    index = LogIndex()
    for event in events:
        index.append_index(index_from_events([event]))
    return index


#: Only the traces span lines: the extra lines are counted from the traced events alone.
TRACES_ONLY = [e for e in HOSTILE if "\n" not in e["message"]]


@pytest.mark.parametrize(
    "events", [HOSTILE, HOSTILE[::-1], HOSTILE * 3, TRACES_ONLY], ids=["hostile", "reversed", "repeated", "traces-only"]
)
def test_whole_list_equals_event_by_event(events: list[dict[str, Any]]) -> None:
    whole = index_from_events(events)
    assert columns(whole) == columns(one_by_one(events))
    assert whole.record_count == len(events)


def test_trace_tabs_expand_per_line_and_lines_repeat_the_event_columns() -> None:
    index = index_from_events([HOSTILE[0], HOSTILE[1], HOSTILE[2]])
    lines, stamps, levels, sources = columns(index)
    assert lines[1:5] == [
        "boom",
        "java.net.SocketException: Connection reset",
        " " * TAB_SIZE + "at io.airbyte.Writer.flush(Writer.java:88)",
        " " * (2 * TAB_SIZE) + "at x" + " " * (3 * TAB_SIZE - 2 * TAB_SIZE - 4) + "foo",
    ]
    assert stamps[1:5] == [2, 2, 2, 2]
    assert levels[1:5] == [Level.ERROR] * 4
    assert sources[1:5] == [Source.DESTINATION] * 4
    assert lines[5] == "tab\there and\tthere".expandtabs(TAB_SIZE)
    assert len(lines) == 6


def test_level_word_strip_removes_one_word_and_only_before_a_blank() -> None:
    lines = columns(index_from_events(HOSTILE[4:8] + HOSTILE[11:12]))[0]
    assert lines == ["INFO twice", "after a tab", "two blanks", "INFORMATION stays", ""]


def test_message_newlines_without_traces_spread_the_columns() -> None:
    events = [HOSTILE[3], HOSTILE[12], HOSTILE[0]]
    lines, stamps, _, _ = columns(index_from_events(events))
    assert lines[:2] == ["two", "lines in a message"]
    assert lines[-1] == "Read 3 records"
    assert stamps[:2] == [4, 4]
    assert stamps[2:-1] == [13] * (len(lines) - 3)
    assert stamps[-1] == 1


def test_missing_and_null_fields_and_non_objects() -> None:
    events: list[Any] = [
        {"timestamp": 1, "level": "info", "logSource": "source", "message": "no trace key"},
        {"timestamp": 2, "level": "error", "logSource": "source", "message": "null trace", "stackTrace": None},
        {"level": "warn", "message": "no stamp, no source"},
        {"timestamp": 4, "level": "error", "logSource": "source", "message": "with trace", "stackTrace": "t1\n\tt2"},
    ]
    lines, stamps, levels, sources = columns(index_from_events(events))
    assert lines == ["no trace key", "null trace", "no stamp, no source", "with trace", "t1", " " * TAB_SIZE + "t2"]
    assert stamps == [1, 2, 0, 4, 4, 4]
    assert levels == [Level.INFO, Level.ERROR, Level.WARN, Level.ERROR, Level.ERROR, Level.ERROR]
    assert sources[2] == Source.UNKNOWN
    # A non-object element falls to the per-event path; the objects keep their values.
    mixed = index_from_events([*events, "not an object"])
    assert columns(mixed)[0][:6] == lines
    assert mixed.record_count == 5
