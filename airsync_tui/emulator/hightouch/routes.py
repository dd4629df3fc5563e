"""HTTP surface of the emulated Hightouch v1 API (paths relative to the mount point).

Error shapes follow hightouch-api.md A.6. Hightouch's API is built on tsoa,
whose request validation answers 422 `{"message": "Validation failed",
"details": {field: {message, value}}}`; bad query parameters, bad trigger
bodies and triggering a disabled sync all use that shape here. Unknown paths
and wrong methods both answer 404: Hightouch has no cancel endpoint, and a
client probing `DELETE .../runs/{id}` must see the same thing as any unknown
route, not a 405 that hints the path exists.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, cast, overload

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ..http import JSONBytesResponse
from .model import Sync
from .ratelimit import SlidingWindowLimiter
from .serialize import run_to_json, sync_to_json
from .world import RUN_ORDERS, SYNC_ORDERS, HightouchWorld, SyncDisabled, SyncNotFound, TriggerFlags


class ValidationFailed(Exception):
    def __init__(self, details: dict[str, Any]) -> None:
        super().__init__(details)
        self.details = details


def _invalid(name: str, message: str, value: Any) -> ValidationFailed:
    return ValidationFailed({name: {"message": message, "value": value}})


def validation_response(exc: ValidationFailed) -> JSONBytesResponse:
    return JSONBytesResponse({"message": "Validation failed", "details": exc.details}, status_code=422)


def not_found(message: str = "Not Found") -> JSONBytesResponse:
    return JSONBytesResponse({"message": message}, status_code=404)


# ----------------------------------------------------------------- parameters


@overload
def _int(params: dict[str, str], name: str, default: int, *, minimum: int = 0) -> int: ...
@overload
def _int(params: dict[str, str], name: str, default: None = None, *, minimum: int = 0) -> int | None: ...
def _int(params: dict[str, str], name: str, default: int | None = None, *, minimum: int = 0) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(float(raw)) if "." in raw else int(raw)
    except ValueError:
        raise _invalid(name, "invalid float number", raw) from None
    if value < minimum:
        raise _invalid(name, f"must be >= {minimum}", raw)
    return value


def _float(params: dict[str, str], name: str) -> float | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise _invalid(name, "invalid float number", raw) from None
    if value < 0:
        raise _invalid(name, "must be >= 0", raw)
    return value


def _datetime(params: dict[str, str], name: str) -> float | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise _invalid(name, "invalid ISO 8601 datetime format, i.e. YYYY-MM-DDTHH:mm:ss", raw) from None
    if parsed.tzinfo is None:  # Hightouch serves UTC everywhere; read naive input the same way
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _order(params: dict[str, str], allowed: tuple[str, ...]) -> str:
    value = params.get("orderBy") or "id"
    if value not in allowed:
        raise _invalid("orderBy", "should be one of the following; " + ", ".join(f"'{v}'" for v in allowed), value)
    return value


def _path_number(request: Request, name: str = "syncId") -> int:
    raw = request.path_params["sync_id"]
    if not raw.isdigit():
        raise _invalid(name, "invalid float number", raw)
    return int(raw)


# ----------------------------------------------------------------- endpoints


def _world(request: Request) -> HightouchWorld:
    return cast(HightouchWorld, request.app.state.world)  # Starlette's app.state is untyped


async def list_syncs(request: Request) -> Response:
    world = _world(request)
    q = dict(request.query_params)
    model_id = _int(q, "modelId")
    slug = q.get("slug") or None
    after, before = _datetime(q, "after"), _datetime(q, "before")
    offset, limit = _int(q, "offset", 0), _int(q, "limit", 100)
    order_by = _order(q, SYNC_ORDERS)
    with world.lock:
        world.tick()
        page, has_more = world.list_syncs(
            slug=slug, model_id=model_id, after=after, before=before, offset=offset, limit=limit, order_by=order_by
        )
        data = [_dialect_sync(world, s) for s in page]
    return JSONBytesResponse({"data": data, "hasMore": has_more})


def _dialect_sync(world: HightouchWorld, sync: Sync) -> dict[str, Any]:
    """A sync's JSON in its dialect (its status is its current run's word)."""
    body = sync_to_json(sync)
    body["status"] = world.dialect_of(sync.id).status(body["status"])
    return body


async def get_sync(request: Request) -> Response:
    world = _world(request)
    sync_id = _path_number(request)
    with world.lock:
        world.tick()
        try:
            body = _dialect_sync(world, world.get_sync(sync_id))
        except SyncNotFound:
            return not_found("Sync not found")
    return JSONBytesResponse(body)


async def list_runs(request: Request) -> Response:
    world = _world(request)
    sync_id = _path_number(request)
    q = dict(request.query_params)
    run_id = _int(q, "runId")
    after, before = _datetime(q, "after"), _datetime(q, "before")
    within_minutes = _float(q, "within")
    offset, limit = _int(q, "offset", 0), _int(q, "limit", 100)
    order_by = _order(q, RUN_ORDERS)
    with world.lock:
        now = world.tick()
        try:
            page, has_more = world.list_runs(
                sync_id,
                now=now,
                run_id=run_id,
                after=after,
                before=before,
                within_minutes=within_minutes,
                offset=offset,
                limit=limit,
                order_by=order_by,
            )
        except SyncNotFound:
            return not_found("Sync not found")
        data = [world.dialect_of(r.sync_id).apply(run_to_json(r, now)) for r in page]
    return JSONBytesResponse({"data": data, "hasMore": has_more})


async def _trigger_flags(request: Request, *, required: bool) -> tuple[dict[str, Any], TriggerFlags]:
    raw = await request.body()
    if not raw.strip():
        if required:
            raise _invalid("requestBody", "'requestBody' is required", None)
        return {}, TriggerFlags()
    try:
        body = json.loads(raw)
    except ValueError:
        raise _invalid("requestBody", "invalid JSON body", raw.decode("utf-8", "replace")) from None
    if not isinstance(body, dict):
        raise _invalid("requestBody", "invalid object", body)
    values: dict[str, bool] = {}
    for name in ("fullResync", "resetCDC", "clearAndFill"):
        value = body.get(name, False)
        if not isinstance(value, bool):
            raise _invalid(f"requestBody.{name}", "invalid boolean value", value)
        values[name] = value
    return body, TriggerFlags(values["fullResync"], values["resetCDC"], values["clearAndFill"])


def _trigger(world: HightouchWorld, sync_id: int, flags: TriggerFlags) -> Response:
    try:
        run = world.trigger(sync_id, flags)
    except SyncNotFound:
        return not_found("Sync not found")
    except SyncDisabled:
        raise _invalid("syncId", "Sync is disabled; enable it before triggering a run", str(sync_id)) from None
    return JSONBytesResponse({"id": str(run.id)})


async def trigger_sync(request: Request) -> Response:
    raw = request.path_params["sync_id"]
    _, flags = await _trigger_flags(request, required=False)
    if not raw.isdigit():  # syncId is a string in this operation: anything else is just an unknown sync
        return not_found("Sync not found")
    return _trigger(_world(request), int(raw), flags)


async def trigger_custom(request: Request) -> Response:
    world = _world(request)
    body, flags = await _trigger_flags(request, required=True)
    sync_id, slug = body.get("syncId"), body.get("syncSlug")
    if sync_id is not None:
        if not isinstance(sync_id, str) or not sync_id.isdigit():
            raise _invalid("requestBody.syncId", "Not match in '^[0-9]+$'", sync_id)
        return _trigger(world, int(sync_id), flags)
    if isinstance(slug, str) and slug:
        try:
            target = world.get_sync_by_slug(slug).id
        except SyncNotFound:
            return not_found("Sync not found")
        return _trigger(world, target, flags)
    raise _invalid("requestBody", "one of syncId or syncSlug is required", body)


async def patch_sync(request: Request) -> Response:
    """`UpdateSync`: only `disabled` is documented (hightouch-api.md A.2); other fields are refused."""
    world = _world(request)
    sync_id = _path_number(request)
    raw = await request.body()
    try:
        body = json.loads(raw) if raw.strip() else None
    except ValueError:
        raise _invalid("requestBody", "invalid JSON body", raw.decode("utf-8", "replace")) from None
    if not isinstance(body, dict):
        raise _invalid("requestBody", "'requestBody' is required", body)
    unknown = sorted(set(body) - {"disabled"})
    if unknown:
        raise _invalid(f"requestBody.{unknown[0]}", "not supported by this emulator (only disabled)", body[unknown[0]])
    disabled = body.get("disabled")
    if not isinstance(disabled, bool):
        raise _invalid("requestBody.disabled", "invalid boolean value", disabled)
    try:
        sync = world.set_disabled(sync_id, disabled)
    except SyncNotFound:
        return not_found("Sync not found")
    with world.lock:
        return JSONBytesResponse(sync_to_json(sync))


ROUTES = [
    Route("/api/v1/syncs/{sync_id}", patch_sync, methods=["PATCH"]),
    Route("/api/v1/syncs", list_syncs, methods=["GET"]),
    Route("/api/v1/syncs/trigger", trigger_custom, methods=["POST"]),
    Route("/api/v1/syncs/{sync_id}", get_sync, methods=["GET"]),
    Route("/api/v1/syncs/{sync_id}/trigger", trigger_sync, methods=["POST"]),
    Route("/api/v1/syncs/{sync_id}/runs", list_runs, methods=["GET"]),
]


# ------------------------------------------------------------ error handlers


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code in (404, 405):  # wrong method looks exactly like an unknown route
        return not_found()
    return JSONBytesResponse({"message": exc.detail}, status_code=exc.status_code)


async def validation_failed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ValidationFailed)
    return validation_response(exc)


async def internal_error(request: Request, exc: Exception) -> Response:
    """HT-SPEC's InternalServerError is the bare JSON string, not an object."""
    return JSONBytesResponse("Internal Server Error", status_code=500)


# ---------------------------------------------------------------- middleware


class HightouchGate:
    """Auth, rate limit and lazy ticker start, in front of every route.

    Auth comes first so unauthenticated traffic is neither counted against
    the workspace nor told which paths exist. Starting the ticker here covers
    the mounted case, where Starlette never runs a sub-app's lifespan.
    """

    def __init__(self, app: ASGIApp, *, world: HightouchWorld, limiter: SlidingWindowLimiter, api_key: str) -> None:
        self.app = app
        self.world = world
        self.limiter = limiter
        self.expected = f"Bearer {api_key}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not self.world.ticker_running:
            self.world.start_ticker()
        headers = dict(scope["headers"])
        auth = headers.get(b"authorization", b"").decode("latin-1").strip()
        if auth != self.expected:
            response: Response = JSONBytesResponse({"message": "Authentication error"}, status_code=401)
        elif not self.limiter.allow(auth):
            response = JSONBytesResponse(
                {"error": f"Rate limit exceeded: at most {self.limiter.limit} requests per {self.limiter.window:g} seconds per workspace"},
                status_code=429,
            )
        else:
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)
