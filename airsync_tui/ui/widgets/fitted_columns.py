"""Which columns of a table fit the terminal, how wide each is, and a DataTable that follows the plan.

Why: the pulse and timeline tables used fixed columns, so at 80 columns the
event itself ("Sync succee") and its details were cut while both "When" and
"Age" said the same thing, and a "Who" column full of dashes (Hightouch
does not say who acted) took room. Each column has an importance: columns
are taken in that order while they fit (the least important drops first),
columns with nothing to show are left out, and flexible columns then share
the room that is left, up to what their longest value needs. `FittedColumns`
does the steps every such table needs (measure the rows, plan, rebuild the
columns only when the plan changes, add each row in the planned order) once,
for the Alerts, pulse and timeline screens.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import DataTable

#: DataTable pads each cell with one space on both sides.
CELL_PADDING = 2
#: Room kept for the vertical scrollbar and the screen's edge.
RESERVED = 2


@dataclass(frozen=True)
class FitColumn:
    key: str
    label: str
    #: Width it needs to be worth showing (values longer than this are cut with "…").
    width: int
    #: Lower = more important (kept longer as the terminal narrows).
    importance: int
    #: A flexible column grows up to this width with the room left over (0 = fixed).
    grow_to: int = 0


def fit_columns(
    columns: Sequence[FitColumn],
    total_width: int,
    *,
    longest: Mapping[str, int] | None = None,
    empty: Iterable[str] = (),
) -> list[tuple[FitColumn, int]]:
    """(column, width) pairs in display order for a terminal `total_width` wide.

    `longest`: the longest value per column (a flexible column grows no wider
    than that, nor than its `grow_to`). `empty`: columns with nothing to show.
    """
    longest = longest or {}
    skip = set(empty)
    room = max(total_width - RESERVED, 1)
    chosen: dict[str, int] = {}
    used = 0
    for rank, column in enumerate(sorted((c for c in columns if c.key not in skip), key=lambda c: c.importance)):
        need = column.width + CELL_PADDING
        if rank == 0 and need > room:  # the most important column always shows, cut to the room there is
            chosen[column.key] = max(room - CELL_PADDING, 1)
            used = room
        elif used + need <= room:
            chosen[column.key] = column.width
            used += need
    for column in sorted((c for c in columns if c.key in chosen and c.grow_to), key=lambda c: c.importance):
        target = min(column.grow_to, max(longest.get(column.key, column.width), column.width))
        growth = max(0, min(target - chosen[column.key], room - used))
        chosen[column.key] += growth
        used += growth
    return [(c, chosen[c.key]) for c in columns if c.key in chosen]


#: A row: its key and its cells by column key.
Row = tuple[str, dict[str, Text]]
#: Cells that say nothing: a column of only these is left out when asked.
EMPTY_CELLS = ("", "-")


class FittedColumns:
    """The planned columns of one table; `fill` re-plans (cheaply) and shows the rows."""

    def __init__(self, columns: Sequence[FitColumn], *, leave_out_empty: bool = False) -> None:
        self.columns = tuple(columns)
        self.leave_out_empty = leave_out_empty
        #: (column key, width) in display order, as the table has them now.
        self.layout: tuple[tuple[str, int], ...] = ()

    def plan(self, table: DataTable[Text], total_width: int, rows: Sequence[Row]) -> bool:
        """Give `table` the columns that fit `total_width` for `rows`; True if they changed."""
        longest = {column.key: max((len(cells[column.key].plain) for _, cells in rows), default=0) for column in self.columns}
        empty = (
            [c.key for c in self.columns if rows and all(cells[c.key].plain in EMPTY_CELLS for _, cells in rows)]
            if self.leave_out_empty
            else []
        )
        plan = fit_columns(self.columns, total_width, longest=longest, empty=empty)
        layout = tuple((column.key, width) for column, width in plan)
        if layout == self.layout:
            return False
        self.layout = layout
        table.clear(columns=True)
        for column, width in plan:
            table.add_column(column.label, key=column.key, width=width)
        return True

    def fill(self, table: DataTable[Text], total_width: int, rows: Sequence[Row]) -> None:
        """Plan the columns, then show exactly `rows` in them (the caller restores its cursor)."""
        self.plan(table, total_width, rows)
        table.clear()
        keys = [key for key, _ in self.layout]
        for row_key, cells in rows:
            table.add_row(*(cells[key] for key in keys), key=row_key)


__all__ = ["CELL_PADDING", "EMPTY_CELLS", "RESERVED", "FitColumn", "FittedColumns", "Row", "fit_columns"]
