"""Application tokens for the emulated Airbyte APIs.

Tokens expire after `ttl` WALL seconds, not virtual ones: a client's token
refresh logic runs on real time, so a demo at 50x speed must not expire tokens
50x sooner. One store serves both the public and the config API, because on a
real Airbyte the same application token works on both.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from airsync_tui.emulator.http import unauthorized

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class TokenStore:
    """Issues opaque bearer tokens and checks them against wall-clock expiry."""

    def __init__(self, client_id: str, client_secret: str, ttl: float) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.ttl = ttl
        self._expiry_by_token: dict[str, float] = {}
        self._lock = threading.Lock()

    def credentials_match(self, client_id: str | None, client_secret: str | None) -> bool:
        return (
            client_id is not None
            and client_secret is not None
            and secrets.compare_digest(client_id, self.client_id)
            and secrets.compare_digest(client_secret, self.client_secret)
        )

    def issue(self) -> str:
        token = "eyJhbGciOiJIUzI1NiJ9." + secrets.token_urlsafe(32)
        with self._lock:
            now = time.monotonic()
            # Drop expired tokens now and then so long-running emulators stay small.
            if len(self._expiry_by_token) > 10_000:
                self._expiry_by_token = {t: exp for t, exp in self._expiry_by_token.items() if exp > now}
            self._expiry_by_token[token] = now + self.ttl
        return token

    def expires_in(self) -> int:
        return max(1, int(self.ttl))

    def check_authorization(self, header: str | None) -> str | None:
        """Return None when the header authorises the call, else a reason for the 401."""
        if not header:
            return "Missing Authorization header"
        scheme, _, value = header.partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer":
            with self._lock:
                expiry = self._expiry_by_token.get(value)
            if expiry is None:
                return "Invalid bearer token"
            if expiry <= time.monotonic():
                return "Bearer token has expired"
            return None
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(value, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return "Malformed basic credentials"
            user, sep, password = decoded.partition(":")
            if sep and self.credentials_match(user, password):
                return None
            return "Invalid basic credentials"
        return f"Unsupported authorization scheme: {scheme}"


class RequireAuth:
    """ASGI middleware: every request below it needs a valid Bearer (or Basic) credential.

    `open_suffixes` lists path endings that stay public (health, token exchange).
    """

    def __init__(self, app: ASGIApp, store: TokenStore, open_suffixes: tuple[str, ...]) -> None:
        self.app = app
        self.store = store
        self.open_suffixes = open_suffixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"].rstrip("/")
        if path.endswith(self.open_suffixes):
            await self.app(scope, receive, send)
            return
        header = None
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                header = value.decode("latin-1")
                break
        reason = self.store.check_authorization(header)
        if reason is None:
            await self.app(scope, receive, send)
            return
        await unauthorized(reason)(scope, receive, send)
