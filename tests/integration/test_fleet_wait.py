"""`airsync refresh --wait` and `airsync clear --wait` on the emulator: they block until the job ends,
print its end state and exit 0 on success, 1 when the job failed (issue 12)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator
from tests.cli_helpers import emulator_env, run_airsync
from tests.emulator_helpers import quiet_emulator


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    # Fast virtual time: a refresh/clear job ends within seconds of wall time.
    # a scheduled job would take the connection first
    yield from quiet_emulator(EmulatorOptions(speed=240.0, big_log_lines=0, seed=11, client_id="wait-tests", client_secret="wait-secret"))


def _cli(emu: RunningEmulator, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """In-process (tests/cli_helpers.py), Airbyte only, no profile: everything from the environment."""
    config = tmp_path / "config.toml"
    config.write_text("")
    env = emulator_env(emu, AIRSYNC_CONFIG=str(config), AIRSYNC_STATE=str(tmp_path / "state.sqlite3"))
    env = {k: v for k, v in env.items() if not k.startswith("HIGHTOUCH_")}
    return run_airsync(*args, "--provider", "airbyte", env=env, timeout=120)


def _idle(emu: RunningEmulator, skip: set[str]) -> Any:
    with emu.world.lock:
        return next(
            c
            for c in emu.world.connections
            if c.status == "active" and c.active_job_id is None and len(c.streams) >= 2 and c.connection_id not in skip
        )


def _job_line(stdout: str) -> tuple[int, str]:
    """The `job N <state>` line --wait prints when the job ended."""
    [line] = [ln for ln in stdout.splitlines() if ln.startswith("job ")]
    number, state = line.split(" ", 2)[1:]
    return int(number), state


@pytest.mark.parametrize("action", ["refresh", "clear"])
def test_wait_blocks_until_the_job_ends_and_reports_success(emu: RunningEmulator, tmp_path: Path, action: str) -> None:
    connection = _idle(emu, set())
    stream = connection.streams[0].name
    emu.world.force_next_outcome(connection.connection_id, "success")
    result = _cli(emu, tmp_path, action, connection.connection_id, "--stream", stream, "--yes", "--wait")
    assert result.returncode == 0, result.stderr
    job_id, state = _job_line(result.stdout)
    job = emu.world.get_job(job_id)
    assert job.is_terminal and job.status == "succeeded"  # it really waited for the end
    assert (job.config_type, job.stream_scope) == (action, (stream,))
    assert state.startswith("succeeded") or state.lower().startswith("succeeded")


def test_wait_exits_1_when_the_job_fails(emu: RunningEmulator, tmp_path: Path) -> None:
    connection = _idle(emu, set())
    emu.world.force_next_outcome(connection.connection_id, "fatal")
    result = _cli(emu, tmp_path, "refresh", connection.connection_id, "--yes", "--wait")
    assert result.returncode == 1, (result.stdout, result.stderr)
    job_id, state = _job_line(result.stdout)
    job = emu.world.get_job(job_id)
    assert job.status == "failed" and job.config_type == "refresh"
    assert "failed" in state.lower()


def test_without_wait_returns_while_the_job_runs(emu: RunningEmulator, tmp_path: Path) -> None:
    connection = _idle(emu, set())
    emu.world.force_next_outcome(connection.connection_id, "success")
    result = _cli(emu, tmp_path, "clear", connection.connection_id, "--yes")
    assert result.returncode == 0, result.stderr
    assert not [ln for ln in result.stdout.splitlines() if ln.startswith("job ")]
