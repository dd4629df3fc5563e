"""The fleet subcommands' arguments (pause, resume, refresh, clear, schedule, undo, history).

Kept apart from `cli.fleet` so building `airsync`'s parser imports nothing
heavy: each handler imports `cli.fleet` only when its command runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any


def _lazy(name: str) -> Callable[[argparse.Namespace], Awaitable[int]]:
    async def handler(args: argparse.Namespace) -> int:
        from airsync_tui.cli import fleet

        command: Callable[[argparse.Namespace], Awaitable[int]] = getattr(fleet, name)
        return await command(args)

    handler.__name__ = name
    return handler


def register(sub: Any, add_global_flags: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the fleet subcommands to `airsync`'s parser (called from cli/main.py)."""
    for name, verb in (
        ("pause", "pause (Airbyte: inactive; Hightouch: disabled)"),
        ("resume", "resume"),
    ):
        p = sub.add_parser(name, help=f"{verb} connections, in bulk; undo with `airsync undo`")
        add_global_flags(p)
        p.add_argument(
            "connections",
            nargs="*",
            metavar="CONNECTION",
            help="connection ids or names",
        )
        p.add_argument(
            "--where",
            metavar="FILTER",
            help="also every connection the dashboard's / filter FILTER shows (!TEXT inverts)",
        )
        _confirm_flags(p)
        p.set_defaults(handler=_lazy("cmd_pause" if name == "pause" else "cmd_resume"))

    p = sub.add_parser(
        "refresh",
        help="refresh streams of a connection (config API; merge keeps loaded data, truncate deletes it)",
    )
    add_global_flags(p)
    _stream_job_flags(p, "refresh")
    p.add_argument("--mode", choices=("merge", "truncate"), default="merge", help="default merge")
    _confirm_flags(p)
    p.set_defaults(handler=_lazy("cmd_refresh"))

    p = sub.add_parser(
        "clear",
        help="clear streams of a connection: delete their data and state in the destination",
    )
    add_global_flags(p)
    _stream_job_flags(p, "clear")
    _confirm_flags(p)
    p.set_defaults(handler=_lazy("cmd_clear"))

    p = sub.add_parser(
        "schedule",
        help="change when a connection runs: --manual, --every 6h or --cron EXPR",
    )
    add_global_flags(p)
    p.add_argument("connection", metavar="CONNECTION")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--manual", action="store_true", help="run only when triggered")
    group.add_argument("--every", metavar="INTERVAL", help="e.g. 30m, 6h, 1d")
    group.add_argument(
        "--cron",
        metavar="EXPR",
        help="Quartz (sec min hour day month weekday [TZ]) or 5-field Unix cron",
    )
    _confirm_flags(p)
    p.set_defaults(handler=_lazy("cmd_schedule"))

    p = sub.add_parser("undo", help="reverse the last (or a named) reversible action from the journal")
    add_global_flags(p)
    p.add_argument(
        "id",
        nargs="?",
        type=int,
        help="journal id (see `airsync history`); default: the last reversible",
    )
    _confirm_flags(p)
    p.set_defaults(handler=_lazy("cmd_undo"))

    p = sub.add_parser("history", help="list the action journal (newest first)")
    add_global_flags(p)
    p.add_argument("--limit", type=int, default=20, help="how many actions (default 20)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_lazy("cmd_history"))


def _stream_job_flags(p: argparse.ArgumentParser, verb: str) -> None:
    """The connection, `--stream` and `--wait` of a per-stream job command (refresh, clear)."""
    p.add_argument("connection", metavar="CONNECTION")
    p.add_argument("--stream", action="append", default=[], metavar="S", help=f"a stream to {verb} (repeat; default: all)")
    p.add_argument("--wait", action="store_true", help=f"wait until the {verb} job ends (exit 1 if it fails)")


def _confirm_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--yes",
        "-y",
        action="store_true",
        help="do not ask for confirmation (needed when not on a terminal)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print the journal entry (per-target results) as JSON",
    )
