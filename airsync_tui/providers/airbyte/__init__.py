"""Airbyte provider: public API v1 + config API, behind the neutral `SyncProvider`."""

from airsync_tui.providers.airbyte.client import AirbyteClient
from airsync_tui.providers.airbyte.provider import AIRBYTE_CAPABILITIES, AirbyteProvider

__all__ = ["AIRBYTE_CAPABILITIES", "AirbyteClient", "AirbyteProvider"]
