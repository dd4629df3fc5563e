"""Fault injection for the whole emulator (ASGI middleware), switchable at runtime.

Clients must survive what real deployments do to them: load-shed 429s (Airbyte's
own has body `{"message": "You are being rate limited."}` and *no* Retry-After),
5xx from proxies, connections dropped mid-response, requests that hang past the
client timeout, and 200s whose body is not JSON. For job-creating requests a
fault can strike *after* the job was created (the response is lost), which is
exactly the case a "never trigger twice" client has to handle. Health checks are
never faulted so readiness probes stay meaningful.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

from airsync_tui.emulator.auth import ASGIApp, Receive, Scope, Send

ALL_FAULT_KINDS = frozenset({"429", "500", "502", "503", "drop", "stall", "malformed"})
RATE_LIMIT_BODY = b'{"message": "You are being rate limited."}'


@dataclass
class FaultConfig:
    """`rate`: probability a request is faulted; `kinds`: which faults to draw from.

    `after_create`: probability that a non-429 fault on a job-creating request
    (public `POST /jobs`, config `/connections/sync`, Hightouch `.../trigger`)
    happens after the job was created. `path_prefixes`: limit faults to these
    path prefixes (empty = every API path).
    """

    rate: float
    kinds: set[str] = field(default_factory=lambda: set(ALL_FAULT_KINDS))
    seed: int = 0
    stall_seconds: float = 30.0
    after_create: float = 0.5
    path_prefixes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - ALL_FAULT_KINDS
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)} (known: {sorted(ALL_FAULT_KINDS)})")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("fault rate must be within [0, 1]")

    @classmethod
    def parse(cls, text: str, seed: int = 0) -> FaultConfig:
        """Parse the CLI form `RATE[:kind,kind...]`, e.g. `0.1` or `0.2:429,drop`."""
        rate_text, _, kinds_text = text.partition(":")
        kinds = {k.strip() for k in kinds_text.split(",") if k.strip()} or set(ALL_FAULT_KINDS)
        return cls(rate=float(rate_text), kinds=kinds, seed=seed)


class FaultState:
    """The mutable, thread-safe holder the middleware consults on every request."""

    def __init__(self, config: FaultConfig | None) -> None:
        self._lock = threading.Lock()
        self.injected: list[tuple[str, str, bool]] = []  # (kind, path, after_create) for tests/diagnostics
        self.set(config)

    def set(self, config: FaultConfig | None) -> None:
        with self._lock:
            self.config = config
            self._rng = random.Random(config.seed if config else 0)

    def draw(self, path: str, creating: bool) -> tuple[str, bool, FaultConfig] | None:
        with self._lock:
            config = self.config
            if config is None or config.rate <= 0 or not config.kinds:
                return None
            if config.path_prefixes and not path.startswith(config.path_prefixes):
                return None
            if self._rng.random() >= config.rate:
                return None
            kind = self._rng.choice(sorted(config.kinds))
            after = creating and kind != "429" and self._rng.random() < config.after_create
            self.injected.append((kind, path, after))
            if len(self.injected) > 10_000:
                del self.injected[:5_000]
            return kind, after, config

    def coin(self) -> float:
        with self._lock:
            return self._rng.random()


def _is_job_creating(method: str, path: str) -> bool:
    if method != "POST":
        return False
    return path.endswith("/api/public/v1/jobs") or path.endswith("/connections/sync") or path.endswith("/trigger")


class FaultMiddleware:
    def __init__(self, app: ASGIApp, state: FaultState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.rstrip("/").endswith("/health"):
            await self.app(scope, receive, send)
            return
        drawn = self.state.draw(path, _is_job_creating(scope["method"], path))
        if drawn is None:
            await self.app(scope, receive, send)
            return
        kind, after, config = drawn
        if after:
            # Let the request take effect (the job is created), then lose the response.
            captured: list[MutableMapping[str, Any]] = []

            async def capture(message: MutableMapping[str, Any]) -> None:
                captured.append(message)

            await self.app(scope, receive, capture)
            if kind == "stall":
                await asyncio.sleep(config.stall_seconds)
                for message in captured:
                    await send(message)
                return
            await self._emit(kind, send)
            return
        if kind == "stall":
            await asyncio.sleep(config.stall_seconds)
            await self.app(scope, receive, send)
            return
        await self._emit(kind, send)

    async def _emit(self, kind: str, send: Send) -> None:
        if kind == "429":
            headers = [(b"content-type", b"application/json")]
            if self.state.coin() < 0.5:
                headers.append((b"retry-after", b"1"))
            await _respond(send, 429, headers, RATE_LIMIT_BODY)
        elif kind == "500":
            body = (
                b'{"status":500,"type":"https://reference.airbyte.com/reference/errors#unexpected-problem",'
                b'"title":"unexpected-problem","detail":"An unexpected problem has occurred. If this is an error that needs '
                b'to be addressed, please submit a pull request or github issue.","data":{"message":"Internal Server Error"}}'
            )
            await _respond(send, 500, [(b"content-type", b"application/json")], body)
        elif kind == "502":
            body = (
                b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
            )
            await _respond(send, 502, [(b"content-type", b"text/html")], body)
        elif kind == "503":
            body = b"upstream connect error or disconnect/reset before headers. reset reason: connection termination"
            await _respond(send, 503, [(b"content-type", b"text/plain")], body)
        elif kind == "malformed":
            body = b"<html><body>Airbyte is starting up" if self.state.coin() < 0.5 else b'{"data": [{"jobId": 12, "status": "runn'
            await _respond(send, 200, [(b"content-type", b"application/json")], body)
        elif kind == "drop":
            # Promise a body, send part of it, then return: the server closes the connection.
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
                }
            )
            await send({"type": "http.response.body", "body": b'{"data": [', "more_body": True})


async def _respond(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    headers = headers + [(b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
