"""Once the first full list is on screen, `airsync`'s one app freezes that heap out of GC scans (ui/heap.py).

Full collections walked every connection and rendered row, ~100 ms on the UI's thread; they were the
worst filter keystrokes with 5,000 connections. Apps built by the hundred in one process (these tests)
must not freeze: what is frozen is never freed if it later becomes cyclic garbage.
"""

from __future__ import annotations

import gc

import pytest

import airsync_tui.ui.app as app_module
from airsync_tui.ui.heap import set_aside_loaded_heap
from tests.ui.conftest import make_app, wait_for
from tests.ui.fakes import FakeProvider, demo_world


@pytest.fixture
def set_asides(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each call the app makes, recorded with the freeze count it left (the real function runs)."""
    calls: list[int] = []

    def spy() -> None:
        set_aside_loaded_heap()
        calls.append(gc.get_freeze_count())

    monkeypatch.setattr(app_module, "set_aside_loaded_heap", spy)
    return calls


async def test_the_dashboards_app_sets_the_loaded_heap_aside_once_the_list_is_shown(set_asides: list[int]) -> None:
    connections, jobs = demo_world()
    app = make_app([FakeProvider(connections=connections, jobs=jobs, auto_advance=False)])
    app._set_aside_pending = True  # as `AirsyncApp(set_aside_heap=True)` (cli/dashboard.py) starts
    before = gc.get_freeze_count()
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: all(app.watcher.store.loaded.values()), what="the first full load")
        await wait_for(pilot, lambda: bool(set_asides), what="the heap set aside")
        assert set_asides[0] > before  # the loaded objects are frozen
        app.watcher.refresh_now()
        await pilot.pause(0.3)
        assert len(set_asides) == 1  # once, not at every later load


async def test_apps_built_without_it_never_freeze(set_asides: list[int]) -> None:
    connections, jobs = demo_world()
    app = make_app([FakeProvider(connections=connections, jobs=jobs, auto_advance=False)])
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: all(app.watcher.store.loaded.values()), what="the first full load")
        await pilot.pause(0.2)
        assert set_asides == []


def test_nothing_is_frozen_while_collection_is_paused() -> None:
    """During start-up the console script pauses collection (cli/startup_gc.py): that caller decides."""
    gc.disable()
    try:
        before = gc.get_freeze_count()
        set_aside_loaded_heap()
        assert gc.get_freeze_count() <= before  # nothing added (frozen objects freed meanwhile may lower it)
    finally:
        gc.enable()


async def test_a_profile_switch_frees_the_old_profiles_heap_and_sets_the_new_one_aside(
    set_asides: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Frozen objects are never collected: the profile left behind would leak. The switch unfreezes and
    collects; the new profile's first full load is set aside again once shown."""
    from textual.widgets import OptionList

    from airsync_tui.service.watcher import Watcher
    from airsync_tui.ui.app import SessionInfo
    from airsync_tui.ui.heap import release_set_aside_heap
    from airsync_tui.ui.screens.connections import ConnectionsScreen
    from airsync_tui.ui.screens.modals import ProfileModal
    from tests.ui.fakes import FAST_CONFIG, hightouch_caps, hightouch_world

    releases: list[int] = []

    def release_spy() -> None:
        release_set_aside_heap()
        releases.append(gc.get_freeze_count())

    monkeypatch.setattr(app_module, "release_set_aside_heap", release_spy)
    connections, jobs = hightouch_world()

    async def switch(name: str) -> Watcher:
        provider = FakeProvider(
            "hightouch", "Hightouch", connections=connections, jobs=jobs, capabilities=hightouch_caps(), auto_advance=False
        )
        return Watcher([provider], FAST_CONFIG)

    app = make_app(session=SessionInfo(profile_name="prod", available_profiles=("prod", "staging")), switch_profile=switch)
    app._sets_aside_heap = app._set_aside_pending = True  # as `AirsyncApp(set_aside_heap=True)` starts
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: len(set_asides) == 1, what="the first profile's load set aside")
        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileModal), what="the profile chooser")
        options = app.screen.query_one(OptionList)
        options.highlighted = options.get_option_index("staging")
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: app.session.profile_name == "staging" and isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count == 2,
            what="the staging list",
        )
        await wait_for(pilot, lambda: len(releases) == 1 and len(set_asides) == 2, what="released, then set aside again")
        assert releases[0] == 0  # everything was unfrozen (and collected) at the switch
