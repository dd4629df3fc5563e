"""Alerts screen: history from the state file (earlier `airsync watch` runs), and desktop notifications."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from airsync_tui.service.local_state import open_state
from airsync_tui.service.problems import ProblemKind, Severity
from airsync_tui.service.rules.alerts import Alert, AlertChange, Transition
from airsync_tui.service.rules.desktop import NO_DESKTOP, DesktopNotifier
from airsync_tui.service.rules.store import AlertStore
from airsync_tui.ui.app import SessionInfo
from airsync_tui.ui.screens.alerts import AlertsScreen
from tests.ui.conftest import SIZE, make_app, notifications, screen_text, wait_for
from tests.ui.fakes import FROZEN_NOW


def _resolved(alert_id: str, name: str, hours_ago: float) -> Alert:
    # Real time: the store forgets resolved alerts older than 30 days (FROZEN_NOW may be older).
    resolved = datetime.now(UTC) - timedelta(hours=hours_ago)
    return Alert(
        id=alert_id,
        rule=ProblemKind.FAILED,
        severity=Severity.CRITICAL,
        provider="airbyte",
        connection_key=f"airbyte:{alert_id}",
        connection_name=name,
        summary=f"{name} failed",
        opened_at=resolved - timedelta(minutes=30),
        resolved_at=resolved,
        resolution="recovered after 1 failed run",
    )


def _store_past(*alerts: Alert) -> None:
    conn = open_state()  # AIRSYNC_STATE: the test's own file (tests/conftest.py)
    store = AlertStore(conn)
    for alert in alerts:
        store.record(AlertChange(Transition.RESOLVED, alert, alert.resolved_at or FROZEN_NOW), [], "t", "b")
    conn.close()


async def test_history_includes_earlier_runs_from_the_state_file_newest_first() -> None:
    _store_past(_resolved("past-old", "Old Past Sync", 30), _resolved("past-new", "New Past Sync", 2))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.alerts.open_count == 1, what="the failed connection's alert")
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen), what="alerts screen")
        await wait_for(pilot, lambda: "2 from earlier runs" in screen_text(app), what="past alerts loaded")
        rows = [alert.id for alert in app.screen._rows]  # type: ignore[attr-defined]
        assert rows[1:] == ["past-new", "past-old"]  # open first, then history newest first
        text = screen_text(app)
        assert "New Past Sync" in text and "Old Past Sync" in text
        assert text.index("New Past Sync") < text.index("Old Past Sync")


def _live_critical() -> AlertChange:
    alert = Alert(
        id="failed:airbyte:x:1",
        rule=ProblemKind.FAILED,
        severity=Severity.CRITICAL,
        provider="airbyte",
        connection_key="airbyte:x",
        connection_name="Live Sync",
        summary="destination · system_error: boom",
        opened_at=FROZEN_NOW,
    )
    return AlertChange(Transition.OPENED, alert, FROZEN_NOW)


async def test_desktop_notification_needs_a_notifier_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("airsync_tui.ui.alerts_bridge.find_desktop_notifier", lambda: None)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert app.alerts.desktop is False  # off by default
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen), what="alerts screen")
        assert "desktop off (d)" in screen_text(app)
        await pilot.press("d")
        await wait_for(pilot, lambda: NO_DESKTOP in notifications(app), what="the explanation")
        assert app.alerts.desktop is False
        await wait_for(pilot, lambda: "desktop off (d)" in screen_text(app), what="summary back to off")


async def test_desktop_setting_sends_new_critical_alerts(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[tuple[str, str, str, str]] = []

    async def fake_send(url: str, title: str, text: str, kind: str) -> tuple[bool, str]:
        sent.append((url, title, text, kind))
        return True, ""

    monkeypatch.setattr("airsync_tui.ui.alerts_bridge.find_desktop_notifier", lambda: DesktopNotifier("dbus://"))
    monkeypatch.setattr("airsync_tui.service.rules.delivery.apprise_send", fake_send)
    app = make_app(session=SessionInfo(profile_name="test", desktop_notify=True))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.alerts.desktop_notifier is not None, what="notifier probed at start")
        # Found failing at start: counted, not popped up (like the toast).
        await wait_for(pilot, lambda: app.alerts.open_count == 1, what="the failed connection's alert")
        assert sent == []
        app.alerts._changed(_live_critical())
        await wait_for(pilot, lambda: len(sent) == 1, what="desktop notification")
        url, title, text, kind = sent[0]
        assert (url, title, kind) == ("dbus://", "airsync: critical alert", "critical") and "Live Sync" in text
        app.alerts._changed(AlertChange(Transition.OPENED, _live_critical().alert, FROZEN_NOW, initial=True))
        await pilot.pause(0.2)
        assert len(sent) == 1


def test_profile_setting_parses(tmp_path: Any) -> None:
    from airsync_tui.errors import ConfigError
    from airsync_tui.service.rules.settings import parse_watch_settings

    assert parse_watch_settings({}).desktop_notify is False
    assert parse_watch_settings({"desktop_notify": True}).desktop_notify is True
    with pytest.raises(ConfigError, match="desktop_notify must be true or false"):
        parse_watch_settings({"desktop_notify": "yes"})
