"""`airsync watch` end to end: emulator fire drill → webhook receiver, metrics, clean SIGTERM."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator
from tests.asgi_server import serve
from tests.emulator_helpers import quiet_emulator

TARGET = "Stripe → BigQuery"
#: `AIRSYNC_PACE` for the `airsync watch` child: its polls at a fifth of the real intervals (every
#: 0.2 s while a job runs). Not the CLI tests' 5 %: a watch polls the whole workspace each tick,
#: so polling 20x as often costs both processes more CPU than the wait it saves.
WATCH_PACE = "0.2"


@pytest.fixture()
def drill_emulator() -> Iterator[RunningEmulator]:
    # Schedules paused: the test starts its own jobs; a scheduled one landing right after the failure made
    # the "latest job failed" gauge read "running" (seen intermittently under load).
    yield from quiet_emulator(
        EmulatorOptions(
            speed=100.0,  # a drill job runs in ~1-3 s of wall time
            big_log_lines=0,
            client_id="watch-test",
            client_secret="watch-secret",
        )
    )


class Receiver:
    """A local webhook endpoint (Apprise json:// posts {title, message, type})."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

        async def hook(request: Request) -> JSONResponse:
            self.messages.append(await request.json())
            return JSONResponse({"ok": True})

        self.app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])

    def titles(self, needle: str) -> list[str]:
        return [m["title"] for m in self.messages if needle in m.get("title", "")]


def wait_for(predicate: Any, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def metrics(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = httpx.get(url, timeout=5).text
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


@pytest.mark.slow
def test_fire_drill_failure_then_recovery_reaches_the_webhook_once(drill_emulator: RunningEmulator, tmp_path: Path) -> None:
    emulator = drill_emulator
    connection = next(c for c in emulator.world.connections if c.name == TARGET)
    # The admin endpoint sets a standing outcome at run time.
    answer = httpx.post(
        f"{emulator.base_url}/_admin/outcomes",
        json={"connection": TARGET, "outcome": "failed"},
        timeout=5,
    )
    assert answer.status_code == 200
    assert answer.json()["outcomes"] == [{"connectionId": connection.connection_id, "name": TARGET, "outcome": "failed"}]
    bad = httpx.post(
        f"{emulator.base_url}/_admin/outcomes",
        json={"connection": TARGET, "outcome": "exploded"},
        timeout=5,
    )
    assert bad.status_code == 400 and "unknown outcome 'exploded'" in bad.json()["error"]

    receiver = Receiver()
    (tmp_path / "none.toml").touch()  # an empty config (a missing AIRSYNC_CONFIG path is an error)
    env = dict(
        os.environ,
        AIRSYNC_CONFIG=os.devnull,
        AIRSYNC_STATE=str(tmp_path / "unused.db"),
        AIRBYTE_CLIENT_SECRET=emulator.client_secret,
        AIRSYNC_PACE=WATCH_PACE,
    )
    with serve(receiver.app) as hook_base:
        hook = hook_base.replace("http://", "json://") + "/hook"
        cmd = [
            sys.executable,
            "-m",
            "airsync_tui.cli.main",
            "watch",
            "--provider",
            "airbyte",
            "--api-url",
            emulator.public_api_url,
            "--workspace",
            emulator.workspace_id,
            "--client-id",
            emulator.client_id,
            "--notify",
            hook,
            "--metrics",
            "127.0.0.1:0",
            "--json",
            "--state",
            str(tmp_path / "state.db"),
        ]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines: queue.Queue[dict[str, Any]] = queue.Queue()
        seen: list[dict[str, Any]] = []

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.put(json.loads(line))

        threading.Thread(target=read, daemon=True).start()
        try:
            first = lines.get(timeout=60)
            assert first["type"] == "metrics"
            metrics_url = first["url"]
            wait_for(
                lambda: (
                    ("airsync_provider_api_up", (("provider", "airbyte"),)) in metrics(metrics_url)
                    and metrics(metrics_url)[("airsync_provider_api_up", (("provider", "airbyte"),))] == 1
                ),
                "API up",
            )
            # The first state is loaded (jobs seen at start are judged as old news, with a history
            # fetch that may update the alert): the drill's failure must be seen live, after it.
            deadline = time.monotonic() + 60
            while not any(e.get("type") == "event" and e.get("event") == "LatestJobs" for e in seen):
                remaining = deadline - time.monotonic()
                assert remaining > 0, "timed out waiting for the first LatestJobs event"
                try:
                    seen.append(lines.get(timeout=remaining))
                except queue.Empty:
                    continue
            emulator.world.create_job(connection.connection_id, "sync")
            wait_for(
                lambda: receiver.titles(f"CRITICAL {TARGET}: failed"),
                "the failure alert at the webhook",
            )
            [title] = receiver.titles(f"CRITICAL {TARGET}: failed")
            message = next(m for m in receiver.messages if m["title"] == title)
            assert "runs failed: 1" in message["message"]
            assert "jobId=" in message["message"]  # the direct link to the job
            assert " · " in title  # failure origin · type: message, fetched from the attempt
            labels = (
                ("connection_id", connection.connection_id),
                ("connection_name", TARGET),
                ("provider", "airbyte"),
            )
            sampled = metrics(metrics_url)
            assert (
                sampled[
                    (
                        "airsync_connection_active_alerts",
                        tuple(sorted(labels + (("rule", "failed"),))),
                    )
                ]
                == 1
            )
            assert (
                sampled[
                    (
                        "airsync_connection_last_job_status",
                        tuple(sorted(labels + (("status", "failed"),))),
                    )
                ]
                == 1
            )
            assert sampled[("airsync_connection_consecutive_failures", labels)] >= 1
            assert sampled[("airsync_provider_api_requests_total", (("provider", "airbyte"),))] > 0
            assert not any("job_id" in dict(key[1]) for key in sampled)  # bounded cardinality

            httpx.post(
                f"{emulator.base_url}/_admin/outcomes",
                json={"connection": TARGET, "outcome": "succeeded"},
                timeout=5,
            )
            wait_for(
                lambda: emulator.world.connections_by_id[connection.connection_id].active_job_id is None,
                "job end",
            )
            emulator.world.create_job(connection.connection_id, "sync")
            wait_for(
                lambda: receiver.titles(f"RECOVERED {TARGET}: succeeded after"),
                "the recovery message",
            )
            [recovered] = receiver.titles(f"RECOVERED {TARGET}: succeeded after")
            assert "succeeded after 1 failed run, broken for" in recovered
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert "stopped" in err.splitlines()[-1]
        # The people's lines name things as the dashboard does: "Airbyte", the connection's name, not ids.
        assert " watching Airbyte;" in err and "airbyte API" not in err and " Airbyte API: ok" in err
        assert f" {TARGET} (Airbyte): job " in err and f"airbyte {connection.connection_id}" not in err
        assert len(receiver.titles(f"CRITICAL {TARGET}: failed")) == 1
        while not lines.empty():
            seen.append(lines.get())
        alerts = [e for e in seen if e["type"] == "alert" and e.get("connection_name") == TARGET and e["rule"] == "failed"]
        assert [a["transition"] for a in alerts] == ["opened", "resolved"]
        assert any(e["type"] == "event" and e["event"] == "JobStatusChanged" for e in seen)
