"""A log of every request the emulator received (method, path), for tests that must prove
that nothing arrived — e.g. `--read-only` refusing fleet actions before any request.

Outermost ASGI middleware, so it sees requests the fault injector or auth then
refuse. Bounded, thread-safe (the server runs in its own thread).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    method: str
    path: str


class RequestLog:
    def __init__(self, maxlen: int = 100_000) -> None:
        self._lock = threading.Lock()
        self._entries: deque[LoggedRequest] = deque(maxlen=maxlen)

    def append(self, method: str, path: str) -> None:
        with self._lock:
            self._entries.append(LoggedRequest(method, path))

    def entries(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    def mark(self) -> int:
        """How many requests so far (pass to `since` to see only later ones)."""
        with self._lock:
            return len(self._entries)

    def since(self, mark: int) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)[mark:]


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp, log: RequestLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.log.append(str(scope.get("method", "")), str(scope.get("path", "")))
        await self.app(scope, receive, send)
