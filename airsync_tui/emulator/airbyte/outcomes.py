"""Standing outcomes for fire drills: "fail Stripe now, then let it recover".

`airsync emulator --outcome CONNECTION=OUTCOME` (and the admin endpoint
`POST /_admin/outcomes`) force the outcome of a connection's *next jobs* —
scheduled or triggered — until changed or cleared, so an operator can try
their alert routes end to end. `force_next_outcome` (one manual job) stays
as it was; this is the standing, operator-facing variant.

Outcomes: succeeded, failed, stalled (an attempt that stops moving and only
fails hours later), slow (the normal work, four times slower).

Hightouch syncs take the same outcomes (by sync id or slug, when no Airbyte
connection has that id or name): see emulator/hightouch/outcomes.py.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from airsync_tui.emulator.airbyte.model import AttemptPlan, JobPlan

if TYPE_CHECKING:
    from airsync_tui.emulator.airbyte.model import Connection
    from airsync_tui.emulator.airbyte.world import AirbyteWorld
    from airsync_tui.emulator.hightouch.world import HightouchWorld

STANDING_OUTCOMES = ("succeeded", "failed", "stalled", "slow")
#: Virtual seconds a stalled attempt sits still before it finally fails.
STALL_SECONDS = 6 * 3600.0
SLOW_FACTOR = 4.0


def resolve_connection(world: AirbyteWorld, ref: str) -> str:
    """A connection id or exact name → id (KeyError with a one-line reason)."""
    if ref in world.connections_by_id:
        return ref
    matches = [c.connection_id for c in world.connections if c.name == ref]
    if len(matches) == 1:
        return matches[0]
    raise KeyError(f"no connection with id or exact name {ref!r}" if not matches else f"{ref!r} names several connections")


def set_outcome(
    world: AirbyteWorld,
    ref: str,
    outcome: str | None,
    hightouch: HightouchWorld | None = None,
) -> str:
    """Set (or with None clear) a standing outcome; returns the connection (or `hightouch:` sync) id.

    An Airbyte connection id or exact name wins; otherwise a Hightouch sync id or slug.
    """
    if outcome is not None and outcome not in STANDING_OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}; use one of {', '.join(STANDING_OUTCOMES)}")
    try:
        connection_id = resolve_connection(world, ref)
    except KeyError:
        from airsync_tui.emulator.hightouch.outcomes import find_sync

        if hightouch is None:
            raise
        sync = find_sync(hightouch, ref)
        if sync is None:
            raise
        with hightouch.lock:
            if outcome is None:
                hightouch.standing_outcomes.pop(sync.id, None)
            else:
                hightouch.standing_outcomes[sync.id] = outcome
        return f"hightouch:{sync.id}"
    with world.lock:
        if outcome is None:
            world.standing_outcomes.pop(connection_id, None)
        else:
            world.standing_outcomes[connection_id] = outcome
    return connection_id


def scripted_plan(
    world: AirbyteWorld,
    connection: Connection,
    created_at: float,
    outcome: str,
    *,
    job_seed: int,
) -> JobPlan:
    """The plan of a job under a standing outcome (built from the world's normal plans)."""
    if outcome == "failed":
        return world._make_plan(connection, "sync", created_at, "fatal", job_seed=job_seed)
    plan = world._make_plan(connection, "sync", created_at, "success", job_seed=job_seed)
    first = plan.attempts[0]
    if outcome == "slow":
        span = (first.end - first.start) * SLOW_FACTOR
        return replace(plan, attempts=[replace(first, end=first.start + span)])
    if outcome == "stalled":
        from airsync_tui.emulator.airbyte import catalog

        stuck = AttemptPlan(
            first.start,
            first.start + STALL_SECONDS,
            False,
            0.0,
            catalog.FATAL_FAILURES[0],
            None,
        )
        return replace(plan, attempts=[stuck])
    return plan


def admin_routes(world: AirbyteWorld, hightouch: HightouchWorld | None = None) -> list[Route]:
    """`GET/POST /_admin/outcomes`: read or change standing outcomes at run time (loopback emulator only)."""

    async def outcomes(request: Request) -> JSONResponse:
        if request.method == "POST":
            try:
                body = await request.json()
                ref = str(body["connection"])
                outcome = body.get("outcome")
                set_outcome(
                    world,
                    ref,
                    None if outcome in (None, "", "clear") else str(outcome),
                    hightouch,
                )
            except (ValueError, KeyError, TypeError) as exc:
                reason = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
                return JSONResponse(
                    {
                        "error": f"{reason}",
                        "expected": {
                            "connection": "id or exact name",
                            "outcome": list(STANDING_OUTCOMES) + ["clear"],
                        },
                    },
                    status_code=400,
                )
        with world.lock:
            current = dict(world.standing_outcomes)
        rows = [
            {
                "connectionId": cid,
                "name": world.connections_by_id[cid].name,
                "outcome": outcome,
            }
            for cid, outcome in sorted(current.items())
        ]
        if hightouch is not None:
            with hightouch.lock:
                forced = dict(hightouch.standing_outcomes)
                slugs = {s.id: s.slug for s in hightouch.syncs if s.id in forced}
            rows += [
                {
                    "connectionId": f"hightouch:{sid}",
                    "name": slugs[sid],
                    "outcome": outcome,
                }
                for sid, outcome in sorted(forced.items())
            ]
        return JSONResponse({"outcomes": rows})

    return [Route("/_admin/outcomes", outcomes, methods=["GET", "POST"])]
