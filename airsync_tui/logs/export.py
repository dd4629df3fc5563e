"""Write a whole log index as formatted text, fast (`airsync logs JOB > file`, save).

`LogIndex.formatted(i)` builds one Python string per line, which is right for
a screen but costs seconds per million lines when exporting. This writes the
same bytes in blocks straight from the index's buffer: the column prefix
(timestamp, level, source) is memoised per (second, level, source) and each
message is a slice of the already-sanitised buffer, newline included.
Output is byte-for-byte `format_full_text(index)` encoded as UTF-8 (a block
that is not valid UTF-8 is decoded with replacement first, as `line()` does).
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from typing import BinaryIO, TextIO, cast

from airsync_tui.logs.index import LEVEL_LABELS, SOURCE_LABELS, LogIndex

BLOCK_LINES = 50_000
_BLANK_STAMP = b" " * 19


def _prefix_table() -> dict[tuple[int, int], bytes]:
    return {
        (
            level,
            source,
        ): f"{LEVEL_LABELS[level]:<5} {SOURCE_LABELS[source]:<8} ".encode()
        for level in LEVEL_LABELS
        for source in SOURCE_LABELS
    }


def formatted_blocks(index: LogIndex, show_timestamps: bool = True) -> Iterator[bytes]:
    """UTF-8 blocks of formatted lines, ``BLOCK_LINES`` lines each (see module docstring)."""
    count = len(index)
    if not count:
        return
    buf = index._buf
    offsets = index._offsets
    stamps = index._timestamps
    levels = index._levels
    sources = index._sources
    columns = _prefix_table()
    unknown = f"{'':<5} {'':<8} ".encode()
    stamp_cache: dict[int, bytes] = {}
    view = memoryview(buf)
    for start in range(0, count, BLOCK_LINES):
        end = min(count, start + BLOCK_LINES)
        parts: list[bytes | memoryview] = []
        append = parts.append
        for i in range(start, end):
            if show_timestamps:
                millis = stamps[i]
                if millis:
                    second = millis // 1000
                    stamp = stamp_cache.get(second)
                    if stamp is None:
                        stamp = time.strftime("%Y-%m-%d %H:%M:%S ", time.gmtime(second)).encode()
                        stamp_cache[second] = stamp
                    append(stamp)
                else:
                    append(_BLANK_STAMP + b" ")
            append(columns.get((levels[i], sources[i]), unknown))
            append(view[offsets[i] : offsets[i + 1]])
        block = b"".join(parts)
        try:
            block.decode("utf-8")
        except UnicodeDecodeError:
            block = block.decode("utf-8", "replace").encode("utf-8")
        yield block
        if len(stamp_cache) > 100_000:
            stamp_cache.clear()


def write_formatted(index: LogIndex, out: BinaryIO | TextIO, show_timestamps: bool = True) -> int:
    """Write every formatted line to `out` (binary, or text: its `.buffer` when it has one). Returns bytes written."""
    binary: BinaryIO | None = out if isinstance(out, (io.RawIOBase, io.BufferedIOBase)) else getattr(out, "buffer", None)
    written = 0
    if binary is not None and hasattr(binary, "write"):
        flush = getattr(out, "flush", None)
        if callable(flush):
            flush()  # text already buffered in `out` goes first
        for block in formatted_blocks(index, show_timestamps):
            binary.write(block)
            written += len(block)
        binary.flush()
        return written
    for block in formatted_blocks(index, show_timestamps):
        text_out = cast(TextIO, out)  # not binary: a text stream without .buffer
        text_out.write(block.decode("utf-8"))
        written += len(block)
    return written


__all__ = ["BLOCK_LINES", "formatted_blocks", "write_formatted"]
