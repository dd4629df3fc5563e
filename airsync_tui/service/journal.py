"""The action journal: every fleet action, its targets, per-target results and how to reverse it.

Lives in the one local-state SQLite file (`service.local_state`), component
``journal``. An action row is written *before* any request (targets
``pending``), and each target's result is written as soon as its one request
answers, so a crash mid-way still leaves the truth on disk: which targets
changed and how to put them back. Undo reads the per-target ``undo`` column
(JSON, e.g. ``{"action": "resume"}`` or ``{"action": "schedule", "schedule":
{...}}``); a target without one (refresh, clear, failures, skips) is not
reversible.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from airsync_tui.service.local_state import ensure_schema, transaction

COMPONENT = "journal"
MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE journal_actions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            profile TEXT NOT NULL,
            action TEXT NOT NULL,
            params TEXT NOT NULL,
            summary TEXT NOT NULL,
            reverses INTEGER REFERENCES journal_actions(id),
            undone_by INTEGER REFERENCES journal_actions(id),
            finished INTEGER NOT NULL DEFAULT 0
        )""",
        """CREATE TABLE journal_targets (
            action_id INTEGER NOT NULL REFERENCES journal_actions(id),
            position INTEGER NOT NULL,
            provider TEXT NOT NULL,
            connection_id TEXT NOT NULL,
            name TEXT NOT NULL,
            outcome TEXT NOT NULL,
            reason TEXT,
            job_id TEXT,
            undo TEXT,
            PRIMARY KEY (action_id, position)
        )""",
    ],
]

PENDING = "pending"
SUCCEEDED = "succeeded"
FAILED = "failed"
SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class JournalTarget:
    position: int
    provider: str
    connection_id: str
    name: str
    outcome: str
    reason: str | None = None
    job_id: str | None = None
    undo: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        return f"{self.provider}:{self.connection_id}"


@dataclass(frozen=True, slots=True)
class JournalEntry:
    id: int
    at: datetime
    profile: str
    action: str
    params: dict[str, Any]
    summary: str
    reverses: int | None
    undone_by: int | None
    finished: bool
    targets: tuple[JournalTarget, ...] = field(default_factory=tuple)

    @property
    def providers(self) -> list[str]:
        return sorted({t.provider for t in self.targets})

    @property
    def reversible_targets(self) -> list[JournalTarget]:
        return [t for t in self.targets if t.outcome == SUCCEEDED and t.undo]

    @property
    def reversible(self) -> bool:
        return self.undone_by is None and bool(self.reversible_targets)

    def counts(self) -> dict[str, int]:
        out = {SUCCEEDED: 0, FAILED: 0, SKIPPED: 0, PENDING: 0}
        for target in self.targets:
            out[target.outcome] = out.get(target.outcome, 0) + 1
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat().replace("+00:00", "Z"),
            "profile": self.profile,
            "action": self.action,
            "params": self.params,
            "summary": self.summary,
            "providers": self.providers,
            "reverses": self.reverses,
            "undoneBy": self.undone_by,
            "reversible": self.reversible,
            "finished": self.finished,
            "targets": [
                {
                    "provider": t.provider,
                    "connectionId": t.connection_id,
                    "name": t.name,
                    "result": t.outcome,
                    "reason": t.reason,
                    "jobId": t.job_id,
                    "undo": t.undo,
                }
                for t in self.targets
            ],
        }


class Journal:
    """Append-mostly store of fleet actions over one `sqlite3.Connection` (see `local_state.open_state`)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        ensure_schema(conn, COMPONENT, MIGRATIONS)

    def begin(
        self,
        *,
        profile: str,
        action: str,
        params: dict[str, Any],
        summary: str,
        targets: list[tuple[str, str, str]],
        reverses: int | None = None,
        at: datetime | None = None,
    ) -> int:
        """Record an action about to run; targets are (provider, connection id, name), all pending."""
        when = (at or datetime.now(UTC)).astimezone(UTC)
        with transaction(self.conn):
            cursor = self.conn.execute(
                "INSERT INTO journal_actions(at, profile, action, params, summary, reverses) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    when.isoformat(),
                    profile,
                    action,
                    json.dumps(params, sort_keys=True),
                    summary,
                    reverses,
                ),
            )
            action_id = int(cursor.lastrowid or 0)
            self.conn.executemany(
                "INSERT INTO journal_targets(action_id, position, provider, connection_id, name, outcome) VALUES (?, ?, ?, ?, ?, ?)",
                [(action_id, i, p, c, n, PENDING) for i, (p, c, n) in enumerate(targets)],
            )
        return action_id

    def record_result(
        self,
        action_id: int,
        position: int,
        outcome: str,
        *,
        reason: str | None = None,
        job_id: str | None = None,
        undo: dict[str, Any] | None = None,
    ) -> None:
        with transaction(self.conn):
            self.conn.execute(
                "UPDATE journal_targets SET outcome = ?, reason = ?, job_id = ?, undo = ? WHERE action_id = ? AND position = ?",
                (
                    outcome,
                    reason,
                    job_id,
                    json.dumps(undo, sort_keys=True) if undo else None,
                    action_id,
                    position,
                ),
            )

    def finish(self, action_id: int) -> None:
        """Mark the action complete; if it reverses another, link the two."""
        with transaction(self.conn):
            self.conn.execute("UPDATE journal_actions SET finished = 1 WHERE id = ?", (action_id,))
            row = self.conn.execute("SELECT reverses FROM journal_actions WHERE id = ?", (action_id,)).fetchone()
            if row is not None and row["reverses"] is not None:
                self.conn.execute(
                    "UPDATE journal_actions SET undone_by = ? WHERE id = ?",
                    (action_id, row["reverses"]),
                )

    def get(self, action_id: int) -> JournalEntry | None:
        row = self.conn.execute("SELECT * FROM journal_actions WHERE id = ?", (action_id,)).fetchone()
        return self._entry(row) if row is not None else None

    def entries(self, *, limit: int = 100, profile: str | None = None) -> list[JournalEntry]:
        """Newest first."""
        if profile is None:
            rows = self.conn.execute("SELECT * FROM journal_actions ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        else:
            rows = self.conn.execute(
                "SELECT * FROM journal_actions WHERE profile = ? ORDER BY id DESC LIMIT ?",
                (profile, limit),
            ).fetchall()
        return [self._entry(row) for row in rows]

    def last_reversible(self, *, profile: str | None = None) -> JournalEntry | None:
        """The newest action that can still be undone (undo actions themselves are not undone)."""
        for entry in self.entries(limit=200, profile=profile):
            if entry.reverses is None and entry.reversible:
                return entry
        return None

    def _entry(self, row: sqlite3.Row) -> JournalEntry:
        targets = tuple(
            JournalTarget(
                position=int(t["position"]),
                provider=str(t["provider"]),
                connection_id=str(t["connection_id"]),
                name=str(t["name"]),
                outcome=str(t["outcome"]),
                reason=t["reason"],
                job_id=t["job_id"],
                undo=json.loads(t["undo"]) if t["undo"] else None,
            )
            for t in self.conn.execute(
                "SELECT * FROM journal_targets WHERE action_id = ? ORDER BY position",
                (row["id"],),
            ).fetchall()
        )
        return JournalEntry(
            id=int(row["id"]),
            at=datetime.fromisoformat(str(row["at"])),
            profile=str(row["profile"]),
            action=str(row["action"]),
            params=json.loads(str(row["params"])),
            summary=str(row["summary"]),
            reverses=row["reverses"],
            undone_by=row["undone_by"],
            finished=bool(row["finished"]),
            targets=targets,
        )
