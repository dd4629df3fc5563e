"""The block exporter writes exactly what the per-line formatter would, much faster."""

from __future__ import annotations

import io

import pytest

from airsync_tui.logs import export as export_module
from airsync_tui.logs.export import BLOCK_LINES, write_formatted
from airsync_tui.logs.index import Level, LogIndex, Source
from airsync_tui.logs.parse import format_full_text


def sample(count: int) -> LogIndex:
    index = LogIndex()
    for i in range(count):
        index.append_lines(
            [f"line {i}\twith tab, ünïcode and \x1b[31mcolour\x1b[0m"],
            timestamp=(1_764_590_400_000 + i * 250) if i % 7 else 0,
            level=(Level.INFO, Level.ERROR, Level.WARN, Level.UNKNOWN)[i % 4],
            source=(Source.SOURCE, Source.DESTINATION, Source.PLATFORM, Source.UNKNOWN)[i % 4],
        )
    return index


#: Smaller blocks than the product's (`BLOCK_LINES`), so a small log crosses two block boundaries: the
#: same seams as a 50,123-line log at the real size, with 2 % of the formatting (~1.5 s of CPU before).
TEST_BLOCK_LINES = 1_000


def test_identical_to_format_full_text_across_blocks_with_and_without_timestamps(monkeypatch: pytest.MonkeyPatch) -> None:
    assert TEST_BLOCK_LINES < BLOCK_LINES
    monkeypatch.setattr(export_module, "BLOCK_LINES", TEST_BLOCK_LINES)
    index = sample(2 * TEST_BLOCK_LINES + 123)
    for show in (True, False):
        binary = io.BytesIO()
        written = write_formatted(index, binary, show_timestamps=show)
        expected = format_full_text(index, show_timestamps=show).encode("utf-8")
        assert binary.getvalue() == expected and written == len(expected)
    text = io.StringIO()
    write_formatted(index, text)
    assert text.getvalue() == format_full_text(index)


def test_empty_index_writes_nothing() -> None:
    out = io.BytesIO()
    assert write_formatted(LogIndex(), out) == 0 and out.getvalue() == b""
