"""The demo's warehouse: a DuckDB destination that really receives the rows jobs commit.

Why: the Data view and `airsync query` must show real rows in `airsync --demo`,
and a table's row count must agree with what the jobs reported as committed.
So when an attempt of a DuckDB-bound connection ends, the records it committed
(the same `stream_progress` numbers the API serves) are written to a DuckDB
file, honouring the stream's sync mode:

* `*_append`: new rows, ids continue;
* `full_refresh_overwrite`: the table is replaced by this attempt's rows;
* `*_deduped_history`: a third of the batch updates existing ids (upsert by
  primary key), the rest are new.

Rows carry plausible columns per stream plus Airbyte's `_airbyte_raw_id`,
`_airbyte_extracted_at` (spread over the attempt's run time),
`_airbyte_meta` and `_airbyte_generation_id`.

Writes go through one background thread: a reader (the dashboard, possibly in
another process) holds the DuckDB file only briefly, read-only, and a write
that meets its lock is retried instead of blocking the simulation.

The file's path reaches clients only through `GET /destinations/{id}`
(`configuration.destination_path`), never through in-process state.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import queue
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from airsync_tui.emulator.airbyte.catalog import (
    EVERY_30_MINUTES,
    ConnectionSpec,
    StreamSpec,
)
from airsync_tui.emulator.airbyte.model import Attempt, Job, stream_progress
from airsync_tui.emulator.http import json_response, not_found

if TYPE_CHECKING:
    from airsync_tui.emulator.airbyte.model import Connection
    from airsync_tui.emulator.airbyte.world import AirbyteWorld

log = logging.getLogger(__name__)

DUCKDB = "DuckDB"
DUCKDB_SCHEMA = "main"

#: Connections added to the demo workspace when a DuckDB path is given.
DUCKDB_CONNECTIONS: tuple[ConnectionSpec, ...] = (
    ConnectionSpec(
        "Billing (Postgres) → DuckDB (local)",
        "Postgres",
        DUCKDB,
        (
            StreamSpec(
                "charges",
                None,
                "incremental_append",
                ("created",),
                (("id",),),
                8_000,
                700,
                False,
            ),
            StreamSpec(
                "customers",
                None,
                "incremental_deduped_history",
                ("updated",),
                (("id",),),
                3_000,
                500,
                False,
            ),
            StreamSpec(
                "invoices",
                None,
                "incremental_append",
                ("created",),
                (("id",),),
                4_000,
                900,
                False,
            ),
            StreamSpec("plans", None, "full_refresh_overwrite", (), (("id",),), 40, 300, False),
        ),
        EVERY_30_MINUTES,
        emits_estimates=False,
        typical_duration_s=120,
        flakiness=0.1,
        prefix="billing_",
        tags=("finance",),
    ),
)

# Plausible data columns per stream: (name, DuckDB type, SQL expression over `i` and `id`).
_COLUMNS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "charges": (
        ("amount", "BIGINT", "100 + (id * 7919) % 50000"),
        ("currency", "VARCHAR", "CASE WHEN id % 5 = 0 THEN 'eur' ELSE 'usd' END"),
        (
            "status",
            "VARCHAR",
            "CASE WHEN id % 17 = 0 THEN 'failed' ELSE 'succeeded' END",
        ),
        (
            "customer_id",
            "VARCHAR",
            "'cus_' || lpad(CAST(id % 3000 AS VARCHAR), 6, '0')",
        ),
    ),
    "customers": (
        ("email", "VARCHAR", "'customer' || id || '@example.com'"),
        (
            "name",
            "VARCHAR",
            "['Ada', 'Grace', 'Linus', 'Barbara', 'Ken', 'Margaret'][1 + id % 6] || ' ' || id",
        ),
        (
            "country",
            "VARCHAR",
            "['US', 'DE', 'FR', 'GB', 'JP', 'BR'][1 + (id * 7) % 6]",
        ),
        ("balance", "BIGINT", "(id * 31 + i) % 10000 - 2000"),
    ),
    "invoices": (
        ("amount_due", "BIGINT", "500 + (id * 104729) % 90000"),
        ("status", "VARCHAR", "['paid', 'open', 'void', 'paid', 'paid'][1 + id % 5]"),
        (
            "customer_id",
            "VARCHAR",
            "'cus_' || lpad(CAST(id % 3000 AS VARCHAR), 6, '0')",
        ),
    ),
    "plans": (
        (
            "nickname",
            "VARCHAR",
            "['Starter', 'Team', 'Business', 'Enterprise'][1 + id % 4] || ' ' || id",
        ),
        ("amount", "BIGINT", "(1 + id % 4) * 1900"),
        ("interval", "VARCHAR", "CASE WHEN id % 3 = 0 THEN 'year' ELSE 'month' END"),
    ),
}
_DEFAULT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("name", "VARCHAR", "'item ' || id"),
    ("value", "DOUBLE", "round(((id * 37) % 1000) / 10.0, 1)"),
)


@dataclass(frozen=True)
class StreamBatch:
    """The rows one ended attempt committed for one stream."""

    table: str
    stream: str
    sync_mode: str
    cursor: str | None
    count: int
    start: float
    end: float
    job_id: int
    generation: int


def table_name(connection: Connection, stream: str) -> str:
    """`{prefix}{stream}`, lower-case: the DuckDB destination's naming."""
    return f"{connection.prefix or ''}{stream}".lower()


def destination_body(connection: Connection, duckdb_path: str | None) -> dict[str, Any]:
    """`DestinationResponse` for a connection's destination, secrets masked as the real API does."""
    kind = connection.destination_name
    slug = connection.connection_id.split("-")[0]
    configs: dict[str, dict[str, Any]] = {
        DUCKDB: {
            "destination_path": duckdb_path or "/local/airbyte.duckdb",
            "schema": DUCKDB_SCHEMA,
        },
        "Snowflake": {
            "host": "acme-xy12345.snowflakecomputing.com",
            "role": "AIRBYTE_ROLE",
            "warehouse": "AIRBYTE_WAREHOUSE",
            "database": "ANALYTICS",
            "schema": "AIRBYTE",
            "username": "AIRBYTE_USER",
            "credentials": {
                "auth_type": "Username and Password",
                "password": "**********",
            },
        },
        "BigQuery": {
            "project_id": "acme-analytics",
            "dataset_id": "airbyte",
            "dataset_location": "US",
            "credentials_json": "**********",
            "loading_method": {"method": "Standard"},
        },
        "Postgres": {
            "host": "warehouse.internal",
            "port": 5432,
            "database": "analytics",
            "schema": "public",
            "username": "airbyte",
            "password": "**********",
            "ssl_mode": {"mode": "require"},
        },
        "Redshift": {
            "host": "acme.redshift.amazonaws.com",
            "port": 5439,
            "database": "dev",
            "schema": "public",
            "username": "airbyte",
            "password": "**********",
        },
    }
    configuration = dict(configs.get(kind, {"note": f"{kind} destination"}))
    destination_type = kind.lower().replace(" ", "-")
    configuration["destinationType"] = destination_type
    return {
        "destinationId": connection.destination_id,
        "name": f"{kind} ({slug})" if kind != DUCKDB else "Local DuckDB",
        "destinationType": destination_type,
        "definitionId": "94bd199c-2ff0-4aa2-b98e-17f0acb72610" if kind == DUCKDB else "00000000-0000-4000-8000-0000000000d0",
        "workspaceId": connection.workspace_id,
        "configuration": configuration,
        "createdAt": connection.created_at,
    }


#: Seconds the writer thread waits before importing DuckDB and writing the
#: history's backlog. 0 here; `airsync --demo`'s emulator child sets it so this
#: work (about 0.7 s of CPU) does not compete with the dashboard's first
#: screen on a small machine. Commands that need the rows at once
#: (`--ready-after-warehouse`) keep 0.
WRITER_START_DELAY = 0.0
#: Niceness added to the writer thread (and the DuckDB threads it starts),
#: set with the delay: on a busy machine the backfill yields to the dashboard.
WRITER_NICENESS = 0


class DemoWarehouse:
    """Owns the DuckDB file and the writer thread (see the module docstring)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._start_delay = WRITER_START_DELAY
        self._niceness = WRITER_NICENESS
        self._queue: queue.Queue[StreamBatch | None] = queue.Queue()
        self._pending = 0
        self._idle = threading.Condition()
        #: Set when a client asks for the destination: the writer stops waiting out its start delay.
        self._wake = threading.Event()
        self.generations: dict[str, int] = {}
        self.writes = 0
        self._thread = threading.Thread(target=self._run, name="demo-warehouse-writer", daemon=True)
        self._thread.start()

    # -- called by the world (under its lock): cheap, never blocks on the database

    def attempt_ended(self, job: Job, attempt: Attempt) -> None:
        connection = job.connection
        if connection.destination_name != DUCKDB or attempt.ended_at is None:
            return
        generation = self.generations.get(connection.connection_id, 0)
        if job.job_type in ("clear", "reset", "refresh"):
            self.generations[connection.connection_id] = generation + 1
            if job.job_type != "refresh":
                for spec in connection.streams:
                    self._put(
                        StreamBatch(
                            table_name(connection, spec.name),
                            spec.name,
                            "clear",
                            None,
                            0,
                            attempt.plan.start,
                            attempt.ended_at,
                            job.job_id,
                            generation + 1,
                        )
                    )
            return
        for spec, progress in zip(connection.streams, stream_progress(job, attempt, attempt.ended_at), strict=True):
            if progress.records_committed <= 0:
                continue
            self._put(
                StreamBatch(
                    table_name(connection, spec.name),
                    spec.name,
                    spec.sync_mode,
                    spec.cursor_field[0] if spec.cursor_field else None,
                    progress.records_committed,
                    attempt.plan.start,
                    attempt.ended_at,
                    job.job_id,
                    generation,
                )
            )

    def _put(self, batch: StreamBatch) -> None:
        with self._idle:
            self._pending += 1
        self._queue.put(batch)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every queued batch is written (tests, `airsync query --demo`)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def flush(self, timeout: float = 15.0) -> bool:
        """Write everything queued now (skipping the start delay) and wait for it.

        Called when a client first asks for the DuckDB destination: the Data
        view opened in the demo's first seconds must find the rows the jobs
        already reported as committed, not tables that do not exist yet
        (which read as "never synced").
        """
        self._wake.set()
        return self.wait_idle(timeout)

    def stop(self) -> None:
        self._wake.set()
        self._queue.put(None)

    # -- the writer thread

    def _run(self) -> None:
        if self._niceness > 0 and hasattr(os, "setpriority"):
            with contextlib.suppress(OSError):  # Linux: per thread; threads it starts inherit it
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), os.getpriority(os.PRIO_PROCESS, 0) + self._niceness)
        if self._start_delay > 0:
            self._wake.wait(self._start_delay)
        import duckdb

        while True:
            batch = self._queue.get()
            if batch is None:
                return
            # What is already queued goes through the same connection: opening and closing the
            # file costs ~30 ms of CPU, the write itself a few (the backfill's 24 batches: 0.9 s → 0.3 s of CPU).
            batches, stop = [batch], False
            while len(batches) < WRITE_GROUP and not stop:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                else:
                    batches.append(more)
            done, delay = 0, 0.05
            while done < len(batches):
                try:
                    with duckdb.connect(self.path) as conn:
                        while done < len(batches):
                            _write(conn, batches[done])
                            done += 1
                            self._written()
                except duckdb.IOException:
                    # A reader holds the file (another process): wait and retry; never drop committed rows.
                    threading.Event().wait(delay)
                    delay = min(delay * 2, 1.0)
                except duckdb.ConnectionException:
                    # Same process, read-only connection open: same remedy.
                    threading.Event().wait(delay)
                    delay = min(delay * 2, 1.0)
                except Exception:
                    log.exception("demo warehouse: write failed for %s", batches[done].table)
                    done += 1
                    self._written()
            if stop:
                return

    def _written(self) -> None:
        """One batch is done (written, or given up on after an unexpected error)."""
        self.writes += 1
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()


#: At most this many queued batches share one connection, so a reader waiting for the file
#: (the Data view, `airsync query`) waits for a handful of writes, not a whole backlog.
WRITE_GROUP = 8


def _columns(stream: str) -> tuple[tuple[str, str, str], ...]:
    return _COLUMNS.get(stream, _DEFAULT_COLUMNS)


def _write(conn: Any, batch: StreamBatch) -> None:
    table = f'"{DUCKDB_SCHEMA}"."{batch.table}"'
    data = _columns(batch.stream)
    cursor_col = [(batch.cursor, "TIMESTAMPTZ")] if batch.cursor and batch.cursor not in {c[0] for c in data} else []
    ddl_cols = ", ".join(
        [
            '"_airbyte_raw_id" VARCHAR',
            '"_airbyte_extracted_at" TIMESTAMPTZ',
            '"_airbyte_meta" JSON',
            '"_airbyte_generation_id" BIGINT',
            '"id" BIGINT',
        ]
        + [f'"{name}" {kind}' for name, kind, _ in data]
        + [f'"{name}" {kind}' for name, kind in cursor_col]
    )
    conn.execute(f"CREATE TABLE IF NOT EXISTS {table} ({ddl_cols})")
    if batch.sync_mode == "clear":
        conn.execute(f"DELETE FROM {table}")
        return
    n = batch.count
    span = max(batch.end - batch.start, 1e-3)
    existing_max = int(conn.execute(f'SELECT coalesce(max("id"), 0) FROM {table}').fetchone()[0])
    first_id = existing_max + 1
    conn.execute("BEGIN TRANSACTION")
    if batch.sync_mode.startswith("full_refresh") and "overwrite" in batch.sync_mode:
        conn.execute(f"DELETE FROM {table}")
        first_id = 1
    elif "dedup" in batch.sync_mode:
        updates = min(existing_max, n // 3)
        first_id = existing_max - updates + 1
        conn.execute(
            f'DELETE FROM {table} WHERE "id" >= ? AND "id" < ?',
            [first_id, first_id + n],
        )
    meta = json.dumps({"changes": [], "sync_id": batch.job_id})
    expressions = ", ".join(
        ["uuid()::VARCHAR", "to_timestamp(? + (i + 1) * ? / ?)", "?::JSON", "?", "id"]
        + [expr for _, _, expr in data]
        + ["to_timestamp(? + (i + 1) * ? / ?) - INTERVAL 1 MINUTE" for _ in cursor_col]
    )
    params: list[Any] = [batch.start, span, n, meta, batch.generation] + [
        batch.start,
        span,
        n,
    ] * len(cursor_col)
    conn.execute(
        f"INSERT INTO {table} SELECT {expressions} FROM (SELECT i, i + ? AS id FROM range(?) t(i))",
        params + [first_id, n],
    )
    conn.execute("COMMIT")


def attach_warehouse(duckdb_path: str | None) -> DemoWarehouse | None:
    """A warehouse when the emulator was given a DuckDB path (the demo), else None."""
    return DemoWarehouse(duckdb_path) if duckdb_path else None


def extra_demo_specs(warehouse: DemoWarehouse | None) -> list[ConnectionSpec]:
    return list(DUCKDB_CONNECTIONS) if warehouse is not None else []


#: Tests point a demo destination at a real server: {id(world): {destinationId: configuration}}.
#: Kept outside the world object so world.py needs no new attribute for it.
DESTINATION_OVERRIDES: dict[int, dict[str, dict[str, Any]]] = {}


def override_destination(world: AirbyteWorld, destination_id: str, configuration: dict[str, Any]) -> None:
    """Serve `configuration` for this destination (e.g. a test's real Postgres), secrets masked by the caller."""
    DESTINATION_OVERRIDES.setdefault(id(world), {})[destination_id] = configuration


def build_destination_routes(world: AirbyteWorld) -> list[Route]:
    """Public `GET /destinations/{destinationId}` for every connection's destination."""

    async def get_destination(request: Request) -> Response:
        destination_id = request.path_params["destination_id"]
        with world.lock:
            connection = next(
                (c for c in world.connections if c.destination_id == destination_id and c.status != "deprecated"),
                None,
            )
            if connection is None:
                return not_found("destination", destination_id)
            warehouse = getattr(world, "warehouse", None)
            body = destination_body(connection, warehouse.path if warehouse is not None else None)
            wants_rows = warehouse is not None and connection.destination_name == DUCKDB
            override = DESTINATION_OVERRIDES.get(id(world), {}).get(destination_id)
            if override is not None:
                body["configuration"] = {
                    **override,
                    "destinationType": body["destinationType"],
                }
        if wants_rows and warehouse is not None:
            # The reader comes next: the committed rows must be in the file (outside the world's lock).
            await asyncio.to_thread(warehouse.flush)
        return json_response(body)

    return [Route("/destinations/{destination_id}", get_destination, methods=["GET"])]


__all__ = [
    "DUCKDB",
    "DUCKDB_CONNECTIONS",
    "DemoWarehouse",
    "attach_warehouse",
    "build_destination_routes",
    "destination_body",
    "extra_demo_specs",
    "override_destination",
    "table_name",
]
