"""The Data view opened in the demo's first seconds finds the committed rows (issue 7).

Before: `airsync --demo` delays its DuckDB writer so the first screen comes
first; a Data view opened in that window read a file with no tables ("no
table yet" on every stream of a connection whose jobs had committed rows).
Now the destination's endpoint, which every reader asks first for the file's
path, writes the queued rows before it answers.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from airsync_tui.emulator.airbyte import warehouse
from airsync_tui.emulator.airbyte.warehouse import DUCKDB, table_name
from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator, start_emulator
from tests.emulator_helpers import read_only_duckdb

SECRET = "trust-warehouse-5e1"


@pytest.fixture
def emu(tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningEmulator]:  # type: ignore[no-untyped-def]
    # As in `airsync --demo`: the writer waits before it writes the history's rows (here: far longer).
    monkeypatch.setattr(warehouse, "WRITER_START_DELAY", 600.0)
    running = start_emulator(
        EmulatorOptions(
            speed=1.0,
            big_log_lines=0,
            seed=5,
            client_id="airsync-trust-tests",
            client_secret=SECRET,
            duckdb_path=str(tmp_path / "demo.duckdb"),
        )
    )
    running.world.pause_schedules()
    try:
        yield running
    finally:
        running.stop()


def test_asking_for_the_destination_writes_the_committed_rows_first(emu: RunningEmulator) -> None:
    connection = next(c for c in emu.world.connections if c.destination_name == DUCKDB)
    ended = [j for j in emu.world.jobs if j.connection is connection and any(a.ended_at is not None for a in j.attempts)]
    assert ended, "the demo history has finished jobs on the DuckDB connection"
    token = httpx.post(
        f"{emu.public_api_url}/applications/token",
        json={"client_id": emu.client_id, "client_secret": SECRET},
    ).json()["access_token"]
    response = httpx.get(
        f"{emu.public_api_url}/destinations/{connection.destination_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 200
    path = response.json()["configuration"]["destination_path"]
    with read_only_duckdb(path) as conn:
        tables = {row[0] for row in conn.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        expected = {table_name(connection, s.name) for s in connection.streams}
        assert expected <= tables
        rows = {t: int(conn.execute(f'SELECT count(*) FROM main."{t}"').fetchone()[0]) for t in expected}  # type: ignore[index]
    assert all(n > 0 for n in rows.values()), rows
