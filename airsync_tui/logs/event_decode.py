"""Decode a chunk of structured ``LogEvent`` objects with msgspec, or say it cannot.

Why: a 1,000,000-event attempt log is ~150 MB of JSON. ``orjson.loads`` turns
each event into a dict (five string keys, five values, a hash table), and
building and freeing those dicts was most of the full index time. msgspec
decodes straight into ``gc=False`` structs that hold only the fields the
index reads, returns the one interned string of a ``Literal`` for ``level``
and ``logSource`` (no per-event string), and reads attributes faster than
dict lookups.

Same result always: :func:`decode_events` returns ``None`` (the caller then
uses orjson, exactly as before) unless msgspec decoded every value of the
chunk into the types below. The types are chosen so that anything msgspec
accepts here, orjson accepts too and yields the same values:

* ``forbid_unknown_fields``: msgspec skips unknown fields without checking
  their values (a number too big for a double, ``1e400``, which orjson
  rejects; invalid UTF-8 in a skipped string), so any unknown field falls
  back. Airbyte's ``LogEvent`` has exactly these fields (config API
  ``LogEvent``/``LogCaller``), and ``caller`` is decoded, not skipped;
* integers are bounded to int64: orjson turns a bigger integer into a float
  or a uint64 that the timestamp column handles differently;
* ``level``/``logSource`` are the words :mod:`airsync_tui.logs.parse` knows;
  any other word (it would map to "unknown") falls back;
* a float, a non-string message, a non-object event: a ``ValidationError``,
  so orjson decides. Strings are UTF-8 checked and escapes (also lone
  surrogates, which both reject) decoded the same way by both.

Duplicate keys keep the last value in both decoders. ``gc=False`` is safe: the
structs hold only strings, ints, ``None`` and another such struct, so they
can never be part of a reference cycle.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

__all__ = ["LogEventStruct", "decode_events", "is_event_structs"]

_Int64 = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]

# The level and source words of parse._LEVEL_CODES / parse._SOURCE_CODES
# (checked by tests/unit/test_logs_event_decode.py).
_LevelWord = Literal[
    "trace",
    "debug",
    "info",
    "warn",
    "warning",
    "error",
    "fatal",
    "TRACE",
    "DEBUG",
    "INFO",
    "WARN",
    "WARNING",
    "ERROR",
    "FATAL",
]
_SourceWord = Literal["source", "destination", "platform", "replication-orchestrator"]


class LogCallerStruct(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """``LogCaller``: decoded (not skipped) only so that its values are checked; the index does not read it."""

    className: str | None = None  # noqa: N815 - the JSON key
    methodName: str | None = None  # noqa: N815
    lineNumber: _Int64 | None = None  # noqa: N815
    threadName: str | None = None  # noqa: N815


class LogEventStruct(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """One structured ``LogEvent``; a missing field reads as the dict path's default."""

    timestamp: _Int64 | None = 0
    level: _LevelWord | None = None
    logSource: _SourceWord | None = None  # noqa: N815 - the JSON key
    #: Not ``| None``: a null message (Airbyte omits nulls) falls back, so the columns need no ``None`` pass.
    message: str = ""
    stackTrace: str | None = None  # noqa: N815
    caller: LogCallerStruct | None = None


_DECODER = msgspec.json.Decoder(list[LogEventStruct])


def decode_events(array_json: bytes) -> list[LogEventStruct] | None:
    """The events of ``array_json`` (a whole JSON array), or ``None`` when orjson must decide."""
    try:
        return _DECODER.decode(array_json)
    except msgspec.DecodeError:  # also ValidationError (a subclass)
        return None


def is_event_structs(events: object) -> bool:
    """Whether ``events`` is a non-empty list that :func:`decode_events` made."""
    return isinstance(events, list) and bool(events) and type(events[0]) is LogEventStruct
