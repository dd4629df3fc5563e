"""The headless `airsync` CLI end to end against the emulator over 127.0.0.1 (in-process; real processes for signals).

Covers the seed Arazzo workflow (`sync --wait --json`), every exit code, the
one-line errors, read-only enforcement, Ctrl-C semantics and both providers.
"""

from __future__ import annotations

import json
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import IO

import pytest

from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator
from tests.cli_helpers import emulator_env, run_airsync
from tests.emulator_helpers import quiet_emulator

SECRET = "cli-secret-5f3a9"


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    """Fast virtual time (x200): a whole job runs in a wall second or two."""
    # Scheduled jobs would race the tests' own triggers (the CLI would rightly attach to them).
    yield from quiet_emulator(EmulatorOptions(speed=200.0, big_log_lines=500, seed=3, client_id="airsync-cli-tests", client_secret=SECRET))


@pytest.fixture(scope="module")
def held() -> Iterator[RunningEmulator]:
    """Real-time virtual clock (x1): a job takes minutes, so it is certainly still running when a test looks."""
    yield from quiet_emulator(EmulatorOptions(speed=1.0, big_log_lines=500, seed=3, client_id="airsync-cli-held", client_secret=SECRET))


def env_for(emu: RunningEmulator, **overrides: str) -> dict[str, str]:
    return emulator_env(emu, **overrides)


def airsync(emu: RunningEmulator, *args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    """In-process (tests/cli_helpers.py): these tests are about the CLI's logic; the Popen tests below are about the process."""
    return run_airsync(*args, env=env_for(emu, **env), timeout=timeout)


def connection_id(emu: RunningEmulator, name: str) -> str:
    return emu.world.connection_by_name(name).connection_id


def make_idle(emu: RunningEmulator, name: str) -> None:
    """Cancel the connection's running job, if any (jobs seeded at start-up; schedules are paused)."""
    connection = emu.world.connection_by_name(name)
    with emu.world.lock:
        if connection.active_job_id is not None:
            emu.world.cancel_job(connection.active_job_id)
    assert connection.active_job_id is None, f"{name} still has a running job"


def wait_until(predicate: Callable[[], bool], what: str, timeout: float = 30) -> None:
    """Poll `predicate`; fail the test (never pass silently) when it is not true within `timeout` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out after {timeout:g} s waiting for {what}"
        time.sleep(0.02)


class LineReader:
    """Owns a child's text stream: a helper thread reads every line, tests wait for one without blocking forever."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line)
        self._queue.put(None)

    def until(self, pattern: str, timeout: float = 30) -> re.Match[str]:
        """The first new line matching `pattern`; fails on timeout or end of output."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"timed out waiting for a line matching {pattern!r}; got {self.lines!r}"
            try:
                line = self._queue.get(timeout=remaining)
            except queue.Empty:
                continue
            assert line is not None, f"output ended before a line matched {pattern!r}; got {self.lines!r}"
            self.lines.append(line)
            match = re.search(pattern, line)
            if match:
                return match

    def rest(self, timeout: float = 30) -> str:
        """Everything read so far plus the remainder up to end of output."""
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the child's output did not end"
        while (line := self._queue.get_nowait()) is not None:
            self.lines.append(line)
        return "".join(self.lines)


def test_sync_wait_json_succeeded(emu: RunningEmulator) -> None:
    name = "Stripe → BigQuery"
    make_idle(emu, name)
    emu.world.force_next_outcome(connection_id(emu, name), "success")
    result = airsync(emu, "sync", connection_id(emu, name), "--wait", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["finalStatus"] == "succeeded"
    assert isinstance(data["jobId"], int) and data["rowsSynced"] > 0 and data["bytesSynced"] > 0
    assert data["connectionId"] == connection_id(emu, name) and data["attached"] is False
    assert "jobId=" in data["jobUrl"]
    assert "→" in result.stderr  # transitions went to stderr, stdout is pure JSON


def test_sync_by_name_failed_exits_1_with_the_reason(emu: RunningEmulator) -> None:
    name = "Shopify → Snowflake"
    make_idle(emu, name)
    emu.world.force_next_outcome(connection_id(emu, name), "fatal")
    result = airsync(emu, "sync", "shopify", "--wait")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "failed" in result.stdout
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert "\r" not in result.stdout  # piped: one line per transition, no live redraw
    assert any("→ failed" in line for line in lines)
    summary = lines[-1]
    assert summary.startswith("job ") and "failed" in summary and " — " in summary  # the reason is printed


@pytest.mark.parametrize("first_read_after_the_retry", [False, True])
def test_retrying_job_is_not_reported_as_failed(
    emu: RunningEmulator, monkeypatch: pytest.MonkeyPatch, first_read_after_the_retry: bool
) -> None:
    """A failed attempt retried to success: exit 0, and the failed attempt is told before the summary,
    also when the job was first read after the retry (a slow poll: no "attempt ended" event fires)."""
    if first_read_after_the_retry:
        from airsync_tui.service.store import StateStore

        monkeypatch.setattr(StateStore, "detail", lambda self, job_key: None)  # every detail read is a first read
    name = "Zendesk Support → Postgres"  # a short typical run (200 s): two attempts in ~1.5 s of wall time at x200
    make_idle(emu, name)
    emu.world.force_next_outcome(connection_id(emu, name), "retry1_then_success")
    result = airsync(emu, "sync", connection_id(emu, name), "--wait", "--json", timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["finalStatus"] == "succeeded"
    lines = result.stderr.splitlines()
    [note] = [line for line in lines if "attempt 1 failed" in line]
    assert ": " in note.split("attempt 1 failed", 1)[1]  # with its reason
    assert lines.index(note) < next(i for i, line in enumerate(lines) if line.startswith("job "))  # before the summary


def test_timeout_exits_3_and_leaves_the_job_running(held: RunningEmulator) -> None:
    name = "Salesforce → Snowflake"
    make_idle(held, name)
    held.world.force_next_outcome(connection_id(held, name), "success")  # >= 90 virtual s = 90 wall s at x1
    result = airsync(held, "sync", connection_id(held, name), "--wait", "--timeout", "0.5", "--json")
    assert result.returncode == 3, result.stderr
    data = json.loads(result.stdout)
    assert data["timedOut"] is True and "finalStatus" not in data
    assert "keeps running" in result.stderr
    job = held.world.get_job(data["jobId"])
    assert job.job_id == held.world.connection_by_name(name).active_job_id  # still the connection's running job
    # a second trigger while it runs attaches instead of starting another job
    again = airsync(held, "sync", connection_id(held, name), "--json")
    assert again.returncode == 0, again.stderr
    second = json.loads(again.stdout)
    assert second["jobId"] == data["jobId"] and second["attached"] is True
    assert held.world.connection_by_name(name).job_ids[-1] == data["jobId"]  # no second job was created


def test_timeout_with_cancel_on_timeout_cancels(held: RunningEmulator) -> None:
    name = "Facebook Marketing → Snowflake"
    make_idle(held, name)
    held.world.force_next_outcome(connection_id(held, name), "success")
    result = airsync(held, "sync", connection_id(held, name), "--wait", "--timeout", "0.5", "--cancel-on-timeout", "--json")
    assert result.returncode == 3, result.stderr
    data = json.loads(result.stdout)
    assert held.world.get_job(data["jobId"]).status == "cancelled"
    assert "cancel requested" in result.stderr


def test_ctrl_c_says_the_job_goes_on(held: RunningEmulator) -> None:
    name = "HubSpot → BigQuery"
    make_idle(held, name)
    held.world.force_next_outcome(connection_id(held, name), "success")
    before = set(held.world.connection_by_name(name).job_ids)
    proc = subprocess.Popen(
        [sys.executable, "-m", "airsync_tui", "sync", connection_id(held, name), "--wait"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env_for(held),
    )
    assert proc.stdout is not None and proc.stderr is not None
    stdout = LineReader(proc.stdout)
    try:
        started = stdout.until(r"(started|attached to running) sync job (\d+)")
        assert started.group(1) == "started"
        job_id = int(started.group(2))
        assert job_id not in before  # a fresh job, not a seeded one
        proc.send_signal(signal.SIGINT)
        returncode = proc.wait(timeout=30)
    finally:
        proc.kill()
    output = stdout.rest() + proc.stderr.read()
    assert returncode == 130, output
    assert f"job {job_id} keeps running" in output
    assert held.world.get_job(job_id).status in ("pending", "running")  # not cancelled, not finished


def test_read_only_refuses_at_the_client_layer(held: RunningEmulator) -> None:
    before = len(held.world.jobs)
    result = airsync(held, "--read-only", "sync", "github")
    assert result.returncode == 2
    assert "read-only" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert len(held.world.jobs) == before


def test_wrong_credentials_one_line_exit_2_no_secret(emu: RunningEmulator) -> None:
    result = airsync(emu, "jobs", AIRBYTE_CLIENT_SECRET="not-the-secret-123")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "rejected" in result.stderr and "Traceback" not in result.stderr
    assert "not-the-secret-123" not in result.stderr and SECRET not in result.stderr


def test_unknown_connection_and_bad_urls(emu: RunningEmulator) -> None:
    unknown = airsync(emu, "sync", "no-such-connection-xyz")
    assert unknown.returncode == 2 and "no connection matches" in unknown.stderr
    unreachable = airsync(emu, "connections", AIRBYTE_API_ROOT="http://127.0.0.1:9/api/public/v1", HIGHTOUCH_API_KEY="")
    assert unreachable.returncode == 2 and "cannot reach" in unreachable.stderr
    assert len(unreachable.stderr.strip().splitlines()) == 1
    web_root = airsync(
        emu, "connections", AIRBYTE_API_ROOT=emu.base_url + "/", AIRBYTE_CONFIG_API_ROOT=emu.config_api_url, HIGHTOUCH_API_KEY=""
    )
    assert web_root.returncode == 2 and "Traceback" not in web_root.stderr
    assert len(web_root.stderr.strip().splitlines()) == 1


def test_listing_and_logs(emu: RunningEmulator) -> None:
    listed = airsync(emu, "connections", "--json")
    assert listed.returncode == 0
    names = {c["name"] for c in json.loads(listed.stdout)}
    assert {"Stripe → BigQuery", "customers → salesforce"} <= names
    jobs = airsync(emu, "--provider", "airbyte", "jobs", "stripe", "--json", "--limit", "3")
    assert jobs.returncode == 0 and 1 <= len(json.loads(jobs.stdout)) <= 3
    job_id = json.loads(jobs.stdout)[0]["jobId"]
    logs = airsync(emu, "--provider", "airbyte", "logs", str(job_id))
    assert logs.returncode == 0 and len(logs.stdout.splitlines()) > 3
    assert "\x1b" not in logs.stdout


def test_hightouch_sync_wait_json_same_keys(emu: RunningEmulator) -> None:
    result = airsync(emu, "--provider", "hightouch", "sync", "support-tiers", "--wait", "--json", timeout=120)
    data = json.loads(result.stdout)
    assert {"jobId", "finalStatus", "rowsSynced", "bytesSynced", "provider"} <= set(data)
    assert data["provider"] == "hightouch"
    # The emulator is the oracle: the run's own final status decides the exit code.
    run = emu.hightouch_world.runs[int(data["jobId"])]
    assert data["finalStatus"] == run.status
    expected = 0 if run.status in ("success", "warning") else 1
    assert result.returncode == expected, result.stderr
    summary = result.stderr.strip().splitlines()[-1]
    assert summary.startswith(f"run {data['jobId']} {run.status}"), summary  # Hightouch's word for a job
    assert "attempt" not in result.stderr  # a run is one try: no "attempt 1 failed", never "all attempts"
    assert " job " not in f" {result.stderr} "  # one word for it, in the progress lines too ("started sync run …")
    if run.status == "success":
        assert summary == f"run {data['jobId']} success: {data['rowsSynced']:,} records committed"


def test_jobs_table_speaks_each_providers_words(emu: RunningEmulator) -> None:
    """`airsync --provider hightouch jobs` said "JOB … COMMITTED (ALL ATTEMPTS)" over runs that are one try;
    the mixed listing did not say which provider a row came from."""
    runs = airsync(emu, "--provider", "hightouch", "jobs", "--limit", "3")
    assert runs.returncode == 0, runs.stderr
    header = runs.stdout.splitlines()[0].split()
    assert header[0] == "RUN" and header[-1] == "COMMITTED" and "ATTEMPTS)" not in runs.stdout
    jobs = airsync(emu, "--provider", "airbyte", "jobs", "--limit", "3")
    assert jobs.stdout.splitlines()[0].split()[0] == "JOB" and "COMMITTED (ALL ATTEMPTS)" in jobs.stdout
    both = airsync(emu, "jobs", "--limit", "40")
    lines = both.stdout.splitlines()
    assert lines[0].split()[:2] == ["PROVIDER", "JOB"]
    assert {line.split()[0] for line in lines[2:]} == {"Airbyte", "Hightouch"}
    # `connections` names providers as `jobs` and the dashboard do (it printed "airbyte", "hightouch").
    listed = airsync(emu, "connections").stdout.splitlines()
    assert listed[0].split()[0] == "PROVIDER" and {line.split()[0] for line in listed[2:]} == {"Airbyte", "Hightouch"}


def test_hightouch_cancel_is_explained(emu: RunningEmulator) -> None:
    result = airsync(emu, "--provider", "hightouch", "jobs", "--json", "--limit", "1")
    run_id = json.loads(result.stdout)[0]["jobId"]
    cancel = airsync(emu, "--provider", "hightouch", "cancel", str(run_id))
    assert cancel.returncode == 2
    assert "cancel" in cancel.stderr.lower() and len(cancel.stderr.strip().splitlines()) == 1


def test_logs_follow_prints_growing_log_and_stops_after_the_attempt(emu: RunningEmulator) -> None:
    name = "Google Ads → BigQuery"  # idle (schedules paused) unless we start it; a short typical run (200 s)
    make_idle(emu, name)
    emu.world.force_next_outcome(connection_id(emu, name), "success")
    started = airsync(emu, "sync", connection_id(emu, name), "--json")
    job_id = json.loads(started.stdout)["jobId"]
    wait_until(lambda: bool(emu.world.get_job(job_id).attempts), "the first attempt to start")
    result = airsync(emu, "--provider", "airbyte", "logs", str(job_id), "--follow", "--trail", "0.5", timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) > 10
    assert emu.world.get_job(job_id).status == "succeeded"  # it returned because the (only) attempt ended
    assert "\x1b" not in result.stdout
