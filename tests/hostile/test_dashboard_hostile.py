"""The dashboard (Textual Pilot) against hostile stub servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from airsync_tui.config import AirbyteSettings
from airsync_tui.providers.airbyte.provider import AirbyteProvider
from airsync_tui.providers.pacing import PACE_ENV
from airsync_tui.service.watcher import Watcher, WatcherConfig
from airsync_tui.ui.app import AirsyncApp, SessionInfo
from tests.cli_helpers import TEST_PACE
from tests.hostile.stub import Reply, StubServer, airbyte_routes, connection
from tests.ui.conftest import SIZE, screen_text, wait_for

FAST = WatcherConfig(
    active_interval=0.2,
    idle_interval=0.3,
    progress_interval=0.3,
    detail_interval=0.3,
    max_backoff=0.5,
)


@pytest.fixture
def servers() -> Iterator[list[StubServer]]:
    made: list[StubServer] = []
    yield made
    for server in made:
        server.stop()


def _app(server: StubServer, *, timeout: float = 1.0) -> AirsyncApp:
    provider = AirbyteProvider.from_settings(
        AirbyteSettings(
            api_url=server.api_url,
            client_id="cid",
            client_secret="s3cret-value",
            workspace_id="ws-1",
            timeout=timeout,
        )
    )
    return AirsyncApp(Watcher([provider], FAST), SessionInfo(profile_name="hostile"))  # type: ignore[arg-type]


async def test_401_forever_reads_auth_failed_not_retrying(
    servers: list[StubServer],
) -> None:
    server = StubServer(airbyte_routes(token=Reply(401, {"title": "unauthorized"})))
    servers.append(server)
    app = _app(server)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            lambda: "auth failed" in screen_text(app),
            timeout=15,
            what="auth failed",
        )
        samples = []
        for _ in range(8):  # 1.2 s: four idle polls (0.3 s) in which a retry would show
            await pilot.pause(0.15)
            samples.append(screen_text(app))
        assert all("auth failed" in text for text in samples)
        assert not any("retrying" in text for text in samples)
    assert server.count("GET", "/connections") == 0


async def test_hostile_names_render_inert(servers: list[StubServer]) -> None:
    hostile = "Orders\x1b]0;PWNED\x07\u202e evil\u200b name"
    server = StubServer(airbyte_routes(connections=Reply(200, {"data": [connection(name=hostile)]})))
    servers.append(server)
    app = _app(server)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            lambda: "Orders" in screen_text(app),
            timeout=15,
            what="connection row",
        )
        text = screen_text(app)
        for bad in ("\x1b", "\x07", "\u202e", "\u200b"):
            assert bad not in text


async def test_empty_answer_is_not_a_green_ok(servers: list[StubServer], monkeypatch: pytest.MonkeyPatch) -> None:
    server = StubServer(airbyte_routes(connections=Reply(200, b"")))
    servers.append(server)
    app = _app(server)
    # The request's retry back-off (0.5, 1, 2 s) at 5 % (AIRSYNC_PACE, read at each wait). Set after
    # the watcher is built, so its poll intervals stay FAST's (the watcher paces them at construction).
    monkeypatch.setenv(PACE_ENV, TEST_PACE)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            lambda: server.count("GET", "/connections") >= 4,
            timeout=20,
            what="retries",
        )
        await pilot.pause(0.2)
        assert "● ok" not in screen_text(app)
        assert app.watcher.health["airbyte"].state.value != "ok"


async def test_absurd_value_is_reported_once_and_polling_goes_on(
    servers: list[StubServer],
) -> None:
    from tests.hostile.stub import job
    from tests.ui.conftest import notifications

    weird = job(42, "running", rowsSynced="inf", duration="P9999999999D")
    server = StubServer(airbyte_routes(jobs=Reply(200, {"data": [weird]})))
    servers.append(server)
    app = _app(server)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            lambda: any("P9999999999D" in n for n in notifications(app)),
            timeout=15,
            what="report",
        )
        before = server.count("GET", "/jobs")
        await wait_for(
            pilot,
            lambda: server.count("GET", "/jobs") >= before + 3,
            timeout=15,
            what="polls go on",
        )
        assert sum("P9999999999D" in n for n in notifications(app)) == 1
        assert app.watcher.health["airbyte"].state.value == "ok"


async def test_job_gone_after_server_restart_stops_counting_as_running(
    servers: list[StubServer],
) -> None:
    from tests.hostile.stub import job

    state = {"restarted": False}

    def listing(method: str, path: str, body: bytes) -> Reply:
        return Reply(200, {"data": [] if state["restarted"] else [job(42, "running")]})

    def one(method: str, path: str, body: bytes) -> Reply:
        if state["restarted"]:
            return Reply(404, {"type": "about:blank", "title": "Not Found", "status": 404})
        return Reply(200, job(42, "running"))

    server = StubServer(airbyte_routes(jobs=listing, job=one))
    servers.append(server)
    app = _app(server)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            lambda: len(app.watcher.active_jobs()) == 1,
            timeout=15,
            what="job 42 running",
        )
        state["restarted"] = True
        await wait_for(
            pilot,
            lambda: server.count("GET", "/jobs/42") >= 1 and not app.watcher.active_jobs(),
            timeout=20,
            what="job forgotten",
        )
        await wait_for(
            pilot,
            lambda: "1 running" not in screen_text(app),
            timeout=5,
            what="header count",
        )


async def test_token_endpoint_that_never_answers_does_not_leave_connecting(
    servers: list[StubServer],
) -> None:
    server = StubServer(airbyte_routes(token=Reply(hang=120)))
    servers.append(server)
    app = _app(server, timeout=0.3)  # 0.6 s for a whole answer: the point is "leaves", not when
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            lambda: app.watcher.health["airbyte"].state.value not in ("connecting", "ok"),
            timeout=20,
            what="leaving connecting",
        )
        assert "did not answer in time" in app.watcher.health["airbyte"].message
        assert server.count("GET", "/connections") == 0
