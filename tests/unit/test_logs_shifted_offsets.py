"""``shifted_offsets`` (one big-integer add) equals adding ``base`` element by element."""

from __future__ import annotations

from array import array
from itertools import accumulate

import pytest

from airsync_tui.logs.index import LogIndex, shifted_offsets


def reference(offsets: array[int], base: int) -> array[int]:
    return array("q", [base + o for o in offsets])


@pytest.mark.parametrize(
    ("offsets", "base"),
    [
        ([], 5),
        ([0], 7),
        ([0, 3, 3, 9], 0),
        ([0, 1, 2, 3], 1),
        ([0, 150, 300, 2**32 - 1, 2**32, 2**40], 2**31 + 12345),  # values crossing 32-bit limbs
        ([0, 2**62], 2**62 - 1),  # the largest results that still fit in 63 bits
        ([5, 2**63 - 10], 10),  # would reach 2**63: per-element path (raises like it)
        ([0, 4, 8], -3),  # a negative base: per-element path
    ],
)
def test_matches_element_by_element(offsets: list[int], base: int) -> None:
    arr = array("q", offsets)
    try:
        expected: object = reference(arr, base)
    except OverflowError as error:
        expected = type(error)
    try:
        got: object = shifted_offsets(arr, base)
    except OverflowError as error:
        got = type(error)
    assert got == expected


def test_long_array_and_input_untouched() -> None:
    arr = array("q", accumulate(range(100_000), initial=0))
    before = arr.tobytes()
    assert shifted_offsets(arr, 987_654_321) == reference(arr, 987_654_321)
    assert arr.tobytes() == before


def test_concat_equals_appending() -> None:
    parts = [LogIndex.from_lines([f"part {p} line {i}" * (i % 3 + 1) for i in range(50 + p)]) for p in range(4)]
    whole = LogIndex()
    for part in parts:
        whole.append_index(part)
    joined = LogIndex.concat(parts)
    assert list(joined._offsets) == list(whole._offsets)  # noqa: SLF001
    assert [joined.line(i) for i in range(len(joined))] == [whole.line(i) for i in range(len(whole))]
