"""The Hightouch timeline shows the sync changes its API exposes (issue 11).

Hightouch has no change-history endpoint. What it does expose: a sync's
`createdAt`, `updatedAt`, `schedule` and `disabled`. The timeline shows the
creation, the last update, and changes seen between two reads of the sync
(stamped with the new `updatedAt`), with a notice saying what is not exposed.
The real emulator over HTTP on 127.0.0.1.
"""

from __future__ import annotations

from pydantic import SecretStr

from airsync_tui.config import HightouchSettings
from airsync_tui.emulator.clock import VirtualClock
from airsync_tui.emulator.hightouch import build_hightouch_app
from airsync_tui.providers.hightouch import HightouchProvider
from airsync_tui.providers.hightouch.changes import LIMIT_NOTICE
from airsync_tui.service.timeline import connection_timeline
from tests.asgi_server import serve

START = 1_767_225_600.0  # 2026-01-01T00:00:00Z
KEY = "ht-changes-key"


async def test_timeline_has_creation_and_the_disable_seen_between_polls() -> None:
    clock = VirtualClock(1.0, start=START)
    app = build_hightouch_app(clock, seed=7, api_key=KEY, rate_limit=10_000)
    world = app.state.world
    with serve(app) as base:
        settings = HightouchSettings(api_url=f"{base}/api/v1", api_key=SecretStr(KEY), timeout=10.0)
        provider = HightouchProvider.from_settings(settings)
        try:
            connections = {c.id: c for c in await provider.list_connections()}
            sync = next(s for s in world.syncs if not s.disabled)
            connection = connections[str(sync.id)]

            before = await connection_timeline(provider, connection)
            assert before.notice == LIMIT_NOTICE
            created = [e for e in before.events if e.event_type == "CONNECTION_CREATED"]
            assert len(created) == 1 and created[0].title == "Sync created"
            assert not any(e.event_type == "CONNECTION_DISABLED" for e in before.events)

            clock.advance(120)
            world.set_disabled(sync.id, True)
            await provider.list_connections()  # the watcher's connection refresh reads every sync

            after = await connection_timeline(provider, connection)
            disabled = [e for e in after.events if e.event_type == "CONNECTION_DISABLED"]
            assert len(disabled) == 1
            served = await provider.client.get_sync(sync.id)
            assert served.disabled and served.updated_at is not None
            assert disabled[0].at == served.updated_at  # the server's time of the change, not ours
            assert disabled[0].title == "Sync disabled" and "false → true" in disabled[0].details[0]
            assert [e.at for e in after.events] == sorted((e.at for e in after.events), reverse=True)
            assert any(e.job_id for e in after.events)  # the runs are still there
        finally:
            await provider.aclose()


def test_schedule_and_configuration_changes_are_named_and_updated_at_alone_says_so() -> None:
    from datetime import UTC, datetime

    from airsync_tui.providers.hightouch.changes import SyncChangeLog
    from airsync_tui.providers.hightouch.wire import Sync

    t0, t1, t2 = (datetime(2026, 12, 1, h, tzinfo=UTC) for h in (1, 2, 3))
    hourly = {"type": "interval", "schedule": {"interval": {"quantity": 1, "unit": "hour"}}}
    daily = {"type": "interval", "schedule": {"interval": {"quantity": 1, "unit": "day"}}}
    base = {"id": 7, "slug": "leads-hubspot", "createdAt": t0, "updatedAt": t0, "schedule": hourly, "configuration": {"mode": "upsert"}}
    log = SyncChangeLog()
    seen = datetime(2026, 12, 1, 4, tzinfo=UTC)
    assert log.observe(Sync.model_validate(base), seen) == []  # first read: nothing to compare with
    changed = log.observe(Sync.model_validate({**base, "updatedAt": t1, "schedule": daily, "configuration": {"mode": "mirror"}}), seen)
    assert [e.event_type for e in changed] == ["CONNECTION_SETTINGS_UPDATE"]
    assert changed[0].at == t1
    assert changed[0].details[0].startswith("schedule: ") and " → " in changed[0].details[0]
    assert changed[0].details[1].startswith("configuration changed")
    only_time = log.observe(Sync.model_validate({**base, "updatedAt": t2, "schedule": daily, "configuration": {"mode": "mirror"}}), seen)
    assert [e.at for e in only_time] == [t2] and "not exposed" in only_time[0].details[0]
    assert len(log.changes(7)) == 2
