"""Trigger / job type / cancel: always confirmed, refused in read-only, explained when impossible."""

from __future__ import annotations

from textual.widgets import OptionList

from airsync_tui.errors import ApiError
from airsync_tui.providers.airbyte.statuses import airbyte_job_status
from airsync_tui.ui.app import SessionInfo
from airsync_tui.ui.screens.connections import ConnectionsScreen
from airsync_tui.ui.screens.modals import ConfirmModal, JobTypeModal
from tests.ui.conftest import SIZE, make_app, notifications, screen_text, wait_for
from tests.ui.fakes import FakeProvider, demo_world, hightouch_caps, hightouch_world


async def _select(pilot, app, key: str) -> ConnectionsScreen:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count > 0)
    screen = app.screen
    screen.table.move_to_key(key)
    await pilot.pause()
    assert screen.table.cursor_key() == key
    return screen


async def test_trigger_confirm_runs_and_succeeds() -> None:
    connections, jobs = demo_world()
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=True, steps_to_finish=3)
    # Only the new job should advance: park the demo's active jobs.
    for state in provider.jobs.values():
        if state.job.status.is_active:
            state.job = state.job.model_copy(update={"status": airbyte_job_status("succeeded")})
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        screen = await _select(pilot, app, "airbyte:c0000")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        assert app.screen.question_text == "Start a sync of Postgres → Snowflake?"
        assert "Start a sync of Postgres → Snowflake?" in screen_text(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: provider.triggers == [("c0000", "sync")], what="trigger call")
        await wait_for(
            pilot,
            lambda: (
                "running" in screen.table.get_cell("airbyte:c0000", "last").plain
                or "succeeded" in screen.table.get_cell("airbyte:c0000", "last").plain
            ),
        )
        new_key = "airbyte:5001"
        assert new_key in app.watcher.triggered
        await wait_for(pilot, lambda: app.watcher.latest_job["airbyte:c0000"].status.raw == "succeeded", what="success")
        await wait_for(pilot, lambda: any("5001 succeeded" in n for n in notifications(app)), what="terminal notification")
        assert any("started sync job 5001" in n for n in notifications(app))


async def test_confirm_no_does_nothing() -> None:
    connections, jobs = demo_world()
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=False)
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        await _select(pilot, app, "airbyte:c0000")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("n")
        await pilot.pause(0.2)
        assert provider.triggers == []
        assert isinstance(app.screen, ConnectionsScreen)


async def test_job_type_chooser_shows_unavailable_with_reason_and_flags_destructive() -> None:
    connections, jobs = demo_world()
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=False)
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        await _select(pilot, app, "airbyte:c0000")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, JobTypeModal))
        text = screen_text(app)
        assert "Refresh" in text and "the Airbyte public API cannot start refreshes" in text
        options = app.screen.query_one(OptionList)
        refresh = options.get_option("refresh")
        assert refresh.disabled
        options.highlighted = options.get_option_index("reset")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        assert app.screen.has_class("destructive")
        assert "Start a reset of Postgres → Snowflake?" in screen_text(app)
        assert "Destructive" in screen_text(app)
        await pilot.press("enter")  # focus starts on "No" for destructive questions
        await pilot.pause(0.2)
        assert provider.triggers == []
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, JobTypeModal))
        options = app.screen.query_one(OptionList)
        options.highlighted = options.get_option_index("clear")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        await wait_for(pilot, lambda: provider.triggers == [("c0000", "clear")])


async def test_cancel_confirm_cancels_running_job() -> None:
    connections, jobs = demo_world()
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=False)
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        screen = await _select(pilot, app, "airbyte:c0002")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        assert app.screen.question_text == "Cancel job 4802 of Salesforce → Snowflake?"
        await pilot.press("y")
        await wait_for(pilot, lambda: provider.cancels == ["4802"])
        await wait_for(pilot, lambda: "cancelled" in screen.table.get_cell("airbyte:c0002", "last").plain)
        assert any("cancel requested for job 4802" in n for n in notifications(app))


async def test_cancel_without_running_job_explains() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _select(pilot, app, "airbyte:c0000")
        await pilot.press("c")
        await pilot.pause(0.1)
        assert isinstance(app.screen, ConnectionsScreen)
        assert any("no running job to cancel" in n for n in notifications(app))


async def test_read_only_refuses_mutations_with_reason() -> None:
    connections, jobs = demo_world()
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=False)
    app = make_app([provider], session=SessionInfo(profile_name="prod", read_only=True))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _select(pilot, app, "airbyte:c0002")
        assert "read-only" in screen_text(app).splitlines()[0]
        assert screen.check_action("trigger_sync", ()) is None  # footer shows it disabled
        for key in ("s", "t", "c"):
            await pilot.press(key)
            await pilot.pause(0.05)
            assert isinstance(app.screen, ConnectionsScreen)
        messages = notifications(app)
        assert "read-only session: triggering is disabled (started with --read-only)" in messages
        assert "read-only session: cancelling is disabled (started with --read-only)" in messages
        # The palette path runs the same action and is refused the same way.
        await screen.run_action("trigger_sync")
        assert provider.triggers == [] and provider.cancels == []


async def test_hightouch_cancel_unavailable_says_why() -> None:
    connections, jobs = hightouch_world()
    provider = FakeProvider("hightouch", "Hightouch", connections=connections, jobs=jobs, capabilities=hightouch_caps(), auto_advance=False)
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        await _select(pilot, app, "hightouch:c0001")  # its run is running
        await pilot.press("c")
        await pilot.pause(0.1)
        assert isinstance(app.screen, ConnectionsScreen)
        assert any("the Hightouch API has no cancel endpoint" in n for n in notifications(app))
        assert provider.cancels == []


async def test_trigger_failure_becomes_an_error_notification() -> None:
    connections, jobs = demo_world()
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=False)

    async def broken(connection_id: str, job_type: str = "sync"):  # type: ignore[no-untyped-def]
        raise ApiError("server answered 500: [red]boom[/]")

    provider.trigger = broken  # type: ignore[method-assign]
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        await _select(pilot, app, "airbyte:c0000")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        await wait_for(pilot, lambda: any("boom" in n for n in notifications(app)))
        note = next(n for n in app._notifications if "boom" in str(n.message))
        assert note.severity == "error"
        assert "[red]boom[/]" in str(note.message)  # shown literally
        assert app.is_running
