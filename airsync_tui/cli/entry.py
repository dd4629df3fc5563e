"""The `airsync` console script: start what can start early, then run the CLI.

Why a separate entry module: importing `airsync_tui.cli.main` pulls in the
providers, pydantic and httpx (most of a second on a slow machine). For
`airsync --demo` the emulator's child process is started before that, using
only the standard library, so both start-ups overlap.
"""

from __future__ import annotations

import sys


def main() -> int:
    # httpx's package __init__ imports its own command-line tool (click,
    # pygments, rich.syntax: 0.1-0.2 s) only to offer `httpx.main`, which
    # airsync never calls. A None entry in sys.modules makes that optional
    # import raise ImportError at once; httpx catches it and defines a stub.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]  # None is the documented "not importable" marker
    from airsync_tui.startup_trace import mark, start_profile

    start_profile()  # AIRSYNC_STARTUP_PROFILE only: cProfile until the populated list is painted
    from airsync_tui.cli import startup

    startup.begin("airsync")  # ended before the dashboard or a command runs

    mark("parent: entry")
    from airsync_tui.cli.demo import prestart_demo

    prestart_demo(sys.argv[1:])
    mark("parent: child spawned")
    from airsync_tui.cli.main import main as cli_main

    mark("parent: cli imported")

    return cli_main()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
