"""Text snapshots of the states the SVG snapshots do not reach, compared line by line.

Every screen has an SVG snapshot (`test_svg_snapshots.py`, scenarios in `scenarios.py`); those
replaced the text snapshots of the connections list, job panels, Hightouch run, help, cancel
confirmation and the two-provider list. What stays here earns its place: a read-only session with
an inverted filter and the status filter (the footer without mutating keys, the filter line), and the
job-type chooser (destructive and unavailable choices with their reasons). A text diff of these
reads like code in review, which an SVG diff does not.

Deterministic by construction: fake provider with fixed data, frozen clock, no 1-second ticker,
fixed size, UTC. Regenerate after an intended change with
`AIRSYNC_UPDATE_SNAPSHOTS=1 pytest tests/ui/test_snapshots.py`.
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
from airsync_tui.ui.screens.modals import JobTypeModal
from tests.ui.conftest import SIZE, make_app, screen_text, wait_for

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


async def test_snapshot_connections_read_only_filtered() -> None:
    async def steps(pilot: Pilot, app: AirsyncApp) -> None:
        await pilot.press("slash", *"!snow", "enter", "F")

    await _snap(
        make_app(session=SessionInfo(profile_name="prod", read_only=True, workspace_label="Analytics")),
        "connections_read_only_filtered",
        steps,
    )


async def test_snapshot_job_type_chooser() -> None:
    async def steps(pilot: Pilot, app: AirsyncApp) -> None:
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, JobTypeModal))

    await _snap(make_app(), "job_type_chooser", steps)
