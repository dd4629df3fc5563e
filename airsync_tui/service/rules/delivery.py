"""Routes and delivery: which alert goes where, and sending the outbox through Apprise.

A route is a list of Apprise URLs (Slack, Teams, Discord, PagerDuty, Opsgenie,
email, ntfy, JSON/form webhooks, desktop…) plus filters. `Router` expands an
alert transition into outbox rows (one per matching URL); `Deliverer` drains
the outbox: one endpoint at a time per row, exponential backoff per failing
endpoint (the others keep going), delivered = the endpoint said yes.

Apprise URLs carry secrets (tokens in the path, passwords). They are printed
only in Apprise's privacy form (`slack://T1.../B2.../****`), and errors are
scrubbed of the URL before they are logged or stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from airsync_tui.models.domain import Connection
from airsync_tui.service.rules.alerts import AlertChange, Transition, body, headline
from airsync_tui.service.rules.settings import Route, WatchSettings
from airsync_tui.service.rules.store import AlertStore, OutboxRow, Target, target_id

#: (url, title, body, severity/transition kind) → (ok, error text)
Sender = Callable[[str, str, str, str], Awaitable[tuple[bool, str]]]

_LOG_PREFIX = re.compile(r"^\S+ \S+ - [A-Z]+ - ")
BACKOFF_START = 2.0
BACKOFF_MAX = 300.0


def redact_url(url: str) -> str:
    """The URL as Apprise prints it with `privacy=True` (secrets masked); never the raw text."""
    try:
        import apprise

        plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    except Exception:  # noqa: BLE001 - apprise broken: show the scheme only, never the URL
        plugin = None
    if plugin:
        with contextlib.suppress(Exception):
            # Apprise appends its default options as a query string: noise in a label.
            return str(plugin.url(privacy=True)).split("?", 1)[0]  # type: ignore[no-untyped-call]  # apprise is untyped
    scheme = url.split("://", 1)[0] if "://" in url else "?"
    return f"{scheme}://****"


def valid_url(url: str) -> bool:
    import apprise

    return bool(apprise.Apprise.instantiate(url, suppress_exceptions=True))


def _scrub(text: str, url: str) -> str:
    scrubbed = text.replace(url, redact_url(url))
    for part in url.replace("://", "/").replace("?", "/").replace("&", "/").replace("@", "/").split("/"):
        if len(part) >= 8:
            scrubbed = scrubbed.replace(part, "****")
    return " ".join(scrubbed.split())[:300]


async def apprise_send(url: str, title: str, text: str, kind: str) -> tuple[bool, str]:
    """Send one message to one Apprise URL (in a thread: Apprise is blocking)."""

    def send() -> tuple[bool, str]:
        import apprise

        notify_type = {
            "critical": apprise.NotifyType.FAILURE,
            "warning": apprise.NotifyType.WARNING,
            "resolved": apprise.NotifyType.SUCCESS,
        }.get(kind, apprise.NotifyType.INFO)
        client = apprise.Apprise()
        if not client.add(url):
            return False, "not a valid Apprise URL"
        with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]  # apprise is untyped
            ok = bool(client.notify(title=title, body=text, notify_type=notify_type))
            log = captured.getvalue() if hasattr(captured, "getvalue") else ""
        lines = [_LOG_PREFIX.sub("", line) for line in str(log).splitlines() if line.strip()]
        return ok, _scrub(
            lines[-1] if lines else ("" if ok else "the endpoint refused the message"),
            url,
        )

    return await asyncio.to_thread(send)


@dataclass(frozen=True)
class RouteTarget:
    url: str
    route: Route

    @property
    def target(self) -> Target:
        return Target(id=target_id(self.url), label=redact_url(self.url))


class Router:
    """Alert transition → the targets (Apprise URLs) whose route filters accept it."""

    def __init__(self, settings: WatchSettings, extra_urls: Sequence[str] = ()) -> None:
        routes = list(settings.routes)
        if extra_urls:
            routes.append(Route(urls=tuple(extra_urls), name="--notify"))
        self.settings = settings
        self.routes = tuple(routes)
        self.urls: dict[str, str] = {target_id(url): url for route in routes for url in route.urls}

    def targets(self, change: AlertChange, connection: Connection | None) -> list[Target]:
        alert = change.alert
        tags = self.settings.tags_for(connection)
        found: dict[str, Target] = {}
        for route in self.routes:
            if route.accepts(alert.severity, alert.rule, alert.provider, connection, tags):
                for url in route.urls:
                    found.setdefault(target_id(url), Target(id=target_id(url), label=redact_url(url)))
        return list(found.values())

    def labels(self) -> list[str]:
        return [redact_url(url) for url in self.urls.values()]


def message(change: AlertChange) -> tuple[str, str]:
    """(title, body) of the notification for one transition."""
    return headline(change), body(change)


def kind_of(row: OutboxRow) -> str:
    return "resolved" if row.transition == Transition.RESOLVED.value else row.severity


class Deliverer:
    """Drains the outbox: due rows in order, backoff per failing endpoint."""

    def __init__(
        self,
        store: AlertStore,
        router: Router,
        *,
        sender: Sender = apprise_send,
        clock: Callable[[], float] = time.time,
        on_result: Callable[[OutboxRow, bool, str], None] | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.store = store
        self.router = router
        self.sender = sender
        self.clock = clock
        self.on_result = on_result
        self.timeout = timeout
        self.wake = asyncio.Event()
        self.delivered = 0
        self.failed = 0

    def backoff(self, attempts: int) -> float:
        return float(min(BACKOFF_START * (2 ** max(attempts, 0)), BACKOFF_MAX))

    async def deliver_due(self) -> int:
        """Send every row due now; returns how many were delivered."""
        done = 0
        blocked: set[str] = set()
        while True:
            rows = [row for row in self.store.due(self.clock()) if row.target not in blocked]
            if not rows:
                return done
            for row in rows:
                if row.target in blocked:
                    continue
                url = self.router.urls.get(row.target)
                if url is None:
                    self.store.mark_dropped(row.seq, "this endpoint is no longer configured")
                    continue
                try:
                    ok, error = await asyncio.wait_for(
                        self.sender(url, row.title, row.body, kind_of(row)),
                        timeout=self.timeout,
                    )
                except TimeoutError:
                    ok, error = False, f"no answer within {self.timeout:g} s"
                except Exception as exc:  # noqa: BLE001 - a broken plug-in must not stop the outbox
                    ok, error = False, _scrub(f"{type(exc).__name__}: {exc}", url)
                if ok:
                    self.store.mark_delivered(row.seq, self.clock())
                    self.delivered += 1
                    done += 1
                else:
                    error = _scrub(error, url)  # whatever the sender said, never store or print the URL's secrets
                    blocked.add(row.target)
                    self.store.mark_failed(
                        row.seq,
                        row.target,
                        error,
                        self.clock() + self.backoff(row.attempts),
                    )
                    self.failed += 1
                if self.on_result is not None:
                    self.on_result(row, ok, error)

    async def run(self) -> None:
        """Deliver until cancelled: immediately on `wake`, else when the next retry is due."""
        while True:
            await self.deliver_due()
            next_due = self.store.next_due()
            delay = 5.0 if next_due is None else max(0.05, min(5.0, next_due - self.clock()))
            try:
                await asyncio.wait_for(self.wake.wait(), timeout=delay)
            except TimeoutError:
                pass
            self.wake.clear()

    async def flush(self, deadline: float) -> int:
        """At shutdown: try what is due once more within `deadline` seconds; returns rows still pending."""
        try:
            await asyncio.wait_for(self.deliver_due(), timeout=deadline)
        except TimeoutError:
            pass
        return self.store.pending_count()
