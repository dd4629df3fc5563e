"""A spilled index (buffer in a mapped, unlinked temp file) reads, searches and exports exactly as before."""

from __future__ import annotations

import io

from airsync_tui.logs.export import write_formatted
from airsync_tui.logs.index import Level, LogIndex, Source


def build(count: int) -> LogIndex:
    index = LogIndex()
    index.append_lines(
        [f"line {i} {'connection reset by peer' if i % 97 == 0 else 'ok'} ünï" for i in range(count)],
        timestamp=1_764_590_400_000,
        level=Level.INFO,
        source=Source.SOURCE,
    )
    index.append_lines(["ERROR boom"], level=Level.ERROR)
    index.compact()
    return index


def test_spilled_index_is_identical_and_can_grow_again() -> None:
    memory, spilled = build(5000), build(5000)
    assert not spilled.spill(min_bytes=10**9)  # below the threshold: stays in memory
    assert spilled.spill(min_bytes=1) and spilled.spilled and not memory.spilled
    assert not spilled.spill(min_bytes=1)  # already spilled
    assert len(spilled) == len(memory) and spilled.text_size == memory.text_size
    for i in (0, 1, 97, 4999, 5000):
        assert spilled.line(i) == memory.line(i) and spilled.formatted(i) == memory.formatted(i)
    for term, case, regex in (("connection reset", False, False), ("Connection", True, False), (r"line \d+7 ", False, True)):
        assert list(spilled.search(term, case, regex)) == list(memory.search(term, case, regex))
    assert spilled.next_error(-1) == memory.next_error(-1) == 5000
    a, b = io.BytesIO(), io.BytesIO()
    write_formatted(spilled, a)
    write_formatted(memory, b)
    assert a.getvalue() == b.getvalue()
    spilled.append_lines(["after spill"])
    assert not spilled.spilled and spilled.line(len(spilled) - 1) == "after spill"
