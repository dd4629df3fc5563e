"""Text snapshots of every screen, compared line by line.

Deterministic by construction: fake provider with fixed data, frozen clock,
no 1-second ticker, fixed size, UTC. Regenerate after an intended change with
`AIRSYNC_UPDATE_SNAPSHOTS=1 pytest tests/ui/test_snapshots.py` and review the
diff of `tests/ui/snapshots/*.txt` like code.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from airsync_tui.ui.app import AirsyncApp, SessionInfo
from airsync_tui.ui.screens.connections import ConnectionsScreen
from airsync_tui.ui.screens.job import JobScreen
from airsync_tui.ui.screens.modals import ConfirmModal, HelpScreen, JobTypeModal
from tests.ui.conftest import SIZE, make_app, screen_text, wait_for
from tests.ui.fakes import FakeProvider, demo_world, hightouch_caps, hightouch_world

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("AIRSYNC_UPDATE_SNAPSHOTS") == "1"


@pytest.fixture(autouse=True)
def utc() -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


def compare(name: str, text: str) -> None:
    path = SNAPSHOTS / f"{name}.txt"
    if UPDATE or not path.exists():
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"snapshot {path.name} was missing and has been written; review it and re-run")
        return
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "\n".join(difflib.unified_diff(expected.splitlines(), text.splitlines(), "expected", "actual", lineterm=""))
        pytest.fail(f"screen differs from {path.name} (AIRSYNC_UPDATE_SNAPSHOTS=1 to accept):\n{diff}")


async def _snap(app: AirsyncApp, name: str, steps: Callable[[Pilot, AirsyncApp], Awaitable[None]]) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count > 0)
        await steps(pilot, app)
        # The footer fills in its keys a few frames after the screen, later still on a loaded machine:
        # wait (bounded) for the screen to settle on the snapshot instead of sleeping a fixed time;
        # if it never does, `compare` fails with the diff of the last frame.
        path = SNAPSHOTS / f"{name}.txt"
        if UPDATE or not path.exists():
            await wait_for(pilot, lambda: "^p palette" in screen_text(app), what="the footer")
        else:
            expected = path.read_text(encoding="utf-8")
            with contextlib.suppress(AssertionError):
                await wait_for(pilot, lambda: screen_text(app) == expected, timeout=10, what=f"the {name} snapshot")
        compare(name, screen_text(app))


async def _nothing(pilot: Pilot, app: AirsyncApp) -> None:
    return None


async def _open(key: str, pilot: Pilot, app: AirsyncApp) -> None:
    app.screen.table.move_to_key(key)  # type: ignore[attr-defined]
    await pilot.pause()
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, JobScreen))
    await wait_for(pilot, lambda: app.screen.query_one("#streams").row_count > 0 or app.screen.job is None)  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: app.screen.query_one("#jobs").row_count > 0)


async def test_snapshot_connections() -> None:
    await _snap(make_app(), "connections", _nothing)


async def test_snapshot_connections_read_only_filtered() -> None:
    async def steps(pilot: Pilot, app: AirsyncApp) -> None:
        await pilot.press("slash", *"!snow", "enter", "F")

    await _snap(
        make_app(session=SessionInfo(profile_name="prod", read_only=True, workspace_label="Analytics")),
        "connections_read_only_filtered",
        steps,
    )


async def test_snapshot_job_panel_running() -> None:
    async def steps(pilot: Pilot, app: AirsyncApp) -> None:
        await _open("airbyte:c0002", pilot, app)

    await _snap(make_app(), "job_panel_running", steps)


async def test_snapshot_job_panel_failed() -> None:
    async def steps(pilot: Pilot, app: AirsyncApp) -> None:
        await _open("airbyte:c0001", pilot, app)

    await _snap(make_app(), "job_panel_failed", steps)


async def test_snapshot_hightouch_run() -> None:
    connections, jobs = hightouch_world()
    provider = FakeProvider("hightouch", "Hightouch", connections=connections, jobs=jobs, capabilities=hightouch_caps(), auto_advance=False)

    async def steps(pilot: Pilot, app: AirsyncApp) -> None:
        await _open("hightouch:c0000", pilot, app)

    await _snap(make_app([provider]), "hightouch_run", steps)


async def test_snapshot_confirm_cancel() -> None:
    async def steps(pilot: Pilot, app: AirsyncApp) -> None:
        app.screen.table.move_to_key("airbyte:c0002")  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))

    await _snap(make_app(), "confirm_cancel", steps)


async def test_snapshot_job_type_chooser() -> None:
    async def steps(pilot: Pilot, app: AirsyncApp) -> None:
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, JobTypeModal))

    await _snap(make_app(), "job_type_chooser", steps)


async def test_snapshot_help() -> None:
    async def steps(pilot: Pilot, app: AirsyncApp) -> None:
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))

    await _snap(make_app(), "help", steps)


async def test_snapshot_two_providers() -> None:
    a_conns, a_jobs = demo_world()
    h_conns, h_jobs = hightouch_world()
    providers = [
        FakeProvider(connections=a_conns[:4], jobs=a_jobs[:4], auto_advance=False),
        FakeProvider("hightouch", "Hightouch", connections=h_conns, jobs=h_jobs, capabilities=hightouch_caps(), auto_advance=False),
    ]
    await _snap(make_app(providers), "two_providers", _nothing)
