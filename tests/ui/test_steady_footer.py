"""The connection list's footer keeps its key widgets while the keys stay the same (startup speed, issue 7).

Textual's `Footer` unmounts and remounts every key widget whenever the screen
refreshes its bindings, which the list does on each cursor move; while the
first page filled that was ~25 identical rebuilds. `SteadyFooter` rebuilds
only when what it shows changes. Both halves are checked: the same widgets
survive cursor moves within one provider's rows, and the keys still change
when the highlighted row's provider offers different keys (Hightouch has no
cancel).
"""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from airsync_tui.ui.screens.connections import ConnectionsScreen
from airsync_tui.ui.widgets.footer import SteadyFooter
from tests.ui.conftest import list_shown, make_app, wait_for
from tests.ui.fakes import FakeProvider, demo_world, hightouch_caps


def _footer_keys(screen: ConnectionsScreen) -> list[FooterKey]:
    return list(screen.query_one(SteadyFooter).query(FooterKey))


def _actions(keys: list[FooterKey]) -> list[str]:
    return [key.action for key in keys]


async def test_cursor_moves_keep_the_footer_widgets_and_a_provider_change_rebuilds_them() -> None:
    airbyte_connections, airbyte_jobs = demo_world("airbyte")
    hightouch_connections, hightouch_jobs = demo_world("hightouch")
    airbyte = FakeProvider(connections=airbyte_connections, jobs=airbyte_jobs, auto_advance=False)
    hightouch = FakeProvider(
        "hightouch",
        "Hightouch",
        connections=hightouch_connections,
        jobs=hightouch_jobs,
        capabilities=hightouch_caps(),
        auto_advance=False,
    )
    app = make_app([airbyte, hightouch])
    async with app.run_test(size=(200, 50)) as pilot:
        total = len(airbyte_connections) + len(hightouch_connections)
        screen = await list_shown(pilot, app, rows=total)
        table = screen.table
        await wait_for(pilot, lambda: bool(_footer_keys(screen)), what="the footer's keys")
        await pilot.pause()

        def kind_at(row: int) -> tuple[str, bool]:
            """(provider, job running): what decides the keys a row offers."""
            key = str(table.coordinate_to_cell_key((row, 0)).row_key.value)
            return key.split(":", 1)[0], screen._job_running(key)

        kinds = [kind_at(row) for row in range(table.row_count)]
        running_airbyte = [row for row, kind in enumerate(kinds) if kind == ("airbyte", True)]
        assert len(running_airbyte) >= 2, kinds
        start, same = running_airbyte[:2]
        idle_airbyte = next(row for row, kind in enumerate(kinds) if kind == ("airbyte", False))
        other = next(row for row, kind in enumerate(kinds) if kind[0] == "hightouch")

        table.move_cursor(row=start)
        await wait_for(pilot, lambda: "cancel_job" in _actions(_footer_keys(screen)), what="cancel on a running job's row")
        before = _footer_keys(screen)
        table.move_cursor(row=same)
        await pilot.pause()
        await pilot.pause()
        after = _footer_keys(screen)
        assert [id(key) for key in after] == [id(key) for key in before], "footer rebuilt for identical keys"
        assert all(key.is_attached for key in after)

        table.move_cursor(row=other)
        await wait_for(pilot, lambda: _actions(_footer_keys(screen)) != _actions(before), what="the footer to change")
        # Hightouch has no cancel: its rows do not offer it; Airbyte's running rows do, its idle rows do not.
        hightouch_offers = "cancel_job" in _actions(_footer_keys(screen))
        table.move_cursor(row=idle_airbyte)
        await pilot.pause()
        await pilot.pause()
        idle_offers = "cancel_job" in _actions(_footer_keys(screen))
        offered = {"airbyte running": "cancel_job" in _actions(before), "hightouch": hightouch_offers, "airbyte idle": idle_offers}
        assert offered == {"airbyte running": True, "hightouch": False, "airbyte idle": False}


async def test_footer_keys_are_born_in_the_footers_compact_state(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Each key starts as the footer is (not compact): no class flip and no style pass of its own
    before it mounts (Textual's FooterKey is born compact and is turned back after, twice per key)."""
    restyled: list[FooterKey] = []
    original = FooterKey.update_node_styles

    def counting(self: FooterKey, animate: bool = True) -> None:
        restyled.append(self)
        original(self, animate)

    monkeypatch.setattr(FooterKey, "update_node_styles", counting)
    connections, jobs = demo_world("airbyte")
    app = make_app([FakeProvider(connections=connections, jobs=jobs, auto_advance=False)])
    async with app.run_test(size=(200, 50)) as pilot:
        screen = await list_shown(pilot, app, rows=len(connections))
        await wait_for(pilot, lambda: bool(_footer_keys(screen)), what="the footer's keys")
        await pilot.pause()
        footer = screen.query_one(SteadyFooter)
        keys = _footer_keys(screen)
        bound = [key for key in keys if not key.has_class("-command-palette")]  # Textual binds all but the palette key
        assert len(bound) >= 5
        assert {(key.compact, key.has_class("-compact")) for key in bound} == {(footer.compact, footer.compact)}
        assert [key for key in restyled if key in bound] == []
        palette = [key for key in keys if key.has_class("-command-palette")]
        assert [(key.compact, key.has_class("-compact")) for key in palette] == [(True, True)]  # Textual's look, kept
