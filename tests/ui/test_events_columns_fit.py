"""Pulse and timeline columns follow the terminal (issue 7, responsive layout).

At 80 columns the pulse cut the event itself ("Sync succee") while showing
both "When" and "Age"; a "Who" column of dashes took room where the provider
never says who acted.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable

from tests.ui.scenarios import _pulse, _timeline, two_provider_app


def _columns(app: Any) -> dict[str, int]:
    table = app.screen.query_one("#events", DataTable)
    return {str(column.key.value): column.width for column in table.ordered_columns}


def _titles_fit(app: Any) -> None:
    """Every event title is shown whole in its column."""
    widths = _columns(app)
    longest = max(len(event.title) for event in app.screen.events)
    assert widths["event"] >= longest


async def test_pulse_at_80_columns_keeps_the_event_and_drops_the_duplicate_time() -> None:
    app = two_provider_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _pulse(pilot)
        widths = _columns(app)
        assert list(widths) == ["age", "connection", "event", "job"]
        _titles_fit(app)
        assert sum(width + 2 for width in widths.values()) <= 80 - 2
        await pilot.resize_terminal(200, 50)
        await pilot.pause()
        assert list(_columns(app)) == ["when", "age", "connection", "event", "job"]  # room again: the time comes back


async def test_timeline_leaves_out_a_who_column_with_nobody_in_it() -> None:
    app = two_provider_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await _timeline(pilot)
        assert all(not event.user for event in app.screen.events)
        assert "who" not in _columns(app)
        _titles_fit(app)
