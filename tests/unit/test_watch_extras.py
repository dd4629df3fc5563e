"""Emulator standing outcomes, the profile's [watch] table, --test-notify, schedule intervals."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from airsync_tui.config import load_profile
from airsync_tui.emulator.airbyte.outcomes import set_outcome
from airsync_tui.emulator.airbyte.world import AirbyteWorld
from airsync_tui.emulator.clock import VirtualClock
from airsync_tui.errors import ConfigError
from airsync_tui.models.domain import Schedule
from airsync_tui.service.problems import ProblemKind
from airsync_tui.service.rules.intervals import schedule_interval
from airsync_tui.service.rules.settings import parse_watch_settings


def _world() -> AirbyteWorld:
    return AirbyteWorld(VirtualClock(1.0), seed=7, big_log_lines=0)


def test_standing_outcomes_shape_the_next_jobs() -> None:
    world = _world()
    stripe = next(c for c in world.connections if c.name == "Stripe → BigQuery")
    set_outcome(world, "Stripe → BigQuery", "failed")
    job = world.create_job(stripe.connection_id, "sync")
    assert [a.succeeds for a in job.plan.attempts][-1] is False
    world.cancel_job(job.job_id)
    set_outcome(world, stripe.connection_id, "stalled")
    stalled = world.create_job(stripe.connection_id, "sync")
    [attempt] = stalled.plan.attempts
    assert attempt.volume == 0.0 and attempt.end - attempt.start >= 3600  # runs for hours without moving
    world.cancel_job(stalled.job_id)
    normal = world._make_plan(stripe, "sync", 0.0, "success", job_seed=1).attempts[0]
    set_outcome(world, stripe.connection_id, "slow")
    slow = world.create_job(stripe.connection_id, "sync")
    assert slow.plan.attempts[0].succeeds is True
    assert slow.plan.attempts[0].end - slow.plan.attempts[0].start > 2 * (normal.end - normal.start)
    world.cancel_job(slow.job_id)
    set_outcome(world, stripe.connection_id, None)
    assert stripe.connection_id not in world.standing_outcomes
    with pytest.raises(KeyError, match="no connection with id or exact name 'Stripe'"):
        set_outcome(world, "Stripe", "failed")
    with pytest.raises(ValueError, match="unknown outcome 'boom'"):
        set_outcome(world, stripe.connection_id, "boom")


def test_profile_watch_table_is_loaded_and_parsed(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[profiles.prod.airbyte]\napi_url = "http://127.0.0.1:1/api/public/v1"\nbearer_token = "t"\n'
        "[profiles.prod.watch.rules.stalled]\nminutes = 30\n"
        '[[profiles.prod.watch.routes]]\nurls = ["json://127.0.0.1:1/hook"]\nseverity = "critical"\n'
        '[[profiles.prod.watch.overrides]]\nmatch = { provider = "hightouch" }\nrules.slow = { enabled = false }\n'
    )
    profile = load_profile("prod", env={}, path=path)
    settings = parse_watch_settings(profile.watch)
    assert settings.rules[ProblemKind.STALLED].minutes == 30
    assert settings.routes[0].urls == ("json://127.0.0.1:1/hook",)
    assert settings.for_connection(ProblemKind.SLOW, "hightouch", None).enabled is False
    assert settings.for_connection(ProblemKind.SLOW, "airbyte", None).enabled is True
    assert settings.for_connection(ProblemKind.AUTO_DISABLE_RISK, "hightouch", None).enabled is False


def test_bad_route_is_one_line_config_error() -> None:
    with pytest.raises(ConfigError, match=r"routes\[0\].severity: 'urgent' is not critical or warning"):
        parse_watch_settings({"routes": [{"urls": ["json://x/y"], "severity": "urgent"}]})


@pytest.mark.parametrize(
    ("kind", "expression", "interval"),
    [
        ("basic", "Every 6 HOURS", timedelta(hours=6)),
        ("interval", "Every 15 MINUTES", timedelta(minutes=15)),
        ("cron", "0 0 */6 * * ? UTC", timedelta(hours=6)),
        ("cron", "0 30 2 * * ?", timedelta(days=1)),
        ("cron", "*/5 * * * *", timedelta(minutes=5)),
        ("cron", "0 9 * * MON-FRI", timedelta(days=3)),
        ("cron", "0 15 * * * ?", timedelta(hours=1)),
        ("manual", None, None),
        ("cron", "0 0 12 1 * ?", None),  # monthly on the 1st: not a shape we judge
    ],
)
def test_schedule_intervals(kind: str, expression: str | None, interval: timedelta | None) -> None:
    assert schedule_interval(Schedule(kind=kind, expression=expression)) == interval


def test_test_notify_reports_each_route(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from airsync_tui.cli.watch import WatchOutput, test_notify
    from airsync_tui.service.rules.delivery import Router

    router = Router(
        parse_watch_settings(None),
        ["json://user:hunter2hunter2@127.0.0.1:9/nothing-listens"],
    )
    code = asyncio.run(test_notify(router, WatchOutput(False)))
    err = capsys.readouterr().err
    assert code == 1
    assert "json://user:****@127.0.0.1:9/nothing-listens: FAILED" in err
    assert "hunter2hunter2" not in err
