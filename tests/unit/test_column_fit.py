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
