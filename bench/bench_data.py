"""Benchmark: how long "did the rows land?" takes on a DuckDB destination the emulator filled.

Builds the demo world with its DuckDB destination (history jobs write their
committed rows), then times, over `--repeat` runs each:

* the emulator's writer: history rows written and the wall time to write them;
* `SqlCache.summaries()` for every stream (what the Data view loads: columns,
  count, freshness, job-window count, 20 latest rows) over one connection;
* `SqlCache.run_sql_query()` for an aggregate, including the sqlglot guard;
* the guard alone (`check_read_only`).

    python bench/bench_data.py --repeat 20
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from airsync_tui.emulator.airbyte import serialize
from airsync_tui.emulator.airbyte.warehouse import DUCKDB, destination_body
from airsync_tui.emulator.airbyte.world import AirbyteWorld
from airsync_tui.emulator.clock import VirtualClock
from airsync_tui.providers.airbyte.destination_sql import SecretSource
from airsync_tui.providers.airbyte.sql_access import build_sql_cache, check_read_only


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"median {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms (n={len(ordered)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="airsync-bench-data-") as tmp:
        path = str(Path(tmp) / "demo.duckdb")
        started = time.perf_counter()
        world = AirbyteWorld(VirtualClock(1.0), seed=7, big_log_lines=0, duckdb_path=path)
        assert world.warehouse is not None and world.warehouse.wait_idle(60)
        written = time.perf_counter() - started
        connection = next(c for c in world.connections if c.destination_name == DUCKDB)
        cache = build_sql_cache(
            serialize.public_connection(world, connection),
            destination_body(connection, path),
            SecretSource(env={}),
        )
        totals = {s.stream: s.row_count for s in cache.summaries(cache.stream_names)}
        print(f"writer: {world.warehouse.writes} batches, {sum(v or 0 for v in totals.values()):,} rows in {written * 1000:.0f} ms")
        summary_times, query_times, guard_times = [], [], []
        sql = "SELECT status, count(*) AS n, sum(amount) FROM billing_charges GROUP BY status"
        for _ in range(args.repeat):
            t = time.perf_counter()
            cache.summaries(cache.stream_names, latest=20)
            summary_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            cache.run_sql_query(sql)
            query_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            check_read_only(sql, "duckdb")
            guard_times.append(time.perf_counter() - t)
        print(f"summaries of {len(cache.stream_names)} streams: {_ms(summary_times)}")
        print(f"guarded aggregate query:  {_ms(query_times)}")
        print(f"sqlglot guard alone:      {_ms(guard_times)}")
        cache.dispose()
        world.warehouse.stop()


if __name__ == "__main__":
    main()
