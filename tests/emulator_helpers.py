"""Small helpers for tests that drive a real emulator: a quiet world, settings that point at it, clean-up of jobs.

One place builds the settings/profile for an emulator so a change to how settings are made
(the config layer) is one edit here, not one per test file.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

from airsync_tui.config import AirbyteSettings, HightouchSettings, Profile
from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator, start_emulator
from airsync_tui.providers.airbyte.provider import AirbyteProvider


def quiet_emulator(options: EmulatorOptions) -> Iterator[RunningEmulator]:
    """Yield an emulator whose schedules are paused (scheduled jobs would race the test's own), then stop it.

    Use as the body of a fixture: `yield from quiet_emulator(EmulatorOptions(...))`.
    """
    running = start_emulator(options)
    running.world.pause_schedules()
    try:
        yield running
    finally:
        running.stop()


def warehouse_emulator(options: EmulatorOptions) -> Iterator[RunningEmulator]:
    """`quiet_emulator` with a DuckDB warehouse (`options.duckdb_path`) whose history backfill has landed."""
    emulators = quiet_emulator(options)
    running = next(emulators)
    try:
        assert running.world.warehouse is not None, "EmulatorOptions.duckdb_path is needed for a warehouse"
        assert running.world.warehouse.wait_idle(30), "the DuckDB backfill did not finish within 30 s"
        yield running
    finally:
        emulators.close()  # stops the emulator (quiet_emulator's finally), also when an assertion failed


def airbyte_settings(emu: RunningEmulator, **extra: Any) -> AirbyteSettings:
    """Airbyte settings for `emu`'s public API and credentials (`extra`: timeout, profile_name, ...)."""
    return AirbyteSettings(
        api_url=emu.public_api_url,
        client_id=emu.client_id,
        client_secret=emu.client_secret,
        workspace_id=emu.workspace_id,
        **extra,
    )


def airbyte_provider(emu: RunningEmulator, **extra: Any) -> AirbyteProvider:
    """A real Airbyte provider talking to `emu` over 127.0.0.1."""
    return AirbyteProvider.from_settings(airbyte_settings(emu, **extra))


def emulator_profile(emu: RunningEmulator, name: str, *, read_only: bool = False) -> Profile:
    """A profile with both providers pointing at `emu`."""
    # Provider settings are Profile's extra fields (one per registered provider): model_validate types cleanly.
    return Profile.model_validate(
        {
            "name": name,
            "airbyte": airbyte_settings(emu),
            "hightouch": HightouchSettings(api_url=emu.hightouch_api_url, api_key=emu.hightouch_api_key),
            "read_only": read_only,
        }
    )


def stop_job(world: Any, job_id: int) -> None:
    """Clean-up: cancel a job if it is still going (under load it may already have ended)."""
    with world.lock:
        if not world.get_job(job_id).is_terminal:
            world.cancel_job(job_id)


@contextlib.contextmanager
def read_only_duckdb(path: str, tries: int = 100) -> Iterator[Any]:
    """A read-only DuckDB connection to an emulator's warehouse file, retried while its writer holds it.

    Why: DuckDB lets one connection configuration use a file at a time; the emulator's writer
    thread opens the file read-write while it lands committed rows, as Airbyte's connector does,
    and the product's readers retry for the same reason (`sql_access._retry_while_locked`).
    """
    import duckdb

    for _ in range(tries):
        try:
            conn = duckdb.connect(path, read_only=True)
        except (duckdb.IOException, duckdb.ConnectionException):
            time.sleep(0.05)
            continue
        with conn:
            yield conn
        return
    raise AssertionError(f"the DuckDB file {path} stayed locked")
