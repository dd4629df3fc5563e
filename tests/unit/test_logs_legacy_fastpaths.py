"""The legacy index's fast paths give exactly what the general paths give.

* the loose last-era header split (``_LEGACY_HEAD_2024_PLAIN`` + a check of the
  distinct values) equals the general ``_LEGACY_HEAD.split`` on every input,
  including lines that look like the last era but are not;
* the positional timestamp parse equals ``time.strptime`` (leap second,
  impossible dates, out-of-range fields);
* line starts taken from the messages' lengths equal a split of the buffer.
"""

from __future__ import annotations

import calendar
import time

import pytest

from airsync_tui.logs import parse as parse_module
from airsync_tui.logs.index import LogIndex, offsets_of
from airsync_tui.logs.parse import index_from_log_lines
from airsync_tui.logs.synthetic import ANSI_SOURCE, synthetic_log_lines

ESC = "\x1b"
STAMP = "2026-01-01 08:15:05"
LAST_ERA = [f"{STAMP} {ANSI_SOURCE['source']} > INFO read 10 records", f"{STAMP} {ANSI_SOURCE['platform']} > WARN  two blanks"]

# Each case: last-era lines plus one line that breaks the fast path in one way.
ODD_LINES = {
    "continuation": "\tat io.airbyte.Foo(Foo.java:1)",
    "unknown source word": f"{STAMP} {ESC}[36mworker{ESC}[0m > INFO x",
    "unknown level word": f"{STAMP} {ANSI_SOURCE['source']} > INFOX x",
    "lower-case level": f"{STAMP} {ANSI_SOURCE['source']} > Info x",
    "not a stamp": f"2026-01-01 08:15:5x {ANSI_SOURCE['source']} > INFO x",
    "SGR after the level": f"{STAMP} {ANSI_SOURCE['source']} > {ESC}[32mINFO{ESC}[m x",
    "two SGRs before the source": f"{STAMP} {ESC}[1m{ANSI_SOURCE['source']} > INFO x",
    "no SGR": f"{STAMP} source > INFO x",
    "level word ends the line": f"{STAMP} {ANSI_SOURCE['source']} > INFO",
    "tab after the level": f"{STAMP} {ANSI_SOURCE['destination']} > ERROR\tboom",
    "older era": "2022-03-24 17:46:44 destination > 2022-03-24 17:46:44 INFO i.a.Dest(main):81 - start",
}


def _raw(lines: list[str]) -> bytes:
    return ("\n" + "\n".join(lines)).encode("utf-8", "replace")


def test_plain_last_era_takes_the_fast_path_and_equals_the_general_split() -> None:
    raw = _raw(synthetic_log_lines(500) + LAST_ERA)
    parts, all_headed = parse_module._split_legacy_headed(raw)  # noqa: SLF001
    assert all_headed is True
    assert parts == parse_module._LEGACY_HEAD.split(raw)  # noqa: SLF001


@pytest.mark.parametrize("case", sorted(ODD_LINES))
def test_an_odd_line_anywhere_gives_the_general_split(case: str) -> None:
    for position in (0, 1, len(LAST_ERA) + 1):
        lines = LAST_ERA * 2
        lines.insert(position, ODD_LINES[case])
        raw = _raw(lines)
        parts, _ = parse_module._split_legacy_headed(raw)  # noqa: SLF001
        assert parts == parse_module._LEGACY_HEAD.split(raw), (case, position)  # noqa: SLF001


def test_a_continuation_line_still_inherits_from_the_line_above() -> None:
    index = index_from_log_lines([*LAST_ERA, ODD_LINES["continuation"]])
    assert index.formatted(2).startswith(index.formatted(1)[:35])  # same timestamp, level and source columns
    assert index.line(2).strip() == "at io.airbyte.Foo(Foo.java:1)"


@pytest.mark.parametrize(
    "stamp",
    [
        b"2026-01-01 08:15:05",
        b"2024-02-29 23:59:59",
        b"2024-12-31 23:59:60",  # leap second: strptime accepts it
        b"2023-02-29 10:00:00",  # no such day
        b"2026-13-01 00:00:00",
        b"2026-01-01 24:00:00",
        b"2026-01-01 00:60:00",
        b"1999-12-31 23:59:59",
    ],
)
def test_positional_timestamp_parse_equals_strptime(stamp: bytes) -> None:
    try:
        expected = calendar.timegm(time.strptime(stamp.decode(), "%Y-%m-%d %H:%M:%S")) * 1000
    except ValueError:
        expected = 0
    assert parse_module._stamp_ms(stamp) == expected  # noqa: SLF001


@pytest.mark.parametrize(
    "extra",
    ["", f"{STAMP} {ANSI_SOURCE['source']} > INFO colour {ESC}[31mred{ESC}[0m inside", f"{STAMP} {ANSI_SOURCE['source']} > INFO a\ttab"],
)
def test_line_starts_equal_a_split_of_the_buffer(extra: str) -> None:
    lines = [*LAST_ERA, "", "unicode é 日本語", *([extra] if extra else [])]
    index = index_from_log_lines(lines)
    buf = b"".join(index.line(i).encode() + b"\n" for i in range(len(index)))
    rebuilt = LogIndex.from_parts(buf, index._timestamps, index._levels, index._sources)  # noqa: SLF001
    assert list(index._offsets) == list(offsets_of(buf))  # noqa: SLF001
    assert index.max_line_bytes == rebuilt.max_line_bytes
    assert [index.formatted(i) for i in range(len(index))] == [rebuilt.formatted(i) for i in range(len(index))]
