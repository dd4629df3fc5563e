"""Big attempt bodies streamed into a mapped spool file parse exactly like bytes in memory."""

from __future__ import annotations

import mmap
from collections.abc import AsyncIterator

import httpx
import orjson
import pytest

from airsync_tui.errors import ApiError, TransportError
from airsync_tui.logs import LogIndex, append_attempt_json, parse_attempt
from airsync_tui.logs import parse as parse_module
from airsync_tui.logs import spool as spool_module
from airsync_tui.logs.spool import drop_resident_pages, spool_chunks
from airsync_tui.logs.synthetic import ANSI_SOURCE, synthetic_attempt_json
from airsync_tui.providers.http import JsonHttp, RetryPolicy
from tests.log_index_helpers import index_columns

FAST = RetryPolicy(attempts=3, base_delay=0.0, jitter=0.0)


async def _chunks(body: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def _mapped(body: bytes) -> mmap.mmap:
    import asyncio

    mapped = asyncio.run(spool_chunks(_chunks(body, 65536), map_min_bytes=0))
    assert isinstance(mapped, mmap.mmap)
    return mapped


async def test_small_bodies_stay_bytes_and_big_ones_are_mapped_with_the_same_content() -> None:
    small = b'{"logs": {"logLines": ["a"]}}'
    assert await spool_chunks(_chunks(small, 7)) == small
    big = bytes(range(256)) * 12_000  # ~3 MB, past the in-memory gathering limit
    as_bytes = await spool_chunks(_chunks(big, 4096), map_min_bytes=len(big) + 1)
    assert isinstance(as_bytes, bytes) and as_bytes == big
    mapped = await spool_chunks(_chunks(big, 4096), map_min_bytes=len(big))
    assert isinstance(mapped, mmap.mmap) and mapped[:] == big
    drop_resident_pages(mapped)  # pages leave RSS, the content does not change
    assert mapped[:] == big


def _hostile_events(count: int) -> bytes:
    events = []
    for i in range(count):
        event: dict[str, object] = {
            "timestamp": 1_767_254_400_000 + i,
            "level": ("INFO", "WARN", "ERROR")[i % 3],
            "logSource": ("source", "destination", "platform")[i % 3],
            "message": f"row {i} \x1b]0;pwned\x07 }},{{ \x1b[31mred\x1b[0m [link](x) \t tab",
        }
        if i % 7 == 0:
            event["stackTrace"] = "java.io.IOException: },{\n\tat a.b(C.java:1) ]"
        events.append(event)
    return orjson.dumps({"attempt": {"id": 1, "status": "failed"}, "logs": {"events": events}, "logType": "structured"})


def _hostile_lines(count: int) -> bytes:
    head = "2026-01-01 08:15:05 " + ANSI_SOURCE["source"] + " > "
    lines = [f'{head}ERROR {i} \x1b[2J"," ]' for i in range(count)]
    return orjson.dumps({"attempt": {"id": 1, "status": "failed"}, "logs": {"logLines": lines}})


@pytest.mark.parametrize(
    "body",
    [
        _hostile_events(400),
        _hostile_lines(400),
        synthetic_attempt_json(3000, structured=True),
        synthetic_attempt_json(3000, structured=False),
    ],
    ids=["hostile-events", "hostile-lines", "synthetic-events", "synthetic-lines"],
)
def test_a_mapped_body_indexes_byte_identically_to_bytes(body: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse_module, "PARSE_CHUNK_BYTES", 4096)
    expected = parse_attempt(body)  # below the chunked threshold: the one-shot parse
    monkeypatch.setattr(parse_module, "CHUNKED_PARSE_MIN_BYTES", 0)
    mapped = _mapped(body)
    got = parse_attempt(mapped)
    assert index_columns(got.index) == index_columns(expected.index)
    assert got.attempt == expected.attempt and got.log_type == expected.log_type
    assert b"\x1b" not in bytes(got.index._buf)  # noqa: SLF001 — escapes stay inert
    # Follow mode re-fetching the same mapped body adds nothing; a fresh index gets everything.
    assert append_attempt_json(got.index, mapped) == 0
    fresh = LogIndex()
    assert append_attempt_json(fresh, mapped) == len(expected.index)
    assert index_columns(fresh) == index_columns(expected.index)


def test_a_small_mapped_body_takes_the_one_shot_parse() -> None:
    body = _hostile_events(50)
    assert index_columns(parse_attempt(_mapped(body)).index) == index_columns(parse_attempt(body).index)


def test_search_on_a_spilled_index_is_unchanged_by_dropping_pages() -> None:
    index = parse_attempt(synthetic_attempt_json(5000, structured=True)).index
    before = list(index.search("stream users")), list(index.search("connection reset"))
    assert index.spill(min_bytes=0)
    for _ in range(2):  # the second search runs after the first dropped the mapped pages
        assert (list(index.search("stream users")), list(index.search("connection reset"))) == before
    assert index.line(len(index) - 1) == parse_attempt(synthetic_attempt_json(5000, structured=True)).index.line(len(index) - 1)


def _http(responses: list[httpx.Response]) -> tuple[JsonHttp, list[str]]:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        return responses.pop(0) if len(responses) > 1 else responses[0]

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    mapper = lambda r, b: ApiError(f"HTTP {r.status_code}", status_code=r.status_code)  # noqa: E731
    return JsonHttp(client, label="Test", error_mapper=mapper, policy=FAST), seen


async def test_spooled_request_maps_a_big_body_and_returns_a_small_one_as_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = synthetic_attempt_json(2000, structured=True)
    http, _ = _http([httpx.Response(200, content=body)])
    small = await http.request("POST", "http://t/a", json={}, safe=True, decode=False, spool=True)
    assert isinstance(small, bytes) and small == body
    monkeypatch.setattr(spool_module, "MAP_MIN_BYTES", 1024)
    http, _ = _http([httpx.Response(200, content=body)])
    big = await http.request("POST", "http://t/a", json={}, safe=True, decode=False, spool=True)
    assert isinstance(big, mmap.mmap) and big[:] == body


async def test_spooled_request_keeps_the_retry_and_error_rules() -> None:
    # A 503 is retried, then the body arrives.
    http, seen = _http([httpx.Response(503, json={"e": 1}), httpx.Response(200, content=b' {"logs": {}}')])
    assert await http.request("POST", "http://t/a", json={}, safe=True, decode=False, spool=True) == b' {"logs": {}}'
    assert seen == ["POST", "POST"]
    # A non-JSON body and an empty body are errors (retried on a safe read), never data.
    for bad, words in ((b"<html>proxy</html>", "non-JSON body"), (b"", "empty body")):
        http, seen = _http([httpx.Response(200, content=bad)])
        with pytest.raises(TransportError, match=words):
            await http.request("POST", "http://t/a", json={}, safe=True, decode=False, spool=True)
        assert len(seen) == 3
    # A 404 is final.
    http, seen = _http([httpx.Response(404, json={"e": 1})])
    with pytest.raises(ApiError, match="HTTP 404"):
        await http.request("POST", "http://t/a", json={}, safe=True, decode=False, spool=True)
    assert seen == ["POST"]
