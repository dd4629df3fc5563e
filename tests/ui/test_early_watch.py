"""The dashboard's first requests go out while the UI is imported, and no first-page event is lost (issue 7).

`airsync` starts the watcher before it imports Textual and the screens (on a
worker thread, cli/early_watch.py), so the first page's round-trips overlap
the imports. Checked here with the real function: the UI import waits until
the provider has been asked for its connections (so it can only finish if the
request went out while it ran), and the app, built afterwards from the
subscription taken before the first request, shows every connection with the
header's counts; on exit the watcher is stopped.
"""

from __future__ import annotations

import threading

from textual.app import App
from textual.pilot import Pilot

from airsync_tui.cli import early_watch
from airsync_tui.service.subscription import Subscription
from airsync_tui.service.watcher import Watcher
from airsync_tui.ui.app import AirsyncApp, SessionInfo
from airsync_tui.ui.screens.connections import ConnectionsScreen
from airsync_tui.ui.widgets.header import HeaderBar
from tests.ui.conftest import wait_for
from tests.ui.fakes import FAST_CONFIG, FakeProvider, demo_world


class _RecordingProvider(FakeProvider):
    """Sets `asked` when the connection list is requested; counts the requests."""

    def __init__(self, asked: threading.Event, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]  # FakeProvider's keywords, passed through
        self.asked = asked

    async def list_connections(self):  # type: ignore[no-untyped-def]
        self.asked.set()
        return await super().list_connections()


async def test_first_requests_overlap_the_ui_import_and_the_app_gets_every_first_page_event(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    asked = threading.Event()
    import_threads: list[str] = []
    connections, jobs = demo_world()
    provider = _RecordingProvider(asked, connections=connections, jobs=jobs, auto_advance=False)
    watcher = Watcher([provider], FAST_CONFIG)

    def import_ui() -> None:
        import_threads.append(threading.current_thread().name)
        # Finishes only once the list was requested: the request went out while "importing".
        assert asked.wait(30), "the watcher's first request did not go out while the UI was imported"

    monkeypatch.setattr(early_watch, "import_ui", import_ui)
    seen: dict[str, object] = {}

    def make_app(subscription: Subscription) -> App[None]:
        seen["requests_before_app"] = provider.stats.by_path.get("connections", 0)
        return AirsyncApp(watcher, SessionInfo(profile_name="demo", demo=True), subscription=subscription, live_clock=False)

    async def auto_pilot(pilot: Pilot[None]) -> None:
        app = pilot.app
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count == len(connections),
            what="every connection in the list",
        )
        await wait_for(pilot, lambda: f"{len(connections)} connections" in _header_text(app), what="the header's count")
        seen["rows"] = app.screen.table.row_count  # type: ignore[attr-defined]
        seen["cursor"] = app.screen.table.cursor_row  # type: ignore[attr-defined]
        app.exit()

    app = await early_watch.run_app_while_polling(watcher, make_app, headless=True, size=(200, 50), auto_pilot=auto_pilot)

    assert import_threads and import_threads[0] != threading.main_thread().name  # the UI imported off the event loop's thread
    assert seen["requests_before_app"] == 1  # asked once, before the app existed; the app did not ask again to fill
    assert seen["rows"] == len(connections)
    assert seen["cursor"] == 0
    assert isinstance(app, AirsyncApp)
    assert watcher.poller._started is False  # stopped on the way out


def _header_text(app: App[None]) -> str:
    return " ".join(str(header.render()) for header in app.screen.query(HeaderBar))
