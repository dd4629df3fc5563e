"""Public API v1 routes (`/api/public/v1/...`), as the official SDK and PyAirbyte call them.

Behaviour worth knowing (all from the verified reference): `POST /jobs` answers
200 (not 201); a running sync gives 409 `try-again-later`; `GET /jobs` defaults
to `createdAt|ASC`; `next` is "" only for an empty page and `previous` is ""
only at offset 0, both absolute URLs with comma-joined `workspaceIds`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from airsync_tui.emulator.airbyte import serialize
from airsync_tui.emulator.airbyte.world import AirbyteWorld, ConnectionNotActive, JobConflict, JobNotRunning, JobQuery
from airsync_tui.emulator.auth import TokenStore
from airsync_tui.emulator.http import bad_request, json_response, not_found, problem, unauthorized

JOB_TYPES = frozenset({"sync", "reset", "refresh", "clear"})
JOB_STATUSES = frozenset({"pending", "queued", "running", "incomplete", "failed", "succeeded", "cancelled"})
ORDER_BY = re.compile(r"^([a-zA-Z0-9]+)\|(ASC|DESC)$")


class InvalidParam(ValueError):
    pass


def _int_param(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidParam(f"Invalid value for {name}: {raw}") from None
    if value < low or (high is not None and value > high):
        raise InvalidParam(f"{name} must be between {low} and {high if high is not None else 'infinity'}")
    return value


def _bool_param(request: Request, name: str) -> bool:
    return (request.query_params.get(name) or "false").lower() == "true"


def _uuid_list(request: Request, name: str) -> list[str]:
    values: list[str] = []
    for raw in request.query_params.getlist(name):
        values.extend(part.strip() for part in raw.split(",") if part.strip())
    return values


def _page_links(request: Request, resource: str, offset: int, limit: int, page_len: int) -> tuple[str, str]:
    """Absolute `next`/`previous` URLs following the server's PaginationMapper rules."""
    params: list[tuple[str, str]] = []
    joined: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        if key in ("limit", "offset"):
            continue
        if key in ("workspaceIds", "tagIds"):
            if key not in joined:
                joined[key] = []
                params.append((key, ""))
            joined[key].extend(v for v in value.split(",") if v)
            continue
        params.append((key, value))
    params = [(k, ",".join(joined[k]) if k in joined else v) for k, v in params]
    # The list URL itself (scheme, host, mount prefix, resource), minus its query string.
    base = str(request.url.replace(query="")).rstrip("/")
    assert base.endswith("/" + resource)

    def link(new_offset: int) -> str:
        return f"{base}?{urlencode(params + [('limit', str(limit)), ('offset', str(new_offset))], safe=',|:')}"

    next_url = "" if page_len == 0 else link(offset + limit)
    previous_url = "" if offset == 0 else link(max(0, offset - limit))
    return next_url, previous_url


def build_public_routes(world: AirbyteWorld, tokens: TokenStore) -> list[Route]:
    def now() -> float:
        return world.clock.now()

    async def health(request: Request) -> Response:
        return PlainTextResponse("Successful operation")

    async def token(request: Request) -> Response:
        content_type = request.headers.get("content-type", "")
        body: object  # JSON may decode to any value; checked below
        try:
            if "application/x-www-form-urlencoded" in content_type:
                # Parsed by hand: Starlette's form parser needs python-multipart, which we avoid.
                pairs = parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True)
                body = dict(pairs)
            else:
                raw = await request.body()
                body = orjson.loads(raw) if raw else {}
        except orjson.JSONDecodeError:
            return bad_request("Request body is not valid JSON")
        if not isinstance(body, dict):
            return bad_request("Request body must be an object")
        grant = body.get("grant-type", body.get("grant_type", "client_credentials"))
        if grant != "client_credentials":
            return bad_request(f"Unsupported grant type: {grant}")
        if not tokens.credentials_match(body.get("client_id"), body.get("client_secret")):
            return unauthorized("Invalid client credentials")
        return json_response({"access_token": tokens.issue(), "token_type": "Bearer", "expires_in": tokens.expires_in()})

    async def list_workspaces(request: Request) -> Response:
        try:
            limit = _int_param(request, "limit", 20, 1, 100)
            offset = _int_param(request, "offset", 0, 0, None)
        except InvalidParam as exc:
            return bad_request(str(exc))
        wanted = set(_uuid_list(request, "workspaceIds"))
        workspaces = [w for w in world.workspaces if not wanted or w.workspace_id in wanted]
        page = workspaces[offset : offset + limit]
        next_url, previous_url = _page_links(request, "workspaces", offset, limit, len(page))
        return json_response({"previous": previous_url, "next": next_url, "data": [serialize.public_workspace(w) for w in page]})

    async def get_workspace(request: Request) -> Response:
        workspace_id = request.path_params["workspace_id"]
        for workspace in world.workspaces:
            if workspace.workspace_id == workspace_id:
                return json_response(serialize.public_workspace(workspace))
        return not_found("workspace", workspace_id)

    async def list_connections(request: Request) -> Response:
        try:
            limit = _int_param(request, "limit", 20, 1, 100)
            offset = _int_param(request, "offset", 0, 0, None)
        except InvalidParam as exc:
            return bad_request(str(exc))
        workspace_ids = _uuid_list(request, "workspaceIds") or None
        tag_ids = set(_uuid_list(request, "tagIds"))
        with world.lock:
            connections = world.visible_connections(workspace_ids, _bool_param(request, "includeDeleted"))
            if tag_ids:
                connections = [c for c in connections if tag_ids & {world.tag(c.workspace_id, n).tag_id for n in c.tag_names}]
            page = connections[offset : offset + limit]
            data = [serialize.public_connection(world, c) for c in page]
        next_url, previous_url = _page_links(request, "connections", offset, limit, len(page))
        return json_response({"previous": previous_url, "next": next_url, "data": data})

    async def get_connection(request: Request) -> Response:
        connection_id = request.path_params["connection_id"]
        connection = world.connections_by_id.get(connection_id)
        if connection is None:
            return not_found("connection", connection_id)
        with world.lock:
            return json_response(serialize.public_connection(world, connection))

    async def list_jobs(request: Request) -> Response:
        params = request.query_params
        try:
            limit = _int_param(request, "limit", 20, 1, 100)
            offset = _int_param(request, "offset", 0, 0, None)
            query = JobQuery()
            order_by = params.get("orderBy")
            if order_by:
                match = ORDER_BY.match(order_by)
                field = match.group(1).lower() if match else ""
                if not match or field not in ("createdat", "updatedat"):
                    return bad_request(f"Invalid order by clause provided: {order_by}")
                query.order_field = "createdAt" if field == "createdat" else "updatedAt"
                query.descending = match.group(2) == "DESC"
            query.connection_id = params.get("connectionId") or None
            if query.connection_id is None:
                workspace_ids = _uuid_list(request, "workspaceIds")
                query.workspace_ids = frozenset(workspace_ids) if workspace_ids else None
            job_type = params.get("jobType")
            if job_type:
                if job_type not in JOB_TYPES:
                    raise InvalidParam(f"Invalid jobType: {job_type}")
                query.job_types = frozenset({job_type})
            status = params.get("status")
            if status:
                if status not in JOB_STATUSES:
                    raise InvalidParam(f"Invalid status: {status}")
                query.statuses = frozenset({status})
            for name, attr in (
                ("createdAtStart", "created_start"),
                ("createdAtEnd", "created_end"),
                ("updatedAtStart", "updated_start"),
                ("updatedAtEnd", "updated_end"),
            ):
                raw = params.get(name)
                if raw:
                    try:
                        setattr(query, attr, serialize.parse_iso(raw))
                    except ValueError:
                        raise InvalidParam(f"Invalid date-time for {name}: {raw}") from None
        except InvalidParam as exc:
            return bad_request(str(exc))
        with world.lock:
            page, _ = world.query_jobs(query, offset, limit)
            current = now()
            data = [serialize.public_job(job, current) for job in page]
        next_url, previous_url = _page_links(request, "jobs", offset, limit, len(page))
        return json_response({"previous": previous_url, "next": next_url, "data": data})

    async def create_job(request: Request) -> Response:
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return bad_request("Request body is not valid JSON")
        if not isinstance(body, dict) or "connectionId" not in body or "jobType" not in body:
            return problem(
                422,
                "unprocessable-entity",
                "The body of the request was not understood",
                {"message": "connectionId and jobType are required"},
            )
        connection_id, job_type = str(body["connectionId"]), str(body["jobType"])
        if job_type == "refresh":
            return problem(
                422,
                "unprocessable-entity",
                "The body of the request was not understood",
                {"message": "Refreshes are not supported in the public API"},
            )
        if job_type not in JOB_TYPES:
            return problem(
                422, "unprocessable-entity", "The body of the request was not understood", {"message": f"Unknown jobType: {job_type}"}
            )
        try:
            with world.lock:
                job = world.create_job(connection_id, job_type)
                return json_response(serialize.public_job(job, now()))
        except KeyError:
            return not_found("connection", connection_id)
        except JobConflict:
            return problem(
                409, "try-again-later", "Please try again later.", {"message": f"A sync is already running for: {connection_id}"}
            )
        except ConnectionNotActive:
            return problem(409, "state-conflict", "State conflict", {"message": "Could not fulfill request"})

    def _job_id(request: Request) -> int | None:
        try:
            return int(request.path_params["job_id"])
        except ValueError:
            return None

    async def get_job(request: Request) -> Response:
        job_id = _job_id(request)
        try:
            if job_id is None:
                raise KeyError
            with world.lock:
                return json_response(serialize.public_job(world.get_job(job_id), now()))
        except KeyError:
            return not_found("job", request.path_params["job_id"])

    async def cancel_job(request: Request) -> Response:
        job_id = _job_id(request)
        try:
            if job_id is None:
                raise KeyError
            with world.lock:
                job = world.cancel_job(job_id)
                return json_response(serialize.public_job(job, now()))
        except KeyError:
            return not_found("job", request.path_params["job_id"])
        except JobNotRunning:
            return problem(409, "state-conflict", "State conflict", {"message": "Job is not currently running"})

    handlers: list[tuple[str, Callable[..., Any], list[str]]] = [
        ("/health", health, ["GET"]),
        ("/applications/token", token, ["POST"]),
        ("/workspaces", list_workspaces, ["GET"]),
        ("/workspaces/{workspace_id}", get_workspace, ["GET"]),
        ("/connections", list_connections, ["GET"]),
        ("/connections/{connection_id}", get_connection, ["GET"]),
        ("/jobs", list_jobs, ["GET"]),
        ("/jobs", create_job, ["POST"]),
        ("/jobs/{job_id}", get_job, ["GET"]),
        ("/jobs/{job_id}", cancel_job, ["DELETE"]),
    ]
    return [Route(path, endpoint, methods=methods) for path, endpoint, methods in handlers]
