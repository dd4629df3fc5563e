"""Reading an Airbyte Postgres destination on a real PostgreSQL server (Debian's `postgresql` package).

The fixture runs `initdb` + `pg_ctl` in a tmp dir on a free port (as the
`postgres` system user when the tests run as root, which initdb refuses) and
loads tables the way destination-postgres lays them out.
"""

from __future__ import annotations

import datetime as dt
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from airsync_tui.providers.airbyte.destination_sql import MissingSecret, SecretSource
from airsync_tui.providers.airbyte.sql_access import (
    QueryCancelled,
    QueryFailed,
    QueryRefused,
    build_sql_cache,
)

PASSWORD = "pg-test-7d1e"


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def postgres() -> Iterator[int]:
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed: apt-get install -y postgresql")
    pytest.importorskip("psycopg", reason="the [postgres] extra (psycopg) is not installed")
    # Not a pytest tmp dir: pytest keeps /tmp/pytest-of-<user> at 0700 (re-applied by each xdist worker),
    # which the `postgres` user could not traverse. /tmp itself is traversable.
    base = Path(tempfile.mkdtemp(prefix="airsync-pg-"))
    try:
        prefix: list[str] = []
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root and no 'postgres' user to run initdb as")
            os.chown(base, user.pw_uid, user.pw_gid)
            prefix = ["runuser", "-u", "postgres", "--"]
        data, pwfile = base / "data", base / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if prefix:
            os.chown(pwfile, pwd.getpwnam("postgres").pw_uid, -1)
        subprocess.run(
            [
                *prefix,
                initdb,
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=scram-sha-256",
                f"--pwfile={pwfile}",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
            cwd=base,
        )
        port = _free_port()
        options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1"
        started = subprocess.run(
            [
                *prefix,
                pg_ctl,
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(base / "log"),
                "-w",
                "start",
            ],
            capture_output=True,
            text=True,
            cwd=base,
            check=False,
        )
        assert started.returncode == 0, (
            started.stdout + started.stderr + (base / "log").read_text(errors="replace") if (base / "log").exists() else started.stderr
        )
        try:
            import psycopg

            with psycopg.connect(
                host="127.0.0.1",
                port=port,
                user="postgres",
                password=PASSWORD,
                dbname="postgres",
                autocommit=True,
            ) as conn:
                conn.execute("CREATE SCHEMA zendesk")
                conn.execute("CREATE SCHEMA airbyte_internal")
                conn.execute(
                    "CREATE TABLE zendesk.zd_tickets (_airbyte_raw_id varchar, _airbyte_extracted_at timestamptz, _airbyte_meta jsonb,"
                    " _airbyte_generation_id bigint, id bigint, subject text, status text)"
                )
                conn.execute(
                    "INSERT INTO zendesk.zd_tickets SELECT gen_random_uuid()::text, %s + (i || ' seconds')::interval, '{}'::jsonb, 0, i,"
                    " 'Ticket ' || i, CASE WHEN i %% 3 = 0 THEN 'solved' ELSE 'open' END FROM generate_series(1, 250) i",
                    (dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC),),
                )
                # The emulator's "Zendesk Support → Postgres" has no prefix: its tickets land in zendesk.tickets.
                conn.execute("CREATE TABLE zendesk.tickets AS SELECT * FROM zendesk.zd_tickets WHERE id <= 40")
            yield port
        finally:
            subprocess.run(
                [*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
                capture_output=True,
                check=False,
            )
    finally:
        shutil.rmtree(base, ignore_errors=True)


def cache_for(port: int, env: dict[str, str]):  # type: ignore[no-untyped-def]
    connection = {
        "connectionId": "c",
        "destinationId": "d",
        "prefix": "zd_",
        "namespaceDefinition": "destination",
        "configurations": {
            "streams": [
                {"name": "tickets", "syncMode": "incremental_append"},
                {"name": "users"},
            ]
        },
    }
    destination = {
        "destinationId": "d",
        "name": "Support warehouse",
        "destinationType": "postgres",
        "configuration": {
            "host": "127.0.0.1",
            "port": port,
            "database": "postgres",
            "schema": "zendesk",
            "username": "postgres",
            "password": "**********",
            "ssl_mode": {"mode": "disable"},
        },
    }
    return build_sql_cache(connection, destination, SecretSource(env=env), timeout_s=20)


def test_summary_and_queries_on_a_real_server(postgres: int) -> None:
    cache = cache_for(postgres, {"POSTGRES_PASSWORD": PASSWORD})
    try:
        window = (
            dt.datetime(2026, 11, 30, 12, 0, 1, tzinfo=dt.UTC),
            dt.datetime(2026, 11, 30, 12, 1, 40, tzinfo=dt.UTC),
        )
        summary = cache.summary("tickets", window=window, latest=5)
        assert summary.exists and summary.table == "zendesk.zd_tickets" and summary.row_count == 250
        assert [c.name for c in summary.columns][:5] == [
            "_airbyte_raw_id",
            "_airbyte_extracted_at",
            "_airbyte_meta",
            "_airbyte_generation_id",
            "id",
        ]
        assert summary.newest_extracted_at == dt.datetime(2026, 11, 30, 12, 4, 10, tzinfo=dt.UTC)
        assert summary.rows_in_job_window == 100
        assert summary.latest is not None and [row[4] for row in summary.latest.rows] == [250, 249, 248, 247, 246]
        assert not cache.summary("users").exists
        result = cache.run_sql_query("SELECT status, count(*) AS n FROM zendesk.zd_tickets GROUP BY status ORDER BY status")
        assert result.columns == ("status", "n") and result.rows == (
            ("open", 167),
            ("solved", 83),
        )
        assert cache.get_sql_engine().url.password == PASSWORD
        assert cache.streams["tickets"].__len__() == 250
    finally:
        cache.dispose()


def test_read_only_guard_engine_and_timeout(postgres: int) -> None:
    cache = cache_for(postgres, {"PGPASSWORD": PASSWORD})
    try:
        with pytest.raises(QueryRefused, match="UPDATE"):
            cache.run_sql_query("UPDATE zendesk.zd_tickets SET status = 'x'")
        # Past the guard, the session itself refuses to write (default_transaction_read_only).
        with pytest.raises(QueryFailed, match="read-only transaction"):
            cache._execute("DELETE FROM zendesk.zd_tickets", limit=1, timeout_s=10)
        with pytest.raises(QueryCancelled, match=r"timed out after 0\.5 s"):
            cache.run_sql_query("SELECT pg_sleep(10)", timeout_s=0.5)
        assert cache.run_sql_query("SELECT count(*) FROM zendesk.zd_tickets WHERE id % 2 = 0").rows == ((125,),)
        big = cache.run_sql_query("SELECT * FROM generate_series(1, 1000)", limit=7)
        assert len(big.rows) == 7 and big.truncated
    finally:
        cache.dispose()


def test_wrong_or_missing_password_is_one_line(postgres: int) -> None:
    with pytest.raises(MissingSecret, match="POSTGRES_PASSWORD or PGPASSWORD"):
        cache_for(postgres, {})
    cache = cache_for(postgres, {"POSTGRES_PASSWORD": "wrong"})
    with pytest.raises(QueryFailed) as err:
        cache.summary("tickets")
    assert "password authentication failed" in err.value.one_line() and "wrong" not in err.value.one_line()
    assert "\n" not in err.value.one_line()


def test_airsync_query_cli_against_the_real_server(postgres: int) -> None:
    """`airsync query` end to end: emulator API → destination config → real Postgres, password from the env."""
    from airsync_tui.emulator.airbyte.warehouse import override_destination
    from airsync_tui.emulator.server import EmulatorOptions, start_emulator
    from tests.cli_helpers import run_airsync

    with start_emulator(EmulatorOptions(speed=1.0, big_log_lines=0, client_id="pg-cli", client_secret="pg-cli")) as emu:
        zendesk = emu.world.connection_by_name("Zendesk Support → Postgres")
        override_destination(
            emu.world,
            zendesk.destination_id,
            {
                "host": "127.0.0.1",
                "port": postgres,
                "database": "postgres",
                "schema": "zendesk",
                "username": "postgres",
                "password": "**********",
                "ssl_mode": {"mode": "disable"},
            },
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRBYTE_", "HIGHTOUCH_", "AIRSYNC_", "POSTGRES_", "PG"))}
        env.update(
            AIRBYTE_API_ROOT=emu.public_api_url,
            AIRBYTE_CLIENT_ID="pg-cli",
            AIRBYTE_CLIENT_SECRET="pg-cli",
            AIRBYTE_WORKSPACE_ID=emu.workspace_id,
            AIRSYNC_CONFIG=os.devnull,
        )

        def query(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
            return run_airsync("query", "Zendesk", *args, env={**env, **extra})  # in-process (tests/cli_helpers.py)

        missing = query()
        assert missing.returncode == 2 and "POSTGRES_PASSWORD" in missing.stderr and "Traceback" not in missing.stderr
        listing = query("--json", POSTGRES_PASSWORD=PASSWORD)
        assert listing.returncode == 0, listing.stderr
        rows = {r["stream"]: r for r in json.loads(listing.stdout)}
        assert rows["tickets"]["table"] == "zendesk.tickets" and rows["tickets"]["rows"] == 40
        assert rows["users"]["rows"] is None  # no table yet
        agg = query(
            "--sql",
            "SELECT status, count(*) AS n FROM zendesk.tickets GROUP BY status ORDER BY status",
            "--csv",
            POSTGRES_PASSWORD=PASSWORD,
        )
        assert agg.returncode == 0, agg.stderr
        assert agg.stdout.splitlines() == ["status,n", "open,27", "solved,13"]
        refused = query("--sql", "TRUNCATE zendesk.tickets", POSTGRES_PASSWORD=PASSWORD)
        assert refused.returncode == 2 and "refused" in refused.stderr


async def test_data_view_against_the_real_server(postgres: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dashboard's Data view (Pilot) on the emulator's Postgres connection, pointed at the real server."""
    from airsync_tui.config import AirbyteSettings
    from airsync_tui.emulator.airbyte.warehouse import override_destination
    from airsync_tui.emulator.server import EmulatorOptions, start_emulator
    from airsync_tui.providers.airbyte.provider import AirbyteProvider
    from airsync_tui.service.watcher import Watcher, WatcherConfig
    from airsync_tui.ui.app import AirsyncApp, SessionInfo
    from airsync_tui.ui.screens.connections import ConnectionsScreen
    from airsync_tui.ui.screens.data_view import DataScreen
    from airsync_tui.ui.screens.job import JobScreen
    from tests.ui.conftest import SIZE, screen_text, type_into, wait_for

    monkeypatch.setenv("POSTGRES_PASSWORD", PASSWORD)
    monkeypatch.setenv("AIRSYNC_CONFIG", os.devnull)
    with start_emulator(EmulatorOptions(speed=1.0, big_log_lines=0, client_id="pg-ui", client_secret="pg-ui")) as emu:
        emu.world.pause_schedules()
        zendesk = emu.world.connection_by_name("Zendesk Support → Postgres")
        override_destination(
            emu.world,
            zendesk.destination_id,
            {
                "host": "127.0.0.1",
                "port": postgres,
                "database": "postgres",
                "schema": "zendesk",
                "username": "postgres",
                "password": "**********",
                "ssl_mode": {"mode": "disable"},
            },
        )
        provider = AirbyteProvider.from_settings(
            AirbyteSettings(
                api_url=emu.public_api_url,
                client_id="pg-ui",
                client_secret="pg-ui",
                workspace_id=emu.workspace_id,
            )
        )
        config = WatcherConfig(
            active_interval=0.3,
            idle_interval=0.5,
            progress_interval=0.5,
            detail_interval=0.5,
        )
        app = AirsyncApp(Watcher([provider], config), SessionInfo(profile_name="emulator"))  # type: ignore[arg-type]
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(
                pilot,
                lambda: isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count > 0,
                timeout=10,
                what="connections",
            )
            app.screen.table.move_to_key(f"airbyte:{zendesk.connection_id}")  # type: ignore[attr-defined]
            await pilot.pause()
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, JobScreen), what="job panel")
            await pilot.press("d")
            await wait_for(
                pilot,
                lambda: isinstance(app.screen, DataScreen) and len(app.screen.summaries) == len(zendesk.streams),
                timeout=15,
                what="summaries",
            )
            screen = app.screen
            assert isinstance(screen, DataScreen)
            assert screen.summaries["tickets"].row_count == 40 and not screen.summaries["users"].exists
            # The summaries can arrive a frame before they are painted (seen under load): wait for the paint.
            await wait_for(
                pilot,
                lambda: "zendesk.tickets" in screen_text(app) and "no table yet" in screen_text(app),
                timeout=10,
                what="the summaries painted",
            )
            await pilot.press("e")
            await type_into(pilot, app, "#data-sql", "select count(*) from zendesk.tickets where status = 'solved'")
            await pilot.press("enter")
            # The status line ("1 row") and the result grid can land in different frames under load.
            await wait_for(
                pilot,
                lambda: "13" in screen_text(app).partition("1 row")[2],
                timeout=10,
                what="query result: 1 row, 13",
            )
            assert "13" in screen_text(app).split("1 row", 1)[1]
