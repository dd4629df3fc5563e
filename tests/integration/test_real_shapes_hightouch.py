"""Hightouch answers as real servers give them, served by the emulator over HTTP.

Real runs report `completed_with_errors` (finished with rejected rows),
`canceled` (one "l") and the legacy `aborted`, and destinations without
per-row results finish with `successfulRows` all 0 while 109 rows were
planned. The emulator serves a sync in that dialect; these tests read it
through the real client and the real CLI.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from airsync_tui.config import HightouchSettings
from airsync_tui.emulator.clock import VirtualClock
from airsync_tui.emulator.hightouch import build_hightouch_app
from airsync_tui.emulator.hightouch.dialect import NO_ROW_RESULTS, REAL_WORDS
from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator
from airsync_tui.models.status import StatusCategory
from airsync_tui.providers.hightouch import HightouchProvider
from airsync_tui.textfmt import synced_rows
from tests.asgi_server import serve
from tests.cli_helpers import emulator_env, run_airsync
from tests.emulator_helpers import quiet_emulator

START = 1_767_225_600.0  # 2026-01-01T00:00:00Z
KEY = "ht-shapes-key"


def _provider(url: str) -> HightouchProvider:
    return HightouchProvider.from_settings(HightouchSettings(api_url=url, api_key=SecretStr(KEY), timeout=10.0))


async def test_real_status_words_are_read_as_terminal() -> None:
    app = build_hightouch_app(VirtualClock(1.0, start=START), seed=7, syncs=60, api_key=KEY, rate_limit=10_000)
    world = app.state.world
    by_sync: dict[int, set[str]] = {}
    for run in world.runs.values():
        by_sync.setdefault(run.sync_id, set()).add(run.status)
    sync_id = next(s for s, statuses in by_sync.items() if "warning" in statuses)
    world.dialects[sync_id] = REAL_WORDS
    with serve(app) as base:
        provider = _provider(base + "/api/v1")
        try:
            jobs = await provider.list_jobs(str(sync_id), limit=100)
        finally:
            await provider.aclose()
    words = {j.status.raw for j in jobs}
    assert "completed_with_errors" in words and "warning" not in words
    for job in jobs:
        assert job.status.known, job.status.raw
        assert job.status.is_terminal or job.status.category in (
            StatusCategory.RUNNING,
            StatusCategory.PENDING,
        )
    cwe = next(j for j in jobs if j.status.raw == "completed_with_errors")
    assert cwe.status.category is StatusCategory.WARNING and cwe.status.category.is_success


async def test_unreported_row_results_are_not_zero_rows() -> None:
    app = build_hightouch_app(VirtualClock(1.0, start=START), seed=7, syncs=60, api_key=KEY, rate_limit=10_000)
    world = app.state.world
    run = next(r for r in world.runs.values() if r.status == "success" and r.plan.planned.total > 0)
    world.dialects[run.sync_id] = NO_ROW_RESULTS
    with serve(app) as base:
        provider = _provider(base + "/api/v1")
        try:
            jobs = await provider.list_jobs(str(run.sync_id), limit=100)
            job = next(j for j in jobs if j.id == str(run.id))
            detail = await provider.get_job_detail(job.id)
        finally:
            await provider.aclose()
    planned = run.plan.planned.total
    assert job.per_row_results is False
    assert job.records_synced is None and job.records_planned == planned
    assert detail.attempts[0].records_committed is None
    text = synced_rows(job.records_synced, job.records_planned, job.per_row_results)
    assert text == f"{planned:,} planned, per-row results not reported"


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    yield from quiet_emulator(
        EmulatorOptions(
            speed=240.0,  # a run takes ~1 s of wall time; the tests read only how it ends
            big_log_lines=0,
            seed=5,
            client_id="shapes-cli",
            client_secret="shapes-secret-1",
        )
    )


def _cli(emu: RunningEmulator, *args: str) -> subprocess.CompletedProcess[str]:
    """In-process (tests/cli_helpers.py): the test is about the exit code and what is printed."""
    return run_airsync(*args, env=emulator_env(emu), timeout=120)


def test_sync_wait_ends_on_completed_with_errors(emu: RunningEmulator) -> None:
    """Before: `completed_with_errors` was an unknown word, so --wait polled until its timeout."""
    world = emu.hightouch_world
    sync = world.get_sync_by_slug("support-tiers-to-zendesk")
    world.dialects[sync.id] = REAL_WORDS
    world.set_outcome_rates(sync.id, fail=0.0, warn=1.0)
    result = _cli(
        emu,
        "--provider",
        "hightouch",
        "sync",
        "support-tiers",
        "--wait",
        "--timeout",
        "90",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["finalStatus"] == "completed_with_errors"


def test_sync_wait_says_planned_rows_when_results_are_not_reported(
    emu: RunningEmulator,
) -> None:
    world = emu.hightouch_world
    sync = world.get_sync_by_slug("trial-signups-to-iterable")
    world.dialects[sync.id] = NO_ROW_RESULTS
    world.set_outcome_rates(sync.id, fail=0.0, warn=0.0)
    result = _cli(
        emu,
        "--provider",
        "hightouch",
        "sync",
        "trial-signups",
        "--wait",
        "--timeout",
        "90",
    )
    assert result.returncode == 0, result.stderr
    assert "planned, per-row results not reported" in result.stdout + result.stderr
    assert ": 0 rows" not in result.stdout + result.stderr


async def test_running_run_without_row_results_shows_ratio_not_zero_rows() -> None:
    clock = VirtualClock(1.0, start=START)
    app = build_hightouch_app(clock, seed=7, syncs=60, api_key=KEY, rate_limit=10_000)
    world = app.state.world
    sync = next(s for s in world.syncs if not s.disabled and s.active is None and not s.queue)
    world.dialects[sync.id] = NO_ROW_RESULTS
    world.set_outcome_rates(sync.id, fail=0.0, warn=0.0)
    with serve(app) as base:
        provider = _provider(base + "/api/v1")
        try:
            job = (await provider.trigger(str(sync.id))).job
            for _ in range(400):
                job = await provider.get_job(job.id)
                ratio = job.extra.get("completion_ratio", 0.0)
                if job.status.raw == "processing" and 0 < ratio < 1:
                    break
                clock.advance(2)
            else:
                raise AssertionError("the run never showed partial processing")
        finally:
            await provider.aclose()
    assert job.records_synced is None and job.per_row_results is False
    assert job.progress is not None and job.progress.records_emitted is None
    assert job.progress.ratio is not None and job.progress.ratio > 0
