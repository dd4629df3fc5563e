"""The header's workspace names are asked for after the first rows, not before them (issue 7).

Names replace workspace ids in the header, a nicety; asked for at mount, the
request queued ahead of the connection list on a busy server and delayed the
first populated screen. Both halves are checked: the list's request goes
first, and the header still ends up with the name instead of the id.
"""

from __future__ import annotations

from airsync_tui.models.domain import Connection, Workspace
from airsync_tui.ui.app import SessionInfo
from airsync_tui.ui.screens.connections import ConnectionsScreen
from tests.ui.conftest import make_app, screen_text, wait_for
from tests.ui.fakes import FakeProvider, demo_world


class _OrderedProvider(FakeProvider):
    """Records the order of the list's and the header's requests."""

    def __init__(self, calls: list[str]) -> None:
        connections, jobs = demo_world()
        super().__init__(connections=connections, jobs=jobs, auto_advance=False)
        self.calls = calls

    async def list_workspaces(self) -> list[Workspace]:
        self.calls.append("workspaces")
        return await super().list_workspaces()

    async def list_connections(self) -> list[Connection]:
        self.calls.append("connections")
        return await super().list_connections()


async def test_workspace_names_are_asked_after_the_list_and_still_shown() -> None:
    calls: list[str] = []
    app = make_app([_OrderedProvider(calls)], session=SessionInfo(profile_name="prod", workspace_label="Airbyte ws-1"))
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count > 0,
            what="the first rows",
        )
        await wait_for(pilot, lambda: "Demo workspace" in screen_text(app).splitlines()[0], what="the workspace name")
        assert "ws-1" not in screen_text(app).splitlines()[0]
        assert calls.index("connections") < calls.index("workspaces")
