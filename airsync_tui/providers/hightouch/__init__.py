"""Hightouch provider: syncs as connections, sync runs as jobs.

Module map: errors (HTTP error -> one-line typed error), client (typed v1 REST
client with client-side rate limit and 429 backoff), mapping (wire -> neutral
models, pure), tracker (state that keeps polling at constant cost),
provider (`HightouchProvider`, the `SyncProvider` implementation).
Wire models live in `airsync_tui.providers.hightouch.wire`.
"""

from airsync_tui.providers.hightouch.client import DEFAULT_API_URL, HightouchClient
from airsync_tui.providers.hightouch.errors import AUTH_MESSAGE, map_hightouch_error
from airsync_tui.providers.hightouch.provider import (
    CANCEL_UNAVAILABLE,
    CAPABILITIES,
    LOGS_NOTICE,
    HightouchProvider,
)

__all__ = [
    "AUTH_MESSAGE",
    "CANCEL_UNAVAILABLE",
    "CAPABILITIES",
    "DEFAULT_API_URL",
    "HightouchClient",
    "HightouchProvider",
    "LOGS_NOTICE",
    "map_hightouch_error",
]
