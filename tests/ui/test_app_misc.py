"""Help, palette, logs, themes, profile switch."""

from __future__ import annotations

import importlib.util

from textual.command import CommandPalette
from textual.widgets import OptionList

from airsync_tui.service.watcher import Watcher
from airsync_tui.ui.app import SessionInfo
from airsync_tui.ui.bindings import help_rows, palette_entries
from airsync_tui.ui.formatting import LIGHT
from airsync_tui.ui.screens.connections import ConnectionsScreen
from airsync_tui.ui.screens.modals import HelpScreen, ProfileModal
from tests.ui.conftest import SIZE, make_app, notifications, screen_text, wait_for
from tests.ui.fakes import FAST_CONFIG, FakeProvider, hightouch_caps, hightouch_world


async def _ready(pilot, app) -> ConnectionsScreen:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count > 0)
    return app.screen


async def test_help_lists_every_key_from_the_registry() -> None:
    app = make_app()
    async with app.run_test(size=(100, 24)) as pilot:
        await _ready(pilot, app)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = screen_text(app)
        last_help = help_rows()[-1][0]  # the registry's last group, off-screen on 100x24 ...
        assert "Filter connections by substring" in text
        assert last_help not in text
        rendered = HelpScreen._table()
        helps = [str(cell) for cell in rendered.columns[3]._cells]
        assert [row[3] for row in help_rows()] == [h for h in helps if h]
        await pilot.press("end")  # scrollable on a small terminal
        await wait_for(pilot, lambda: last_help in screen_text(app), what="the last key after End")
        await pilot.press("escape")
        assert isinstance(app.screen, ConnectionsScreen)


async def test_palette_lists_registry_actions_for_the_screen() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await wait_for(pilot, lambda: app.screen.query_one(OptionList).option_count > 0)
        await pilot.pause(0.3)
        options = app.screen.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        joined = "\n".join(prompts)
        for spec in palette_entries("connections"):
            assert spec.description in joined, spec.description
        assert "Older job" not in joined  # job-panel entries only on the job panel
        # Running an entry runs the bound action.
        await pilot.press(*"Status")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectionsScreen) and app.screen.status_filter == "running")


async def test_logs_key_opens_log_viewer_or_explains() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot, app)
        screen.table.move_to_key("airbyte:c0001")
        await pilot.press("l")
        await pilot.pause(0.3)
        available = importlib.util.find_spec("airsync_tui.service.log_feed") is not None
        if available:
            from airsync_tui.ui.screens.log_screen import LogScreen

            assert isinstance(app.screen, LogScreen)
        else:
            assert "log viewer not available yet" in notifications(app)


async def test_theme_toggle_recolours_badges() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot, app)
        app.action_toggle_theme()
        await pilot.pause()
        assert app.theme == "airsync-light"
        cell = screen.table.get_cell("airbyte:c0001", "last")
        assert LIGHT.failed in str(cell.style)


async def test_profile_switch_swaps_the_watcher() -> None:
    connections, jobs = hightouch_world()
    other = Watcher(
        [FakeProvider("hightouch", "Hightouch", connections=connections, jobs=jobs, capabilities=hightouch_caps(), auto_advance=False)],
        FAST_CONFIG,
    )

    async def switch(name: str) -> Watcher:
        assert name == "staging"
        return other

    app = make_app(session=SessionInfo(profile_name="prod", available_profiles=("prod", "staging")), switch_profile=switch)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileModal))
        options = app.screen.query_one(OptionList)
        options.highlighted = options.get_option_index("staging")
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: app.watcher is other and isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count == 2,
            what="switched",
        )
        assert "profile staging" in screen_text(app)
        assert "Users model → Salesforce" in screen_text(app)


async def test_switching_profiles_back_and_forth_drops_the_screens_left_behind() -> None:
    """Each switch builds a fresh list (a new screen stack); the one left behind is removed, not kept mounted."""
    connections, jobs = hightouch_world()

    def staging() -> Watcher:
        return Watcher(
            [FakeProvider("hightouch", "Hightouch", connections=connections, jobs=jobs, capabilities=hightouch_caps(), auto_advance=False)],
            FAST_CONFIG,
        )

    prod_app = make_app()
    watchers = {"staging": staging, "prod": lambda: Watcher(list(prod_app.watcher.providers.values()), FAST_CONFIG)}  # type: ignore[arg-type]

    async def switch(name: str) -> Watcher:
        return watchers[name]()

    app = make_app(session=SessionInfo(profile_name="prod", available_profiles=("prod", "staging")), switch_profile=switch)

    async def switch_to(pilot, name: str, rows: int) -> ConnectionsScreen:  # type: ignore[no-untyped-def]
        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileModal))
        options = app.screen.query_one(OptionList)
        options.highlighted = options.get_option_index(name)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: app.session.profile_name == name and isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count == rows,
            what=f"the {name} list",
        )
        return app.screen

    async with app.run_test(size=SIZE) as pilot:
        first = await _ready(pilot, app)
        on_staging = await switch_to(pilot, "staging", 2)
        assert on_staging is not first and app.screen_stack == [on_staging]
        back = await switch_to(pilot, "prod", 8)
        await pilot.pause()
        assert back is not on_staging and app.screen_stack == [back]
        assert not on_staging.is_attached  # the staging stack was removed, not left running
        assert "profile prod" in screen_text(app)


async def test_profile_key_hidden_without_profiles() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot, app)
        assert not screen.check_action("switch_profile", ())
        assert "Profile" not in screen_text(app).splitlines()[-1]


async def test_logs_from_the_connection_list_open_the_latest_attempt() -> None:
    """Without a cached job detail the viewer still opens on the newest attempt, not attempt 1."""
    from airsync_tui.models.domain import Attempt
    from airsync_tui.providers.airbyte.statuses import airbyte_job_status
    from airsync_tui.ui.screens.log_screen import LogScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot, app)
        job = app.watcher.latest_job["airbyte:c0001"]
        provider = app.watcher.provider_for_key(job.key)
        provider.set_job(
            job,
            attempts=[
                Attempt(number=0, status=airbyte_job_status("failed")),
                Attempt(number=1, status=airbyte_job_status("failed")),
                Attempt(number=2, status=airbyte_job_status("succeeded")),
            ],
        )
        app.watcher.store.drop_detail(job.key)
        screen.table.move_to_key("airbyte:c0001")
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LogScreen))
        log_screen = app.screen
        assert log_screen.feed.attempt_numbers == [0, 1, 2]
        assert log_screen.attempt_number == 2
