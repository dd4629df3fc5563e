"""`airsync` / `airsync --demo`: open the dashboard on a profile or the embedded demo."""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING, Any

from airsync_tui.cli.demo import Demo, start_demo, take_prestarted
from airsync_tui.errors import EXIT_OK
from airsync_tui.service.session import build_watcher
from airsync_tui.service.watcher import Watcher

if TYPE_CHECKING:
    from airsync_tui.service.subscription import Subscription
    from airsync_tui.ui.app import AirsyncApp


def demo_workspace_label(base_url: str) -> str:
    """Where the demo's data comes from; the header's demo badge already says "demo" (each fact once)."""
    return f"embedded emulator on {base_url}"


def _available_profiles() -> list[str]:
    from airsync_tui.config import list_profiles

    try:
        return list_profiles()
    except Exception:  # noqa: BLE001 — a broken config file is reported when a profile is loaded
        return []


def run_dashboard(args: argparse.Namespace) -> int:
    demo: Demo | None = None
    read_only = bool(getattr(args, "read_only", False))
    only = getattr(args, "provider", None)
    if args.demo:
        demo = take_prestarted() or start_demo()
        profile = demo.profile
        if read_only:
            profile = profile.model_copy(update={"read_only": True})
        profiles: list[str] = []
        label = demo_workspace_label(demo.base_url)
    else:
        from airsync_tui.cli.commands import load_cli_profile  # the CLI's commands: not needed for --demo

        profile = load_cli_profile(args)
        profiles = _available_profiles()
        label = _workspace_label(profile)
    try:
        watcher = build_watcher(profile, read_only=profile.read_only, only=only)

        async def switch_profile(name: str) -> Watcher:
            from airsync_tui.config import load_profile

            new_profile = load_profile(name, overrides={"read_only": True} if read_only else None)
            return build_watcher(new_profile, read_only=new_profile.read_only, only=only)

        is_demo = demo is not None

        def make_app(subscription: Subscription) -> AirsyncApp:
            from airsync_tui.ui.app import AirsyncApp, SessionInfo  # imported by now (early_watch.import_ui)

            watch_settings = _watch_settings(profile)  # parsed once: the rules and the desktop switch

            info = SessionInfo(
                profile_name=profile.name,
                read_only=profile.read_only,
                demo=is_demo,
                available_profiles=tuple(profiles),
                workspace_label=label,
                desktop_notify=bool(watch_settings and watch_settings.desktop_notify),
                watch_settings=watch_settings,
            )
            kwargs: dict[str, Any] = {}
            if profiles and not is_demo:
                kwargs["switch_profile"] = switch_profile
            return AirsyncApp(watcher, info, subscription=subscription, set_aside_heap=True, **kwargs)

        from airsync_tui.cli import startup
        from airsync_tui.cli.early_watch import run_app_while_polling

        # The watcher's first requests go out while the UI imports (cli/early_watch.py);
        # the start-up the console script began (collector paused, code cache) ends before the app runs.
        app = asyncio.run(run_app_while_polling(watcher, make_app, before_run=startup.end))
    finally:
        if demo is not None:
            demo.stop()
    return getattr(app, "return_code", None) or EXIT_OK


def _watch_settings(profile: Any) -> Any:
    """The profile's `[watch]` rules for the dashboard's alerts; a bad table falls back to the defaults
    (`airsync watch` is where it is reported, with the line that is wrong)."""
    from airsync_tui.errors import ConfigError
    from airsync_tui.service.rules.settings import parse_watch_settings

    try:
        return parse_watch_settings(getattr(profile, "watch", None) or {})
    except ConfigError:
        return None


def _workspace_label(profile: Any) -> str:
    """Each configured provider's part of the header, as its ProviderSpec words it."""
    from airsync_tui.providers.registry import specs

    parts = []
    for spec in specs():
        settings = profile.settings_for(spec.name)
        if settings is not None:
            parts.append(spec.label(settings))
    return " + ".join(parts)
