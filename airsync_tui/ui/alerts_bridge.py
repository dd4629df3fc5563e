"""The dashboard's side of the rules engine: the same `RulesEngine` as `airsync watch`.

The app feeds it the watcher events it already receives and lets it judge the
time-based rules once a second in a worker (its only I/O, a lazily fetched
job history or failure reason, never runs on the UI's path). New critical
alerts raise a toast and, when the operator turned it on, the terminal bell.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from airsync_tui.models.domain import Job
from airsync_tui.service.events import Event
from airsync_tui.service.problems import Severity
from airsync_tui.service.rules.alerts import AlertChange, Transition, headline
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
            return list(
                await watcher.provider_for_key(key).list_jobs(
                    key.split(":", 1)[1], limit=30
                )
            )

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
        self.changes = 0  # bumps on every transition: screens re-render when it moves

    def _job_url(self, job: Job, attempt: int | None) -> str | None:
        provider = self.app.watcher.providers.get(job.provider)
        return provider.job_url(job, attempt) if provider is not None else None

    def handle(self, events: Iterable[Event]) -> None:
        for event in events:
            # Re-stamped on the app's one clock (server time, skew applied).
            self.engine.handle(replace(event, at=self.app.clock()))

    def tick(self) -> None:
        """Judge the time-based rules (in a worker: may fetch a history)."""
        self.app.run_worker(
            self._evaluate(),
            group="alerts-evaluate",
            exclusive=True,
            exit_on_error=False,
        )

    async def _evaluate(self) -> None:
        await self.engine.evaluate()

    @property
    def open_count(self) -> int:
        return len(self.engine.open_alerts())

    def _changed(self, change: AlertChange) -> None:
        self.changes += 1
        live = (
            not change.initial
        )  # failures from before the dashboard opened: counted, not toasted
        if (
            live
            and change.transition is Transition.OPENED
            and change.alert.severity is Severity.CRITICAL
        ):
            self.app.notify(
                clean(headline(change)),
                title="alert",
                severity="error",
                markup=False,
                timeout=8,
            )
            if self.bell:
                self.app.bell()
        self.app.call_later(self.app.refresh_alerts)
