"""A plain search read a step at a time finds exactly what the whole-text search finds.

``LogIndex.search`` runs a plain term (no regex, no line break) over
line-aligned steps of the text (``_search_plain``); the whole-text path
(``_search_whole``, which regexes still take) is the reference. Steps are
made tiny here so every term crosses many step boundaries, on hostile text:
CRLF, stack traces, ANSI, unicode, escaped JSON, empty and very long lines,
a spilled (mapped) buffer, a grown (appended) one, ``start`` and the
``visible`` filter mask.
"""

from __future__ import annotations

import threading
from itertools import compress

import pytest

from airsync_tui.logs import index as index_module
from airsync_tui.logs.index import Level, LogIndex, SearchError
from airsync_tui.logs.parse import index_from_events, index_from_log_lines
from airsync_tui.logs.synthetic import synthetic_events, synthetic_log_lines

HOSTILE_EVENTS = [
    {"timestamp": 1, "level": "info", "logSource": "source", "message": "Read 3 records\r\nCRLF inside"},
    {
        "timestamp": 2,
        "level": "error",
        "logSource": "destination",
        "message": "Failed: connection reset by peer",
        "stackTrace": "java.net.SocketException: Connection reset\n\tat io.airbyte.Writer.flush(Writer.java:88)",
    },
    {"timestamp": 3, "level": "warn", "logSource": "platform", "message": "colour \x1b[31mRESET\x1b[0m and \x1b]52;c;Zm9v\x07 clip"},
    {"timestamp": 4, "level": "info", "logSource": "source", "message": "ünïcödé ÉCOLE école ✓ 𝄞 reset"},
    {"timestamp": 5, "level": "info", "logSource": "source", "message": '{"msg": "reset \\"quoted\\"", "n": [1, 2]}'},
    {"timestamp": 6, "level": "info", "logSource": "source", "message": ""},
    {"timestamp": 7, "level": "info", "logSource": "source", "message": "reset reset reset" + " x" * 3000 + " reset"},
    {"timestamp": 8, "level": "info", "logSource": "source", "message": "resetreset"},
    {"timestamp": 9, "level": "info", "logSource": "source", "message": "no trailing newline at the end: reset"},
]
TERMS = ["reset", "RESET", "Reset", "connection reset", "école", "ÉCOLE", "É", "𝄞", '\\"quoted', "r", " ", "x x", "nothing here", "reset\r"]


@pytest.fixture(autouse=True)
def tiny_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "SEARCH_STEP_BYTES", 64)


def hostile_index() -> LogIndex:
    events = [*HOSTILE_EVENTS, *synthetic_events(300), *HOSTILE_EVENTS]
    return index_from_events(events)


def whole(index: LogIndex, term: str, case_sensitive: bool, start: int = 0) -> list[int]:
    return list(index._search_whole(term, case_sensitive, False, start, len(index)))  # noqa: SLF001


@pytest.mark.parametrize("term", TERMS)
@pytest.mark.parametrize("case_sensitive", [False, True])
def test_plain_steps_equal_the_whole_text_search(term: str, case_sensitive: bool) -> None:
    index = hostile_index()
    for start in (0, 1, 7, len(index) - 1):
        assert list(index.search(term, case_sensitive, start=start)) == whole(index, term, case_sensitive, start), (term, start)


def test_known_counts_on_hostile_text() -> None:
    index = hostile_index()
    # "reset" (any case) is on: the error message, the trace's first line, the ANSI line, the unicode
    # line, the JSON line, the long line, "resetreset", the last line; twice over, plus synthetic errors.
    synthetic = sum(1 for e in synthetic_events(300) if "reset" in (e["message"] + e.get("stackTrace", "")).lower())
    assert len(index.search("reset")) == 2 * 8 + synthetic
    assert len(index.search("RESET", case_sensitive=True)) == 2  # the ANSI line (its escapes are gone)
    assert len(index.search("école")) == 2 * 1 and len(index.search("ÉCOLE")) == 2 * 1


def test_legacy_spilled_and_grown_buffers() -> None:
    index = index_from_log_lines(synthetic_log_lines(2000))
    assert index.spill(min_bytes=0)
    for term in ("stream users", "Rate limited", "offset 99)", "zzz"):
        assert list(index.search(term)) == whole(index, term, False)
    index.append_lines(["late stream users line", "tail\twith tab stream users"])  # back into a growing bytearray
    assert not index.spilled
    found = list(index.search("stream users"))
    assert found == whole(index, "stream users", False)
    assert found[-2:] == [len(index) - 2, len(index) - 1]
    assert list(index.search("stream users", start=len(index) - 2)) == [len(index) - 2, len(index) - 1]


def test_visible_mask_keeps_only_shown_lines() -> None:
    index = hostile_index()
    mask = index.visibility_mask(min_level=Level.WARN)
    assert mask is not None
    everything = index.search("reset")
    shown = index.search("reset", visible=mask)
    assert list(shown) == list(compress(everything, (mask[line] for line in everything)))
    assert 0 < len(shown) < len(everything)


def test_regex_and_line_breaks_still_take_the_whole_text() -> None:
    index = index_from_log_lines(["alpha one", "beta two", "alpha three"])
    assert list(index.search("alpha|two", regex=True)) == [0, 1, 2]
    assert list(index.search("one\nbeta")) == [0]  # a plain term with a line break spans lines
    with pytest.raises(SearchError):
        index.search("(", regex=True)


def test_search_while_another_thread_appends() -> None:
    index = index_from_log_lines(synthetic_log_lines(3000))
    before = list(index.search("stream users"))

    def grow() -> None:
        for _ in range(100):
            index.append_lines(["appended stream users line"] * 20)

    writer = threading.Thread(target=grow)
    writer.start()
    try:
        for _ in range(10):
            found = index.search("stream users")
            assert list(found[: len(before)]) == before
            assert list(found) == sorted(set(found))
    finally:
        writer.join()
    assert len(index.search("stream users")) == len(before) + 100 * 20
