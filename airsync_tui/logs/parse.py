"""Build a :class:`LogIndex` from Airbyte config-API attempt JSON.

Accepts the whole ``/api/v1/attempt/get_for_job`` response
(``{attempt, logType, logs}``) or just its ``logs`` object, in either format
(reference: airbyte-api.md §2.4):

* structured ``{"events": [{timestamp, level, logSource, message,
  caller?, stackTrace?}], "version": "1"}`` — a stack trace becomes extra
  lines of the same event (same timestamp, level and source);
* legacy ``{"logLines": ["2026-01-01 08:15:05 <ANSI>platform<ANSI> > msg"]}``.

Why it looks unusual: a busy attempt log has a million lines, and a Python
loop doing a few regex calls per line costs several seconds. So each step
works on whole columns: one comprehension per field, ``"\\n".join`` into one
buffer, one sanitising pass, one ``re.findall`` over the legacy headers,
memoised timestamp conversion, ``map``/``repeat`` for per-line columns.
Per-line Python work happens only for the rare lines that need it
(multi-line messages, stack traces, legacy continuation lines).
"""

from __future__ import annotations

import calendar
import gc
import mmap
import re
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import accumulate, chain, compress, repeat
from operator import itemgetter, not_
from typing import Any, cast

import orjson

from airsync_tui.errors import known_secrets
from airsync_tui.logs.event_decode import LogEventStruct, decode_events, is_event_structs
from airsync_tui.logs.index import Level, LogIndex, Source, format_timestamp, lines_of_offsets, offsets_from_lengths
from airsync_tui.logs.sanitize import TAB_SIZE, sanitize_buffer

__all__ = [
    "AttemptLog",
    "parse_attempt_json",
    "parse_attempt",
    "index_from_logs",
    "index_from_events",
    "index_from_log_lines",
    "append_attempt_json",
    "format_full_text",
    "iter_formatted_lines",
    "iter_attempt_parts",
]


class _CodeMap(dict[Any, int]):
    """dict with a default, so ``map(codes.__getitem__, values)`` stays in C."""

    def __init__(self, mapping: dict[Any, int], default: int) -> None:
        super().__init__(mapping)
        self.default = default

    def __missing__(self, key: Any) -> int:
        return self.default


_LEVEL_WORDS = {
    "trace": Level.TRACE,
    "debug": Level.DEBUG,
    "info": Level.INFO,
    "warn": Level.WARN,
    "warning": Level.WARN,
    "error": Level.ERROR,
    "fatal": Level.ERROR,
}
_LEVEL_CODES = _CodeMap({**_LEVEL_WORDS, **{k.upper(): v for k, v in _LEVEL_WORDS.items()}}, Level.UNKNOWN)
_LEVEL_BYTES = _CodeMap(
    {k.upper().encode(): int(v) for k, v in _LEVEL_WORDS.items()},
    Level.UNKNOWN,
)
_SOURCE_WORDS = {
    "source": Source.SOURCE,
    "destination": Source.DESTINATION,
    "platform": Source.PLATFORM,
    "replication-orchestrator": Source.ORCHESTRATOR,
}
_SOURCE_CODES = _CodeMap(dict(_SOURCE_WORDS), Source.UNKNOWN)
_SOURCE_BYTES = _CodeMap({k.encode(): int(v) for k, v in _SOURCE_WORDS.items()}, Source.UNKNOWN)
# Legacy lines: a line with a timestamp but no source word is the platform's
# (older servers wrote no word for it); lines with no header at all inherit
# from the line above afterwards, so "no word" can map to PLATFORM here.
_LEGACY_SOURCE_BYTES = _CodeMap({**_SOURCE_BYTES, None: int(Source.PLATFORM)}, Source.UNKNOWN)

# Connectors often repeat the level inside the message ("INFO  Reading…");
# the web UI strips it (§2.4), so do we, but only when the word is followed
# by blanks or the end of the line ("INFORMATION", "INFO:" stay intact).
# The common "WORD + one space" form is removed with split/join (C speed, no
# per-match overhead); this regex handles the rare remaining forms first.
# `[ \t]` (not `\s`) can never swallow a line break.
_LEVEL_WORDS_B = (b"INFO", b"WARN", b"ERROR", b"DEBUG", b"TRACE")
_LEADING_LEVEL_RARE = re.compile(rb"\n(?:INFO|WARN|ERROR|DEBUG|TRACE)(?:[ \t]{2,}|\t[ \t]*|(?=\n))")
# Both steps at once: a level word and every blank after it, or a level word alone on its line.
_LEADING_LEVEL_ONE_PASS = re.compile(rb"\n(?:INFO|WARN|ERROR|DEBUG|TRACE)(?:[ \t]+|(?=\n))")
# What the steps would strip again after that: a line that still starts with ``WORD ``.
_LEADING_LEVEL_LEFT = re.compile(rb"\n(?:INFO|WARN|ERROR|DEBUG|TRACE) ")

# Legacy header after a "\n". Real servers wrote several eras of it:
#
# * 2024 (last legacy): ``ts <ANSI>source<ANSI> > [LEVEL ]msg``, with or
#   without a level word after the source;
# * 2022-2023: connector lines carry the connector's own timestamp and level
#   after the source word, ``ts destination > ts LEVEL class(method):n - msg``
#   (the level word often wrapped in ANSI, e.g. ``\x1b[32mINFO\x1b[m``);
# * platform lines of every era before 2024-10 have no source word at all:
#   ``ts LEVEL class(method):line - msg`` (2021: ``ts INFO () Class(m):n - msg``).
#
# So: timestamp, then an optional source word with " > " and an optional
# second timestamp, then an optional (ANSI-wrapped) level word. A timestamp
# with no source word is a platform line. ``re.split`` with this pattern
# returns [prefix, ts, source, level, message, ts, source, level, message,
# ...] in one C pass, which gives the columns and the messages without
# per-line work.
_SGR = rb"(?:\x1b\[[0-9;]*m)*"
_STAMP = rb"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
_LEGACY_HEAD = re.compile(
    rb"\n(?:("
    + _STAMP
    + rb") (?:"
    + _SGR
    + rb"(platform|source|destination|replication-orchestrator)"
    + _SGR
    + rb" > (?:"
    + _STAMP
    + rb" )?)?)?"
    + _SGR
    + rb"(?:(INFO|WARN|ERROR|DEBUG|TRACE)"
    + _SGR
    + rb"(?:[ \t]+|(?=\n)|$))?"
)
# The last legacy era alone (``ts <ANSI>source<ANSI> > LEVEL msg``): every
# part present, so ``re.split`` does about a third less work per line. Where
# it matches at a "\n" it matches exactly what ``_LEGACY_HEAD`` would (the
# same path through that pattern, with each optional part taken), so when it
# matches at EVERY "\n" of a buffer its split is ``_LEGACY_HEAD``'s split;
# otherwise (older eras, continuation lines) the general pattern is used.
_LEGACY_HEAD_2024 = re.compile(
    rb"\n("
    + _STAMP
    + rb") "
    + _SGR
    + rb"(platform|source|destination|replication-orchestrator)"
    + _SGR
    + rb" > "
    + _SGR
    + rb"(INFO|WARN|ERROR|DEBUG|TRACE)"
    + _SGR
    + rb"[ \t]+"
)


def _split_legacy(raw: bytes) -> list[Any]:
    """``_LEGACY_HEAD.split(raw)`` (``raw`` starts with "\n", one per line), fast for a last-era log."""
    return _split_legacy_headed(raw)[0]


# The last era as the server actually writes it: exactly one SGR around the
# source word and none around the level. Its fields are matched loosely (any 19
# characters, a run of ``[a-z-]``, a run of ``[A-Z]``), which the regex engine
# does about a third faster than the alternations above; the distinct values
# are checked afterwards (a few thousand, not a million). Where every captured
# value is one ``_LEGACY_HEAD_2024`` accepts, each match is exactly that
# pattern's match at the same "\n" (greedy runs end where the literal words
# end: at the SGR, at the blank), so the split is the same.
_LEGACY_HEAD_2024_PLAIN = re.compile(rb"\n([^\n]{19}) \x1b\[[0-9;]*m([a-z-]+)\x1b\[[0-9;]*m > ([A-Z]+)[ \t]+")
_STAMP_ONLY = re.compile(_STAMP)
_SOURCE_WORDS_B = frozenset(_SOURCE_BYTES)
_LEVEL_WORDS_SET = frozenset(w.upper().encode() for w in ("info", "warn", "error", "debug", "trace"))


def _plain_split_is_exact(parts: list[Any]) -> bool:
    """Every stamp, source and level captured by ``_LEGACY_HEAD_2024_PLAIN`` is what the strict pattern allows."""
    return (
        set(parts[2::4]) <= _SOURCE_WORDS_B
        and set(parts[3::4]) <= _LEVEL_WORDS_SET
        and all(_STAMP_ONLY.fullmatch(stamp) for stamp in set(parts[1::4]))
    )


def _split_legacy_headed(raw: bytes) -> tuple[list[Any], bool]:
    """:func:`_split_legacy` plus whether every line had a full last-era header
    (then no line is a continuation line and there is nothing to inherit)."""
    if _LEGACY_HEAD_2024_PLAIN.match(raw):
        parts = _LEGACY_HEAD_2024_PLAIN.split(raw)
        if len(parts) // 4 == raw.count(b"\n") and _plain_split_is_exact(parts):
            return parts, True
        # Some line has no such header (a continuation line, usually): only the general pattern fits.
        return _LEGACY_HEAD.split(raw), False
    if _LEGACY_HEAD_2024.match(raw):
        parts = _LEGACY_HEAD_2024.split(raw)
        # Every match holds exactly one "\n" (its first byte: nothing else in the pattern
        # matches a line break), so as many matches as "\n"s means a header at every line,
        # and then this is the general split's result. Counting in C avoids scanning every
        # message for a left-over "\n" (a third of a second on a million lines).
        if len(parts) // 4 == raw.count(b"\n"):
            return parts, True
    return _LEGACY_HEAD.split(raw), False


# Level hints inside an un-levelled legacy line.
_LEGACY_TOKEN = re.compile(rb"(?<![A-Za-z])(ERROR|WARN)(?![A-Za-z])")


class _LegacyStampCache(dict[bytes | None, int]):
    """``b"2026-01-01 08:15:05"`` → epoch ms (UTC), computed once per second."""

    def __missing__(self, key: bytes | None) -> int:
        if not key:
            value = 0
        else:
            value = _stamp_ms(key)
        self[key] = value
        return value


#: Epoch ms of each ``YYYY-MM-DD`` seen (a log spans a few days at most).
_DAY_MS: dict[bytes, int] = {}


def _stamp_ms(key: bytes) -> int:
    """Epoch ms (UTC) of ``b"YYYY-MM-DD HH:MM:SS"`` (0 if not a valid time).

    ``time.strptime`` costs ~20 µs a call, a tenth of a second per million
    lines (one call per new second); the fixed layout (``_STAMP``) lets the
    fields be read by position. Anything unusual (a leap second ``:60``, an
    out-of-range field, another length) takes the ``strptime`` path, so the
    result is the same as before.
    """
    day = key[:10]
    day_ms = _DAY_MS.get(day)
    try:
        if len(key) != 19 or key[10:11] != b" " or not (key[11:13] + key[14:16] + key[17:19]).isdigit():
            raise ValueError(key)
        hour, minute, second = int(key[11:13]), int(key[14:16]), int(key[17:19])
        if hour > 23 or minute > 59 or second > 59 or key[13:14] != b":" or key[16:17] != b":":
            raise ValueError(key)
        if day_ms is None:
            day_ms = calendar.timegm(time.strptime(day.decode("ascii"), "%Y-%m-%d")) * 1000
            if len(_DAY_MS) > 1000:
                _DAY_MS.clear()
            _DAY_MS[day] = day_ms
        return day_ms + (hour * 3600 + minute * 60 + second) * 1000
    except (ValueError, UnicodeDecodeError):
        pass
    try:
        return calendar.timegm(time.strptime(key.decode("ascii"), "%Y-%m-%d %H:%M:%S")) * 1000
    except (ValueError, UnicodeDecodeError):
        return 0


@dataclass(slots=True)
class AttemptLog:
    """A parsed attempt: its metadata (``AttemptRead`` dict, may be empty) and log."""

    index: LogIndex
    attempt: dict[str, Any] = field(default_factory=dict)
    log_type: str = ""


# -- entry points ----------------------------------------------------------------


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while building millions of short-lived objects.

    orjson creates one dict per event; each allocation batch would trigger
    a generation-0 collection that re-walks them, which more than doubles
    the parse time of a big log. None of these objects form cycles.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_attempt(data: bytes | mmap.mmap | str | dict[str, Any]) -> AttemptLog:
    """Parse an ``AttemptInfoRead`` (or a bare ``logs`` object)."""
    with _gc_paused():
        return _parse_attempt(data)


def _parse_attempt(data: bytes | mmap.mmap | str | dict[str, Any]) -> AttemptLog:
    if isinstance(data, (bytes, mmap.mmap)) and len(data) >= CHUNKED_PARSE_MIN_BYTES:
        chunked = _parse_attempt_chunked(data)
        if chunked is not None:
            return chunked
    if isinstance(data, mmap.mmap):  # a mapped spool file (logs/spool.py) that the chunked parse did not take
        data = data[:]
    obj = orjson.loads(data) if isinstance(data, (bytes, bytearray, memoryview, str)) else data
    if not isinstance(obj, dict):
        raise ValueError("attempt JSON must be an object")
    if "logs" in obj or "attempt" in obj:
        logs = obj.get("logs") or {}
        attempt = obj.get("attempt") or {}
        log_type = obj.get("logType") or ""
    else:
        logs, attempt, log_type = obj, {}, ""
    index = index_from_logs(logs)
    if not log_type:
        log_type = "structured" if "events" in logs else "formatted"
    return AttemptLog(index=index, attempt=attempt, log_type=log_type)


def parse_attempt_json(data: bytes | str | dict[str, Any]) -> LogIndex:
    """Just the :class:`LogIndex` of an attempt response or ``logs`` object."""
    return parse_attempt(data).index


#: Records indexed per step of a big log. Each step's C calls (joins, regex
#: splits, translates over the buffer) then take tens of ms instead of up to
#: ~0.6 s, so the UI thread — which shares the GIL with a background parse
#: during progressive loading — is never starved for long by one call.
INDEX_CHUNK_RECORDS = 100_000

# A legacy line that starts with a full header (what ``_LEGACY_HEAD`` calls
# a header): chunks start only at such lines so continuation lines always
# inherit from the line above within their own chunk.
_LEGACY_HEADED = re.compile(
    r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (?:\x1b\[[0-9;]*m)*"
    r"(?:(?:platform|source|destination|replication-orchestrator)(?:\x1b\[[0-9;]*m)* > "
    r"|(?:INFO|WARN|ERROR|DEBUG|TRACE)\b)",
    re.ASCII,
)


def index_from_logs(logs: dict[str, Any]) -> LogIndex:
    if not isinstance(logs, dict):
        raise ValueError("'logs' must be an object")
    events = logs.get("events")
    if events:
        return _index_in_chunks(events, index_from_events, None)
    return _index_in_chunks(logs.get("logLines") or [], index_from_log_lines, _next_headed_line)


def _next_headed_line(lines: Sequence[Any], i: int) -> int:
    """First line at/after ``i`` that has a legacy header (``len`` if none)."""
    n = len(lines)
    while i < n and not (isinstance(lines[i], str) and _LEGACY_HEADED.match(lines[i])):
        i += 1
    return i


def _index_in_chunks(
    records: Sequence[Any],
    build: Callable[[Sequence[Any]], LogIndex],
    chunk_start: Callable[[Sequence[Any], int], int] | None,
) -> LogIndex:
    """``build(records)`` done ``INDEX_CHUNK_RECORDS`` at a time; same result.

    Events are independent of each other, and legacy chunks start at a
    headed line (``chunk_start``), so every chunk indexes exactly as it
    would inside the whole log.
    """
    n = len(records)
    if n <= INDEX_CHUNK_RECORDS:
        return build(records)
    parts: list[LogIndex] = []
    start = 0
    while start < n:
        end = min(n, start + INDEX_CHUNK_RECORDS)
        if chunk_start is not None and end < n:
            end = chunk_start(records, end)
        parts.append(build(records[start:end]))
        start = end
        _yield_gil()
    return LogIndex.concat(parts)


def _yield_gil() -> None:
    """Let other threads (the UI's event loop) run between two heavy steps of
    a background parse: ``sleep(0)`` releases the GIL and re-acquires it."""
    time.sleep(0)


def append_attempt_json(index: LogIndex, data: bytes | mmap.mmap | str | dict[str, Any]) -> int:
    """Append the records of a re-fetched attempt that ``index`` has not seen.

    Airbyte only returns the whole log, so a follow-mode poller re-downloads
    it and skips the first ``index.record_count`` records. Returns lines added.
    """
    with _gc_paused():
        return _append_attempt_json(index, data)


def _append_attempt_json(index: LogIndex, data: bytes | mmap.mmap | str | dict[str, Any]) -> int:
    if isinstance(data, (bytes, mmap.mmap)) and len(data) >= CHUNKED_PARSE_MIN_BYTES:
        located = _locate_log_array(data)
        if located is not None:
            chunked = _index_array_in_chunks(data, located, skip=index.record_count)
            if chunked is not None:
                return index.append_index(chunked) if chunked.record_count else 0
    if isinstance(data, mmap.mmap):
        data = data[:]
    obj = orjson.loads(data) if isinstance(data, (bytes, bytearray, memoryview, str)) else data
    logs = obj.get("logs", obj) if isinstance(obj, dict) else {}
    logs = logs or {}
    seen = index.record_count
    events = logs.get("events")
    if events:
        fresh = events[seen:]
        return index.append_index(index_from_events(fresh)) if fresh else 0
    lines = logs.get("logLines") or []
    fresh = lines[seen:]
    return index.append_index(index_from_log_lines(fresh)) if fresh else 0


# -- chunked parse of a big body ----------------------------------------------------
#
# A 1,000,000-line structured attempt is ~150 MB of JSON. One ``orjson.loads``
# of it holds the GIL for the whole call (0.5-1.5 s), which freezes the UI
# thread while the log parses in the background. So a big body is parsed a
# few MB of the log array at a time, releasing the GIL in between:
#
# * the array's elements are separated by ``},{`` (events) or ``","`` (legacy
#   lines) as compact encoders (Jackson, orjson) write them. A candidate cut
#   at such a separator is accepted only if ``[`` + slice + ``]`` parses: a
#   cut inside a string or a nested object leaves an open string or object
#   that one ``]`` can never balance, so it fails and the next candidate is
#   tried. If ``[X]`` and ``[Y]`` are valid arrays, ``[X,Y]`` is the valid
#   array of their elements, so the chunks are exactly the array's elements;
# * the envelope (attempt metadata, ``logType``, other ``logs`` keys) is
#   parsed on its own, with the array replaced by a marker string; the parse
#   must put the marker alone at ``logs[key]``, which proves the located
#   ``[`` … ``]`` is that array. Envelope + elements then *is* the document,
#   and JSON parses one way only, so the result equals a one-shot parse;
# * anything unexpected (no cut that parses within a few candidates, no
#   envelope that parses, invalid JSON) returns ``None`` and the caller does
#   the one-shot parse, which also raises the usual error for a broken body.
#   An array without compact separators (pretty-printed) is one chunk.

#: Bodies at least this big are parsed in chunks (a one-shot parse of a
#: smaller one holds the GIL for < ~0.1 s).
CHUNKED_PARSE_MIN_BYTES = 16 * 1024 * 1024
#: Target bytes of the log array per ``orjson.loads`` call (~20-70 ms each).
PARSE_CHUNK_BYTES = 6 * 1024 * 1024
#: Candidate cuts tried per chunk before giving up (messages may contain a
#: separator; then the next candidate is almost always a real boundary).
_CUT_RETRIES = 16
#: Candidate closing brackets tried at the end of the body.
_END_RETRIES = 16
#: How far from the start (end) of the body the log array may start (end).
_HEAD_SEARCH_BYTES = 4 * 1024 * 1024

_LOGS_KEY = re.compile(rb'"logs"\s*:\s*\{')
_ARRAY_KEY = re.compile(rb'"(events|logLines)"\s*:\s*\[')
#: Element separator of each array, and how many of its bytes end a chunk.
_SEPARATORS = {"events": (b"},{", 1), "logLines": (b'","', 1)}
_MARKER = "airsync-tui:log-array-marker:5f0c2e"
_MARKER_JSON = b'"' + _MARKER.encode() + b'"'


def find_log_array(raw: bytes | mmap.mmap) -> tuple[str, int] | None:
    """``(key, offset of the first element)`` of the log array in ``raw``.

    Looks after the ``"logs": {`` key when there is one, so an ``events``
    key elsewhere in the attempt metadata is not mistaken for the log.
    The quote before a key cannot be an escaped one inside a string, and a
    string value is never followed by ``:``, so a match is a real key.
    (A wrong match is still caught where it matters: the progressive prefix
    is only a guess, and the chunked parse checks the envelope.)
    """
    head_end = min(len(raw), _HEAD_SEARCH_BYTES)
    logs = _LOGS_KEY.search(raw, 0, head_end)
    found = _ARRAY_KEY.search(raw, logs.end() if logs else 0, head_end)
    if found is None:
        return None
    return found.group(1).decode(), found.end()


@dataclass(slots=True)
class _Envelope:
    end: int  # offset of the log array's closing "]"
    attempt: dict[str, Any]
    log_type: str
    logs: dict[str, Any]  # the logs object, with the array as [_MARKER]


@dataclass(slots=True)
class _LocatedArray:
    key: str  # "events" or "logLines"
    start: int  # offset of the first element (just after "[")
    #: Closing brackets whose envelope parses, last first. Usually one; a "]"
    #: in metadata after the log can also pass, and then the last chunk
    #: (which must parse as elements) picks the right one.
    candidates: list[_Envelope]
    chosen: _Envelope | None = None  # set when the last chunk parses


def _locate_log_array(raw: bytes | mmap.mmap) -> _LocatedArray | None:
    """The log array's byte span, with the envelope parsed (see above)."""
    found = find_log_array(raw)
    if found is None:
        return None
    key, start = found
    head = raw[:start]
    if _MARKER_JSON in head:
        return None
    low = max(start, len(raw) - _HEAD_SEARCH_BYTES)
    end = len(raw)
    candidates: list[_Envelope] = []
    for _ in range(_END_RETRIES):
        end = raw.rfind(b"]", low, end)
        if end < 0:
            break
        tail = raw[end:]
        envelope = _load_envelope(head + _MARKER_JSON + tail, key)
        if envelope is not None and _MARKER_JSON not in tail:
            candidates.append(_Envelope(end, *envelope))
    return _LocatedArray(key, start, candidates) if candidates else None


def _load_envelope(text: bytes, key: str) -> tuple[Any, Any, dict[str, Any]] | None:
    """``(attempt, logType, logs)`` of the envelope, if the marker is the
    whole ``logs[key]`` array and the one-shot parse would index that array."""
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(obj, dict):
        return None
    if "logs" in obj or "attempt" in obj:  # same rules as _parse_attempt
        logs = obj.get("logs") or {}
        attempt = obj.get("attempt") or {}
        log_type = obj.get("logType") or ""
    else:
        logs, attempt, log_type = obj, {}, ""
    if not isinstance(logs, dict) or logs.get(key) != [_MARKER]:
        return None
    if key == "logLines" and logs.get("events"):  # index_from_logs prefers events
        return None
    return attempt, log_type, logs


def _iter_array_chunks(raw: bytes | mmap.mmap, located: _LocatedArray) -> Iterator[list[Any] | None]:
    """The array's elements, a few MB of JSON at a time; ``None`` (then stop)
    when no valid cut is found. Sets ``located.chosen`` at the last chunk.

    A cut beyond the real closing bracket never parses either: the slice
    would hold ``elements] more``, trailing text after a complete array.
    """
    separator, keep = _SEPARATORS[located.key]
    start, end = located.start, located.candidates[0].end
    while start < end:
        if end - start <= PARSE_CHUNK_BYTES + PARSE_CHUNK_BYTES // 2:
            break
        search = start + PARSE_CHUNK_BYTES
        for _ in range(_CUT_RETRIES):
            cut = raw.find(separator, search, end)
            if cut < 0:
                break
            records = _load_span(raw, start, cut + keep, located.key)
            if records is not None:
                yield records
                start = cut + len(separator) - 1  # the next element's first byte
                _drop_parsed_pages(raw, start)
                break
            search = cut + 1
        else:
            yield None
            return
        if cut < 0:  # no separator left: the rest is the last chunk
            break
    # The last chunk: up to the first candidate closing bracket that works.
    for envelope in located.candidates:
        if envelope.end > start:
            records = _load_span(raw, start, envelope.end, located.key)
            if records is not None:
                located.chosen = envelope
                yield records
                return
    yield None


def _drop_parsed_pages(raw: bytes | mmap.mmap, end: int) -> None:
    """Let a mapped body's already-parsed pages leave this process's RSS (they stay in the page cache)."""
    if isinstance(raw, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        length = end - end % mmap.PAGESIZE
        if length > 0:
            try:
                raw.madvise(mmap.MADV_DONTNEED, 0, length)
            except (OSError, ValueError):
                pass


def _load_span(raw: bytes | mmap.mmap, start: int, end: int, key: str | None = None) -> list[Any] | None:
    """:func:`_load_array` of ``raw[start:end]``, copied once (``join`` reads the span in place)."""
    with memoryview(raw) as view:
        return _load_array(view[start:end], key)


def _load_array(elements: bytes | memoryview, key: str | None = None) -> list[Any] | None:
    """The records of a slice of the log array (``None``: not valid JSON elements).

    ``key="events"`` tries msgspec structs first (``event_decode``: about half
    the cost of orjson's dicts); orjson decides whatever msgspec does not take.
    """
    text = b"".join((b"[", elements, b"]"))
    if key == "events":
        events = decode_events(text)
        if events is not None:
            return events
    try:
        records = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    return records if isinstance(records, list) else None


def _index_array_in_chunks(raw: bytes | mmap.mmap, located: _LocatedArray, skip: int = 0) -> LogIndex | None:
    """Index of the log array's records after the first ``skip``, parsed and
    indexed chunk by chunk with the GIL released in between; ``None`` if the
    array cannot be cut (the caller then parses the body in one go)."""
    parts: list[LogIndex] = []
    for part in _iter_index_parts(raw, located, skip):
        if part is None:
            return None
        parts.append(part)
    return LogIndex.concat(parts)


class PartBuilder:
    """Consecutive record lists of a log array → consecutive index parts.

    Appended together the parts are the index of all records after the first
    ``skip``. Legacy lines are held back from the last headed line of each
    list (continuation lines inherit from the line above), so every part
    indexes exactly as it would inside the whole log. Shared by the chunked
    parse and the streamed export (``airsync_tui.logs.stream_export``).
    """

    def __init__(self, key: str, skip: int = 0) -> None:
        self.legacy = key == "logLines"
        self._build = index_from_log_lines if self.legacy else index_from_events
        self._pending: list[Any] = []  # legacy lines waiting for the next headed line
        self._skip = skip
        #: Records seen (skipped ones included).
        self.total = 0

    def add(self, records: list[Any]) -> LogIndex | None:
        """The part for ``records`` (``None`` when all are skipped or held back)."""
        self.total += len(records)
        if self._skip:
            dropped = min(self._skip, len(records))
            records = records[dropped:] if dropped else records
            self._skip -= dropped
        if self.legacy:
            scanned = len(self._pending)
            records = self._pending + records if self._pending else records
            cut = _last_headed_line(records, max(1, scanned))
            self._pending = records[cut:]
            records = records[:cut]
        if not records:
            return None
        return _index_in_chunks(records, self._build, _next_headed_line if self.legacy else None)

    def finish(self) -> LogIndex | None:
        """The last part: the legacy lines still held back."""
        pending, self._pending = self._pending, []
        return _index_in_chunks(pending, self._build, _next_headed_line) if pending else None


def _iter_index_parts(raw: bytes | mmap.mmap, located: _LocatedArray, skip: int = 0) -> Iterator[LogIndex | None]:
    """The log array's records after the first ``skip`` as consecutive indexes,
    a chunk at a time: appended together they are the whole log's index.
    ``None`` (then stop) when the array cannot be cut or is empty: the caller
    parses the body in one go. ``located.chosen`` is set once all parts are out."""
    builder = PartBuilder(located.key, skip)
    for records in _iter_array_chunks(raw, located):
        _yield_gil()
        if records is None:
            yield None
            return
        part = builder.add(records)
        if part is not None:
            yield part
            _yield_gil()
    if builder.total == 0:  # "[ ]": the one-shot parse decides what an empty array means
        yield None
        return
    last = builder.finish()
    if last is not None:
        yield last


def iter_attempt_parts(data: bytes | mmap.mmap | str) -> Iterator[LogIndex | None]:
    """``parse_attempt(data).index`` as consecutive parts (for streaming export).

    A big body yields one part per parsed chunk of its log array; a small one
    yields its whole index. ``None`` (then stop) means the chunked parse gave
    up: the parts so far are the log's first lines, and the caller parses the
    body in one go for the rest.
    """
    if not (isinstance(data, (bytes, mmap.mmap)) and len(data) >= CHUNKED_PARSE_MIN_BYTES):
        yield parse_attempt(data).index
        return
    with _gc_paused():
        located = _locate_log_array(data)
        if located is None:
            yield None
            return
        parts = _iter_index_parts(data, located)
        for part in parts:
            yield part
            if part is None:
                return
        if located.chosen is None:
            yield None


def _last_headed_line(lines: Sequence[Any], low: int) -> int:
    """Last line at/after ``low`` (>= 1) that has a legacy header, else 0."""
    for i in range(len(lines) - 1, low - 1, -1):
        line = lines[i]
        if isinstance(line, str) and _LEGACY_HEADED.match(line):
            return i
    return 0


def _parse_attempt_chunked(raw: bytes | mmap.mmap) -> AttemptLog | None:
    """:func:`_parse_attempt` of a big body in chunks; ``None`` = not possible."""
    located = _locate_log_array(raw)
    if located is None:
        return None
    index = _index_array_in_chunks(raw, located)
    envelope = located.chosen
    if index is None or envelope is None:
        return None
    log_type = envelope.log_type or ("structured" if "events" in envelope.logs else "formatted")
    return AttemptLog(index=index, attempt=envelope.attempt, log_type=log_type)


# -- structured events ---------------------------------------------------------------


def index_from_events(events: Sequence[dict[str, Any]] | Sequence[LogEventStruct]) -> LogIndex:
    """Index structured ``LogEvent`` dicts, or the structs of ``event_decode`` (one or more lines per event)."""
    n = len(events)
    if n == 0:
        return LogIndex()
    if is_event_structs(events):
        return _index_from_structs(cast("list[LogEventStruct]", events))
    dicts = cast("Sequence[dict[str, Any]]", events)
    messages = _column(dicts, "message", "")
    traces = _column(dicts, "stackTrace", None)
    stamps = _column(dicts, "timestamp", 0)
    levels = _codes(dicts, "level", _LEVEL_CODES)
    sources = _codes(dicts, "logSource", _SOURCE_CODES)
    return _index_from_columns(messages, traces, stamps, levels, sources)


def _index_from_structs(events: list[LogEventStruct]) -> LogIndex:
    """The columns of :func:`index_from_events` read from structs: attribute
    reads in comprehensions (a struct's message is always a string)."""
    messages: list[Any] = [e.message for e in events]
    traces = [e.stackTrace for e in events]
    stamps = [e.timestamp for e in events]  # None → 0 in _int_array, as on the dict path
    levels = bytes(map(_LEVEL_CODES.__getitem__, [e.level for e in events]))
    sources = bytes(map(_SOURCE_CODES.__getitem__, [e.logSource for e in events]))
    return _index_from_columns(messages, traces, stamps, levels, sources)


def _index_from_columns(messages: list[Any], traces: list[Any], stamps: list[Any], levels: bytes, sources: bytes) -> LogIndex:
    """The index of events given their columns (messages may be any type; traces any truthiness)."""
    n = len(messages)
    traced = list(compress(range(n), traces))
    for i in traced:  # only events that have a trace
        # Traces carry the tabs ("\tat …"): expanding the few of them here is
        # the same as expanding the whole text below (every "\n" restarts the
        # column count) and spares that pass over every message.
        messages[i] = f"{messages[i]}\n{traces[i]}".expandtabs(TAB_SIZE)
    del traces
    if not all(map(str.__instancecheck__, messages)):
        messages = [m if isinstance(m, str) else str(m) for m in messages]

    # Leading "\n" so the level-word strip can anchor on "\n" for line 1 too
    # (one join with empty ends: no copies of the text to add them).
    text = "\n".join(chain(("",), messages, ("",)))
    if "\t" in text:  # per line, in characters: the same as expanding each message (every "\n" restarts the count)
        text = text.expandtabs(TAB_SIZE)
    raw = text.encode("utf-8", "replace")
    del text
    buf = sanitize_buffer(raw)
    del raw
    buf = _strip_leading_levels(buf)[1:]

    timestamps = _int_array(stamps)
    spanning = buf.count(b"\n") - n
    if spanning:  # some events span several lines: repeat their columns
        extra = _extra_lines(messages, traced, spanning)
        timestamps = _spread(timestamps, extra, array("q"))
        levels = _spread(levels, extra, bytearray())
        sources = _spread(sources, extra, bytearray())
    return LogIndex.from_parts(buf, timestamps, levels, sources, record_count=n)


def _extra_lines(messages: list[str], traced: list[int], spanning: int) -> list[int]:
    """Lines beyond the first of every event, given ``spanning`` in all.

    Usually only the events with a stack trace span lines: when their
    counts add up to ``spanning`` no other message holds a line break, so
    the million others need no ``count`` call.
    """
    counts = [messages[i].count("\n") for i in traced]
    if sum(counts) != spanning:
        return list(map(str.count, messages, repeat("\n")))
    extra = [0] * len(messages)
    for i, count in zip(traced, counts, strict=True):
        extra[i] = count
    return extra


def _spread(column: Any, extra: list[int], out: Any) -> Any:
    """Repeat ``column[i]`` ``1 + extra[i]`` times; Python work only where extra > 0."""
    previous = 0
    for i in compress(range(len(extra)), extra):
        out.extend(column[previous : i + 1])
        out.extend(repeat(column[i], extra[i]))
        previous = i + 1
    out.extend(column[previous:])
    return out


def _column(events: Sequence[dict[str, Any]], key: str, default: Any) -> list[Any]:
    """One field of every event; ``itemgetter`` keeps the common case in C."""
    try:
        values = list(map(itemgetter(key), events))
    except (KeyError, TypeError):
        if default is not None:
            return [e.get(key, default) if isinstance(e, dict) else default for e in events]
        try:  # an optional key (stackTrace): missing is None, still in C
            return list(map(dict.get, events, repeat(key)))
        except TypeError:  # an event that is not an object
            return [e.get(key) if isinstance(e, dict) else None for e in events]
    if default is not None and None in values:
        values = [default if v is None else v for v in values]
    return values


def _codes(events: Sequence[dict[str, Any]], key: str, codes: _CodeMap) -> bytes:
    """``bytes(map(codes.__getitem__, _column(events, key, None)))``, without building
    the column list when every event is an object with the key (the usual case)."""
    try:
        return bytes(map(codes.__getitem__, map(itemgetter(key), events)))
    except (KeyError, TypeError):  # a missing key or a non-object event: the column decides
        return bytes(map(codes.__getitem__, _column(events, key, None)))


def _strip_leading_levels(buf: bytes) -> bytes:
    """Remove a redundant level word at the start of every line (see above).

    One pass (``_LEADING_LEVEL_ONE_PASS``) when its result has no line left that
    starts with ``WORD `` (then it equals :func:`_strip_leading_levels_in_steps`:
    the steps differ only where a strip leaves such a word behind, which they
    strip again); otherwise the steps themselves.
    """
    stripped = _LEADING_LEVEL_ONE_PASS.sub(b"\n", buf)
    if _LEADING_LEVEL_LEFT.search(stripped) is None:
        return stripped
    return _strip_leading_levels_in_steps(buf)


def _strip_leading_levels_in_steps(buf: bytes) -> bytes:
    """The reference strip: the rare forms by regex, then ``WORD + one blank`` word by word."""
    words = [w for w in _LEVEL_WORDS_B if b"\n" + w in buf]
    if not words:
        return buf
    buf = _LEADING_LEVEL_RARE.sub(b"\n", buf)
    for word in words:
        # ``replace`` is ``split`` + ``join`` (left to right, no rescan) in one
        # pass, without a bytes object per line.
        buf = buf.replace(b"\n" + word + b" ", b"\n")
    return buf


def _int_array(values: Iterable[Any]) -> array[int]:
    try:
        return array("q", values)
    except TypeError:  # floats or strings from a sloppy server
        return array("q", (_to_int(v) for v in values))


def _to_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


# -- legacy lines ----------------------------------------------------------------------


def index_from_log_lines(lines: Sequence[str]) -> LogIndex:
    """Index legacy ``logLines`` (ANSI-coloured source words, text headers)."""
    n = len(lines)
    if n == 0:
        return LogIndex()
    index = _index_last_era(lines)
    if index is not None:
        return index
    # No trailing "\n": every "\n" starts a line, so the split yields 4 items per line.
    raw = ("\n" + "\n".join(lines)).encode("utf-8", "replace")
    return _index_legacy_general(raw, n)


def _index_legacy_general(raw: bytes, n: int) -> LogIndex:
    """:func:`index_from_log_lines` of ``raw`` (``"\n"`` before every line) by the general header split."""
    parts, all_headed = _split_legacy_headed(raw)
    del raw
    stamps_text = parts[1::4]
    timestamps = array("q", map(_LegacyStampCache().__getitem__, stamps_text))
    sources = bytearray(map(_LEGACY_SOURCE_BYTES.__getitem__, parts[2::4]))
    if not stamps_text[0]:  # no header and no line above to inherit from
        sources[0] = Source.UNKNOWN
    levels = bytearray(map(_LEVEL_BYTES.__getitem__, parts[3::4]))
    messages = parts[4::4]
    del parts
    buf, offsets, longest = _message_buffer(messages)
    del messages
    _infer_legacy_levels(buf, levels)
    if not all_headed:
        _inherit_continuations(stamps_text, timestamps, levels, sources)
    return LogIndex.from_parts(buf, timestamps, levels, sources, record_count=n, offsets=offsets, longest=longest)


def _message_buffer(messages: list[bytes]) -> tuple[bytes, array[int] | None, int | None]:
    """The sanitised, ``\n``-terminated buffer of ``messages`` (tabs expanded), with
    its line starts and longest line when they follow from the messages' lengths."""
    messages.append(b"")  # the join then ends with "\n": no copy for a "+ b'\n'"
    joined = b"\n".join(messages)
    messages.pop()
    expanded = b"\t" in joined
    if expanded:  # the same as expanding each message: every "\n" restarts the column count
        joined = joined.expandtabs(TAB_SIZE)
    buf = sanitize_buffer(joined)
    if not expanded and len(buf) == len(joined):
        # Sanitising only deletes bytes (tabs are already expanded), so an unchanged
        # length means unchanged lines: the line starts follow from the messages'
        # lengths, without splitting the buffer again.
        offsets, longest = offsets_from_lengths(list(map(len, messages)))
        return buf, offsets, longest
    return buf, None, None


# The last legacy era's header as one group (``_LEGACY_HEAD_2024_PLAIN`` with its three
# groups merged): the same matches, so the same split positions, with two items per line
# instead of four. Each distinct header (a few hundred per 100,000 lines: one per second
# and source and level) is then cut into its fields by ``_LAST_ERA_FIELDS``, whose groups
# are ``_LEGACY_HEAD_2024_PLAIN``'s (same sub-patterns, greedy runs ending at the same
# bytes), and checked as ``_plain_split_is_exact`` checks them.
_LAST_ERA_HEADER = re.compile(rb"\n([^\n]{19} \x1b\[[0-9;]*m[a-z-]+\x1b\[[0-9;]*m > [A-Z]+)[ \t]+")
_LAST_ERA_FIELDS = re.compile(rb"([^\n]{19}) \x1b\[[0-9;]*m([a-z-]+)\x1b\[[0-9;]*m > ([A-Z]+)")


def _index_last_era(lines: Sequence[str]) -> LogIndex | None:
    """:func:`index_from_log_lines` when every line has a full last-era header, else ``None``.

    Equal to the general path in that case: the split is ``_split_legacy_headed``'s
    (see ``_LAST_ERA_HEADER``), there are no continuation lines to inherit and no
    line without a level word. Two differences in how, none in what:

    * the lines are joined with ``"\n\n"`` (and the text ends with ``"\n"``), so a
      header match takes the second ``"\n"`` of each pair and every message piece
      keeps its own line break: the pieces joined are the buffer, and their
      lengths are the line starts' steps (no ``+ 1`` per line, no second join);
    * columns come from a dict per distinct header instead of three per-line lists
      (stamps, sources, levels) and their sets.
    """
    first = lines[0]  # a cheap look at one line before joining them all
    if not (isinstance(first, str) and _LAST_ERA_HEADER.match(("\n" + first[:256]).encode("utf-8", "replace"))):
        return None
    n = len(lines)
    try:
        raw = "\n\n".join(chain(("",), lines)).encode("utf-8", "replace") + b"\n"
    except TypeError:  # a line that is not a string: the general path decides
        return None
    # Structure alone puts 2n + 1 "\n"s in ``raw``: any more means a line holds a "\n".
    # Without one, a header can only follow the second "\n" of a pair (its first is
    # followed by "\n", which ``[^\n]{19}`` refuses), so n matches = a header at every line.
    if raw.count(b"\n") != 2 * n + 1:
        return None
    parts = _LAST_ERA_HEADER.split(raw)
    del raw
    if len(parts) != 2 * n + 1:
        return None
    headers = parts[1::2]
    stamp_ms: dict[bytes, int] = {}
    source_of: dict[bytes, int] = {}
    level_of: dict[bytes, int] = {}
    stamps = _LegacyStampCache()
    for header in set(headers):
        fields = _LAST_ERA_FIELDS.fullmatch(header)
        if fields is None:  # cannot happen (same sub-patterns), but never guess
            return None
        stamp, source, level = fields.groups()
        if source not in _SOURCE_WORDS_B or level not in _LEVEL_WORDS_SET or not _STAMP_ONLY.fullmatch(stamp):
            return None
        stamp_ms[header] = stamps[stamp]
        source_of[header] = _LEGACY_SOURCE_BYTES[source]
        level_of[header] = _LEVEL_BYTES[level]
    timestamps = array("q", map(stamp_ms.__getitem__, headers))
    sources = bytearray(map(source_of.__getitem__, headers))
    levels = bytearray(map(level_of.__getitem__, headers))
    del headers
    messages = parts[2::2]  # each ends with its "\n"
    del parts
    joined = b"".join(messages)
    expanded = b"\t" in joined
    if expanded:  # the same as expanding each message: every "\n" restarts the column count
        joined = joined.expandtabs(TAB_SIZE)
    buf = sanitize_buffer(joined)
    offsets: array[int] | None = None
    longest: int | None = None
    if not expanded and len(buf) == len(joined):  # unchanged lines (see _message_buffer)
        lengths = list(map(len, messages))
        offsets = array("q", accumulate(lengths, initial=0))
        longest = max(lengths) - 1
    del joined, messages
    return LogIndex.from_parts(buf, timestamps, levels, sources, record_count=n, offsets=offsets, longest=longest)


def _infer_legacy_levels(buf: bytes, levels: bytearray) -> None:
    """Lines without a level word: ``ERROR``/``WARN`` tokens set their level
    (ERROR wins). Only matching lines cost Python work."""
    if levels.count(Level.UNKNOWN) == 0:
        return
    matches = list(_LEGACY_TOKEN.finditer(buf))
    if not matches:
        return
    unknown = levels.translate(_UNKNOWN_TABLE)
    starts = [m.start() for m in matches]
    for line, match in zip(lines_of_offsets(buf, starts), matches, strict=True):
        if unknown[line]:
            level = Level.ERROR if match.group(1) == b"ERROR" else Level.WARN
            if levels[line] == Level.UNKNOWN or level > levels[line]:
                levels[line] = level


_UNKNOWN_TABLE = bytes(1 if code == Level.UNKNOWN else 0 for code in range(256))


def _inherit_continuations(stamps_text: Sequence[bytes], timestamps: array[int], levels: bytearray, sources: bytearray) -> None:
    """A line without a header (e.g. a stack-trace line) belongs to the line above."""
    for i in compress(range(len(stamps_text)), map(not_, stamps_text)):  # C iterators: no per-line Python
        if i == 0:
            continue
        timestamps[i] = timestamps[i - 1]
        sources[i] = sources[i - 1]
        if levels[i] == Level.UNKNOWN:
            levels[i] = levels[i - 1]


# -- full text ---------------------------------------------------------------------------


def iter_formatted_lines(index: LogIndex, show_timestamps: bool = True) -> Iterable[str]:
    """Formatted, sanitised lines (no trailing newline) for export."""
    return map(index.formatted, range(len(index)), repeat(show_timestamps))


def format_full_text(index: LogIndex, show_timestamps: bool = True) -> str:
    """The whole log as text: what save-to-file, ``$PAGER`` and ``airsync logs`` print.

    One ``prefix message`` line per log line, ending with a newline. The
    text is already sanitised, so it is safe to print to a terminal, and the
    credentials this process holds are redacted.
    """
    if not len(index):
        return ""
    text = "\n".join(iter_formatted_lines(index, show_timestamps)) + "\n"
    for secret in known_secrets():  # a credential of ours echoed by the server is not written out
        text = text.replace(secret, "•••")
    return text


# Re-exported for callers that only import parse.
format_timestamp = format_timestamp
