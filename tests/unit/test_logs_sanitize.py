"""Hostile log text must reach the terminal as plain, inert characters."""

from __future__ import annotations

import pytest

from airsync_tui.logs import parse_attempt_json, sanitize_buffer, sanitize_text, strip_ansi

HOSTILE = [
    ("clear\x1b[2Jscreen", "clearscreen"),
    ("\x1b]52;c;ZXZpbA==\x07after", "after"),  # OSC 52 clipboard write (BEL)
    ("\x1b]52;c;ZXZpbA==\x1b\\after", "after"),  # OSC 52 (ST)
    ("\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "click"),  # OSC 8 link
    ("\x1b[31mred\x1b[0m", "red"),
    ("nul\x00bel\x07bs\x08", "nulbelbs"),
    ("c1\x9b31mcsi\x9d0;title\x9cend", "c1csiend"),
    ("bidi\u202eevil\u2066x", "bidievilx"),
    ("reset\x1bcdone", "resetdone"),
    ("cr\r\nlf", "cr\nlf"),
]


@pytest.mark.parametrize(("raw", "expected"), HOSTILE)
def test_sanitize_text_and_buffer_agree(raw: str, expected: str) -> None:
    assert sanitize_text(raw) == expected
    assert sanitize_buffer(raw.encode()).decode() == expected


def test_no_escape_or_control_survives() -> None:
    raw = "".join(r for r, _ in HOSTILE) + "".join(chr(c) for c in range(32))
    for out in (sanitize_text(raw), sanitize_buffer(raw.encode()).decode()):
        assert not any(ord(ch) < 32 and ch != "\n" for ch in out)
        assert not any(0x7F <= ord(ch) <= 0x9F for ch in out)


def test_newlines_are_never_removed_or_added() -> None:
    raw = "a\x1b]0;x\ny\x07\nb\x1b[\nc\n"
    assert sanitize_buffer(raw.encode()).count(b"\n") == raw.count("\n")


def test_tabs_are_expanded() -> None:
    assert sanitize_text("a\tb") == "a       b"
    assert sanitize_buffer(b"a\tb\n\tc\n") == b"a       b\n        c\n"


def test_one_line_mode_and_rich_markup_kept_literally() -> None:
    assert sanitize_text("[bold red]x[/]\nnext", keep_newlines=False) == "[bold red]x[/] next"


def test_strip_ansi_keeps_other_text() -> None:
    assert strip_ansi("2026 \x1b[36mplatform\x1b[0m > hi\x07") == "2026 platform > hi\x07"


def test_hostile_structured_messages_are_inert_in_the_index() -> None:
    events = [{"timestamp": 1, "level": "info", "logSource": "source", "message": m} for m, _ in HOSTILE] + [
        {"timestamp": 1, "level": "info", "logSource": "source", "message": "[bold red]markup[/]"}
    ]
    index = parse_attempt_json({"events": events})
    texts = [index.line(i) for i in range(len(index))]
    assert "[bold red]markup[/]" in texts
    assert all("\x1b" not in t and "\x07" not in t and "\x00" not in t for t in texts)
    assert "click" in texts and "after" in texts
