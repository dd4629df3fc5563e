"""Triage follows a new alert at once, and a burst of alerts with one more listing (issue 11).

The header beside the triage list counts a failure the moment its alert
opens; a list that waited two seconds before looking again showed "3
failing" under a header saying "4 failing".
"""

from __future__ import annotations

from datetime import UTC, datetime

from airsync_tui.service.problems import ConnectionProblem, ProblemKind, Severity
from airsync_tui.ui.screens.triage import TriageScreen
from tests.ui.conftest import make_app, wait_for

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _problem(n: int) -> ConnectionProblem:
    return ConnectionProblem(
        kind=ProblemKind.FAILED,
        severity=Severity.CRITICAL,
        provider="airbyte",
        connection_key=f"airbyte:c{n}",
        connection_name=f"conn {n}",
        since=T0,
        summary=f"destination · config_error: bad password for user {n}",
        streak=1,
    )


class _Source:
    def __init__(self) -> None:
        self.problems: list[ConnectionProblem] = [_problem(1)]
        self.calls = 0

    async def open_problems(self) -> list[ConnectionProblem]:
        self.calls += 1
        return list(self.problems)


async def test_first_alert_change_refreshes_at_once_and_a_burst_once_more() -> None:
    source = _Source()
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = TriageScreen(source=source)
        await app.push_screen(screen)
        await wait_for(pilot, lambda: source.calls == 1 and bool(screen.groups), what="the first listing")
        source.problems.append(_problem(2))
        screen.render_alerts()  # an alert opened
        assert not screen._follow_pending  # listed now, not after the burst window
        await wait_for(pilot, lambda: source.calls == 2, what="a listing right away")
        await wait_for(pilot, lambda: sum(len(g.problems) for g in screen.groups) == 2, what="both connections listed")
        screen.render_alerts()
        screen.render_alerts()  # a burst right after: one more listing, later
        await pilot.pause()
        assert source.calls == 2 and screen._follow_pending
        await wait_for(pilot, lambda: source.calls == 3, timeout=5, what="the burst's one listing")
        assert not screen._follow_pending
