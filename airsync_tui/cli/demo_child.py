"""The `--demo` emulator's child process: serve on an inherited socket until stdin closes.

Started by :func:`airsync_tui.cli.demo.start_demo`. It prints ``ready`` on
stdout once it accepts connections, and exits when its stdin reaches EOF,
which happens when the dashboard stops it or dies: no orphan server.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Seconds the demo's DuckDB writer waits before it starts (see `warehouse.WRITER_START_DELAY`).
WAREHOUSE_START_DELAY = 2.0
#: ... and runs at this added niceness, so on a busy machine it yields to the dashboard.
WAREHOUSE_NICENESS = 10
#: The whole emulator runs at this added niceness. It stands in for a remote server, which
#: never takes the operator's CPU; where the machine is busy (another program, or the
#: terminal), the dashboard comes first and the emulator takes the rest.
EMULATOR_NICENESS = 5


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="airsync demo emulator")
    parser.add_argument(
        "--fd",
        type=int,
        required=True,
        help="listening socket inherited from the parent",
    )
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--speed", type=float, required=True)
    # Credentials default to the emulator's own, which the providers' demo hooks (ProviderSpec.demo) use.
    parser.add_argument("--client-id", default=None)
    parser.add_argument("--client-secret", default=None)
    parser.add_argument("--big-log-lines", type=int, default=None)
    parser.add_argument("--duckdb-path", default=None, help="the demo's DuckDB destination file")
    parser.add_argument(
        "--ready-after-warehouse",
        action="store_true",
        help="say ready only once the history's rows are in the DuckDB file (`airsync query --demo`)",
    )
    return parser


def _traced(app: ASGIApp, mark: Callable[[str], None]) -> ASGIApp:
    """The app with each request path's first arrival and first response marked (start-up trace only)."""

    async def traced(scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        mark(f"child: request {path}")

        async def send_marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                mark(f"child: response {path}")
            await send(message)

        await app(scope, receive, send_marked)

    return traced


def main(argv: list[str] | None = None) -> int:
    from airsync_tui.cli import startup
    from airsync_tui.startup_trace import TRACE_PATH, mark

    startup.begin("emulator")  # imports and the world build: ended before serving
    with contextlib.suppress(OSError):  # a platform without nice: same priority as the dashboard
        os.nice(EMULATOR_NICENESS)
    mark("child: main")
    args = _parser().parse_args(argv)
    # The demo mounts are read without importing the providers (providers/demo_mounts.py);
    # should httpx be imported anyway, it would otherwise import its command-line tool.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]  # None is the documented "not importable" marker
    import uvicorn

    mark("child: uvicorn imported")
    from airsync_tui.emulator.server import EmulatorOptions, build_app

    mark("child: emulator imported")

    options = EmulatorOptions(seed=args.seed, speed=args.speed, duckdb_path=args.duckdb_path)
    if args.client_id is not None:
        options.client_id = args.client_id
    if args.client_secret is not None:
        options.client_secret = args.client_secret
    if args.big_log_lines is not None:
        options.big_log_lines = args.big_log_lines
    if not args.ready_after_warehouse:
        from airsync_tui.emulator.airbyte import warehouse

        # The dashboard's first screen comes first; the DuckDB backfill follows.
        warehouse.WRITER_START_DELAY = WAREHOUSE_START_DELAY
        warehouse.WRITER_NICENESS = WAREHOUSE_NICENESS
    sock = socket.socket(fileno=args.fd)
    sock.setblocking(False)
    app = build_app(options)
    mark("child: app built")
    startup.end()
    config = uvicorn.Config(
        _traced(app, mark) if TRACE_PATH is not None else app,
        lifespan="on",
        log_level="critical",
        access_log=False,
        timeout_graceful_shutdown=1,
        timeout_keep_alive=30,
    )
    server = uvicorn.Server(config)

    def exit_on_eof() -> None:
        sys.stdin.buffer.read()  # returns at EOF: the parent closed the pipe or died
        server.should_exit = True

    def announce_ready() -> None:
        while not server.started and not server.should_exit:
            threading.Event().wait(0.01)
        warehouse = app.state.airbyte_world.warehouse
        if server.started and args.ready_after_warehouse and warehouse is not None:
            warehouse.wait_idle(20.0)
        if server.started:
            mark("child: serving")
            sys.stdout.write("ready\n")
            sys.stdout.flush()
            from airsync_tui.cli.demo import remove_stale_demo_dirs

            remove_stale_demo_dirs()  # here, not on the dashboard's first-screen path

    threading.Thread(target=exit_on_eof, name="parent-watch", daemon=True).start()
    threading.Thread(target=announce_ready, name="ready", daemon=True).start()
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
