"""`airsync`: the dashboard (no subcommand) and the headless commands.

Exit codes (scripts rely on them): 0 succeeded, 1 job failed or cancelled,
2 usage / configuration / authentication / API error, 3 timeout, 130 Ctrl-C.
Every error is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from airsync_tui import __version__
from airsync_tui.cli.failures import classify
from airsync_tui.cli.terminal import clean
from airsync_tui.cli.terminal import install as install_safe_output
from airsync_tui.cli.terminal import restore as restore_output
from airsync_tui.errors import EXIT_USAGE
from airsync_tui.providers.registry import specs

EXIT_INTERRUPTED = 130


class OneLineErrorParser(argparse.ArgumentParser):
    """A bad command line gets one line: what was wrong, and where to look (not argparse's usage dump).

    argparse printed the whole usage (eight lines of global flags) above the one line that mattered.
    Subcommand parsers are made with the same class, so `airsync jobs --limt 3` answers the same way.
    """

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see: {self.prog} --help)\n")


class _DashboardParser(OneLineErrorParser):
    """The top level alone; a usage error is reported by the full parser (same words)."""

    def error(self, message: str) -> NoReturn:
        build_parser().error(message)


def _top_level_parser(parser_class: type[argparse.ArgumentParser] = OneLineErrorParser) -> argparse.ArgumentParser:
    parser = parser_class(
        prog="airsync",
        description="Watch, trigger and cancel Airbyte and Hightouch syncs. Without a command, opens the dashboard.",
        epilog="Exit codes: 0 succeeded, 1 job failed/cancelled, 2 usage/config/auth error, 3 timeout.",
    )
    parser.add_argument("--version", action="version", version=f"airsync {__version__}")
    _add_global_flags(parser, top_level=True)
    return parser


def parser_for(args: Sequence[str]) -> argparse.ArgumentParser:
    """The full parser, or only the top level when `args` are all flags (the dashboard).

    Why: building the ~20 subcommand parsers costs more CPU than anything else
    before the dashboard's first screen is imported (argparse looks up a
    translation for every help string). Flags alone never name a command, so
    the top level parses them exactly as the full parser would (command None).
    Anything else (a command, a flag's value, -h, --version) gets the full parser.
    """
    if all(arg.startswith("--") and arg not in ("--help", "--version") for arg in args):
        parser = _top_level_parser(_DashboardParser)
        parser.set_defaults(command=None)
        return parser
    return build_parser()


def build_parser() -> argparse.ArgumentParser:
    parser = _top_level_parser()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("connections", help="list connections (Airbyte) and syncs (Hightouch)")
    _add_global_flags(p)
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")

    p = sub.add_parser("jobs", help="list recent jobs, of one connection or of the workspace")
    _add_global_flags(p)
    p.add_argument("connection", nargs="?", help="connection id or name (unique substring)")
    p.add_argument("--limit", type=int, default=20, help="how many jobs (default 20)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")

    p = sub.add_parser("logs", help="print an attempt's log")
    _add_global_flags(p)
    p.add_argument("job", help="job id (prefix with the provider when ambiguous: hightouch:123)")
    p.add_argument("--attempt", type=int, default=None, help="attempt number, from 1 as on screen (default: the last)")
    p.add_argument("--follow", "-f", action="store_true", help="keep printing new lines while the attempt runs")
    p.add_argument(
        "--errors", action="store_true", help="print the failure, the error groups (counts, first/last line) and an attempt summary"
    )
    p.add_argument("--tail", type=int, default=None, metavar="N", help="print only the last N lines")
    p.add_argument(
        "--trail",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="with --follow: keep reading this long after the attempt ends, for late lines (default: 5)",
    )

    p = sub.add_parser("failures", help="what is failing, stalled, stale or at risk of auto-disable, grouped by cause")
    _add_global_flags(p)
    p.add_argument("--json", action="store_true", help="print JSON: each group with its connections by id and name")

    p = sub.add_parser("timeline", help="a connection's history: jobs, settings, schema and connector changes, who acted")
    _add_global_flags(p)
    p.add_argument("connection", help="connection id or name (unique substring)")
    p.add_argument("--limit", type=int, default=100, help="how many events (default 100)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")

    p = sub.add_parser("pulse", help="the last things that happened anywhere, newest first")
    _add_global_flags(p)
    p.add_argument("--limit", type=int, default=30, help="how many events (default 30)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")

    p = sub.add_parser("cancel", help="cancel a running job")
    _add_global_flags(p)
    p.add_argument("job", help="job id")
    p.add_argument("--json", action="store_true", help="print the job as JSON")

    p = sub.add_parser(
        "sync",
        help="trigger a job and optionally wait for it (the Arazzo trigger-sync-and-poll workflow)",
        description="Trigger a job of CONNECTION. With --wait, poll until it ends and exit with its result. "
        "If a sync is already running, attach to it instead of starting another.",
    )
    _add_global_flags(p)
    p.add_argument("connection", help="connection id or name (unique substring), or a Hightouch sync id/slug")
    p.add_argument(
        "--type",
        dest="job_type",
        default="sync",
        help="job type: sync | reset | clear (Airbyte), sync | full_resync (Hightouch); default sync",
    )
    p.add_argument("--wait", action="store_true", help="wait until the job ends; exit 0 succeeded, 1 failed/cancelled")
    p.add_argument("--timeout", type=float, default=None, metavar="S", help="give up waiting after S seconds (exit 3)")
    p.add_argument(
        "--cancel-on-timeout",
        action="store_true",
        help="cancel the job when --timeout expires or on Ctrl-C (default: the job goes on)",
    )
    p.add_argument("--json", action="store_true", help='print {"jobId", "finalStatus", "rowsSynced", ...}')

    p = sub.add_parser("config", help="show where the config file is and what the active profile resolves to")
    _add_global_flags(p)
    p.add_argument("what", nargs="?", choices=("path", "show"), default="show")

    from airsync_tui.cli.fleet_parser import register as register_fleet

    register_fleet(sub, _add_global_flags)  # pause, resume, refresh, clear, schedule, undo, history
    from airsync_tui.cli.watch_args import add_watch_parser

    add_watch_parser(sub, _add_global_flags)
    from airsync_tui.cli.serve import add_serve_parser

    add_serve_parser(sub, _add_global_flags)

    sub.add_parser(
        "emulator",
        help="serve the embedded Airbyte + Hightouch emulator on 127.0.0.1 (see: airsync emulator --help)",
        add_help=False,
    )
    from airsync_tui.cli.query import add_query_parser

    add_query_parser(sub, _add_global_flags)
    return parser


def _add_global_flags(parser: argparse.ArgumentParser, *, top_level: bool = False) -> None:
    """Global flags work before or after the subcommand."""
    default = None if top_level else argparse.SUPPRESS
    parser.add_argument("--profile", default=default, help="profile name from the config file")
    for spec in specs():  # each provider's own flags, from its ProviderSpec
        for item in spec.fields:
            if item.flag is not None:
                parser.add_argument(item.flag, dest=item.override_key, default=default, help=item.help)
    parser.add_argument(
        "--provider",
        default=default,
        choices=tuple(spec.name for spec in specs()),
        help="use only this provider (when a profile configures both)",
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        default=default if not top_level else False,
        help="refuse to trigger or cancel anything (enforced in the API client)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        default=default if not top_level else False,
        help="run on the built-in emulator (Airbyte + Hightouch demo workspaces); no set-up needed",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] == "emulator":
        from airsync_tui.cli import startup
        from airsync_tui.emulator.server import main as emulator_main

        startup.end()  # a long-running server: collect as usual

        return emulator_main(args_list[1:])
    parser = parser_for(args_list)
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # argparse already printed a one-line usage error
        return int(exc.code or 0) if exc.code in (0, None) else EXIT_USAGE
    if args.command is None:
        try:
            from airsync_tui.cli.dashboard import run_dashboard

            return run_dashboard(args)
        except KeyboardInterrupt:
            print("airsync: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        except Exception as exc:  # noqa: BLE001 - the CLI's outer boundary: one line, never a traceback (see cli.failures)
            code, line = classify(exc)
            print(f"airsync: error: {clean(line)}", file=sys.stderr)
            return code
    from airsync_tui.cli import startup

    startup.end()  # begun by the console script before it imported
    originals = install_safe_output()  # every byte a command writes is sanitised and redacted
    try:
        if args.command == "serve":  # a blocking server of its own, not a coroutine
            from airsync_tui.cli.serve import cmd_serve

            return cmd_serve(args)
        from airsync_tui.cli import commands

        handler = getattr(args, "handler", None) or getattr(commands, f"cmd_{args.command}")
        exit_code: int = asyncio.run(handler(args))
        return exit_code
    except KeyboardInterrupt:
        print("airsync: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - AirsyncError, ValidationError, anything: one line (cli.failures)
        code, line = classify(exc)
        print(f"airsync: error: {line}", file=sys.stderr)
        return code
    finally:
        from airsync_tui.models.guard import take_reports

        for note in take_reports():  # each unusable server value, once
            print(f"airsync: note: {note}", file=sys.stderr)
        with contextlib.suppress(Exception):
            sys.stdout.flush()
        restore_output(originals)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
