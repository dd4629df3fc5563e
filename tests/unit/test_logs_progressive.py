"""Progressive loading: prefix guesses are exact or absent; the full parse wins."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from airsync_tui.logs import LogIndex, StaticAttempt, StaticLogFeed, parse_attempt
from airsync_tui.logs.feed import supports_progressive
from airsync_tui.logs.progressive import find_log_array, parse_prefix, parse_progressive
from airsync_tui.logs.synthetic import synthetic_attempt_json
from tests.log_index_helpers import index_columns

TS = 1767255305000


def _same_lines(prefix: LogIndex, full: LogIndex) -> None:
    """Every prefix line is the same line of the full index (text and columns)."""
    assert 0 < len(prefix) <= len(full)
    for i in range(len(prefix)):
        assert prefix.line(i) == full.line(i)
        assert prefix.prefix(i) == full.prefix(i)


@pytest.mark.parametrize("structured", [True, False])
def test_prefix_is_the_start_of_the_full_parse(structured: bool) -> None:
    raw = synthetic_attempt_json(20_000, structured=structured)
    prefix = parse_prefix(raw, max_bytes=64 * 1024)
    full = parse_attempt(raw).index
    assert prefix is not None
    assert len(prefix) < len(full)
    _same_lines(prefix, full)


def test_find_log_array_skips_an_events_key_in_the_metadata() -> None:
    raw = orjson.dumps({"attempt": {"events": [{"message": "not a log"}]}, "logs": {"events": [{"message": "real"}]}})
    key, start = find_log_array(raw)  # type: ignore[misc]
    assert key == "events"
    assert raw[start:].startswith(b'{"message":"real"')


def test_no_log_array_means_no_prefix() -> None:
    assert parse_prefix(b'{"attempt": {}, "logs": {}}') is None
    assert parse_prefix(b"not json at all") is None


def _events_with_tricky_messages(count: int) -> list[dict]:
    tricky = ('payload {"a":{},{"b":1}} end', "ends with },{", '","', "tail },{", '\\"},{"')
    return [
        {"timestamp": TS + i, "level": "info", "logSource": "source", "message": f"{i} {tricky[i % len(tricky)]}"} for i in range(count)
    ]


@pytest.mark.parametrize("max_bytes", [40, 57, 64, 100, 333, 1000, 4096])
def test_separator_like_text_in_messages_never_corrupts_the_prefix(max_bytes: int) -> None:
    raw = orjson.dumps({"logs": {"events": _events_with_tricky_messages(300)}})
    full = parse_attempt(raw).index
    prefix = parse_prefix(raw, max_bytes=max_bytes)
    if prefix is not None:  # a guess is either exact or absent
        _same_lines(prefix, full)


def test_a_cut_inside_a_message_falls_back_to_an_earlier_boundary() -> None:
    # The last "},{" in the window is inside the second message: the cut at it
    # does not parse, the earlier real boundary does.
    events = [{"message": "first"}, {"message": "x},{"}, {"message": "third"}]
    raw = orjson.dumps({"logs": {"events": events}})
    window = raw.index(b'x},{"') + 4 - find_log_array(raw)[1]  # type: ignore[index]
    prefix = parse_prefix(raw, max_bytes=window + 2)
    assert prefix is not None
    assert [prefix.line(i) for i in range(len(prefix))] == ["first"]


def test_a_prefix_that_never_parses_gives_none() -> None:
    # Only one separator, inside a string: no valid cut at all.
    raw = b'{"logs":{"logLines":["a\\",\\"b \\",\\" c' + b"x" * 100 + b'"]}}'
    assert parse_prefix(raw, max_bytes=60) is None


def test_legacy_lines_with_quotes_and_commas() -> None:
    lines = [f'2026-01-01 08:15:05 source > INFO said "hi","there" {i}' for i in range(500)]
    raw = orjson.dumps({"logs": {"logLines": lines}})
    prefix = parse_prefix(raw, max_bytes=5000)
    assert prefix is not None
    _same_lines(prefix, parse_attempt(raw).index)


@pytest.mark.parametrize("structured", [True, False])
async def test_parse_progressive_calls_back_then_returns_the_full_parse(structured: bool) -> None:
    raw = synthetic_attempt_json(5_000, structured=structured)
    seen: list[LogIndex] = []
    awaited: list[bool] = []

    async def painted() -> None:
        awaited.append(True)

    def on_prefix(prefix: LogIndex):  # noqa: ANN202
        seen.append(prefix)
        return painted()

    parsed = await parse_progressive(raw, on_prefix, min_bytes=0)
    full = parse_attempt(raw)
    assert len(seen) == 1 and awaited == [True]
    assert len(parsed.index) == len(full.index)
    assert parsed.attempt == full.attempt
    _same_lines(seen[0], parsed.index)


async def test_parse_progressive_skips_the_prefix_for_small_or_live_logs() -> None:
    raw = synthetic_attempt_json(500)
    calls: list[LogIndex] = []
    await parse_progressive(raw, calls.append)  # below the size threshold
    await parse_progressive(raw, calls.append, use_prefix=False, min_bytes=0)  # live
    assert calls == []


async def test_parse_progressive_falls_back_when_the_guess_fails() -> None:
    # A body whose prefix cannot be guessed still loads completely.
    # Elements separated by "}, {" (not compact), messages holding "},{": every
    # candidate cut is inside a string, so there is no prefix.
    event = orjson.dumps({"message": "only },{ one"})
    raw = b'{"logs":{"events":[' + b", ".join([event] * 3) + b"]}}"
    calls: list[LogIndex] = []
    parsed = await parse_progressive(raw, calls.append, min_bytes=0)
    assert calls == []
    assert [parsed.index.line(i) for i in range(3)] == ["only },{ one"] * 3


async def test_static_feed_progressive_from_raw_and_from_index() -> None:
    raw = synthetic_attempt_json(3_000, structured=False)
    full = parse_attempt(raw).index
    feed = StaticLogFeed(
        "t",
        {0: StaticAttempt(raw=raw), 1: StaticAttempt(index=full)},
        min_progressive_bytes=0,
        prefix_lines=100,
    )
    assert supports_progressive(feed)
    for number in (0, 1):
        prefixes: list[LogIndex] = []
        index = await feed.load_progressive(number, prefixes.append)
        assert len(index) == len(full)
        assert len(prefixes) == 1
        _same_lines(prefixes[0], index)
    assert len(prefixes[0]) == 100
    assert len(await feed.load(0)) == len(full)


async def test_static_feed_hold_full_keeps_the_prefix_state() -> None:
    hold = asyncio.Event()
    feed = StaticLogFeed("t", {0: StaticAttempt(raw=synthetic_attempt_json(3_000), hold_full=hold)}, min_progressive_bytes=0)
    prefixes: list[LogIndex] = []
    task = asyncio.create_task(feed.load_progressive(0, prefixes.append))
    for _ in range(200):
        await asyncio.sleep(0.01)
        if prefixes:
            break
    assert prefixes and not task.done()
    hold.set()
    index = await task
    assert len(index) > len(prefixes[0])


@pytest.mark.parametrize("chunk", [1, 3, 7, 64])
def test_chunked_indexing_equals_one_pass(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from airsync_tui.logs import parse as parse_module
    from airsync_tui.logs.synthetic import ANSI_SOURCE

    head = "2026-01-01 08:15:05 " + ANSI_SOURCE["source"] + " > "
    legacy = []
    for i in range(200):
        legacy.append(f"{head}{'ERROR' if i % 9 == 0 else 'INFO'} line {i}\twith tab")
        if i % 5 == 0:  # continuation lines (stack traces), some in runs crossing chunk edges
            legacy.extend(["\tat io.airbyte.Foo(Foo.java:1)", "Caused by: x WARN y", "multi\nline"])
    events = [
        {
            "timestamp": TS + i,
            "level": ("info", "warn", "error")[i % 3],
            "logSource": "destination",
            "message": f"INFO  event {i}\nsecond line",
            **({"stackTrace": "trace\n\tat x"} if i % 4 == 0 else {}),
        }
        for i in range(150)
    ]
    for logs in ({"logLines": legacy}, {"events": events}):
        whole = parse_attempt({"logs": logs}).index
        monkeypatch.setattr(parse_module, "INDEX_CHUNK_RECORDS", chunk)
        chunked = parse_attempt({"logs": logs}).index
        monkeypatch.setattr(parse_module, "INDEX_CHUNK_RECORDS", 10**9)
        assert index_columns(chunked) == index_columns(whole)
        assert isinstance(chunked._buf, bytes)  # noqa: SLF001 - compacted
