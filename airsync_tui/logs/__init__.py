"""Headless attempt-log engine: sanitise, parse, index, search, filter.

Nothing here imports Textual, so the CLI (``airsync logs``) and the TUI share
one implementation.
"""

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

__all__ = [
    "AttemptLog",
    "AttemptLogFeed",
    "LEVEL_LABELS",
    "Level",
    "LogIndex",
    "ProgressiveLogFeed",
    "SOURCE_LABELS",
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
