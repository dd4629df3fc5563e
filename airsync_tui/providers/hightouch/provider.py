"""`HightouchProvider`: the `SyncProvider` contract over the Hightouch v1 API.

Id scheme (one, deliberately): `Job.id = str(run.id)`, the run's own number,
exactly what Hightouch shows and what `?runId=` takes. The runs endpoint also
needs the sync id, so the provider remembers run id -> sync id for every run
it has seen (list, poll, trigger, recent jobs). A job id it has never seen
raises NotFoundError; calling `list_jobs(sync_id)` (or `remember_run`) first
makes it known. We did not use "<syncId>/<runId>" ids so that job keys, CLI
arguments and the web UI all show the same plain run number.

Costs (limit: 200 requests / 10 s per workspace, all syncs together):
- `poll_activity`: one `GET /syncs?after=<watermark>` page plus at most
  `poll_budget` (10) per-sync runs reads when `include_progress`, else at most
  `quick_budget` (5) reads for syncs that just started or stopped. Constant
  whatever the number of syncs; see tracker.py for how the budget is spent.
- `recent_jobs`: the sync list already says which syncs ever ran
  (`lastRunAt`), so only those are read, newest first, at most
  `recent_jobs_budget` (100) at start; the rest are filled in by later polls.

No web links: Hightouch's app URLs contain the workspace *slug*
(app.hightouch.com/<workspace-slug>/syncs/<id>), which the API never returns
(only a numeric workspaceId) and which our reference does not document, so
`job_url` and `connection_url` return None rather than a guessed link.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx
from pydantic import SecretStr

from airsync_tui.errors import (
    AirsyncError,
    ApiError,
    AuthError,
    ConfigError,
    NotFoundError,
    ReadOnlyError,
    TransportError,
    UnsupportedError,
)
from airsync_tui.models.domain import Connection, Job, JobDetail, Workspace
from airsync_tui.models.recent import newest_first
from airsync_tui.models.timeline import TimelineEvent
from airsync_tui.models.timeparse import format_iso, parse_time, utcnow
from airsync_tui.providers.base import (
    ActivityCursor,
    ActivityPoll,
    AttemptLog,
    JobTypeOption,
    ProviderCapabilities,
    TriggerResult,
)
from airsync_tui.providers.hightouch.wire import Sync, SyncRun
from airsync_tui.providers.http import HttpSignal, RequestStats

from .changes import LIMIT_NOTICE, SyncChangeLog, sync_change_events
from .client import DEFAULT_API_URL, DEFAULT_CLIENT_LIMIT, HightouchClient
from .fleet import HIGHTOUCH_ACTIONS, HightouchFleetMixin
from .mapping import PROVIDER, map_run, map_sync, queued_job, run_detail, run_summary_lines
from .tracker import RunTracker, run_is_active

CANCEL_UNAVAILABLE = "Hightouch has no public API to cancel a run"
LOGS_NOTICE = "Hightouch exposes no log text; showing the run's status, row counts and error."

CAPABILITIES = ProviderCapabilities(
    job_types=(
        JobTypeOption(id="sync", label="Sync", description="Run the sync"),
        JobTypeOption(
            id="full_resync",
            label="Full resync",
            description="Resync all rows, ignoring previously synced rows",
            destructive=True,
        ),
    ),
    can_cancel=False,
    cancel_unavailable_reason=CANCEL_UNAVAILABLE,
    has_attempt_logs=False,
    jobs_have_attempts=False,
    logs_notice=LOGS_NOTICE,
    job_noun="run",
    connection_noun="sync",
    actions=HIGHTOUCH_ACTIONS,
)

# `GET /syncs?after=` returns syncs whose *latest run started* after W, with
# their current status. Looking back 10 minutes (not just a little overlap
# for clock skew) keeps a typical run's sync in that answer until it ends, so
# its end shows up as a status change in the one list request we make anyway,
# instead of waiting for its turn in the round-robin. ~170 syncs for 1,000
# syncs running hourly: two pages, read one page per poll.
WATERMARK_OVERLAP = timedelta(minutes=10)
RECONCILE_WITHIN_MINUTES = 5  # how far back to look for a run a lost trigger may have created
SYNC_CACHE_SECONDS = 30.0  # list_connections -> recent_jobs/list_workspaces reuse this list


class HightouchSettingsLike(Protocol):
    """The shape of `HightouchSettings` (structural, so tests may pass any object with these fields).

    Read-only members: the settings are a frozen model, and the provider only reads them."""

    @property
    def api_url(self) -> str: ...

    @property
    def api_key(self) -> SecretStr | None: ...

    @property
    def timeout(self) -> float: ...


def _sync_number(connection_id: str) -> int:
    """Hightouch sync ids are numbers; anything else cannot exist (no request needed)."""
    text = str(connection_id).strip()
    if not (text.isascii() and text.isdigit()):
        raise NotFoundError(f"Hightouch sync {connection_id!r} not found", hint="sync ids are numbers, e.g. 58201")
    return int(text)


def _run_number(job_id: str) -> int:
    text = str(job_id).strip()
    if not (text.isascii() and text.isdigit()):
        raise NotFoundError(f"Hightouch run {job_id!r} not found", hint="run ids are numbers, e.g. 41000001")
    return int(text)


class HightouchProvider(HightouchFleetMixin):
    """Hightouch syncs and runs as neutral connections and jobs."""

    name = PROVIDER
    display_name = "Hightouch"
    capabilities = CAPABILITIES

    def __init__(
        self,
        client: HightouchClient,
        *,
        read_only: bool = False,
        poll_budget: int = 10,
        quick_budget: int = 5,
        recent_jobs_budget: int = 100,
        recent_jobs_concurrency: int = 8,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.client = client
        self.read_only = read_only
        self.poll_budget = poll_budget
        self.quick_budget = quick_budget
        self.recent_jobs_budget = recent_jobs_budget
        self.recent_jobs_concurrency = recent_jobs_concurrency
        self.tracker = RunTracker()
        #: Sync settings seen between polls: the timeline's sync changes (Hightouch has no change history).
        self.changes = SyncChangeLog()
        self._now = now
        self._syncs_cache: tuple[float, list[Sync]] | None = None
        self._ended_jobs: list[Job] = []  # ends seen outside poll_activity, reported by the next poll

    @classmethod
    def from_settings(
        cls,
        settings: HightouchSettingsLike,
        *,
        read_only: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
        **options: Any,
    ) -> HightouchProvider:
        key = settings.api_key.get_secret_value() if settings.api_key is not None else ""
        if not key.strip():
            raise ConfigError("no Hightouch API key", hint="set HIGHTOUCH_API_KEY or the profile's hightouch.api_key")
        client = HightouchClient(
            settings.api_url or DEFAULT_API_URL,
            key.strip(),
            timeout=settings.timeout,
            transport=transport,
            limit=options.pop("rate_limit", DEFAULT_CLIENT_LIMIT),
        )
        return cls(client, read_only=read_only, **options)

    # ---------------------------------------------------------------- plumbing
    @property
    def stats(self) -> RequestStats:
        return self.client.stats

    def add_health_listener(self, listener: Callable[[HttpSignal], None]) -> None:
        self.client.add_health_listener(listener)

    async def aclose(self) -> None:
        await self.client.aclose()

    def remember_run(self, run_id: int | str, sync_id: int | str) -> None:
        """Teach the provider which sync a run belongs to (e.g. a CLI given both ids)."""
        self.tracker.remember_run(_run_number(str(run_id)), _sync_number(str(sync_id)))

    def _observe_sync(self, sync: Sync) -> list[SyncRun]:
        """Every read of a sync: the run tracker (ended runs returned) and the change log."""
        self.changes.observe(sync, self._now())
        return self.tracker.observe_sync(sync)

    async def connection_changes(self, connection_id: str) -> tuple[list[TimelineEvent], str]:
        """The sync's changes the API lets us know (one `GET /syncs/{id}`), and what it does not."""
        sync = await self.client.get_sync(_sync_number(connection_id))
        self._ended_jobs.extend(self._job(run, sync.id) for run in self._observe_sync(sync))
        return sync_change_events(sync, self.changes.changes(sync.id)), LIMIT_NOTICE

    def _job(self, run: SyncRun, sync_id: int) -> Job:
        return map_run(run, sync_id, now=self._now(), job_type=self.tracker.job_type_of(run.id))

    def _locate(self, job_id: str) -> tuple[int, int]:
        run_id = _run_number(job_id)
        sync_id = self.tracker.sync_of(run_id)
        if sync_id is None:
            raise NotFoundError(
                f"Hightouch run {run_id} is not known to this session",
                hint="open its sync's run list first (runs can only be read per sync)",
            )
        return sync_id, run_id

    async def _get_run(self, job_id: str) -> tuple[int, SyncRun]:
        sync_id, run_id = self._locate(job_id)
        run = await self.client.get_run(sync_id, run_id)
        if run is None:
            raise NotFoundError(f"Hightouch run {run_id} of sync {sync_id} not found")
        self.tracker.observe_run(sync_id, run)
        return sync_id, run

    # ------------------------------------------------------------ connections
    async def check(self) -> None:
        await self.client.list_syncs_page(limit=1)

    async def _all_syncs(self, *, fresh: bool) -> list[Sync]:
        cached = self._syncs_cache
        if not fresh and cached is not None and time.monotonic() - cached[0] < SYNC_CACHE_SECONDS:
            return cached[1]
        syncs = await self.client.list_syncs()
        self._syncs_cache = (time.monotonic(), syncs)
        for sync in syncs:
            # Runs this list proves ended are reported by the next poll_activity.
            self._ended_jobs.extend(self._job(run, sync.id) for run in self._observe_sync(sync))
        return syncs

    async def list_workspaces(self) -> list[Workspace]:
        # No workspace endpoint in v1: an API key belongs to exactly one workspace.
        page = await self.client.list_syncs_page(limit=1)
        workspace_id = page.data[0].workspace_id if page.data else None
        label = f"Hightouch workspace {workspace_id}" if workspace_id else "Hightouch workspace"
        return [Workspace(provider=PROVIDER, id=workspace_id or "default", name=label)]

    async def list_connections(self) -> list[Connection]:
        syncs = await self._all_syncs(fresh=True)
        return [map_sync(sync, web_url=self.connection_url(str(sync.id))) for sync in syncs]

    async def get_connection(self, connection_id: str) -> Connection:
        sync = await self.client.get_sync(_sync_number(connection_id))
        self._ended_jobs.extend(self._job(run, sync.id) for run in self._observe_sync(sync))
        return map_sync(sync, web_url=self.connection_url(str(sync.id)))

    # ------------------------------------------------------------------- jobs
    async def list_jobs(self, connection_id: str, *, limit: int = 20, offset: int = 0) -> list[Job]:
        sync_id = _sync_number(connection_id)
        page = await self.client.list_runs(sync_id, limit=limit, offset=offset)
        for run in page.data:
            self.tracker.remember_run(run.id, sync_id)
        return [self._job(run, sync_id) for run in page.data]

    async def recent_jobs(self, *, max_jobs: int = 500) -> list[Job]:
        """Latest run of the syncs that ran most recently, within a request budget.

        `GET /syncs` already carries `lastRunAt` and `status`, so syncs that
        never ran cost nothing; syncs beyond the budget go to the tracker's
        backfill queue and are read by later polls with spare budget.
        """
        syncs = await self._all_syncs(fresh=False)
        ran = [s for s in syncs if s.last_run_at is not None or s.id in self.tracker.fresh]
        epoch = datetime.min.replace(tzinfo=self._now().tzinfo)
        ran.sort(key=lambda s: (s.id in self.tracker.fresh, s.last_run_at or epoch), reverse=True)
        budget = max(0, min(self.recent_jobs_budget, max_jobs))
        now_ids, later_ids = ran[:budget], ran[budget:]
        self.tracker.add_backfill(s.id for s in later_ids)
        semaphore = asyncio.Semaphore(max(1, self.recent_jobs_concurrency))

        async def latest(sync: Sync) -> list[Job]:
            async with semaphore:
                try:
                    page = await self.client.list_runs(sync.id, limit=1)
                except NotFoundError:
                    self.tracker.forget_sync(sync.id)
                    return []
            reported = self.tracker.observe_runs(sync.id, page.data)
            return [self._job(run, sync.id) for run in reported]

        results = await asyncio.gather(*(latest(sync) for sync in now_ids), return_exceptions=True)
        jobs: list[Job] = []
        for sync, result in zip(now_ids, results, strict=True):
            if isinstance(result, AuthError):
                raise result
            if isinstance(result, BaseException):
                self.tracker.add_backfill([sync.id])  # try again later, don't fail the start-up
                continue
            jobs.extend(result)
        return newest_first(jobs)[:max_jobs]

    async def poll_activity(self, cursor: ActivityCursor | None, *, include_progress: bool) -> ActivityPoll:
        """Constant-cost change feed: 1 sync-list page + a bounded number of runs reads.

        Watermark: the newest server timestamp seen (lastRunAt, run times), never
        our wall clock, since server and client clocks differ (the emulator's
        runs faster). Each scan pages `GET /syncs?after=W` one page per call;
        when it ends, W moves to (newest time known when the scan STARTED) −
        overlap, so a sync that started mid-scan is still caught next scan.
        """
        state = dict(cursor.data) if cursor is not None else {}
        watermark = parse_time(state.get("watermark"))
        if watermark is None:
            base = self.tracker.max_seen or self._now()
            watermark = base - WATERMARK_OVERLAP
        offset = int(state.get("offset", 0))
        if offset == 0:
            base = self.tracker.max_seen or (watermark + WATERMARK_OVERLAP)
            state["next_watermark"] = format_iso(max(watermark, base - WATERMARK_OVERLAP))

        page = await self.client.list_syncs_page(after=watermark, offset=offset)
        ended, self._ended_jobs = self._ended_jobs, []
        for sync in page.data:
            ended.extend(self._job(run, sync.id) for run in self._observe_sync(sync))
        scan_done = not page.has_more or not page.data
        if scan_done:
            state["watermark"] = state.pop("next_watermark", format_iso(watermark))
            state["offset"] = 0
        else:
            state["watermark"] = format_iso(watermark)
            state["offset"] = offset + len(page.data)

        budget = self.poll_budget if include_progress else self.quick_budget
        targets = self.tracker.plan(budget, include_progress=include_progress)
        jobs, fetched, failure = await self._read_latest_runs(targets)
        if failure is not None and not jobs and not ended:
            raise failure
        read = {job.id for job in jobs}
        jobs = [job for job in ended if job.id not in read] + jobs
        complete = include_progress and scan_done and failure is None and self.tracker.covers_all_active(fetched)
        return ActivityPoll(jobs=tuple(jobs), cursor=ActivityCursor(state), complete=complete)

    async def _read_latest_runs(self, sync_ids: list[int]) -> tuple[list[Job], set[int], AirsyncError | None]:
        """`GET /syncs/{id}/runs?limit=3` for each sync (newest few: covers a run queued behind another)."""
        jobs: list[Job] = []
        fetched: set[int] = set()
        failure: AirsyncError | None = None
        for sync_id in sync_ids:
            try:
                page = await self.client.list_runs(sync_id, limit=3)
            except NotFoundError:
                self.tracker.forget_sync(sync_id)
                fetched.add(sync_id)
                continue
            except AuthError:
                raise
            except AirsyncError as exc:  # keep what we have; the sync stays queued for next time
                failure = exc
                break
            fetched.add(sync_id)
            for run in self.tracker.observe_runs(sync_id, page.data):
                jobs.append(self._job(run, sync_id))
        return jobs, fetched, failure

    async def get_job(self, job_id: str) -> Job:
        sync_id, run = await self._get_run(job_id)
        return self._job(run, sync_id)

    async def get_job_detail(self, job_id: str) -> JobDetail:
        sync_id, run = await self._get_run(job_id)
        return run_detail(run, sync_id, now=self._now(), job_type=self.tracker.job_type_of(run.id))

    async def fetch_attempt_log(self, job_id: str, attempt_number: int) -> AttemptLog:
        sync_id, run = await self._get_run(job_id)
        return AttemptLog(
            job_id=str(run.id),
            attempt_number=0,
            text_lines=run_summary_lines(run, sync_id),
            notice=LOGS_NOTICE,
            live=run_is_active(run),
        )

    # ---------------------------------------------------------------- actions
    async def trigger(self, connection_id: str, job_type: str = "sync") -> TriggerResult:
        """Start a run, never twice.

        Before posting, the newest run id is read (one GET): it tells whether a
        run is already going (Hightouch then QUEUES the new run behind it) and
        gives a baseline for reconciliation. If the POST's answer is lost
        (timeout, dropped connection, 5xx), we do NOT post again (Hightouch has
        no idempotency); we look for a run newer than the baseline created in
        the last few minutes and attach to it.
        """
        if self.read_only:
            raise ReadOnlyError(
                f"read-only session: not triggering Hightouch sync {connection_id}",
                hint="start without --read-only (or set read_only = false in the profile) to run syncs",
            )
        option = self.capabilities.job_type(job_type)
        if option is None:
            choices = ", ".join(o.id for o in self.capabilities.job_types)
            raise UnsupportedError(f"Hightouch cannot run a {job_type!r} job", hint=f"choose one of: {choices}")
        sync_id = _sync_number(connection_id)

        before = await self.client.list_runs(sync_id, limit=1)
        baseline = before.data[0] if before.data else None
        busy = baseline is not None and run_is_active(baseline)
        asked_at = self._now()
        try:
            output = await self.client.trigger(sync_id, full_resync=job_type == "full_resync")
        except (TransportError, ApiError) as exc:
            if not _ambiguous(exc):
                raise await self.explain_refusal(connection_id, exc) from None
            return await self._reconcile(sync_id, job_type, baseline, exc)

        run_id = output.run_id
        self.tracker.remember_run(run_id, sync_id, job_type)
        run = await self.client.get_run(sync_id, run_id)
        if run is not None:
            self.tracker.observe_run(sync_id, run)
            job = self._job(run, sync_id)
        else:
            job = queued_job(run_id, sync_id, created_at=asked_at, job_type=job_type)
        if busy and baseline is not None:
            message = (
                f"Hightouch queued run {run_id}: run {baseline.id} is still {baseline.status}, "
                "so this one starts when it finishes (triggering again would queue yet another run)"
            )
        else:
            what = "full resync" if job_type == "full_resync" else "sync"
            message = f"started {what} run {run_id} of Hightouch sync {sync_id}"
        return TriggerResult(job=job, attached=False, message=message)

    async def _reconcile(self, sync_id: int, job_type: str, baseline: SyncRun | None, cause: ApiError) -> TriggerResult:
        """The trigger's answer was lost: find the run it may have created instead of re-posting."""
        recent = await self.client.list_runs(sync_id, within_minutes=RECONCILE_WITHIN_MINUTES, limit=10)
        floor = baseline.id if baseline is not None else -1
        candidates = [run for run in recent.data if run.id > floor]
        if not candidates:
            raise TransportError(
                f"the trigger of Hightouch sync {sync_id} got no answer and no new run appeared ({cause.message})",
                hint="nothing was started as far as Hightouch shows; it is safe to trigger again",
            ) from cause
        run = min(candidates, key=lambda r: r.id)  # the first run created after our baseline
        self.tracker.remember_run(run.id, sync_id, job_type)
        self.tracker.observe_run(sync_id, run)
        return TriggerResult(
            job=self._job(run, sync_id),
            attached=True,
            message=(
                f"the trigger's answer was lost ({cause.message}); following run {run.id}, which appeared "
                "right after it, instead of triggering again"
            ),
        )

    async def cancel(self, job_id: str) -> Job:
        raise UnsupportedError(CANCEL_UNAVAILABLE, hint="disable the sync in Hightouch to stop future runs")

    # ------------------------------------------------------------------ links
    def job_url(self, job: Job, attempt_number: int | None = None) -> str | None:
        return None  # see module docstring: the workspace slug is not available from the API

    def connection_url(self, connection_id: str) -> str | None:
        return None


def _ambiguous(error: ApiError) -> bool:
    """A failure after which the trigger may or may not have happened."""
    if isinstance(error, TransportError):
        return True
    return error.status_code is not None and error.status_code >= 500


__all__ = ["CANCEL_UNAVAILABLE", "CAPABILITIES", "HightouchProvider", "LOGS_NOTICE"]
