"""What two log indexes must agree on to be "the same index" (the equivalence tests' one yardstick)."""

from __future__ import annotations

from airsync_tui.logs.index import LogIndex


def index_columns(index: LogIndex) -> tuple[object, ...]:
    """Every column an index holds: text buffer, line offsets, timestamps, levels, sources and counts."""
    return (
        bytes(index._buf),  # noqa: SLF001
        list(index._offsets),  # noqa: SLF001
        list(index._timestamps),  # noqa: SLF001
        bytes(index._levels),  # noqa: SLF001
        bytes(index._sources),  # noqa: SLF001
        index.record_count,
        index.max_line_bytes,
    )
