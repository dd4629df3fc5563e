"""App actions for triage, timelines and the pulse (mixed into `AirsyncApp`).

Kept out of `ui/app.py` so the screens of issue 11 hook in with one line:
`b` opens triage, `E` the pulse, `T` the timeline of the connection on screen
(the job panel's, or the one selected in the connections list), and logs
opened from triage start at the first line of the failure.
"""

from __future__ import annotations

from typing import Any

from textual import work

from airsync_tui.errors import AirsyncError
from airsync_tui.models.domain import FailureInfo
from airsync_tui.ui.formatting import clean


class TriageActions:
    """Mixin for the App: needs `watcher`, `screen`, `push_screen`, `notify`."""

    def action_open_triage(self) -> None:
        from airsync_tui.ui.screens.triage import TriageScreen

        app: Any = self
        if not isinstance(app.screen, TriageScreen):
            app.push_screen(TriageScreen())

    def action_open_pulse(self) -> None:
        from airsync_tui.ui.screens.timeline import PulseScreen

        app: Any = self
        if not isinstance(app.screen, PulseScreen):
            app.push_screen(PulseScreen())

    def action_open_timeline(self) -> None:
        """Timeline of the connection the current screen is about."""
        from airsync_tui.ui.screens.timeline import TimelineScreen

        app: Any = self
        screen = app.screen
        key = getattr(screen, "connection_key", None)
        if not isinstance(key, str):
            selected = getattr(screen, "selected_key", None)
            key = selected() if callable(selected) else None
        if not isinstance(key, str):
            app.notify("select a connection first", markup=False)
            return
        app.push_screen(TimelineScreen(key))

    def open_failure_logs(
        self,
        job_key: str | None,
        attempt_number: int | None,
        failure: FailureInfo | None,
    ) -> None:
        """The attempt log with its failure pinned, positioned at the first line of that error."""
        app: Any = self
        if job_key is None:
            app.notify("no job yet: nothing to show logs for", markup=False)
            return
        self._open_failure_logs(job_key, attempt_number, failure)

    @work(exclusive=True, group="open-logs", exit_on_error=False)
    async def _open_failure_logs(self, job_key: str, attempt_number: int | None, failure: FailureInfo | None) -> None:
        from airsync_tui.service.log_feed import make_log_feed
        from airsync_tui.ui.screens.log_failure import FailureLogScreen

        app: Any = self
        watcher = app.watcher
        try:
            await watcher.fetch_job(job_key)
            if job_key not in watcher.store.details:
                await watcher.job_detail(job_key)
        except AirsyncError as exc:
            app.notify(
                f"attempt list unavailable: {clean(exc)}",
                severity="warning",
                markup=False,
            )
        try:
            feed = make_log_feed(watcher, job_key, attempt_number)
            await app.push_screen(FailureLogScreen(feed, failure=failure, jump_to_failure=True))
        except Exception as exc:  # noqa: BLE001 - shown, never raised into the UI
            app.notify(f"cannot open logs: {clean(exc)}", severity="error", markup=False)
