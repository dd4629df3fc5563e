"""Resilient JSON-over-HTTP shared by every provider client.

Why one layer: every provider needs the same guarantees — a timeout on every
call, retries with exponential backoff and jitter for *safe* requests on
429/5xx/connection errors (honouring `Retry-After`), never a blind retry of a
request that starts work (a trigger), one-line errors without secrets, a
health signal the watcher can show ("retrying in 4 s"), an optional client-side
rate limit (Hightouch: 200 requests / 10 s), and a request counter for the
benchmarks.
"""

from __future__ import annotations

import asyncio
import os
import random
import ssl
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from airsync_tui.errors import ApiError, AuthError, RateLimitedError, TransportError, redact

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

_PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy")
_plain_http_context: ssl.SSLContext | None = None


def tls_verify_for(*urls: str | None) -> ssl.SSLContext | bool:
    """The `verify=` argument for a client that only talks to `urls`.

    Why: httpx builds its TLS context when the client is made, loading
    certifi's whole CA bundle (0.1-0.3 s per client on a busy machine), even
    for a plain `http://` server such as the demo emulator or a self-hosted
    Airbyte on the LAN. When every URL is plain HTTP (and no proxy variable
    could send traffic through TLS), the client gets a context that still
    requires and checks certificates but trusts no CA: a stray `https://`
    request fails closed instead of being sent unverified. Anything else
    keeps httpx's default verification (`True`).
    """
    given = [url for url in urls if url]
    if not given or any(urlsplit(url).scheme != "http" for url in given):
        return True
    if any(os.environ.get(name) for name in _PROXY_VARIABLES):
        return True
    global _plain_http_context
    if _plain_http_context is None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED + check_hostname, no CA loaded
        _plain_http_context = context
    return _plain_http_context


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try a safe request before giving up."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0
    jitter: float = 0.25  # ± fraction of the delay

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay)
        raw = min(self.base_delay * (2**attempt), self.max_delay)
        return max(0.0, raw * (1 + random.uniform(-self.jitter, self.jitter)))


@dataclass(frozen=True)
class HttpSignal:
    """What the HTTP layer tells the watcher about API health."""

    kind: str  # "ok" | "retrying" | "auth_failed" | "error"
    message: str = ""
    retry_in: float | None = None


class SlidingWindowLimiter:
    """At most `max_requests` per rolling `window` seconds (client side).

    Hightouch allows 200 requests per 10 s per workspace and answers 429
    beyond; staying under it on our side is cheaper than backing off.
    """

    def __init__(self, max_requests: int, window: float) -> None:
        self.max_requests = max_requests
        self.window = window
        self._stamps: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                while self._stamps and now - self._stamps[0] >= self.window:
                    self._stamps.popleft()
                if len(self._stamps) < self.max_requests:
                    self._stamps.append(now)
                    return
                await asyncio.sleep(self.window - (now - self._stamps[0]) + 0.001)

    def in_window(self) -> int:
        now = time.monotonic()
        return sum(1 for stamp in self._stamps if now - stamp < self.window)


ErrorMapper = Callable[[httpx.Response, Any], ApiError]


@dataclass
class RequestStats:
    """Counts for benchmarks and the UI's "requests/s" readout."""

    requests: int = 0
    retries: int = 0
    by_path: dict[str, int] = field(default_factory=dict)


def parse_retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _non_json(response: httpx.Response, label: str) -> TransportError:
    ctype = response.headers.get("content-type", "no content type").split(";")[0]
    return TransportError(
        f"{label} answered HTTP {response.status_code} with a non-JSON body ({ctype}) from {_where(response.request.url)}",
        hint="check that the API URL points at the API root (e.g. http://host:8000/api/public/v1), not the web UI",
    )


def decode_json(response: httpx.Response, *, label: str) -> Any:
    """Parse a JSON body or raise a one-line TransportError that says what came back."""
    if not response.content:
        return None
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        raise _non_json(response, label) from None


def json_bytes(response: httpx.Response, *, label: str) -> bytes:
    """The body undecoded (a caller parses a 100+ MB log off the event loop),
    after a cheap check that it is a JSON document at all."""
    content = response.content
    if content.lstrip()[:1] not in (b"{", b"["):
        raise _non_json(response, label)
    return content


def _where(url: httpx.URL | str) -> str:
    parts = urlsplit(str(url))
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


class JsonHttp:
    """One provider's HTTP session: retries, limits, health and error mapping."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        label: str,
        error_mapper: ErrorMapper,
        policy: RetryPolicy = RetryPolicy(),
        limiter: SlidingWindowLimiter | None = None,
        secrets: Callable[[], tuple[str, ...]] = lambda: (),
    ) -> None:
        self.client = client
        self.label = label
        self.error_mapper = error_mapper
        self.policy = policy
        self.limiter = limiter
        self.secrets = secrets
        self.stats = RequestStats()
        self.listeners: list[Callable[[HttpSignal], None]] = []

    def _signal(self, signal: HttpSignal) -> None:
        for listener in list(self.listeners):
            try:
                listener(signal)
            except Exception:  # noqa: BLE001 — a broken listener must not break a request
                pass

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        safe: bool | None = None,
        policy: RetryPolicy | None = None,
        timeout: float | None = None,
        decode: bool = True,
        resend_refused: bool = False,
    ) -> Any:
        """Send a request and return its decoded JSON body.

        `safe` defaults to True for GET/HEAD. An unsafe request (one that
        starts work on the server) is sent once — or, with `resend_refused`,
        re-sent only after a 429 (refused, so nothing started); a lost answer
        surfaces as a TransportError for the caller to reconcile, never as a
        second trigger.
        `decode=False` returns the checked body bytes instead of parsed JSON.
        """
        if safe is None:
            safe = method.upper() in ("GET", "HEAD", "OPTIONS")
        active = policy or self.policy
        kwargs: dict[str, Any] = {}
        if params is not None:
            kwargs["params"] = params
        if json is not None:
            kwargs["content"] = orjson.dumps(json)
            kwargs["headers"] = {"content-type": "application/json"}
        if data is not None:
            kwargs["data"] = data
        if timeout is not None:
            kwargs["timeout"] = timeout

        last_error: ApiError | None = None
        for attempt in range(active.attempts):
            if self.limiter is not None:
                await self.limiter.acquire()
            self.stats.requests += 1
            path = urlsplit(url).path
            self.stats.by_path[path] = self.stats.by_path.get(path, 0) + 1
            retry_after: float | None = None
            try:
                response = await self.client.request(method, url, **kwargs)
            except httpx.TimeoutException:
                last_error = TransportError(
                    f"{self.label} did not answer in time ({method} {_where(url)})",
                    hint="the server may be overloaded; it will be retried, or raise --timeout",
                    retryable=True,
                )
            except httpx.TransportError as exc:
                last_error = _transport_error(self.label, method, url, exc)
            else:
                if response.status_code < 400:
                    try:
                        body = decode_json(response, label=self.label) if decode else json_bytes(response, label=self.label)
                    except TransportError as exc:
                        # A garbled body on a safe read is transient (proxies,
                        # truncation): retry it. For a trigger it stays final:
                        # the caller reconciles instead of re-posting.
                        exc.retryable = True
                        last_error = exc
                    else:
                        self._signal(HttpSignal("ok"))
                        return body
                else:
                    body = _safe_body(response)
                    error = self.error_mapper(response, body)
                    error = _redacted(error, self.secrets())
                    if isinstance(error, AuthError):
                        self._signal(HttpSignal("auth_failed", error.one_line()))
                        raise error
                    if response.status_code not in RETRY_STATUSES:
                        raise error
                    retry_after = parse_retry_after(response)
                    last_error = error
                    if response.status_code == 429 and not isinstance(error, RateLimitedError):
                        last_error = RateLimitedError(
                            error.message, hint=error.hint, status_code=429, title=error.title, retryable=True
                        )
            # An unsafe request may be re-sent only after a 429: the server
            # refused it before doing anything. Anything else may have started the work.
            refused = resend_refused and isinstance(last_error, RateLimitedError)
            if attempt + 1 >= active.attempts or not (safe or refused):
                break
            delay = active.delay(attempt, retry_after)
            self.stats.retries += 1
            self._signal(HttpSignal("retrying", last_error.one_line() if last_error else "", retry_in=delay))
            await asyncio.sleep(delay)

        assert last_error is not None
        self._signal(HttpSignal("error", last_error.one_line()))
        raise last_error


def _safe_body(response: httpx.Response) -> Any:
    try:
        return orjson.loads(response.content) if response.content else None
    except orjson.JSONDecodeError:
        return response.text[:500]


def _redacted(error: ApiError, secrets: tuple[str, ...]) -> ApiError:
    clean = redact(error.message, secrets)
    if clean != error.message:
        error.message = clean
        error.args = (error.one_line(),)
    return error


def _transport_error(label: str, method: str, url: str, exc: httpx.TransportError) -> TransportError:
    where = _where(url)
    host = urlsplit(url).netloc
    if isinstance(exc, httpx.ConnectError):
        return TransportError(
            f"cannot reach {label} at {host} ({method} {where})",
            hint="check the API URL and that the server is running and reachable",
            retryable=True,
        )
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return TransportError(
            f"{label} closed the connection before answering ({method} {where})",
            hint="usually transient; it will be retried",
            retryable=True,
        )
    if isinstance(exc, httpx.UnsupportedProtocol):
        return TransportError(
            f"bad API URL {url!r}: it must start with http:// or https://",
            hint="fix --api-url or the profile's api_url",
        )
    return TransportError(f"{label} request failed ({method} {where}): {type(exc).__name__}", retryable=True)


__all__ = [
    "HttpSignal",
    "JsonHttp",
    "RETRY_STATUSES",
    "RequestStats",
    "RetryPolicy",
    "SlidingWindowLimiter",
    "decode_json",
    "json_bytes",
    "parse_retry_after",
]
