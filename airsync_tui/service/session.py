"""Sessions: a profile (or the built-in demo) turned into providers and a watcher.

The TUI and the CLI both start here, so `airsync --demo` and
`airsync sync X` see exactly the same providers and pacing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airsync_tui.errors import ConfigError
from airsync_tui.providers.base import SyncProvider
from airsync_tui.providers.registry import build_providers
from airsync_tui.service.watcher import Watcher, WatcherConfig

if TYPE_CHECKING:
    from airsync_tui.config import Profile
    from airsync_tui.emulator.server import RunningEmulator

#: Virtual-clock speed of the demo: a few-minute sync plays out in ~20 s.
DEMO_SPEED = 10.0
DEMO_SEED = 7


@dataclass
class Demo:
    """A running embedded emulator and the profile that points at it."""

    emulator: RunningEmulator
    profile: Profile

    def stop(self) -> None:
        self.emulator.stop()


def start_demo(*, seed: int = DEMO_SEED, speed: float = DEMO_SPEED, **options: Any) -> Demo:
    """Start the embedded emulator (Airbyte + Hightouch) on 127.0.0.1 and build a profile for it."""
    from airsync_tui.config import AirbyteSettings, HightouchSettings, Profile
    from airsync_tui.emulator.server import EmulatorOptions, start_emulator

    emulator = start_emulator(EmulatorOptions(seed=seed, speed=speed, **options))
    profile = Profile(
        name="demo",
        airbyte=AirbyteSettings(
            api_url=emulator.public_api_url,
            client_id=emulator.client_id,
            client_secret=emulator.client_secret,
            workspace_id=emulator.workspace_id,
        ),
        hightouch=HightouchSettings(api_url=emulator.hightouch_api_url, api_key=emulator.hightouch_api_key),
        read_only=False,
    )
    return Demo(emulator=emulator, profile=profile)


def providers_for(profile: Profile, *, read_only: bool | None = None, only: str | None = None) -> list[SyncProvider]:
    providers = build_providers(profile, read_only=read_only, only=only)
    if not providers:
        raise ConfigError(
            f"profile {profile.name!r} configures no provider",
            hint="set AIRBYTE_CLIENT_ID/AIRBYTE_CLIENT_SECRET (or AIRBYTE_BEARER_TOKEN) and AIRBYTE_API_ROOT, "
            "or HIGHTOUCH_API_KEY, or add a profile to the config file (airsync config path)",
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
