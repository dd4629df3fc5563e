"""PyAirbyte's SQL access on `SyncResult`: engine, cache, database/schema/table names, datasets.

A mixin (kept out of `sync_result.py`, which owns the job/wait logic) so
`SyncResult` gains PyAirbyte's `get_sql_engine()`, `get_sql_cache()`,
`get_sql_database_name()`, `get_sql_schema_name()`, `get_sql_table_name()`,
`get_sql_table()`, `get_dataset()` and `streams`.

Differences from PyAirbyte, on purpose:

* the methods that must call the Airbyte API are `async` (like the rest of
  airsync's `SyncResult`); `streams` is a property that works once
  `await get_sql_cache()` has run (it says so otherwise);
* `get_sql_cache()` returns `SqlCache`, a read-only handle on the destination
  (see `sql_access`), not a PyAirbyte cache you could write into;
* masked secrets are never used: they come from the environment or the profile
  (`destination_sql.SecretSource`), and a missing one is named.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from airsync_tui.errors import ConfigError
from airsync_tui.providers.airbyte.destination_sql import SecretSource
from airsync_tui.providers.airbyte.sql_access import (
    SqlCache,
    SqlDataset,
    build_sql_cache,
)

if TYPE_CHECKING:
    from airsync_tui.providers.airbyte.provider import AirbyteProvider


async def load_sql_cache(provider: AirbyteProvider, connection_id: str, secrets: SecretSource | None = None) -> SqlCache:
    """Connection → its destination (public API) → a read-only `SqlCache`."""
    connection = await provider.client.get_connection_raw(connection_id)
    destination_id = str(connection.get("destinationId") or "")
    if not destination_id:
        raise ConfigError(f"connection {connection_id} has no destinationId")
    destination = await provider.client.get_destination_raw(destination_id)
    if secrets is None:
        secrets = default_secret_source(provider)
    return build_sql_cache(connection, destination, secrets)


def default_secret_source(provider: Any) -> SecretSource:
    """Environment plus `[profiles.<profile>.destinations.*]` of the config file."""
    from airsync_tui.config import default_config_path

    settings = getattr(provider, "settings", None)
    profile_name = getattr(settings, "profile_name", None)
    try:
        path = default_config_path()
    except Exception:  # noqa: BLE001 - no usable config directory: environment only
        path = None
    return SecretSource.from_profile(path, profile_name)


class SyncResultSqlMixin:
    """Mixed into `SyncResult`; relies on its `provider` and `connection_id`/`refresh()`."""

    provider: AirbyteProvider
    connection_id: str | None
    _sql_cache: SqlCache | None = None

    async def refresh(self) -> Any:  # provided by SyncResult
        raise NotImplementedError

    async def get_sql_cache(self, *, secrets: SecretSource | None = None) -> SqlCache:
        """The destination as a read-only `SqlCache` (fetched once)."""
        if self._sql_cache is None:
            if not self.connection_id:
                await self.refresh()
            self._sql_cache = await load_sql_cache(self.provider, self.connection_id or "", secrets)
        return self._sql_cache

    async def get_sql_engine(self) -> Any:
        """A read-only SQLAlchemy engine on the destination."""
        return (await self.get_sql_cache()).get_sql_engine()

    async def get_sql_database_name(self) -> str:
        return (await self.get_sql_cache()).database_name

    async def get_sql_schema_name(self) -> str:
        return (await self.get_sql_cache()).schema_name

    async def get_sql_table_name(self, stream_name: str) -> str:
        return (await self.get_sql_cache()).get_sql_table_name(stream_name)

    async def get_sql_table(self, stream_name: str) -> Any:
        """A `sqlalchemy.Table` for the stream's final table (database I/O runs in a thread)."""
        cache = await self.get_sql_cache()
        return await asyncio.to_thread(cache.get_sql_table, stream_name)

    async def get_dataset(self, stream_name: str) -> SqlDataset:
        return (await self.get_sql_cache()).get_dataset(stream_name)

    @property
    def streams(self) -> Mapping[str, SqlDataset]:
        """Stream name → dataset (after `await get_sql_cache()`)."""
        if self._sql_cache is None:
            raise ConfigError(
                "the destination is not loaded yet",
                hint="call `await sync_result.get_sql_cache()` first",
            )
        return self._sql_cache.streams


__all__ = ["SyncResultSqlMixin", "default_secret_source", "load_sql_cache"]
