"""Chunked parse of a big attempt body: always identical to a one-shot parse.

The chunk size and the size threshold are shrunk so small synthetic logs are
cut into many chunks; every case is compared with the one-shot parse of the
same bytes (text, offsets, timestamps, levels, sources, record_count).
"""

from __future__ import annotations

import orjson
import pytest

from airsync_tui.logs import append_attempt_json, parse_attempt
from airsync_tui.logs import parse as parse_module
from airsync_tui.logs.synthetic import ANSI_SOURCE, synthetic_attempt_json
from tests.log_index_helpers import index_columns

TS = 1767255305000
HEAD = "2026-01-01 08:15:05 " + ANSI_SOURCE["source"] + " > "

#: Messages built to look like element separators, brackets and escapes.
TRICKY = (
    'payload {"a":{},{"b":1}} end',
    "ends with },{",
    'a "},{"message":"fake"} b',
    '","',
    'x","y',
    "closing ] bracket ]",
    "],[",
    '"]}},{"',
    'escaped \\"},{\\" quotes \\',
    "unicode é ü 日本語 🚀 },{",
    "multi\nline\nmessage },{\n",
    "\ttab\tand \x1b[31mANSI\x1b[0m",
    "INFO  level word },{",
    "",
)


def _tricky_events(count: int) -> list[dict]:
    events = []
    for i in range(count):
        event = {
            "timestamp": TS + i,
            "level": ("info", "warn", "error", "debug")[i % 4],
            "logSource": ("source", "destination", "platform")[i % 3],
            "message": f"{i} {TRICKY[i % len(TRICKY)]}",
        }
        if i % 7 == 0:
            event["stackTrace"] = "java.io.IOException: },{\n\tat a.b(C.java:1) ]"
        if i % 5 == 0:
            event["caller"] = {"className": "x},{y", "lineNumber": i}
        events.append(event)
    return events


def _tricky_lines(count: int) -> list[str]:
    lines = []
    for i in range(count):
        lines.append(f"{HEAD}{('INFO', 'WARN', 'ERROR', '')[i % 4]} {i} {TRICKY[i % len(TRICKY)]}")
        if i % 6 == 0:  # continuation lines, some runs crossing chunk edges
            lines.extend(['\tat io.airbyte.Foo(Foo.java:1) ","', "Caused by: x ERROR y ]", 'q","r'])
    return lines


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """Chunked parse for any size; returns a setter for the chunk size."""
    monkeypatch.setattr(parse_module, "CHUNKED_PARSE_MIN_BYTES", 0)

    def set_chunk(size: int) -> None:
        monkeypatch.setattr(parse_module, "PARSE_CHUNK_BYTES", size)

    set_chunk(300)
    return set_chunk


def _one_shot(raw: bytes):  # noqa: ANN202
    saved = parse_module.CHUNKED_PARSE_MIN_BYTES
    parse_module.CHUNKED_PARSE_MIN_BYTES = 1 << 62
    try:
        return parse_attempt(raw)
    finally:
        parse_module.CHUNKED_PARSE_MIN_BYTES = saved


def _assert_chunked_equals_one_shot(raw: bytes, *, min_chunks: int = 2) -> None:
    located = parse_module._locate_log_array(raw)  # noqa: SLF001
    assert located is not None
    chunks = list(parse_module._iter_array_chunks(raw, located))  # noqa: SLF001
    assert None not in chunks and len(chunks) >= min_chunks
    chunked = parse_module._parse_attempt_chunked(raw)  # noqa: SLF001
    assert chunked is not None, "the chunked path must have been used"
    whole = _one_shot(raw)
    assert index_columns(chunked.index) == index_columns(whole.index)
    assert chunked.attempt == whole.attempt
    assert chunked.log_type == whole.log_type
    assert index_columns(parse_attempt(raw).index) == index_columns(whole.index)


@pytest.mark.parametrize("chunk", [1, 50, 300, 1000, 4096])
@pytest.mark.parametrize("structured", [True, False])
def test_adversarial_messages_index_identically(structured: bool, chunk: int, small_chunks) -> None:  # noqa: ANN001
    small_chunks(chunk)
    logs = {"version": "1", "events": _tricky_events(400)} if structured else {"logLines": _tricky_lines(400)}
    raw = orjson.dumps({"attempt": {"id": 3, "status": "failed"}, "logType": "", "logs": logs})
    _assert_chunked_equals_one_shot(raw)


@pytest.mark.parametrize("structured", [True, False])
def test_synthetic_logs_index_identically(structured: bool, small_chunks) -> None:  # noqa: ANN001
    small_chunks(20_000)
    _assert_chunked_equals_one_shot(synthetic_attempt_json(20_000, structured=structured), min_chunks=10)


def test_metadata_after_the_logs_and_decoy_keys(small_chunks) -> None:  # noqa: ANN001
    # "logs" first, then metadata holding an "events" key, brackets and the separators.
    body = {
        "logs": {"events": _tricky_events(200), "version": "1"},
        "attempt": {"id": 1, "events": [{"message": "},{"}], "note": "]]"},
        "logType": "structured",
    }
    _assert_chunked_equals_one_shot(orjson.dumps(body))


def test_a_decoy_log_array_in_the_metadata_is_not_taken(small_chunks) -> None:  # noqa: ANN001
    # "logs": {"events": [...]} nested inside the attempt, before the real log.
    decoy = {"logs": {"events": [{"message": "decoy"}] * 50}}
    body = {"attempt": {"id": 1, "extra": decoy}, "logs": {"events": _tricky_events(100)}}
    raw = orjson.dumps(body)
    parsed = parse_attempt(raw)
    assert index_columns(parsed.index) == index_columns(_one_shot(raw).index)
    assert parsed.index.line(0) != "decoy"


def test_bare_logs_object_and_whitespace(small_chunks) -> None:  # noqa: ANN001
    events = ",".join(orjson.dumps(e).decode() for e in _tricky_events(150))
    raw = ('  {"version" : "1",\n "events" :  [' + events + "] \n}\n ").encode()
    _assert_chunked_equals_one_shot(raw)


def test_structured_wins_over_legacy_like_the_one_shot_parse(small_chunks) -> None:  # noqa: ANN001
    raw = orjson.dumps({"logs": {"logLines": _tricky_lines(100), "events": _tricky_events(100)}})
    assert index_columns(parse_attempt(raw).index) == index_columns(_one_shot(raw).index)
    raw = orjson.dumps({"logs": {"events": [], "logLines": _tricky_lines(100)}})
    assert index_columns(parse_attempt(raw).index) == index_columns(_one_shot(raw).index)


def test_no_valid_cut_falls_back_to_the_one_shot_parse(small_chunks) -> None:  # noqa: ANN001
    # Elements separated by "}, {" (not compact) and messages holding "},{":
    # every candidate cut is inside a string, so no chunk ever parses.
    event = orjson.dumps({"timestamp": TS, "level": "info", "logSource": "source", "message": "only },{ here"})
    raw = b'{"logs":{"events":[' + b", ".join([event] * 200) + b"]}}"
    assert parse_module._parse_attempt_chunked(raw) is None  # noqa: SLF001
    parsed = parse_attempt(raw)
    assert len(parsed.index) == 200
    assert index_columns(parsed.index) == index_columns(_one_shot(raw).index)


def test_legacy_without_any_header_line(small_chunks) -> None:  # noqa: ANN001
    raw = orjson.dumps({"logs": {"logLines": [f'plain "{i}","x" ERROR' for i in range(500)]}})
    _assert_chunked_equals_one_shot(raw)


def test_invalid_json_raises_like_the_one_shot_parse(small_chunks) -> None:  # noqa: ANN001
    good = orjson.dumps({"logs": {"events": _tricky_events(100)}})
    broken = good[: len(good) // 2] + b"\xff\xfe" + good[len(good) // 2 :]
    with pytest.raises(orjson.JSONDecodeError):
        parse_attempt(broken)
    with pytest.raises(orjson.JSONDecodeError):
        parse_attempt(good[:-3])


@pytest.mark.parametrize("structured", [True, False])
def test_append_attempt_json_in_chunks(structured: bool, small_chunks) -> None:  # noqa: ANN001
    small_chunks(500)
    logs_of = (lambda n: {"events": _tricky_events(n)}) if structured else (lambda n: {"logLines": _tricky_lines(n)})
    first = orjson.dumps({"logs": logs_of(120)})
    later = orjson.dumps({"logs": logs_of(300)})
    index = _one_shot(first).index
    expected = _one_shot(first).index
    saved = parse_module.CHUNKED_PARSE_MIN_BYTES
    parse_module.CHUNKED_PARSE_MIN_BYTES = 1 << 62
    try:
        expected_added = append_attempt_json(expected, later)
    finally:
        parse_module.CHUNKED_PARSE_MIN_BYTES = saved
    assert append_attempt_json(index, later) == expected_added > 0
    assert index_columns(index) == index_columns(expected)
    assert append_attempt_json(index, later) == 0
