"""Standing outcomes for Hightouch syncs: the same fire drills as Airbyte's.

`airsync emulator --outcome SYNC=OUTCOME` and `POST /_admin/outcomes` reach a
Hightouch sync by its id or slug (see emulator/airbyte/outcomes.py for the
shared parsing and the admin endpoint). Each next run of that sync — scheduled
or triggered — takes the forced outcome instead of its random one:

- succeeded: a clean run (no rejected rows);
- failed: the warehouse query fails (status `failed`);
- stalled: the run sits in `querying` with no rows moving for hours, then fails;
- slow: the normal work, four times slower.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from airsync_tui.emulator.hightouch.model import ZERO_ROWS, RunPlan

if TYPE_CHECKING:
    from airsync_tui.emulator.hightouch.model import Sync
    from airsync_tui.emulator.hightouch.world import HightouchWorld

#: Virtual seconds a stalled run sits in `querying` before it finally fails (as Airbyte's stall).
STALL_SECONDS = 6 * 3600.0
SLOW_FACTOR = 4.0
STALL_ERROR = "Query did not return within 6 hours and was cancelled by the warehouse."


def find_sync(world: HightouchWorld, ref: str) -> Sync | None:
    """A sync by id (digits, or the `hightouch:ID` key) or slug; None when nothing matches."""
    bare = ref.removeprefix("hightouch:")
    with world.lock:
        if bare.isdigit():
            for sync in world.syncs:
                if sync.id == int(bare):
                    return sync
        for sync in world.syncs:
            if sync.slug == ref:
                return sync
    return None


def forced_plan(plan: RunPlan, outcome: str) -> RunPlan:
    """The plan of a run under a standing outcome, built from the run's own random plan."""
    working = [(status, seconds) for status, seconds in plan.phases if status != "pending"]
    if outcome == "failed":
        querying = next((s for st, s in working if st == "querying"), 10.0)
        return RunPlan(
            [("querying", querying)],
            "failed",
            0,
            ZERO_ROWS,
            ZERO_ROWS,
            ZERO_ROWS,
            'Query failed: relation "analytics.orders" does not exist (fire drill).',
            0.0,
        )
    if outcome == "stalled":
        return RunPlan([("querying", STALL_SECONDS)], "failed", 0, ZERO_ROWS, ZERO_ROWS, ZERO_ROWS, STALL_ERROR, 0.0)
    if plan.outcome != "success":  # succeeded/slow: the normal work, done cleanly
        phases = working
        if [status for status, _ in phases][-1:] != ["reporting"]:
            phases = [p for p in phases if p[0] == "querying"] + [("processing", 30.0), ("reporting", 3.0)]
        plan = RunPlan(phases, "success", plan.query_size, plan.planned, plan.planned, ZERO_ROWS, None, 1.0)
    if outcome == "slow":
        return dataclasses.replace(plan, phases=[(status, seconds * SLOW_FACTOR) for status, seconds in plan.phases])
    return plan
