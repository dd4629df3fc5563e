"""A DataTable that is patched in place and repaints only what changed.

Why a subclass (checked against Textual 8.2.8; it touches the same private
fields `DataTable.add_row` / `remove_row` / `sort` do):

* **Bulk views.** The built-in `remove_row` re-indexes every row (O(n) each,
  textual#5273) and the only public way to reorder is `sort()` over cell
  values. `show_rows(keys)` makes the table display exactly `keys`, in that
  order, in one pass: rows that stay keep their data, rows that leave are
  dropped, rows that arrive are rendered by the caller once. One
  `_update_count` bump, one repaint, virtual size set directly (no deferred
  per-row measuring when every column has a fixed width).
* **Row-scoped repaint.** Every DataTable render cache is keyed on the global
  `_update_count`, and `update_cell` bumps it and refreshes the whole widget:
  one changed cell re-renders every visible line (~40 ms at 140x40). Here a
  cell change bumps a *per-row* version and refreshes that row's line only if
  it is on screen; lines are rendered by `_render_line` from a cache keyed on
  (row, row version, position, cursor/hover, styles, column widths), so an
  off-screen row costs a dict write and shows its new value when scrolled
  into view, and an unchanged line is never re-rendered.
* **Diffing.** `sync_row` compares the new cells with what the table holds and
  writes only the ones whose text, style, spans or justification changed.

The fast paths assume one-line rows, a row cursor, no fixed rows/columns and
no row labels (how the dashboard uses it); otherwise the stock DataTable
rendering and invalidation are used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Self

from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.text import Text, TextType
from textual._segment_tools import line_crop
from textual._two_way_dict import TwoWayDict
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.geometry import Region, Size
from textual.renderables.styled import Styled
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets._data_table import Column, Row, default_cell_formatter
from textual.widgets.data_table import CellKey, ColumnKey, RowKey

from airsync_tui.ui.bindings import bindings_for

_EMPTY = Text()
#: Kept free for a vertical scrollbar when the rows outgrow the table's height.
VERTICAL_SCROLLBAR_ROOM = 2


def same_cell(old: object, new: Text) -> bool:
    """Would `new` look exactly like `old`? (`Text.__eq__` ignores the style)."""
    if old is new:
        return True
    if not isinstance(old, Text):
        return False
    return (
        old.plain == new.plain
        and old.style == new.style
        and old.justify == new.justify
        and old.overflow == new.overflow
        and old.spans == new.spans
    )


class LiveTable(DataTable[Text]):
    """DataTable with keyed, diffed row updates, bulk views and row-scoped repaint."""

    #: j/k, g/G and Home/End move between rows (DataTable's Home/End scroll sideways).
    BINDINGS = bindings_for("table")

    def action_first_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=0)

    def action_last_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Set before DataTable.__init__: its reactive watchers call `_clear_caches`.
        self.cell_updates = 0  # diagnostics for tests/bench: cells actually patched
        self.lines_rendered = 0  # diagnostics: data lines actually rendered (cache misses)
        self._row_version: dict[RowKey, int] = {}  # from one counter: a key never reuses a version
        self._versions = 0
        self._row_key_cache: dict[str, RowKey] = {}
        self._column_key_cache: dict[str, ColumnKey] = {}
        self._display_keys: list[str] | None = []
        # Data of rows a view hid, reused (with their render caches) when they come back.
        self._hidden: dict[RowKey, dict[ColumnKey, Text]] = {}
        self._rows_in_order = True  # `self.rows` iterates in display order (not after `sort`)
        self._ordered_rows_cache: tuple[tuple[int, int], list[Row]] | None = None
        # Lazy rows: re-rendered from `row_source` only when painted or read (off-screen ticks cost nothing).
        self.row_source: Callable[[str], Mapping[str, Text] | None] | None = None
        self._stale: set[RowKey] = set()
        # Rendered rows without position metadata (reused when a filter moves a row).
        self._row_segments: LRUCache[tuple[object, ...], list[list[Segment]]] = LRUCache(4000)
        # Final lines (with the row/column metadata mouse clicks need).
        self._fast_lines: LRUCache[tuple[object, ...], Strip] = LRUCache(1000)
        # Rendered cells by look (most cells repeat: "active", "every 6 hours", "–"...).
        self._cell_segments: LRUCache[tuple[object, ...], list[Segment]] = LRUCache(20000)
        # Until the operator (or the app on their behalf) places the cursor, it
        # stays on the first row: rows that land above it while the list loads
        # (one provider answers before another) must not leave it on row 2.
        self._cursor_placed = False
        self._restoring_cursor = False
        super().__init__(*args, **kwargs)

    def watch_cursor_coordinate(self, old_coordinate: Coordinate, new_coordinate: Coordinate) -> None:
        """Any move not made by `_restore_cursor` is a placement (keys, clicks, `move_to_key`)."""
        if old_coordinate != new_coordinate and not self._restoring_cursor:
            self._cursor_placed = True
        super().watch_cursor_coordinate(old_coordinate, new_coordinate)

    # ------------------------------------------------------------ keys
    def _rk(self, key: str) -> RowKey:
        row_key = self._row_key_cache.get(key)
        if row_key is None:
            row_key = self._row_key_cache[key] = RowKey(key)
        return row_key

    def _ck(self, key: str) -> ColumnKey:
        column_key = self._column_key_cache.get(key)
        if column_key is None:
            column_key = self._column_key_cache[key] = ColumnKey(key)
        return column_key

    def _bump(self, row_key: RowKey) -> None:
        self._versions += 1
        self._row_version[row_key] = self._versions

    def has_row(self, key: str) -> bool:
        return self._rk(key) in self.rows

    def row_keys(self) -> list[str]:
        """Visible row keys in display order."""
        if self._display_keys is None or len(self._display_keys) != len(self.rows):
            row_keys = map(self._row_locations.get_key, range(len(self.rows)))  # every index below len(rows) has a key
            self._display_keys = [str(key.value) for key in row_keys if key is not None]
        return list(self._display_keys)

    # ------------------------------------------------- stock mutations
    def add_row(self, *cells: Text, height: int | None = 1, key: str | None = None, label: TextType | None = None) -> RowKey:
        if height != 1:
            raise ValueError("LiveTable rows are one line high")
        self._display_keys = None
        row_key = super().add_row(*cells, height=height, key=key, label=label)
        self._hidden.pop(row_key, None)
        self._bump(row_key)
        return row_key

    def remove_row(self, row_key: RowKey | str) -> None:
        self._display_keys = None
        super().remove_row(row_key)
        key = row_key if isinstance(row_key, RowKey) else RowKey(row_key)
        self._row_version.pop(key, None)

    def clear(self, columns: bool = False) -> Self:
        self._display_keys = None
        self._hidden.clear()
        self._stale.clear()
        self._row_version.clear()
        super().clear(columns)
        self._rows_in_order = True
        return self

    def sort(self, *columns: ColumnKey | str, key: Callable[[Any], Any] | None = None, reverse: bool = False) -> Self:
        self._display_keys = None
        self._rows_in_order = False
        super().sort(*columns, key=key, reverse=reverse)
        return self

    def add_column(self, label: TextType, *, width: int | None = None, key: str | None = None, default: Text | None = None) -> ColumnKey:
        self._hidden.clear()  # hidden rows would miss the new column
        return super().add_column(label, width=width, key=key, default=default)

    def forget(self, keys: Iterable[str] | None = None) -> None:
        """Drop the kept data of hidden rows (all when `keys` is None): they changed while hidden."""
        if keys is None:
            self._stale.difference_update(self._hidden)
            self._hidden.clear()
            return
        for key in keys:
            row_key = self._rk(key)
            if row_key not in self.rows:
                self._stale.discard(row_key)
            if self._hidden.pop(row_key, None) is not None:
                self._bump(row_key)

    @property
    def ordered_rows(self) -> list[Row]:
        """The stock property walks every index through the two-way dict; rows are usually already in order."""
        if not self._rows_in_order:
            return super().ordered_rows
        cache_key = (len(self.rows), self._update_count)
        cached = self._ordered_rows_cache
        if cached is None or cached[0] != cache_key:
            cached = self._ordered_rows_cache = (cache_key, list(self.rows.values()))
        return cached[1]

    # ------------------------------------------------------- diffing
    def sync_row(self, key: str, cells: Mapping[str, Text]) -> bool:
        """Add the row, or patch only its changed cells. Returns True if anything changed."""
        row_key = self._rk(key)
        if row_key not in self.rows:
            self.add_row(*(cells[str(col.key.value)] for col in self.ordered_columns), key=key)
            return True
        self._stale.discard(row_key)
        row_data = self._data[row_key]
        changed = False
        for col, cell in cells.items():
            column_key = self._ck(col)
            if same_cell(row_data.get(column_key), cell):
                continue
            if column_key not in self._column_locations:
                continue
            row_data[column_key] = cell
            self.cell_updates += 1
            changed = True
            if self._needs_width(column_key, cell):
                self._updated_cells.add(CellKey(row_key, column_key))
                self._require_update_dimensions = True
        if changed:
            self._row_changed(row_key)
        return changed

    def refresh_lazily(self, keys: Iterable[str]) -> None:
        """Rows whose text may have changed with time: re-render now if on screen, else when shown or read.

        Needs `row_source`; an off-screen row is only flagged, and `_render_line`
        (or `get_cell`/`get_row`) pulls its fresh cells when it scrolls into view.
        """
        source = self.row_source
        if source is None:
            return
        first, last = self.visible_row_range()
        locations = self._row_locations
        for key in keys:
            row_key = self._rk(key)
            index = locations.get(row_key)
            if index is None:
                continue
            if first <= index < last:
                self._stale.discard(row_key)
                cells = source(key)
                if cells is not None:
                    self.sync_row(key, cells)
            else:
                self._stale.add(row_key)

    def is_stale(self, key: str) -> bool:
        return self._rk(key) in self._stale

    def visible_row_range(self) -> tuple[int, int]:
        """Indices [first, last) of the rows inside the window (one-line rows)."""
        header = self.header_height if self.show_header else 0
        first = int(self.scroll_offset.y)
        return first, first + max(0, self.size.height - header)

    def _flush_stale(self, row_key: RowKey) -> None:
        """Pull fresh cells for a lazily refreshed row (while it is being painted or read: no extra refresh)."""
        self._stale.discard(row_key)
        source = self.row_source
        row_data = self._data.get(row_key)
        if source is None or row_data is None:
            return
        cells = source(str(row_key.value))
        if not cells:
            return
        changed = False
        for col, cell in cells.items():
            column_key = self._ck(col)
            if column_key in self._column_locations and not same_cell(row_data.get(column_key), cell):
                row_data[column_key] = cell
                self.cell_updates += 1
                changed = True
        if changed:
            self._bump(row_key)

    def get_cell(self, row_key: RowKey | str, column_key: ColumnKey | str) -> Text:
        key = row_key if isinstance(row_key, RowKey) else self._rk(row_key)
        if key in self._stale:
            self._flush_stale(key)
        return super().get_cell(key, column_key)

    def get_row(self, row_key: RowKey | str) -> list[Text]:
        key = row_key if isinstance(row_key, RowKey) else self._rk(row_key)
        if key in self._stale:
            self._flush_stale(key)
        return super().get_row(key)

    def _row_changed(self, row_key: RowKey) -> None:
        self._bump(row_key)
        if self._require_update_dimensions:
            self.check_idle()
        if not self._fast_path():
            self._update_count += 1
            self.refresh()
            return
        index = self._row_locations.get(row_key)
        if index is not None:
            self.refresh_row(index)  # no-op when the row is scrolled out of view

    def _needs_width(self, column_key: ColumnKey, cell: Text) -> bool:
        column = self.columns.get(column_key)
        return column is not None and column.auto_width and cell.cell_len > column.content_width

    def room_for(self, key: str, rows: Sequence[tuple[str, Mapping[str, Text]]]) -> int | None:
        """Cells the column `key` can use so that `rows` fit the table's width; None before layout.

        The other columns are auto-sized to their widest label or cell (plus DataTable's padding);
        what is left is the room for `key` (its padding included). A job panel at 80 columns had
        its last column run past the edge, behind a horizontal scrollbar.
        """
        width = self.scrollable_content_region.width
        if width <= 0:
            return None
        padding = 2 * self.cell_padding
        used = 0
        for column_key, column in self.columns.items():
            if column_key.value == key:
                continue
            name = column_key.value or ""
            widest = max((cells[name].cell_len for _, cells in rows if name in cells), default=0)
            used += max(widest, column.label.cell_len) + padding
        return max(width - used - padding - VERTICAL_SCROLLBAR_ROOM, 0)

    def shrink_column(self, key: str) -> None:
        """Let the auto-sized column `key` narrow to its widest cell now (DataTable only ever widens one).

        Why: a cell cut to fit a narrower terminal left its column as wide as the longest value it ever held.
        """
        column_key = self._ck(key)
        column = self.columns.get(column_key)
        if column is None or not column.auto_width:
            return
        widest = column.label.cell_len
        for row in self._data.values():
            cell = row.get(column_key)
            if isinstance(cell, Text):
                widest = max(widest, cell.cell_len)
        if widest < column.content_width:
            column.content_width = widest
            self._require_update_dimensions = True
            self._update_count += 1  # rendered lines are cached per column widths
            self.refresh()
            self.check_idle()

    def sync_rows(self, rows: Sequence[tuple[str, Mapping[str, Text]]]) -> None:
        """Make the table hold exactly `rows`, in that order, with minimal changes."""
        by_key = dict(rows)
        self.show_rows([key for key, _ in rows], by_key.__getitem__)
        for key, cells in rows:
            self.sync_row(key, cells)

    # ---------------------------------------------------- bulk views
    def show_rows(self, keys: Sequence[str], cells_for: Callable[[str], Mapping[str, Text]]) -> bool:
        """Display exactly `keys`, in this order, in one pass; True if anything changed.

        Rows already shown keep their data (and cursor); `cells_for(key)` is
        called only for rows that are not in the table yet.
        """
        if self._display_keys is not None and len(self._display_keys) == len(self.rows) and list(keys) == self._display_keys:
            return False
        cursor_key = self.cursor_key()
        columns = self.ordered_columns
        column_keys = [(column.key, str(column.key.value)) for column in columns]
        auto_width = any(column.auto_width for column in columns)
        old_rows, old_data = self.rows, self._data
        new_rows: dict[RowKey, Row] = {}
        new_data: dict[RowKey, dict[ColumnKey, Text]] = {}
        added: list[RowKey] = []
        rk = self._rk
        hidden = self._hidden
        for key in keys:
            row_key = rk(key)
            if row_key in new_rows:
                continue
            row = old_rows.get(row_key)
            if row is None:
                data = hidden.pop(row_key, None)
                if data is None:
                    cells = cells_for(key)
                    data = {column_key: cells.get(name, _EMPTY) for column_key, name in column_keys}
                    self._bump(row_key)
                new_data[row_key] = data
                new_rows[row_key] = Row(row_key, 1, None, False)
                added.append(row_key)
            else:
                new_data[row_key] = old_data[row_key]
                new_rows[row_key] = row
        if len(new_rows) != len(old_rows) or added:
            for row_key in old_rows.keys() - new_rows.keys():
                hidden[row_key] = old_data[row_key]
        if self._updated_cells:
            self._updated_cells = {cell for cell in self._updated_cells if cell.row_key in new_rows}
        if self._new_rows:
            self._new_rows = {row_key for row_key in self._new_rows if row_key in new_rows}
        self.rows = new_rows
        self._data = new_data
        self._row_locations = TwoWayDict({row_key: index for index, row_key in enumerate(new_rows)})
        self._display_keys = [str(row_key.value) for row_key in new_rows]
        self._rows_in_order = True
        self._update_count += 1
        if auto_width:
            self._new_rows.update(added)
            self._require_update_dimensions = True
            self.check_idle()
        else:
            self._set_virtual_size()
        self.refresh()
        self._restore_cursor(cursor_key)
        return True

    def _set_virtual_size(self) -> None:
        """What `_update_dimensions` computes, for one-line rows and fixed widths, without a pass over rows."""
        data_width = sum(column.get_render_width(self) for column in self.columns.values())
        header_height = self.header_height if self.show_header else 0
        self.virtual_size = Size(data_width + self._row_label_column_width, len(self.rows) + header_height)

    # ---------------------------------------------------------- cursor
    def cursor_key(self) -> str | None:
        """Key of the row under the cursor, if any."""
        if not self.rows:
            return None
        row_key = self._row_locations.get_key(self.cursor_row)
        return None if row_key is None else str(row_key.value)

    def move_to_key(self, key: str | None) -> None:
        """Put the cursor on `key`'s row (a placement: later changes keep it there)."""
        if not self._restoring_cursor:
            self._cursor_placed = True
        if key is None or not self.has_row(key):
            return
        index = self._row_locations.get(self._rk(key))
        if index is not None and index != self.cursor_row:
            self.cursor_coordinate = Coordinate(index, self.cursor_column)

    def _restore_cursor(self, key: str | None) -> None:
        """Keep the cursor on its row across a change, or on the top row if never placed."""
        self._restoring_cursor = True
        try:
            if not self._cursor_placed:
                if self.rows and self.cursor_row != 0:
                    self.cursor_coordinate = Coordinate(0, self.cursor_column)
            elif key is not None and self.has_row(key):
                self.move_to_key(key)
            else:
                self.cursor_coordinate = self.cursor_coordinate  # clamp into range
        finally:
            self._restoring_cursor = False

    # ----------------------------------------------------- rendering
    def _fast_path(self) -> bool:
        return self.cursor_type == "row" and not self.fixed_rows and not self.fixed_columns and not self._should_render_row_labels

    def _clear_caches(self) -> None:
        super()._clear_caches()
        self._row_segments.clear()
        self._fast_lines.clear()
        self._cell_segments.clear()

    def notify_style_update(self) -> None:
        self._row_segments.clear()
        self._fast_lines.clear()
        self._cell_segments.clear()
        super().notify_style_update()

    def _get_row_region(self, row_index: int) -> Region:
        """O(1): every row is one line high (the stock version sums all rows above)."""
        if not self.is_valid_row_index(row_index):
            return Region(0, 0, 0, 0)
        row_width = sum(column.get_render_width(self) for column in self.columns.values()) + self._row_label_column_width
        y = row_index + (self.header_height if self.show_header else 0)
        return Region(0, y, max(self.size.width, row_width), 1)

    @property
    def _total_row_height(self) -> int:
        return len(self.rows)

    def _get_offsets(self, y: int) -> tuple[RowKey, int]:
        """O(1) line → (row, line in row) without building the per-line offset list."""
        if self.show_header:
            if y < self.header_height:
                return self._header_row_key, y
            y -= self.header_height
        row_key = self._row_locations.get_key(y) if 0 <= y < len(self.rows) else None
        if row_key is None:
            raise LookupError(f"Y coord {y!r} is greater than total height")
        return row_key, 0

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        header_height = self.header_height if self.show_header else 0
        if y < header_height or not self._fast_path():
            return super()._render_line(y, x1, x2, base_style)
        width = self.size.width
        row_index = y - header_height
        row_key = self._row_locations.get_key(row_index)
        if row_key is None:
            return Strip.blank(width, base_style)
        if row_key in self._stale:
            self._flush_stale(row_key)
        cursor_row = self.cursor_coordinate.row
        hover_row = self.hover_coordinate.row
        on_cursor = cursor_row == row_index
        on_hover = hover_row == row_index
        columns = self.ordered_columns
        widths = tuple(column.get_render_width(self) for column in columns)
        row_style = self._get_row_style(row_index, base_style)
        flags = (
            on_cursor,
            on_hover,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority,
            self.cursor_background_priority,
            self.cell_padding,
        )
        version = self._row_version.get(row_key, 0)
        line_key = (row_key, version, row_index, flags, widths, row_style, base_style, x1, x2, width, self._pseudo_class_state)
        strip = self._fast_lines.get(line_key)
        if strip is not None:
            return strip

        content_key = (row_key, version, flags, widths, row_style, self._pseudo_class_state)
        cells = self._row_segments.get(content_key)
        if cells is None:
            cells = self._render_row_cells(row_key, columns, widths, row_style, on_cursor, on_hover)
            self._row_segments[content_key] = cells
        self.lines_rendered += 1

        segments: list[Segment] = []
        for column_index, cell in enumerate(cells):
            meta = Style.from_meta({"row": row_index, "column": column_index})
            segments.extend(Segment(text, meta if style is None else style + meta, control) for text, style, control in cell)
        extend_style, _ = self._get_styles_to_render_cell(
            False, False, False, on_hover, on_cursor, self.show_cursor, self._show_hover_cursor, False, False
        )
        extend_style = row_style + extend_style + Style.from_meta({"row": row_index, "column": 0, "out_of_bounds": True})
        segments.append(Segment(" " * max(0, width - sum(widths) - self._row_label_column_width), extend_style))
        strip = Strip(line_crop(segments, x1, x2, width)).adjust_cell_length(width, base_style).simplify()
        self._fast_lines[line_key] = strip
        return strip

    def _render_row_cells(
        self, row_key: RowKey, columns: list[Column], widths: tuple[int, ...], row_style: Style, on_cursor: bool, on_hover: bool
    ) -> list[list[Segment]]:
        """One row's cells rendered exactly as `DataTable._render_cell` does, minus the position metadata."""
        component_style, post_style = self._get_styles_to_render_cell(
            False,
            False,
            False,
            on_hover,
            on_cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        pre_style = row_style + component_style
        row_data = self._data[row_key]
        console = self.app.console
        base_options = self.app.console_options
        padding = (0, self.cell_padding)
        cache = self._cell_segments
        rendered: list[list[Segment]] = []
        for column, width in zip(columns, widths, strict=False):
            datum = row_data.get(column.key)
            cell = _EMPTY if datum is None else (default_cell_formatter(datum, wrap=False, height=1) or _EMPTY)
            look: tuple[object, ...] | None = None
            if isinstance(cell, Text):
                look = (
                    cell.plain,
                    cell.style,
                    tuple(cell.spans),
                    cell.justify,
                    cell.overflow,
                    cell.end,
                    width,
                    pre_style,
                    post_style,
                    padding,
                )
                segments = cache.get(look)
                if segments is not None:
                    rendered.append(segments)
                    continue
            options = base_options.update_dimensions(width, 1).update(no_wrap=True)
            lines = console.render_lines(Styled(Padding(cell, padding), pre_style=pre_style, post_style=post_style), options)
            segments = lines[0] if lines else [Segment(" " * width, pre_style)]
            if look is not None:
                cache[look] = segments
            rendered.append(segments)
        return rendered
