"""The embedded emulator server: Airbyte public + config APIs (and Hightouch) on 127.0.0.1.

It is a product feature (`airsync --demo`, `airsync emulator`, a local Airbyte to
script against) and the test bed for our client, watcher and benchmarks, so it
runs a real uvicorn server on a real socket rather than an in-process transport.
The simulation is advanced by a background ticker on the server's own event
loop, so job transitions happen at their simulated times even with no clients.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import socket
import sys
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import cast

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount

from airsync_tui.emulator.airbyte.routes_config import build_config_routes
from airsync_tui.emulator.airbyte.routes_fleet import build_config_fleet_routes, build_public_fleet_routes
from airsync_tui.emulator.airbyte.routes_public import build_public_routes
from airsync_tui.emulator.airbyte.warehouse import build_destination_routes
from airsync_tui.emulator.airbyte.world import AirbyteWorld
from airsync_tui.emulator.auth import RequireAuth, TokenStore
from airsync_tui.emulator.clock import VirtualClock
from airsync_tui.emulator.faults import FaultConfig, FaultMiddleware, FaultState
from airsync_tui.emulator.hightouch import build_hightouch_app
from airsync_tui.emulator.hightouch.world import HightouchWorld
from airsync_tui.emulator.problem_style import ProblemStyle, ProblemStyleMiddleware
from airsync_tui.emulator.request_log import RequestLog, RequestLogMiddleware

TICK_SECONDS = 0.1
log = logging.getLogger(__name__)


@dataclass
class EmulatorOptions:
    host: str = "127.0.0.1"
    port: int = 0
    seed: int = 7
    speed: float = 1.0
    connections: int | None = None  # None = the demo workspace; N = scaled workspace of N connections
    running: int = 0  # keep about this many jobs running (benchmarks)
    token_ttl: float = 900.0  # wall seconds
    faults: FaultConfig | None = None
    client_id: str = "airsync-demo"
    client_secret: str = "airsync-demo-secret"
    hightouch_api_key: str = "ht-demo-key"
    hightouch_syncs: int | None = None
    big_log_lines: int = 1_000_000
    duckdb_path: str | None = None  # demo: a DuckDB destination whose tables receive committed rows

    #: Standing outcomes `CONNECTION=OUTCOME` (id or exact name), see emulator/airbyte/outcomes.py.
    outcomes: tuple[str, ...] = ()


def url_host(host: str) -> str:
    """An IPv6 literal needs brackets in a URL (`http://[::1]:8000`)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


async def _tick_forever(world: AirbyteWorld) -> None:
    while True:
        try:
            world.tick()
        except Exception:  # keep simulating; a bug in one step must not freeze the demo
            log.exception("emulator tick failed")
        await asyncio.sleep(TICK_SECONDS)


def build_hightouch_mount(clock: VirtualClock, options: EmulatorOptions) -> Starlette:
    """Hightouch's demo hook (`providers/hightouch/spec.py` names it by dotted path)."""
    return build_hightouch_app(clock, seed=options.seed, syncs=options.hightouch_syncs, api_key=options.hightouch_api_key)


def _provider_mounts(clock: VirtualClock, options: EmulatorOptions) -> dict[str, tuple[str, Starlette]]:
    """Every registered provider whose demo hook mounts its own app: name -> (path, app)."""
    from airsync_tui.providers.demo_mounts import demo_mounts  # not the registry: no provider is imported

    mounts: dict[str, tuple[str, Starlette]] = {}
    for mount in demo_mounts():
        module_name, _, attr = mount.app_factory.partition(":")
        factory = getattr(importlib.import_module(module_name), attr)
        mounts[mount.provider] = (mount.mount_path, factory(clock, options))
    return mounts


def build_app(options: EmulatorOptions, clock: VirtualClock | None = None) -> Starlette:
    """The whole emulator as one ASGI app. State: `app.state.airbyte_world`, `.faults`, `.tokens`."""
    clock = clock or VirtualClock(options.speed)
    world = AirbyteWorld(
        clock,
        seed=options.seed,
        connections=options.connections,
        running=options.running,
        big_log_lines=options.big_log_lines,
        duckdb_path=options.duckdb_path,
    )
    tokens = TokenStore(options.client_id, options.client_secret, options.token_ttl)
    public_routes = build_public_routes(world, tokens) + build_public_fleet_routes(world) + build_destination_routes(world)
    config_routes = build_config_routes(world, tokens) + build_config_fleet_routes(world)
    public_api = RequireAuth(Starlette(routes=public_routes), tokens, ("/health", "/applications/token"))
    config_api = RequireAuth(Starlette(routes=config_routes), tokens, ("/applications/token",))
    routes: list[BaseRoute] = [Mount("/api/public/v1", app=public_api), Mount("/api/v1", app=config_api)]
    from airsync_tui.emulator.airbyte.outcomes import admin_routes, set_outcome

    mounts = _provider_mounts(clock, options)
    # Fire drills reach Hightouch syncs too (`--outcome SYNC=failed`); its world lives in its mount.
    hightouch_mount = mounts.get("hightouch")
    hightouch_world: HightouchWorld | None = hightouch_mount[1].state.world if hightouch_mount is not None else None
    for item in options.outcomes:
        ref, _, outcome = item.rpartition("=")
        set_outcome(world, ref, outcome, hightouch_world)
    routes.extend(admin_routes(world, hightouch_world))
    for path, sub_app in mounts.values():
        routes.append(Mount(path, app=sub_app))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        ticker = asyncio.create_task(_tick_forever(world), name="airbyte-emulator-ticker")
        async with contextlib.AsyncExitStack() as stack:
            for _, sub_app in mounts.values():
                await stack.enter_async_context(sub_app.router.lifespan_context(sub_app))
            try:
                yield
            finally:
                ticker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ticker

    fault_state = FaultState(options.faults)
    problem_style = ProblemStyle()
    request_log = RequestLog()
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(RequestLogMiddleware, log=request_log),
            Middleware(FaultMiddleware, state=fault_state),
            Middleware(ProblemStyleMiddleware, style=problem_style),
        ],
    )
    app.state.problem_style = problem_style
    app.state.request_log = request_log
    app.state.airbyte_world = world
    for name, (_, sub_app) in mounts.items():
        setattr(app.state, f"{name}_app", sub_app)
    app.state.faults = fault_state
    app.state.tokens = tokens
    app.state.clock = clock
    app.state.options = options
    return app


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def _uvicorn_server(app: Starlette, log_level: str) -> uvicorn.Server:
    config = uvicorn.Config(app, lifespan="on", log_level=log_level, access_log=False, timeout_graceful_shutdown=1, timeout_keep_alive=30)
    return uvicorn.Server(config)


class RunningEmulator:
    """A started emulator (uvicorn in a daemon thread). Use as a context manager or call `stop()`."""

    def __init__(self, options: EmulatorOptions, app: Starlette, sock: socket.socket) -> None:
        self.options = options
        self.app = app
        self._sock = sock
        host, port = sock.getsockname()[:2]
        self.base_url = f"http://{url_host(host)}:{port}"
        self.public_api_url = self.base_url + "/api/public/v1"
        self.config_api_url = self.base_url + "/api/v1"
        self.hightouch_api_url = self.base_url + "/hightouch/api/v1"
        self.client_id = options.client_id
        self.client_secret = options.client_secret
        self.hightouch_api_key = options.hightouch_api_key
        self.world: AirbyteWorld = app.state.airbyte_world
        self.clock: VirtualClock = app.state.clock
        self.workspace_id = self.world.workspaces[0].workspace_id
        self._server = _uvicorn_server(app, "critical")
        self._thread = threading.Thread(target=self._serve, name="airsync-emulator", daemon=True)

    @property
    def hightouch_world(self) -> HightouchWorld:
        return cast(HightouchWorld, self.app.state.hightouch_app.state.world)  # Starlette's app.state is untyped

    def _serve(self) -> None:
        self._server.run(sockets=[self._sock])

    def _start(self, timeout: float = 30.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("emulator server thread exited during startup")
            if time.monotonic() > deadline:
                raise TimeoutError("emulator did not start in time")
            time.sleep(0.01)

    def set_faults(self, faults: FaultConfig | None) -> None:
        self.app.state.faults.set(faults)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        with contextlib.suppress(OSError):
            self._sock.close()
        if self.world.warehouse is not None:
            self.world.warehouse.stop()

    def __enter__(self) -> RunningEmulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_emulator(options: EmulatorOptions) -> RunningEmulator:
    """Build the app, bind (port 0 = ephemeral), serve in a daemon thread; returns once accepting."""
    app = build_app(options)
    running = RunningEmulator(options, app, _bind(options.host, options.port))
    running._start()
    return running


# ------------------------------------------------------------------ `airsync emulator`


def _parser() -> argparse.ArgumentParser:
    defaults = EmulatorOptions()
    parser = argparse.ArgumentParser(
        prog="airsync emulator",
        description="Serve a simulated Airbyte (public API v1 + config API) and Hightouch API on this machine.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--host", default=defaults.host, help="interface to listen on")
    parser.add_argument("--port", type=int, default=defaults.port, help="TCP port (0 = pick a free one)")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="simulation seed (same seed = same workspace and outcomes)")
    parser.add_argument("--speed", type=float, default=defaults.speed, help="virtual-time speed-up over wall time")
    parser.add_argument(
        "--connections", type=int, default=None, help="scaled workspace with N generated connections (omit for the demo workspace)"
    )
    parser.add_argument("--running", type=int, default=defaults.running, help="keep about this many jobs running")
    parser.add_argument("--token-ttl", type=float, default=defaults.token_ttl, help="access-token lifetime in wall seconds")
    parser.add_argument(
        "--faults", default=None, metavar="RATE[:kind,...]", help="inject faults, e.g. 0.1 or 0.2:429,500,502,503,drop,stall,malformed"
    )
    parser.add_argument("--client-id", default=defaults.client_id, help="accepted client id")
    parser.add_argument("--client-secret", default=defaults.client_secret, help="accepted client secret")
    parser.add_argument("--hightouch-api-key", default=defaults.hightouch_api_key, help="accepted Hightouch API key")
    parser.add_argument("--hightouch-syncs", type=int, default=None, help="scaled Hightouch workspace with N syncs")
    parser.add_argument("--duckdb-path", default=None, help="demo: write committed rows of the DuckDB connection to this file")
    parser.add_argument(
        "--outcome",
        action="append",
        default=[],
        metavar="CONNECTION=OUTCOME",
        help="force the next jobs of a connection (Airbyte id or exact name, Hightouch sync id or slug): succeeded|failed|stalled|slow "
        "(repeatable; change at run time with POST /_admin/outcomes)",
    )
    parser.add_argument("--big-log-lines", type=int, default=defaults.big_log_lines, help="lines in the big-log demo job (0 disables)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        faults = FaultConfig.parse(args.faults, seed=args.seed) if args.faults else None
    except ValueError as exc:
        print(f"airsync emulator: invalid --faults: {exc}", file=sys.stderr)
        return 2
    options = EmulatorOptions(
        host=args.host,
        port=args.port,
        seed=args.seed,
        speed=args.speed,
        connections=args.connections,
        running=args.running,
        token_ttl=args.token_ttl,
        faults=faults,
        client_id=args.client_id,
        client_secret=args.client_secret,
        hightouch_api_key=args.hightouch_api_key,
        hightouch_syncs=args.hightouch_syncs,
        big_log_lines=args.big_log_lines,
        duckdb_path=args.duckdb_path,
        outcomes=tuple(args.outcome),
    )
    try:
        app = build_app(options)
    except (KeyError, ValueError) as exc:
        reason = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        print(f"airsync emulator: invalid --outcome: {reason}", file=sys.stderr)
        return 2
    sock = _bind(options.host, options.port)
    host, port = sock.getsockname()[:2]
    base = f"http://{url_host(host)}:{port}"
    world: AirbyteWorld = app.state.airbyte_world
    print(f"airsync emulator on {base}  (speed ×{options.speed:g}, seed {options.seed})")
    print(f"  Airbyte public API : {base}/api/public/v1")
    print(f"  Airbyte config API : {base}/api/v1")
    print(f"  Hightouch API      : {base}/hightouch/api/v1" + ("" if app.state.hightouch_app else "  (not available in this build)"))
    print(f"  Workspace          : {world.workspaces[0].name} ({world.workspaces[0].workspace_id})")
    print("\n# demo credentials - paste into your shell:")
    print(f"export AIRBYTE_API_ROOT={base}/api/public/v1")
    print(f"export AIRBYTE_CONFIG_API_ROOT={base}/api/v1")
    print(f"export AIRBYTE_CLIENT_ID={options.client_id}")
    print(f"export AIRBYTE_CLIENT_SECRET={options.client_secret}")
    print(f"export AIRBYTE_WORKSPACE_ID={world.workspaces[0].workspace_id}")
    print(f"export HIGHTOUCH_API_ROOT={base}/hightouch/api/v1")
    print(f"export HIGHTOUCH_API_KEY={options.hightouch_api_key}")
    print(f'\n# fire drill: curl -X POST {base}/_admin/outcomes -d \'{{"connection": "NAME", "outcome": "failed"}}\'')
    print("\nPress Ctrl-C to stop.", flush=True)
    server = _uvicorn_server(app, "warning")
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        with contextlib.suppress(OSError):
            sock.close()
    return 0
