"""Config API routes (`/api/v1/...`): POST-with-JSON RPCs used for logs and live stats.

Our watcher relies on `/jobs/list_for_workspaces` to fetch every active job's
live stats in one call, and the log viewer on `/jobs/get` / `/attempt/get_for_job`.
The big-log job's responses are rendered once (off the event loop) and cached
as bytes, since the job is finished and its body is ~100 MB.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from airsync_tui.emulator.airbyte import serialize
from airsync_tui.emulator.airbyte.logs import big_log_lines_json
from airsync_tui.emulator.airbyte.model import JOB_TYPE_BY_CONFIG_TYPE, Job
from airsync_tui.emulator.airbyte.world import AirbyteWorld, ConnectionNotActive, JobConflict, JobNotRunning, JobQuery
from airsync_tui.emulator.auth import TokenStore
from airsync_tui.emulator.http import config_error, json_response

CONFIG_STATUSES = frozenset({"pending", "queued", "running", "incomplete", "failed", "succeeded", "cancelled"})


class InvalidInput(ValueError):
    pass


def _invalid(message: str, path: str = "", value: Any = None) -> Response:
    error: dict[str, Any] = {"propertyPath": path, "message": message}
    if value is not None:
        error["invalidValue"] = str(value)
    return json_response({"message": message, "validationErrors": [error]}, status_code=422)


def _not_found(kind: str, identifier: Any) -> Response:
    return config_error(
        404,
        f"Could not find {kind} with id: {identifier}",
        id=str(identifier),
        exceptionClassName="io.airbyte.commons.server.errors.IdNotFoundKnownException",
    )


class BigLogCache:
    """Lazily rendered, cached response bytes for the big-log job (one lock so it renders once)."""

    def __init__(self, world: AirbyteWorld) -> None:
        self.world = world
        self._lines: bytes | None = None
        self._responses: dict[str, bytes] = {}
        self._lock = asyncio.Lock()

    def is_big(self, job: Job) -> bool:
        return job.big_log and self.world.big_log_lines > 0 and job.is_terminal and bool(job.attempts)

    async def response(self, job: Job, variant: str) -> bytes:
        async with self._lock:
            cached = self._responses.get(variant)
            if cached is None:
                cached = await run_in_threadpool(self._render, job, variant)
                self._responses[variant] = cached
            return cached

    def _render(self, job: Job, variant: str) -> bytes:
        if self._lines is None:
            self._lines = big_log_lines_json(job, job.attempts[-1], self.world.big_log_lines)
        now = self.world.clock.now()
        with self.world.lock:
            attempt_infos = []
            for attempt in job.attempts:
                head = orjson.dumps({"attempt": serialize.config_attempt(job, attempt, now, hydrated=False), "logType": "formatted"})
                attempt_infos.append(head[:-1] + b',"logs":{"logLines":' + self._lines + b"}}")
            if variant == "jobs/get":
                job_bytes = orjson.dumps(serialize.config_job(job, now, hydrated=False))
                return b'{"job":' + job_bytes + b',"attempts":[' + b",".join(attempt_infos) + b"]}"
            return attempt_infos[int(variant.rsplit(":", 1)[1])]


def _parse_query(body: dict[str, Any], *, with_workspaces: bool) -> tuple[JobQuery, int, int]:
    config_types = body.get("configTypes")
    if not isinstance(config_types, list) or not config_types:
        raise InvalidInput("configTypes is required and must not be empty")
    job_types = set()
    for value in config_types:
        config_type = str(value).lower()
        if config_type in JOB_TYPE_BY_CONFIG_TYPE:
            job_types.add(JOB_TYPE_BY_CONFIG_TYPE[config_type])
    query = JobQuery(job_types=frozenset(job_types), descending=True)
    if body.get("configId"):
        query.connection_id = str(body["configId"])
    if with_workspaces and body.get("workspaceIds"):
        query.workspace_ids = frozenset(str(w) for w in body["workspaceIds"])
    statuses = body.get("statuses")
    if statuses:
        lowered = frozenset(str(s).lower() for s in statuses)
        if not lowered <= CONFIG_STATUSES:
            raise InvalidInput(f"Unknown job status in {sorted(lowered)}")
        query.statuses = lowered
    for name, attr in (
        ("createdAtStart", "created_start"),
        ("createdAtEnd", "created_end"),
        ("updatedAtStart", "updated_start"),
        ("updatedAtEnd", "updated_end"),
    ):
        if body.get(name):
            try:
                setattr(query, attr, serialize.parse_iso(str(body[name])))
            except ValueError:
                raise InvalidInput(f"Invalid date-time for {name}") from None
    field = str(body.get("orderByField") or "createdAt")
    if field.lower() not in ("createdat", "updatedat"):
        raise InvalidInput(f"Invalid orderByField: {field}")
    query.order_field = "createdAt" if field.lower() == "createdat" else "updatedAt"
    query.descending = str(body.get("orderByMethod") or "DESC").upper() != "ASC"
    pagination = body.get("pagination") or {}
    page_size = int(pagination.get("pageSize") or 200)
    row_offset = int(pagination.get("rowOffset") or 0)
    if page_size < 1 or row_offset < 0:
        raise InvalidInput("pagination.pageSize must be >= 1 and rowOffset >= 0")
    return query, row_offset, page_size


def build_config_routes(world: AirbyteWorld, tokens: TokenStore) -> list[Route]:
    big_logs = BigLogCache(world)

    def now() -> float:
        return world.clock.now()

    async def read_body(request: Request) -> dict[str, Any]:
        raw = await request.body()
        try:
            body = orjson.loads(raw) if raw else {}
        except orjson.JSONDecodeError:
            raise InvalidInput("Request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise InvalidInput("Request body must be a JSON object")
        return body

    def job_from(body: dict[str, Any], key: str = "id") -> Job:
        if key not in body:
            raise InvalidInput(f"{key} is required")
        try:
            return world.get_job(int(body[key]))
        except (TypeError, ValueError):
            raise InvalidInput(f"{key} must be an integer") from None

    def endpoint(handler: Callable[[dict[str, Any]], Any]) -> Callable[[Request], Any]:
        async def wrapped(request: Request) -> Response:
            try:
                body = await read_body(request)
                result = handler(body)
                if asyncio.iscoroutine(result):
                    result = await result
                return result if isinstance(result, Response) else json_response(result)
            except InvalidInput as exc:
                return _invalid(str(exc))
            except KeyError as exc:
                return _not_found("resource", exc.args[0] if exc.args else "")

        return wrapped

    async def token(body: dict[str, Any]) -> Any:
        if not tokens.credentials_match(body.get("client_id"), body.get("client_secret")):
            return config_error(401, "Invalid client credentials")
        return {"access_token": tokens.issue()}

    async def jobs_get(body: dict[str, Any]) -> Any:
        job = job_from(body)
        if big_logs.is_big(job):
            return json_response(await big_logs.response(job, "jobs/get"))
        with world.lock:
            return serialize.job_info(job, now(), with_logs=True, hydrated=False)

    def jobs_get_without_logs(body: dict[str, Any]) -> Any:
        job = job_from(body)
        with world.lock:
            return serialize.job_info(job, now(), with_logs=False, hydrated=True)

    def jobs_get_light(body: dict[str, Any]) -> Any:
        job = job_from(body)
        with world.lock:
            return {"job": serialize.config_job(job, now(), hydrated=False)}

    def _attempt(body: dict[str, Any]) -> tuple[Job, int]:
        job = job_from(body, "jobId")
        if "attemptNumber" not in body:
            raise InvalidInput("attemptNumber is required")
        number = int(body["attemptNumber"])
        if number < 0 or number >= len(job.attempts):
            raise KeyError(f"{job.job_id}/{number}")
        return job, number

    async def attempt_get_for_job(body: dict[str, Any]) -> Any:
        job, number = _attempt(body)
        if big_logs.is_big(job):
            return json_response(await big_logs.response(job, f"attempt:{number}"))
        with world.lock:
            return serialize.attempt_info(job, job.attempts[number], now(), with_logs=True, hydrated=False)

    def attempt_combined_stats(body: dict[str, Any]) -> Any:
        job, number = _attempt(body)
        with world.lock:
            return serialize.combined_stats(job, job.attempts[number], now())

    def sync_progress(body: dict[str, Any]) -> Any:
        if "connectionId" not in body:
            raise InvalidInput("connectionId is required")
        with world.lock:
            return serialize.sync_progress(world, world.get_connection(str(body["connectionId"])), now())

    def connections_status(body: dict[str, Any]) -> Any:
        ids = body.get("connectionIds")
        if not isinstance(ids, list):
            raise InvalidInput("connectionIds is required")
        with world.lock:
            return [serialize.connection_status(world, world.get_connection(str(i)), now()) for i in ids]

    def jobs_cancel(body: dict[str, Any]) -> Any:
        job = job_from(body)
        try:
            with world.lock:
                world.cancel_job(job.job_id)
                return serialize.job_info(job, now(), with_logs=True, hydrated=False)
        except JobNotRunning:
            return config_error(
                409,
                f"Job {job.job_id} is not currently running",
                exceptionClassName="io.airbyte.commons.server.errors.ValueConflictKnownException",
            )

    def connections_sync(body: dict[str, Any]) -> Any:
        connection_id = str(body.get("connectionId") or "")
        try:
            with world.lock:
                job = world.create_job(connection_id, "sync")
                return serialize.job_info(job, now(), with_logs=False, hydrated=False)
        except KeyError:
            return _not_found("connection", connection_id)
        except JobConflict:
            return config_error(
                409,
                f"A sync is already running for: {connection_id}",
                exceptionClassName="io.airbyte.commons.server.errors.ValueConflictKnownException",
            )
        except ConnectionNotActive:
            return config_error(
                409, "Can only sync an active connection", exceptionClassName="io.airbyte.commons.server.errors.ValueConflictKnownException"
            )

    def list_jobs(with_workspaces: bool) -> Callable[[dict[str, Any]], Any]:
        def handler(body: dict[str, Any]) -> Any:
            query, offset, limit = _parse_query(body, with_workspaces=with_workspaces)
            with world.lock:
                page, total = world.query_jobs(query, offset, limit, want_total=True)
                current = now()
                return {"jobs": [serialize.job_with_attempts(job, current) for job in page], "totalJobCount": total or 0}

        return handler

    handlers: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
        ("/applications/token", token),
        ("/jobs/get", jobs_get),
        ("/jobs/get_without_logs", jobs_get_without_logs),
        ("/jobs/get_light", jobs_get_light),
        ("/jobs/cancel", jobs_cancel),
        ("/jobs/list", list_jobs(False)),
        ("/jobs/list_for_workspaces", list_jobs(True)),
        ("/attempt/get_for_job", attempt_get_for_job),
        ("/attempt/get_combined_stats", attempt_combined_stats),
        ("/connections/sync_progress", sync_progress),
        ("/connections/status", connections_status),
        ("/connections/sync", connections_sync),
    ]
    from airsync_tui.emulator.airbyte.stream_statuses import build_stream_status_routes
    from airsync_tui.emulator.airbyte.timeline import build_event_routes

    routes = [Route(path, endpoint(handler), methods=["POST"]) for path, handler in handlers]
    return routes + build_event_routes(world) + build_stream_status_routes(world)
