"""`airsync failures` end to end: a real process against the emulator over 127.0.0.1."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator, start_emulator
from tests.cli_helpers import emulator_env, run_airsync
from tests.emulator_helpers import quiet_emulator
from tests.fire_drill import run_drill_job


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    yield from quiet_emulator(
        EmulatorOptions(speed=1.0, big_log_lines=200, seed=7, client_id="airsync-triage-tests", client_secret="tri-5ecret")
    )


def run(emu: RunningEmulator, *args: str) -> subprocess.CompletedProcess[str]:
    """In-process (tests/cli_helpers.py): these tests are about what the commands print."""
    return run_airsync(*args, env=emulator_env(emu))


def failing_airbyte_connections(emu: RunningEmulator) -> dict[str, tuple[str, str, str]]:
    """Ground truth from the world: connections whose newest finished job failed → (name, origin, type)."""
    world = emu.world
    truth: dict[str, tuple[str, str, str]] = {}
    with world.lock:
        for connection in world.connections:
            jobs = [world.get_job(j) for j in connection.job_ids]
            finished = [j for j in jobs if j.status in ("succeeded", "failed", "cancelled")]
            finished.sort(key=lambda j: (j.created_at, j.job_id))
            if finished and finished[-1].status == "failed":
                failure = next(a.failure for a in reversed(finished[-1].attempts) if a.failure is not None)
                truth[connection.connection_id] = (connection.name, failure.origin, failure.failure_type)
    return truth


def test_failures_json_groups_every_failing_connection_by_id_and_name(emu: RunningEmulator) -> None:
    truth = failing_airbyte_connections(emu)
    assert truth, "the demo workspace has failing connections"
    result = run(emu, "failures", "--json", "--provider", "airbyte")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    seen: dict[str, tuple[str, str, str]] = {}
    for group in data["groups"]:
        assert group["count"] == len(group["connections"]) >= 1
        for item in group["connections"]:
            if item["kind"] in ("failed", "auto_disable_risk"):
                seen[item["connectionId"]] = (item["connectionName"], group["origin"], group["type"])
                assert item["streak"] >= 1 and item["since"] is not None and item["jobId"]
    assert seen == truth


def test_failures_table_names_each_group(emu: RunningEmulator) -> None:
    result = run(emu, "failures", "--provider", "airbyte")
    assert result.returncode == 0, result.stderr
    for name, origin, failure_type in failing_airbyte_connections(emu).values():
        assert name in result.stdout
        assert f"{origin} · {failure_type}:" in result.stdout


def test_timeline_json_and_text(emu: RunningEmulator) -> None:
    stripe = next(c for c in emu.world.connections if c.name.startswith("Stripe"))
    result = run(emu, "timeline", stripe.connection_id, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["origin"] == "events" and data["connectionName"] == stripe.name
    types = [e["eventType"] for e in data["events"]]
    assert "SCHEMA_UPDATE" in types and "CONNECTION_SETTINGS_UPDATE" in types
    assert [e["at"] for e in data["events"]] == sorted((e["at"] for e in data["events"]), reverse=True)
    text = run(emu, "timeline", stripe.connection_id)
    assert "Schema changed (breaking)" in text.stdout and "by Maya Chen" in text.stdout
    hightouch = run(emu, "timeline", "hightouch:58201", "--json")
    assert hightouch.returncode == 0, hightouch.stderr
    runs = json.loads(hightouch.stdout)
    assert runs["origin"] == "jobs" and runs["events"]
    # Runs, plus what the sync itself tells: created / last updated (Hightouch has no change history).
    assert all(e["jobId"] for e in runs["events"] if e["eventType"].startswith("SYNC_"))
    assert "CONNECTION_CREATED" in {e["eventType"] for e in runs["events"]}
    assert "no change history" in runs["notice"]


def test_pulse_merges_providers_newest_first(emu: RunningEmulator) -> None:
    result = run(emu, "pulse", "--json", "--limit", "40")
    assert result.returncode == 0, result.stderr
    events = json.loads(result.stdout)
    assert {e["provider"] for e in events} == {"airbyte", "hightouch"}
    assert [e["at"] for e in events] == sorted((e["at"] for e in events), reverse=True)
    assert all(e["connectionName"] for e in events)
    # The people's form says each provider's word: a Hightouch run is a "run", an Airbyte job a "job".
    text = run(emu, "pulse", "--limit", "40").stdout
    runs = [e for e in events if e["provider"] == "hightouch" and e.get("jobId")]
    assert runs and f"· run {runs[0]['jobId']}" in text and f"· job {runs[0]['jobId']}" not in text


def test_logs_errors_and_tail(emu: RunningEmulator) -> None:
    world = emu.world
    with world.lock:
        job = next(j for j in reversed(world.jobs) if j.status == "failed" and not j.big_log)
        failure = job.attempts[-1].failure
    assert failure is not None
    result = run(emu, "logs", str(job.job_id), "--errors")
    assert result.returncode == 0, result.stderr
    assert f"origin: {failure.origin}  ·  type: {failure.failure_type}" in result.stdout
    assert "Error groups (" in result.stdout and "\nSummary\n" in result.stdout
    assert f"attempt {len(job.attempts)}: failed" in result.stdout
    name = job.connection.name
    assert result.stdout.splitlines()[0].startswith(f"{name} · job {job.job_id} · attempt")  # named, as on screen
    full = run(emu, "logs", str(job.job_id)).stdout.splitlines()
    tail = run(emu, "logs", str(job.job_id), "--tail", "5")
    assert tail.returncode == 0 and tail.stdout.splitlines() == full[-5:]
    bad = run(emu, "logs", str(job.job_id), "--tail", "-3")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "--tail" in bad.stderr
    # An attempt the job does not have: said in the user's numbering, not "resource 4071/8 not found".
    beyond = len(job.attempts) + 1
    missing = run(emu, "logs", str(job.job_id), "--attempt", str(beyond))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
    assert f"--attempt {beyond}: job {job.job_id} has {len(job.attempts)} attempt" in missing.stderr
    assert "not found" not in missing.stderr


def test_fire_drill_shows_up_in_failures_and_as_a_watch_alert(tmp_path: Path) -> None:
    """`--outcome X=failed`: `airsync failures` and `airsync watch` name the same failure of X."""
    target = "Stripe → BigQuery"
    drill = start_emulator(
        EmulatorOptions(speed=1.0, big_log_lines=0, seed=7, client_id="airsync-drill", client_secret="dr1ll",
                        outcomes=(f"{target}=failed",))
    )  # fmt: skip
    drill.world.pause_schedules()
    try:
        world = drill.world
        stripe = next(c for c in world.connections if c.name == target)
        assert stripe.connection_id not in failing_airbyte_connections(drill)
        job = run_drill_job(world, stripe.connection_id)
        assert world.get_job(job.job_id).status == "failed"
        failure = job.attempts[-1].failure
        assert failure is not None

        result = run(drill, "failures", "--json", "--provider", "airbyte")
        assert result.returncode == 0, result.stderr
        [(group, item)] = [(g, c) for g in json.loads(result.stdout)["groups"] for c in g["connections"] if c["connectionName"] == target]
        assert item["kind"] == "failed" and item["jobId"] == str(job.job_id) and item["streak"] == 1
        assert (group["origin"], group["type"]) == (failure.origin, failure.failure_type)

        env = emulator_env(drill, AIRSYNC_STATE=str(tmp_path / "state.db"))  # `watch` stays a real process: it runs until signalled
        proc = subprocess.Popen(
            [sys.executable, "-m", "airsync_tui", "watch", "--provider", "airbyte", "--json"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        lines: queue.Queue[dict[str, Any]] = queue.Queue()

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.put(json.loads(line))

        threading.Thread(target=read, daemon=True).start()
        alert: dict[str, Any] | None = None
        try:
            while alert is None and proc.poll() is None:
                try:
                    record = lines.get(timeout=60)
                except queue.Empty:
                    break
                if record.get("type") == "alert" and record["rule"] == "failed" and record["connection_name"] == target:
                    alert = record
        finally:
            proc.terminate()
            _, stderr = proc.communicate(timeout=30)
        assert alert is not None, f"no failed alert for {target} from airsync watch: {stderr[-2000:]}"
        # The same failure, the same job, the same streak start and length.
        assert alert["job_key"] == f"airbyte:{job.job_id}"
        assert alert["count"] == item["streak"] and alert["since"] == item["since"]
        assert alert["summary"].startswith(f"{failure.origin} · {failure.failure_type}: ")
    finally:
        drill.stop()
