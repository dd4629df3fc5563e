"""The `airsync watch` arguments, kept apart from the command so building the parser stays cheap.

`airsync --help` and every other command build the whole parser; importing
the watch command itself (rules engine, outbox, output helpers) there would
slow every start-up.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


async def _run_watch(args: argparse.Namespace) -> int:
    """The command, imported only when `airsync watch` runs."""
    from airsync_tui.cli.watch import cmd_watch

    return await cmd_watch(args)


def add_watch_parser(sub: Any, add_global_flags: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register `airsync watch` (called from cli/main.py)."""
    p = sub.add_parser(
        "watch",
        help="watch headless: alert rules → Slack/webhooks/desktop (Apprise), Prometheus metrics",
        description="Watch every connection of the profile and raise alerts (failed, stalled, slow, stale, "
        "auto-disable risk, rows rejected, API unhealthy). Runs until Ctrl-C / SIGTERM.",
    )
    add_global_flags(p)
    p.add_argument(
        "--notify",
        action="append",
        default=[],
        metavar="URL",
        help="an Apprise URL to send every alert to (repeatable), e.g. slack://T/B/XXX or json://host/path "
        "(visible in `ps`: for tokens prefer routes in the profile)",
    )
    p.add_argument(
        "--metrics",
        metavar="[HOST:]PORT",
        help="serve Prometheus /metrics here (host default 127.0.0.1)",
    )
    p.add_argument(
        "--state",
        metavar="PATH",
        help="local state file holding the alert outbox (default: user data dir)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="one JSON object per event and alert on stdout",
    )
    p.add_argument(
        "--test-notify",
        action="store_true",
        help="send a test message through every route and exit",
    )
    p.set_defaults(handler=_run_watch)
    # --demo is a global flag (cli/main.py `_add_global_flags`): watching the demo workspace.
