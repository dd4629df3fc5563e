"""Progressive loading: a first screen from a quickly parsed prefix of the log.

Why: a 1,000,000-line attempt is ~150 MB of JSON and its full parse + index
takes ~2 s, most of it ``orjson.loads`` building a million objects and the
column work after it. The user only needs the first ~50 lines to start
reading, so — like Toolong, which shows a file before its line scan ends —
we parse the first few hundred KB of the ``events``/``logLines`` array on
its own (milliseconds), show that, and run the authoritative full parse in a
background thread. The prefix is only a guess; the full parse always wins.

How the prefix is cut: the array's elements are separated by ``},{`` (events
are objects) or ``","`` (legacy lines are strings) as written by compact JSON
encoders (Jackson, orjson). Such a separator can also occur where it is not a
top-level boundary — inside a nested array, or a message ending in ``},{`` —
but then ``[`` + prefix + ``]`` is *never* valid JSON: the cut leaves an
open string or an unclosed object that one ``]`` cannot balance. So a prefix
that parses is exactly the first records of the array, and one that does not
is retried at an earlier separator, then abandoned (the caller just waits
for the full parse).

Measured (2 cores): ``orjson`` does not release the GIL (two threads parsing
take as long as one after the other), so splitting the full parse across
worker threads would not make it faster; it stays one ``parse_attempt`` call.
That call parses a big body a few MB of the array at a time with the same
separator-and-validate cuts, releasing the GIL between chunks, so the UI
keeps running while it works (see ``parse.py``, "chunked parse").
"""

from __future__ import annotations

import asyncio
import inspect
import mmap
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from airsync_tui.logs.index import LogIndex
from airsync_tui.logs.parse import (
    _SEPARATORS,
    AttemptLog,
    find_log_array,
    index_from_events,
    index_from_log_lines,
    parse_attempt,
)

__all__ = [
    "PrefixCallback",
    "PREFIX_BYTES",
    "MIN_PROGRESSIVE_BYTES",
    "find_log_array",
    "parse_prefix",
    "parse_progressive",
]

#: A consumer of the prefix index. It may return an awaitable (e.g. "until the
#: screen has painted it") so the GIL-heavy full parse starts only afterwards.
PrefixCallback = Callable[[LogIndex], "Awaitable[Any] | None"]

#: How much of the array the prefix covers: ~2,000-4,000 records, a few ms.
PREFIX_BYTES = 512 * 1024
#: Below this size the full parse is fast (< ~50 ms): no prefix step.
MIN_PROGRESSIVE_BYTES = 4 * 1024 * 1024
#: Earlier separators tried when a cut does not parse.
_RETRIES = 4


def parse_prefix(raw: bytes | mmap.mmap, max_bytes: int = PREFIX_BYTES) -> LogIndex | None:
    """Index of the first records of the log array in ``raw``, or ``None``.

    ``None`` means "no safe guess": no array found, no separator in the
    first ``max_bytes``, or no cut that parses. Never raises on bad input.
    """
    located = find_log_array(raw)
    if located is None:
        return None
    key, start = located
    separator, keep = _SEPARATORS[key]
    window = raw[start : start + max_bytes]
    end = len(window)
    for _ in range(_RETRIES):
        cut = window.rfind(separator, 0, end)
        if cut <= 0:
            return None
        records = _load_records(b"[" + window[: cut + keep] + b"]", key)
        if records is not None:
            return index_from_events(records) if key == "events" else index_from_log_lines(records)
        end = cut
    return None


def _load_records(candidate: bytes, key: str) -> list[Any] | None:
    """The records of a candidate prefix, if it is valid JSON of the right shape."""
    try:
        records = orjson.loads(candidate)
    except orjson.JSONDecodeError:
        return None
    wanted = dict if key == "events" else str
    if not isinstance(records, list) or not records or not all(isinstance(r, wanted) for r in records):
        return None
    return records


async def parse_progressive(
    raw: bytes | mmap.mmap,
    on_prefix: PrefixCallback | None,
    *,
    use_prefix: bool = True,
    min_bytes: int = MIN_PROGRESSIVE_BYTES,
) -> AttemptLog:
    """Parse ``raw`` fully in a thread, first handing a prefix to ``on_prefix``.

    The prefix (when ``use_prefix``, the body is big and a guess parses) is
    built in a thread too, then given to ``on_prefix``; if that returns an
    awaitable it is awaited before the full parse starts, so the consumer can
    paint before the full parse holds the GIL for ~2 s. The returned
    :class:`AttemptLog` is always the full, authoritative parse.
    """
    if on_prefix is not None and use_prefix and len(raw) >= min_bytes:
        prefix = await asyncio.to_thread(parse_prefix, raw)
        if prefix is not None and len(prefix):
            result = on_prefix(prefix)
            if inspect.isawaitable(result):
                await result
    return await asyncio.to_thread(parse_attempt, raw)
