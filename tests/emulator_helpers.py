"""Small helpers for tests that drive a real emulator: a quiet world, and clean-up of jobs they start."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator, start_emulator


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


def stop_job(world: Any, job_id: int) -> None:
    """Clean-up: cancel a job if it is still going (under load it may already have ended)."""
    with world.lock:
        if not world.get_job(job_id).is_terminal:
            world.cancel_job(job_id)
