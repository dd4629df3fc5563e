"""A third provider, "Relay", defined entirely here: the proof that a provider is one `ProviderSpec`.

Nothing in `airsync_tui` names it. Its settings model, status words, provider
client, factory and a tiny Starlette server (its "API") all live in this
module. Tests register it either in-process (`registry.register(SPEC)`) or,
for a real `airsync` subprocess, through the `airsync_tui.providers` entry
point (`write_entry_point`), exactly as a separately installed plug-in would.

The Relay API: `GET /pipes`, `GET /pipes/{id}`, `POST /pipes/{id}/runs`,
`GET /runs/{id}`, `GET /pipes/{id}/runs`, `POST /runs/{id}/cancel`; bearer
token auth. A run moves `waiting → moving → done` one step per read of it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from airsync_tui.errors import AuthError, ConfigError, NotFoundError, ReadOnlyError
from airsync_tui.models.domain import Connection, Job, JobDetail, Workspace
from airsync_tui.models.status import StatusCategory
from airsync_tui.providers.base import (
    ActivityCursor,
    ActivityPoll,
    AttemptLog,
    JobTypeOption,
    ProviderCapabilities,
    TriggerResult,
)
from airsync_tui.providers.http import HttpSignal, RequestStats
from airsync_tui.providers.spec import ProviderSpec, SettingField

NAME = "relay"
TOKEN = "relay-token-7c1e9a"
PIPES = {"p1": "Orders relay → Lake", "p2": "Tickets relay → Warehouse"}

RELAY_STATUSES: dict[str, StatusCategory] = {
    "waiting": StatusCategory.PENDING,
    "moving": StatusCategory.RUNNING,
    "done": StatusCategory.SUCCEEDED,
    "broke": StatusCategory.FAILED,
    "stopped": StatusCategory.CANCELLED,
}


class RelaySettings(BaseModel):
    """`[profiles.<p>.relay]`: where the Relay API is and its token."""

    model_config = ConfigDict(frozen=True)

    api_url: str = "http://127.0.0.1:9/relay"
    token: SecretStr | None = None
    timeout: float = 5.0


# --------------------------------------------------------------------------- the server


def build_relay_app() -> Starlette:
    """The Relay API, in memory. `app.state.runs` holds every run."""
    runs: dict[str, dict[str, Any]] = {}
    ids = itertools.count(1)
    for pipe in PIPES:  # one finished run per pipe, so a fresh server has history
        run_id = str(next(ids))
        runs[run_id] = {"id": run_id, "pipe": pipe, "state": "done", "rows": 42, "reads": 2}
    steps = ("waiting", "moving", "done")

    def authorised(request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {TOKEN}"

    def denied() -> JSONResponse:
        return JSONResponse({"error": "bad token"}, status_code=401)

    async def list_pipes(request: Request) -> JSONResponse:
        if not authorised(request):
            return denied()
        return JSONResponse([{"id": k, "title": v} for k, v in PIPES.items()])

    async def get_pipe(request: Request) -> JSONResponse:
        if not authorised(request):
            return denied()
        pipe = request.path_params["pipe"]
        if pipe not in PIPES:
            return JSONResponse({"error": "no such pipe"}, status_code=404)
        return JSONResponse({"id": pipe, "title": PIPES[pipe]})

    async def start_run(request: Request) -> JSONResponse:
        if not authorised(request):
            return denied()
        pipe = request.path_params["pipe"]
        if pipe not in PIPES:
            return JSONResponse({"error": "no such pipe"}, status_code=404)
        run_id = str(next(ids))
        runs[run_id] = {"id": run_id, "pipe": pipe, "state": "waiting", "rows": 0, "reads": 0}
        return JSONResponse(runs[run_id], status_code=201)

    async def get_run(request: Request) -> JSONResponse:
        if not authorised(request):
            return denied()
        run = runs.get(request.path_params["run"])
        if run is None:
            return JSONResponse({"error": "no such run"}, status_code=404)
        if run["state"] in steps[:-1]:
            run["reads"] += 1
            run["state"] = steps[min(run["reads"], len(steps) - 1)]
            run["rows"] = 21 * run["reads"]
        return JSONResponse(run)

    async def pipe_runs(request: Request) -> JSONResponse:
        if not authorised(request):
            return denied()
        pipe = request.path_params["pipe"]
        return JSONResponse([r for r in reversed(runs.values()) if r["pipe"] == pipe])

    async def cancel_run(request: Request) -> JSONResponse:
        if not authorised(request):
            return denied()
        run = runs.get(request.path_params["run"])
        if run is None:
            return JSONResponse({"error": "no such run"}, status_code=404)
        if run["state"] != "done":
            run["state"] = "stopped"
        return JSONResponse(run)

    app = Starlette(
        routes=[
            Route("/pipes", list_pipes),
            Route("/pipes/{pipe}", get_pipe),
            Route("/pipes/{pipe}/runs", start_run, methods=["POST"]),
            Route("/pipes/{pipe}/runs", pipe_runs, methods=["GET"]),
            Route("/runs/{run}", get_run),
            Route("/runs/{run}/cancel", cancel_run, methods=["POST"]),
        ]
    )
    app.state.runs = runs
    return app


# --------------------------------------------------------------------------- the provider


CAPABILITIES = ProviderCapabilities(
    job_types=(JobTypeOption("sync", "Relay", "Move new rows"),),
    has_attempt_logs=False,
    logs_notice="Relay keeps no logs",
    job_noun="run",
    connection_noun="pipe",
)


class RelayProvider:
    """Relay pipes and runs behind the neutral `SyncProvider` protocol."""

    name = NAME
    display_name = "Relay"
    capabilities = CAPABILITIES

    def __init__(self, settings: RelaySettings, *, read_only: bool = False) -> None:
        token = settings.token.get_secret_value() if settings.token else ""
        self.read_only = read_only
        self._stats = RequestStats()
        self._listeners: list[Callable[[HttpSignal], None]] = []
        self._http = httpx.AsyncClient(
            base_url=settings.api_url.rstrip("/"),
            headers={"authorization": f"Bearer {token}"},
            timeout=settings.timeout,
        )

    @property
    def stats(self) -> RequestStats:
        return self._stats

    def add_health_listener(self, listener: Callable[[HttpSignal], None]) -> None:
        self._listeners.append(listener)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _call(self, method: str, path: str) -> Any:
        self._stats.requests += 1
        response = await self._http.request(method, path)
        if response.status_code == 401:
            for listener in self._listeners:
                listener(HttpSignal("auth_failed", "Relay refused the token"))
            raise AuthError("Relay refused the token", hint="set RELAY_TOKEN")
        if response.status_code == 404:
            raise NotFoundError(f"Relay: {path} not found")
        response.raise_for_status()
        for listener in self._listeners:
            listener(HttpSignal("ok"))
        return response.json()

    def _connection(self, pipe: dict[str, Any]) -> Connection:
        return Connection(provider=NAME, id=pipe["id"], name=pipe["title"], workspace_id="relay")

    def _job(self, run: dict[str, Any]) -> Job:
        return Job(
            provider=NAME,
            id=run["id"],
            connection_id=run["pipe"],
            status=SPEC.classify(run["state"]),
            created_at=datetime(2026, 12, 1, tzinfo=UTC),
            records_synced=run["rows"],
        )

    async def check(self) -> None:
        await self._call("GET", "/pipes")

    async def list_workspaces(self) -> list[Workspace]:
        return [Workspace(provider=NAME, id="relay", name="Relay")]

    async def list_connections(self) -> list[Connection]:
        return [self._connection(p) for p in await self._call("GET", "/pipes")]

    async def get_connection(self, connection_id: str) -> Connection:
        return self._connection(await self._call("GET", f"/pipes/{connection_id}"))

    async def list_jobs(self, connection_id: str, *, limit: int = 20, offset: int = 0) -> list[Job]:
        runs = await self._call("GET", f"/pipes/{connection_id}/runs")
        return [self._job(r) for r in runs[offset : offset + limit]]

    async def recent_jobs(self, *, max_jobs: int = 500) -> list[Job]:
        jobs: list[Job] = []
        for pipe in PIPES:
            jobs.extend(await self.list_jobs(pipe))
        return sorted(jobs, key=lambda j: int(j.id), reverse=True)[:max_jobs]

    async def poll_activity(self, cursor: ActivityCursor | None, *, include_progress: bool) -> ActivityPoll:
        return ActivityPoll(jobs=(), cursor=cursor or ActivityCursor(), complete=False)

    async def get_job(self, job_id: str) -> Job:
        return self._job(await self._call("GET", f"/runs/{job_id}"))

    async def get_job_detail(self, job_id: str) -> JobDetail:
        return JobDetail(job=await self.get_job(job_id))

    async def trigger(self, connection_id: str, job_type: str = "sync") -> TriggerResult:
        if self.read_only:
            raise ReadOnlyError("read-only session: not starting a Relay run")
        return TriggerResult(job=self._job(await self._call("POST", f"/pipes/{connection_id}/runs")))

    async def cancel(self, job_id: str) -> Job:
        if self.read_only:
            raise ReadOnlyError("read-only session: not cancelling a Relay run")
        return self._job(await self._call("POST", f"/runs/{job_id}/cancel"))

    async def fetch_attempt_log(self, job_id: str, attempt_number: int) -> AttemptLog:
        return AttemptLog(job_id=job_id, attempt_number=attempt_number, notice="Relay keeps no logs")

    def job_url(self, job: Job, attempt_number: int | None = None) -> str | None:
        return None

    def connection_url(self, connection_id: str) -> str | None:
        return None


def _factory(settings: RelaySettings, read_only: bool) -> RelayProvider:
    if settings.token is None:
        raise ConfigError("Relay needs a token", hint="set RELAY_TOKEN")
    return RelayProvider(settings, read_only=read_only)


SPEC = ProviderSpec(
    name=NAME,
    display_name="Relay",
    settings_model=RelaySettings,
    fields=(
        SettingField("api_url", env=("RELAY_API_ROOT",), flag="--relay-api-url", override="relay_api_url", help="Relay API root"),
        SettingField(
            "token", env=("RELAY_TOKEN",), flag="--relay-token", override="relay_token", help="Relay token", secret=True, enables=True
        ),
        SettingField("timeout"),
    ),
    factory=_factory,
    status_table=RELAY_STATUSES,
    capabilities=CAPABILITIES,
    log_format="text-lines",
)


def write_entry_point(site: Path) -> Path:
    """Make `site` (put it on PYTHONPATH) declare this module's SPEC as an `airsync_tui.providers` entry point.

    This is what `pip install` of a plug-in distribution with
    `[project.entry-points."airsync_tui.providers"] relay = "tests.relay_provider:SPEC"` leaves behind.
    """
    dist = site / "airsync_relay_plugin-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: airsync-relay-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[airsync_tui.providers]\nrelay = tests.relay_provider:SPEC\n")
    return site
