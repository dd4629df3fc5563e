"""The demo's DuckDB destination end to end: jobs commit rows, the API exposes the path, SyncResult / CLI read them.

Real HTTP on 127.0.0.1, a real DuckDB file in tmp, the real CLI process.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest

from airsync_tui.emulator.airbyte.warehouse import DUCKDB
from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator, start_emulator
from airsync_tui.providers.airbyte.provider import AirbyteProvider
from airsync_tui.providers.airbyte.sql_access import QueryRefused
from airsync_tui.providers.airbyte.sync_result import SyncResult
from airsync_tui.service.data_access import stream_summary
from tests.cli_helpers import emulator_env, run_airsync
from tests.emulator_helpers import airbyte_provider, warehouse_emulator

SECRET = "data-secret-71c2"


@pytest.fixture(scope="module")
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    path = tmp_path_factory.mktemp("warehouse") / "demo.duckdb"
    yield from warehouse_emulator(
        EmulatorOptions(
            speed=50.0,
            big_log_lines=0,
            seed=5,
            client_id="airsync-data-tests",
            client_secret=SECRET,
            duckdb_path=str(path),
        )
    )


def duck_connection(emu: RunningEmulator) -> str:
    return next(c.connection_id for c in emu.world.connections if c.destination_name == DUCKDB)


def provider_for(emu: RunningEmulator) -> AirbyteProvider:
    return airbyte_provider(emu)


def counts(path: str, tables: list[str]) -> dict[str, int]:
    # Read-only, like the dashboard; retried while the writer holds the file.
    for _ in range(100):
        try:
            with duckdb.connect(path, read_only=True) as conn:
                return {t: int(conn.execute(f'SELECT count(*) FROM main."{t}"').fetchone()[0]) for t in tables}
        except (duckdb.IOException, duckdb.ConnectionException):
            time.sleep(0.05)
    raise AssertionError("the DuckDB file stayed locked")


def test_destination_api_exposes_the_duckdb_path_and_masks_other_secrets(
    emu: RunningEmulator,
) -> None:
    token = httpx.post(
        f"{emu.public_api_url}/applications/token",
        json={"client_id": emu.client_id, "client_secret": SECRET},
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    conn = httpx.get(f"{emu.public_api_url}/connections/{duck_connection(emu)}", headers=headers).json()
    body = httpx.get(f"{emu.public_api_url}/destinations/{conn['destinationId']}", headers=headers).json()
    assert body["destinationType"] == "duckdb"
    assert body["configuration"]["destination_path"] == emu.world.warehouse.path  # type: ignore[union-attr]
    snowflake = next(c for c in emu.world.connections if c.destination_name == "Snowflake")
    sf = httpx.get(f"{emu.public_api_url}/destinations/{snowflake.destination_id}", headers=headers).json()
    assert sf["configuration"]["credentials"]["password"] == "**********"
    missing = httpx.get(
        f"{emu.public_api_url}/destinations/00000000-0000-4000-8000-000000000000",
        headers=headers,
    )
    assert missing.status_code == 404


async def test_table_row_counts_agree_with_what_jobs_committed(
    emu: RunningEmulator,
) -> None:
    world = emu.world
    connection = world.get_connection(duck_connection(emu))
    names = [f"{connection.prefix}{s.name}" for s in connection.streams]
    before = counts(world.warehouse.path, names)  # type: ignore[union-attr]
    world.force_next_outcome(connection.connection_id, "success")
    job = world.create_job(connection.connection_id, "sync")
    world.clock.advance(max(job.plan.attempts[-1].end - world.clock.now(), 0) + 1)  # to its end, in virtual time
    world.tick()
    provider = provider_for(emu)
    try:
        result = SyncResult(provider, job.job_id, connection_id=connection.connection_id)
        await result.wait_for_completion(wait_timeout=60, poll_interval=0.2)
        assert world.warehouse is not None and world.warehouse.wait_idle(30)
        async with httpx.AsyncClient() as http:
            token = (
                await http.post(
                    f"{emu.public_api_url}/applications/token",
                    json={"client_id": emu.client_id, "client_secret": SECRET},
                )
            ).json()["access_token"]
            detail = (
                await http.post(
                    f"{emu.config_api_url}/jobs/get_without_logs",
                    json={"id": job.job_id},
                    headers={"Authorization": f"Bearer {token}"},
                )
            ).json()
        committed = {s["streamName"]: s["stats"]["recordsCommitted"] for s in detail["attempts"][-1]["attempt"]["streamStats"]}
        after = counts(world.warehouse.path, names)
        modes = {f"{connection.prefix}{s.name}": (s.name, s.sync_mode) for s in connection.streams}
        for table, (stream, mode) in modes.items():
            if mode == "incremental_append":
                assert after[table] - before[table] == committed[stream] > 0
            elif mode == "full_refresh_overwrite":
                assert after[table] == committed[stream] > 0
            else:  # dedup: a third of the batch updated existing ids, the rest are new rows
                assert after[table] - before[table] == committed[stream] - min(before[table], committed[stream] // 3)

        # PyAirbyte parity on the same job.
        cache = await result.get_sql_cache()
        assert await result.get_sql_database_name() == "demo"
        assert await result.get_sql_schema_name() == "main"
        assert await result.get_sql_table_name("charges") == "billing_charges"
        table = await result.get_sql_table("charges")
        assert {
            "_airbyte_raw_id",
            "_airbyte_extracted_at",
            "_airbyte_meta",
            "_airbyte_generation_id",
            "id",
            "amount",
        } <= set(table.columns.keys())
        assert sorted(result.streams) == sorted(s.name for s in connection.streams)
        assert len(await result.get_dataset("plans")) == after["billing_plans"]
        assert len(result.streams["charges"]) == after["billing_charges"]
        engine = await result.get_sql_engine()
        assert engine.url.drivername == "duckdb"

        # This job's window counts exactly the rows it extracted (append stream).
        summary = await stream_summary(cache, "charges", await result.refresh())
        assert summary.rows_in_job_window == committed["charges"]
        assert summary.row_count == after["billing_charges"]
        assert summary.latest is not None and len(summary.latest.rows) == 10
        with pytest.raises(QueryRefused):
            cache.run_sql_query("DELETE FROM billing_charges")
        # Read-only by construction: even past the guard, the engine cannot write.
        with pytest.raises(Exception, match=r"read-only|read only"):
            cache._execute("DELETE FROM billing_charges", limit=1, timeout_s=5)
        assert counts(world.warehouse.path, ["billing_charges"])["billing_charges"] == after["billing_charges"]
        cache.dispose()
    finally:
        await provider.aclose()


def run_cli(emu: RunningEmulator, *args: str) -> subprocess.CompletedProcess[str]:
    """`airsync query ARGS` in-process (tests/cli_helpers.py), Airbyte only, no warehouse secrets from the shell."""
    env = emulator_env(emu, AIRBYTE_CLIENT_SECRET=SECRET)
    env = {k: v for k, v in env.items() if not k.startswith(("HIGHTOUCH_", "SNOWFLAKE_", "POSTGRES_"))}
    return run_airsync("query", *args, env=env)


def test_cli_query_json_csv_and_refusals(emu: RunningEmulator) -> None:
    assert emu.world.warehouse is not None and emu.world.warehouse.wait_idle(30)
    path = emu.world.warehouse.path
    expected = counts(path, ["billing_charges"])["billing_charges"]
    listing = run_cli(emu, "DuckDB", "--json")
    assert listing.returncode == 0, listing.stderr
    rows = {r["stream"]: r for r in json.loads(listing.stdout)}
    assert rows["charges"]["table"] == "main.billing_charges" and rows["charges"]["rows"] == expected

    agg = run_cli(emu, "DuckDB", "--sql", "SELECT count(*) AS n FROM billing_charges", "--json")
    assert agg.returncode == 0, agg.stderr
    assert json.loads(agg.stdout) == [{"n": expected}]

    latest = run_cli(emu, "DuckDB", "plans", "--limit", "3", "--csv")
    assert latest.returncode == 0, latest.stderr
    lines = latest.stdout.splitlines()
    assert lines[0].startswith("_airbyte_raw_id,_airbyte_extracted_at,_airbyte_meta,_airbyte_generation_id,id,") and len(lines) == 4
    assert "first 3 rows" in latest.stderr

    refused = run_cli(emu, "DuckDB", "--sql", "DROP TABLE billing_charges")
    assert refused.returncode == 2 and refused.stdout == ""
    assert (
        refused.stderr.strip()
        == "airsync: error: refused: DROP is not a read-only query — only SELECT / WITH … SELECT / DESCRIBE / SHOW run here"
    )
    masked = run_cli(emu, "Postgres (orders)")
    assert masked.returncode == 2 and "SNOWFLAKE_PASSWORD" in masked.stderr and "Traceback" not in masked.stderr
    assert counts(path, ["billing_charges"])["billing_charges"] == expected


def test_inert_output_for_hostile_cells(emu: RunningEmulator) -> None:
    out = run_cli(emu, "DuckDB", "--sql", "SELECT chr(27) || '[2J' || 'boom' || chr(7) AS evil")
    assert out.returncode == 0, out.stderr
    assert "\x1b" not in out.stdout and "\x07" not in out.stdout and "boom" in out.stdout


def test_path_reaches_clients_only_through_the_destination(tmp_path: Path) -> None:
    # A second emulator with another file: each world writes its own destination_path.
    other = tmp_path / "other.duckdb"
    with start_emulator(
        EmulatorOptions(
            speed=1.0,
            big_log_lines=0,
            seed=9,
            client_id="data-other",
            client_secret="x",
            duckdb_path=str(other),
        )
    ) as em:
        assert em.world.warehouse is not None and em.world.warehouse.wait_idle(30)
        assert other.exists()


def test_a_delayed_writer_still_lands_the_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`airsync --demo` starts the DuckDB writer late (first screen first): the rows still land."""
    from airsync_tui.emulator.airbyte import warehouse

    monkeypatch.setattr(warehouse, "WRITER_START_DELAY", 1.0)
    path = tmp_path / "delayed.duckdb"
    running = start_emulator(
        EmulatorOptions(
            speed=50.0,
            big_log_lines=0,
            seed=5,
            client_id="airsync-data-tests",
            client_secret=SECRET,
            duckdb_path=str(path),
        )
    )
    try:
        running.world.pause_schedules()
        store = running.world.warehouse
        assert store is not None
        assert store.wait_idle(60)
        assert store.writes > 0
        connection = running.world.get_connection(duck_connection(running))
        names = [f"{connection.prefix}{s.name}" for s in connection.streams]
        assert sum(counts(str(path), names).values()) > 0
    finally:
        running.stop()
