"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator, start_emulator


@pytest.fixture(scope="session")
def emulator() -> Iterator[RunningEmulator]:
    """The demo workspace served over 127.0.0.1 at 20x speed (small big-log for speed).

    Credentials are unique to this instance because the airbyte_api SDK caches
    tokens per credentials at class level.
    """
    running = start_emulator(
        EmulatorOptions(speed=20.0, big_log_lines=2000, client_id="airsync-test-session", client_secret="session-secret")
    )
    try:
        yield running
    finally:
        running.stop()
