"""`airsync logs JOB` against the emulator over HTTP formats the log while it downloads, with the old bytes.

The big-log job's body is cut into small pieces here (thresholds lowered) so a
few thousand lines exercise what a million-line body does: the streamed
export (airsync_tui/logs/stream_export.py) fed by the spool's body observer.
The reference is the same command with the previous export
(``export_attempt`` of the downloaded body).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpcore
import pytest

from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator
from airsync_tui.logs import export as export_module
from airsync_tui.logs import parse as parse_module
from airsync_tui.logs import stream_export
from airsync_tui.logs.export import export_attempt
from airsync_tui.providers import http as http_module
from tests.cli_helpers import emulator_env, run_airsync
from tests.emulator_helpers import quiet_emulator

BIG_LOG_CONNECTION = "Events Firehose → S3"
LINES = 60_000  # more than one block of output (export.BLOCK_LINES): a later write meets the closed pipe
#: The same-bytes test exports the log twice in-process: ~2 MB of body in 200 kB pieces is already ten
#: pieces (it needs five), so it reads a smaller big log than the pipe test (60,000 lines cost ~2.5 s more CPU).
SAME_BYTES_LINES = 12_000


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    yield from quiet_emulator(
        EmulatorOptions(speed=200.0, big_log_lines=LINES, seed=3, client_id="logs-stream", client_secret="logs-stream-secret")
    )


@pytest.fixture(scope="module")
def emu_small() -> Iterator[RunningEmulator]:
    yield from quiet_emulator(
        EmulatorOptions(
            speed=200.0, big_log_lines=SAME_BYTES_LINES, seed=3, client_id="logs-stream-small", client_secret="logs-stream-small-secret"
        )
    )


def _airsync(emu: RunningEmulator, *args: str) -> Any:
    return run_airsync("--provider", "airbyte", *args, env=emulator_env(emu), timeout=120)


def test_logs_command_streams_the_big_log_with_the_same_bytes(emu_small: RunningEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    emu = emu_small
    jobs = _airsync(emu, "jobs", BIG_LOG_CONNECTION, "--json", "--limit", "1")
    assert jobs.returncode == 0, jobs.stderr
    job = str(json.loads(jobs.stdout)[0]["jobId"])

    monkeypatch.setattr(parse_module, "CHUNKED_PARSE_MIN_BYTES", 0)
    monkeypatch.setattr(parse_module, "_HEAD_SEARCH_BYTES", 2048)
    monkeypatch.setattr(stream_export, "STREAM_CHUNK_BYTES", 200_000)
    # Output blocks of 5,000 lines, so the smaller log still spans several (as 60,000 lines did at 50,000).
    monkeypatch.setattr(export_module, "BLOCK_LINES", 5_000)
    monkeypatch.setattr(stream_export, "BLOCK_LINES", 5_000)
    exporters: list[stream_export.StreamExport] = []
    real_begin = stream_export.StreamExport.begin

    def recording_begin(self: stream_export.StreamExport, expected_bytes: int | None) -> None:
        exporters.append(self)
        real_begin(self, expected_bytes)

    monkeypatch.setattr(stream_export.StreamExport, "begin", recording_begin)
    streamed = _airsync(emu, "logs", job)
    assert streamed.returncode == 0, streamed.stderr
    exporter = exporters[-1]
    assert exporter.fast_pieces >= 5  # formatted piece by piece from the JSON bytes, as they arrived
    assert httpcore.AsyncHTTP11Connection.READ_NUM_BYTES >= http_module.SPOOL_READ_BYTES  # big body, big reads

    def previous_export(self: stream_export.StreamExport, raw: Any, out: Any) -> int:
        return export_attempt(raw, out)

    monkeypatch.setattr(stream_export.StreamExport, "finish", previous_export)
    reference = _airsync(emu, "logs", job)
    assert reference.returncode == 0, reference.stderr
    assert streamed.stdout == reference.stdout
    lines = streamed.stdout.splitlines()
    assert len(lines) >= SAME_BYTES_LINES
    assert "\x1b" not in streamed.stdout


def test_reader_closing_the_pipe_ends_the_export_quietly(emu: RunningEmulator) -> None:
    """`airsync logs JOB | head -1`: a real process and pipe; no traceback, no error line, exit 0."""
    jobs = _airsync(emu, "jobs", BIG_LOG_CONNECTION, "--json", "--limit", "1")
    job = str(json.loads(jobs.stdout)[0]["jobId"])
    process = subprocess.Popen(
        [sys.executable, "-m", "airsync_tui", "--provider", "airbyte", "logs", job],
        env=emulator_env(emu),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # ~4.5 MB of log in two blocks: the second write meets the closed pipe
    try:
        returncode = process.wait(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    stderr = process.stderr.read().decode()
    process.stderr.close()
    assert first.endswith(b"\n") and first.count(b" ") > 3
    assert returncode == 0, stderr
    assert stderr == ""
