"""Airbyte, described for the registry: settings, env names (PyAirbyte's), flags, statuses, demo."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airsync_tui.errors import ConfigError
from airsync_tui.providers.airbyte.provider import AIRBYTE_CAPABILITIES, AirbyteProvider
from airsync_tui.providers.airbyte.settings import AirbyteSettings
from airsync_tui.providers.airbyte.statuses import AIRBYTE_JOB_STATUSES
from airsync_tui.providers.base import SyncProvider
from airsync_tui.providers.builtin import builtin
from airsync_tui.providers.spec import DemoHook, DerivedValue, ProviderSpec, SettingField

#: The demo emulator's client credentials (a local, public demo value, not a secret).
DEMO_CLIENT_ID = "airsync-demo"
DEMO_CLIENT_SECRET = "airsync-demo-secret"


def _factory(settings: AirbyteSettings, read_only: bool) -> SyncProvider:
    provider: SyncProvider = AirbyteProvider.from_settings(settings, read_only=read_only)
    return provider


def _derived(settings: AirbyteSettings, explicit: frozenset[str], env: Mapping[str, str]) -> tuple[DerivedValue, ...]:
    if "config_api_url" in explicit:
        return ()
    try:
        return (DerivedValue("airbyte.config_api_url", settings.resolved_config_api_url(env), "derived from api_url"),)
    except ConfigError:
        return (DerivedValue("airbyte.config_api_url", "(unknown)", "cannot derive; set config_api_url"),)


def _label(settings: AirbyteSettings) -> str:
    return f"Airbyte {settings.workspace_id or 'all workspaces'}"


def _demo_settings(base_url: str) -> Mapping[str, Any]:
    return {
        "api_url": f"{base_url}/api/public/v1",
        "client_id": DEMO_CLIENT_ID,
        "client_secret": DEMO_CLIENT_SECRET,
    }


SPEC = ProviderSpec(
    name="airbyte",
    display_name="Airbyte",
    settings_model=AirbyteSettings,
    fields=(
        SettingField(
            "api_url",
            env=("AIRBYTE_API_ROOT", "AIRBYTE_CLOUD_API_URL"),
            flag="--api-url",
            help="Airbyte public API root, e.g. http://localhost:8000/api/public/v1",
            enables=True,
        ),
        SettingField(
            "workspace_id",
            env=("AIRBYTE_WORKSPACE_ID", "AIRBYTE_CLOUD_WORKSPACE_ID"),
            flag="--workspace",
            help="Airbyte workspace id",
        ),
        SettingField(
            "config_api_url",
            env=("AIRBYTE_CONFIG_API_ROOT", "AIRBYTE_CLOUD_CONFIG_API_URL"),
            flag="--config-api-url",
            help="Airbyte config API root (derived from --api-url when omitted)",
            enables=True,
        ),
        SettingField(
            "client_id",
            env=("AIRBYTE_CLIENT_ID", "AIRBYTE_CLOUD_CLIENT_ID"),
            flag="--client-id",
            help="Airbyte client id (prefer AIRBYTE_CLIENT_ID or a profile)",
            enables=True,
        ),
        SettingField(
            "client_secret",
            env=("AIRBYTE_CLIENT_SECRET", "AIRBYTE_CLOUD_CLIENT_SECRET"),
            flag="--client-secret",
            help="Airbyte client secret (visible in `ps`: prefer AIRBYTE_CLIENT_SECRET)",
            secret=True,
            enables=True,
        ),
        SettingField(
            "bearer_token",
            env=("AIRBYTE_BEARER_TOKEN", "AIRBYTE_CLOUD_BEARER_TOKEN"),
            flag="--bearer-token",
            help="static Airbyte token instead of client credentials",
            secret=True,
            enables=True,
        ),
        SettingField("username", enables=True),
        SettingField("password", secret=True, enables=True),
        SettingField("timeout"),
    ),
    factory=_factory,
    status_table=AIRBYTE_JOB_STATUSES,
    capabilities=AIRBYTE_CAPABILITIES,
    log_format="airbyte-attempt-json",
    demo=DemoHook(
        mount_path=builtin("airbyte").demo_mount_path,
        app_factory=builtin("airbyte").demo_app_factory,
        settings=_demo_settings,
    ),
    section_enables=True,
    credential_groups={
        "client credentials (client_id/client_secret)": frozenset({"client_id", "client_secret"}),
        "bearer_token": frozenset({"bearer_token"}),
        "basic auth (username/password)": frozenset({"username", "password"}),
    },
    required_pairs=(("client_id", "client_secret"), ("username", "password")),
    derived=_derived,
    workspace_label=_label,
    setup_hint="AIRBYTE_CLIENT_ID/AIRBYTE_CLIENT_SECRET (or AIRBYTE_BEARER_TOKEN) and AIRBYTE_API_ROOT",
)

__all__ = ["DEMO_CLIENT_ID", "DEMO_CLIENT_SECRET", "SPEC"]
