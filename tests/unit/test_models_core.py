"""Status classification, timestamp/duration parsing and progress maths."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from airsync_tui.models.domain import Schedule, StreamProgress
from airsync_tui.models.progress import compute_progress
from airsync_tui.models.status import StatusCategory
from airsync_tui.models.timeparse import (
    TimeParseError,
    format_duration,
    parse_duration,
    parse_iso,
    parse_time,
)
from airsync_tui.providers.airbyte.statuses import airbyte_job_status
from airsync_tui.providers.hightouch.statuses import hightouch_run_status

UTC = UTC


@pytest.mark.parametrize("raw", ["pending", "queued", "running", "incomplete"])
def test_airbyte_non_terminal_statuses(raw: str) -> None:
    status = airbyte_job_status(raw)
    assert status.known and not status.is_terminal


@pytest.mark.parametrize("raw", ["succeeded", "failed", "cancelled"])
def test_airbyte_terminal_statuses(raw: str) -> None:
    assert airbyte_job_status(raw).is_terminal


def test_unknown_status_is_kept_non_terminal_and_flagged() -> None:
    status = airbyte_job_status("rate_limited_v9")
    assert status.raw == "rate_limited_v9"
    assert status.category is StatusCategory.UNKNOWN
    assert not status.known and not status.is_terminal
    assert status.label == "rate_limited_v9?"


def test_incomplete_means_retrying() -> None:
    assert airbyte_job_status("INCOMPLETE").category is StatusCategory.RETRYING


def test_hightouch_warning_is_success_with_caveats() -> None:
    warning = hightouch_run_status("warning")
    assert warning.is_terminal and warning.category is StatusCategory.WARNING
    assert warning.category.is_success and warning.category is not StatusCategory.SUCCEEDED
    for raw in ("queued", "querying", "processing", "reporting", "pending"):
        assert not hightouch_run_status(raw).is_terminal
    for raw in ("success", "failed", "cancelled", "interrupted"):
        assert hightouch_run_status(raw).is_terminal


def test_iso_with_and_without_seconds() -> None:
    assert parse_iso("2026-03-02T08:15Z") == datetime(2026, 3, 2, 8, 15, tzinfo=UTC)
    assert parse_iso("2026-03-02T08:15:04Z") == datetime(2026, 3, 2, 8, 15, 4, tzinfo=UTC)
    assert parse_iso("2026-03-02T09:15:04.250+01:00") == datetime(2026, 3, 2, 8, 15, 4, 250000, tzinfo=UTC)
    assert parse_iso("2024-04-14T21:55:04.172000Z").microsecond == 172000


def test_epoch_units_are_explicit() -> None:
    assert parse_time(1767258904) == datetime(2026, 1, 1, 9, 15, 4, tzinfo=UTC)
    assert parse_time(1767258905123, epoch_unit="ms") == datetime(2026, 1, 1, 9, 15, 5, 123000, tzinfo=UTC)
    assert parse_time(None) is None and parse_time("") is None


def test_bad_time_is_a_clear_error() -> None:
    with pytest.raises(TimeParseError, match="not an ISO-8601 time"):
        parse_iso("yesterday")


@pytest.mark.parametrize(
    "text, seconds",
    [("PT6M36S", 396), ("PT0.5S", 0.5), ("P1DT2H", 93600), ("PT1H", 3600), ("PT0S", 0)],
)
def test_iso_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


def test_duration_round_trip_and_errors() -> None:
    assert format_duration(timedelta(minutes=6, seconds=36)) == "PT6M36S"
    assert parse_duration(None) is None
    with pytest.raises(TimeParseError):
        parse_duration("6 minutes")


def test_progress_ratio_prefers_records_then_bytes_then_streams() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    now = start + timedelta(seconds=100)
    by_records = compute_progress(
        records_emitted=250, estimated_records=1000, bytes_emitted=900, estimated_bytes=1000, started_at=start, now=now
    )
    assert by_records.ratio == 0.25 and by_records.basis == "records"
    assert by_records.records_per_second == 2.5
    assert by_records.eta == timedelta(seconds=300)
    by_bytes = compute_progress(records_emitted=250, bytes_emitted=500, estimated_bytes=1000)
    assert by_bytes.ratio == 0.5 and by_bytes.basis == "bytes"
    streams = [
        StreamProgress(name="a", records_emitted=10, estimated_records=40),
        StreamProgress(name="b", records_emitted=30, estimated_records=60),
        StreamProgress(name="c", records_emitted=5),
    ]
    by_streams = compute_progress(streams=streams)
    assert by_streams.ratio == pytest.approx(40 / 100) and by_streams.basis == "streams"
    assert by_streams.records_emitted == 45


def test_progress_without_estimate_is_indeterminate() -> None:
    progress = compute_progress(records_emitted=5000, streams=[StreamProgress(name="x", records_emitted=5000)])
    assert progress.ratio is None and progress.eta is None and progress.basis is None


def test_progress_clamps_overshoot_and_provider_ratio() -> None:
    assert compute_progress(records_emitted=1200, estimated_records=1000).ratio == 1.0
    assert compute_progress(provider_ratio=1.7).ratio == 1.0
    assert compute_progress(provider_ratio=0.42).basis == "provider"


def test_stream_ratio_and_done() -> None:
    assert StreamProgress(name="s", records_emitted=50, estimated_records=100).ratio == 0.5
    assert StreamProgress(name="s", records_emitted=100, estimated_records=100).done
    assert StreamProgress(name="s", records_emitted=100).ratio is None


@pytest.mark.parametrize(
    "schedule, words",
    [
        (Schedule(kind="manual"), "manual"),
        (Schedule(kind="basic", expression="Every 24 HOURS"), "every 24 hours"),
        (Schedule(kind="basic", expression="Every 1 HOURS"), "every hour"),
        (Schedule(kind="cron", expression="0 0 */6 * * ? UTC"), "every 6 hours"),
        (Schedule(kind="cron", expression="0 30 2 * * ? UTC"), "daily at 02:30"),
        (Schedule(kind="cron", expression="0 15 10 ? * MON-FRI"), "weekdays at 10:15"),
        (Schedule(kind="cron", expression="0 */15 * * * ? UTC"), "every 15 minutes"),
        (Schedule(kind="cron", expression="0 */6 * * *"), "every 6 hours"),
        (Schedule(kind="cron", expression="30 2 * * *"), "daily at 02:30"),
        (Schedule(kind="cron", expression="0 0 8 ? * MON-FRI UTC"), "weekdays at 08:00"),
        (Schedule(kind="cron", expression="0 5 * * * ?"), "hourly at :05"),
        (Schedule(kind="cron", expression="0 0 12 1 * ?"), "cron 0 0 12 1 * ?"),
    ],
)
def test_schedule_in_words(schedule: Schedule, words: str) -> None:
    assert schedule.describe() == words


def test_counted_says_one_thing_and_many_things() -> None:
    from airsync_tui.textfmt import counted

    assert counted(1, "connection") == "1 connection"
    assert counted(0, "row") == "0 rows"
    assert counted(12000, "line") == "12,000 lines"
