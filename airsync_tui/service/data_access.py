"""Did the rows land? The service face of destination SQL access, for the Data view and the CLI.

Providers that can read their destination expose `async sql_cache(connection_id)`
(a capability found by duck typing, so nothing above this layer names a
provider). Database calls are blocking DB-API calls: they run in a thread
(`asyncio.to_thread`), so the UI's event loop and the CLI's loop stay free and
a `QueryHandle` can cancel them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any, Protocol, runtime_checkable

from airsync_tui.errors import UnsupportedError
from airsync_tui.models.domain import Job
from airsync_tui.providers.airbyte.sql_access import (
    DEFAULT_LIMIT,
    DEFAULT_TIMEOUT_S,
    MAX_LIMIT,
    QueryHandle,
    QueryResult,
    SqlCache,
    StreamSummary,
    format_rows,
)


@runtime_checkable
class SqlReadable(Protocol):
    async def sql_cache(self, connection_id: str) -> SqlCache: ...


def can_read_data(provider: object) -> bool:
    """True when the provider can open its destination for reading."""
    return isinstance(provider, SqlReadable)


async def open_sql_cache(provider: object, connection_id: str) -> SqlCache:
    if not isinstance(provider, SqlReadable):
        name = getattr(provider, "display_name", "this provider")
        raise UnsupportedError(
            f"{name} does not expose its destination's data",
            hint="the Data view needs an Airbyte connection",
        )
    return await provider.sql_cache(connection_id)


def job_window(job: Job | None, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime] | None:
    """[created, ended or now]: rows with `_airbyte_extracted_at` inside were extracted by this job.

    API times have one-second precision (ISO without fractions), so the window is
    widened by a second on each side; jobs of one connection never overlap.
    """
    if job is None or job.created_at is None:
        return None
    end = job.ended_at or now or dt.datetime.now(dt.UTC)
    slack = dt.timedelta(seconds=1)
    return job.created_at - slack, end + slack


async def stream_summary(cache: SqlCache, stream: str, job: Job | None = None, *, latest: int = 10) -> StreamSummary:
    return await asyncio.to_thread(cache.summary, stream, window=job_window(job), latest=latest)


async def stream_summaries(cache: SqlCache, streams: list[str], job: Job | None = None, *, latest: int = 10) -> list[StreamSummary]:
    """Every stream's summary over one database connection (one thread hop)."""
    return await asyncio.to_thread(cache.summaries, streams, window=job_window(job), latest=latest)


async def run_query(
    cache: SqlCache,
    sql: str,
    *,
    limit: int = DEFAULT_LIMIT,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    handle: QueryHandle | None = None,
) -> QueryResult:
    """Guarded, limited, cancelable (through `handle`) query in a thread."""
    handle = handle or QueryHandle()
    try:
        return await asyncio.to_thread(cache.run_sql_query, sql, limit=limit, timeout_s=timeout_s, handle=handle)
    except asyncio.CancelledError:
        handle.cancel()
        raise


def rows_added_text(summary: StreamSummary) -> str:
    """What "rows added by this job" can honestly say for the stream's sync mode."""
    if summary.rows_in_job_window is None:
        return "cannot tell (no _airbyte_extracted_at)"
    mode = summary.sync_mode or ""
    if "overwrite" in mode:
        return f"{summary.rows_in_job_window:,} (whole table: overwrite)"
    if "dedup" in mode:
        return f"{summary.rows_in_job_window:,} upserted (dedup by key)"
    if "append" in mode:
        return f"{summary.rows_in_job_window:,} appended"
    return f"{summary.rows_in_job_window:,}"


def summary_json(summary: StreamSummary) -> dict[str, Any]:
    return {
        "stream": summary.stream,
        "table": summary.table,
        "exists": summary.exists,
        "rowCount": summary.row_count,
        "columns": [{"name": c.name, "type": c.type} for c in summary.columns],
        "newestExtractedAt": summary.newest_extracted_at.isoformat() if summary.newest_extracted_at else None,
        "rowsInJobWindow": summary.rows_in_job_window,
        "syncMode": summary.sync_mode,
    }


__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "QueryHandle",
    "QueryResult",
    "SqlCache",
    "SqlReadable",
    "StreamSummary",
    "can_read_data",
    "format_rows",
    "job_window",
    "open_sql_cache",
    "rows_added_text",
    "run_query",
    "stream_summaries",
    "stream_summary",
    "summary_json",
]
