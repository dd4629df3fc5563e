"""`airsync query CONNECTION [STREAM] [--sql SQL] [--limit N] [--json|--csv]`: read the synced rows.

* no STREAM, no --sql: one line per stream (table, row count, newest `_airbyte_extracted_at`);
* STREAM: the stream's latest rows (newest `_airbyte_extracted_at` first);
* --sql: one read-only statement (SELECT-like only; refused otherwise, with the reason).

Every cell printed as a table is inert (control and escape sequences removed);
`--json` and `--csv` carry the values as data.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import sys
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from airsync_tui.cli.output import inert, print_table
from airsync_tui.errors import EXIT_OK, ConfigError
from airsync_tui.providers.airbyte.sql_limits import DEFAULT_LIMIT, MAX_LIMIT

# The SQL readers are imported when `query` runs: the parser that registers it
# is built for every command, `airsync --demo`'s first screen included.
if TYPE_CHECKING:
    from airsync_tui.service.data_access import QueryResult

CELL_WIDTH = 40


def add_query_parser(sub: Any, add_global_flags: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register the subcommand (called from `cli.main.build_parser`)."""
    p = sub.add_parser(
        "query",
        help="read the rows a connection synced: per-stream counts, latest rows, or a read-only SQL query",
        description="Read the destination of CONNECTION (DuckDB, MotherDuck, Postgres, Snowflake, BigQuery). "
        "Masked secrets come from SNOWFLAKE_PASSWORD, BIGQUERY_CREDENTIALS_PATH, POSTGRES_PASSWORD, MOTHERDUCK_API_KEY "
        "or [profiles.<name>.destinations.<type>] in the config file.",
    )
    add_global_flags(p)
    p.set_defaults(handler=cmd_query)
    p.add_argument("connection", help="connection id or name (unique substring)")
    p.add_argument("stream", nargs="?", help="stream name: show its latest rows")
    p.add_argument(
        "--sql",
        default=None,
        help="one read-only statement (SELECT / WITH … SELECT / DESCRIBE / SHOW)",
    )
    p.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        help=f"at most N rows (default {DEFAULT_LIMIT}, max {MAX_LIMIT})",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="S",
        help="cancel the query after S seconds (default 30)",
    )
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print rows as a JSON array of objects")
    fmt.add_argument("--csv", action="store_true", help="print rows as CSV with a header line")


async def cmd_query(args: argparse.Namespace) -> int:
    if args.limit < 1 or args.limit > MAX_LIMIT:
        raise ConfigError(f"--limit must be between 1 and {MAX_LIMIT}, not {args.limit}")
    if args.timeout <= 0:
        raise ConfigError("--timeout must be positive")
    demo = None
    if getattr(args, "demo", False):
        from airsync_tui.cli.demo import start_demo, take_prestarted

        # The launcher may have started it already (with the same readiness rule for `query`).
        demo = take_prestarted() or start_demo(ready_after_warehouse=True)
        await asyncio.to_thread(demo.wait_ready, 40.0)
    try:
        return await _query(args, demo.profile if demo is not None else None)
    finally:
        if demo is not None:
            demo.stop()


async def _query(args: argparse.Namespace, profile: Any) -> int:
    from airsync_tui.cli.commands import open_providers
    from airsync_tui.cli.resolve import resolve_connection
    from airsync_tui.service.data_access import (
        QueryHandle,
        can_read_data,
        open_sql_cache,
        run_query,
        stream_summary,
    )
    from airsync_tui.service.session import providers_for

    if profile is not None:
        providers = providers_for(profile, read_only=True, only="airbyte")
    else:
        providers = None
    async with _providers(args, providers, open_providers) as all_providers:
        able = [p for p in all_providers if can_read_data(p)]
        if not able:
            raise ConfigError(
                "no provider here can read a destination",
                hint="`airsync query` needs an Airbyte profile",
            )
        provider, connection = await resolve_connection(able, args.connection)
        cache = await open_sql_cache(provider, connection.id)
        try:
            if args.sql:
                result = await run_query(
                    cache,
                    args.sql,
                    limit=args.limit,
                    timeout_s=args.timeout,
                    handle=QueryHandle(),
                )
                _print_result(result, args)
            elif args.stream:
                summary = await stream_summary(cache, args.stream, latest=args.limit)
                if not summary.exists:
                    raise ConfigError(
                        f"table {summary.table} does not exist yet",
                        hint="has the stream synced at least once?",
                    )
                assert summary.latest is not None
                _print_result(summary.latest, args)
            else:
                await _print_streams(cache, args)
        finally:
            cache.dispose()
    return EXIT_OK


class _providers:
    """Providers from the demo profile, or the CLI's usual `open_providers(args)`."""

    def __init__(self, args: argparse.Namespace, given: list[Any] | None, opener: Any) -> None:
        self._args, self._given, self._opener = args, given, opener
        self._cm: contextlib.AbstractAsyncContextManager[list[Any]] | None = None

    async def __aenter__(self) -> list[Any]:
        if self._given is not None:
            return self._given
        self._cm = self._opener(self._args)
        assert self._cm is not None
        providers: list[Any] = await self._cm.__aenter__()
        return providers

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._cm is not None:
            await self._cm.__aexit__(exc_type, exc, tb)
        elif self._given is not None:
            for provider in self._given:
                await provider.aclose()


async def _print_streams(cache: Any, args: argparse.Namespace) -> None:
    from airsync_tui.service.data_access import stream_summaries

    rows: list[dict[str, Any]] = []
    for summary in await stream_summaries(cache, cache.stream_names, latest=0):
        stream = summary.stream
        rows.append(
            {
                "stream": stream,
                "table": summary.table,
                "syncMode": summary.sync_mode,
                "rows": summary.row_count,
                "newestExtractedAt": summary.newest_extracted_at.isoformat() if summary.newest_extracted_at else None,
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    if args.csv:
        _write_csv(
            ["stream", "table", "syncMode", "rows", "newestExtractedAt"],
            [list(r.values()) for r in rows],
        )
        return
    print_table(
        [
            [
                r["stream"],
                r["table"],
                r["syncMode"] or "",
                "-" if r["rows"] is None else f"{r['rows']:,}",
                r["newestExtractedAt"] or "(no table yet)",
            ]
            for r in rows
        ],
        ["STREAM", "TABLE", "SYNC MODE", "ROWS", "NEWEST _airbyte_extracted_at"],
    )


def _print_result(result: QueryResult, args: argparse.Namespace) -> None:
    from airsync_tui.service.data_access import format_rows

    if args.json:
        print(json.dumps(result.records(), indent=2, default=str))
    elif args.csv:
        _write_csv(list(result.columns), format_rows(result))
    else:
        cells = [[_short(c) for c in row] for row in format_rows(result)]
        print_table(cells, list(result.columns))
    if result.truncated:
        print(f"(first {result.limit} rows; raise --limit for more)", file=sys.stderr)


def _write_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    writer = csv.writer(sys.stdout)
    writer.writerow([inert(h) for h in headers])
    for row in rows:
        writer.writerow(["" if v is None else inert(v) for v in row])


def _short(value: str) -> str:
    return value if len(value) <= CELL_WIDTH else value[: CELL_WIDTH - 1] + "…"


__all__ = ["add_query_parser", "cmd_query"]
