"""`AirbyteProvider`: the `SyncProvider` for Airbyte (Cloud and self-managed).

Design points, each fixing something peers get wrong
(see shared/reference/trigger-and-poll-peers.md):

* Statuses are open: `queued` or any future word never crashes or ends a wait.
* `POST /jobs` is sent exactly once. On 409 "already running" — or on an
  ambiguous failure where the job may have started (timeout, dropped
  connection, 5xx, garbled body) — we look for the connection's active job and
  ATTACH to it instead of posting again.
* `poll_activity` costs a constant number of requests whatever the number of
  connections: "jobs updated since the watermark" (public API) + "every active
  job with live stats" (one config `jobs/list_for_workspaces`). The watermark
  is the server's clock (the `Date` header), never ours.
* Live stats come from the config API; when it is unreachable or forbidden we
  degrade to the public API and remember that for a while instead of failing
  every tick.
* Read-only sessions refuse trigger/cancel here, before any request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from pydantic import ValidationError

from airsync_tui.errors import (
    ApiError,
    AuthError,
    ConflictError,
    NotFoundError,
    ReadOnlyError,
    TransportError,
    UnsupportedError,
)
from airsync_tui.models.domain import Connection, FailureInfo, Job, JobDetail, Workspace
from airsync_tui.models.stream_state import StreamState
from airsync_tui.models.timeline import TimelineEvent
from airsync_tui.models.timeparse import format_iso, parse_iso, utcnow
from airsync_tui.providers.airbyte import timeline as airbyte_timeline
from airsync_tui.providers.airbyte.client import ACTIVE_STATUSES, MAX_PAGE, AirbyteClient
from airsync_tui.providers.airbyte.errors import REFRESH_HINT, REFRESH_UNSUPPORTED, ConfigApiUnavailable
from airsync_tui.providers.airbyte.fleet import AIRBYTE_ACTIONS, AirbyteFleetMixin
from airsync_tui.providers.airbyte.mapping import (
    map_config_job,
    map_connection,
    map_failure,
    map_job_detail,
    map_public_job,
    map_workspace,
)
from airsync_tui.providers.airbyte.settings import AirbyteSettings
from airsync_tui.providers.airbyte.stream_states import fetch_stream_statuses
from airsync_tui.providers.airbyte.wire import JobResponse
from airsync_tui.providers.base import (
    ActivityCursor,
    ActivityPoll,
    AttemptLog,
    JobTypeOption,
    ProviderCapabilities,
    TriggerResult,
)
from airsync_tui.providers.http import HttpSignal, RequestStats, RetryPolicy
from airsync_tui.providers.pacing import paced

if TYPE_CHECKING:
    from airsync_tui.providers.airbyte.sql_access import SqlCache

WATERMARK_OVERLAP = timedelta(seconds=15)
ACTIVE_PAGE_SIZE = 200
MAX_CHANGE_PAGES = 10
ATTACH_WINDOW = timedelta(minutes=10)
CONFIG_DOWN_SECONDS = 300.0
#: Seconds between two looks for the job a trigger with a lost answer may have started (the server
#: may list it a moment late). Scaled by `AIRSYNC_PACE` like every other wait between requests.
RECONCILE_GAP_SECONDS = 1.0

AIRBYTE_CAPABILITIES = ProviderCapabilities(
    job_types=(
        JobTypeOption("sync", "Sync", "Run the connection now (incremental where configured)."),
        JobTypeOption(
            "reset",
            "Reset",
            "Delete the destination data and state for all streams, then re-sync on the next run.",
            destructive=True,
        ),
        JobTypeOption(
            "clear",
            "Clear",
            "Delete the destination data and state for all streams without re-syncing (needs editor role).",
            destructive=True,
        ),
        JobTypeOption(
            "refresh",
            "Refresh",
            "Re-sync all data while keeping what is already loaded.",
            available=False,
            unavailable_reason=f"{REFRESH_UNSUPPORTED} — {REFRESH_HINT}",
        ),
    ),
    can_cancel=True,
    has_attempt_logs=True,
    job_noun="job",
    connection_noun="connection",
    actions=AIRBYTE_ACTIONS,
)


class AirbyteProvider(AirbyteFleetMixin):
    """Airbyte behind the neutral `SyncProvider` protocol (fleet actions: `AirbyteFleetMixin`)."""

    name = "airbyte"
    display_name = "Airbyte"
    capabilities = AIRBYTE_CAPABILITIES

    def __init__(self, client: AirbyteClient, settings: AirbyteSettings, *, read_only: bool = False) -> None:
        self.client = client
        self.settings = settings
        self.read_only = read_only
        self._workspace_ids: list[str] | None = [settings.workspace_id] if settings.workspace_id else None
        self._connection_workspace: dict[str, str] = {}
        self._config_down_until = 0.0
        self._config_down_reason: str | None = None
        self._queued_supported = True

    @classmethod
    def from_settings(
        cls,
        settings: AirbyteSettings,
        *,
        read_only: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
        policy: RetryPolicy = RetryPolicy(),
    ) -> AirbyteProvider:
        return cls(AirbyteClient.from_settings(settings, transport=transport, policy=policy), settings, read_only=read_only)

    # ------------------------------------------------------------------ plumbing

    @property
    def stats(self) -> RequestStats:
        return self.client.http.stats

    def add_health_listener(self, listener: Callable[[HttpSignal], None]) -> None:
        self.client.http.listeners.append(listener)

    async def sql_cache(self, connection_id: str) -> SqlCache:
        """Read-only SQL access to the connection's destination (capability: the Data view, `airsync query`)."""
        from airsync_tui.providers.airbyte.sync_result_sql import load_sql_cache

        return await load_sql_cache(self, connection_id)

    async def aclose(self) -> None:
        await self.client.aclose()

    async def __aenter__(self) -> AirbyteProvider:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    def server_now(self) -> datetime:
        """Best estimate of the server's current time (Date header, else ours)."""
        return self.client.server_clock.now() or utcnow()

    def _ensure_writable(self, action: str) -> None:
        if self.read_only:
            raise ReadOnlyError(
                f"refusing to {action}: this Airbyte session is read-only",
                hint="drop --read-only (or read_only / AIRSYNC_READ_ONLY) to allow it",
            )

    def config_api_available(self) -> bool:
        return self.client.config_api_url is not None and time.monotonic() >= self._config_down_until

    def _config_failed(self, error: Exception) -> None:
        """Remember that the config API is unusable, if the error says it is not transient."""
        lasting = isinstance(error, (ConfigApiUnavailable, NotFoundError)) or (isinstance(error, TransportError) and not error.retryable)
        if lasting:
            self._config_down_until = time.monotonic() + CONFIG_DOWN_SECONDS
            self._config_down_reason = str(error)

    async def workspace_ids(self) -> list[str]:
        """The configured workspace, else every workspace the credentials can see (cached)."""
        if self._workspace_ids is None:
            self._workspace_ids = [w.workspace_id for w in await self.client.list_workspaces()]
        return self._workspace_ids

    def _workspace_for(self, connection_id: str) -> str | None:
        return self._connection_workspace.get(connection_id) or self.settings.workspace_id

    # ------------------------------------------------------------------ URLs

    def connection_url(self, connection_id: str) -> str | None:
        workspace = self._workspace_for(connection_id)
        if not workspace:
            return None
        return f"{self.settings.web_root}/workspaces/{workspace}/connections/{connection_id}"

    def job_url(self, job: Job, attempt_number: int | None = None) -> str | None:
        """The web UI's "copy link to attempt" URL (attemptNumber only when non-zero)."""
        base = self.connection_url(job.connection_id)
        if base is None:
            return None
        url = f"{base}/timeline?openLogs=true&jobId={job.id}"
        if attempt_number:
            url += f"&attemptNumber={attempt_number}"
        return url

    def _public_job(self, wire: JobResponse) -> Job:
        job = map_public_job(wire)
        return job.model_copy(update={"web_url": self.job_url(job)})

    # ------------------------------------------------------------------ health

    async def check(self) -> None:
        """Reachable, really Airbyte, and the credentials work — or a one-line error."""
        response = await self.client.health()
        url = str(response.request.url)
        body_start = response.content.lstrip()[:1]
        ctype = response.headers.get("content-type", "")
        if "html" in ctype or body_start == b"<":
            raise TransportError(
                f"{url} answered with an HTML page, not the Airbyte API",
                hint="api_url must be the API root: https://api.airbyte.com/v1 or http://host:8000/api/public/v1",
            )
        if response.status_code == 404:
            raise ApiError(
                f"no Airbyte API at {self.client.api_url} (GET /health answered 404)",
                hint="api_url must be the API root: https://api.airbyte.com/v1 or http://host:8000/api/public/v1",
                status_code=404,
            )
        if response.status_code >= 400:
            raise ApiError(
                f"Airbyte health check failed (HTTP {response.status_code} from {url})",
                hint="the server may be starting or unhealthy; try again shortly",
                status_code=response.status_code,
                retryable=response.status_code >= 500,
            )
        if self.settings.workspace_id:
            await self.client.get_workspace(self.settings.workspace_id)
        else:
            await self.client.list_workspaces(max_items=1)

    # ------------------------------------------------------------------ catalogue

    async def list_workspaces(self) -> list[Workspace]:
        return [map_workspace(w) for w in await self.client.list_workspaces()]

    async def list_connections(self) -> list[Connection]:
        ids = [self.settings.workspace_id] if self.settings.workspace_id else []
        wires = await self.client.list_connections(workspace_ids=ids)
        for wire in wires:
            if wire.workspace_id:
                self._connection_workspace[wire.connection_id] = wire.workspace_id
        return [map_connection(w, web_url=self.connection_url(w.connection_id)) for w in wires]

    async def get_connection(self, connection_id: str) -> Connection:
        wire = await self.client.get_connection(connection_id)
        if wire.workspace_id:
            self._connection_workspace[wire.connection_id] = wire.workspace_id
        return map_connection(wire, web_url=self.connection_url(wire.connection_id))

    # ------------------------------------------------------------------ jobs

    async def list_jobs(self, connection_id: str, *, limit: int = 20, offset: int = 0) -> list[Job]:
        wires = await self.client.list_jobs(connection_id=connection_id, order_by="createdAt|DESC", max_items=limit, offset=offset)
        return [self._public_job(w) for w in wires]

    async def recent_jobs(self, *, max_jobs: int = 500) -> list[Job]:
        wires = await self.client.list_jobs(workspace_ids=await self.workspace_ids(), order_by="createdAt|DESC", max_items=max_jobs)
        return [self._public_job(w) for w in wires]

    async def get_job(self, job_id: str) -> Job:
        return self._public_job(await self.client.get_job(job_id))

    async def get_job_detail(self, job_id: str) -> JobDetail:
        """Attempts and live per-stream stats from the config API; public job only if it is unusable."""
        if self.config_api_available():
            try:
                info = await self.client.config_get_job_without_logs(job_id)
            except AuthError:
                raise
            except (ApiError, ValidationError) as exc:
                if isinstance(exc, ApiError):
                    self._config_failed(exc)
            else:
                detail = map_job_detail(info, now=self.server_now())
                return detail.model_copy(update={"job": detail.job.model_copy(update={"web_url": self.job_url(detail.job)})})
        return JobDetail(job=await self.get_job(job_id))

    # ------------------------------------------------------------------ activity feed

    async def poll_activity(self, cursor: ActivityCursor | None, *, include_progress: bool) -> ActivityPoll:
        """Constant-cost change feed: (a) jobs updated since the watermark, (b) every active job."""
        state = dict(cursor.data) if cursor else {}
        workspaces = await self.workspace_ids()
        watermark: str | None = state.get("watermark")

        changed: list[JobResponse] = []
        if watermark is None:
            # First call: one tiny request just to learn the server's clock.
            changed = (await self.client.list_jobs_page(workspace_ids=workspaces, order_by="updatedAt|DESC", limit=1)).data
        else:
            offset = 0
            for _ in range(MAX_CHANGE_PAGES):
                page = await self.client.list_jobs_page(
                    workspace_ids=workspaces,
                    updated_at_start=watermark,
                    order_by="updatedAt|DESC",
                    limit=MAX_PAGE,
                    offset=offset,
                )
                changed.extend(page.data)
                if len(page.data) < MAX_PAGE:
                    break
                offset += MAX_PAGE
        server_time = self.client.server_clock.last

        jobs: dict[str, Job] = {}
        for wire in changed:
            job = self._public_job(wire)
            jobs[job.id] = job

        complete = False
        if include_progress:
            active, complete = await self._active_jobs(workspaces)
            for job in active:
                jobs[job.id] = job

        state["watermark"] = self._next_watermark(watermark, server_time, changed)
        return ActivityPoll(jobs=tuple(jobs.values()), cursor=ActivityCursor(state), complete=complete, server_time=server_time)

    @staticmethod
    def _next_watermark(previous: str | None, server_time: datetime | None, seen: list[JobResponse]) -> str:
        """Server time minus an overlap; never our own clock unless the server gave none.

        Job times are server times too, so the newest one is a safe floor when
        the `Date` header is missing or lags (e.g. a proxy's wall clock while
        the server runs a faster virtual clock).
        """
        candidates = [t for t in (server_time,) if t is not None]
        candidates += [t for w in seen for t in (w.last_updated_at, w.start_time) if t is not None]
        base = max(candidates) if candidates else utcnow()
        mark = base - WATERMARK_OVERLAP
        if previous:
            try:
                mark = max(mark, parse_iso(previous))
            except ValueError:
                pass
        return format_iso(mark)

    async def _active_jobs(self, workspaces: list[str]) -> tuple[list[Job], bool]:
        """Every active job with live stats: one config call, else public per-status lists."""
        if self.config_api_available():
            for _ in range(2):
                statuses = ACTIVE_STATUSES if self._queued_supported else tuple(s for s in ACTIVE_STATUSES if s != "queued")
                try:
                    listing = await self.client.config_list_jobs_for_workspaces(
                        workspaces,
                        statuses=statuses,
                        page_size=ACTIVE_PAGE_SIZE,
                        order_by_field="createdAt",
                        order_by_method="DESC",
                    )
                except AuthError:
                    raise
                except ApiError as exc:
                    if exc.status_code == 400 and self._queued_supported:
                        self._queued_supported = False  # Airbyte ≤ 2.0 has no `queued`
                        continue
                    self._config_failed(exc)
                    break
                except ValidationError:
                    break
                now = self.server_now()
                jobs = [self._with_url(map_config_job(item.job, item.attempts, now=now)) for item in listing.jobs]
                fits = len(listing.jobs) < ACTIVE_PAGE_SIZE and (
                    listing.total_job_count is None or listing.total_job_count <= len(listing.jobs)
                )
                return jobs, fits
        return await self._active_jobs_public(workspaces)

    async def recent_failures(self, *, limit: int = 200) -> dict[str, FailureInfo]:
        """Failure reasons of the newest failed jobs in ONE config call (triage; constant cost).

        `{job_id: first failure of the job's last failed attempt}`; empty when
        the config API is unusable (triage then reads the public job only).
        """
        if not self.config_api_available():
            return {}
        try:
            listing = await self.client.config_list_jobs_for_workspaces(
                await self.workspace_ids(),
                statuses=("failed",),
                page_size=limit,
                order_by_field="createdAt",
                order_by_method="DESC",
            )
        except AuthError:
            raise
        except ApiError as exc:
            self._config_failed(exc)
            return {}
        found: dict[str, FailureInfo] = {}
        for item in listing.jobs:
            for attempt in reversed(item.attempts):
                if attempt.failure_summary and attempt.failure_summary.failures:
                    found[str(item.job.id)] = map_failure(attempt.failure_summary.failures[0])
                    break
        return found

    async def stream_states(self, connection_id: str) -> list[StreamState]:
        """Config `stream_statuses/latest_per_run_state`: per-stream run states of the newest job."""
        if not self.config_api_available():
            return []
        return await fetch_stream_statuses(self.client, connection_id)

    # -------------------------------------------------------- timeline (providers/airbyte/timeline.py)

    async def connection_events(self, connection_id: str, *, limit: int = 100) -> list[TimelineEvent]:
        """Config `connections/events/list`, newest first; NotFoundError when the server lacks it."""
        raws = await airbyte_timeline.list_connection_events(self.client, connection_id, limit=limit)
        return [airbyte_timeline.map_connection_event(r) for r in raws]

    async def event_details(self, connection_id: str, event_id: str) -> TimelineEvent:
        raw = await airbyte_timeline.get_connection_event(self.client, connection_id, event_id)
        details = raw.get("details") if isinstance(raw.get("details"), dict) else None
        return airbyte_timeline.map_connection_event(raw, details=details)

    async def workspace_events(self, *, start: datetime, end: datetime) -> list[TimelineEvent]:
        """Config `connections/events/list_minimal`, one request per workspace, newest first."""
        events: list[TimelineEvent] = []
        for workspace_id in await self.workspace_ids():
            raws = await airbyte_timeline.list_workspace_events(self.client, workspace_id, start=start, end=end)
            events.extend(airbyte_timeline.map_minimal_event(r) for r in raws)
        events.sort(key=lambda e: e.at, reverse=True)
        return events

    async def _active_jobs_public(self, workspaces: list[str]) -> tuple[list[Job], bool]:
        """Fallback without live stats: one public list per active status (still constant cost)."""
        jobs: list[Job] = []
        complete = True
        for status in ACTIVE_STATUSES:
            if status == "queued" and not self._queued_supported:
                continue
            try:
                page = await self.client.list_jobs_page(workspace_ids=workspaces, status=status, order_by="createdAt|DESC", limit=MAX_PAGE)
            except ApiError as exc:
                if exc.status_code == 400 and status == "queued":
                    self._queued_supported = False
                    continue
                raise
            jobs.extend(self._public_job(w) for w in page.data)
            if len(page.data) >= MAX_PAGE:
                complete = False
        return jobs, complete

    def _with_url(self, job: Job) -> Job:
        return job.model_copy(update={"web_url": self.job_url(job)})

    # ------------------------------------------------------------------ actions

    async def trigger(self, connection_id: str, job_type: str = "sync") -> TriggerResult:
        """Start a job exactly once; attach to the running job on 409 or an ambiguous failure."""
        self._ensure_writable(f"start a {job_type} on connection {connection_id}")
        option = self.capabilities.job_type(job_type)
        if option is None:
            choices = ", ".join(o.id for o in self.capabilities.job_types if o.available)
            raise UnsupportedError(f"unknown Airbyte job type {job_type!r}", hint=f"use one of: {choices}")
        if not option.available:
            raise UnsupportedError(
                REFRESH_UNSUPPORTED if job_type == "refresh" else f"{option.label} is unavailable",
                hint=REFRESH_HINT if job_type == "refresh" else option.unavailable_reason,
            )
        newest_before = await self._newest_job_id(connection_id)
        try:
            wire = await self.client.create_job(connection_id, job_type)
        except ConflictError as exc:
            if exc.title != "try-again-later" and "already running" not in exc.message.lower():
                raise await self.explain_refusal(connection_id, exc) from None
            found = await self._find_active_job(connection_id, recent_only=False)
            if found is None:
                raise
            return TriggerResult(
                found,
                attached=True,
                message=f"a {found.job_type} was already running on this connection — following job {found.id}",
            )
        except (ApiError, ValidationError) as exc:
            original = (
                exc
                if isinstance(exc, ApiError)
                else TransportError(
                    "Airbyte answered POST /jobs with an unexpected body", hint="the job may have started; check the connection"
                )
            )
            if not _ambiguous(original):
                raise original from None
            # The job may even have finished before we looked: accept a finished
            # job too, but only one created after the trigger went out.
            found = await self._find_active_job(connection_id, recent_only=True, tries=2, finished_after_id=newest_before)
            if found is None:
                raise original from None
            return TriggerResult(
                found,
                attached=True,
                message=f"the answer to the trigger was lost ({original.message}); following job {found.id}, which is {found.status.label}",
            )
        return TriggerResult(self._public_job(wire))

    async def _find_active_job(
        self, connection_id: str, *, recent_only: bool, tries: int = 1, finished_after_id: int | None = None
    ) -> Job | None:
        """The connection's newest active job (created within ATTACH_WINDOW of server time if `recent_only`),
        or with `finished_after_id` also a finished job newer than that id (job ids only grow)."""
        for attempt in range(tries):
            try:
                page = await self.client.list_jobs_page(connection_id=connection_id, order_by="createdAt|DESC", limit=5)
            except ApiError:
                page = None
            if page is not None:
                now = self.server_now()
                for wire in page.data:
                    job = self._public_job(wire)
                    if not job.status.is_active:
                        if finished_after_id is not None and wire.job_id > finished_after_id:
                            return job
                        continue
                    if recent_only and job.created_at is not None and now - job.created_at > ATTACH_WINDOW:
                        continue
                    return job
            if attempt + 1 < tries:
                await asyncio.sleep(paced(RECONCILE_GAP_SECONDS))  # AIRSYNC_PACE (tests) shortens it
        return None

    async def _newest_job_id(self, connection_id: str) -> int | None:
        """The connection's newest job id before a trigger (None if unknown).

        If the trigger's answer is lost, only a job NEWER than this can be
        ours — a finished job from before must never be reported as our
        result. Clock-based matching is not safe (skewed or virtual clocks).
        """
        try:
            page = await self.client.list_jobs_page(connection_id=connection_id, order_by="createdAt|DESC", limit=1)
        except ApiError:
            return None
        return max((wire.job_id for wire in page.data), default=0)

    async def cancel(self, job_id: str) -> Job:
        """Ask Airbyte to cancel; cancellation is asynchronous, so keep polling for `cancelled`."""
        self._ensure_writable(f"cancel job {job_id}")
        return self._public_job(await self.client.cancel_job(job_id))

    async def fetch_attempt_log(self, job_id: str, attempt_number: int) -> AttemptLog:
        """One attempt's log as the config API's raw JSON bytes (never parsed here)."""
        if self.client.config_api_url is None:
            return AttemptLog(
                job_id=str(job_id),
                attempt_number=attempt_number,
                notice="Attempt logs need Airbyte's config API: set config_api_url in the profile",
            )
        try:
            content, status = await self.client.config_get_attempt_raw(job_id, attempt_number)
        except ConfigApiUnavailable as exc:
            self._config_failed(exc)
            return AttemptLog(job_id=str(job_id), attempt_number=attempt_number, notice=str(exc))
        return AttemptLog(job_id=str(job_id), attempt_number=attempt_number, raw_json=content, live=status == "running")


def _ambiguous(error: ApiError) -> bool:
    """Could the job have started even though we got no usable answer?"""
    if isinstance(error, TransportError):
        return True
    return error.status_code is None or error.status_code >= 500


__all__ = ["AIRBYTE_CAPABILITIES", "AirbyteProvider"]
