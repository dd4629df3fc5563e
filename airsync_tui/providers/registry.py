"""Which providers exist and how a profile turns into provider clients.

This table is the only place that knows provider names: adding a third
provider means one entry here plus its config section, and nothing in the
service, CLI or UI changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from airsync_tui.providers.base import SyncProvider

if TYPE_CHECKING:
    from airsync_tui.config import Profile


def _airbyte(profile: Profile, read_only: bool) -> SyncProvider | None:
    if profile.airbyte is None:
        return None
    from airsync_tui.providers.airbyte.provider import AirbyteProvider

    return AirbyteProvider.from_settings(profile.airbyte, read_only=read_only)


def _hightouch(profile: Profile, read_only: bool) -> SyncProvider | None:
    if profile.hightouch is None:
        return None
    from airsync_tui.providers.hightouch.provider import HightouchProvider

    return HightouchProvider.from_settings(profile.hightouch, read_only=read_only)


#: provider name -> factory(profile, read_only) -> provider or None when not configured
PROVIDER_FACTORIES: dict[str, Callable[[Profile, bool], SyncProvider | None]] = {
    "airbyte": _airbyte,
    "hightouch": _hightouch,
}


def build_providers(profile: Profile, *, read_only: bool | None = None, only: str | None = None) -> list[SyncProvider]:
    """Every provider the profile configures (or just `only`)."""
    ro = profile.read_only if read_only is None else read_only
    providers: list[SyncProvider] = []
    for name, factory in PROVIDER_FACTORIES.items():
        if only is not None and name != only:
            continue
        provider = factory(profile, ro)
        if provider is not None:
            providers.append(provider)
    return providers
