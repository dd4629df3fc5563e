"""msgspec decoding of structured events gives exactly what the orjson path gives.

``event_decode.decode_events`` builds structs instead of orjson's dicts for
the chunked parse of a big structured log. Every hostile chunk below is
indexed both ways (``_load_array`` with ``key="events"``, which tries msgspec
first, and without, which is orjson alone) and must give the same columns,
or fail the same way. Some cases also assert which decoder took the chunk, so
the struct path is really exercised and the fallbacks really fall back.
"""

from __future__ import annotations

import typing

import orjson
import pytest

from airsync_tui.logs import parse as parse_module
from airsync_tui.logs import parse_attempt
from airsync_tui.logs.event_decode import LogEventStruct, decode_events, is_event_structs
from airsync_tui.logs.sanitize import TAB_SIZE
from airsync_tui.logs.synthetic import synthetic_attempt_json
from tests.log_index_helpers import index_columns

E = '"timestamp":1767255305000,"level":"info","logSource":"source"'

#: (name, JSON elements of the array, whether msgspec takes it).
CASES: list[tuple[str, bytes, bool]] = [
    ("plain", b"{" + E.encode() + b',"message":"hello"}', True),
    ("escapes", b"{" + E.encode() + rb',"message":"q\"b\\s\/d\b\f\n\r\t\u0000\u001b[31mred\u001b[0m"}', True),
    ("surrogate pair", b"{" + E.encode() + rb',"message":"\ud83d\ude00 \u00e9"}', True),
    ("raw unicode", b"{" + E.encode() + ',"message":"ünïcödé ✓ 𝄞 \u202e bidi"}'.encode(), True),
    ("nested json in message", b"{" + E.encode() + rb',"message":"{\"events\":[{\"a\":\"},{\"}],\"logs\":{}}"}', True),
    (
        "stack trace with newlines and tabs",
        b"{" + E.encode() + rb',"message":"boom","stackTrace":"java.io.IOException: x\n\tat a.B.c(B.java:1)\n\t\tat d"}',
        True,
    ),
    ("level word in message", b"{" + E.encode() + rb',"message":"INFO  Read\tINFO\nWARN x"}', True),
    ("missing fields", rb'{"message":"only a message"},{"timestamp":5},{}', True),
    (
        "null fields",
        rb'{"timestamp":null,"level":null,"logSource":null,"message":"m","stackTrace":null,"caller":null}',
        True,
    ),
    ("null message", rb'{"timestamp":1,"message":null}', False),
    (
        "caller",
        b"{"
        + E.encode()
        + rb',"message":"m","caller":{"className":"io.airbyte.X","methodName":"run","lineNumber":88,"threadName":"main"}}',
        True,
    ),
    ("upper-case and synonym levels", rb'{"level":"WARNING","message":"a"},{"level":"fatal","message":"b"}', True),
    ("duplicate keys keep the last", rb'{"message":"first","message":"second","level":"info","level":"error"}', True),
    ("whitespace", b' { "timestamp" : 1 ,\n\t"message" : "spaced" } ,\r\n{ } ', True),
    ("negative and int64 bounds", rb'{"timestamp":-5,"message":"a"},{"timestamp":9223372036854775807,"message":"b"}', True),
    ("empty strings", rb'{"message":"","stackTrace":""}', True),
    # Falls back to orjson: what msgspec would decode differently, skip unchecked, or refuse.
    ("float timestamp", rb'{"timestamp":1767255305000.0,"message":"a"}', False),
    ("exponent timestamp", rb'{"timestamp":1e3,"message":"a"}', False),
    ("string timestamp", rb'{"timestamp":"1767255305000","message":"a"}', False),
    ("timestamp beyond int64", rb'{"timestamp":9223372036854775808,"message":"a"}', False),
    ("timestamp beyond uint64", rb'{"timestamp":184467440737095516150,"message":"a"}', False),
    ("unknown level word", rb'{"level":"notice","message":"a"}', False),
    ("mixed-case level", rb'{"level":"Info","message":"a"}', False),
    ("numeric level", rb'{"level":3,"message":"a"}', False),
    ("unknown source", rb'{"logSource":"connector","message":"a"}', False),
    ("numeric message", rb'{"message":12}', False),
    ("object message", rb'{"message":{"a":1}}', False),
    ("list stack trace", rb'{"message":"a","stackTrace":["x"]}', False),
    ("extra field", rb'{"message":"a","throwable":{"x":1}}', False),
    ("extra field with an infinite number", rb'{"message":"a","x":1e400}', False),
    ("extra field with a huge number", rb'{"message":"a","x":123456789012345678901234567890}', False),
    ("caller with an extra key", rb'{"message":"a","caller":{"className":"X","extra":1}}', False),
    ("caller with a float line", rb'{"message":"a","caller":{"lineNumber":1.5}}', False),
    ("event that is a string", rb'"just a string"', False),
    ("event that is null", rb'{"message":"a"},null', False),
    ("event that is a list", rb"[1,2]", False),
    ("lone surrogate", b"{" + E.encode() + rb',"message":"\ud800 alone"}', False),
    ("invalid utf-8", b"{" + E.encode() + b',"message":"\xff\xfe"}', False),
    ("invalid utf-8 in an unknown field", b'{"message":"a","x":"\xff"}', False),
    ("encoded surrogate", b'{"message":"\xed\xa0\x80"}', False),
    ("control character in string", b'{"message":"a\x01b"}', False),
    ("truncated", rb'{"message":"a"', False),
    ("trailing comma", rb'{"message":"a"},', False),
]


def _outcome(records: list[typing.Any] | None) -> object:
    """The index columns of ``records``, or what went wrong, comparably."""
    if records is None:
        return "not a chunk"
    try:
        return index_columns(parse_module.index_from_events(records))
    except Exception as error:  # noqa: BLE001 - the failure itself is compared
        return (type(error), str(error))


@pytest.mark.parametrize(("name", "elements", "struct_path"), CASES, ids=[c[0] for c in CASES])
def test_msgspec_chunk_equals_orjson_chunk(name: str, elements: bytes, struct_path: bool) -> None:
    via_msgspec = parse_module._load_array(elements, "events")  # noqa: SLF001
    via_orjson = parse_module._load_array(elements)  # noqa: SLF001
    assert is_event_structs(via_msgspec) is struct_path, name
    assert via_orjson is None or not is_event_structs(via_orjson)
    assert _outcome(via_msgspec) == _outcome(via_orjson)


def test_struct_path_gives_real_columns() -> None:
    """Not just equal: the struct path carries the values through (defaults, nulls, codes)."""
    records = parse_module._load_array(  # noqa: SLF001
        rb'{"timestamp":7,"level":"ERROR","logSource":"destination","message":"INFO x","stackTrace":"t\n\tat y"},'
        rb'{"message":"","timestamp":null}',
        "events",
    )
    assert is_event_structs(records)
    index = parse_module.index_from_events(typing.cast("list[LogEventStruct]", records))
    assert [index.line(i) for i in range(len(index))] == ["x", "t", " " * TAB_SIZE + "at y", ""]
    assert [index.timestamp(i) for i in range(len(index))] == [7, 7, 7, 0]
    assert [index.level(i).name for i in range(len(index))] == ["ERROR", "ERROR", "ERROR", "UNKNOWN"]
    assert [index.source(i).name for i in range(len(index))] == ["DESTINATION", "DESTINATION", "DESTINATION", "UNKNOWN"]


def test_literal_words_are_the_parsers_words() -> None:
    """The struct's ``Literal`` words are exactly the words the dict path maps to a known code."""
    hints = typing.get_type_hints(LogEventStruct, include_extras=True)
    (levels, _none) = typing.get_args(hints["level"])
    (sources, _none2) = typing.get_args(hints["logSource"])
    assert set(typing.get_args(levels)) == set(parse_module._LEVEL_CODES)  # noqa: SLF001
    assert set(typing.get_args(sources)) == set(parse_module._SOURCE_CODES)  # noqa: SLF001


def test_decode_events_refuses_non_arrays() -> None:
    assert decode_events(b'{"events":[]}') is None
    assert decode_events(b"[]") == []


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse_module, "CHUNKED_PARSE_MIN_BYTES", 1)
    monkeypatch.setattr(parse_module, "PARSE_CHUNK_BYTES", 4096)


@pytest.mark.usefixtures("small_chunks")
def test_chunked_parse_with_structs_equals_without(monkeypatch: pytest.MonkeyPatch) -> None:
    """A whole body, cut into many chunks (some falling back mid-log), gives the one-shot index."""
    body = orjson.loads(synthetic_attempt_json(3000, structured=True))
    events = body["logs"]["events"]
    events[1500]["timestamp"] = 1.5  # one chunk falls back to orjson
    events[2200]["caller"] = {"className": "io.airbyte.X", "lineNumber": 3}
    events[2500]["message"] = 'nested {"a":"},{"} and \u0000 and ünï'
    raw = orjson.dumps(body)
    used: list[bool] = []
    decode = parse_module.decode_events

    def counting(text: bytes) -> list[LogEventStruct] | None:
        result = decode(text)
        used.append(result is not None)
        return result

    monkeypatch.setattr(parse_module, "decode_events", counting)
    chunked = parse_attempt(raw)
    assert True in used and False in used  # both decoders took chunks
    monkeypatch.setattr(parse_module, "CHUNKED_PARSE_MIN_BYTES", len(raw) + 1)
    whole = parse_attempt(raw)  # one-shot orjson parse
    assert index_columns(chunked.index) == index_columns(whole.index)
    assert chunked.attempt == whole.attempt and chunked.log_type == whole.log_type
