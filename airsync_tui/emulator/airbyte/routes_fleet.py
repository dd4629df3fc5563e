"""Fleet-action routes: public `PATCH /connections/{id}`, config `connections/refresh`,
`connections/clear/stream` and `connections/clear`.

Shapes follow the OpenAPI files in shared/reference/openapi (tests validate
them): PATCH answers the `ConnectionResponse`; refresh answers
`JobReadResponse` (`{"job": JobRead}` with `refreshConfig.streamsToRefresh`);
clear answers `JobInfoRead` with `resetConfig.streamsToReset`. Errors: public
problems (400 bad-request, 404 resource-not-found, 409 state-conflict) and
config `KnownExceptionInfo` bodies (404, 409, 422 `InvalidInputExceptionInfo`).
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from airsync_tui.emulator.airbyte import serialize
from airsync_tui.emulator.airbyte.fleet import (
    CronProblem,
    InvalidPatch,
    UnknownStreams,
    patch_connection,
    start_scoped_job,
)
from airsync_tui.emulator.airbyte.world import (
    AirbyteWorld,
    ConnectionNotActive,
    JobConflict,
)
from airsync_tui.emulator.http import (
    bad_request,
    config_error,
    json_response,
    not_found,
)

REFRESH_MODES = frozenset({"Truncate", "Merge"})
_CONFLICT = "io.airbyte.commons.server.errors.ValueConflictKnownException"


def _invalid(message: str, path: str = "", value: Any = None) -> Response:
    error: dict[str, Any] = {"propertyPath": path, "message": message}
    if value is not None:
        error["invalidValue"] = str(value)
    return json_response({"message": message, "validationErrors": [error]}, status_code=422)


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    return orjson.loads(raw) if raw.strip() else None


def build_public_fleet_routes(world: AirbyteWorld) -> list[Route]:
    async def patch(request: Request) -> Response:
        connection_id = request.path_params["connection_id"]
        try:
            body = await _json_body(request)
        except orjson.JSONDecodeError:
            return bad_request("Request body is not valid JSON")
        if not isinstance(body, dict):
            return bad_request("Request body must be a ConnectionPatchRequest object")
        try:
            outcome = patch_connection(world, connection_id, body)
        except KeyError:
            return not_found("connection", connection_id)
        except CronProblem as exc:
            body_out: dict[str, Any] = {
                "status": 400,
                "type": f"error:cron-validation/{exc.kind}",
                "title": exc.title,
                "detail": exc.detail,
            }
            if exc.data is not None:
                body_out["data"] = exc.data
            return json_response(body_out, status_code=400)
        except InvalidPatch as exc:
            return bad_request(str(exc))
        with world.lock:
            return json_response(serialize.public_connection(world, outcome.connection))

    return [Route("/connections/{connection_id}", patch, methods=["PATCH"])]


def _streams(body: dict[str, Any], *, required: bool) -> list[str] | Response:
    raw = body.get("streams")
    if raw is None:
        return _invalid("streams is required", "streams") if required else []
    if not isinstance(raw, list):
        return _invalid("streams must be an array", "streams", raw)
    names: list[str] = []
    for index, item in enumerate(raw):
        name = item.get("streamName") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name:
            return _invalid("streamName is required", f"streams[{index}].streamName", item)
        names.append(name)
    return names


def build_config_fleet_routes(world: AirbyteWorld) -> list[Route]:
    def now() -> float:
        return world.clock.now()

    async def scoped(request: Request, job_type: str, *, streams_required: bool) -> Response:
        try:
            body = await _json_body(request)
        except orjson.JSONDecodeError:
            return _invalid("Request body is not valid JSON")
        if not isinstance(body, dict) or not body.get("connectionId"):
            return _invalid("connectionId is required", "connectionId")
        connection_id = str(body["connectionId"])
        mode: str | None = None
        if job_type == "refresh":
            mode = body.get("refreshMode")
            if mode not in REFRESH_MODES:
                return _invalid("refreshMode must be one of Truncate, Merge", "refreshMode", mode)
        streams = _streams(body, required=streams_required)
        if isinstance(streams, Response):
            return streams
        if streams_required and not streams:
            return _invalid("streams must name at least one stream", "streams")
        try:
            job = start_scoped_job(world, connection_id, job_type, streams, mode)
        except KeyError:
            return config_error(
                404,
                f"Could not find connection with id: {connection_id}",
                id=connection_id,
                exceptionClassName="io.airbyte.commons.server.errors.IdNotFoundKnownException",
            )
        except UnknownStreams as exc:
            return _invalid(str(exc), "streams")
        except JobConflict:
            return config_error(
                409,
                f"A sync is already running for: {connection_id}",
                exceptionClassName=_CONFLICT,
            )
        except ConnectionNotActive:
            return config_error(409, "Can only sync an active connection", exceptionClassName=_CONFLICT)
        with world.lock:
            if job_type == "refresh":
                return json_response({"job": serialize.config_job(job, now(), hydrated=False)})
            return json_response(serialize.job_info(job, now(), with_logs=False, hydrated=False))

    async def refresh(request: Request) -> Response:
        return await scoped(request, "refresh", streams_required=False)

    async def clear_stream(request: Request) -> Response:
        return await scoped(request, "clear", streams_required=True)

    async def clear_all(request: Request) -> Response:
        return await scoped(request, "clear", streams_required=False)

    return [
        Route("/connections/refresh", refresh, methods=["POST"]),
        Route("/connections/clear/stream", clear_stream, methods=["POST"]),
        Route("/connections/clear", clear_all, methods=["POST"]),
    ]
