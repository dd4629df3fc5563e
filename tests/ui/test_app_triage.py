"""Triage, timeline, pulse and the log viewer's failure header, driven with Pilot against the emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator, start_emulator
from airsync_tui.logs.errors import first_line_matching
from airsync_tui.logs.fingerprint import normalise_message
from airsync_tui.service.problems import ProblemKind
from airsync_tui.service.triage import TRIAGE_KINDS
from airsync_tui.service.watcher import Watcher, WatcherConfig
from airsync_tui.ui.app import AirsyncApp, SessionInfo
from airsync_tui.ui.screens.connections import ConnectionsScreen
from airsync_tui.ui.screens.job import JobScreen
from airsync_tui.ui.screens.log_failure import FailureLogScreen, literal_piece
from airsync_tui.ui.screens.timeline import PulseScreen, TimelineScreen
from airsync_tui.ui.screens.triage import TriageScreen
from airsync_tui.ui.widgets.stream_states import StreamStatesPanel
from tests.emulator_helpers import airbyte_provider, quiet_emulator
from tests.fire_drill import run_drill_job
from tests.ui.conftest import SIZE, screen_text, wait_for

WATCHER_CONFIG = WatcherConfig(active_interval=0.3, idle_interval=0.5, progress_interval=0.5, detail_interval=0.5)


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    yield from quiet_emulator(EmulatorOptions(seed=7, speed=1, big_log_lines=0, client_id="ui-triage", client_secret="ui-tri-secret"))


def _app(emu: RunningEmulator) -> AirsyncApp:
    provider = airbyte_provider(emu)
    return AirsyncApp(Watcher([provider], WATCHER_CONFIG), SessionInfo(profile_name="emulator"))


#: The quick clock's period (the product's is 1 s).
QUICK_TICK = 0.2


def _quick_clock_app(emu: RunningEmulator) -> AirsyncApp:
    """`_app` whose alert rules are judged every 0.2 s instead of every second, one history per look.

    Why: failures found at start are raised a batch of reasons and one connection's history per
    evaluation (history paced to one per 2 s by default so a 1,000-connection workspace stays
    flat); the drill waited ~10 s for that pacing alone. The same evaluation runs, only sooner.
    A look is skipped while the previous one still runs, so none is cancelled half-way (the
    evaluation's worker group is exclusive).
    """
    provider = airbyte_provider(emu)
    app = AirsyncApp(Watcher([provider], WATCHER_CONFIG), SessionInfo(profile_name="emulator"), live_clock=False)
    app.alerts.engine.history_interval = 0.0

    def tick_when_idle() -> None:
        if not any(worker.group == "alerts-evaluate" and not worker.is_finished for worker in app.workers):
            app._on_clock_tick()  # noqa: SLF001 - the app's own clock step, on a quicker timer

    app.call_later(lambda: app.set_interval(QUICK_TICK, tick_when_idle, name="quick-clock"))
    return app


def _failing(emu: RunningEmulator) -> dict[str, tuple[int, str]]:
    """connection name → (failed job id, failure external text start) from the world itself."""
    world = emu.world
    out: dict[str, tuple[int, str]] = {}
    with world.lock:
        for connection in world.connections:
            finished = [world.get_job(j) for j in connection.job_ids]
            finished = [j for j in finished if j.status in ("succeeded", "failed", "cancelled")]
            if finished and max(finished, key=lambda j: j.created_at).status == "failed":
                job = max(finished, key=lambda j: j.created_at)
                failure = job.attempts[-1].failure
                assert failure is not None
                out[connection.name] = (job.job_id, failure.origin)
    return out


def _alerted_failing(app: AirsyncApp) -> set[str | None]:
    """Connections the dashboard's rules engine (the Alerts screen) calls failed."""
    return {a.connection_name for a in app.alerts.engine.open_alerts() if a.rule is ProblemKind.FAILED}


async def test_triage_drills_down_to_the_job_panel_and_the_log_at_the_error(emulator: RunningEmulator) -> None:
    failing = _failing(emulator)
    assert failing
    app = _quick_clock_app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count > 0, timeout=10)
        # The engine raises failures found at start one reason fetch per tick.
        await wait_for(pilot, lambda: _alerted_failing(app) == set(failing), timeout=30, what="failure alerts")
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen) and bool(app.screen.groups), timeout=10, what="groups")
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        listed = {p.connection_name for g in screen.groups for p in g.problems if p.kind.value in ("failed", "auto_disable_risk")}
        assert listed == set(failing) == _alerted_failing(app)
        text = screen_text(app)
        assert "attention (" in text
        await pilot.resize_terminal(100, 40)  # narrower than the summary and its key hint
        await pilot.pause()
        lines = screen_text(app).splitlines()
        summary = next(i for i, line in enumerate(lines) if "attention (" in line)
        assert lines[summary + 1].split()[:2] == ["#", "Kind"], "the summary keeps to one line"
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        # Pick the group of one failing connection, then the connection.
        name, (job_id, origin) = min(failing.items())
        row = next(i for i, g in enumerate(screen.groups) if any(p.connection_name == name for p in g.problems))
        screen.query_one("#triage-groups").move_cursor(row=row)  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.press("enter")  # focus the connections of that cause
        group = screen.groups[row]
        position = next(i for i, p in enumerate(group.problems) if p.connection_name == name)
        screen.query_one("#triage-connections").move_cursor(row=position)  # type: ignore[attr-defined]
        await pilot.pause()
        assert screen.selected_problem() is not None and screen.selected_problem().connection_name == name  # type: ignore[union-attr]
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, FailureLogScreen), timeout=10, what="log screen")
        log = app.screen
        assert isinstance(log, FailureLogScreen)
        await wait_for(pilot, lambda: log._jumped, timeout=10, what="jump to failure")
        header = str(log.query_one("#failure-header").render())
        assert f"origin: {origin}" in header
        line = log.view.current_line()
        assert line is not None and line > 0
        failure = log.failure()
        assert failure is not None and failure.message is not None
        # The cursor sits on the first line carrying the failure's text (or its longest literal run).
        assert line == first_line_matching(log.view.index, failure.message)
        assert literal_piece(normalise_message(log.view.index.line(line))) in log.view.index.line(line)
        # Error groups panel.
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: bool(log.groups), timeout=10, what="error groups")
        assert all(g.count >= 1 for g in log.groups)
        await pilot.press("enter")  # select the biggest group: its occurrences become the matches
        await pilot.pause()
        group = log.groups[0]
        await pilot.press("right_curly_bracket")
        await pilot.pause()
        assert log.view.current_line() in set(group.lines)
        await pilot.press("ctrl+e")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen), timeout=5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen), timeout=5, what="job panel")
        assert app.screen.job_key == f"airbyte:{job_id}"  # type: ignore[attr-defined]


async def test_fire_drill_failure_is_one_alert_and_one_triage_row() -> None:
    """`airsync emulator --outcome X=failed`: the Alerts screen and Triage show the same connection."""
    emu = start_emulator(
        EmulatorOptions(seed=7, speed=1, big_log_lines=0, client_id="ui-drill", client_secret="ui-drill-secret",
                        outcomes=("Stripe → BigQuery=failed",))
    )  # fmt: skip
    emu.world.pause_schedules()
    try:
        world = emu.world
        stripe = next(c for c in world.connections if c.name == "Stripe → BigQuery")
        assert "Stripe → BigQuery" not in _failing(emu)  # healthy before the drill
        app = _app(emu)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count > 0, timeout=10)
            await pilot.press("b")  # Triage open before the drill: it follows the engine's alerts
            screen = app.screen
            assert isinstance(screen, TriageScreen)
            await wait_for(pilot, lambda: screen._loaded or bool(screen.groups), timeout=10, what="triage loaded")
            job = run_drill_job(world, stripe.connection_id)
            assert world.get_job(job.job_id).status == "failed"
            await wait_for(pilot, lambda: "Stripe → BigQuery" in _alerted_failing(app), timeout=30, what="the drill's alert")
            [alert] = [
                a for a in app.alerts.engine.open_alerts() if a.connection_name == "Stripe → BigQuery" and a.rule is ProblemKind.FAILED
            ]
            await wait_for(pilot, lambda: any(p.connection_name == "Stripe → BigQuery" and p.job_key == alert.job_key
                                              for g in screen.groups for p in g.problems),
                           timeout=10, what="the drill in triage")  # fmt: skip
            [(group, problem)] = [(g, p) for g in screen.groups for p in g.problems if p.connection_name == "Stripe → BigQuery"]
            assert problem.job_key == alert.job_key == f"airbyte:{job.job_id}"
            assert problem.kind in (ProblemKind.FAILED, ProblemKind.AUTO_DISABLE_RISK)
            assert problem.since == alert.since and problem.streak == alert.count
            failure = job.attempts[-1].failure
            assert failure is not None and group.fingerprint.origin == failure.origin

            # And nothing else: triage lists the connections the engine alerts on, no more, no fewer
            # (once it has followed the engine's latest change: other start-up failures open alerts too).
            def alerted() -> set[str | None]:
                return {a.connection_key for a in app.alerts.engine.open_alerts() if a.rule in TRIAGE_KINDS}

            await wait_for(
                pilot,
                lambda: {p.connection_key for g in screen.groups for p in g.problems} == alerted(),
                timeout=10,
                what="triage to list exactly the engine's alerted connections",
            )
    finally:
        emu.stop()


async def test_timeline_and_pulse_screens(emulator: RunningEmulator) -> None:
    app = _app(emulator)
    stripe = next(c for c in emulator.world.connections if c.name.startswith("Stripe"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count > 0, timeout=10)
        screen = app.screen
        assert isinstance(screen, ConnectionsScreen)
        screen.table.move_to_key(f"airbyte:{stripe.connection_id}")
        await pilot.pause()
        await pilot.press("T")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen) and bool(app.screen.events), timeout=10, what="timeline")
        timeline = app.screen
        assert isinstance(timeline, TimelineScreen)
        titles = [e.title for e in timeline.events]
        assert "Schema changed (breaking)" in titles
        text = screen_text(app)
        assert "Maya Chen" in text and "from connection events" in text
        await pilot.press("escape")
        await pilot.press("E")
        await wait_for(pilot, lambda: isinstance(app.screen, PulseScreen) and bool(app.screen.events), timeout=10, what="pulse")
        pulse = app.screen
        assert isinstance(pulse, PulseScreen)
        assert [e.at for e in pulse.events] == sorted((e.at for e in pulse.events), reverse=True)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen), timeout=5)


async def test_job_panel_shows_live_stream_states(emulator: RunningEmulator) -> None:
    app = _app(emulator)
    with emulator.world.lock:
        connection = next(c for c in emulator.world.connections if c.active_job_id is not None)
        streams = {s.name for s in connection.streams}
    key = f"airbyte:{connection.connection_id}"
    async with app.run_test(size=(120, 60)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count > 0, timeout=10)
        screen = app.screen
        assert isinstance(screen, ConnectionsScreen)
        screen.table.move_to_key(key)
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen), timeout=5)
        panel = app.screen.query_one(StreamStatesPanel)
        await wait_for(pilot, lambda: bool(panel.states), timeout=10, what="stream states")
        assert {s.name for s in panel.states} == streams
        assert all(not s.derived for s in panel.states)  # from the server's stream statuses, not counts
        # The states are in; the panel paints on its next refresh (wait for it, not a fixed pause).
        await wait_for(pilot, lambda: "Stream states:" in screen_text(app), timeout=10, what="the stream states painted")
