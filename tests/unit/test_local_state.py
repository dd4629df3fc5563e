"""The shared local state file: created private, migrations applied once, durable rows."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from airsync_tui.service.local_state import STATE_ENV, default_state_path, ensure_schema, open_state, transaction


def test_created_private_and_versioned(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "state.sqlite3"
    conn = open_state(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    migrations = [["CREATE TABLE t (x INTEGER)"], ["ALTER TABLE t ADD COLUMN y TEXT"]]
    assert ensure_schema(conn, "demo", migrations) == 2
    # A second open applies nothing again (the ALTER would fail if it did).
    conn.close()
    conn = open_state(path)
    assert ensure_schema(conn, "demo", migrations) == 2
    assert [r[1] for r in conn.execute("PRAGMA table_info(t)")] == ["x", "y"]


def test_transaction_rolls_back(tmp_path: Path) -> None:
    conn = open_state(tmp_path / "s.db")
    ensure_schema(conn, "demo", [["CREATE TABLE t (x INTEGER)"]])
    with pytest.raises(RuntimeError), transaction(conn):
        conn.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError("boom")
    assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 0


def test_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STATE_ENV, str(tmp_path / "x.sqlite3"))
    assert default_state_path() == tmp_path / "x.sqlite3"
