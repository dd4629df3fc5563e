"""Hightouch, described for the registry: settings, env names, flags, statuses, demo."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airsync_tui.providers.base import SyncProvider
from airsync_tui.providers.builtin import builtin
from airsync_tui.providers.hightouch.provider import CAPABILITIES, HightouchProvider
from airsync_tui.providers.hightouch.settings import HightouchSettings
from airsync_tui.providers.hightouch.statuses import HIGHTOUCH_RUN_STATUSES
from airsync_tui.providers.spec import DemoHook, ProviderSpec, SettingField

#: The demo emulator's accepted key (a local, public demo value, not a secret).
DEMO_API_KEY = "ht-demo-key"


def _factory(settings: HightouchSettings, read_only: bool) -> SyncProvider:
    provider: SyncProvider = HightouchProvider.from_settings(settings, read_only=read_only)
    return provider


def _demo_settings(base_url: str) -> Mapping[str, Any]:
    return {"api_url": f"{base_url}/hightouch/api/v1", "api_key": DEMO_API_KEY}


SPEC = ProviderSpec(
    name="hightouch",
    display_name="Hightouch",
    settings_model=HightouchSettings,
    fields=(
        SettingField(
            "api_url",
            env=("HIGHTOUCH_API_ROOT",),
            flag="--hightouch-api-url",
            override="hightouch_api_url",
            help="Hightouch API root (default https://api.hightouch.com/api/v1)",
        ),
        SettingField(
            "api_key",
            env=("HIGHTOUCH_API_KEY",),
            flag="--hightouch-api-key",
            override="hightouch_api_key",
            help="Hightouch API key (prefer HIGHTOUCH_API_KEY)",
            secret=True,
            enables=True,
        ),
        SettingField("timeout"),
    ),
    factory=_factory,
    status_table=HIGHTOUCH_RUN_STATUSES,
    capabilities=CAPABILITIES,
    log_format="text-lines",
    demo=DemoHook(
        mount_path=builtin("hightouch").demo_mount_path,
        app_factory=builtin("hightouch").demo_app_factory,
        settings=_demo_settings,
    ),
)

__all__ = ["DEMO_API_KEY", "SPEC"]
