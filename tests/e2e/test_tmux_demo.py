"""Drive the *installed* `airsync --demo` in a real terminal (tmux), like an operator.

This is the one test that goes through the console script, a real pty, real
key presses and the real screen: it catches packaging mistakes (TCSS not in
the wheel, entry point broken) that in-process Pilot tests cannot see.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.tmux

TMUX = shutil.which("tmux")
AIRSYNC = Path(sys.executable).with_name("airsync")


# A private tmux server per test (socket in the test's tmp dir): a shared default server would run the
# session with *its* environment (someone else's HOME, config and state) and outlive the test.
_SOCKET: list[str] = []


def _tmux(*args: str) -> str:
    assert TMUX is not None and _SOCKET
    return subprocess.run([TMUX, "-S", _SOCKET[0], *args], capture_output=True, text=True, timeout=20).stdout


def _screen(session: str) -> str:
    return _tmux("capture-pane", "-t", session, "-p")


def _wait_for(session: str, predicate: Callable[[str], bool], timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = _screen(session)
        if predicate(text):
            return text
        time.sleep(0.25)
    raise AssertionError(f"screen never matched; last screen:\n{text}")


@pytest.fixture()
def demo_session(tmp_path: Path) -> Iterator[str]:
    if TMUX is None:
        pytest.skip("tmux is not installed")
    if not AIRSYNC.exists():
        pytest.skip(f"airsync is not installed next to {sys.executable}")
    session = f"airsync-{uuid.uuid4().hex[:8]}"
    _SOCKET[:] = [str(tmp_path / "tmux.sock")]
    home = tmp_path / "home"
    home.mkdir()
    env = {"TERM": "xterm-256color", "PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}
    env.update({k: v for k, v in os.environ.items() if k.startswith(("AIRSYNC_", "XDG_"))})  # the test's tmp config/state
    subprocess.run(
        [TMUX, "-S", _SOCKET[0], "new-session", "-d", "-s", session, "-x", "140", "-y", "40", f"{AIRSYNC} --demo"],
        check=True,
        timeout=20,
        env=env,
    )
    try:
        yield session
    finally:
        subprocess.run([TMUX, "-S", _SOCKET[0], "kill-server"], capture_output=True, timeout=20)


def test_installed_demo_lists_filters_opens_and_quits(demo_session: str) -> None:
    session = demo_session
    screen = _wait_for(session, lambda s: "Stripe → BigQuery" in s and "customers → salesforce" in s)
    assert "Airbyte" in screen and "Hightouch" in screen

    _tmux("send-keys", "-t", session, "/")
    # The filter box is hidden until `/`: type only once it shows (a fixed sleep lost the keys under load).
    _wait_for(session, lambda s: "filter connections" in s)
    _tmux("send-keys", "-t", session, "-l", "stripe")
    _tmux("send-keys", "-t", session, "Enter")
    screen = _wait_for(session, lambda s: re.search(r"\b1 of \d+ shown", s) is not None and "Stripe → BigQuery" in s)
    assert "Postgres (orders)" not in screen

    _tmux("send-keys", "-t", session, "Enter")
    screen = _wait_for(session, lambda s: "Attempts" in s and "Streams" in s)
    assert "Stripe → BigQuery" in screen

    _tmux("send-keys", "-t", session, "?")
    screen = _wait_for(session, lambda s: "Everywhere" in s)
    _tmux("send-keys", "-t", session, "Escape")
    time.sleep(0.5)

    _tmux("send-keys", "-t", session, "q")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if session not in _tmux("ls"):
            break
        time.sleep(0.25)
    else:
        raise AssertionError(f"airsync did not quit on q; screen:\n{_screen(session)}")
