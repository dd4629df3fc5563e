"""Headless attempt-log engine: sanitise, parse, index, search, filter.

Nothing here imports Textual, so the CLI (``airsync logs``) and the TUI share
one implementation.

Names load on first use (PEP 562 ``__getattr__``): importing one light
submodule (the UI's formatting needs only ``sanitize``) must not pull the
whole engine (parser, index, feeds) into the dashboard's start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airsync_tui.logs.feed import (
        AttemptLogFeed,
        ProgressiveLogFeed,
        StaticAttempt,
        StaticLogFeed,
        default_attempt_label,
        supports_progressive,
    )
    from airsync_tui.logs.index import (
        LEVEL_LABELS,
        SOURCE_LABELS,
        Level,
        LogIndex,
        SearchError,
        Source,
        compile_highlighter,
        format_timestamp,
    )
    from airsync_tui.logs.parse import (
        AttemptLog,
        append_attempt_json,
        format_full_text,
        index_from_events,
        index_from_log_lines,
        index_from_logs,
        iter_formatted_lines,
        parse_attempt,
        parse_attempt_json,
    )
    from airsync_tui.logs.sanitize import sanitize_buffer, sanitize_text, strip_ansi

_LAZY: dict[str, str] = {
    "AttemptLogFeed": "airsync_tui.logs.feed",
    "ProgressiveLogFeed": "airsync_tui.logs.feed",
    "StaticAttempt": "airsync_tui.logs.feed",
    "StaticLogFeed": "airsync_tui.logs.feed",
    "default_attempt_label": "airsync_tui.logs.feed",
    "supports_progressive": "airsync_tui.logs.feed",
    "LEVEL_LABELS": "airsync_tui.logs.index",
    "SOURCE_LABELS": "airsync_tui.logs.index",
    "Level": "airsync_tui.logs.index",
    "LogIndex": "airsync_tui.logs.index",
    "SearchError": "airsync_tui.logs.index",
    "Source": "airsync_tui.logs.index",
    "compile_highlighter": "airsync_tui.logs.index",
    "format_timestamp": "airsync_tui.logs.index",
    "AttemptLog": "airsync_tui.logs.parse",
    "append_attempt_json": "airsync_tui.logs.parse",
    "format_full_text": "airsync_tui.logs.parse",
    "index_from_events": "airsync_tui.logs.parse",
    "index_from_log_lines": "airsync_tui.logs.parse",
    "index_from_logs": "airsync_tui.logs.parse",
    "iter_formatted_lines": "airsync_tui.logs.parse",
    "parse_attempt": "airsync_tui.logs.parse",
    "parse_attempt_json": "airsync_tui.logs.parse",
    "sanitize_buffer": "airsync_tui.logs.sanitize",
    "sanitize_text": "airsync_tui.logs.sanitize",
    "strip_ansi": "airsync_tui.logs.sanitize",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "LEVEL_LABELS",
    "SOURCE_LABELS",
    "AttemptLog",
    "AttemptLogFeed",
    "Level",
    "LogIndex",
    "ProgressiveLogFeed",
    "SearchError",
    "Source",
    "StaticAttempt",
    "StaticLogFeed",
    "append_attempt_json",
    "compile_highlighter",
    "default_attempt_label",
    "format_full_text",
    "format_timestamp",
    "index_from_events",
    "index_from_log_lines",
    "index_from_logs",
    "iter_formatted_lines",
    "parse_attempt",
    "parse_attempt_json",
    "sanitize_buffer",
    "sanitize_text",
    "strip_ansi",
    "supports_progressive",
]
