"""A compact, searchable index over one attempt log.

Why this shape: an attempt log can have millions of lines, and one Python
object per line (a ``str`` plus a small record) costs ~100 bytes of overhead
each, several times the text itself. :class:`LogIndex` instead keeps

* ONE UTF-8 buffer holding every line's message, each line terminated by
  ``\\n`` (already sanitised: see :mod:`airsync_tui.logs.sanitize`),
* ``offsets``: an ``array('q')`` of line starts (``n + 1`` entries),
* ``timestamps``: an ``array('q')`` of epoch milliseconds (0 = none),
* ``levels`` / ``sources``: one ``bytearray`` byte per line,

so the retained size is the text plus 18 bytes per line. Search and filters
run over the whole buffer/arrays with C-level operations (``re.finditer``,
``bytes.count``, ``bytes.translate``, ``itertools.compress``) instead of a
Python loop over lines. Lines are decoded to ``str`` only when displayed.

Searching covers the message text (not the timestamp/level/source columns).
Case-insensitive matching folds ASCII through ``re.IGNORECASE`` and other
letters through explicit UTF-8 alternatives; in regex mode ``\\w``/``\\d`` and
case folding are ASCII-only because the pattern runs on bytes.
"""

from __future__ import annotations

import mmap
import re
import sys
import tempfile
import time
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from enum import IntEnum
from itertools import accumulate, chain, compress, groupby, islice, repeat
from operator import itemgetter
from typing import Any

from airsync_tui.logs.sanitize import sanitize_buffer
from airsync_tui.logs.spool import drop_resident_pages

__all__ = [
    "Level",
    "Source",
    "LogIndex",
    "SearchError",
    "compile_highlighter",
    "format_timestamp",
    "lines_of_offsets",
    "LEVEL_LABELS",
    "SOURCE_LABELS",
]


class Level(IntEnum):
    """Per-line level code (one byte). Order = severity, UNKNOWN last."""

    TRACE = 0
    DEBUG = 1
    INFO = 2
    WARN = 3
    ERROR = 4
    UNKNOWN = 5


class Source(IntEnum):
    """Per-line log source code (one byte)."""

    SOURCE = 0
    DESTINATION = 1
    PLATFORM = 2
    ORCHESTRATOR = 3
    UNKNOWN = 4


#: Column text for each level (5 wide, like Logback's %-5level).
LEVEL_LABELS: dict[int, str] = {
    Level.TRACE: "TRACE",
    Level.DEBUG: "DEBUG",
    Level.INFO: "INFO",
    Level.WARN: "WARN",
    Level.ERROR: "ERROR",
    Level.UNKNOWN: "",
}
#: Short column text for each source (8 wide).
SOURCE_LABELS: dict[int, str] = {
    Source.SOURCE: "source",
    Source.DESTINATION: "dest",
    Source.PLATFORM: "platform",
    Source.ORCHESTRATOR: "orch",
    Source.UNKNOWN: "",
}
#: Filter rank of each level: a line without a level counts as INFO, so a
#: "warn and above" filter hides it while "info and above" keeps it.
_LEVEL_RANK = {
    Level.TRACE: 0,
    Level.DEBUG: 1,
    Level.INFO: 2,
    Level.WARN: 3,
    Level.ERROR: 4,
    Level.UNKNOWN: 2,
}

_NL = b"\n"
#: Buffers at least this big are spilled to a mapped temp file once fully indexed (see `LogIndex.spill`).
SPILL_MIN_BYTES = 16 * 1024 * 1024
#: Text per step of a plain search (see `LogIndex.search`): small enough to stay in the CPU cache.
SEARCH_STEP_BYTES = 1024 * 1024


class SearchError(ValueError):
    """The search term is not a valid regular expression."""


# -- timestamps ---------------------------------------------------------------

_TS_CACHE: dict[int, str] = {}


def format_timestamp(epoch_ms: int) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in UTC ("" for 0).

    UTC because legacy Airbyte lines carry UTC wall-clock text and both
    formats must read the same. Memoised per second: consecutive log lines
    share seconds, so formatting a screen or a million-line save is cheap.
    """
    if not epoch_ms:
        return ""
    second = epoch_ms // 1000
    text = _TS_CACHE.get(second)
    if text is None:
        if len(_TS_CACHE) > 100_000:
            _TS_CACHE.clear()
        text = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(second))
        _TS_CACHE[second] = text
    return text


# -- search patterns ------------------------------------------------------------


def _literal_bytes_pattern(term: str, case_sensitive: bool) -> tuple[bytes, int]:
    """Regex source (bytes) matching ``term`` literally in a UTF-8 buffer."""
    if case_sensitive:
        return re.escape(term.encode("utf-8")), 0
    parts: list[bytes] = []
    for char in term:
        if char.isascii():
            parts.append(re.escape(char.encode("ascii")))
            continue
        variants = {char, char.lower(), char.upper()}
        encoded = sorted(re.escape(v.encode("utf-8")) for v in variants)
        parts.append(encoded[0] if len(encoded) == 1 else b"(?:" + b"|".join(encoded) + b")")
    return b"".join(parts), re.IGNORECASE


def _bytes_pattern(term: str, case_sensitive: bool, regex: bool) -> tuple[bytes, int]:
    if regex:
        return term.encode("utf-8"), 0 if case_sensitive else re.IGNORECASE
    return _literal_bytes_pattern(term, case_sensitive)


def compile_highlighter(term: str, case_sensitive: bool = False, regex: bool = False) -> re.Pattern[str]:
    """The ``str`` pattern the viewer uses to highlight matches in a visible line."""
    flags = 0 if case_sensitive else re.IGNORECASE
    try:
        return re.compile(term if regex else re.escape(term), flags)
    except re.error as exc:
        raise SearchError(f"invalid regular expression: {exc}") from exc


# -- the index -----------------------------------------------------------------


def offsets_of(buf: bytes | bytearray, base: int = 0) -> array[int]:
    """Line-start offsets of a ``\\n``-terminated buffer (``n + 1`` entries).

    ``bytes.split`` + ``accumulate`` keeps the work in C; the temporary
    pieces are freed before the caller continues.
    """
    pieces = buf.split(_NL)
    # The buffer ends with "\n", so the last piece is the empty remainder.
    lengths = map((1).__add__, map(len, pieces))
    out = array("q", accumulate(chain((base,), lengths)))
    out.pop()  # the remainder's entry
    return out


def _offsets_and_longest(buf: bytes | bytearray, base: int = 0) -> tuple[array[int], int]:
    """:func:`offsets_of` plus the longest line's byte length (newline excluded), from one split."""
    if b"\r" not in buf:  # always, sanitised: then ``splitlines`` breaks at "\n" alone
        # Each piece keeps its "\n", so its length is the step to the next line start.
        steps = list(map(len, buf.splitlines(True)))
        if not steps:
            return array("q", [base]), 0
        return array("q", accumulate(steps, initial=base)), max(steps) - 1
    lengths = list(map(len, buf.split(_NL)))
    lengths.pop()  # the empty remainder after the final "\n"
    if not lengths:
        return array("q", [base]), 0
    longest = max(lengths)
    out = array("q", accumulate(chain((base,), map((1).__add__, lengths))))
    return out, longest


def shifted_offsets(offsets: array[int], base: int) -> array[int]:
    """``array("q", (base + o for o in offsets))``, with no Python int per element.

    Why: :meth:`LogIndex.concat` relocates every line start of every part; a
    million ``base.__add__`` calls were ~0.1 s of a structured log's full
    index. Here the whole array is one big integer with a 64-bit limb per
    element, and adding ``base * 0x…0001_0000000000000001`` adds ``base`` to
    every limb at once (three linear C passes). No limb carries into the next
    because every result fits in 63 bits: ``offsets`` are line starts, so
    non-decreasing, and ``0 <= offsets[0]`` and ``base + offsets[-1] < 2**63``
    bound them all; otherwise the per-element path is taken.
    """
    n = len(offsets)
    if n == 0 or base == 0:
        return array("q", offsets)
    if base < 0 or offsets[0] < 0 or base + offsets[-1] >= 2**63:
        return array("q", map(base.__add__, offsets))
    order = sys.byteorder
    limbs = int.from_bytes(offsets.tobytes(), order)
    ones = int.from_bytes((1).to_bytes(8, order) * n, order)
    out = array("q")
    out.frombytes((limbs + base * ones).to_bytes(8 * n, order))
    return out


def offsets_from_lengths(lengths: list[int]) -> tuple[array[int], int]:
    """Line starts (from 0, ``n + 1`` entries) and the longest length, from each
    line's byte length without its newline (as :func:`_offsets_and_longest` gives)."""
    if not lengths:
        return array("q", [0]), 0
    return array("q", accumulate(chain((0,), map((1).__add__, lengths)))), max(lengths)


def lines_of_offsets(buf: bytes | bytearray, starts: Sequence[int]) -> Iterable[int]:
    """Line numbers of sorted byte offsets into ``buf``, without a bisect each.

    The line of offset ``p`` is the number of ``\\n`` before it; counting
    only between consecutive offsets scans the buffer once, in C.
    """
    return accumulate(map(buf.count, repeat(_NL), chain((0,), starts), starts))


class LogIndex:
    """Compact index of one attempt log; see the module docstring."""

    __slots__ = (
        "_buf",
        "_levels",
        "_max_line_bytes",
        "_offsets",
        "_sources",
        "_timestamps",
        "generation",
        "record_count",
    )

    def __init__(self) -> None:
        self._buf: bytes | bytearray | mmap.mmap = b""
        self._offsets = array("q", [0])
        self._timestamps = array("q")
        self._levels = bytearray()
        self._sources = bytearray()
        #: How many API records (events / logLines) went in; lets a poller
        #: append only records it has not seen yet.
        self.record_count = 0
        #: Bumped on every append so views can invalidate caches.
        self.generation = 0
        self._max_line_bytes = 0

    # -- construction -----------------------------------------------------

    @classmethod
    def from_parts(
        cls,
        buf: bytes,
        timestamps: array[int],
        levels: bytes | bytearray,
        sources: bytes | bytearray,
        *,
        record_count: int | None = None,
        offsets: array[int] | None = None,
        longest: int | None = None,
    ) -> LogIndex:
        """Adopt pre-built columns. ``buf`` must be sanitised and ``\\n``-terminated.

        ``offsets`` (from 0) and ``longest`` (the longest line's bytes), when the
        caller already knows them, save splitting the buffer again."""
        index = cls()
        index._append_parts(buf, timestamps, levels, sources, record_count, offsets, longest)
        return index

    @classmethod
    def concat(cls, parts: Sequence[LogIndex]) -> LogIndex:
        """One index of ``parts`` in order: what appending each to an empty index and
        :meth:`compact` give, with the text copied once (one ``join``) instead of
        grown part by part and copied again to compact it."""
        index = cls()
        index.record_count = sum(part.record_count for part in parts)
        full = [part for part in parts if len(part)]
        if not full:
            return index
        offsets = array("q", full[0]._offsets)
        for part in full[1:]:
            base = offsets.pop()  # the previous part's end: this part's first line start
            offsets.extend(shifted_offsets(part._offsets, base))
        timestamps = array("q")
        for part in full:
            timestamps.extend(part._timestamps)
        index._buf = b"".join([part._buf for part in full])
        index._offsets = offsets
        index._timestamps = timestamps
        index._levels = bytearray().join([part._levels for part in full])
        index._sources = bytearray().join([part._sources for part in full])
        index.generation = len(full)
        index._max_line_bytes = max(part._max_line_bytes for part in full)
        return index

    @classmethod
    def from_lines(
        cls,
        messages: Iterable[str],
        *,
        timestamp: int = 0,
        level: int = Level.UNKNOWN,
        source: int = Source.UNKNOWN,
    ) -> LogIndex:
        index = cls()
        index.append_lines(messages, timestamp=timestamp, level=level, source=source)
        return index

    def _append_parts(
        self,
        buf: bytes,
        timestamps: array[int],
        levels: bytes | bytearray,
        sources: bytes | bytearray,
        record_count: int | None,
        offsets: array[int] | None = None,
        longest: int | None = None,
    ) -> int:
        if buf and not buf.endswith(_NL):
            raise ValueError("buffer must end with a newline")
        if isinstance(self._buf, mmap.mmap):
            self._buf = bytearray(self._buf)  # a spilled log grows again (rare): back into memory
        base = len(self._buf)
        if offsets is None:
            new_offsets, longest = _offsets_and_longest(buf, base)
        else:
            new_offsets = offsets
        count = len(new_offsets) - 1 if buf else 0
        if not (len(timestamps) == len(levels) == len(sources) == count):
            raise ValueError(
                f"column lengths differ: {count} lines, {len(timestamps)} timestamps, {len(levels)} levels, {len(sources)} sources"
            )
        if count == 0:
            return 0
        if not self._buf:
            # First chunk: adopt the columns instead of copying them.
            self._buf = buf
            self._offsets = new_offsets
            self._timestamps = timestamps if isinstance(timestamps, array) else array("q", timestamps)
            self._levels = bytearray(levels)
            self._sources = bytearray(sources)
        else:
            if isinstance(self._buf, bytes):
                # First append after a load: switch to an amortised-growth buffer.
                self._buf = bytearray(self._buf)
            self._buf += buf
            # ``new_offsets[0]`` is the old end (``base``), already the last entry: extending by
            # the rest never leaves the array a line short for a search in another thread.
            self._offsets.extend(new_offsets[1:])
            self._timestamps.extend(timestamps)
            self._levels += levels
            self._sources += sources
        self.record_count += count if record_count is None else record_count
        self.generation += 1
        if self._max_line_bytes >= 0:
            self._max_line_bytes = max(self._max_line_bytes, _max_gap(new_offsets) if longest is None else longest)
        return count

    def compact(self) -> None:
        """Turn a grown (``bytearray``) buffer back into exact-size ``bytes``.

        After a chunked build: drops the amortised-growth slack and lets
        :meth:`search` scan the buffer in place instead of snapshotting it.
        Only for an index no other thread is appending to.
        """
        if isinstance(self._buf, bytearray):
            self._buf = bytes(self._buf)

    def spill(self, min_bytes: int = SPILL_MIN_BYTES) -> bool:
        """Move a big finished buffer out of the heap into an unlinked temp file, mapped read-only.

        Why: a million-line log is ~80 MB of text; as heap ``bytes`` it stays
        resident for as long as the viewer is open. Mapped from a file, only the
        pages being shown or searched are resident, the kernel can drop them
        under pressure, and closing the log releases them at once (the file was
        unlinked at creation, so nothing is left on disk). Appending later maps
        it back into memory first. Returns True when the buffer was spilled.
        """
        buf = self._buf
        if isinstance(buf, mmap.mmap) or len(buf) < min_bytes:
            return False
        with tempfile.TemporaryFile(prefix="airsync-log-") as spool:
            spool.write(buf)
            spool.flush()
            mapped = mmap.mmap(spool.fileno(), 0, access=mmap.ACCESS_READ)
        self._buf = mapped
        return True

    @property
    def spilled(self) -> bool:
        return isinstance(self._buf, mmap.mmap)

    def head(self, count: int) -> LogIndex:
        """A new index of the first ``count`` lines (a progressive-load prefix
        for in-memory feeds; the columns are copied, so it is independent)."""
        count = max(0, min(count, len(self)))
        if not count:
            return LogIndex()
        end = self._offsets[count]
        return LogIndex.from_parts(
            bytes(self._buf[:end]),
            self._timestamps[:count],
            self._levels[:count],
            self._sources[:count],
            record_count=count,
            offsets=self._offsets[: count + 1],
        )

    def append_index(self, other: LogIndex) -> int:
        """Append all lines of ``other`` (e.g. a freshly parsed chunk)."""
        if not len(other):
            self.record_count += other.record_count
            return 0
        # Reuse the part's line starts (shifted) instead of splitting its text again.
        base = len(self._buf)
        offsets = array("q", other._offsets) if base == 0 else array("q", map(base.__add__, other._offsets))
        return self._append_parts(
            bytes(other._buf),
            other._timestamps,
            other._levels,
            other._sources,
            other.record_count,
            offsets,
            other._max_line_bytes if other._max_line_bytes >= 0 else None,
        )

    def append_lines(
        self,
        messages: Iterable[str],
        *,
        timestamp: int = 0,
        level: int = Level.UNKNOWN,
        source: int = Source.UNKNOWN,
    ) -> int:
        """Append plain messages (each may contain ``\\n``), sanitising them."""
        messages = list(messages)
        if not messages:
            return 0
        buf = sanitize_buffer(("\n".join(messages) + "\n").encode("utf-8", "replace"))
        count = buf.count(_NL)
        return self._append_parts(
            buf,
            array("q", repeat(timestamp, count)),
            bytes([level]) * count,
            bytes([source]) * count,
            len(messages),
        )

    def append_events(self, events: Sequence[dict[str, Any]]) -> int:
        """Append structured ``LogEvent`` dicts (follow mode)."""
        from airsync_tui.logs.parse import index_from_events

        return self.append_index(index_from_events(events))

    def append_log_lines(self, lines: Sequence[str]) -> int:
        """Append legacy ``logLines`` strings (follow mode)."""
        from airsync_tui.logs.parse import index_from_log_lines

        return self.append_index(index_from_log_lines(lines))

    # -- per-line access --------------------------------------------------

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def line(self, i: int) -> str:
        """Message text of line ``i`` (sanitised, tabs expanded)."""
        offsets = self._offsets
        return self._buf[offsets[i] : offsets[i + 1] - 1].decode("utf-8", "replace")

    def line_bytes(self, i: int) -> int:
        """Byte length of line ``i``'s message (an upper bound of its cell width
        for ASCII/Latin text; used for horizontal extents)."""
        return self._offsets[i + 1] - self._offsets[i] - 1

    def timestamp(self, i: int) -> int:
        return self._timestamps[i]

    def level(self, i: int) -> Level:
        return Level(self._levels[i])

    def source(self, i: int) -> Source:
        return Source(self._sources[i])

    def prefix(self, i: int, show_timestamps: bool = True) -> str:
        """The columns before the message: ``2026-01-01 08:15:05 INFO  platform``."""
        level = f"{LEVEL_LABELS[self._levels[i]]:<5} {SOURCE_LABELS[self._sources[i]]:<8}"
        if not show_timestamps:
            return level
        stamp = format_timestamp(self._timestamps[i]) or " " * 19
        return f"{stamp} {level}"

    def formatted(self, i: int, show_timestamps: bool = True) -> str:
        """One display/export line, e.g. ``2026-01-01 08:15:05 INFO  platform message``."""
        return f"{self.prefix(i, show_timestamps)} {self.line(i)}"

    @property
    def text_size(self) -> int:
        """Bytes of (sanitised) message text, newlines included."""
        return len(self._buf)

    @property
    def max_line_bytes(self) -> int:
        return self._max_line_bytes

    @property
    def levels(self) -> bytes | bytearray:
        """Read-only view of the level column (do not mutate)."""
        return self._levels

    @property
    def sources(self) -> bytes | bytearray:
        return self._sources

    def retained_bytes(self) -> int:
        """Memory held by the index (buffer + columns), for the memory target."""
        return (
            sys.getsizeof(self._buf)
            + sys.getsizeof(self._offsets)
            + sys.getsizeof(self._timestamps)
            + sys.getsizeof(self._levels)
            + sys.getsizeof(self._sources)
        )

    def lines_of_offsets(self, starts: Sequence[int]) -> Iterable[int]:
        """Line numbers of sorted byte offsets (see :func:`lines_of_offsets`)."""
        buf = self._buf
        if isinstance(buf, mmap.mmap):
            snapshot = bytes(buf)
            drop_resident_pages(buf)
            return lines_of_offsets(snapshot, starts)
        return lines_of_offsets(buf, starts)

    def line_of_offset(self, offset: int) -> int:
        return bisect_right(self._offsets, offset) - 1

    # -- search -----------------------------------------------------------

    def search(
        self,
        term: str,
        case_sensitive: bool = False,
        regex: bool = False,
        *,
        start: int = 0,
        visible: bytes | bytearray | None = None,
    ) -> array[int]:
        """Sorted line numbers ``>= start`` whose message matches ``term`` (each once).

        ``start`` lets follow mode search only newly appended lines; ``visible``
        (one byte per line, 0 = hidden, as :meth:`visibility_mask` gives) keeps
        only the lines the filters show. Safe to call from a worker thread while
        the UI thread appends: it reads the text a line-aligned slice at a time
        (or a snapshot of it) and only the lines that existed when it started.

        A plain term (no regex, no line break) is searched a step of
        :data:`SEARCH_STEP_BYTES` at a time: each step's copy (lower-cased when
        the case is ignored) stays in the CPU cache and reuses the memory of the
        step before, where one copy of the whole text (twice, to lower it) costs
        fresh pages. A regex may match across lines, so it runs over the whole text.
        """
        if not term:
            return array("q")
        count = len(self)
        if start >= count:
            return array("q")
        if regex or "\n" in term:
            lines = self._search_whole(term, case_sensitive, regex, start, count)
        else:
            lines = self._search_plain(term, case_sensitive, start, count)
        if visible is not None and lines:
            lines = array("q", compress(lines, map(visible.__getitem__, lines)))
        return lines

    def _search_plain(self, term: str, case_sensitive: bool, start: int, count: int) -> array[int]:
        """:meth:`search` of a plain term without a line break, step by step.

        The pattern ends with ``[^\n]*`` so a match swallows the rest of its
        line: the next match starts on a later line (the term holds no line
        break, so no match starts at one), and every line is found at most once
        without de-duplicating. A line's number is the step's first line plus
        the line breaks before the match, counted between consecutive matches.
        """
        fold = not case_sensitive and term.isascii()
        if fold:  # IGNORECASE disables sre's fast literal scan (4x slower): lower the text instead
            term, case_sensitive = term.lower(), True
        source, flags = _literal_bytes_pattern(term, case_sensitive)
        finditer = re.compile(b"(?:" + source + b")[^\n]*", flags).finditer
        buf = self._buf
        offsets = self._offsets
        found = array("q")
        line = start
        begin = offsets[start]
        while line < count:
            # The last line starting within a step of ``begin`` ends the step (one line at least).
            stop = max(line + 1, bisect_right(offsets, begin + SEARCH_STEP_BYTES, line + 1, count + 1) - 1)
            end = offsets[stop]
            step = buf[begin:end]
            if fold:
                step = step.lower()
            starts = list(map(re.Match.start, finditer(step)))
            if starts:
                breaks = map(step.count, repeat(_NL), chain((0,), starts), starts)
                found.extend(islice(accumulate(breaks, initial=line), 1, None))
            line, begin = stop, end
        drop_resident_pages(buf)  # a spilled log: the scan paged it all in
        return found

    def _search_whole(self, term: str, case_sensitive: bool, regex: bool, start: int, count: int) -> array[int]:
        """:meth:`search` over the whole text at once (a regex may span lines).

        ``[^\n]*`` is appended so a match swallows the rest of its line and
        each line yields at most one match object, which keeps even "matches
        every line" searches fast.
        """
        base = self._offsets[start]
        end = self._offsets[count]
        buf = self._buf
        # A growing bytearray must not be exported to the regex engine while
        # another thread appends, so take an immutable snapshot (slice).
        haystack: bytes | bytearray = buf if (isinstance(buf, bytes) and base == 0) else bytes(buf[base:end])
        drop_resident_pages(buf)  # a spilled log: the scan paged it all in; the copy is what is searched
        if not regex and not case_sensitive and term.isascii():
            # IGNORECASE disables sre's fast literal scan (4x slower); a
            # transient lower-cased copy of the buffer is cheaper.
            haystack = haystack.lower()
            term, case_sensitive = term.lower(), True
        source, flags = _bytes_pattern(term, case_sensitive, regex)
        try:
            pattern = re.compile(b"(?:" + source + b")[^\n]*", flags)
        except re.error:
            try:  # e.g. a regex starting with global flags "(?i)..."
                pattern = re.compile(source, flags)
            except re.error as exc:
                raise SearchError(f"invalid regular expression: {exc}") from exc
        starts = list(map(re.Match.start, pattern.finditer(haystack)))
        if not starts:
            return array("q")
        lines = lines_of_offsets(haystack, starts)
        if start:
            lines = map(start.__add__, lines)
        unique = array("q", map(itemgetter(0), groupby(lines)))
        # A match at the very end of the buffer belongs to no line.
        while unique and unique[-1] >= count:
            unique.pop()
        return unique

    # -- filters ----------------------------------------------------------

    def visibility_mask(self, min_level: int | None = None, sources: Iterable[int] | None = None) -> bytes | None:
        """One byte per line (1 = shown), or ``None`` when nothing is filtered."""
        mask: bytes | bytearray | None = None
        if min_level is not None and _LEVEL_RANK[Level(min_level)] > 0:
            floor = _LEVEL_RANK[Level(min_level)]
            table = bytes(1 if code in _LEVEL_RANK and _LEVEL_RANK[Level(code)] >= floor else 0 for code in range(256))
            mask = self._levels.translate(table)
        if sources:
            wanted = {int(s) for s in sources}
            table = bytes(1 if code in wanted else 0 for code in range(256))
            source_mask = self._sources.translate(table)
            if mask is None:
                mask = source_mask
            else:  # bytewise AND of two 0/1 masks via big integers: C speed
                n = len(mask)
                mask = (int.from_bytes(mask, "little") & int.from_bytes(source_mask, "little")).to_bytes(n, "little")
        return bytes(mask) if mask is not None else None

    def filter(self, min_level: int | None = None, sources: Iterable[int] | None = None) -> array[int]:
        """Visible line numbers for a minimum level and/or a set of sources."""
        mask = self.visibility_mask(min_level, sources)
        if mask is None:
            return array("q", range(len(self)))
        return array("q", compress(range(len(self)), mask))

    def next_error(self, after: int) -> int | None:
        """First ERROR line after line ``after`` (``-1`` searches from the top)."""
        found = self._levels.find(bytes([Level.ERROR]), max(after + 1, 0))
        return None if found < 0 else found

    def prev_error(self, before: int) -> int | None:
        found = self._levels.rfind(bytes([Level.ERROR]), 0, max(before, 0))
        return None if found < 0 else found

    def error_count(self) -> int:
        return self._levels.count(bytes([Level.ERROR]))


def _max_gap(offsets: array[int]) -> int:
    """Longest line (bytes, without its newline) described by ``offsets``."""
    if len(offsets) < 2:
        return 0
    it = iter(offsets)
    next(it)
    return max(map(int.__sub__, it, offsets)) - 1
