"""Authentication for Airbyte's APIs as `httpx.Auth` flows.

Why an auth flow (not a header set once): application tokens expire (15 min
by default today, 3 min per older docs — so we trust `expires_in`, never a
constant), and a token can die early (server restart, clock skew, a faster
emulator clock). The flow:

* fetches a token with `POST {api_url}/applications/token` and JSON
  `{client_id, client_secret, "grant-type": "client_credentials"}` — an
  ABSOLUTE URL, unlike the SDK's default that drops the path prefix;
* reuses it until `max(60 s, 10 %)` of its lifetime before expiry (capped at
  half the lifetime so very short test tokens still get reused);
* on a 401 re-fetches ONCE and retries the request once;
* shares one in-flight fetch between concurrent requests (a lock);
* retries the token request itself on 429/5xx/garbled bodies, because fetching
  a token is always safe — even when the request it guards (POST /jobs) is not.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable, Generator
from typing import TYPE_CHECKING

import httpx
import orjson

from airsync_tui.errors import register_secret

if TYPE_CHECKING:
    from airsync_tui.config import AirbyteSettings
from airsync_tui.providers.airbyte.wire import TokenResponse
from airsync_tui.providers.http import TokenFailed
from airsync_tui.providers.pacing import paced

TOKEN_PATH = "/applications/token"
MIN_REFRESH_MARGIN = 60.0
REFRESH_FRACTION = 0.10
TOKEN_FETCH_TRIES = 3
_TOKEN_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class MalformedTokenResponse(TokenFailed):
    """The token endpoint answered 200 with something that is not a token.

    `JsonHttp` reports it as a one-line, retryable TransportError (usually
    api_url points at the web UI, not the API).
    """


def refresh_margin(lifetime: float) -> float:
    """Seconds before expiry at which a token is replaced."""
    margin = max(MIN_REFRESH_MARGIN, REFRESH_FRACTION * lifetime)
    return min(margin, lifetime / 2)


def token_url(api_url: str) -> str:
    return api_url.rstrip("/") + TOKEN_PATH


class ClientCredentialsAuth(httpx.Auth):
    """Client-credentials flow with a cached, proactively refreshed token."""

    requires_response_body = True

    def __init__(
        self,
        api_url: str,
        client_id: str,
        client_secret: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        default_lifetime: float = 180.0,
        retry_delay: float = 0.25,
    ) -> None:
        self.token_url = token_url(api_url)
        self._client_id = client_id
        self._client_secret = client_secret
        self._clock = clock
        self._default_lifetime = default_lifetime
        self._retry_delay = retry_delay
        self._token: str | None = None
        self._refresh_at: float = 0.0
        self._lock = asyncio.Lock()
        self.fetches = 0  # tokens fetched (tests, benchmarks)

    def __repr__(self) -> str:  # never show the secret
        return f"ClientCredentialsAuth(token_url={self.token_url!r}, client_id={self._client_id!r})"

    def invalidate(self) -> None:
        self._token = None
        self._refresh_at = 0.0

    def _fresh_token(self) -> str | None:
        if self._token is not None and self._clock() < self._refresh_at:
            return self._token
        return None

    def _token_request(self) -> httpx.Request:
        body = {"client_id": self._client_id, "client_secret": self._client_secret, "grant-type": "client_credentials"}
        return httpx.Request(
            "POST",
            self.token_url,
            content=orjson.dumps(body),
            headers={"content-type": "application/json", "accept": "application/json"},
        )

    def _store(self, response: httpx.Response) -> bool:
        """Keep the token from a 200 answer; False if the body is not a token."""
        try:
            parsed = TokenResponse.model_validate(orjson.loads(response.content))
        except (orjson.JSONDecodeError, ValueError):
            return False
        if not parsed.access_token:
            return False
        lifetime = self._default_lifetime
        try:
            if parsed.expires_in is not None and 0 < float(parsed.expires_in) < 10 * 365 * 86400:
                lifetime = float(parsed.expires_in)  # "inf", nan or absurd values keep the default
        except (TypeError, ValueError, OverflowError):
            pass
        register_secret(parsed.access_token)  # redacted wherever a server echoes it
        self._token = parsed.access_token
        self._refresh_at = self._clock() + lifetime - refresh_margin(lifetime)
        self.fetches += 1
        return True

    async def _fetch_token(self) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Fetch and store a token, or raise `TokenFailed`.

        Only HTTP 200 with an access token counts. 429/5xx and a garbled 200
        are retried (a token request is always safe); any other answer —
        401, 404, a 201 from a proxy, a redirect — ends at once with that
        answer attached, so it is reported, never mistaken for data.
        """
        last: httpx.Response | None = None
        for attempt in range(TOKEN_FETCH_TRIES):
            response = yield self._token_request()
            await response.aread()
            if response.status_code == 200:
                if self._store(response):
                    return
                last = None
            elif response.status_code in _TOKEN_RETRY_STATUSES:
                last = response
            else:
                raise TokenFailed(f"no token from {self.token_url}", response)
            if attempt + 1 < TOKEN_FETCH_TRIES:
                await asyncio.sleep(paced(self._retry_delay * (3**attempt)))  # AIRSYNC_PACE: tests
        if last is None:
            raise MalformedTokenResponse(
                f"the Airbyte token endpoint {self.token_url} answered without a token (is api_url the API root, not the web UI?)"
            )
        raise TokenFailed(f"no token from {self.token_url}", last)

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        rejected: str | None = None
        for retry in (False, True):
            # Second pass: the token died early (expired by the server's clock, server
            # restart): fetch a new one once, then retry the request once.
            token = None if retry else self._fresh_token()
            if token is None:
                async with self._lock:
                    if retry and self._token == rejected:
                        self.invalidate()
                    token = self._fresh_token()
                    if token is None:
                        fetch = self._fetch_token()
                        try:
                            token_request = await anext(fetch)
                            while True:
                                token_request = await fetch.asend((yield token_request))
                        except StopAsyncIteration:
                            pass
                        token = self._token
            assert token is not None
            request.headers["Authorization"] = f"Bearer {token}"
            response = yield request
            if retry or response.status_code != 401:
                return
            rejected = token

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:  # pragma: no cover - async-only library
        raise RuntimeError("ClientCredentialsAuth is async-only; use httpx.AsyncClient")


class BearerAuth(httpx.Auth):
    """A static token (e.g. an Airbyte Cloud bearer token)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "BearerAuth(token=•••)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


class NoAuth(httpx.Auth):
    """Explicitly no credentials (health checks, auth-disabled installs)."""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield request


def build_auth(settings: AirbyteSettings) -> httpx.Auth:
    """The right flow for an `AirbyteSettings` (client credentials > bearer > basic > none)."""
    kind = settings.auth_kind
    if kind == "client_credentials" and settings.client_id and settings.client_secret:
        return ClientCredentialsAuth(settings.api_url, settings.client_id, settings.client_secret.get_secret_value())
    if kind == "bearer" and settings.bearer_token:
        return BearerAuth(settings.bearer_token.get_secret_value())
    if kind == "basic" and settings.username:
        password = settings.password.get_secret_value() if settings.password else ""
        return httpx.BasicAuth(settings.username, password)
    return NoAuth()


__all__ = [
    "BearerAuth",
    "ClientCredentialsAuth",
    "MalformedTokenResponse",
    "NoAuth",
    "build_auth",
    "refresh_margin",
    "token_url",
]
