"""Write a whole log as formatted text, fast (`airsync logs JOB > file`, save).

`LogIndex.formatted(i)` builds one Python string per line, which is right for
a screen but costs seconds per million lines when exporting. This writes the
same bytes in blocks, with no Python code running per line:

* the messages of a block are one slice of the index's (already sanitised)
  buffer, split once into lines (``bytes.split``);
* each line's column prefix (timestamp, level, source) comes from a cache
  keyed by (second, no-timestamp flag, level, source), looked up through
  ``map``/``zip`` (C iterators); only a new key runs Python code;
* prefixes, messages and newlines are interleaved by slice assignment and
  joined once.

Output is byte-for-byte `format_full_text(index)` encoded as UTF-8 (a block
whose text is not valid UTF-8 is decoded with replacement first, as
`LogIndex.line` does). :func:`export_attempt` streams a big attempt body:
each parsed chunk of the log array is formatted and written at once, so the
whole log never exists as one index (see `airsync_tui.logs.parse.iter_index_parts`).
"""

from __future__ import annotations

import io
import mmap
import time
from collections.abc import Iterator
from itertools import repeat
from operator import floordiv, not_
from typing import BinaryIO, TextIO, cast

from airsync_tui.errors import known_secrets
from airsync_tui.logs.index import LEVEL_LABELS, SOURCE_LABELS, LogIndex

__all__ = ["BLOCK_LINES", "formatted_blocks", "write_formatted", "export_attempt"]

BLOCK_LINES = 50_000
_BLANK_STAMP = b" " * 19 + b" "
_UNKNOWN_COLUMNS = f"{'':<5} {'':<8} ".encode()


def _columns(level: int, source: int) -> bytes:
    """``LEVEL source`` columns; both blank when either code is unknown (as before)."""
    if level not in LEVEL_LABELS or source not in SOURCE_LABELS:
        return _UNKNOWN_COLUMNS
    return f"{LEVEL_LABELS[level]:<5} {SOURCE_LABELS[source]:<8} ".encode()


class _StampedPrefixes(dict[tuple[int, bool, int, int], bytes]):
    """(second, "no timestamp", level, source) → prefix bytes, built on first use."""

    def __missing__(self, key: tuple[int, bool, int, int]) -> bytes:
        second, blank, level, source = key
        stamp = _BLANK_STAMP if blank else time.strftime("%Y-%m-%d %H:%M:%S ", time.gmtime(second)).encode()
        value = self[key] = stamp + _columns(level, source)
        return value


class _Prefixes(dict[tuple[int, int], bytes]):
    """(level, source) → prefix bytes without a timestamp."""

    def __missing__(self, key: tuple[int, int]) -> bytes:
        value = self[key] = _columns(*key)
        return value


def formatted_blocks(index: LogIndex, show_timestamps: bool = True, *, start_line: int = 0) -> Iterator[bytes]:
    """UTF-8 blocks of formatted lines from ``start_line`` on, ``BLOCK_LINES`` lines each."""
    count = len(index)
    stamped = _StampedPrefixes()
    plain = _Prefixes()
    for start in range(max(0, start_line), count, BLOCK_LINES):
        end = min(count, start + BLOCK_LINES)
        if len(stamped) > 100_000:
            stamped.clear()
        yield _format_block(index, start, end, stamped if show_timestamps else plain)


def _format_block(index: LogIndex, start: int, end: int, cache: _StampedPrefixes | _Prefixes) -> bytes:
    """Lines ``start`` … ``end - 1`` of ``index``, formatted (see module docstring)."""
    offsets = index._offsets
    text = bytes(index._buf[offsets[start] : offsets[end]])
    if not text.isascii():
        try:
            text.decode("utf-8")
        except UnicodeDecodeError:  # as LogIndex.line: replacement characters ("\n" is never part of a bad sequence)
            text = text.decode("utf-8", "replace").encode("utf-8")
    messages = text.split(b"\n")
    messages.pop()  # the buffer ends with "\n": the last piece is empty
    levels = index._levels[start:end]
    sources = index._sources[start:end]
    if isinstance(cache, _StampedPrefixes):
        stamps = index._timestamps[start:end]
        keys = zip(map(floordiv, stamps, repeat(1000)), map(not_, stamps), levels, sources, strict=True)
        prefixes = list(map(cache.__getitem__, keys))
    else:
        prefixes = list(map(cache.__getitem__, zip(levels, sources, strict=True)))
    parts = [b"\n"] * (3 * len(messages))
    parts[0::3] = prefixes
    parts[1::3] = messages
    return b"".join(parts)


def _binary_of(out: BinaryIO | TextIO) -> BinaryIO | None:
    binary = out if isinstance(out, (io.RawIOBase, io.BufferedIOBase)) else getattr(out, "buffer", None)
    return cast(BinaryIO, binary) if binary is not None and hasattr(binary, "write") else None


#: What a credential this process holds is replaced with in written logs (as `errors.redact` does).
REDACTED = "•••".encode()


def known_secret_bytes() -> tuple[bytes, ...]:
    """The credentials this process holds (longest first), as UTF-8, for redacting written log text."""
    return tuple(secret.encode() for secret in known_secrets())


def redact_block(block: bytes, secrets: tuple[bytes, ...]) -> bytes:
    """`block` with each known credential replaced (one C-level scan per credential; none: no copy).

    Blocks end at line ends and a credential never spans lines, so no
    occurrence is split between two blocks.
    """
    for secret in secrets:
        if secret in block:
            block = block.replace(secret, REDACTED)
    return block


class _Writer:
    """Blocks to a binary stream (a text stream's ``.buffer`` when it has one), else decoded text.

    A server log that echoes one of our credentials (a token in a request
    dump) is written with it redacted, as every other output path does.
    """

    def __init__(self, out: BinaryIO | TextIO) -> None:
        self.out = out
        self.binary = _binary_of(out)
        self.written = 0
        self.secrets = known_secret_bytes()
        if self.binary is not None:
            flush = getattr(out, "flush", None)
            if callable(flush):
                flush()  # text already buffered in `out` goes first

    def write(self, block: bytes) -> None:
        if self.secrets:
            block = redact_block(block, self.secrets)
        if self.binary is not None:
            self.binary.write(block)
        else:
            cast(TextIO, self.out).write(block.decode("utf-8"))
        self.written += len(block)

    def close(self) -> None:
        if self.binary is not None:
            self.binary.flush()


def write_formatted(index: LogIndex, out: BinaryIO | TextIO, show_timestamps: bool = True, *, start_line: int = 0) -> int:
    """Write every formatted line (from ``start_line``) to `out`. Returns bytes written."""
    writer = _Writer(out)
    for block in formatted_blocks(index, show_timestamps, start_line=start_line):
        writer.write(block)
    writer.close()
    return writer.written


def export_attempt(raw: bytes | mmap.mmap | str, out: BinaryIO | TextIO, show_timestamps: bool = True) -> int:
    """Parse attempt JSON and write its formatted lines to ``out``, chunk by chunk. Returns bytes written.

    Same bytes as ``write_formatted(parse_attempt(raw).index, out)``: a big
    body is indexed a chunk of the log array at a time and each chunk is
    written as soon as it is indexed (so download-sized text is never held
    twice, and no whole-log index is built). If the chunked parse gives up
    part way (an array it cannot cut), the body is parsed in one go and only
    the lines not yet written follow.
    """
    from airsync_tui.logs.parse import iter_attempt_parts, parse_attempt

    writer = _Writer(out)
    lines_written = 0
    stamped = _StampedPrefixes()
    plain = _Prefixes()
    cache = stamped if show_timestamps else plain
    complete = False
    for part in iter_attempt_parts(raw):
        if part is None:
            break
        for start in range(0, len(part), BLOCK_LINES):
            writer.write(_format_block(part, start, min(len(part), start + BLOCK_LINES), cache))
        lines_written += len(part)
        if len(stamped) > 100_000:
            stamped.clear()
    else:
        complete = True
    if not complete:
        index = parse_attempt(raw).index
        for block in formatted_blocks(index, show_timestamps, start_line=lines_written):
            writer.write(block)
    writer.close()
    return writer.written
