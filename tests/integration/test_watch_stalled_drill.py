"""A `stalled` fire drill end to end: `--outcome X=stalled` + a short threshold in the profile → an alert.

The emulator is started with the standing outcome (the `--outcome` path), the
profile's `[watch.rules.stalled] minutes` is set short, and `airsync watch`
must raise a `stalled` alert for that connection's job (stdout JSON and the
webhook), while the job is still running.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from airsync_tui.emulator.server import EmulatorOptions, start_emulator
from tests.asgi_server import serve
from tests.integration.test_watch_cli import WATCH_PACE, Receiver

TARGET = "Stripe → BigQuery"


@pytest.mark.slow
def test_stalled_fire_drill_raises_a_stalled_alert(tmp_path: Path) -> None:
    emulator = start_emulator(
        EmulatorOptions(speed=120.0, big_log_lines=0, client_id="drill", client_secret="drill-secret", outcomes=(f"{TARGET}=stalled",))
    )
    # Schedules paused: a scheduled run of the target (4x as frequent at x120) made the drill's own trigger a JobConflict.
    emulator.world.pause_schedules()
    receiver = Receiver()
    config = tmp_path / "config.toml"
    config.write_text(
        "[profiles.drill.airbyte]\n"
        f'api_url = "{emulator.public_api_url}"\n'
        f'workspace_id = "{emulator.workspace_id}"\n'
        f'client_id = "{emulator.client_id}"\n'
        # 1 virtual minute without progress (0.5 s of wall time at ×120); the default is 15.
        "[profiles.drill.watch.rules.stalled]\nminutes = 1\n"
    )
    # The watch polls at a fifth of its real intervals (AIRSYNC_PACE; the rule's threshold is in the
    # emulator's virtual time, so only how soon the watch looks changes, not what it decides).
    env = dict(os.environ, AIRSYNC_CONFIG=str(config), AIRBYTE_CLIENT_SECRET=emulator.client_secret, AIRSYNC_PACE=WATCH_PACE)
    proc: subprocess.Popen[str] | None = None
    try:
        connection = next(c for c in emulator.world.connections if c.name == TARGET)
        with serve(receiver.app) as hook_base:
            hook = hook_base.replace("http://", "json://") + "/hook"
            cmd = [
                sys.executable,
                "-m",
                "airsync_tui.cli.main",
                "watch",
                "--profile",
                "drill",
                "--notify",
                hook,
                "--json",
                "--state",
                str(tmp_path / "state.db"),
            ]
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            lines: queue.Queue[dict[str, Any]] = queue.Queue()

            def read() -> None:
                assert proc is not None and proc.stdout is not None
                for line in proc.stdout:
                    lines.put(json.loads(line))

            threading.Thread(target=read, daemon=True).start()
            with emulator.world.lock:  # a job seeded at start-up may still run on the target
                if connection.active_job_id is not None:
                    emulator.world.cancel_job(connection.active_job_id)
                job = emulator.world.create_job(connection.connection_id, "sync")
            deadline = time.monotonic() + 90
            stalled: dict[str, Any] | None = None
            while stalled is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("no stalled alert from airsync watch within 90 s")
                try:
                    item = lines.get(timeout=remaining)
                except queue.Empty:
                    continue
                if item.get("type") == "alert" and item.get("rule") == "stalled" and item.get("transition") == "opened":
                    stalled = item
            assert stalled["connection_name"] == TARGET
            assert stalled["job_key"] == f"airbyte:{job.job_id}"
            assert "no progress" in stalled["summary"]
            with emulator.world.lock:
                assert job.status == "running"  # raised while it sits there
            deadline = time.monotonic() + 30
            while not any(f"{TARGET}: stalled" in m.get("title", "") for m in receiver.messages):
                assert time.monotonic() < deadline, f"no stalled message at the webhook: {receiver.messages}"
                time.sleep(0.1)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        emulator.stop()
