"""Which connection-list columns fit the terminal, and how wide each is.

Why: fixed widths showed no progress, last sync or records at 80 columns
and cut names ("Facebook Marketing → Sno…") at 200 beside 80 empty columns.
Each column has an importance; columns are taken in that order while they
fit (a less important one drops first), and the name column then takes the
room that is left, up to what a long name needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from airsync_tui.ui.widgets.fitted_columns import CELL_PADDING, RESERVED

NAME_MIN = 20
NAME_MAX = 64


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    label: str
    width: int
    #: Lower = more important (kept longer as the terminal narrows).
    importance: int
    sortable: bool = True


#: In display order.
COLUMN_SPECS: tuple[ColumnSpec, ...] = (
    ColumnSpec("provider", "Provider", 9, 7),
    ColumnSpec("name", "Connection", NAME_MIN, 0),
    ColumnSpec("state", "State", 8, 8),
    ColumnSpec("schedule", "Schedule", 17, 6),
    ColumnSpec("last", "Last job", 15, 1),
    ColumnSpec("progress", "Progress", 16, 2, sortable=False),
    ColumnSpec("age", "Last sync", 14, 4),
    ColumnSpec("records", "Committed", 11, 3),  # fits "1,234,567" and "471 planned"
    ColumnSpec("duration", "Duration", 8, 5),
)


#: How important a whole name is, against the other columns: a name cut
#: short ("Facebook Marketing → Sno…") hides more than the schedule, the
#: provider or the state column does, less than the job's outcome and numbers.
NAME_GROWTH_IMPORTANCE = 5.5


def plan_columns(total_width: int, *, multi_provider: bool, longest_name: int = NAME_MAX) -> list[tuple[ColumnSpec, int]]:
    """(column, width) pairs in display order for a terminal `total_width` wide.

    The name's growth from `NAME_MIN` to the longest name is one more item
    in the priority order: it is granted (whole, or as much as there is room
    for) before the less important columns are considered, so those drop
    first when a name would otherwise be cut.
    """
    candidates = [c for c in COLUMN_SPECS if multi_provider or c.key != "provider"]
    room = max(total_width - RESERVED, NAME_MIN + CELL_PADDING)
    wanted = max(NAME_MIN, min(longest_name, NAME_MAX))
    chosen: set[str] = set()
    used = 0
    growth = 0
    grown = False
    for column in sorted(candidates, key=lambda c: c.importance):
        if not grown and column.importance > NAME_GROWTH_IMPORTANCE:
            growth = max(0, min(wanted - NAME_MIN, room - used))
            used += growth
            grown = True
        need = column.width + CELL_PADDING
        if used + need <= room:
            chosen.add(column.key)
            used += need
    if not grown:
        growth = max(0, min(wanted - NAME_MIN, room - used))
        used += growth
    name_width = NAME_MIN + growth
    return [(c, name_width if c.key == "name" else c.width) for c in candidates if c.key in chosen]


__all__ = ["COLUMN_SPECS", "NAME_GROWTH_IMPORTANCE", "ColumnSpec", "plan_columns"]
