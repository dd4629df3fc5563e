"""`LogView`: a Line-API viewer over a :class:`~airsync_tui.logs.LogIndex`.

Why the Line API: a million-line attempt log must scroll as fast as a
ten-line one. `ScrollView.render_line` is asked only for the rows on screen,
so the cost of a frame is ~50 lines whatever the log size. There are no
per-line widgets and no per-line Rich objects: each visible line becomes a
`Strip` of a few `Segment`s built from *plain strings* (never Rich markup,
so ``[bold]`` in a log is shown literally), cached in an LRU keyed by
(line, render options) and cropped for horizontal scrolling.

Rows vs lines: filters make a "visible lines" array (row → line number);
without filters rows are line numbers. The cursor is a row. In wrap mode
the scroll unit stays one *line* (the top line of the screen) and the rows
of the screen are laid out from it, because computing wrapped heights for a
million lines on every resize would cost more than a frame.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from itertools import compress
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollTo, ScrollUp
from textual.strip import Strip

from airsync_tui.logs import LEVEL_LABELS, SOURCE_LABELS, Level, LogIndex, compile_highlighter
from airsync_tui.logs.index import Source, format_timestamp

__all__ = ["LogView"]

#: Longest message text rendered; longer lines are cut with a marker so one
#: pathological 1 MB line cannot stall a frame (k9s/lazydocker bug reports).
MAX_RENDER_CHARS = 10_000
_PREFIX_TS = 20  # "2026-01-01 08:15:05 "
_PREFIX_LEVEL_SOURCE = 15  # "ERROR dest     "


def has_line_headers(index: LogIndex, start: int = 0) -> bool:
    """Whether any line from `start` on has a timestamp, a level or a source.

    Why: a log with none (Hightouch's run summary, which is not a log at all)
    rendered every line behind 35 blank columns of an empty timestamp, level
    and source gutter. Levels and sources are byte columns, so this is two
    C-speed counts; timestamps are read only when both are empty.
    """
    count = len(index) - start
    if count <= 0:
        return False
    if bytes(index.levels[start:]).count(Level.UNKNOWN) != count:
        return True
    if bytes(index.sources[start:]).count(Source.UNKNOWN) != count:
        return True
    return any(index.timestamp(i) for i in range(start, len(index)))


class LogView(ScrollView, can_focus=True):
    """Scrollable, searchable, filterable view of one attempt log."""

    DEFAULT_CSS = """
    LogView {
        background: $surface;
        color: $foreground;
    }
    LogView > .log-view--timestamp { color: $text-muted; }
    LogView > .log-view--source { color: $text-muted; }
    LogView > .log-view--error { color: $error; text-style: bold; }
    LogView > .log-view--warn { color: $warning; }
    LogView > .log-view--info { }
    LogView > .log-view--debug { color: $text-disabled; }
    LogView > .log-view--match { background: $warning 40%; }
    LogView > .log-view--match-current { background: $accent; color: $text; text-style: bold; }
    LogView > .log-view--cursor { background: $boost; }
    LogView:focus > .log-view--cursor { background: $primary 25%; }
    """

    COMPONENT_CLASSES = {
        "log-view--timestamp",
        "log-view--source",
        "log-view--error",
        "log-view--warn",
        "log-view--info",
        "log-view--debug",
        "log-view--match",
        "log-view--match-current",
        "log-view--cursor",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False),
        Binding("pagedown,ctrl+f,space", "page_down", "Page down", show=False),
        Binding("home,g", "scroll_home", "Top", show=False),
        Binding("end,G", "follow", "End / follow", show=False),
        Binding("left", "scroll_left", "Left", show=False),
        Binding("right", "scroll_right", "Right", show=False),
        Binding("shift+left", "page_left", "Page left", show=False),
        Binding("shift+right", "page_right", "Page right", show=False),
    ]

    following: reactive[bool] = reactive(False, init=False)
    """Keep the newest line in view as lines arrive; scrolling up pauses it."""
    wrap: reactive[bool] = reactive(False, init=False)
    show_timestamps: reactive[bool] = reactive(True, init=False)

    class FollowChanged(Message):
        """Follow mode was switched on or off."""

        def __init__(self, following: bool) -> None:
            super().__init__()
            self.following = following

    class MatchChanged(Message):
        """The current match moved or the match set changed (``current`` is 1-based, 0 = none)."""

        def __init__(self, current: int, total: int) -> None:
            super().__init__()
            self.current = current
            self.total = total

    class CursorMoved(Message):
        """The cursor moved: ``row`` (0-based) of ``rows`` visible rows, on index ``line``."""

        def __init__(self, row: int, rows: int, line: int | None) -> None:
            super().__init__()
            self.row = row
            self.rows = rows
            self.line = line

    def __init__(
        self,
        index: LogIndex | None = None,
        *,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's convention
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._index = index or LogIndex()
        self._visible: array[int] | None = None  # row -> line; None = identity
        self._mask: bytes | None = None  # line -> shown (1/0); None = all
        self._min_level: int | None = None
        self._sources: frozenset[int] = frozenset()
        self._cursor = 0
        self._matches = array("q")  # matching *visible* line numbers, sorted
        self._match_pos = -1
        self._highlighter: re.Pattern[str] | None = None
        self._search: tuple[str, bool, bool] | None = None
        self._strip_cache: LRUCache[tuple[object, ...], Strip] = LRUCache(2000)
        self._styles: dict[str, Style] | None = None
        self._wrap_layout: tuple[tuple[object, ...], list[Strip], list[int]] | None = None
        self._internal_scroll = False
        #: No line has a timestamp, level or source: no gutter (see `has_line_headers`).
        self._bare = not has_line_headers(self._index)

    # -- public API ---------------------------------------------------------

    @property
    def index(self) -> LogIndex:
        return self._index

    @property
    def row_count(self) -> int:
        return len(self._visible) if self._visible is not None else len(self._index)

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def match_total(self) -> int:
        return len(self._matches)

    @property
    def match_current(self) -> int:
        """1-based number of the current match, 0 if none."""
        return self._match_pos + 1 if self._match_pos >= 0 else 0

    @property
    def min_level(self) -> int | None:
        return self._min_level

    @property
    def source_filter(self) -> frozenset[int]:
        return self._sources

    def set_index(self, index: LogIndex, *, follow: bool = False) -> None:
        """Show a (new) log; keeps filters and re-runs the active search."""
        self._index = index
        self._bare = not has_line_headers(index)
        self._cursor = 0
        self._apply_filter()
        if self._search is not None:
            term, case, regex = self._search
            self._set_matches(index.search(term, case, regex))
        self._reset_view()
        if follow:
            self.following = True
            self._go_to_end()
        else:
            self.following = False
            self._scroll(0, 0)
        self._post_cursor()

    def replace_index(self, index: LogIndex, *, matches: array[int] | None = None) -> None:
        """Swap in a bigger index that starts with the current one's lines.

        Used when a progressive load finishes: the prefix on screen becomes
        the full log. Line ``i`` means the same line in both, so the cursor
        line, the top line on screen, filters, the active search and the
        current match are all kept (unless following, which stays at the end).
        ``matches`` is the active search's result on ``index`` if the caller
        already computed it off the UI thread; otherwise it is searched here.
        """
        cursor_line = self.current_line()
        top_line = self._line_of_row(min(int(self.scroll_y), self.row_count - 1)) if self.row_count else 0
        current_match = self._matches[self._match_pos] if self._match_pos >= 0 else None
        self._index = index
        self._bare = not has_line_headers(index)
        self._apply_filter()
        if self._search is not None:
            term, case, regex = self._search
            self._set_matches(matches if matches is not None else index.search(term, case, regex))
            if current_match is not None:
                pos = bisect_left(self._matches, current_match)
                if pos < len(self._matches) and self._matches[pos] == current_match:
                    self._match_pos = pos
            self.post_message(self.MatchChanged(self.match_current, len(self._matches)))
        self._reset_view()
        if self.following:
            self._go_to_end()
        else:
            if cursor_line is not None:
                self._cursor = self._row_of_line(cursor_line)
            self._scroll(None, self._row_of_line(top_line) if self.row_count else 0)
        self._post_cursor()

    def lines_appended(self, first_new_line: int) -> None:
        """Tell the view the index grew (follow mode). ``first_new_line`` = old ``len``."""
        index = self._index
        if self._bare and has_line_headers(index, first_new_line):
            self._bare = False
            self._strip_cache.clear()
        if self._mask is not None:
            self._apply_filter()
        if self._search is not None:
            term, case, regex = self._search
            fresh = index.search(term, case, regex, start=first_new_line)
            if self._mask is not None:
                mask = self._mask
                fresh = array("q", (line for line in fresh if mask[line]))
            if fresh:
                self._matches.extend(fresh)
                self.post_message(self.MatchChanged(self.match_current, len(self._matches)))
        self._reset_view(keep_cache=True)
        if self.following:
            self._go_to_end()
        self._post_cursor()

    def set_filter(self, min_level: int | None = None, sources: Iterable[int] | None = None) -> None:
        """Show only lines at/above ``min_level`` and from ``sources`` (None/empty = all)."""
        current_line = self.current_line()
        self._min_level = min_level
        self._sources = frozenset(int(s) for s in sources or ())
        self._apply_filter()
        if self._search is not None:
            term, case, regex = self._search
            self._set_matches(self._index.search(term, case, regex))
            # The counter counts what the filters leave visible.
            self.post_message(self.MatchChanged(self.match_current, len(self._matches)))
        self._reset_view()
        if self.following:
            self._go_to_end()
        else:
            self._cursor = self._row_at_or_after(current_line) if current_line is not None else 0
            self._scroll_to_cursor(center=True)
        self._post_cursor()

    def set_search(self, term: str, case_sensitive: bool = False, regex: bool = False) -> int:
        """Search synchronously and jump to the first match at/after the cursor.

        Raises :class:`~airsync_tui.logs.SearchError` for a bad regex. Returns
        the number of matching (visible) lines.
        """
        matches = self._index.search(term, case_sensitive, regex)
        self.apply_search_result(term, case_sensitive, regex, matches)
        return len(self._matches)

    def apply_search_result(self, term: str, case_sensitive: bool, regex: bool, matches: array[int]) -> None:
        """Install the result of a search run elsewhere (e.g. in a worker thread)."""
        if not term:
            self.clear_search()
            return
        self._highlighter = compile_highlighter(term, case_sensitive, regex)
        self._search = (term, case_sensitive, regex)
        self._set_matches(matches)
        self._strip_cache.clear()
        self._match_pos = -1
        if self._matches:
            self._jump_to_match(self._first_match_from_cursor())
        else:
            self.refresh()
            self.post_message(self.MatchChanged(0, 0))

    def clear_search(self) -> None:
        self._search = None
        self._highlighter = None
        self._matches = array("q")
        self._match_pos = -1
        self._strip_cache.clear()
        self._wrap_layout = None
        self.refresh()
        self.post_message(self.MatchChanged(0, 0))

    def next_match(self) -> bool:
        """Move to the next match after the cursor (wraps around)."""
        if not self._matches:
            return False
        line = self.current_line()
        pos = bisect_right(self._matches, line if line is not None else -1)
        self._jump_to_match(pos % len(self._matches))
        return True

    def prev_match(self) -> bool:
        """Move to the previous match before the cursor (wraps around)."""
        if not self._matches:
            return False
        line = self.current_line()
        pos = bisect_left(self._matches, line if line is not None else 0) - 1
        self._jump_to_match(pos % len(self._matches))
        return True

    def next_error(self) -> bool:
        """Move the cursor to the next visible ERROR line (wraps around)."""
        index = self._index
        if not len(index):
            return False
        line = self.current_line()
        start = line if line is not None else -1
        for after in (start, -1):
            found = index.next_error(after)
            while found is not None and self._mask is not None and not self._mask[found]:
                found = index.next_error(found)
            if found is not None:
                self.following = False
                self._move_cursor(self._row_of_line(found), center=True)
                return True
        return False

    def current_line(self) -> int | None:
        """Index line number under the cursor (None when nothing is shown)."""
        if not self.row_count:
            return None
        return self._line_of_row(min(self._cursor, self.row_count - 1))

    def current_text(self) -> str:
        """The formatted cursor line, as it would be copied or saved."""
        line = self.current_line()
        return "" if line is None else self._index.formatted(line, self.show_timestamps)

    # -- actions ----------------------------------------------------------------

    def action_cursor_up(self) -> None:
        self.following = False
        self._move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self._move_cursor(self._cursor + 1)

    def action_page_up(self) -> None:
        self.following = False
        self._move_cursor(self._cursor - max(1, self._page_height() - 1))

    def action_page_down(self) -> None:
        self._move_cursor(self._cursor + max(1, self._page_height() - 1))

    def action_scroll_home(self) -> None:
        self.following = False
        self._move_cursor(0)

    def action_follow(self) -> None:
        """Jump to the end and keep following new lines."""
        self.following = True
        self._go_to_end()

    def action_page_left(self) -> None:
        self._scroll(max(0, self.scroll_x - max(1, self._content_width() * 2 // 3)), None)

    def action_page_right(self) -> None:
        self._scroll(self.scroll_x + max(1, self._content_width() * 2 // 3), None)

    # -- reactive watchers ----------------------------------------------------

    def watch_following(self, following: bool) -> None:
        self.post_message(self.FollowChanged(following))

    def watch_wrap(self, wrap: bool) -> None:
        self._strip_cache.clear()
        self._reset_view()
        self._scroll(0, None)
        if self.following:
            self._go_to_end()
        else:
            self._scroll_to_cursor(center=True)

    def watch_show_timestamps(self, show: bool) -> None:
        self._strip_cache.clear()
        self._reset_view()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._wrap_layout = None

    # Every *user* way of scrolling up pauses following: keys (actions above),
    # the mouse wheel, and the scrollbar (drag = ScrollTo, track = ScrollUp).
    # Layout clamps of scroll_y are not user intent, so scroll_y itself is
    # not watched for this.

    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        if not (event.ctrl or event.shift):
            self.following = False
        super()._on_mouse_scroll_up(event)

    def _on_scroll_to(self, message: ScrollTo) -> None:
        if message.y is not None and message.y < self.scroll_y:
            self.following = False
        super()._on_scroll_to(message)

    def _on_scroll_up(self, event: ScrollUp) -> None:
        self.following = False
        super()._on_scroll_up(event)

    def on_resize(self, event: events.Resize) -> None:
        self._wrap_layout = None
        self._reset_view(keep_cache=True)
        if self.following:
            self._go_to_end()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._strip_cache.clear()
        self._wrap_layout = None

    async def _on_click(self, event: events.Click) -> None:
        if self.wrap:
            layout = self._ensure_wrap_layout()
            rows = layout[2]
            if 0 <= event.y < len(rows) and rows[event.y] >= 0:
                self.following = False
                self._move_cursor(rows[event.y])
            return
        row = int(self.scroll_y) + event.y
        if 0 <= row < self.row_count:
            self.following = False
            self._move_cursor(row)

    # -- rendering ----------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self._content_width()
        if self.wrap:
            strips = self._ensure_wrap_layout()[1]
            return strips[y] if y < len(strips) else Strip.blank(width, self.rich_style)
        row = int(self.scroll_y) + y
        if row >= self.row_count:
            return Strip.blank(width, self.rich_style)
        strip = self._line_strip(row)
        scroll_x = int(self.scroll_x)
        style = self._style("log-view--cursor") if row == self._cursor else self.rich_style
        return strip.crop_extend(scroll_x, scroll_x + width, style)

    def _line_strip(self, row: int) -> Strip:
        """Full-width strip of one row (cached; cropped/wrapped by the caller)."""
        line = self._line_of_row(row)
        is_cursor = row == self._cursor
        is_current = self._match_pos >= 0 and self._matches[self._match_pos] == line
        key = (line, is_cursor, is_current, self.show_timestamps)
        strip = self._strip_cache.get(key)
        if strip is None:
            strip = self._build_strip(line, is_cursor, is_current)
            self._strip_cache[key] = strip
        return strip

    def _build_strip(self, line: int, is_cursor: bool, is_current: bool) -> Strip:
        index = self._index
        styles = self._all_styles()
        base = self.rich_style
        level = index.level(line)
        level_style = {
            Level.ERROR: styles["log-view--error"],
            Level.WARN: styles["log-view--warn"],
            Level.DEBUG: styles["log-view--debug"],
            Level.TRACE: styles["log-view--debug"],
        }.get(level, styles["log-view--info"])
        segments: list[Segment] = []
        if not self._bare:
            if self.show_timestamps:
                stamp = format_timestamp(index.timestamp(line)) or " " * 19
                segments.append(Segment(stamp + " ", base + styles["log-view--timestamp"]))
            segments.append(Segment(f"{LEVEL_LABELS[level]:<5} ", base + level_style))
            segments.append(Segment(f"{SOURCE_LABELS[index.source(line)]:<8} ", base + styles["log-view--source"]))
        text = index.line(line)
        if len(text) > MAX_RENDER_CHARS:
            text = f"{text[:MAX_RENDER_CHARS]} … [{len(text) - MAX_RENDER_CHARS:,} more characters]"
        message_style = base + (level_style if level in (Level.ERROR, Level.DEBUG, Level.TRACE) else Style())
        if self._highlighter is not None:
            match_style = base + styles["log-view--match-current" if is_current else "log-view--match"]
            position = 0
            for match in self._highlighter.finditer(text):
                start, end = match.span()
                if start == end:
                    continue
                if start > position:
                    segments.append(Segment(text[position:start], message_style))
                segments.append(Segment(text[start:end], match_style))
                position = end
            if position < len(text):
                segments.append(Segment(text[position:], message_style))
        else:
            segments.append(Segment(text, message_style))
        strip = Strip(segments)
        if is_cursor:
            strip = strip.apply_style(styles["log-view--cursor"])
        return strip

    def _ensure_wrap_layout(self) -> tuple[tuple[object, ...], list[Strip], list[int]]:
        """Screen rows in wrap mode: from the top line down, or bottom-anchored
        when following / scrolled to the end so the newest line is always shown."""
        width = self._content_width()
        height = self._page_height()
        top = int(self.scroll_y)
        at_end = self.following or (self.row_count and top >= self._max_top())
        key = (top, width, height, at_end, self._cursor, self._match_pos, self._index.generation, self.show_timestamps, self.row_count)
        if self._wrap_layout is not None and self._wrap_layout[0] == key:
            return self._wrap_layout
        strips: list[Strip] = []
        rows: list[int] = []
        count = self.row_count
        if at_end and count:
            row = count - 1
            chunks_rev: list[tuple[Strip, int]] = []
            while row >= 0 and len(chunks_rev) < height:
                chunks = self._wrapped(row, width)
                chunks_rev.extend((c, row) for c in reversed(chunks))
                row -= 1
            chunks_rev = chunks_rev[:height]
            chunks_rev.reverse()
            strips = [c for c, _ in chunks_rev]
            rows = [r for _, r in chunks_rev]
        else:
            row = top
            while row < count and len(strips) < height:
                for chunk in self._wrapped(row, width):
                    strips.append(chunk)
                    rows.append(row)
                row += 1
            strips, rows = strips[:height], rows[:height]
        self._wrap_layout = (key, strips, rows)
        return self._wrap_layout

    def _wrapped(self, row: int, width: int) -> list[Strip]:
        strip = self._line_strip(row)
        style = self._style("log-view--cursor") if row == self._cursor else self.rich_style
        length = strip.cell_length
        if length <= width:
            return [strip.extend_cell_length(width, style)]
        pieces = strip.divide([*range(width, length, width), length])
        return [piece.extend_cell_length(width, style) for piece in pieces]

    # -- internals ----------------------------------------------------------------

    def _all_styles(self) -> dict[str, Style]:
        if self._styles is None:
            self._styles = {name: self.get_component_rich_style(name, partial=True) for name in self.COMPONENT_CLASSES}
        return self._styles

    def _style(self, name: str) -> Style:
        return self.rich_style + self._all_styles()[name]

    def _content_width(self) -> int:
        return max(1, self.scrollable_content_region.width)

    def _page_height(self) -> int:
        return max(1, self.scrollable_content_region.height)

    def _prefix_width(self) -> int:
        if self._bare:
            return 0
        return _PREFIX_LEVEL_SOURCE + (_PREFIX_TS if self.show_timestamps else 0)

    def _apply_filter(self) -> None:
        self._mask = self._index.visibility_mask(self._min_level, self._sources or None)
        if self._mask is None:
            self._visible = None
        else:
            from itertools import compress

            self._visible = array("q", compress(range(len(self._index)), self._mask))

    def _set_matches(self, matches: array[int]) -> None:
        if self._mask is not None:  # keep the lines the filters show, in C (263k matches: ms, not a Python loop)
            matches = array("q", compress(matches, map(self._mask.__getitem__, matches)))
        self._matches = matches
        self._match_pos = -1

    def _line_of_row(self, row: int) -> int:
        return self._visible[row] if self._visible is not None else row

    def _row_of_line(self, line: int) -> int:
        if self._visible is None:
            return line
        return min(bisect_left(self._visible, line), max(0, len(self._visible) - 1))

    def _row_at_or_after(self, line: int) -> int:
        return self._row_of_line(line)

    def _first_match_from_cursor(self) -> int:
        line = self.current_line()
        pos = bisect_left(self._matches, line if line is not None else 0)
        return pos % len(self._matches)

    def _jump_to_match(self, pos: int) -> None:
        self._match_pos = pos
        self.following = False
        self._strip_cache.clear()
        self._move_cursor(self._row_of_line(self._matches[pos]), center=True)
        self.post_message(self.MatchChanged(pos + 1, len(self._matches)))

    def _reset_view(self, keep_cache: bool = False) -> None:
        if not keep_cache:
            self._strip_cache.clear()
        self._wrap_layout = None
        count = self.row_count
        if self.wrap:
            self.virtual_size = Size(self._content_width(), count)
        else:
            longest = min(self._index.max_line_bytes, MAX_RENDER_CHARS + 40)
            self.virtual_size = Size(self._prefix_width() + longest + 1, count)
        self._cursor = min(self._cursor, max(0, count - 1))
        self.refresh()

    def _max_top(self) -> int:
        return max(0, self.row_count - self._page_height())

    def _scroll(self, x: float | None, y: float | None) -> None:
        self._internal_scroll = True
        try:
            self.scroll_to(x, y, animate=False, force=True)
        finally:
            self._internal_scroll = False
        self._wrap_layout = None
        self.refresh()

    def _go_to_end(self) -> None:
        count = self.row_count
        self._cursor = max(0, count - 1)
        self._strip_cache.clear()
        self._scroll(None, self._max_top())
        self._post_cursor()

    def _move_cursor(self, row: int, *, center: bool = False) -> None:
        count = self.row_count
        if not count:
            return
        row = max(0, min(row, count - 1))
        if row == self._cursor and not center:
            if row == count - 1 and not self.following:
                self._scroll_to_cursor(center=False)
            return
        self._cursor = row
        self._strip_cache.clear()
        self._scroll_to_cursor(center=center)
        self._post_cursor()

    def _scroll_to_cursor(self, *, center: bool) -> None:
        height = self._page_height()
        top = int(self.scroll_y)
        row = self._cursor
        if self.wrap:
            layout_rows = self._ensure_wrap_layout()[2]
            visible_rows = set(layout_rows[:-1] if len(layout_rows) >= height else layout_rows)
            if row in visible_rows and not center:
                self.refresh()
                return
            target = row - (height // 3 if center else 0)
            if row >= self._max_top():
                target = self._max_top()
            self._scroll(None, max(0, min(target, self._max_top())))
            return
        if center and not (top <= row < top + height):
            target = row - height // 2
        elif row < top:
            target = row
        elif row >= top + height:
            target = row - height + 1
        else:
            self.refresh()
            return
        self._scroll(None, max(0, min(target, self._max_top())))

    def _post_cursor(self) -> None:
        self.post_message(self.CursorMoved(self._cursor, self.row_count, self.current_line()))
