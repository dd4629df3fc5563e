"""How the emulated Airbyte answers "not found", by server version.

Real servers differ: current ones answer 404 with a problem body titled
`resource-not-found`; some versions answer HTTP **400** with that title (and
`documentationUrl: null` in the body); older ones answer 404 with an
`about:blank` problem. A client must map by the problem's title/type, not by
the status code alone, so the emulator can serve each style. The style is
per emulator app (``app.state.problem_style``), switchable at run time, and
applied by a middleware that rewrites only not-found problem answers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: current: 404 resource-not-found (default); status400: 400 + title
#: resource-not-found + documentationUrl null; blank404: 404 about:blank.
PROBLEM_STYLES = ("current", "status400", "blank404")


@dataclass
class ProblemStyle:
    """Mutable holder so tests can switch a running emulator's style."""

    name: str = "current"

    def set(self, name: str) -> None:
        if name not in PROBLEM_STYLES:
            raise ValueError(f"unknown problem style {name!r} (known: {', '.join(PROBLEM_STYLES)})")
        self.name = name


def restyle(status: int, body: dict[str, Any], style: str) -> tuple[int, dict[str, Any]]:
    """A current-style not-found problem as a server of ``style`` writes it."""
    if style == "status400":
        return 400, {**body, "status": 400, "documentationUrl": None}
    if style == "blank404":
        return 404, {
            "type": "about:blank",
            "title": "Not Found",
            "status": 404,
            "detail": body.get("detail", ""),
        }
    return status, body


class ProblemStyleMiddleware:
    """Rewrite 404 `resource-not-found` problem answers into the app's style."""

    def __init__(self, app: ASGIApp, style: ProblemStyle) -> None:
        self.app = app
        self.style = style

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.style.name == "current":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if message["status"] != 404:
                    await send(message)
                    return
                start = message
                return
            if start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            await self._send_restyled(start, b"".join(chunks), send)

        await self.app(scope, receive, capture)

    async def _send_restyled(self, start: Message, raw: bytes, send: Send) -> None:
        status = int(start["status"])
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("title") == "resource-not-found":
            status, body = restyle(status, body, self.style.name)
            raw = json.dumps(body).encode()
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(raw)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": raw})


__all__ = ["PROBLEM_STYLES", "ProblemStyle", "ProblemStyleMiddleware", "restyle"]
