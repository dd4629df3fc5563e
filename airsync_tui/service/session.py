"""Sessions: a profile turned into providers and a watcher.

The TUI and the CLI both start here, so `airsync --demo` and
`airsync sync X` see exactly the same providers and pacing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airsync_tui.errors import ConfigError
from airsync_tui.providers.base import SyncProvider
from airsync_tui.providers.registry import build_providers, specs
from airsync_tui.service.watcher import Watcher, WatcherConfig

if TYPE_CHECKING:
    from airsync_tui.config import Profile

# The embedded demo (an emulator and a profile pointing at it) lives in
# `airsync_tui.cli.demo`: the emulator is an optional layer that only the CLI
# (and tests) know about, so the service never imports it.


def providers_for(profile: Profile, *, read_only: bool | None = None, only: str | None = None) -> list[SyncProvider]:
    providers = build_providers(profile, read_only=read_only, only=only)
    if not providers:
        hints = [spec.how_to_configure() for spec in specs()]
        raise ConfigError(
            f"profile {profile.name!r} configures no provider",
            hint="set " + "; or ".join(hints) + "; or add a profile to the config file (airsync config path)",
        )
    return providers


def build_watcher(
    profile: Profile,
    *,
    read_only: bool | None = None,
    config: WatcherConfig | None = None,
    only: str | None = None,
) -> Watcher:
    return Watcher(providers_for(profile, read_only=read_only, only=only), config)
