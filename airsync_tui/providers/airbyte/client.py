"""Typed, raw operations on Airbyte's public API (v1) and config API.

No mapping to neutral models here (that is `provider.py`); this layer only
knows URLs, query shapes, paging and wire models. All requests go through
`JsonHttp`, so they get timeouts, retries for SAFE requests only, one-line
errors and the health signal.

Paging rule: compute offsets ourselves and stop on an empty or short page.
Never follow `next`: the server fills it on every non-empty page (even the
last one) and builds it from its configured host, which on self-managed
installs is often not the URL we called.

Server clock: every response's `Date` header is recorded, because the
activity watermark must come from the server's clock (an emulator's virtual
clock, or a skewed host), never ours.
"""

from __future__ import annotations

import mmap
import re
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol, Self, TypeVar, cast

import httpx

from airsync_tui.errors import ConfigError, TransportError
from airsync_tui.models.timeparse import format_iso
from airsync_tui.providers.airbyte.auth import NoAuth, build_auth
from airsync_tui.providers.airbyte.errors import LABEL, ConfigApiUnavailable, make_error_mapper
from airsync_tui.providers.airbyte.settings import AirbyteSettings
from airsync_tui.providers.airbyte.wire import (
    AttemptInfoRead,
    AttemptStats,
    ConnectionResponse,
    ConnectionsResponse,
    ConnectionSyncProgressRead,
    JobInfoRead,
    JobReadList,
    JobResponse,
    JobsResponse,
    WorkspaceResponse,
    WorkspacesResponse,
)
from airsync_tui.providers.http import (
    JsonHttp,
    RetryPolicy,
    _transport_error,
    tls_verify_for,
)
from airsync_tui.providers.paging import PageGuard

MAX_PAGE = 100
ACTIVE_STATUSES: tuple[str, ...] = ("pending", "queued", "running", "incomplete")
SYNC_CONFIG_TYPES: tuple[str, ...] = ("sync", "reset_connection", "clear", "refresh")
_ATTEMPT_STATUS = re.compile(rb'(?<!\\)"status"\s*:\s*"([A-Za-z_]+)"')


def _iso(value: datetime | str | None) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else format_iso(value)


_ItemT = TypeVar("_ItemT", covariant=True)


class _Envelope(Protocol[_ItemT]):
    """A page of the public API: `{"data": [...]}` parsed by a pydantic model."""

    @property
    def data(self) -> Sequence[_ItemT]: ...

    @classmethod
    def model_validate(cls, obj: Any) -> Self: ...


def _item_key(item: Any) -> object:
    """A listed item's id, for repeat detection."""
    for name in ("connection_id", "workspace_id", "job_id", "id"):
        value = getattr(item, name, None)
        if value is not None:
            return value
    return id(item)


class ServerClock:
    """The server's time, learnt from response `Date` headers."""

    def __init__(self) -> None:
        self.last: datetime | None = None
        self._seen_at: float = 0.0

    async def on_response(self, response: httpx.Response) -> None:
        value = response.headers.get("date")
        if not value:
            return
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        self.last = parsed.astimezone(UTC)
        self._seen_at = time.monotonic()

    def now(self) -> datetime | None:
        """Last server time seen, advanced by wall time since (None if never seen)."""
        if self.last is None:
            return None
        from datetime import timedelta

        return self.last + timedelta(seconds=max(0.0, time.monotonic() - self._seen_at))


class AirbyteClient:
    """Raw Airbyte API operations over one `httpx.AsyncClient`."""

    def __init__(
        self,
        http: JsonHttp,
        *,
        api_url: str,
        config_api_url: str | None,
        server_clock: ServerClock | None = None,
    ) -> None:
        self.http = http
        self.api_url = api_url.rstrip("/")
        self.config_api_url = config_api_url.rstrip("/") if config_api_url else None
        self.server_clock = server_clock or ServerClock()

    @classmethod
    def from_settings(
        cls,
        settings: AirbyteSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        policy: RetryPolicy = RetryPolicy(),
    ) -> AirbyteClient:
        try:
            config_url: str | None = settings.resolved_config_api_url()
        except ConfigError:
            config_url = None  # public API only; config calls report ConfigApiUnavailable
        clock = ServerClock()
        client = httpx.AsyncClient(
            auth=build_auth(settings),
            timeout=httpx.Timeout(settings.timeout),
            transport=transport,
            headers={"accept": "application/json", "user-agent": "airsync-tui"},
            event_hooks={"response": [clock.on_response]},
            verify=tls_verify_for(settings.api_url, config_url),
        )
        config_prefix = httpx.URL(config_url).path if config_url else None
        http = JsonHttp(
            client,
            label=LABEL,
            error_mapper=make_error_mapper(profile=settings.profile_name, config_api_prefix=config_prefix),
            policy=policy,
            secrets=settings.secrets,
        )
        return cls(http, api_url=settings.api_url, config_api_url=config_url, server_clock=clock)

    async def aclose(self) -> None:
        await self.http.client.aclose()

    # ------------------------------------------------------------------ plumbing

    def _public(self, path: str) -> str:
        return f"{self.api_url}{path}"

    def _config(self, path: str) -> str:
        if not self.config_api_url:
            raise ConfigApiUnavailable(
                "Airbyte's config API URL is unknown for this api_url",
                hint="set config_api_url in the profile for live stats and logs",
            )
        return f"{self.config_api_url}{path}"

    async def _get(self, path: str, params: Sequence[tuple[str, Any]] | None = None) -> Any:
        url = self._public(path)
        return await self.http.request("GET", url, params=list(params or ()))

    async def _config_post(self, path: str, body: dict[str, Any]) -> Any:
        # Config API reads are POSTs but safe: they change nothing, so retry them.
        url = self._config(path)
        return await self.http.request("POST", url, json=body, safe=True)

    # ------------------------------------------------------------------ public: health, workspaces, connections

    async def health(self) -> httpx.Response:
        """`GET /health` without credentials; returns the raw response (check() inspects it)."""
        url = self._public("/health")
        try:
            return await self.http.client.get(url, auth=NoAuth())
        except httpx.TimeoutException:
            raise TransportError(f"Airbyte did not answer in time at {url}", hint="check the API URL and network") from None
        except httpx.TransportError as exc:
            raise _transport_error(LABEL, "GET", url, exc) from None

    async def list_workspaces(self, *, workspace_ids: Iterable[str] = (), max_items: int | None = None) -> list[WorkspaceResponse]:
        params = [("workspaceIds", w) for w in workspace_ids]
        pages = self._pages("/workspaces", params, WorkspacesResponse, max_items=max_items)
        return [item async for item in pages]

    async def get_workspace(self, workspace_id: str) -> WorkspaceResponse:
        return WorkspaceResponse.model_validate(await self._get(f"/workspaces/{workspace_id}"))

    async def list_connections(
        self,
        *,
        workspace_ids: Iterable[str] = (),
        tag_ids: Iterable[str] = (),
        include_deleted: bool = False,
        max_items: int | None = None,
    ) -> list[ConnectionResponse]:
        params: list[tuple[str, Any]] = [("workspaceIds", w) for w in workspace_ids]
        params += [("tagIds", t) for t in tag_ids]
        if include_deleted:
            params.append(("includeDeleted", "true"))
        return [item async for item in self._pages("/connections", params, ConnectionsResponse, max_items=max_items)]

    async def get_connection(self, connection_id: str) -> ConnectionResponse:
        return ConnectionResponse.model_validate(await self._get(f"/connections/{connection_id}"))

    async def get_connection_raw(self, connection_id: str) -> dict[str, Any]:
        """The `ConnectionResponse` body as sent (namespace rules and stream prefix for table naming)."""
        body = await self._get(f"/connections/{connection_id}")
        return body if isinstance(body, dict) else {}

    async def get_destination_raw(self, destination_id: str) -> dict[str, Any]:
        """`GET /destinations/{id}`: the destination's configuration, secrets masked by the server."""
        body = await self._get(f"/destinations/{destination_id}")
        return body if isinstance(body, dict) else {}

    async def _pages(
        self,
        path: str,
        params: list[tuple[str, Any]],
        envelope: type[_Envelope[_ItemT]],
        *,
        max_items: int | None,
        page_size: int = MAX_PAGE,
    ) -> AsyncIterator[_ItemT]:
        """Offset paging that stops on an empty or short page (never follows `next`)."""
        offset = 0
        yielded = 0
        guard = PageGuard(LABEL, path)
        while True:
            limit = page_size if max_items is None else max(1, min(page_size, max_items - yielded))
            body = await self._get(path, params + [("limit", limit), ("offset", offset)])
            page = envelope.model_validate(body).data
            guard.check(_item_key(item) for item in page)
            for item in page:
                yield item
                yielded += 1
                if max_items is not None and yielded >= max_items:
                    return
            if len(page) < limit:
                return
            offset += len(page)

    # ------------------------------------------------------------------ public: jobs

    @staticmethod
    def job_params(
        *,
        connection_id: str | None = None,
        workspace_ids: Iterable[str] = (),
        job_type: str | None = None,
        status: str | None = None,
        created_at_start: datetime | str | None = None,
        created_at_end: datetime | str | None = None,
        updated_at_start: datetime | str | None = None,
        updated_at_end: datetime | str | None = None,
        order_by: str | None = None,
    ) -> list[tuple[str, Any]]:
        """`GET /jobs` filters; workspaceIds repeated, times as ISO-8601."""
        params: list[tuple[str, Any]] = []
        if connection_id:
            params.append(("connectionId", connection_id))
        params += [("workspaceIds", w) for w in workspace_ids]
        for name, value in (
            ("jobType", job_type),
            ("status", status),
            ("createdAtStart", _iso(created_at_start)),
            ("createdAtEnd", _iso(created_at_end)),
            ("updatedAtStart", _iso(updated_at_start)),
            ("updatedAtEnd", _iso(updated_at_end)),
            ("orderBy", order_by),
        ):
            if value:
                params.append((name, value))
        return params

    async def list_jobs_page(self, *, limit: int = 20, offset: int = 0, **filters: Any) -> JobsResponse:
        """One page of `GET /jobs` (limit 1–100). Filters: see `job_params`."""
        params = self.job_params(**filters) + [("limit", max(1, min(limit, MAX_PAGE))), ("offset", offset)]
        return JobsResponse.model_validate(await self._get("/jobs", params))

    async def list_jobs(self, *, max_items: int = 100, offset: int = 0, **filters: Any) -> list[JobResponse]:
        """Up to `max_items` jobs across pages of 100 (stops on a short page)."""
        out: list[JobResponse] = []
        guard = PageGuard(LABEL, "/jobs")
        while len(out) < max_items:
            limit = min(MAX_PAGE, max_items - len(out))
            page = (await self.list_jobs_page(limit=limit, offset=offset, **filters)).data
            guard.check(job.job_id for job in page)
            out.extend(page)
            if len(page) < limit:
                break
            offset += len(page)
        return out

    async def get_job(self, job_id: int | str) -> JobResponse:
        return JobResponse.model_validate(await self._get(f"/jobs/{job_id}"))

    async def create_job(self, connection_id: str, job_type: str = "sync") -> JobResponse:
        """`POST /jobs` — sent ONCE (`safe=False`); the caller reconciles a lost answer."""
        body = await self.http.request(
            "POST",
            self._public("/jobs"),
            json={"connectionId": connection_id, "jobType": job_type},
            safe=False,
            resend_refused=True,  # a 429 means nothing started: re-send after the wait
        )
        return JobResponse.model_validate(body)

    async def cancel_job(self, job_id: int | str) -> JobResponse:
        return JobResponse.model_validate(await self.http.request("DELETE", self._public(f"/jobs/{job_id}"), safe=False))

    # ------------------------------------------------------------------ fleet actions (issue 12)

    async def patch_connection(self, connection_id: str, body: dict[str, Any]) -> ConnectionResponse:
        """Public `PATCH /connections/{id}` (status, schedule). Sent ONCE: the caller reads state first."""
        answer = await self.http.request("PATCH", self._public(f"/connections/{connection_id}"), json=body, safe=False)
        return ConnectionResponse.model_validate(answer)

    async def config_refresh_streams(self, connection_id: str, streams: Sequence[str], mode: str) -> JobInfoRead:
        """Config `connections/refresh` (`refreshMode` Truncate|Merge; no streams = all). Starts a job: sent once."""
        body: dict[str, Any] = {"connectionId": connection_id, "refreshMode": mode}
        if streams:
            body["streams"] = [{"streamName": name} for name in streams]
        answer = await self.http.request("POST", self._config("/connections/refresh"), json=body, safe=False)
        return JobInfoRead.model_validate({"job": (answer or {}).get("job") or {}, "attempts": []})

    async def config_clear_streams(self, connection_id: str, streams: Sequence[str]) -> JobInfoRead:
        """Config `connections/clear/stream` (or `connections/clear` for every stream). Starts a job: sent once."""
        if streams:
            path, body = "/connections/clear/stream", {"connectionId": connection_id, "streams": [{"streamName": n} for n in streams]}
        else:
            path, body = "/connections/clear", {"connectionId": connection_id}
        answer = await self.http.request("POST", self._config(path), json=body, safe=False)
        return JobInfoRead.model_validate(answer)

    # ------------------------------------------------------------------ config API

    async def config_get_job(self, job_id: int | str) -> JobInfoRead:
        """`jobs/get`: attempts WITH logs (stats only for finished attempts). PyAirbyte's call."""
        return JobInfoRead.model_validate(await self.config_get_job_raw(job_id))

    async def config_get_job_raw(self, job_id: int | str) -> dict[str, Any]:
        return cast(dict[str, Any], await self._config_post("/jobs/get", {"id": int(job_id)}))  # the API answers a JobInfoRead object

    async def config_get_job_without_logs(self, job_id: int | str) -> JobInfoRead:
        """`jobs/get_without_logs`: live, hydrated attempt and stream stats with estimates."""
        return JobInfoRead.model_validate(await self._config_post("/jobs/get_without_logs", {"id": int(job_id)}))

    async def config_get_attempt(self, job_id: int | str, attempt_number: int) -> AttemptInfoRead:
        body = await self._config_post("/attempt/get_for_job", {"jobId": int(job_id), "attemptNumber": attempt_number})
        return AttemptInfoRead.model_validate(body)

    async def config_get_attempt_raw(self, job_id: int | str, attempt_number: int) -> tuple[bytes | mmap.mmap, str | None]:
        """`attempt/get_for_job` as raw bytes plus the attempt status.

        Logs can be a million lines: the bytes go to the log indexer
        untouched, and the status is found with one regex (the only unescaped
        `"status"` key in an AttemptInfoRead is the attempt's). A big body is
        streamed to an unlinked spool file and comes back mapped, never whole
        in the heap (`airsync_tui.logs.spool`).
        """
        url = self._config("/attempt/get_for_job")
        content = await self.http.request(
            "POST", url, json={"jobId": int(job_id), "attemptNumber": attempt_number}, safe=True, decode=False, spool=True
        )
        match = _ATTEMPT_STATUS.search(content)
        return content, (match.group(1).decode().lower() if match else None)

    async def config_attempt_combined_stats(self, job_id: int | str, attempt_number: int) -> AttemptStats:
        body = await self._config_post("/attempt/get_combined_stats", {"jobId": int(job_id), "attemptNumber": attempt_number})
        return AttemptStats.model_validate(body or {})

    async def config_sync_progress(self, connection_id: str) -> ConnectionSyncProgressRead:
        body = await self._config_post("/connections/sync_progress", {"connectionId": connection_id})
        return ConnectionSyncProgressRead.model_validate(body or {})

    @staticmethod
    def _list_body(
        *,
        config_types: Sequence[str],
        statuses: Sequence[str] = (),
        page_size: int = MAX_PAGE,
        row_offset: int = 0,
        order_by_field: str | None = None,
        order_by_method: str | None = None,
        created_at_start: datetime | str | None = None,
        updated_at_start: datetime | str | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "configTypes": list(config_types),
            "pagination": {"pageSize": page_size, "rowOffset": row_offset},
        }
        if statuses:
            body["statuses"] = list(statuses)
        if order_by_field:
            body["orderByField"] = order_by_field
        if order_by_method:
            body["orderByMethod"] = order_by_method
        if created_at_start:
            body["createdAtStart"] = _iso(created_at_start)
        if updated_at_start:
            body["updatedAtStart"] = _iso(updated_at_start)
        return body

    async def config_list_jobs(self, connection_id: str, *, config_types: Sequence[str] = SYNC_CONFIG_TYPES, **options: Any) -> JobReadList:
        body = self._list_body(config_types=config_types, **options)
        body["configId"] = connection_id
        return JobReadList.model_validate(await self._config_post("/jobs/list", body) or {})

    async def config_list_jobs_for_workspaces(
        self, workspace_ids: Sequence[str], *, config_types: Sequence[str] = SYNC_CONFIG_TYPES, **options: Any
    ) -> JobReadList:
        body = self._list_body(config_types=config_types, **options)
        body["workspaceIds"] = list(workspace_ids)
        return JobReadList.model_validate(await self._config_post("/jobs/list_for_workspaces", body) or {})


__all__ = ["ACTIVE_STATUSES", "AirbyteClient", "MAX_PAGE", "SYNC_CONFIG_TYPES", "ServerClock"]
