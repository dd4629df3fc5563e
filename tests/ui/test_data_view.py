"""The Data view against the emulator's DuckDB destination: job panel → `d` → counts, columns, rows, SQL prompt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input

from airsync_tui.emulator.airbyte.warehouse import DUCKDB
from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator
from airsync_tui.service.watcher import Watcher, WatcherConfig
from airsync_tui.ui.app import AirsyncApp, SessionInfo
from airsync_tui.ui.screens.connections import ConnectionsScreen
from airsync_tui.ui.screens.data_view import DataScreen
from airsync_tui.ui.screens.job import JobScreen
from tests.emulator_helpers import airbyte_provider, read_only_duckdb, warehouse_emulator
from tests.ui.conftest import SIZE, notifications, screen_text, type_into, wait_for

CONFIG = WatcherConfig(active_interval=0.3, idle_interval=0.5, progress_interval=0.5, detail_interval=0.5)


@pytest.fixture(scope="module")
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    path: Path = tmp_path_factory.mktemp("dataview") / "demo.duckdb"
    yield from warehouse_emulator(
        EmulatorOptions(
            seed=7,
            speed=1,
            big_log_lines=0,
            client_id="data-ui",
            client_secret="data-ui",
            duckdb_path=str(path),
        )
    )


def _app(emu: RunningEmulator) -> AirsyncApp:
    provider = airbyte_provider(emu)
    return AirsyncApp(Watcher([provider], CONFIG), SessionInfo(profile_name="emulator"))  # type: ignore[arg-type]


def _count(path: str, table: str) -> int:
    with read_only_duckdb(path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM main.{table}").fetchone()[0])


async def _open_data_view(pilot, app: AirsyncApp, emu: RunningEmulator) -> DataScreen:  # type: ignore[no-untyped-def]
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count > 0,
        timeout=10,
        what="connections",
    )
    connection = next(c for c in emu.world.connections if c.destination_name == DUCKDB)
    app.screen.table.move_to_key(f"airbyte:{connection.connection_id}")
    await pilot.pause()
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, JobScreen), what="job panel")
    await pilot.press("d")
    await wait_for(pilot, lambda: isinstance(app.screen, DataScreen), what="data view")
    screen = app.screen
    assert isinstance(screen, DataScreen)
    await wait_for(
        pilot,
        lambda: len(screen.summaries) == len(connection.streams),
        timeout=15,
        what="stream summaries",
    )
    await pilot.pause()
    return screen


async def test_data_view_shows_counts_columns_latest_rows_and_runs_sql(
    emu: RunningEmulator,
) -> None:
    assert emu.world.warehouse is not None
    expected = _count(emu.world.warehouse.path, "billing_charges")
    app = _app(emu)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_data_view(pilot, app, emu)
        charges = screen.summaries["charges"]
        assert charges.row_count == expected and charges.table == "main.billing_charges"
        assert charges.rows_in_job_window is not None and charges.rows_in_job_window > 0  # the latest job's rows
        text = screen_text(app)
        assert "main.billing_charges" in text and f"{expected:,}" in text
        assert "_airbyte_extracted_at" in text and "Latest rows of charges" in text

        await pilot.press("e")
        await type_into(pilot, app, "#data-sql", "select count(*) as n from billing_charges")
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: any(line.strip() == "1 row" for line in screen_text(app).splitlines()), timeout=10, what="query result"
        )
        assert str(expected) in screen_text(app)

        screen.query_one("#data-sql").value = "delete from billing_charges"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: "refused: DELETE is not a read-only query" in screen_text(app),
            timeout=10,
            what="refusal",
        )
        assert _count(emu.world.warehouse.path, "billing_charges") == expected

        field = screen.query_one("#data-sql", Input)
        field.value = "select count(*) from range(100000000000)"
        # Submitted as Enter does (the queries above came from the key), without Pilot's wait for an idle
        # process after a key: that wait runs to its 1 s limit twice while this query keeps a core busy.
        await field.action_submit()
        # The query's own status line (the header's "4 running" connections would match a bare "running").
        await wait_for(pilot, lambda: "running … (ctrl+g cancels)" in screen_text(app), timeout=5, what="running")
        # ctrl+g as soon as it runs, even before DuckDB has begun the scan (which clears an earlier
        # interrupt): the cancel keeps interrupting until the query ends (sql_access.QueryHandle).
        await pilot.press("ctrl+g")
        await wait_for(
            pilot,
            lambda: "query cancelled" in screen_text(app),
            timeout=10,
            what="cancel",
        )

        screen.query_one("#data-sql").value = "select '[bold red]x[/]' || chr(27) || '[31m' as evil"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: "[bold red]x[/]" in screen_text(app),
            timeout=10,
            what="inert markup",
        )
        await pilot.press("escape")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, JobScreen),
            what="back to the job panel",
        )
        assert not [n for n in notifications(app) if "Error" in n]


async def test_data_key_explains_when_the_destination_cannot_be_read(
    emu: RunningEmulator,
) -> None:
    app = _app(emu)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count > 0,
            timeout=10,
            what="connections",
        )
        s3 = next(c for c in emu.world.connections if c.destination_name == "S3" and c.status == "active")
        app.screen.table.move_to_key(f"airbyte:{s3.connection_id}")
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen), what="job panel")
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DataScreen), what="data view")
        await wait_for(
            pilot,
            lambda: "reading s3 destinations is not supported" in screen_text(app),
            timeout=10,
            what="one-line reason",
        )
