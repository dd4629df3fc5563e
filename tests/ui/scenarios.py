"""Every screen of the dashboard as a deterministic scenario: one app factory plus the keys that reach it.

One code path for two consumers, so what the README shows is what the tests pin:

* `tests/ui/test_svg_snapshots.py` hands each scenario to pytest-textual-snapshot's `snap_compare`;
* `scripts/screenshots.py` renders the same scenarios to `screenshots/*.svg` with the same Textual
  call (`take_svg_screenshot`) that `snap_compare` uses.

Deterministic by construction: in-memory fake providers with fixed data (`tests/ui/fakes.py`), a frozen
clock for everything shown (`FROZEN_NOW`), no one-second ticker (so no spinner frame or ticking elapsed
time), UTC, and every scenario waits until its screen has finished loading and painted the same frame
twice in a row before the picture is taken.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import orjson
from textual._compositor import LayoutUpdate
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable

from airsync_tui.models.domain import Connection, Job
from airsync_tui.providers.airbyte.sql_access import SqlCache, build_sql_cache
from airsync_tui.providers.base import AttemptLog, ConnectionAction, ProviderCapabilities
from airsync_tui.service.watcher import Watcher, WatcherConfig
from airsync_tui.ui.app import AirsyncApp, SessionInfo
from airsync_tui.ui.screens.alerts import AlertsScreen
from airsync_tui.ui.screens.connections import ConnectionsScreen
from airsync_tui.ui.screens.data_view import DataScreen
from airsync_tui.ui.screens.fleet_dialogs import FleetConfirmModal
from airsync_tui.ui.screens.job import JobScreen
from airsync_tui.ui.screens.log_failure import FailureLogScreen
from airsync_tui.ui.screens.modals import ConfirmModal, HelpScreen
from airsync_tui.ui.screens.timeline import PulseScreen, TimelineScreen
from airsync_tui.ui.screens.triage import TriageScreen
from airsync_tui.ui.widgets.stream_states import StreamStatesPanel
from tests.ui.fakes import AIRBYTE_JOB_TYPES, FROZEN_NOW, FakeProvider, demo_world, hightouch_caps, hightouch_world

#: The smallest terminal the product supports, and the wide one the README shows.
SMALL = (80, 24)
WIDE = (140, 40)
SIZES: dict[str, tuple[int, int]] = {"80x24": SMALL, "140x40": WIDE}

#: How long a scenario may take to reach its screen before it fails (generous: two shared cores).
SETTLE_TIMEOUT = 20.0
#: The fakes' data never changes, so the watcher need not poll often; a quiet watcher keeps Pilot's
#: "wait until idle" after each key short (the tests' FAST_CONFIG polls every 0.05 s).
SCENARIO_CONFIG = WatcherConfig(
    active_interval=1.0, idle_interval=2.0, progress_interval=1.0, detail_interval=1.0, connections_interval=3600
)
STEADY_CHECKS = 2
STEADY_GAP = 0.12

# ----------------------------------------------------------------------------------------- data


def _failing_log() -> bytes:
    """A failed attempt's structured log: a normal start, two kinds of error (one repeated), the end.

    It tells the same story as the job it belongs to (`fakes.demo_world`'s failed Stripe → BigQuery job:
    started 5 s after it was created, ended 3 m 55 s later, 800 records and 120 kB committed), in a
    BigQuery destination's words: the README's screenshots are these screens, and a log that says
    60,000 records beside a header that says 800 is the kind of contradiction the product must not show.
    Fixed timestamps relative to `FROZEN_NOW`, so the viewer's columns and the error groups never move.
    """
    start = int((FROZEN_NOW - timedelta(minutes=16) + timedelta(seconds=5)).timestamp() * 1000)
    events: list[dict[str, Any]] = []

    def add(second: int, level: str, source: str, message: str) -> None:
        events.append({"timestamp": start + second * 1000, "level": level, "logSource": source, "message": message})

    add(0, "info", "platform", "Starting sync for connection Stripe → BigQuery (attempt 1)")
    add(1, "info", "source", "Reading stream charges (incremental, cursor created)")
    add(2, "info", "source", "Reading stream customers (full refresh)")
    for batch in range(1, 9):
        add(2 + batch * 20, "info", "destination", f"Loaded batch {batch} of charges: 100 records, 15 kB")
        if batch in (4, 7):
            add(12 + batch * 20, "warn", "destination", f"Slow load job on charges: {batch * 400} ms")
    for retry, second in enumerate((185, 200, 215), start=1):
        add(second, "error", "destination", f"BigQuery quota exceeded: project analytics (retry {retry} of 3)")
    add(
        233,
        "error",
        "destination",
        "com.google.cloud.bigquery.BigQueryException: Quota exceeded: Your table exceeded quota for imports or query appends per table",
    )
    add(235, "info", "platform", "Attempt 1 failed after 3 m 55 s; 800 records committed before the failure")
    return orjson.dumps({"events": events})


class ScenarioProvider(FakeProvider):
    """The fakes plus what the richer screens read: a failing attempt's log, fleet actions, a destination.

    `set_enabled`/`set_schedule`/`refresh_streams`/`clear_streams` exist so the fleet dialogs are offered
    (the `FleetProvider` protocol); the scenarios only open the confirmation, they never answer yes.
    """

    def __init__(self, *args: Any, warehouse: Path | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.warehouse = warehouse

    async def fetch_attempt_log(self, job_id: str, attempt_number: int) -> AttemptLog:
        return AttemptLog(job_id=job_id, attempt_number=attempt_number, raw_json=_failing_log())

    async def set_enabled(self, connection_id: str, enabled: bool) -> Connection:
        raise AssertionError("scenarios never confirm a fleet action")

    async def set_schedule(self, connection_id: str, change: object) -> Connection:
        raise AssertionError("scenarios never confirm a fleet action")

    async def refresh_streams(self, connection_id: str, streams: Sequence[str], mode: str = "merge") -> Job:
        raise AssertionError("scenarios never confirm a fleet action")

    async def clear_streams(self, connection_id: str, streams: Sequence[str]) -> Job:
        raise AssertionError("scenarios never confirm a fleet action")

    async def sql_cache(self, connection_id: str) -> SqlCache:
        if self.warehouse is None:
            raise AssertionError("this scenario has no warehouse")
        connection = {
            "connectionId": connection_id,
            "configurations": {"streams": [{"name": "users", "syncMode": "incremental_append"}, {"name": "orders"}]},
        }
        destination = {
            "destinationId": "d-1",
            "name": "Analytics DuckDB",
            "destinationType": "duckdb",
            "configuration": {"destination_path": str(self.warehouse), "schema": "main"},
        }
        return build_sql_cache(connection, destination)


#: The warehouse file's bytes, built once per process (every scenario starts from the same file).
_warehouse_bytes: bytes | None = None


def write_warehouse(path: Path) -> Path:
    """A small DuckDB destination with Airbyte's columns; every row extracted at a fixed time.

    Built once per process and copied: creating it with DuckDB costs ~0.1 s of CPU, and all
    28 snapshot scenarios need one (the file is closed, so its bytes are the whole database).
    """
    global _warehouse_bytes
    if _warehouse_bytes is None:
        _build_warehouse(path)
        _warehouse_bytes = path.read_bytes()
    else:
        path.write_bytes(_warehouse_bytes)
    return path


def _build_warehouse(path: Path) -> None:
    extracted = [(FROZEN_NOW - timedelta(minutes=m)).replace(tzinfo=None) for m in (90, 60, 6, 5)]
    with duckdb.connect(str(path)) as conn:
        conn.execute(
            "CREATE TABLE main.users (id INTEGER, email VARCHAR, plan VARCHAR,"
            " _airbyte_raw_id VARCHAR, _airbyte_extracted_at TIMESTAMP WITH TIME ZONE, _airbyte_meta JSON)"
        )
        conn.execute(
            "CREATE TABLE main.orders (id INTEGER, user_id INTEGER, amount DECIMAL(10,2),"
            " _airbyte_raw_id VARCHAR, _airbyte_extracted_at TIMESTAMP WITH TIME ZONE, _airbyte_meta JSON)"
        )
        for i, at in enumerate(extracted, start=1):
            conn.execute(
                "INSERT INTO main.users VALUES (?, ?, ?, ?, ?::TIMESTAMP AT TIME ZONE 'UTC', '{}')",
                [i, f"user{i}@example.com", ("free", "team", "pro", "team")[i - 1], f"raw-u{i}", at],
            )
            conn.execute(
                "INSERT INTO main.orders VALUES (?, ?, ?, ?, ?::TIMESTAMP AT TIME ZONE 'UTC', '{}')",
                [100 + i, i, 19.5 * i, f"raw-o{i}", at],
            )


FLEET_ACTIONS = (
    ConnectionAction("pause", "Pause", "Stop scheduled syncs"),
    ConnectionAction("resume", "Resume", "Start scheduled syncs again"),
    ConnectionAction("schedule", "Schedule", "Change the schedule"),
    ConnectionAction("refresh_streams", "Refresh streams", "Re-sync chosen streams", modes=("merge", "truncate")),
    ConnectionAction("clear_streams", "Clear streams", "Delete chosen streams' data", destructive=True),
)


def airbyte_provider(workdir: Path | None = None) -> ScenarioProvider:
    """The demo world's eight Airbyte connections (every job state, one hostile name) with logs and fleet actions."""
    connections, jobs = demo_world()
    warehouse = write_warehouse(workdir / "warehouse.duckdb") if workdir is not None else None
    return ScenarioProvider(
        connections=connections,
        jobs=jobs,
        capabilities=ProviderCapabilities(job_types=AIRBYTE_JOB_TYPES, actions=FLEET_ACTIONS),
        auto_advance=False,
        warehouse=warehouse,
    )


def hightouch_provider() -> FakeProvider:
    connections, jobs = hightouch_world()
    return FakeProvider(
        "hightouch", "Hightouch", connections=connections, jobs=jobs, capabilities=hightouch_caps(), auto_advance=False, streams=False
    )


def two_provider_app(workdir: Path | None = None) -> AirsyncApp:
    watcher = Watcher([airbyte_provider(workdir), hightouch_provider()], SCENARIO_CONFIG)  # type: ignore[list-item]  # fakes
    session = SessionInfo(profile_name="demo", workspace_label="Demo workspace")
    return AirsyncApp(watcher, session, clock=lambda: FROZEN_NOW, live_clock=False)


# ------------------------------------------------------------------------------------ settling


async def until(pilot: Pilot[Any], predicate: Callable[[], bool], what: str) -> None:
    """Poll until `predicate()` holds; fail naming `what` if it never does (the watcher runs on real time)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE_TIMEOUT
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"scenario: timed out waiting for {what}")
        await pilot.pause(0.05)


def repaint_tables(app: AirsyncApp) -> None:
    """Drop every DataTable's line caches so each paints with its final column widths.

    Textual's DataTable measures new rows on idle and widens its columns without invalidating lines it
    already cached: a header painted between "columns added" and "rows measured" keeps the old widths
    until something else repaints it (a cursor move does). Whether that frame happened depends on
    machine load, so without this the Data view's and the error-groups panel's headers were a coin
    toss. Tests only; the app is unchanged (see the report: a Textual quirk, not fixed here).
    """
    for screen in app.screen_stack:
        for table in screen.query(DataTable):
            table._clear_caches()  # noqa: SLF001 - the only way to drop the stale lines
            table.refresh()


def footer_filled(app: AirsyncApp) -> bool:
    """The footer in view (the top screen's, or the one under a modal without its own) shows its keys."""
    for screen in reversed(app.screen_stack):
        if screen.query("Footer"):
            return bool(screen.query("FooterKey"))
    return True


def frame(app: AirsyncApp) -> tuple[object, ...]:
    """What the picture would be (styles included: a header cell's background is not in the text),
    plus every widget's place, content size and scroll (what is below the fold moves the scrollbar).

    The picture is the compositor's full render as segments (text + style per run, every line):
    exactly what `App.export_screenshot` prints before turning it into SVG. Comparing the segments
    instead of the SVG drops the SVG export from every look (~70 % of a look's CPU; three looks per
    scenario), while two frames still differ whenever their SVGs would.
    """
    geometry = tuple(
        (widget.id, widget.region, widget.virtual_size, widget.scroll_offset, widget.display)
        for widget in app.screen.walk_children(with_self=True)
    )
    # The same call as Textual's export_screenshot (app.py), without the Console/SVG step.
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)  # noqa: SLF001
    assert isinstance(update, LayoutUpdate), "a full render is a LayoutUpdate"
    picture = tuple(tuple(segment for strip in line for segment in strip) for line in update.strips)
    return (picture, geometry)


async def steady(pilot: Pilot[Any], what: str) -> None:
    """Wait until the footer has its keys and the frame stays the same for `STEADY_CHECKS` looks in a row.

    The looks are `STEADY_GAP` apart, longer than the fake watcher's fastest poll (0.1 s), so a detail
    refresh that lands between two looks (a table growing below the fold moves the scrollbar) is seen.
    """
    app = pilot.app
    assert isinstance(app, AirsyncApp)
    await pilot.wait_for_scheduled_animations()
    # The footer fills in its keys a few frames after the screen (asking for the widgets is cheap;
    # rendering the screen to text on every poll is not).
    await until(pilot, lambda: footer_filled(app), f"the footer of {what}")
    repaint_tables(app)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE_TIMEOUT
    previous, same = frame(app), 0
    while same < STEADY_CHECKS:
        await pilot.pause(STEADY_GAP)
        current = frame(app)
        same = same + 1 if current == previous else 0
        previous = current
        if loop.time() > deadline:
            raise AssertionError(f"scenario: {what} never stopped changing")


def on(app: AirsyncApp, kind: type[Screen[Any]]) -> bool:
    return isinstance(app.screen, kind)


async def connections_loaded(pilot: Pilot[Any]) -> AirsyncApp:
    app = pilot.app
    assert isinstance(app, AirsyncApp)
    await until(
        pilot,
        lambda: on(app, ConnectionsScreen) and app.screen.table.row_count > 0 and all(app.watcher.loaded.values()),  # type: ignore[attr-defined]
        "the connections list",
    )
    return app


async def select(pilot: Pilot[Any], key: str) -> AirsyncApp:
    app = await connections_loaded(pilot)
    screen = app.screen
    assert isinstance(screen, ConnectionsScreen)
    screen.table.move_to_key(key)
    await pilot.pause()
    return app


async def open_job(pilot: Pilot[Any], key: str, *, streams: bool = True) -> AirsyncApp:
    app = await select(pilot, key)
    await pilot.press("enter")
    await until(pilot, lambda: on(app, JobScreen), "the job panel")
    screen = app.screen
    assert isinstance(screen, JobScreen)
    await until(
        pilot,
        lambda: screen.job is not None and screen.query_one("#jobs").row_count > 0 and screen.job_key in app.watcher.details,  # type: ignore[attr-defined]
        "the job panel's detail and recent jobs",
    )
    # The stream-states panel fetched once on mount, before the detail arrived, and polls again only
    # every 2.5 s: ask it now (what its poll does) instead of racing that timer.
    panel = screen.query_one(StreamStatesPanel)
    panel.refresh_states()
    if streams:
        await until(pilot, lambda: bool(panel.states) and panel.display, "the stream states")
    else:  # a run without streams (Hightouch) shows no stream states at all
        await until(pilot, lambda: not panel.states and not panel.display, "no stream states")
    return app


# ------------------------------------------------------------------------------------ scenarios

Steps = Callable[[Pilot[Any]], Awaitable[None]]


@dataclass(frozen=True)
class Scenario:
    """One screen: how to build the app, how to reach the screen, and what it shows (for the README)."""

    name: str
    title: str
    build: Callable[[Path], AirsyncApp]
    steps: Steps

    def run_before(self) -> Steps:
        """The `run_before` for `snap_compare` / `take_svg_screenshot`: reach the screen, then settle."""

        async def run(pilot: Pilot[Any]) -> None:
            await self.steps(pilot)
            await steady(pilot, self.name)

        return run


async def _connections(pilot: Pilot[Any]) -> None:
    await connections_loaded(pilot)


async def _job_running(pilot: Pilot[Any]) -> None:
    app = await open_job(pilot, "airbyte:c0002")
    await until(pilot, lambda: app.screen.query_one("#streams").row_count > 0, "the stream rows")


async def _job_failed(pilot: Pilot[Any]) -> None:
    await open_job(pilot, "airbyte:c0001")


async def _hightouch_run(pilot: Pilot[Any]) -> None:
    await open_job(pilot, "hightouch:c0000", streams=False)


async def _log_viewer(pilot: Pilot[Any]) -> None:
    app = await open_job(pilot, "airbyte:c0001")
    await pilot.press("l")
    await until(pilot, lambda: on(app, FailureLogScreen), "the log viewer")
    screen = app.screen
    assert isinstance(screen, FailureLogScreen)
    await until(
        pilot,
        lambda: not screen._loading and screen._prefix is None and len(screen.view.index) > 0,  # noqa: SLF001 - no public "indexed" flag
        "the log to be indexed",
    )
    await until(pilot, lambda: screen.query_one("#failure-header").display, "the failure header")
    await pilot.press("ctrl+e")
    await until(pilot, lambda: screen.query_one("#error-groups").row_count > 0, "the error groups")


async def _help(pilot: Pilot[Any]) -> None:
    app = await connections_loaded(pilot)
    await pilot.press("question_mark")
    await until(pilot, lambda: on(app, HelpScreen), "the help screen")


async def _palette(pilot: Pilot[Any]) -> None:
    from textual.command import CommandList, CommandPalette
    from textual.widgets import Input

    app = await connections_loaded(pilot)
    await pilot.press("ctrl+p")
    await until(pilot, lambda: on(app, CommandPalette), "the command palette")
    app.screen.query_one(Input).cursor_blink = False  # a blinking cursor is a coin toss in a picture
    # With no query the palette lists each provider's commands in the order the providers answer (a
    # race between Textual's system commands and ours); a query ranks every hit by score instead.
    await pilot.press(*"job")
    await until(
        pilot,
        lambda: app.screen.query_one(CommandList).option_count > 0 and not app.screen._show_busy,  # type: ignore[attr-defined]  # noqa: SLF001
        "the palette's commands",
    )


async def _triage(pilot: Pilot[Any]) -> None:
    app = await connections_loaded(pilot)
    await pilot.press("b")
    await until(pilot, lambda: on(app, TriageScreen), "the triage screen")
    await until(pilot, lambda: app.screen.query_one("#triage-groups").row_count > 0, "the triage rows")


async def _timeline(pilot: Pilot[Any]) -> None:
    app = await select(pilot, "airbyte:c0001")
    await pilot.press("T")
    await until(pilot, lambda: on(app, TimelineScreen), "the timeline")
    await until(pilot, lambda: bool(app.screen.events), "the timeline's events")  # type: ignore[attr-defined]


async def _pulse(pilot: Pilot[Any]) -> None:
    app = await connections_loaded(pilot)
    await pilot.press("E")
    await until(pilot, lambda: on(app, PulseScreen), "the pulse")
    await until(pilot, lambda: bool(app.screen.events), "the pulse's events")  # type: ignore[attr-defined]


async def _alerts(pilot: Pilot[Any]) -> None:
    app = await connections_loaded(pilot)
    await pilot.press("A")
    await until(pilot, lambda: on(app, AlertsScreen), "the alerts screen")


async def _fleet_confirm(pilot: Pilot[Any]) -> None:
    app = await select(pilot, "airbyte:c0000")
    await pilot.press("space", "down", "space", "down", "space")
    await pilot.press("p")
    await until(pilot, lambda: on(app, FleetConfirmModal), "the fleet confirmation")


async def _data_view(pilot: Pilot[Any]) -> None:
    app = await open_job(pilot, "airbyte:c0000")
    await pilot.press("d")
    await until(pilot, lambda: on(app, DataScreen), "the data view")
    screen = app.screen
    assert isinstance(screen, DataScreen)
    await until(pilot, lambda: len(screen.summaries) == 2 and screen.query_one("#data-latest").row_count > 0, "the data view's tables")


async def _confirm_cancel(pilot: Pilot[Any]) -> None:
    app = await select(pilot, "airbyte:c0002")
    await pilot.press("c")
    await until(pilot, lambda: on(app, ConfirmModal), "the cancel confirmation")


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("connections", "Connections", two_provider_app, _connections),
    Scenario("job_panel_running", "Job panel: an Airbyte sync running", two_provider_app, _job_running),
    Scenario("job_panel_failed", "Job panel: an Airbyte sync that failed", two_provider_app, _job_failed),
    Scenario("hightouch_run", "Job panel: a Hightouch run", two_provider_app, _hightouch_run),
    Scenario("log_viewer", "Log viewer with the failure header and error groups", two_provider_app, _log_viewer),
    Scenario("help", "Help", two_provider_app, _help),
    Scenario("command_palette", "Command palette", two_provider_app, _palette),
    Scenario("triage", "Triage", two_provider_app, _triage),
    Scenario("timeline", "Timeline", two_provider_app, _timeline),
    Scenario("pulse", "Pulse", two_provider_app, _pulse),
    Scenario("alerts", "Alerts", two_provider_app, _alerts),
    Scenario("fleet_confirm", "Fleet action confirmation", two_provider_app, _fleet_confirm),
    Scenario("data_view", "Data view", two_provider_app, _data_view),
    Scenario("confirm_cancel", "Cancel confirmation", two_provider_app, _confirm_cancel),
)


def scenario(name: str) -> Scenario:
    return next(s for s in SCENARIOS if s.name == name)


@contextmanager
def utc() -> Iterator[None]:
    """Times render in the local zone: pin it so a snapshot taken in Berlin matches one taken in CI."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()
