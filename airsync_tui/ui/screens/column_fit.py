"""Which columns of an events table fit the terminal, and how wide each is.

Why: the pulse and timeline tables used fixed columns, so at 80 columns the
event itself ("Sync succee") and its details were cut while both "When" and
"Age" said the same thing, and a "Who" column full of dashes (Hightouch
does not say who acted) took room. Each column has an importance: columns
are taken in that order while they fit (the least important drops first),
columns with nothing to show are left out, and flexible columns then share
the room that is left, up to what their longest value needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

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


__all__ = ["CELL_PADDING", "RESERVED", "FitColumn", "fit_columns"]
