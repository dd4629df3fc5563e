"""`airsync serve` in a real headless browser: the connection list reaches the page.

textual-serve draws the terminal on a canvas, so the test reads what the
browser received over the page's WebSocket (the terminal stream) and checks
the page switched from its intro to the live terminal.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from airsync_tui.cli.serve import dashboard_command, warning_for

CHROMIUM = os.environ.get("AIRSYNC_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[\]P].*?(?:\x07|\x1b\\)|\x1b.")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_is_read_only_and_loopback_by_default() -> None:
    import argparse

    args = argparse.Namespace(
        allow_actions=False,
        profile="prod",
        provider=None,
        api_url=None,
        workspace=None,
        config_api_url=None,
        client_id=None,
        hightouch_api_url=None,
    )
    assert dashboard_command(args).endswith("--profile prod --read-only")
    args.allow_actions = True
    assert "--read-only" not in dashboard_command(args)
    assert warning_for("127.0.0.1") is None
    assert "NO authentication" in (warning_for("0.0.0.0") or "")


def test_serve_warns_on_a_non_loopback_host(tmp_path: Path) -> None:
    port = _free_port()
    (tmp_path / "none.toml").touch()  # an empty config: a missing AIRSYNC_CONFIG path is an error
    env = dict(
        os.environ,
        AIRSYNC_CONFIG=os.devnull,
        AIRSYNC_STATE=str(tmp_path / "s.db"),
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "airsync_tui.cli.main",
            "serve",
            "--demo",
            "--host",
            "0.0.0.0",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    assert first.startswith("airsync serve: WARNING: listening on 0.0.0.0: this page has NO authentication")


@pytest.mark.slow
def test_connection_list_shown_in_headless_chromium(tmp_path: Path) -> None:
    if not (os.path.exists(CHROMIUM) and shutil.which(CHROMIUM)):
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian: apt-get install -y chromium; .ci/run installs it)")
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    port = _free_port()
    (tmp_path / "none.toml").touch()  # an empty config: a missing AIRSYNC_CONFIG path is an error
    env = dict(
        os.environ,
        AIRSYNC_CONFIG=os.devnull,
        AIRSYNC_STATE=str(tmp_path / "s.db"),
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "airsync_tui.cli.main",
            "serve",
            "--demo",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    received: list[str] = []
    try:
        assert proc.stderr is not None
        assert "(read-only)" in proc.stderr.readline()
        with playwright_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            page = browser.new_page(viewport={"width": 1600, "height": 900})

            def on_socket(ws: object) -> None:
                def frame(payload: object) -> None:
                    text = payload.decode("utf-8", "ignore") if isinstance(payload, bytes) else str(payload)
                    received.append(ANSI.sub("", text))

                ws.on("framereceived", frame)  # type: ignore[attr-defined]

            page.on("websocket", on_socket)
            deadline = time.monotonic() + 30
            while True:
                try:
                    page.goto(f"http://127.0.0.1:{port}/", timeout=5000)
                    break
                except playwright_api.Error:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
            page.wait_for_selector("body.-first-byte", timeout=60_000)
            deadline = time.monotonic() + 60
            while not any("Stripe → BigQuery" in chunk for chunk in received):
                if time.monotonic() > deadline:
                    raise AssertionError("the connection list never reached the browser")
                page.wait_for_timeout(250)
            shot = page.screenshot()
            browser.close()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    stream = "".join(received)
    (tmp_path / "stream.txt").write_text(stream)
    # Names as the table shows them (the column cuts long names at 24 characters).
    assert "Google Ads → BigQuery" in stream
    assert "Zendesk Support → Postgr" in stream
    (tmp_path / "serve.png").write_bytes(shot)
    if os.environ.get("AIRSYNC_KEEP_SCREENSHOT"):
        Path(os.environ["AIRSYNC_KEEP_SCREENSHOT"]).write_bytes(shot)
    assert len(shot) > 10_000  # a rendered page, not a blank one
