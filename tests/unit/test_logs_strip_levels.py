"""The one-pass level-word strip equals the step-by-step strip on every line shape.

``_strip_leading_levels`` removes a redundant level word at the start of a
structured event's line in one regex pass and falls back to the steps
(``_strip_leading_levels_in_steps``: rare forms, then ``WORD + one blank``
word by word) when a line still starts with a level word afterwards.
"""

from __future__ import annotations

from itertools import product

import pytest

from airsync_tui.logs import parse as parse_module

WORDS = ["INFO", "WARN", "ERROR", "DEBUG", "TRACE", "INFORMATION", "info", "WARNING"]
GAPS = ["", " ", "  ", "\t", " \t", "\t ", ":", "\n"]
TAILS = ["", "x", " x", "WARN x", "INFO", "\tat Foo"]


def lines() -> list[bytes]:
    out = [f"{w}{g}{t}".encode() for w, g, t in product(WORDS, GAPS, TAILS)]
    out += [f"{a}{g}{b} rest".encode() for a, b, g in product(WORDS[:5], WORDS[:5], ["  ", " ", "\t"])]
    return out


@pytest.mark.parametrize("line", lines(), ids=repr)
def test_one_line_after_others(line: bytes) -> None:
    for before in (b"", b"plain\n", b"INFO first\n"):
        buf = b"\n" + before + line + b"\n"
        assert parse_module._strip_leading_levels(buf) == parse_module._strip_leading_levels_in_steps(buf)  # noqa: SLF001


def test_all_lines_in_one_buffer() -> None:
    buf = b"\n" + b"\n".join(lines()) + b"\n"
    assert parse_module._strip_leading_levels(buf) == parse_module._strip_leading_levels_in_steps(buf)  # noqa: SLF001


def test_the_common_form_takes_one_pass() -> None:
    buf = b"\nINFO Read 3 records\nWARN  slow\nERROR\nDEBUG\tx\nINFORMATION stays\n"
    assert parse_module._LEADING_LEVEL_LEFT.search(parse_module._LEADING_LEVEL_ONE_PASS.sub(b"\n", buf)) is None  # noqa: SLF001
    assert parse_module._strip_leading_levels(buf) == b"\nRead 3 records\nslow\n\nx\nINFORMATION stays\n"  # noqa: SLF001
