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
from airsync_tui.providers.pacing import paced


class TokenFailed(Exception):
    """Raised by an auth flow when no token could be had.

    Carries the token endpoint's last answer (None for a 200 without a token)
    so `JsonHttp` maps it like any other error — the token endpoint's answer
    is never handed back as if it answered the original request.
    """

    def __init__(self, message: str, response: httpx.Response | None = None) -> None:
        super().__init__(message)
        self.response = response


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
        raw = min(self.base_delay * float(2**attempt), self.max_delay)
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


def _empty_body(response: httpx.Response, label: str) -> TransportError:
    return TransportError(
        f"{label} answered HTTP {response.status_code} with an empty body from {_where(response.request.url)}",
        hint="a proxy or load balancer may be cutting answers; check the API URL",
        retryable=True,
    )


def decode_json(response: httpx.Response, *, label: str) -> Any:
    """Parse a JSON body or raise a one-line TransportError that says what came back.

    An empty body is an error, never "no data": an empty 200 would otherwise
    read as an empty connection list with a green "ok".
    """
    if not response.content.strip():
        raise _empty_body(response, label)
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        raise _non_json(response, label) from None


def json_bytes(response: httpx.Response, *, label: str) -> bytes:
    """The body undecoded (a caller parses a 100+ MB log off the event loop),
    after a cheap check that it is a JSON document at all."""
    content = response.content
    if not content.strip():
        raise _empty_body(response, label)
    if content.lstrip()[:1] not in (b"{", b"["):
        raise _non_json(response, label)
    return content


def spooled_json(response: httpx.Response, body: Any, *, label: str) -> Any:
    """`json_bytes` for a spooled body (bytes or a mapped file): the same empty/non-JSON checks."""
    from airsync_tui.logs.spool import head_bytes

    head = head_bytes(body, 1)
    if not head:
        raise TransportError(
            f"{label} answered HTTP {response.status_code} with an empty body from {_where(response.request.url)}",
            hint="a proxy or load balancer may be cutting answers; check the API URL",
            retryable=True,
        )
    if head not in (b"{", b"["):
        raise _non_json(response, label)
    return body


def _where(url: httpx.URL | str) -> str:
    parts = urlsplit(str(url))
    host = parts.netloc.rsplit("@", 1)[-1]  # never show user:password@
    return f"{parts.scheme}://{host}{parts.path}"


#: Default whole-answer deadline as a multiple of the per-phase timeout: it
#: covers a token request plus the request it guards.
DEADLINE_FACTOR = 2.0
#: Raw (log) downloads may be large: they get this many times longer.
RAW_DEADLINE_FACTOR = 4.0


def unexpected_status(response: httpx.Response, label: str) -> TransportError:
    """A status we never accept as an answer (1xx/3xx, or 2xx the caller does not expect)."""
    status = response.status_code
    where = _where(response.request.url)
    method = response.request.method
    if 300 <= status < 400:
        target = response.headers.get("location")
        moved = f" to {_where(target)}" if target else ""
        return TransportError(
            f"{label} redirected {method} {where} (HTTP {status}){moved}; redirects are not followed",
            hint="credentials must not travel to another address: put the final URL in the profile's api_url",
        )
    return TransportError(
        f"{label} answered {method} {where} with unexpected HTTP {status}",
        hint="a proxy between us and the server may be answering; check the API URL",
    )


def final_hint(error: ApiError, tries: int) -> ApiError:
    """An error we give up on must not promise a retry."""
    if error.hint and "will be retried" in error.hint:
        error.hint = f"gave up after {tries} {'try' if tries == 1 else 'tries'}"
        error.args = (error.one_line(),)
    return error


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
        deadline: float | None = None,
    ) -> None:
        self.client = client
        per_phase = client.timeout.read or client.timeout.connect or 15.0
        #: Seconds for the WHOLE answer of one try, token request included: a
        #: server that drips one byte a second never resets this clock.
        self.deadline = deadline if deadline is not None else per_phase * DEADLINE_FACTOR
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
        spool: bool = False,
    ) -> Any:
        """Send a request and return its decoded JSON body.

        `safe` defaults to True for GET/HEAD. An unsafe request (one that
        starts work on the server) is sent once — or, with `resend_refused`,
        re-sent only after a 429 (refused, so nothing started); a lost answer
        surfaces as a TransportError for the caller to reconcile, never as a
        second trigger.
        `decode=False` returns the checked body bytes instead of parsed JSON;
        with `spool=True` too, a big body is streamed to an unlinked temp file
        and returned as a read-only mmap (`airsync_tui.logs.spool`).
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
        whole = max(self.deadline, timeout * DEADLINE_FACTOR if timeout else 0.0)
        if not decode:
            whole *= RAW_DEADLINE_FACTOR

        last_error: ApiError | None = None
        tries = 0
        for attempt in range(active.attempts):
            if self.limiter is not None:
                await self.limiter.acquire()
            self.stats.requests += 1
            path = urlsplit(url).path
            self.stats.by_path[path] = self.stats.by_path.get(path, 0) + 1
            retry_after: float | None = None
            never_sent = False
            spooled: Any = None
            tries += 1
            try:
                if spool and not decode:
                    response, spooled = await asyncio.wait_for(self._send_spooled(method, url, kwargs), timeout=whole)
                else:
                    response = await asyncio.wait_for(self.client.request(method, url, **kwargs), timeout=whole)
            except (httpx.TimeoutException, TimeoutError):
                last_error = TransportError(
                    f"{self.label} did not answer in time ({method} {_where(url)}, limit {whole:g} s for the whole answer)",
                    hint="the server may be overloaded; it will be retried, or raise the profile's timeout",
                    retryable=True,
                )
            except httpx.TransportError as exc:
                last_error = _transport_error(self.label, method, url, exc)
            except TokenFailed as failed:
                never_sent = True  # no token, so the request itself never went out
                last_error = _redacted(self._token_error(failed), self.secrets())
                if isinstance(last_error, AuthError):
                    self._signal(HttpSignal("auth_failed", last_error.one_line()))
                    raise last_error from None
                if not last_error.retryable:
                    raise final_hint(last_error, tries) from None
            else:
                if response.status_code < 200 or 300 <= response.status_code < 400:
                    raise final_hint(unexpected_status(response, self.label), tries)
                if response.status_code < 400:
                    try:
                        if spooled is not None:
                            body = spooled_json(response, spooled, label=self.label)
                        else:
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
                        last_error = RateLimitedError(error.message, hint=error.hint, status_code=429, title=error.title, retryable=True)
            # An unsafe request may be re-sent only after a 429: the server
            # refused it before doing anything. Anything else may have started the work.
            refused = resend_refused and isinstance(last_error, RateLimitedError)
            if attempt + 1 >= active.attempts or not (safe or refused or never_sent):
                break
            delay = active.delay(attempt, retry_after)
            self.stats.retries += 1
            said = last_error.one_line() if last_error else ""
            if retry_after is not None and retry_after > delay:
                said += f" (server asked to wait {retry_after:g} s; capped at {delay:g} s)"
            self._signal(HttpSignal("retrying", said, retry_in=delay))
            await asyncio.sleep(paced(delay))  # AIRSYNC_PACE (tests) shortens the wait, not the message

        assert last_error is not None
        last_error = final_hint(last_error, tries)
        self._signal(HttpSignal("error", last_error.one_line()))
        raise last_error

    async def _send_spooled(self, method: str, url: str, kwargs: dict[str, Any]) -> tuple[httpx.Response, Any]:
        """Send with a streamed answer: a 2xx body goes to a spool (see `spool_chunks`),
        any other answer is read into memory for the usual error handling."""
        from airsync_tui.logs.spool import spool_chunks

        _read_big_bodies_in_big_reads()
        request = self.client.build_request(method, url, **kwargs)
        response = await self.client.send(request, stream=True)
        try:
            if 200 <= response.status_code < 300:
                length = response.headers.get("content-length", "")
                expected = int(length) if length.isdigit() else None
                return response, await spool_chunks(response.aiter_bytes(), expected_bytes=expected)
            await response.aread()
            return response, None
        finally:
            await response.aclose()

    def _token_error(self, failed: TokenFailed) -> ApiError:
        """The token endpoint's answer as one of our errors (never handed back as data)."""
        response = failed.response
        if response is None:
            return TransportError(str(failed), hint="check that api_url is the API root, not the web UI", retryable=True)
        if 200 <= response.status_code < 300 or 300 <= response.status_code < 400:
            error: ApiError = unexpected_status(response, self.label)
            if response.status_code < 300:
                error = TransportError(
                    f"{self.label} token endpoint answered HTTP {response.status_code} without a usable token "
                    f"({_where(response.request.url)})",
                    hint="only HTTP 200 with an access_token is accepted; check the API URL or the proxy in front of it",
                )
            return error
        error = self.error_mapper(response, _safe_body(response))
        if response.status_code in RETRY_STATUSES:
            error.retryable = True
        return error


#: Bytes per socket read once a spooled (big) body is asked for: httpcore reads 64 KB at a time,
#: and each read is an h11 event plus anyio/httpcore bookkeeping (~0.1 s of CPU per 100 MB).
SPOOL_READ_BYTES = 1024 * 1024


def _read_big_bodies_in_big_reads() -> None:
    """Raise httpcore's per-read size (a class constant) for this process; small answers are unaffected."""
    import httpcore

    connection = httpcore.AsyncHTTP11Connection
    if getattr(connection, "READ_NUM_BYTES", SPOOL_READ_BYTES) < SPOOL_READ_BYTES:
        connection.READ_NUM_BYTES = SPOOL_READ_BYTES


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
    reason = " ".join(str(exc).split())[:160] or "connection failed"
    return TransportError(f"{label} request failed ({method} {where}): {redact(reason)}", retryable=True)


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
