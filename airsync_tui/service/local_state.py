"""One SQLite file for everything airsync keeps on this machine.

The alert outbox (`airsync watch`), the action journal (pause/resume/undo) and
any later local state share this one file in the user data directory, so an
operator backs up, inspects or deletes one thing. Each feature owns its own
tables and declares them through `ensure_schema`, which records a version per
component so a feature can migrate its tables without touching the others'.

Durability rules (the brief: "nothing is lost on kill -9, nothing is sent
twice"): WAL journal with `synchronous=FULL`, so a committed row survives a
`kill -9` of the process; autocommit mode, so each feature decides its own
transaction boundaries with `transaction()`. The file is created 0600 because
alert payloads and journal rows can name internal hosts and connections.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import platformdirs

#: Overrides the state file's location (tests, several isolated set-ups on one machine).
STATE_ENV = "AIRSYNC_STATE"
STATE_FILENAME = "state.sqlite3"


def default_state_path() -> Path:
    """`$AIRSYNC_STATE`, else `<user data dir>/airsync/state.sqlite3`."""
    override = os.environ.get(STATE_ENV)
    if override:
        return Path(override).expanduser()
    return platformdirs.user_data_path("airsync") / STATE_FILENAME


def open_state(path: Path | str | None = None) -> sqlite3.Connection:
    """Open (creating if needed) the local state database.

    `path` wins over `$AIRSYNC_STATE`, which wins over the user data dir
    (`--state PATH` on the command line maps to `path`).
    """
    target = Path(path).expanduser() if path is not None else default_state_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        # Create it 0600 before SQLite opens it, so no moment exists where it is world-readable.
        fd = os.open(target, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    conn = sqlite3.connect(target, isolation_level=None, timeout=10.0, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=10000")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)")
    return conn


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """`BEGIN IMMEDIATE` … `COMMIT` (or `ROLLBACK` on error): one writer at a time, all or nothing."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def ensure_schema(conn: sqlite3.Connection, component: str, migrations: Sequence[Sequence[str]]) -> int:
    """Apply `component`'s migrations that this file has not seen yet; return its version.

    `migrations[i]` is the list of statements taking the component from
    version `i` to `i + 1`. Append to the list to migrate; never edit a
    released entry.
    """
    with transaction(conn):
        row = conn.execute("SELECT version FROM schema_versions WHERE component = ?", (component,)).fetchone()
        current = int(row[0]) if row is not None else 0
        for statements in migrations[current:]:
            for statement in statements:
                conn.execute(statement)
        target = len(migrations)
        if target != current:
            conn.execute(
                "INSERT INTO schema_versions(component, version) VALUES (?, ?) "
                "ON CONFLICT(component) DO UPDATE SET version = excluded.version",
                (component, target),
            )
    return max(current, len(migrations))
