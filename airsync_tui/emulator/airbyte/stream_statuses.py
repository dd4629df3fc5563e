"""Per-stream run states in the emulator (config API `stream_statuses/latest_per_run_state`).

Streams of one attempt finish at different times (a stream is complete once
the attempt's progress reaches 1/speed for it, see `model.stream_progress`),
and some streams of some jobs hit their source's API quota for a while: they
are RATE_LIMITED with `metadata.quotaReset` (epoch milliseconds) until the
quota resets, then RUNNING again. A failed or cancelled attempt leaves its
unfinished streams INCOMPLETE with the cause.

The endpoint returns, per stream, the latest status of each run state the
stream went through in the connection's newest job (the real server's
"latest per run state"), so a client picks the newest by `transitionedAt`.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from airsync_tui.emulator.http import json_response

if TYPE_CHECKING:
    from airsync_tui.emulator.airbyte.model import Attempt, Job
    from airsync_tui.emulator.airbyte.world import AirbyteWorld

#: Progress window (fraction of the stream's own progress) during which a limited stream waits for its quota.
RATE_LIMIT_WINDOW = (0.30, 0.55)


def rate_limited_stream(job: Job, index: int) -> bool:
    """Deterministic: about one stream in four of SaaS sources (no namespace) waits for quota once."""
    spec = job.connection.streams[index]
    return spec.namespace is None and (job.job_id * 7 + index * 3) % 4 == 0


def _time_at_fraction(attempt: Attempt, fraction: float) -> float:
    """When the attempt's overall progress reaches `fraction` (the inverse of `attempt_fraction`)."""
    plan = attempt.plan
    span = max(plan.end - plan.start, 1e-9)
    volume = max(plan.volume, 1e-9)
    return plan.start + min(1.0, fraction / volume) * span


def stream_run_states(job: Job, attempt: Attempt, now: float) -> list[list[tuple[str, float, dict[str, Any]]]]:
    """Per stream: the (runState, transitionedAt, extra) sequence so far, oldest first."""
    states: list[list[tuple[str, float, dict[str, Any]]]] = []
    ended = attempt.ended_at is not None and attempt.ended_at <= now
    for index, speed in enumerate(job.plan.speeds):
        seq: list[tuple[str, float, dict[str, Any]]] = [("PENDING", attempt.created_at, {})]
        started = attempt.created_at + 0.5
        if now < started:
            states.append(seq)
            continue
        seq.append(("RUNNING", started, {}))
        done_at = _time_at_fraction(attempt, 1.0 / speed) if attempt.plan.volume * speed >= 1.0 else None
        if rate_limited_stream(job, index):
            limited_at = _time_at_fraction(attempt, RATE_LIMIT_WINDOW[0] / speed)
            reset_at = _time_at_fraction(attempt, RATE_LIMIT_WINDOW[1] / speed)
            if limited_at <= now and (attempt.ended_at is None or limited_at < attempt.ended_at):
                seq.append(
                    (
                        "RATE_LIMITED",
                        limited_at,
                        {"metadata": {"quotaReset": int(reset_at * 1000)}},
                    )
                )
                if reset_at <= now and (attempt.ended_at is None or reset_at < attempt.ended_at):
                    seq.append(("RUNNING", reset_at, {}))
        if done_at is not None and done_at <= now and (attempt.status == "succeeded" or done_at < (attempt.ended_at or now + 1)):
            seq.append(("COMPLETE", done_at, {}))
        elif ended and attempt.status != "succeeded":
            cause = "CANCELED" if attempt.failure is not None and attempt.failure.failure_type == "manual_cancellation" else "FAILED"
            assert attempt.ended_at is not None
            seq.append(("INCOMPLETE", attempt.ended_at, {"incompleteRunCause": cause}))
        elif ended:
            seq.append(("COMPLETE", attempt.ended_at or now, {}))
        states.append(seq)
    return states


def latest_per_run_state(world: AirbyteWorld, connection_id: str, now: float) -> dict[str, Any]:
    connection = world.connections_by_id[connection_id]
    if not connection.job_ids:
        return {"streamStatuses": []}
    job = world.get_job(connection.job_ids[-1])
    if not job.attempts:
        return {"streamStatuses": []}
    attempt = job.attempts[-1]
    out: list[dict[str, Any]] = []
    for spec, seq in zip(job.connection.streams, stream_run_states(job, attempt, now), strict=True):
        latest: dict[str, tuple[float, dict[str, Any]]] = {}
        for state, at, extra in seq:
            latest[state] = (at, extra)
        for state, (at, extra) in latest.items():
            item: dict[str, Any] = {
                "id": str(
                    uuid.uuid5(
                        uuid.NAMESPACE_URL,
                        f"{job.job_id}/{attempt.number}/{spec.name}/{state}",
                    )
                ),
                "attemptNumber": attempt.number,
                "connectionId": connection_id,
                "jobId": job.job_id,
                "jobType": "RESET" if job.job_type in ("reset", "clear") else "SYNC",
                "runState": state,
                "streamName": spec.name,
                "transitionedAt": int(at * 1000),
                "workspaceId": connection.workspace_id,
                **extra,
            }
            if spec.namespace:
                item["streamNamespace"] = spec.namespace
            out.append(item)
    return {"streamStatuses": out}


def build_stream_status_routes(world: AirbyteWorld) -> list[Route]:
    async def handler(request: Request) -> Response:
        try:
            body = orjson.loads(await request.body() or b"{}")
        except orjson.JSONDecodeError:
            body = None
        if not isinstance(body, dict) or not body.get("connectionId"):
            message = "connectionId is required"
            return json_response(
                {
                    "message": message,
                    "validationErrors": [{"propertyPath": "connectionId", "message": message}],
                },
                status_code=422,
            )
        connection_id = str(body["connectionId"])
        with world.lock:
            if connection_id not in world.connections_by_id:
                return json_response(
                    {"message": f"Could not find connection with id: {connection_id}"},
                    status_code=404,
                )
            return json_response(latest_per_run_state(world, connection_id, world.clock.now()))

    return [Route("/stream_statuses/latest_per_run_state", handler, methods=["POST"])]
