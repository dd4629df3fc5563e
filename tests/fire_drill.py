"""Fire drills in tests: run one job of a connection whose standing outcome is forced (`--outcome X=failed`)."""

from __future__ import annotations

from airsync_tui.emulator.airbyte.model import Job
from airsync_tui.emulator.airbyte.world import AirbyteWorld


def run_drill_job(world: AirbyteWorld, connection_id: str) -> Job:
    """Start a sync now and jump the emulator's clock past its end, so it has finished."""
    connection = world.connections_by_id[connection_id]
    if connection.active_job_id is not None:
        world.cancel_job(connection.active_job_id)
    job = world.create_job(connection_id, "sync")
    world.clock.advance(max(job.plan.attempts[-1].end - world.clock.now(), 0) + 1)
    world.tick()
    return job
