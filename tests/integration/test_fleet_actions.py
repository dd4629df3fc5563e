"""Fleet actions end to end on the emulator over real HTTP: pause/resume, schedule,
per-stream refresh/clear, journal and undo, for Airbyte and Hightouch, service and CLI."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airsync_tui.config import Profile
from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator, start_emulator
from airsync_tui.errors import ConfigError, ConflictError, ReadOnlyError
from airsync_tui.models.schedule_change import ScheduleChange
from airsync_tui.providers.base import SyncProvider
from airsync_tui.service.actions import FleetActions, Target
from airsync_tui.service.journal import Journal
from airsync_tui.service.local_state import open_state
from airsync_tui.service.session import providers_for
from tests.cli_helpers import emulator_env, run_airsync
from tests.emulator_helpers import emulator_profile, quiet_emulator, stop_job


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    # Schedules paused: scheduled jobs would race the tests' own.
    yield from quiet_emulator(
        EmulatorOptions(
            speed=20.0,
            big_log_lines=200,
            seed=5,
            client_id="airsync-fleet-tests",
            client_secret="fleet-secret",
        )
    )


def profile_for(emu: RunningEmulator, *, read_only: bool = False) -> Profile:
    return emulator_profile(emu, "fleet-test", read_only=read_only)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _with_actions(emu: RunningEmulator, tmp_path: Path, body: Any, *, read_only: bool = False) -> Any:
    providers = providers_for(profile_for(emu, read_only=read_only), read_only=read_only)
    conn = open_state(tmp_path / "state.sqlite3")
    try:
        actions = FleetActions({p.name: p for p in providers}, Journal(conn), profile="fleet-test")
        return await body(actions, {p.name: p for p in providers})
    finally:
        conn.close()
        for p in providers:
            await p.aclose()


def idle_airbyte(emu: RunningEmulator, count: int) -> list[Any]:
    return [c for c in emu.world.connections if c.status == "active" and c.active_job_id is None][:count]


def test_bulk_pause_both_providers_is_idempotent_and_undoable(emu: RunningEmulator, tmp_path: Path) -> None:
    ab = idle_airbyte(emu, 2)
    ht = [s for s in emu.hightouch_world.syncs if not s.disabled][:1]
    targets = [Target("airbyte", c.connection_id, c.name) for c in ab] + [Target("hightouch", str(s.id), s.slug) for s in ht]

    async def body(actions: FleetActions, providers: dict[str, SyncProvider]) -> None:
        first = await actions.pause(targets)
        assert [t.outcome for t in first.targets] == ["succeeded"] * 3
        assert all(c.status == "inactive" for c in ab)
        assert ht[0].disabled is True
        # Shown as paused by every provider's read path.
        for t in targets:
            connection = await providers[t.provider].get_connection(t.connection_id)
            assert connection.enabled is False
        # A paused connection explains itself when triggered.
        with pytest.raises(ConflictError, match="is paused"):
            await providers["airbyte"].trigger(ab[0].connection_id)
        with pytest.raises(ConflictError, match="is paused"):
            await providers["hightouch"].trigger(str(ht[0].id))
        # The same bulk action again: a no-op for every target, no PATCH sent.
        mark = emu.app.state.request_log.mark()
        second = await actions.pause(targets)
        assert [t.outcome for t in second.targets] == ["skipped"] * 3
        assert not [r for r in emu.app.state.request_log.since(mark) if r.method == "PATCH"]
        assert not second.reversible
        # Undo reverses the last reversible action (the first pause), not the no-op.
        undone = await actions.undo()
        assert undone.reverses == first.id
        assert [t.outcome for t in undone.targets] == ["succeeded"] * 3
        assert all(c.status == "active" for c in ab) and ht[0].disabled is False
        assert actions.journal.get(first.id).undone_by == undone.id  # type: ignore[union-attr]
        with pytest.raises(ConfigError, match="already undone"):
            await actions.undo(first.id)

    run(_with_actions(emu, tmp_path, body))
    events = [e.event_type for e in emu.world.events.for_connections({ab[0].connection_id})]
    assert events[-2:] == ["CONNECTION_DISABLED", "CONNECTION_ENABLED"]


def test_inactive_connection_stops_its_schedule_and_resume_restarts_it(
    tmp_path: Path,
) -> None:
    running = start_emulator(
        EmulatorOptions(
            speed=1.0,
            big_log_lines=100,
            seed=9,
            client_id="fleet-sched",
            client_secret="s",
        )
    )
    try:
        connection = next(c for c in running.world.connections if c.status == "active" and c.next_fire_at is not None)

        async def body(actions: FleetActions, providers: dict[str, SyncProvider]) -> None:
            await actions.pause([Target("airbyte", connection.connection_id, connection.name)])
            assert connection.next_fire_at is None
            await actions.resume([Target("airbyte", connection.connection_id, connection.name)])
            assert connection.next_fire_at is not None

        run(_with_actions(running, tmp_path, body))
    finally:
        running.stop()


def test_bulk_partial_failure_is_reported_per_target_without_retry(emu: RunningEmulator, tmp_path: Path) -> None:
    good = next(c for c in idle_airbyte(emu, 30) if c.schedule_kind == "manual")
    ht = emu.hightouch_world.syncs[0]
    missing = "00000000-0000-4000-8000-000000000404"
    change = ScheduleChange.every("6h")

    async def body(actions: FleetActions, providers: dict[str, SyncProvider]) -> None:
        mark = emu.app.state.request_log.mark()
        entry = await actions.set_schedule(
            [
                Target("airbyte", good.connection_id, good.name),
                Target("airbyte", missing, "gone"),
                Target("hightouch", str(ht.id), ht.slug),
            ],
            change,
        )
        outcome = {t.connection_id: (t.outcome, t.reason or "") for t in entry.targets}
        assert outcome[good.connection_id][0] == "succeeded"
        assert outcome[missing][0] == "failed" and "not found" in outcome[missing][1].lower()
        assert outcome[str(ht.id)][0] == "failed" and "schedule" in outcome[str(ht.id)][1]
        # Capability refusal sent nothing to Hightouch; the missing connection got exactly one GET, no retry.
        seen = emu.app.state.request_log.since(mark)
        assert not [r for r in seen if r.path.startswith("/hightouch")]
        assert len([r for r in seen if r.path.endswith(missing)]) == 1
        assert (good.schedule_kind, good.schedule_expression) == (
            "cron",
            "0 0 */6 * * ? UTC",
        )
        undone = await actions.undo(entry.id)
        assert [t.outcome for t in undone.targets] == ["succeeded"]

    run(_with_actions(emu, tmp_path, body))
    assert (good.schedule_kind, good.schedule_expression) == (
        "manual",
        None,
    )  # undo restored it
    kinds = [e.event_type for e in emu.world.events.for_connections({good.connection_id})]
    assert kinds.count("CONNECTION_SETTINGS_UPDATE") == 2  # the change and its undo


def test_read_only_refuses_before_any_request(emu: RunningEmulator, tmp_path: Path) -> None:
    target = idle_airbyte(emu, 1)[0]

    async def body(actions: FleetActions, providers: dict[str, SyncProvider]) -> None:
        mark = emu.app.state.request_log.mark()
        with pytest.raises(ReadOnlyError):
            await actions.pause([Target("airbyte", target.connection_id, target.name)])
        with pytest.raises(ReadOnlyError):
            await actions.refresh(Target("airbyte", target.connection_id, target.name), [], "merge")
        for provider in providers.values():  # the providers refuse on their own too
            with pytest.raises(ReadOnlyError):
                await provider.set_enabled("1", False)  # type: ignore[attr-defined]
        assert emu.app.state.request_log.since(mark) == []
        assert actions.journal.entries() == []

    run(_with_actions(emu, tmp_path, body, read_only=True))
    assert target.status == "active"


def test_per_stream_refresh_and_clear_carry_scope_and_events(emu: RunningEmulator, tmp_path: Path) -> None:
    connection = next(c for c in idle_airbyte(emu, 20) if len(c.streams) >= 2)
    stream = connection.streams[0].name

    async def body(actions: FleetActions, providers: dict[str, SyncProvider]) -> None:
        target = Target("airbyte", connection.connection_id, connection.name)
        entry = await actions.refresh(target, [stream], "truncate")
        assert entry.targets[0].outcome == "succeeded", entry.targets[0].reason
        job = emu.world.get_job(int(entry.targets[0].job_id or 0))
        assert (job.config_type, job.stream_scope, job.refresh_mode) == (
            "refresh",
            (stream,),
            "Truncate",
        )
        assert not entry.reversible
        # A second one while the refresh runs is refused by the server with its reason (not retried).
        again = await actions.clear(target, [stream])
        assert again.targets[0].outcome == "failed" and "already running" in (again.targets[0].reason or "")
        stop_job(emu.world, job.job_id)
        cleared = await actions.clear(target, [stream])
        job2 = emu.world.get_job(int(cleared.targets[0].job_id or 0))
        assert (job2.config_type, job2.stream_scope) == ("clear", (stream,))
        unknown = await actions.clear(target, ["no_such_stream"])
        assert unknown.targets[0].outcome == "failed" and "no_such_stream" in (unknown.targets[0].reason or "")
        stop_job(emu.world, job2.job_id)

    run(_with_actions(emu, tmp_path, body))
    events = [(e.event_type, e.summary.get("streams")) for e in emu.world.events.for_connections({connection.connection_id})]
    assert ("REFRESH_STARTED", [stream]) in events and (
        "CLEAR_STARTED",
        [stream],
    ) in events


# ------------------------------------------------------------------ CLI


def _empty_config(tmp_path: Path) -> Path:
    """No profile: everything from the environment (a missing AIRSYNC_CONFIG path is an error)."""
    path = tmp_path / "config.toml"
    path.touch()
    return path


def cli(emu: RunningEmulator, tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """In-process (tests/cli_helpers.py) with a piped stdin, as a shell pipe would give."""
    env = emulator_env(emu, AIRSYNC_CONFIG=str(_empty_config(tmp_path)), AIRSYNC_STATE=str(tmp_path / "state.sqlite3"))
    return run_airsync(*args, env=env, stdin=stdin)


def test_cli_piped_without_yes_refuses_in_one_line(emu: RunningEmulator, tmp_path: Path) -> None:
    target = idle_airbyte(emu, 1)[0]
    mark = emu.app.state.request_log.mark()
    result = cli(emu, tmp_path, "pause", target.connection_id, stdin="y\n")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "--yes" in result.stderr
    assert target.status == "active"
    assert not [r for r in emu.app.state.request_log.since(mark) if r.method == "PATCH"]


def test_cli_pause_where_history_and_undo(emu: RunningEmulator, tmp_path: Path) -> None:
    ht = [s for s in emu.hightouch_world.syncs if not s.disabled]
    term = ht[0].slug.split("-")[0]
    result = cli(
        emu,
        tmp_path,
        "pause",
        "--where",
        term,
        "--provider",
        "hightouch",
        "--yes",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stdout)
    paused = {t["connectionId"] for t in entry["targets"] if t["result"] == "succeeded"}
    assert str(ht[0].id) in paused
    assert all(emu.hightouch_world.get_sync(int(i)).disabled for i in paused)
    history = json.loads(cli(emu, tmp_path, "history", "--json").stdout)
    assert history[0]["id"] == entry["id"] and history[0]["reversible"] is True
    assert history[0]["profile"] and history[0]["providers"] == ["hightouch"]
    undo = cli(emu, tmp_path, "undo", "--yes", "--provider", "hightouch")
    assert undo.returncode == 0, undo.stderr
    assert not any(emu.hightouch_world.get_sync(int(i)).disabled for i in paused)
    again = cli(emu, tmp_path, "undo", "--yes", "--provider", "hightouch")
    assert again.returncode == 2 and "nothing to undo" in again.stderr


def test_cli_schedule_validation_and_words(emu: RunningEmulator, tmp_path: Path) -> None:
    target = idle_airbyte(emu, 3)[2]
    bad = cli(
        emu,
        tmp_path,
        "schedule",
        target.connection_id,
        "--cron",
        "0 99 * * * ?",
        "--yes",
    )
    assert bad.returncode == 2 and "outside 0–59" in bad.stderr and "Traceback" not in bad.stderr
    bad_every = cli(emu, tmp_path, "schedule", target.connection_id, "--every", "7h", "--yes")
    assert bad_every.returncode == 2 and "does not divide a day" in bad_every.stderr
    ok = cli(
        emu,
        tmp_path,
        "schedule",
        target.connection_id,
        "--cron",
        "0 6 * * 1-5",
        "--yes",
    )
    assert ok.returncode == 0, ok.stderr
    assert "weekdays at 06:00" in ok.stdout
    assert (target.schedule_kind, target.schedule_expression) == (
        "cron",
        "0 0 6 ? * 2-6 UTC",
    )
    ht = emu.hightouch_world.syncs[0]
    refused = cli(emu, tmp_path, "schedule", f"hightouch:{ht.id}", "--manual", "--yes")
    assert refused.returncode == 2 and "documents no schedule change" in refused.stderr


def test_cli_read_only_refuses_before_any_request(emu: RunningEmulator, tmp_path: Path) -> None:
    target = idle_airbyte(emu, 1)[0]
    mark = emu.app.state.request_log.mark()
    for args in (
        ("pause", target.name),
        ("refresh", target.connection_id),
        ("schedule", target.connection_id, "--manual"),
        ("undo",),
    ):
        result = cli(emu, tmp_path, *args, "--read-only", "--yes")
        assert result.returncode == 2, result.stderr
        assert "read-only" in result.stderr and result.stderr.count("\n") == 1
    assert emu.app.state.request_log.since(mark) == []
    assert target.status == "active"
