"""The timeline's title says where its events come from, without calling a sync's own record "jobs"."""

from __future__ import annotations

from datetime import UTC, datetime

from airsync_tui.models.timeline import Timeline, TimelineEvent
from airsync_tui.ui.screens.timeline import events_source

AT = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


def _event(n: int, job_id: str | None) -> TimelineEvent:
    return TimelineEvent(provider="hightouch", connection_id="s1", id=f"e{n}", event_type="X", at=AT, title="t", job_id=job_id)


def test_runs_and_the_syncs_own_record_are_counted_apart() -> None:
    mixed = Timeline(
        provider="hightouch",
        connection_id="s1",
        connection_name="leads",
        origin="jobs",
        events=(_event(1, "41"), _event(2, "42"), _event(3, None)),
    )
    assert events_source(mixed) == "3 events (2 from jobs, 1 from the connection itself)"


def test_jobs_only_and_server_events() -> None:
    runs = Timeline(provider="airbyte", connection_id="c", connection_name="x", origin="jobs", events=(_event(1, "7"),))
    assert events_source(runs) == "1 event from jobs"
    server = Timeline(provider="airbyte", connection_id="c", connection_name="x", origin="events", events=(_event(1, None),))
    assert events_source(server) == "1 event from connection events"
