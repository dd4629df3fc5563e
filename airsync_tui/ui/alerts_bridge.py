"""The dashboard's side of the rules engine: the same `RulesEngine` as `airsync watch`.

The app feeds it the watcher events it already receives and lets it judge the
time-based rules once a second in a worker (its only I/O, a lazily fetched
job history or failure reason, never runs on the UI's path). New critical
alerts raise a toast and, when the operator turned it on, the terminal bell.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from airsync_tui.models.domain import Job
from airsync_tui.service.events import Event
from airsync_tui.service.problems import Severity
from airsync_tui.service.rules.alerts import Alert, AlertChange, Transition, headline
from airsync_tui.service.rules.desktop import NO_DESKTOP, DesktopNotifier, find_desktop_notifier
from airsync_tui.service.rules.engine import RulesEngine
from airsync_tui.service.rules.settings import WatchSettings
from airsync_tui.ui.formatting import clean

if TYPE_CHECKING:
    from airsync_tui.ui.app import AirsyncApp


class AlertsBridge:
    """Owns the dashboard's rules engine and tells the app when alerts change."""

    def __init__(self, app: AirsyncApp, settings: WatchSettings | None = None) -> None:
        self.app = app
        watcher = app.watcher

        async def history(key: str) -> list[Job]:
            return list(await watcher.provider_for_key(key).list_jobs(key.split(":", 1)[1], limit=30))

        async def failure_detail(job: Job) -> str | None:
            detail = await app.watcher.provider(job.provider).get_job_detail(job.id)
            for attempt in reversed(detail.attempts):
                if attempt.failure_summary:
                    return attempt.failure_summary
            return None

        self.engine = RulesEngine(
            settings,
            clock=app.clock,
            history=history,
            failure_detail=failure_detail,
            job_link=self._job_url,
        )
        self.engine.add_listener(self._changed)
        self.bell = False
        #: Desktop notification on new critical alerts: `[watch] desktop_notify` or `d` on Alerts.
        self.desktop = app.session.desktop_notify
        self.desktop_notifier: DesktopNotifier | None = None
        self._desktop_probed = False
        #: Resolved alerts from the state file (earlier `airsync watch` runs), newest first.
        self.past: list[Alert] = []
        self.past_note = ""
        self.changes = 0  # bumps on every transition: screens re-render when it moves

    def _job_url(self, job: Job, attempt: int | None) -> str | None:
        provider = self.app.watcher.providers.get(job.provider)
        return provider.job_url(job, attempt) if provider is not None else None

    def handle(self, events: Iterable[Event]) -> None:
        self._ensure_desktop_probe()
        for event in events:
            # Re-stamped on the app's one clock (server time, skew applied).
            self.engine.handle(replace(event, at=self.app.clock()))

    def tick(self) -> None:
        """Judge the time-based rules (in a worker: may fetch a history)."""
        self._ensure_desktop_probe()
        self.app.run_worker(
            self._evaluate(),
            group="alerts-evaluate",
            exclusive=True,
            exit_on_error=False,
        )

    async def _evaluate(self) -> None:
        await self.engine.evaluate()

    # ------------------------------------------------------------ history
    def load_past(self) -> None:
        """Read resolved alerts from the state file (a thread worker: SQLite is blocking)."""
        self.app.run_worker(self._read_past, thread=True, group="alerts-past", exclusive=True, exit_on_error=False)

    def _read_past(self) -> None:
        # Imported here: SQLite and the alert store load when the history is first shown, not at start.
        import sqlite3

        from airsync_tui.service.rules.store import read_recent_alerts

        try:
            past, note = read_recent_alerts(), ""
        except (sqlite3.Error, OSError) as exc:
            past, note = [], f"state file unreadable ({type(exc).__name__}): earlier alerts not shown"
        self.app.call_from_thread(self._set_past, past, note)

    def _set_past(self, past: list[Alert], note: str) -> None:
        self.past, self.past_note = past, note
        self.changes += 1
        self.app.refresh_alerts()

    def history(self) -> list[Alert]:
        """Resolved alerts, newest first: this session's plus the state file's (one row per alert id)."""
        session = self.engine.recent_alerts()
        seen = {a.id for a in session} | {a.id for a in self.engine.open_alerts()}
        merged = session + [a for a in self.past if a.id not in seen]
        return sorted(merged, key=lambda a: a.resolved_at or a.opened_at, reverse=True)

    # ------------------------------------------------------------ desktop
    def _ensure_desktop_probe(self) -> None:
        """Turned on by the profile: find the notifier once, early (in a worker: Apprise loads plug-ins)."""
        if self.desktop and not self._desktop_probed:
            self._desktop_probed = True
            self.app.run_worker(self._probe_desktop(), group="alerts-desktop", exit_on_error=False)

    def toggle_desktop(self) -> None:
        self.desktop = not self.desktop
        if self.desktop and self.desktop_notifier is None:
            self._desktop_probed = True
            self.app.run_worker(self._probe_desktop(), group="alerts-desktop", exit_on_error=False)

    async def _probe_desktop(self) -> None:
        self.desktop_notifier = await asyncio.to_thread(find_desktop_notifier)
        if self.desktop_notifier is None:
            self.desktop = False
            self.app.notify(NO_DESKTOP, title="desktop notifications", severity="warning", markup=False, timeout=10)
        self.changes += 1
        self.app.refresh_alerts()

    async def _send_desktop(self, title: str, body: str) -> None:
        if self.desktop_notifier is None:
            return
        from airsync_tui.service.rules.delivery import apprise_send  # Apprise and the outbox load on first use

        ok, reason = await apprise_send(self.desktop_notifier.url, title, body, "critical")
        if not ok:
            self.app.notify(clean(f"desktop notification failed: {reason}"), severity="warning", markup=False, timeout=6)

    @property
    def open_count(self) -> int:
        return len(self.engine.open_alerts())

    def _changed(self, change: AlertChange) -> None:
        self.changes += 1
        live = not change.initial  # failures from before the dashboard opened: counted, not toasted
        if live and change.transition is Transition.OPENED and change.alert.severity is Severity.CRITICAL:
            self.app.notify(
                clean(headline(change)),
                title="alert",
                severity="error",
                markup=False,
                timeout=8,
            )
            if self.bell:
                self.app.bell()
            if self.desktop and self.desktop_notifier is not None:
                self.app.run_worker(
                    self._send_desktop("airsync: critical alert", clean(headline(change))),
                    group="alerts-desktop-send",
                    exit_on_error=False,
                )
        self.app.call_later(self.app.refresh_alerts)
