"""The shared HTTP layer: which answers are retried, and the raw-bytes mode."""

from __future__ import annotations

import httpx
import pytest

from airsync_tui.errors import ApiError, TransportError
from airsync_tui.providers.http import JsonHttp, RetryPolicy

FAST = RetryPolicy(attempts=3, base_delay=0.0, jitter=0.0)


def _http(bodies: list[bytes]) -> tuple[JsonHttp, list[str]]:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        return httpx.Response(200, content=bodies.pop(0) if len(bodies) > 1 else bodies[0])

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return JsonHttp(client, label="Test", error_mapper=lambda r, b: ApiError("x", status_code=r.status_code), policy=FAST), seen


async def test_garbled_body_is_retried_for_safe_reads() -> None:
    http, seen = _http([b"<html>proxy</html>", b'{"ok": true}'])
    assert await http.request("GET", "http://t/x") == {"ok": True}
    assert seen == ["GET", "GET"]


async def test_garbled_body_on_a_trigger_is_final_not_resent() -> None:
    http, seen = _http([b"<html>proxy</html>", b'{"ok": true}'])
    with pytest.raises(TransportError, match="non-JSON body"):
        await http.request("POST", "http://t/jobs", json={"a": 1})
    assert seen == ["POST"]


async def test_decode_false_returns_checked_bytes() -> None:
    http, _ = _http([b'  {"logs": {}}'])
    assert await http.request("POST", "http://t/a", json={}, safe=True, decode=False) == b'  {"logs": {}}'
    http, seen = _http([b"oops", b"oops", b"oops"])
    with pytest.raises(TransportError):
        await http.request("POST", "http://t/a", json={}, safe=True, decode=False)
    assert len(seen) == 3


def _http_statuses(statuses: list[int]) -> tuple[JsonHttp, list[str]]:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        status = statuses.pop(0) if len(statuses) > 1 else statuses[0]
        return httpx.Response(status, json={"id": "1"} if status == 200 else {"error": "x"})

    def mapper(response: httpx.Response, body: object) -> ApiError:
        return ApiError(f"HTTP {response.status_code}", status_code=response.status_code)

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return JsonHttp(client, label="Test", error_mapper=mapper, policy=FAST), seen


async def test_unsafe_request_is_sent_once_unless_refused_resends_are_allowed() -> None:
    http, seen = _http_statuses([429, 200])
    with pytest.raises(ApiError):
        await http.request("POST", "http://t/trigger", json={})
    assert seen == ["POST"]
    http, seen = _http_statuses([429, 200])
    assert await http.request("POST", "http://t/trigger", json={}, resend_refused=True) == {"id": "1"}
    assert seen == ["POST", "POST"]
    http, seen = _http_statuses([500, 200])
    with pytest.raises(ApiError, match="HTTP 500"):
        await http.request("POST", "http://t/trigger", json={}, resend_refused=True)
    assert seen == ["POST"]
