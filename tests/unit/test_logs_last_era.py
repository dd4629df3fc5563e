"""The last-era legacy index (``_index_last_era``) equals the general legacy index.

The fast path joins the lines with a blank line, splits on the whole header
as one group and reads each distinct header once; the general path
(``_index_legacy_general``, the reference) splits on the era-tolerant
pattern. On every input both must give the same text, line starts, longest
line, columns and record count, or the fast path must step aside (``None``).
Also: ``LogIndex.concat`` equals appending the parts one by one.
"""

from __future__ import annotations

from typing import Any

import pytest

from airsync_tui.logs import index as index_module
from airsync_tui.logs import parse as parse_module
from airsync_tui.logs.index import LogIndex
from airsync_tui.logs.parse import index_from_events, index_from_log_lines
from airsync_tui.logs.synthetic import ANSI_SOURCE, synthetic_events, synthetic_log_lines
from tests.log_index_helpers import index_columns

ESC = "\x1b"
STAMP = "2026-01-01 08:15:05"


def head(source: str = "source", level: str = "INFO", stamp: str = STAMP) -> str:
    return f"{stamp} {ANSI_SOURCE[source]} > {level} "


HOSTILE_HEADED = [
    head() + "plain",
    head("destination", "ERROR") + "crlf\r\nin a line",  # "\r" is sanitised away, "\n" makes two lines
    head("platform", "WARN") + "\ttab first\tand inside",
    head("replication-orchestrator", "DEBUG") + "colour " + ESC + "[31mred" + ESC + "[0m and OSC " + ESC + "]52;c;Zm9v\x07",
    head(level="TRACE") + "unicode é 日本語 𝄞 \u202e bidi",
    head() + '{"escaped": "json \\"quoted\\"", "nested": {"a": [1, 2]}}',
    head() + "",
    head(stamp="2024-12-31 23:59:60") + "leap second",
    head(stamp="2023-02-29 10:00:00") + "no such day",
    head().rstrip() + "  \t  blanks after the level",
    head() + "x" * 5000,
]
CONTINUATIONS = [
    "\tat io.airbyte.Foo(Foo.java:1)",
    "Caused by: java.io.IOException: boom",
    "",
    f"{STAMP} INFO i.a.Platform(run):12 - older era platform line",
    f"{STAMP} {ESC}[36mworker{ESC}[0m > INFO unknown source",
    f"{STAMP} {ANSI_SOURCE['source']} > Info lower-case level",
    f"{STAMP} {ANSI_SOURCE['source']} > INFO",
    f"2026-01-01 08:15:5x {ANSI_SOURCE['source']} > INFO not a stamp",
]


def general(lines: list[Any]) -> LogIndex:
    raw = ("\n" + "\n".join(lines)).encode("utf-8", "replace")
    return parse_module._index_legacy_general(raw, len(lines))  # noqa: SLF001


CASES = {
    "synthetic": synthetic_log_lines(700),
    "hostile headed": HOSTILE_HEADED * 3,
    "hostile headed, no line holds a newline": [line for line in HOSTILE_HEADED if "\n" not in line] * 3,
    "one line": HOSTILE_HEADED[:1],
    **{f"with {line[:24]!r}": [*HOSTILE_HEADED[:3], line, *HOSTILE_HEADED[3:]] for line in CONTINUATIONS},
    **{f"starts with {line[:24]!r}": [line, *HOSTILE_HEADED] for line in CONTINUATIONS},
    "line holds a newline and a header": [head() + "a\n" + head("platform") + "b", head() + "c"],
    "line holds a newline": [head() + "a\nb", head() + "c"],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_equals_the_general_path(case: str) -> None:
    lines = CASES[case]
    assert index_columns(index_from_log_lines(lines)) == index_columns(general(lines))


def test_takes_the_fast_path_only_when_every_line_is_headed() -> None:
    single_lines = [line for line in HOSTILE_HEADED if "\n" not in line]
    assert parse_module._index_last_era(single_lines) is not None  # noqa: SLF001
    assert parse_module._index_last_era(HOSTILE_HEADED) is None  # a line holds a "\n"  # noqa: SLF001
    assert parse_module._index_last_era(synthetic_log_lines(50)) is not None  # noqa: SLF001
    for line in CONTINUATIONS:
        assert parse_module._index_last_era([*single_lines, line]) is None, line  # noqa: SLF001
    assert parse_module._index_last_era([head() + "a\nb"]) is None  # noqa: SLF001
    assert parse_module._index_last_era([head() + "ok", 42]) is None  # noqa: SLF001


def test_non_string_lines_fail_as_before() -> None:
    with pytest.raises(TypeError):
        index_from_log_lines([head() + "ok", 42])  # type: ignore[list-item]  # a sloppy server's array


def parts() -> list[LogIndex]:
    """Fresh parts each call (appending adopts the first part's columns and grows them)."""
    empty = LogIndex()
    empty.record_count = 3  # an empty part still counts its records
    return [index_from_log_lines(HOSTILE_HEADED), empty, index_from_events(synthetic_events(120)), index_from_log_lines(CONTINUATIONS)]


def test_concat_equals_appending_part_by_part() -> None:
    appended = LogIndex()
    for part in parts():
        appended.append_index(part)
    appended.compact()
    joined = LogIndex.concat(parts())
    assert index_columns(joined) == index_columns(appended)
    assert isinstance(joined._buf, bytes)  # noqa: SLF001
    assert index_columns(LogIndex.concat([])) == index_columns(LogIndex())
    assert index_columns(LogIndex.concat(parts()[:1])) == index_columns(parts()[0])


@pytest.mark.parametrize(
    "buf", [b"", b"\n", b"a\n", b"a\n\nbc\n", "é\n日本語\n".encode(), b"x" * 70 + b"\n\n", b"cr\rin\r\nit\n", b"\x0b\x0c\x1c\x85\n"]
)
def test_line_starts_and_longest_equal_a_plain_split(buf: bytes) -> None:
    lengths = [len(piece) for piece in buf.split(b"\n")][:-1]
    expected = [sum(length + 1 for length in lengths[:i]) + 5 for i in range(len(lengths) + 1)]
    offsets, longest = index_module._offsets_and_longest(buf, 5)  # noqa: SLF001
    assert list(offsets) == expected
    assert longest == max(lengths, default=0)
