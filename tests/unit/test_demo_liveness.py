"""The demo stays alive: every live job ends or moves within two virtual hours.

Before: the demo builder advanced its live jobs to "now" without scheduling
their next step, so HubSpot stayed `incomplete`, Postgres `running` at 97 %
and Zendesk `running` forever (and `airsync sync orders --wait` hung).
"""

from __future__ import annotations

from airsync_tui.emulator.airbyte.world import AirbyteWorld
from airsync_tui.emulator.clock import VirtualClock

START = 1_772_400_000.0


def test_every_live_demo_job_ends_within_two_virtual_hours() -> None:
    clock = VirtualClock(1e-9, start=START)  # moves only by advance()
    world = AirbyteWorld(clock, seed=7, big_log_lines=0)
    world.pause_schedules()  # only the jobs alive at start matter here
    live = {job_id: world.jobs[job_id - world.jobs[0].job_id].status for job_id in world.active_job_ids}
    assert len(live) >= 4
    for _ in range(2 * 60):  # two virtual hours, a tick per virtual minute
        clock.advance(60)
        world.tick()
    first = world.jobs[0].job_id
    stuck = {
        world.jobs[job_id - first].connection.name: world.jobs[job_id - first].status
        for job_id in live
        if not world.jobs[job_id - first].is_terminal
    }
    assert stuck == {}
    assert world.active_job_ids == set()


def test_every_job_moves_or_ends_with_schedules_on() -> None:
    """With schedules on, new jobs come and go; none stays in one state for two hours."""
    clock = VirtualClock(1e-9, start=START)
    world = AirbyteWorld(clock, seed=11, big_log_lines=0)
    first = world.jobs[0].job_id
    seen: dict[int, tuple[str, int, float]] = {}
    for minute in range(4 * 60):
        clock.advance(60)
        world.tick()
        now = clock.now()
        for job_id in list(world.active_job_ids):
            job = world.jobs[job_id - first]
            state = (job.status, job.next_step)
            previous = seen.get(job_id)
            if previous is None or previous[:2] != state:
                seen[job_id] = (*state, now)
            assert now - seen[job_id][2] <= 2 * 3600, (
                job.connection.name,
                job.status,
                minute,
            )


def test_hightouch_demo_runs_end_within_two_virtual_hours() -> None:
    from airsync_tui.emulator.hightouch.world import HightouchWorld

    clock = VirtualClock(1e-9, start=START)
    world = HightouchWorld(clock, seed=7)
    active = [s.active for s in world.syncs if s.active is not None]
    assert active
    for _ in range(2 * 60):
        clock.advance(60)
        world.tick()
    assert [(r.sync_id, r.status) for r in active if r.finished_at is None] == []
