"""The stream states beside the Streams table show the table's counts in the same frame (issue 7/11).

The states were merged with the job's counts when they were fetched (every
2.5 s), so "contacts 7,093 emitted" in the table sat above "contacts running
4,966 records" in the states: one stream, two counts on one screen.
"""

from __future__ import annotations

import pytest
from textual.widgets import Static

from airsync_tui.ui.screens.job import JobScreen
from airsync_tui.ui.widgets import stream_states
from airsync_tui.ui.widgets.live_table import LiveTable
from tests.ui.conftest import make_app, open_job_panel, wait_for
from tests.ui.fakes import FakeProvider, demo_world


def _panel_text(panel: JobScreen) -> str:
    return str(panel.query_one("#stream-states", Static).render())


async def test_states_repaint_with_the_counts_the_table_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream_states, "POLL_SECONDS", 3600.0)  # no poll in between: only the repaint can update them
    connections, jobs = demo_world()
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=False, steps_to_finish=4)
    app = make_app([provider])
    async with app.run_test(size=(140, 50)) as pilot:
        panel = await open_job_panel(pilot, app, "airbyte:c0002")  # job 4802 runs
        table = panel.query_one("#streams", LiveTable)
        await wait_for(pilot, lambda: table.row_count == 2 and "Stream states" in _panel_text(panel), what="streams and states")
        before = table.get_cell("public.users", "emitted").plain
        provider.advance("4802")
        app.watcher.refresh_now()
        await wait_for(pilot, lambda: table.get_cell("public.users", "emitted").plain != before, what="the table's new count")
        now = table.get_cell("public.users", "emitted").plain
        line = next(line for line in _panel_text(panel).splitlines() if "users" in line)
        assert f"{now} / 800 records" in line, line
