"""Events tables fit the terminal: least important columns drop first, empty ones never show."""

from __future__ import annotations

from airsync_tui.ui.widgets.fitted_columns import CELL_PADDING, RESERVED, FitColumn, fit_columns

COLUMNS = (
    FitColumn("when", "When", 11, 4),
    FitColumn("age", "Age", 14, 1),
    FitColumn("event", "Event", 22, 0, grow_to=30),
    FitColumn("who", "Who", 12, 3),
    FitColumn("job", "Job", 9, 2),
    FitColumn("what", "Details", 16, 2, grow_to=120),
)


def _keys(plan: list[tuple[FitColumn, int]]) -> list[str]:
    return [column.key for column, _ in plan]


def _used(plan: list[tuple[FitColumn, int]]) -> int:
    return sum(width + CELL_PADDING for _, width in plan)


def test_narrow_terminal_drops_the_least_important_columns_first() -> None:
    plan = fit_columns(COLUMNS, 80, longest={"event": 27, "what": 60})
    assert _keys(plan) == ["age", "event", "job", "what"]  # display order kept; "who" and "when" dropped
    assert _used(plan) <= 80 - RESERVED
    widths = dict((c.key, w) for c, w in plan)
    assert widths["event"] == 27  # grown to its longest value before the details take the rest
    assert _used(plan) == 80 - RESERVED  # the room left went to the details


def test_wide_terminal_shows_everything_and_flexible_columns_stop_at_their_longest_value() -> None:
    plan = fit_columns(COLUMNS, 200, longest={"event": 27, "what": 40})
    assert _keys(plan) == ["when", "age", "event", "who", "job", "what"]
    widths = dict((c.key, w) for c, w in plan)
    assert widths["event"] == 27 and widths["what"] == 40


def test_columns_with_nothing_to_show_are_left_out() -> None:
    plan = fit_columns(COLUMNS, 200, empty={"who"})
    assert "who" not in _keys(plan)


def test_a_terminal_too_narrow_for_any_column_still_shows_the_most_important_one() -> None:
    plan = fit_columns(COLUMNS, 20)
    assert _keys(plan) == ["event"]
    assert _used(plan) <= 20 - RESERVED


def test_triage_tables_fit_80_columns_and_keep_what_an_operator_acts_on() -> None:
    from airsync_tui.ui.screens.triage import CONNECTION_COLUMNS, GROUP_COLUMNS

    groups = fit_columns(GROUP_COLUMNS, 80, longest={"cause": 90, "kind": 6})
    assert _keys(groups) == ["count", "kind", "since", "streak", "cause"]
    assert _used(groups) == 80 - RESERVED  # the cause takes the room that is left, never more
    connections = fit_columns(CONNECTION_COLUMNS, 80, longest={"name": 30, "stream": 12})
    assert _keys(connections) == ["name", "since", "ok", "next", "stream"]  # streak and job id drop first
    assert _used(connections) <= 80 - RESERVED
    widths = dict((c.key, w) for c, w in connections)
    # Ages and next runs are never cut: "36 minutes ago", "in 123h05m".
    assert widths["since"] >= len("36 minutes ago") and widths["ok"] >= len("36 minutes ago")
    assert widths["next"] >= len("in 123h05m")
    wide = fit_columns(CONNECTION_COLUMNS, 200, longest={"name": 30, "stream": 12})
    assert _keys(wide) == [c.key for c in CONNECTION_COLUMNS]


def test_timeline_event_titles_are_whole_where_the_terminal_has_room() -> None:
    """At 200 columns "Settings changed: schedule type, sync mode" was cut at 32 beside 80 empty columns."""
    from airsync_tui.ui.screens.timeline import PulseScreen, TimelineScreen

    for columns in (TimelineScreen.columns, PulseScreen.columns):
        widths = dict((c.key, w) for c, w in fit_columns(columns, 200, longest={"event": 45, "what": 40, "connection": 30}))
        assert widths["event"] == 45
