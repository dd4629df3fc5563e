"""Read-only SQL access to a connection's destination: engine, tables, datasets, guarded queries.

`SqlCache` is airsync's small stand-in for PyAirbyte's `CacheBase`: not a
cache that syncs write into, but a read-only handle on the warehouse the
connection writes to. It answers the same questions (`get_sql_engine()`,
`get_sql_table_name()`, `get_sql_table()`, `get_dataset()`, `streams`,
`database_name`, `schema_name`) and adds what the Data view needs (a stream's
row count, columns, freshness and latest rows) and a guarded query runner.

Read-only by construction, in two layers:

* the engine is opened read-only where the driver allows it (DuckDB
  `read_only=True`; Postgres `default_transaction_read_only=on` and a
  `statement_timeout`); Snowflake and BigQuery have no session read-only
  switch, so there the second layer is the guard;
* every statement typed by a person is parsed with `sqlglot` in the
  destination's dialect and refused unless it is one SELECT-like statement
  (SELECT / UNION / WITH … SELECT / VALUES / DESCRIBE / SHOW), with no DML,
  DDL or `SELECT … INTO` anywhere inside.

Queries run on the caller's thread (the CLI and the UI call them from a
worker); a timer cancels them at the timeout through the driver's own cancel
(`interrupt()` for DuckDB, `cancel()` for psycopg / Snowflake), and `cancel()`
does the same on demand. At most `limit` rows are fetched.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import decimal
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from airsync_tui.errors import AirsyncError, ConfigError
from airsync_tui.providers.airbyte.destination_sql import (
    Destination,
    SecretSource,
    SqlTarget,
    StreamTable,
    require_driver,
    sql_target,
    stream_tables,
)
from airsync_tui.providers.airbyte.sql_limits import DEFAULT_LIMIT, MAX_LIMIT  # defined apart for the CLI parser

DEFAULT_TIMEOUT_S = 30.0


class QueryRefused(AirsyncError):
    """The statement is not a single read-only query."""


class QueryCancelled(AirsyncError):
    """Cancelled by the operator or by the timeout."""


class QueryFailed(AirsyncError):
    """The database rejected the query (its message, one line)."""


class UnknownStream(ConfigError):
    """The connection has no stream of that name."""


# --------------------------------------------------------------------------- guard

_ALLOWED_ROOTS: tuple[str, ...] = (
    "Select",
    "Union",
    "Intersect",
    "Except",
    "Values",
    "Describe",
    "Show",
    "Subquery",
)
_FORBIDDEN_NODES: tuple[str, ...] = (
    "Insert",
    "Update",
    "Delete",
    "Merge",
    "Create",
    "Drop",
    "Alter",
    "AlterTable",
    "TruncateTable",
    "Command",
    "Into",
    "Copy",
    "Grant",
    "Set",
    "Use",
    "Transaction",
    "Commit",
    "Rollback",
    "Pragma",
    "LoadData",
    "Attach",
    "Detach",
)


def check_read_only(sql: str, dialect: str) -> str:
    """Return the statement (stripped of a trailing `;`) or raise `QueryRefused` saying why."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError

    text = sql.strip().rstrip(";").strip()
    if not text:
        raise QueryRefused("empty query", hint="type a SELECT statement")
    try:
        statements = [s for s in sqlglot.parse(text, read=dialect) if s is not None]
    except ParseError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "syntax error"
        raise QueryRefused(
            f"could not parse the query as {dialect} SQL: {first[:160]}",
            hint="only SELECT statements run here",
        ) from None
    if len(statements) != 1:
        raise QueryRefused(
            f"{len(statements)} statements given; one SELECT at a time",
            hint="remove the extra statements",
        )
    root = statements[0]
    kind = type(root).__name__
    if kind not in _ALLOWED_ROOTS:
        raise QueryRefused(
            f"refused: {kind.upper()} is not a read-only query",
            hint="only SELECT / WITH … SELECT / DESCRIBE / SHOW run here",
        )
    forbidden = tuple(getattr(exp, name) for name in _FORBIDDEN_NODES if hasattr(exp, name))
    for node in root.walk():
        if isinstance(node, forbidden):
            raise QueryRefused(
                f"refused: the query contains {type(node).__name__.upper()}, which writes or changes state",
                hint="only read-only SELECT statements run here",
            )
    return text


# --------------------------------------------------------------------------- results


def jsonable(value: Any) -> Any:
    """A database value as JSON-friendly data (times ISO 8601, decimals exact strings, bytes base64)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 2**53 else str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    return str(value)


@dataclass(frozen=True)
class QueryResult:
    """Columns and at most `limit` rows; `truncated` says more rows existed."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    truncated: bool = False
    limit: int = DEFAULT_LIMIT

    def records(self) -> list[dict[str, Any]]:
        return [{c: jsonable(v) for c, v in zip(self.columns, row, strict=True)} for row in self.rows]


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: str


@dataclass(frozen=True)
class StreamSummary:
    """What the Data view shows for one stream (None = unknown or not applicable)."""

    stream: str
    table: str
    exists: bool
    row_count: int | None = None
    columns: tuple[ColumnInfo, ...] = ()
    newest_extracted_at: dt.datetime | None = None
    rows_in_job_window: int | None = None
    latest: QueryResult | None = None
    sync_mode: str | None = None


#: While a cancelled query still runs, its driver is interrupted again this often (seconds).
REINTERRUPT_EVERY = 0.05


class QueryHandle:
    """One running query (one per handle) that can be cancelled from another thread.

    A single interrupt can be lost: DuckDB clears its interrupt flag when
    `execute` starts, so a cancel landing between "not cancelled yet, run it"
    and the query's first step was forgotten and the query ran to its end (the
    operator's ctrl+g did nothing for a long scan). So a cancel keeps
    interrupting, every `REINTERRUPT_EVERY` seconds, for as long as the query
    runs (`running()` marks that span); an interrupt on an idle connection is
    harmless.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._raw: Any = None
        self._cursor: Any = None
        self._running = False
        self._done = threading.Event()
        self._repeater: threading.Thread | None = None
        self.cancelled_by: str | None = None

    def attach(self, raw: Any, cursor: Any) -> None:
        with self._lock:
            self._raw, self._cursor = raw, cursor
            pending = self.cancelled_by
        if pending:
            self._interrupt()

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        """The span in which the query runs on the driver: a cancel keeps interrupting within it."""
        with self._lock:
            self._running = True
            pending = self.cancelled_by is not None
        if pending:
            self._start_repeater()
        try:
            yield
        finally:
            with self._lock:
                self._running = False
            self._done.set()

    def cancel(self, reason: str = "cancelled") -> None:
        with self._lock:
            if self.cancelled_by is None:
                self.cancelled_by = reason
            running = self._running
        self._interrupt()
        if running:
            self._start_repeater()

    def _start_repeater(self) -> None:
        with self._lock:
            if self._repeater is not None or not self._running:
                return
            self._repeater = threading.Thread(target=self._keep_interrupting, name="query-cancel", daemon=True)
        self._repeater.start()

    def _keep_interrupting(self) -> None:
        while not self._done.wait(REINTERRUPT_EVERY):
            self._interrupt()

    def _interrupt(self) -> None:
        with self._lock:
            raw, cursor = self._raw, self._cursor
        for target, method in (
            (raw, "interrupt"),
            (raw, "cancel_safe"),
            (raw, "cancel"),
            (cursor, "cancel"),
        ):
            fn = getattr(target, method, None)
            if callable(fn):
                try:
                    fn()
                    return
                except Exception:  # noqa: BLE001 - any driver error from a cancel racing the query's end is harmless
                    continue
        # duckdb_engine wraps the DuckDB connection: reach the native one.
        inner = getattr(raw, "_ConnectionWrapper__c", None) or getattr(raw, "c", None)
        fn = getattr(inner, "interrupt", None)
        if callable(fn):
            try:
                fn()
            except Exception:  # noqa: BLE001 - same: the query may have just finished
                pass


# --------------------------------------------------------------------------- the cache


@dataclass
class SqlCache:
    """A read-only handle on a connection's destination (see the module docstring)."""

    target: SqlTarget
    tables: dict[str, StreamTable]
    destination_name: str = ""
    _engine: Any = field(default=None, repr=False)

    # -- PyAirbyte-parity surface

    @property
    def database_name(self) -> str:
        return self.target.database

    @property
    def schema_name(self) -> str:
        return self.target.normalize(self.target.default_schema)

    @property
    def stream_names(self) -> list[str]:
        return list(self.tables)

    @property
    def streams(self) -> Mapping[str, SqlDataset]:
        return _Streams(self)

    def get_sql_engine(self) -> Any:
        """A SQLAlchemy engine, opened read-only where the driver allows (created once)."""
        if self._engine is None:
            require_driver(self.target.kind)
            import sqlalchemy
            from sqlalchemy.pool import NullPool

            kwargs = dict(self.target.engine_kwargs)
            # NullPool: every use opens and closes its connection, so a DuckDB file is not held
            # open (the writer — Airbyte or the emulator — needs its lock between our reads).
            try:
                self._engine = sqlalchemy.create_engine(
                    self.target.url,
                    connect_args=dict(self.target.connect_args),
                    poolclass=NullPool,
                    **kwargs,
                )
            except Exception as exc:  # noqa: BLE001 - a driver that imports but does not load (version mismatch): any error
                raise QueryFailed(
                    f"the {self.target.kind} driver failed to load ({type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''})",
                    hint="reinstall the extra: pip install -U 'airsync-tui[" + self.target.kind + "]'",
                ) from None
            if self.target.kind == "duckdb":
                _retry_while_locked(self._engine)
        return self._engine

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    def table(self, stream: str) -> StreamTable:
        try:
            return self.tables[stream]
        except KeyError:
            known = ", ".join(sorted(self.tables)) or "none"
            raise UnknownStream(
                f"no stream named {stream!r} in this connection",
                hint=f"streams: {known}",
            ) from None

    def get_sql_table_name(self, stream: str) -> str:
        return self.table(stream).name

    def get_sql_table(self, stream: str) -> Any:
        """A `sqlalchemy.Table` with the table's columns (one-line error when it does not exist yet)."""
        ref = self.table(stream)
        columns = self.columns(stream)
        if not columns:
            raise QueryFailed(
                f"table {ref.qualified} does not exist (yet)",
                hint="has the stream synced at least once?",
            )
        return _sa_table(ref, columns)

    def columns(self, stream: str, conn: Any = None) -> tuple[ColumnInfo, ...]:
        """Columns from `information_schema` (portable across the supported warehouses; () = no table).

        Not SQLAlchemy reflection: dialects reflect through catalog tables that some
        driver/engine versions lack (duckdb-engine on DuckDB 2 queries pg_catalog).
        """
        import sqlalchemy

        ref = self.table(stream)
        schema_table = f"`{ref.schema}`.INFORMATION_SCHEMA.COLUMNS" if self.target.kind == "bigquery" else "information_schema.columns"
        statement = sqlalchemy.text(
            f"SELECT column_name, data_type FROM {schema_table} WHERE table_schema = :schema AND table_name = :name ORDER BY ordinal_position"
        )
        try:
            with self._connection(conn) as connection:
                rows = connection.execute(statement, {"schema": ref.schema, "name": ref.name}).fetchall()
        except sqlalchemy.exc.SQLAlchemyError as exc:
            raise _db_error(exc) from None
        return tuple(ColumnInfo(str(r[0]), str(r[1])) for r in rows)

    @contextlib.contextmanager
    def _connection(self, conn: Any = None) -> Iterator[Any]:
        """The caller's connection, or a fresh one closed afterwards (opening costs ~50 ms on DuckDB)."""
        if conn is not None:
            yield conn
            return
        with self.get_sql_engine().connect() as fresh:
            yield fresh

    def summaries(
        self,
        streams: Sequence[str],
        *,
        window: tuple[dt.datetime, dt.datetime] | None = None,
        latest: int = 10,
    ) -> list[StreamSummary]:
        """`summary()` of several streams over one connection."""
        import sqlalchemy

        try:
            with self.get_sql_engine().connect() as conn:
                return [self.summary(s, window=window, latest=latest, conn=conn) for s in streams]
        except sqlalchemy.exc.SQLAlchemyError as exc:
            raise _db_error(exc) from None

    def get_dataset(self, stream: str) -> SqlDataset:
        self.table(stream)
        return SqlDataset(self, stream)

    # -- queries

    def run_sql_query(
        self,
        sql: str,
        *,
        limit: int = DEFAULT_LIMIT,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        handle: QueryHandle | None = None,
    ) -> QueryResult:
        """Run one operator-typed statement after the read-only guard."""
        statement = check_read_only(sql, self.target.dialect)
        return self._execute(statement, limit=limit, timeout_s=timeout_s, handle=handle)

    def _execute(
        self,
        sql: str,
        *,
        limit: int,
        timeout_s: float,
        handle: QueryHandle | None = None,
    ) -> QueryResult:
        import sqlalchemy

        limit = max(1, min(int(limit), MAX_LIMIT))
        handle = handle or QueryHandle()
        timer = threading.Timer(timeout_s, handle.cancel, args=(f"timed out after {timeout_s:g} s",))
        timer.daemon = True
        try:
            with self.get_sql_engine().connect() as conn:
                raw = conn.connection.dbapi_connection
                cursor = raw.cursor()
                handle.attach(raw, cursor)
                timer.start()
                try:
                    if handle.cancelled_by:  # cancelled before the query started: no need to start it
                        raise QueryCancelled(f"query {handle.cancelled_by}")
                    with handle.running():  # a cancel from here on keeps interrupting until the query ends
                        cursor.execute(sql)
                        columns = tuple(str(d[0]) for d in (cursor.description or ()))
                        rows = cursor.fetchmany(limit + 1) if columns else []
                finally:
                    try:
                        cursor.close()
                    except Exception:  # noqa: BLE001 - closing after an interrupt may raise; the result is already read
                        pass
        except sqlalchemy.exc.SQLAlchemyError as exc:
            raise self._failure(handle, exc) from None
        except Exception as exc:  # noqa: BLE001 - DB-API errors from the raw cursor are driver-specific classes
            raise self._failure(handle, exc) from None
        finally:
            timer.cancel()
        if handle.cancelled_by:
            raise QueryCancelled(f"query {handle.cancelled_by}")
        return QueryResult(
            columns,
            tuple(tuple(r) for r in rows[:limit]),
            truncated=len(rows) > limit,
            limit=limit,
        )

    @staticmethod
    def _failure(handle: QueryHandle, exc: BaseException) -> AirsyncError:
        if handle.cancelled_by:
            return QueryCancelled(f"query {handle.cancelled_by}")
        if isinstance(exc, AirsyncError):
            return exc
        return _db_error(exc)

    # -- the Data view

    def summary(
        self,
        stream: str,
        *,
        window: tuple[dt.datetime, dt.datetime] | None = None,
        latest: int = 10,
        conn: Any = None,
    ) -> StreamSummary:
        """Row count, columns, freshness, rows extracted in the job's window and the latest rows."""
        import sqlalchemy

        ref = self.table(stream)
        if conn is None:
            try:
                with self.get_sql_engine().connect() as fresh:
                    return self.summary(stream, window=window, latest=latest, conn=fresh)
            except sqlalchemy.exc.SQLAlchemyError as exc:
                raise _db_error(exc) from None
        columns = self.columns(stream, conn)
        if not columns:
            return StreamSummary(stream, ref.qualified, False, sync_mode=ref.sync_mode)
        table = _sa_table(ref, columns)
        extracted = next(
            (c for c in table.columns if c.name.lower() == "_airbyte_extracted_at"),
            None,
        )
        select_count = sqlalchemy.select(sqlalchemy.func.count()).select_from(table)
        statements: list[tuple[str, Any]] = [("count", select_count)]
        if extracted is not None:
            statements.append(("newest", sqlalchemy.select(sqlalchemy.func.max(extracted))))
            if window is not None:
                statements.append(
                    (
                        "window",
                        select_count.where(extracted >= window[0], extracted <= window[1]),
                    )
                )
        values: dict[str, Any] = {}
        try:
            for key, statement in statements:
                values[key] = conn.execute(statement).scalar()
            order = extracted.desc() if extracted is not None else sqlalchemy.literal(1)
            result = conn.execute(sqlalchemy.select(table).order_by(order).limit(max(0, latest) + 1))
            fetched = [tuple(r) for r in result.fetchall()]
            latest_rows = QueryResult(
                tuple(result.keys()),
                tuple(fetched[: max(0, latest)]),
                truncated=len(fetched) > latest,
                limit=latest,
            )
        except sqlalchemy.exc.SQLAlchemyError as exc:
            raise _db_error(exc) from None
        newest = values.get("newest")
        if isinstance(newest, dt.datetime) and newest.tzinfo is None:
            newest = newest.replace(tzinfo=dt.UTC)
        return StreamSummary(
            stream=stream,
            table=ref.qualified,
            exists=True,
            row_count=int(values["count"]) if values.get("count") is not None else None,
            columns=columns,
            newest_extracted_at=newest if isinstance(newest, dt.datetime) else None,
            rows_in_job_window=int(values["window"]) if values.get("window") is not None else None,
            latest=latest_rows,
            sync_mode=ref.sync_mode,
        )


class SqlDataset:
    """PyAirbyte's `CachedDataset`, small: iterate rows as dicts, `len()`, the SQLAlchemy table."""

    def __init__(self, cache: SqlCache, stream: str) -> None:
        self.cache = cache
        self.stream_name = stream

    def __repr__(self) -> str:
        return f"SqlDataset({self.cache.table(self.stream_name).qualified})"

    def to_sql_table(self) -> Any:
        return self.cache.get_sql_table(self.stream_name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.to_sql_table().columns]

    def __len__(self) -> int:
        import sqlalchemy

        table = self.to_sql_table()
        with self.cache.get_sql_engine().connect() as conn:
            return int(conn.execute(sqlalchemy.select(sqlalchemy.func.count()).select_from(table)).scalar() or 0)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        import sqlalchemy

        table = self.to_sql_table()
        with self.cache.get_sql_engine().connect() as conn:
            for row in conn.execute(sqlalchemy.select(table)).mappings():
                yield dict(row)

    def head(self, n: int = 10) -> list[dict[str, Any]]:
        import sqlalchemy

        table = self.to_sql_table()
        with self.cache.get_sql_engine().connect() as conn:
            return [dict(r) for r in conn.execute(sqlalchemy.select(table).limit(n)).mappings()]


class _Streams(Mapping[str, SqlDataset]):
    """`SyncResult.streams`: stream name → dataset (PyAirbyte's `_SyncResultStreams`)."""

    def __init__(self, cache: SqlCache) -> None:
        self._cache = cache

    def __getitem__(self, key: str) -> SqlDataset:
        if key not in self._cache.tables:
            raise KeyError(key)
        return self._cache.get_dataset(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._cache.tables)

    def __len__(self) -> int:
        return len(self._cache.tables)


#: DuckDB lets one process write a file at a time; a writer (Airbyte's connector, the demo's emulator)
#: holds it only while committing, so a read that meets the lock waits a little instead of failing.
LOCK_RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.0, 1.0)
_LOCK_WORDS = ("lock", "different configuration", "being used by another process")


def _retry_while_locked(engine: Any) -> None:
    import sqlalchemy

    @sqlalchemy.event.listens_for(engine, "do_connect")
    def connect(dialect: Any, conn_rec: Any, cargs: Any, cparams: Any) -> Any:
        for delay in (*LOCK_RETRY_DELAYS, None):
            try:
                return dialect.connect(*cargs, **cparams)
            except Exception as exc:
                if delay is None or not any(word in str(exc).lower() for word in _LOCK_WORDS):
                    raise
                time.sleep(delay)
        return None  # unreachable: the last attempt returns or raises


def _sa_table(ref: StreamTable, columns: Sequence[ColumnInfo]) -> Any:
    """A Core `Table` for building queries (types as reported; timestamps typed for comparisons)."""
    import sqlalchemy

    def sa_type(type_name: str) -> Any:
        upper = type_name.upper()
        if "TIMESTAMP" in upper or upper.startswith("DATETIME"):
            return sqlalchemy.DateTime(timezone="TZ" in upper or "ZONE" in upper)
        return sqlalchemy.types.NullType()

    cols = [sqlalchemy.Column(c.name, sa_type(c.type)) for c in columns]
    return sqlalchemy.Table(ref.name, sqlalchemy.MetaData(), *cols, schema=ref.schema)


def _db_error(exc: BaseException) -> QueryFailed:
    """The driver's first message line, without SQLAlchemy's boilerplate or the statement."""
    inner = getattr(exc, "orig", None) or exc
    text = str(inner).strip().splitlines()[0] if str(inner).strip() else type(inner).__name__
    return QueryFailed(f"{type(inner).__name__}: {text[:300]}")


def build_sql_cache(
    connection: Mapping[str, Any],
    destination: Mapping[str, Any],
    secrets: SecretSource | None = None,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> SqlCache:
    """From the public API's `ConnectionResponse` and `DestinationResponse` bodies."""
    dest = Destination.from_wire(destination)
    target = sql_target(dest, secrets, timeout_s=timeout_s)
    return SqlCache(target, stream_tables(connection, target), destination_name=dest.name)


def format_rows(result: QueryResult) -> Sequence[Sequence[str]]:
    """Cells as short strings for tables (None → empty)."""
    out: list[list[str]] = []
    for row in result.rows:
        cells = []
        for value in row:
            shown = jsonable(value)
            cells.append("" if shown is None else shown if isinstance(shown, str) else _compact(shown))
        out.append(cells)
    return out


def _compact(value: Any) -> str:
    import json

    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), default=str)


__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "DEFAULT_TIMEOUT_S",
    "ColumnInfo",
    "QueryCancelled",
    "QueryFailed",
    "QueryHandle",
    "QueryRefused",
    "QueryResult",
    "SqlCache",
    "SqlDataset",
    "StreamSummary",
    "UnknownStream",
    "build_sql_cache",
    "check_read_only",
    "format_rows",
    "jsonable",
]
