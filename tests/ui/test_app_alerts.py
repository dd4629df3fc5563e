"""The Alerts screen: the dashboard's rules engine, header count, enter → job panel."""

from __future__ import annotations

from airsync_tui.ui.screens.alerts import AlertsScreen
from airsync_tui.ui.screens.job import JobScreen
from tests.ui.conftest import SIZE, make_app, notifications, screen_text, wait_for


async def test_alerts_screen_lists_open_alert_and_enter_opens_the_job() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            lambda: app.alerts.open_count == 1,
            what="the failed connection's alert",
        )
        await wait_for(pilot, lambda: "1 alert (A)" in screen_text(app), what="header count")
        # Found failing at start: counted in the header, not toasted (toasts are for live changes).
        assert not any("BigQuery quota exceeded" in n for n in notifications(app))
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen), what="alerts screen")
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "1 open (1 critical)" in text
        assert "critical" in text and "failed" in text
        assert "destination · system_error: BigQuery quota exceeded" in text
        await pilot.press("b")
        assert app.alerts.bell is True
        assert "bell on" in screen_text(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen), what="job panel")
        assert app.screen.job_key == "airbyte:4801"  # type: ignore[attr-defined]
