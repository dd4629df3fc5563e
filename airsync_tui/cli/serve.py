"""`airsync serve`: the dashboard in a browser (textual-serve), for a team wall.

Each browser tab runs its own `airsync` dashboard process, started by
textual-serve with the same profile flags. Safe by default: read-only unless
`--allow-actions`, and bound to 127.0.0.1 unless `--host` says otherwise — in
which case we say plainly that the page has no authentication.

Secrets never travel on the child's command line (visible in `ps`): they stay
in the environment the children inherit.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from airsync_tui.errors import EXIT_OK

if TYPE_CHECKING:  # building the parser must stay light (start-up time)
    from airsync_tui.providers.spec import SettingField

LOOPBACK = ("127.0.0.1", "localhost", "::1")
#: Global (non-provider) flags forwarded to each tab's dashboard.
_FORWARDED = (("profile", "--profile"), ("provider", "--provider"))


def _provider_flags_and_secrets(values: Callable[[SettingField], object]) -> tuple[list[str], dict[str, str]]:
    """Every provider's settings as the tab's flags, secrets as environment variables.

    Read from the registry's specs (never a provider name): a secret goes through
    the environment, so it never appears in the tab's command line (`ps`).
    """
    from airsync_tui.providers.registry import specs

    flags: list[str] = []
    secrets: dict[str, str] = {}
    for spec in specs():
        for field in spec.fields:
            value = values(field)
            if hasattr(value, "get_secret_value"):
                value = value.get_secret_value()
            if value in (None, ""):
                continue
            if field.secret:
                if field.env:
                    secrets[field.env[0]] = str(value)
            elif field.flag is not None:
                flags += [field.flag, str(value)]
    return flags, secrets


def add_serve_parser(sub: Any, add_global_flags: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser(
        "serve",
        help="serve the dashboard to a browser (read-only unless --allow-actions)",
        description="Serve the dashboard over HTTP with textual-serve. Listens on 127.0.0.1 unless --host is given; "
        "the page has no authentication of its own.",
    )
    add_global_flags(p)
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    p.add_argument(
        "--public-url",
        default=None,
        help="URL the browser uses, when behind a proxy or on another host",
    )
    p.add_argument(
        "--allow-actions",
        action="store_true",
        help="let the page trigger and cancel jobs (default: read-only)",
    )
    # --demo is a global flag (cli/main.py): serve the demo workspace, one emulator for every tab.


def dashboard_command(args: argparse.Namespace, *, demo_flags: list[str] | None = None) -> str:
    """The shell command textual-serve runs per browser tab."""
    argv = [sys.executable, "-m", "airsync_tui.cli.main"]
    if demo_flags is not None:
        argv += demo_flags
    else:
        for attr, flag in _FORWARDED:
            value = getattr(args, attr, None)
            if value:
                argv += [flag, str(value)]
        argv += _provider_flags_and_secrets(lambda field: getattr(args, field.override_key, None))[0]
    if not args.allow_actions:
        argv.append("--read-only")
    return shlex.join(argv)


def warning_for(host: str) -> str | None:
    if host in LOOPBACK:
        return None
    return (
        f"airsync serve: WARNING: listening on {host}: this page has NO authentication. Anyone who can reach "
        "this port sees every connection."
    )


def cmd_serve(args: argparse.Namespace) -> int:
    from airsync_tui.providers.registry import specs
    from airsync_tui.ui.web import serve_dashboard

    warning = warning_for(args.host)
    if warning is not None:
        if args.allow_actions:
            warning = warning[:-1] + " and can trigger or cancel jobs (--allow-actions)."
        print(warning, file=sys.stderr, flush=True)
    demo = None
    try:
        if getattr(args, "demo", False):
            from airsync_tui.cli.demo import start_demo, take_prestarted

            demo = take_prestarted() or start_demo()
            profile = demo.profile

            def demo_value(field: SettingField) -> object:
                for spec in specs():
                    if field in spec.fields:
                        settings = profile.settings_for(spec.name)
                        return getattr(settings, field.name, None) if settings is not None else None
                return None

            flags, secrets = _provider_flags_and_secrets(demo_value)
            os.environ.update(secrets)
            command = dashboard_command(args, demo_flags=flags)
        else:
            os.environ.update(_provider_flags_and_secrets(lambda field: getattr(args, field.override_key, None))[1])
            command = dashboard_command(args)
        public_url = args.public_url or f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{args.port}"
        mode = "actions allowed" if args.allow_actions else "read-only"
        print(
            f"airsync serve: dashboard on http://{args.host}:{args.port} ({mode}); Ctrl-C to stop",
            file=sys.stderr,
            flush=True,
        )
        serve_dashboard(command, host=args.host, port=args.port, public_url=public_url)
    finally:
        if demo is not None:
            demo.stop()
    return EXIT_OK
