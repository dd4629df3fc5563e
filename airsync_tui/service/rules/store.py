"""Alerts and the notification outbox, in the shared local-state SQLite file.

Why a persistent outbox: an alert must survive a failing Slack, a restart and a
`kill -9`. An alert transition and its outbox rows are written in ONE
transaction before anything is sent; a row is marked delivered only after the
endpoint accepted it. So a crash loses nothing, and at worst the one message
in flight when the process died is sent again (the endpoint accepted it but we
never recorded that).

Never twice otherwise: outbox rows are unique on (alert id, transition,
target). Alert ids are derived from data (rule, connection, the job that
opened it), so a restarted watcher that re-derives an alert it already raised
inserts nothing new.

No secrets in the file: a target is stored as a hash of its Apprise URL plus
the URL in Apprise's privacy form; the real URL comes from the configuration
at send time.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from airsync_tui.service.local_state import ensure_schema, open_state, transaction
from airsync_tui.service.rules.alerts import NOTIFIED, Alert, AlertChange, Transition

COMPONENT = "watch"
#: Delivered rows and resolved alerts are kept this long (re-deriving an alert that old is not a repeat).
KEEP_DAYS = 30.0
MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE watch_alerts (
            id TEXT PRIMARY KEY,
            rule TEXT NOT NULL,
            is_open INTEGER NOT NULL,
            opened_at TEXT NOT NULL,
            resolved_at TEXT,
            payload TEXT NOT NULL
        )""",
        "CREATE INDEX watch_alerts_open ON watch_alerts(is_open, opened_at)",
        """CREATE TABLE watch_outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            alert_id TEXT NOT NULL,
            transition TEXT NOT NULL,
            target TEXT NOT NULL,
            target_label TEXT NOT NULL,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            severity TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt REAL NOT NULL DEFAULT 0,
            last_error TEXT,
            created_at REAL NOT NULL,
            delivered_at REAL,
            UNIQUE(alert_id, transition, target)
        )""",
        "CREATE INDEX watch_outbox_due ON watch_outbox(status, next_attempt)",
    ]
]


def target_id(url: str) -> str:
    """A stable, secret-free id for an Apprise URL."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class OutboxRow:
    seq: int
    alert_id: str
    transition: str
    target: str
    target_label: str
    title: str
    body: str
    severity: str
    attempts: int
    status: str
    last_error: str | None


@dataclass(frozen=True)
class Target:
    """Where one outbox row goes: the id (hash) and the printable, secret-free label."""

    id: str
    label: str


class AlertStore:
    """Alert records and outbox rows; every write is one transaction."""

    def __init__(self, conn: sqlite3.Connection, *, keep_days: float = KEEP_DAYS) -> None:
        self.conn = conn
        ensure_schema(conn, COMPONENT, MIGRATIONS)
        self.prune(keep_days)

    def prune(self, keep_days: float) -> None:
        """Forget delivered notifications and resolved alerts older than `keep_days` (the file stays small)."""
        cutoff = datetime.now(UTC).timestamp() - keep_days * 86400
        cutoff_iso = datetime.fromtimestamp(cutoff, UTC).isoformat()
        with transaction(self.conn):
            self.conn.execute(
                "DELETE FROM watch_outbox WHERE status != 'pending' AND created_at < ?",
                (cutoff,),
            )
            self.conn.execute(
                "DELETE FROM watch_alerts WHERE is_open = 0 AND resolved_at < ?",
                (cutoff_iso,),
            )

    def open_alerts(self) -> list[Alert]:
        rows = self.conn.execute("SELECT payload FROM watch_alerts WHERE is_open = 1 ORDER BY opened_at").fetchall()
        return [Alert.from_json(json.loads(row[0])) for row in rows]

    def recent_alerts(self, limit: int = 100) -> list[Alert]:
        rows = self.conn.execute(
            "SELECT payload FROM watch_alerts WHERE is_open = 0 ORDER BY resolved_at DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [Alert.from_json(json.loads(row[0])) for row in rows]

    def record(self, change: AlertChange, targets: Iterable[Target], title: str, body: str) -> int:
        """Save the alert's new state and queue its notification; returns rows queued (0 = already queued)."""
        alert = change.alert
        queued = 0
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO watch_alerts(id, rule, is_open, opened_at, resolved_at, payload) VALUES (?,?,?,?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET is_open=excluded.is_open, resolved_at=excluded.resolved_at, "
                "payload=excluded.payload",
                (
                    alert.id,
                    alert.rule.value,
                    1 if alert.is_open else 0,
                    alert.opened_at.isoformat(),
                    alert.resolved_at.isoformat() if alert.resolved_at else None,
                    json.dumps(alert.to_json()),
                ),
            )
            if change.transition in NOTIFIED:
                now = datetime.now(UTC).timestamp()
                for target in targets:
                    cursor = self.conn.execute(
                        "INSERT OR IGNORE INTO watch_outbox(alert_id, transition, target, target_label, title, body, "
                        "severity, created_at) VALUES (?,?,?,?,?,?,?,?)",
                        (
                            alert.id,
                            change.transition.value,
                            target.id,
                            target.label,
                            title,
                            body,
                            alert.severity.value,
                            now,
                        ),
                    )
                    queued += cursor.rowcount
        return queued

    def due(self, now: float, limit: int = 20) -> list[OutboxRow]:
        rows = self.conn.execute(
            "SELECT seq, alert_id, transition, target, target_label, title, body, severity, attempts, status, last_error "
            "FROM watch_outbox WHERE status = 'pending' AND next_attempt <= ? ORDER BY seq LIMIT ?",
            (now, limit),
        ).fetchall()
        return [OutboxRow(*row) for row in rows]

    def pending_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM watch_outbox WHERE status = 'pending'").fetchone()[0])

    def next_due(self) -> float | None:
        row = self.conn.execute("SELECT min(next_attempt) FROM watch_outbox WHERE status = 'pending'").fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def mark_delivered(self, seq: int, now: float) -> None:
        with transaction(self.conn):
            self.conn.execute(
                "UPDATE watch_outbox SET status='delivered', delivered_at=?, attempts=attempts+1, last_error=NULL WHERE seq=?",
                (now, seq),
            )

    def mark_failed(self, seq: int, target: str, error: str, retry_at: float) -> None:
        """Record the failure and hold back every pending row of that endpoint until `retry_at`."""
        with transaction(self.conn):
            self.conn.execute(
                "UPDATE watch_outbox SET attempts=attempts+1, last_error=?, next_attempt=? WHERE seq=?",
                (error[:500], retry_at, seq),
            )
            self.conn.execute(
                "UPDATE watch_outbox SET next_attempt=max(next_attempt, ?) WHERE target=? AND status='pending'",
                (retry_at, target),
            )

    def mark_dropped(self, seq: int, reason: str) -> None:
        with transaction(self.conn):
            self.conn.execute(
                "UPDATE watch_outbox SET status='dropped', last_error=? WHERE seq=?",
                (reason, seq),
            )

    def rows(self) -> list[OutboxRow]:
        rows = self.conn.execute(
            "SELECT seq, alert_id, transition, target, target_label, title, body, severity, attempts, status, last_error "
            "FROM watch_outbox ORDER BY seq"
        ).fetchall()
        return [OutboxRow(*row) for row in rows]

    def delivered_total(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM watch_outbox WHERE status='delivered'").fetchone()[0])


__all__ = ["AlertStore", "OutboxRow", "Target", "Transition", "target_id"]


def read_recent_alerts(path: Path | str | None = None, limit: int = 100) -> list[Alert]:
    """Resolved alerts kept in the state file (by `airsync watch` runs), newest first.

    Blocking (SQLite): the dashboard calls it from a thread worker.
    """
    conn = open_state(path)
    try:
        return AlertStore(conn).recent_alerts(limit)
    finally:
        conn.close()
