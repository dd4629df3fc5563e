"""Embedded Hightouch v1 API emulator (offline demo, "local Hightouch", tests).

    app = build_hightouch_app(clock, seed=7)          # routes: /api/v1/...
    world = app.state.world                           # HightouchWorld

Starting the simulation ticker (status changes must happen at their simulated
time even when nobody polls):
- Served standalone (uvicorn), the app's lifespan starts and stops it.
- MOUNTED inside another Starlette app (e.g. at `/hightouch`), Starlette does
  not run the sub-app's lifespan. The mounter should call
  `app.state.world.start_ticker()` in its own lifespan startup and
  `await app.state.world.stop_ticker()` at shutdown. If it forgets, the first
  request to the sub-app starts the ticker lazily; the world also ticks before
  answering every request, so responses are always current.

Module map: model (state dataclasses, status sets), catalog (demo workspace,
run outcomes), schedules (interval/cron), world (simulation, queries, ticker),
serialize (wire JSON), ratelimit (sliding window), routes (HTTP + gate).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware

from ..clock import VirtualClock
from .ratelimit import SlidingWindowLimiter
from .routes import ROUTES, HightouchGate, ValidationFailed, http_exception, internal_error, validation_failed
from .world import HightouchWorld

DEFAULT_API_KEY = "ht-demo-key"


def build_hightouch_app(
    clock: VirtualClock,
    *,
    seed: int = 7,
    syncs: int | None = None,
    api_key: str = DEFAULT_API_KEY,
    rate_limit: int = 200,
    rate_window: float = 10.0,
) -> Starlette:
    """A Starlette app serving the Hightouch v1 API over a fresh simulated workspace.

    `syncs=None` builds the hand-made 8-sync demo; `syncs=N` builds N generated
    syncs (thousands are fine). The rate limit defaults to Hightouch's
    documented 200 requests per 10 s per workspace, counted in wall time.
    """
    world = HightouchWorld(clock, seed=seed, syncs=syncs)
    limiter = SlidingWindowLimiter(rate_limit, rate_window)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        world.start_ticker()
        try:
            yield
        finally:
            await world.stop_ticker()

    app = Starlette(
        routes=ROUTES,
        middleware=[Middleware(HightouchGate, world=world, limiter=limiter, api_key=api_key)],
        exception_handlers={
            HTTPException: http_exception,
            ValidationFailed: validation_failed,
            Exception: internal_error,
        },
        lifespan=lifespan,
    )
    app.state.world = world
    app.state.limiter = limiter
    return app


__all__ = ["DEFAULT_API_KEY", "HightouchWorld", "build_hightouch_app"]
