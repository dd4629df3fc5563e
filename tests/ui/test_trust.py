"""Every screen tells the truth and is safe to drive (issue 7), driven with Pilot."""

from __future__ import annotations

from datetime import timedelta

from textual.command import CommandPalette

from airsync_tui.models.domain import Progress
from airsync_tui.models.rate import RateWindow
from airsync_tui.providers.airbyte.statuses import airbyte_job_status
from airsync_tui.service.clock import ShownClock
from airsync_tui.service.events import JobStatusChanged
from airsync_tui.ui.app import AirsyncApp
from airsync_tui.ui.bindings import palette_entries
from airsync_tui.ui.commands import AirsyncCommands
from airsync_tui.ui.screens.connections import ConnectionsScreen
from airsync_tui.ui.screens.log_screen import LogScreen
from airsync_tui.ui.screens.modals import ConfirmModal
from tests.ui.conftest import SIZE, list_shown, make_app, open_job_panel, screen_text, wait_for
from tests.ui.fakes import (
    FROZEN_NOW,
    FakeProvider,
    demo_world,
    hightouch_caps,
    hightouch_world,
)


async def test_enter_on_every_confirmation_is_the_harmless_answer() -> None:
    connections, jobs = demo_world()
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=False)
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        screen = await list_shown(pilot, app)
        for key, action in (("airbyte:c0002", "c"), ("airbyte:c0000", "s")):
            screen.table.move_to_key(key)
            await pilot.pause()
            await pilot.press(action)
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal), what=f"dialog for {action}")
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ConnectionsScreen), what="dialog closed")
        await pilot.pause(0.2)
        assert provider.cancels == [] and provider.triggers == []


async def test_trigger_on_a_running_connection_says_attached_not_done() -> None:
    connections, jobs = demo_world()
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=False)
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        screen = await list_shown(pilot, app)
        screen.table.move_to_key("airbyte:c0002")  # its job 4802 is running
        await pilot.pause()
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        await wait_for(pilot, lambda: any(n.title for n in app._notifications), what="toast")
        titles = [n.title for n in app._notifications]
        assert "already running: attached" in titles
        assert not any("done" in (title or "") for title in titles)


async def test_failed_job_shows_where_it_failed_not_a_grey_zero_bar() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_job_panel(pilot, app, "airbyte:c0001")  # job 4801 failed
        await wait_for(pilot, lambda: "failed at 800 records" in screen_text(app), what="failed line")
        text = screen_text(app)
        assert "0%" not in text and "ETA done" not in text
        # The error is said once in the summary, not repeated by a Failure line.
        assert text.count("BigQuery quota exceeded") == 1
        assert panel.job is not None


async def test_history_uses_the_servers_transition_time() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_job_panel(pilot, app, "airbyte:c0002")
        job = app.watcher.jobs["airbyte:4802"]
        ended = FROZEN_NOW + timedelta(seconds=30)
        done = job.model_copy(update={"status": airbyte_job_status("cancelled"), "ended_at": ended, "updated_at": ended})
        app.watcher.poller.observe(done, publish=True)
        await wait_for(pilot, lambda: "cancelled" in panel.query_one("#job-status").render().plain, what="transition")
        entries = panel.history_entries()
        assert entries[-1].label == "cancelled" and entries[-1].at == ended  # not our wall clock (months later)
        times = [e.at for e in entries if e.at is not None]
        assert times == sorted(times)


async def test_transition_events_carry_server_time() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await list_shown(pilot, app)
        subscription = app.watcher.subscribe()
        job = app.watcher.jobs["airbyte:4802"]
        ended = FROZEN_NOW + timedelta(minutes=1)
        app.watcher.poller.observe(job.model_copy(update={"status": airbyte_job_status("succeeded"), "ended_at": ended}), publish=True)
        events = []
        while (event := subscription.get_nowait()) is not None:
            events.append(event)
        changed = [e for e in events if isinstance(e, JobStatusChanged)]
        assert changed and changed[0].at == ended


async def test_stalled_job_says_no_progress_and_gives_no_eta() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_job_panel(pilot, app, "airbyte:c0002")
        app.watcher.clock = ShownClock(wall=lambda: FROZEN_NOW)
        # Once the watcher samples the live (emitted) series, stop it and give the job a stalled history.
        await wait_for(pilot, lambda: app.watcher.poller.rate_series.get("airbyte:4802") == "emitted", what="live series")
        await app.watcher.stop()
        window = RateWindow()
        window.add(FROZEN_NOW - timedelta(minutes=40), 12_000, None)
        window.add(FROZEN_NOW - timedelta(minutes=20), 12_000, None)
        window.add(FROZEN_NOW, 12_000, None)  # emitted counts, as the watcher samples them
        app.watcher.store.put_rate_window("airbyte:4802", window)
        panel._blocks.clear()
        panel.render_all()
        await pilot.pause()
        text = screen_text(app)
        assert "no progress for 40m" in text
        assert "ETA none while stalled" in text


async def test_succeeded_job_streams_are_complete() -> None:
    connections, jobs = demo_world()
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=False)
    real_detail = provider.get_job_detail

    async def estimates_too_high(job_id: str):  # type: ignore[no-untyped-def]
        # Estimates are approximate: a finished stream can end at 90 % of its estimate.
        detail = await real_detail(job_id)
        streams = tuple(s.model_copy(update={"estimated_records": int((s.records_emitted or 1) / 0.9) + 1}) for s in detail.streams)
        return detail.model_copy(update={"streams": streams})

    provider.get_job_detail = estimates_too_high  # type: ignore[method-assign]
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_job_panel(pilot, app, "airbyte:c0002")
        await wait_for(pilot, lambda: panel.query_one("#streams").row_count == 2, what="streams")
        for _ in range(3):
            provider.advance("4802")
        app.watcher.refresh_now()
        await wait_for(pilot, lambda: "✔ succeeded" in screen_text(app), what="succeeded")
        await wait_for(pilot, lambda: "✔ succeeded" in screen_text(app).split("Attempts")[1], what="attempts refreshed")
        await pilot.pause(0.3)
        streams = screen_text(app).split("Streams")[1].split("Recent")[0]
        assert " 89%" not in streams and " 90%" not in streams
        assert streams.count("100%") == 2
        assert "⠋" not in panel.query_one("#attempts").get_row_at(0)[1].plain  # no spinner once it ended


def _hightouch_app(index: int, **update: object) -> AirsyncApp:
    """The Hightouch fakes' app, with run `index` changed by `update`."""
    connections, jobs = hightouch_world()
    jobs[index] = jobs[index].model_copy(update=update)
    provider = FakeProvider("hightouch", "Hightouch", connections=connections, jobs=jobs, capabilities=hightouch_caps(), auto_advance=False)
    return make_app([provider])


async def test_hightouch_run_is_laid_out_from_its_data() -> None:
    app = _hightouch_app(0, bytes_synced=None)
    async with app.run_test(size=SIZE) as pilot:
        await open_job_panel(pilot, app, "hightouch:c0000")
        await wait_for(pilot, lambda: "Query size" in screen_text(app), what="facts")
        text = screen_text(app)
        assert "Bytes" not in text.split("Rows")[0]  # no empty Bytes line
        assert "c Cancel" not in text  # the capability says no: not offered
        records_line = next(line for line in text.splitlines() if line.strip().startswith("Records"))
        assert "152 committed" in records_line
        assert "attempts" not in records_line  # a run is one try: "all attempts" would mean nothing
        lines = text.splitlines()
        value_columns = {line.index("12,345") for line in lines if "Query size" in line} | {
            line.index("152 committed") for line in lines if line.strip().startswith("Records")
        }
        assert len(value_columns) == 1  # labels and values aligned


async def test_table_keys_move_rows() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await list_shown(pilot, app)
        table = screen.table
        await pilot.press("G")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1 and table.scroll_x == 0
        await pilot.press("home")
        assert table.cursor_row == 0


async def test_palette_lists_the_log_viewers_commands_without_duplicates() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await list_shown(pilot, app)
        screen.table.move_to_key("airbyte:c0002")
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LogScreen), what="log viewer")
        log_screen = app.screen
        provider = AirsyncCommands(log_screen)
        titles = [str(hit.text) for hit in [hit async for hit in provider.discover()]]
        assert any(title.startswith("Next error") for title in titles)
        assert any(title.startswith("Search") for title in titles)
        assert len(titles) == len({spec.id for spec in palette_entries("logs")})
        system = [command.title for command in app.get_system_commands(log_screen)]
        ours = {spec.description for spec in palette_entries("logs")}
        assert not ours & set(system), "a command is listed twice"
        assert "Quit" not in system and "Keys" not in system
        assert not isinstance(app.screen, CommandPalette)


async def test_header_keeps_every_providers_health_at_80_columns() -> None:
    airbyte_connections, airbyte_jobs = demo_world()
    ht_connections, ht_jobs = hightouch_world()
    providers = [
        FakeProvider(connections=airbyte_connections, jobs=airbyte_jobs, auto_advance=False),
        FakeProvider("hightouch", "Hightouch", connections=ht_connections, jobs=ht_jobs, capabilities=hightouch_caps(), auto_advance=False),
    ]
    from airsync_tui.ui.app import SessionInfo

    session = SessionInfo(profile_name="production-eu", workspace_label="Airbyte 4f1c1c52-7b0e-4c1d-9b43-2a4f0b0c1d2e + Hightouch")
    app = make_app(providers, session=session)  # type: ignore[arg-type]
    async with app.run_test(size=(80, 24)) as pilot:
        await list_shown(pilot, app)
        await wait_for(pilot, lambda: "Hightouch ● ok" in screen_text(app).splitlines()[0], what="both healths")
        header = screen_text(app).splitlines()[0]
        assert "Airbyte ● ok" in header
        # The list still shows progress and records at 80 columns.
        columns = screen_text(app).splitlines()[1]
        assert "Progress" in columns and "Committed" in columns


async def test_job_panel_at_80x24_shows_status_progress_and_error_first() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_job_panel(pilot, app, "airbyte:c0001")
        await wait_for(pilot, lambda: "failed at" in screen_text(app), what="panel")
        first_screen = screen_text(app)
        assert "Status" in first_screen and "failed at 800 records" in first_screen
        assert "BigQuery quota exceeded" in first_screen


async def test_logs_of_a_pending_job_wait_for_the_first_attempt() -> None:
    connections, jobs = demo_world()
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=False)
    from airsync_tui.errors import NotFoundError

    calls: list[int] = []

    async def not_yet(job_id: str, attempt_number: int):  # type: ignore[no-untyped-def]
        calls.append(attempt_number)
        if len(calls) < 2:
            raise NotFoundError("Airbyte resource attempt not found — check the id")
        from airsync_tui.providers.base import AttemptLog

        return AttemptLog(job_id=job_id, attempt_number=attempt_number, text_lines=("first line",))

    provider.fetch_attempt_log = not_yet  # type: ignore[method-assign]
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        screen = await list_shown(pilot, app)
        screen.table.move_to_key("airbyte:c0005")  # job 4805 is pending
        await pilot.pause()
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LogScreen), what="log viewer")
        await wait_for(pilot, lambda: "Waiting for attempt 1" in screen_text(app), what="waiting message")
        assert "not found" not in screen_text(app)
        await wait_for(pilot, lambda: "first line" in screen_text(app), timeout=8, what="first attempt followed")


async def test_recent_jobs_and_list_show_one_record_count() -> None:
    connections, jobs = demo_world()
    running = next(j for j in jobs if j.id == "4802")
    jobs[jobs.index(running)] = running.model_copy(update={"records_synced": 77_148})
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=False)
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        screen = await list_shown(pilot, app)
        assert screen.table.get_cell("airbyte:c0002", "records").plain == "77,148"
        panel = await open_job_panel(pilot, app, "airbyte:c0002")
        await wait_for(pilot, lambda: panel.query_one("#jobs").row_count >= 1, what="recent")
        assert panel.query_one("#jobs").get_cell("airbyte:4802", "records").plain == "77,148"
        assert "77,148 committed, all attempts" in screen_text(app)


async def test_attempts_are_refreshed_on_the_terminal_transition() -> None:
    """A followed job that ends re-reads its attempts at once, not a (slow) detail poll later."""
    import asyncio

    from airsync_tui.service.watcher import Watcher, WatcherConfig

    connections, jobs = demo_world()
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=False)
    watcher = Watcher(
        [provider],
        WatcherConfig(active_interval=0.05, idle_interval=0.1, progress_interval=0.05, detail_interval=60, connections_interval=3600),
    )
    await watcher.start()
    try:
        watcher.follow_job("airbyte:4802")
        for _ in range(100):
            if "airbyte:4802" in watcher.details:
                break
            await asyncio.sleep(0.02)
        fetched = provider.stats.by_path.get("detail", 0)
        for _ in range(3):
            provider.advance("4802")
        watcher.refresh_now()
        for _ in range(100):
            detail = watcher.details.get("airbyte:4802")
            if detail is not None and detail.job.status.is_terminal:
                break
            await asyncio.sleep(0.02)
        detail = watcher.details["airbyte:4802"]
        assert detail.job.status.is_terminal and provider.stats.by_path.get("detail", 0) > fetched
        assert all(not attempt.status.is_active for attempt in detail.attempts)
    finally:
        await watcher.aclose()


async def test_an_empty_filter_result_says_no_matches() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await list_shown(pilot, app)
        screen.set_filter("no-such-connection")
        await pilot.pause()
        assert screen.table.row_count == 0
        assert "no matches" in screen_text(app)


async def test_live_progress_moves_the_attempt_row_with_the_records_line() -> None:
    """One frame, one count: the running attempt's row follows the live progress the Records line shows.

    Before: a progress update repainted the summary only; the attempt row (and the streams) waited for
    the next clock tick or job detail, so the panel said "86,899 committed" above an attempt row of 85,970.
    """
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_job_panel(pilot, app, "airbyte:c0002")
        await wait_for(pilot, lambda: panel.query_one("#attempts").row_count >= 1, what="the attempt rows")
        await app.watcher.stop()  # nothing but the update below changes the job from here on
        job = app.watcher.store.jobs["airbyte:4802"]
        assert job.progress is not None
        moved = job.model_copy(
            update={"progress": job.progress.model_copy(update={"records_emitted": 20_500, "records_committed": 20_000})}
        )
        app.watcher.poller.observe(moved, publish=True)
        await wait_for(pilot, lambda: "20,500 emitted · 20,000 committed" in screen_text(app), what="the live counts")
        attempts = panel.query_one("#attempts")
        current = attempts.get_row_at(attempts.row_count - 1)
        assert "20,000" in [cell.plain for cell in current]


async def test_a_stream_the_states_call_complete_is_not_running_in_the_streams_table() -> None:
    """The Streams table and the stream states beside it tell one story for each stream.

    Before: the server's stream statuses said "● users complete" while the Streams table, read from an
    older job detail, still drew that stream's bar as running.
    """
    from airsync_tui.models.stream_state import StreamState

    class WithStates(FakeProvider):
        async def stream_states(self, connection_id: str) -> list[StreamState]:
            return [
                StreamState(name="users", namespace="public", state="complete"),
                StreamState(name="orders", namespace="public", state="running"),
            ]

    connections, jobs = demo_world()
    app = make_app([WithStates(connections=connections, jobs=jobs, auto_advance=False)])
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_job_panel(pilot, app, "airbyte:c0002")
        await wait_for(pilot, lambda: "● public.users" in screen_text(app), what="the stream states")
        streams = panel.query_one("#streams")
        await wait_for(pilot, lambda: "100%" in streams.get_cell("public.users", "progress").plain, what="users shown complete")
        assert "100%" not in streams.get_cell("public.orders", "progress").plain  # still running: its own bar


async def test_a_running_hightouch_run_has_no_empty_rate_line() -> None:
    """A run that reports planned rows and a completion ratio, not records and bytes, gets no "– · – emitted"."""
    app = _hightouch_app(1, per_row_results=False, records_planned=471, progress=Progress(ratio=0.4, basis="provider"))
    async with app.run_test(size=SIZE) as pilot:
        await open_job_panel(pilot, app, "hightouch:c0001")
        await wait_for(pilot, lambda: "471 planned" in screen_text(app), what="the run's records line")
        text = screen_text(app)
        assert "emitted" not in text
        assert not any(line.strip().startswith("Rate") for line in text.splitlines())
        assert "Elapsed" in text  # the rest of the live block stays


async def test_job_panel_tables_fit_80_columns_after_a_resize() -> None:
    """No job-panel table runs past the edge at 80 columns, also after the terminal narrows.

    Before: the attempts' failure and the recent jobs' bars pushed both tables 3-6 columns past the
    edge of an 80-column terminal, behind a horizontal scrollbar; DataTable columns only ever widen.
    """
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        panel = await open_job_panel(pilot, app, "airbyte:c0001")  # the failed job: a long failure text
        await wait_for(pilot, lambda: panel.query_one("#attempts").row_count >= 1, what="the attempts")
        await wait_for(pilot, lambda: panel.query_one("#jobs").row_count >= 1, what="the recent jobs")
        # Again, with the job's detail already known and nothing new coming (a finished job): the panel
        # renders its attempts once, before its layout.
        await app.watcher.stop()
        await pilot.press("escape")
        panel = await open_job_panel(pilot, app, "airbyte:c0001")
        attempts = panel.query_one("#attempts")
        # Where there is room the failure is whole (it was cut to 12 cells when rendered before layout).
        await wait_for(pilot, lambda: attempts.get_row_at(0)[-1].plain == "destination · system_error", what="the whole failure")
        wide = attempts.get_row_at(0)[-1].plain
        await pilot.resize_terminal(80, 24)

        def fits() -> bool:
            return all(
                panel.query_one(f"#{name}").virtual_size.width <= panel.query_one(f"#{name}").size.width for name in ("attempts", "jobs")
            )

        await wait_for(pilot, fits, what="the tables fitted to 80 columns")
        narrow = panel.query_one("#attempts").get_row_at(0)[-1].plain
        assert narrow.endswith("…") and len(narrow) < len(wide)  # the failure gave way, and says it was cut
