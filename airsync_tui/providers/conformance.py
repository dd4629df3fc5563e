"""Static proof that every real provider satisfies `SyncProvider` (checked by `mypy --strict`).

`SyncProvider` is a `Protocol`, so nothing at run time forces a provider class to
match it; a drifted signature only showed up as a wrong call somewhere in the
service. These functions never run: they exist so the type checker compares
each provider class with the protocol, member by member, on every gate run.
"""

from __future__ import annotations

from airsync_tui.providers.airbyte.provider import AirbyteProvider
from airsync_tui.providers.base import SyncProvider
from airsync_tui.providers.hightouch.provider import HightouchProvider


def airbyte_is_a_sync_provider(provider: AirbyteProvider) -> SyncProvider:
    return provider


def hightouch_is_a_sync_provider(provider: HightouchProvider) -> SyncProvider:
    return provider


__all__ = ["airbyte_is_a_sync_provider", "hightouch_is_a_sync_provider"]
