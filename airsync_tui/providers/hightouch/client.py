"""Typed Hightouch v1 REST client on top of `JsonHttp`.

Only the endpoints the dashboard needs (hightouch-api.md A.2). Two rules:

* Stay under the documented 200 requests / 10 s per workspace on our side
  (`SlidingWindowLimiter`, default 150 / 10 s, leaving room for other tools on
  the same workspace) AND back off on 429 anyway. Hightouch sends no
  `Retry-After`, so the retry policy spans more than one window (1+2+4+8 s).
* A trigger is never retried blindly: it is sent with `safe=False`, because
  Hightouch has no idempotency and a second POST queues a second run. The
  provider reconciles ambiguous failures by reading the runs list instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from airsync_tui.models.timeparse import format_iso
from airsync_tui.providers.hightouch.wire import Sync, SyncList, SyncRun, SyncRunList, TriggerRunOutput
from airsync_tui.providers.http import (
    HttpSignal,
    JsonHttp,
    RequestStats,
    RetryPolicy,
    SlidingWindowLimiter,
    tls_verify_for,
)
from airsync_tui.providers.paging import PageGuard

from .errors import LABEL, map_hightouch_error

DEFAULT_API_URL = "https://api.hightouch.com/api/v1"
DOCUMENTED_LIMIT = 200  # requests per window per workspace
DOCUMENTED_WINDOW = 10.0  # seconds
DEFAULT_CLIENT_LIMIT = 150  # our own ceiling: 75% of the documented limit
PAGE_SIZE = 100  # the API's default and our page size
MAX_SYNC_PAGES = 200  # 20,000 syncs: a guard against a server that always says hasMore

# Longer than the generic policy: no Retry-After is sent, so wait past a 10 s window.
HIGHTOUCH_RETRY = RetryPolicy(attempts=5, base_delay=1.0, max_delay=10.0)


class HightouchClient:
    """Thin, typed wrapper over the Hightouch v1 endpoints."""

    def __init__(
        self,
        api_url: str,
        api_key: str,
        *,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        limit: int = DEFAULT_CLIENT_LIMIT,
        window: float = DOCUMENTED_WINDOW,
        policy: RetryPolicy = HIGHTOUCH_RETRY,
    ) -> None:
        self.base_url = api_url.rstrip("/")
        self._api_key = api_key
        self.limiter = SlidingWindowLimiter(limit, window)
        client = httpx.AsyncClient(
            timeout=timeout,
            transport=transport,
            headers={
                "Authorization": f"Bearer {api_key}",
                "Accept": "application/json",
                "User-Agent": "airsync-tui",
            },
            verify=tls_verify_for(self.base_url),
        )
        self.http = JsonHttp(
            client,
            label=LABEL,
            error_mapper=map_hightouch_error,
            policy=policy,
            limiter=self.limiter,
            secrets=lambda: (self._api_key,),
        )

    # ---------------------------------------------------------------- plumbing
    @property
    def stats(self) -> RequestStats:
        return self.http.stats

    def add_health_listener(self, listener: Callable[[HttpSignal], None]) -> None:
        self.http.listeners.append(listener)

    async def aclose(self) -> None:
        await self.http.client.aclose()

    def _url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    async def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return await self.http.request("GET", self._url(path), params=params)

    # ------------------------------------------------------------------- syncs
    async def list_syncs_page(
        self,
        *,
        offset: int = 0,
        limit: int = PAGE_SIZE,
        after: datetime | None = None,
        order_by: str | None = None,
    ) -> SyncList:
        """One page of `GET /syncs`; `after` = syncs that ran after that instant."""
        params: dict[str, Any] = {"offset": offset, "limit": limit}
        if after is not None:
            params["after"] = format_iso(after)
        if order_by:
            params["orderBy"] = order_by
        return SyncList.model_validate(await self._get("/syncs", params))

    async def list_syncs(self, *, after: datetime | None = None) -> list[Sync]:
        """Every sync (or every sync run after `after`), paging until `hasMore` is false."""
        syncs: list[Sync] = []
        offset = 0
        guard = PageGuard("Hightouch", "/syncs", max_pages=MAX_SYNC_PAGES)
        for _ in range(MAX_SYNC_PAGES):
            page = await self.list_syncs_page(offset=offset, after=after)
            guard.check(sync.id for sync in page.data)
            syncs.extend(page.data)
            if not page.has_more or not page.data:
                break
            offset += len(page.data)
        return syncs

    async def get_sync(self, sync_id: int) -> Sync:
        return Sync.model_validate(await self._get(f"/syncs/{int(sync_id)}"))

    async def patch_sync(self, sync_id: int, body: dict[str, Any]) -> Sync:
        """`PATCH /syncs/{id}` (`UpdateSync`), e.g. `{"disabled": true}`. Sent once; answers the Sync."""
        return Sync.model_validate(await self.http.request("PATCH", self._url(f"/syncs/{int(sync_id)}"), json=body, safe=False))

    # -------------------------------------------------------------------- runs
    async def list_runs(
        self,
        sync_id: int,
        *,
        run_id: int | None = None,
        after: datetime | None = None,
        within_minutes: float | None = None,
        limit: int = 20,
        offset: int = 0,
        order_by: str | None = None,
    ) -> SyncRunList:
        """`GET /syncs/{id}/runs`, newest first (by id unless `order_by`)."""
        params: dict[str, Any] = {"limit": limit}
        if offset:
            params["offset"] = offset
        if run_id is not None:
            params["runId"] = int(run_id)
        if after is not None:
            params["after"] = format_iso(after)
        if within_minutes is not None:
            params["within"] = f"{within_minutes:g}"
        if order_by:
            params["orderBy"] = order_by
        return SyncRunList.model_validate(await self._get(f"/syncs/{int(sync_id)}/runs", params))

    async def get_run(self, sync_id: int, run_id: int) -> SyncRun | None:
        """A run by id (`?runId=`, as Hightouch's Airflow hook does); None if not visible yet."""
        page = await self.list_runs(sync_id, run_id=run_id, limit=1)
        for run in page.data:
            if run.id == run_id:
                return run
        return None

    async def trigger(self, sync_id: int, *, full_resync: bool = False) -> TriggerRunOutput:
        """`POST /syncs/{id}/trigger`, sent once (`safe=False`).

        It is re-sent only after a 429 (a refused request started
        nothing); timeouts, dropped connections and 5xx surface to the caller
        to reconcile.
        """
        body = {"fullResync": True} if full_resync else None
        answer = await self.http.request("POST", self._url(f"/syncs/{int(sync_id)}/trigger"), json=body, safe=False, resend_refused=True)
        return TriggerRunOutput.model_validate(answer)


__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_CLIENT_LIMIT",
    "DOCUMENTED_LIMIT",
    "DOCUMENTED_WINDOW",
    "HIGHTOUCH_RETRY",
    "HightouchClient",
    "PAGE_SIZE",
]
