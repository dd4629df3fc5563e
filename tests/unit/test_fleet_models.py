"""Schedule requests, the shared filter language and the action journal (no network)."""

from __future__ import annotations

from pathlib import Path

import pytest

from airsync_tui.models.domain import Connection, Schedule
from airsync_tui.models.schedule_change import ScheduleChange, ScheduleError
from airsync_tui.service.filtering import filter_connections, parse_filter
from airsync_tui.service.journal import FAILED, SKIPPED, SUCCEEDED, Journal
from airsync_tui.service.local_state import open_state


@pytest.mark.parametrize(
    ("text", "cron", "words"),
    [
        ("6h", "0 0 */6 * * ? UTC", "every 6 hours"),
        ("1h", "0 0 * * * ? UTC", "hourly at :00"),
        ("30m", "0 */30 * * * ? UTC", "every 30 minutes"),
        ("1d", "0 0 0 * * ? UTC", "daily at 00:00"),
    ],
)
def test_every_becomes_the_equivalent_cron(text: str, cron: str, words: str) -> None:
    change = ScheduleChange.every(text)
    assert (change.kind, change.cron, change.describe()) == ("cron", cron, words)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("7h", "does not divide a day"),
        ("7m", "does not divide an hour"),
        ("2d", "longer than a day"),
        ("soon", "cannot read interval"),
    ],
)
def test_bad_intervals_say_what_to_do(text: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        ScheduleChange.every(text)


def test_cron_unix_weekdays_become_quartz_and_read_in_words() -> None:
    change = ScheduleChange.from_cron("30 6 * * 1-5")
    assert change.cron == "0 30 6 ? * 2-6 UTC"
    assert change.describe() == "weekdays at 06:30"
    assert ScheduleChange.from_cron("0 0 12 * * ? Europe/Paris").cron == "0 0 12 * * ? Europe/Paris"
    for bad, message in (
        ("0 61 * * * ?", "outside 0–59"),
        ("0 0 * * * *", "'?'"),
        ("a b", "2 fields"),
    ):
        with pytest.raises(ScheduleError, match=message):
            ScheduleChange.from_cron(bad)


def test_restoring_a_basic_schedule_uses_its_cron_twin_and_same_as_detects_no_ops() -> None:
    restore = ScheduleChange.from_schedule(Schedule(kind="basic", expression="Every 24 HOURS"))
    assert restore.cron == "0 0 0 * * ? UTC"
    assert ScheduleChange.manual().same_as(Schedule(kind="manual"))
    assert ScheduleChange.every("6h").same_as(Schedule(kind="cron", expression="0 0 */6 * * ?  UTC"))
    assert not ScheduleChange.every("6h").same_as(Schedule(kind="cron", expression="0 0 */12 * * ? UTC"))
    assert ScheduleChange.from_json(ScheduleChange.every("6h").to_json()) == ScheduleChange.every("6h")


def test_filter_language_is_shared_and_inert() -> None:
    conns = [
        Connection(
            provider="airbyte",
            id="a1",
            name="Postgres → Snowflake",
            destination="snowflake",
        ),
        Connection(provider="hightouch", id="42", name="users-to-salesforce"),
        Connection(provider="airbyte", id="a2", name="evil \x1b[2Jname"),
    ]
    names = {"airbyte": "Airbyte", "hightouch": "Hightouch"}
    assert [c.id for c in filter_connections(conns, "SNOWflake", names)] == ["a1"]
    assert [c.id for c in filter_connections(conns, "!snowflake", names)] == [
        "42",
        "a2",
    ]
    assert [c.id for c in filter_connections(conns, "hightouch", names)] == ["42"]
    assert [c.id for c in filter_connections(conns, "", names)] == ["a1", "42", "a2"]
    assert [c.id for c in filter_connections(conns, "[2j", names)] == []  # escape sequences are not searchable text
    assert parse_filter("  !Foo ") == ("foo", True)


def test_journal_records_results_and_finds_the_last_reversible(tmp_path: Path) -> None:
    conn = open_state(tmp_path / "s.sqlite3")
    journal = Journal(conn)
    first = journal.begin(
        profile="p",
        action="pause",
        params={},
        summary="pause 2 connections",
        targets=[("airbyte", "a", "A"), ("hightouch", "1", "B")],
    )
    journal.record_result(first, 0, SUCCEEDED, undo={"action": "resume"})
    journal.record_result(first, 1, FAILED, reason="HTTP 500")
    journal.finish(first)
    noop = journal.begin(
        profile="p",
        action="pause",
        params={},
        summary="pause 1 connection",
        targets=[("airbyte", "a", "A")],
    )
    journal.record_result(noop, 0, SKIPPED, reason="already paused")
    journal.finish(noop)
    entry = journal.last_reversible()
    assert entry is not None and entry.id == first
    assert [t.key for t in entry.reversible_targets] == ["airbyte:a"]
    assert entry.counts()[FAILED] == 1 and entry.providers == ["airbyte", "hightouch"]
    undo = journal.begin(
        profile="p",
        action="undo",
        params={},
        summary="undo",
        targets=[("airbyte", "a", "A")],
        reverses=first,
    )
    journal.record_result(undo, 0, SUCCEEDED, undo={"action": "pause"})
    journal.finish(undo)
    assert journal.get(first).undone_by == undo  # type: ignore[union-attr]
    assert journal.last_reversible() is None  # undo entries are not themselves undone by `u`
    # Reopening the same file (another process) sees the same journal.
    conn.close()
    again = Journal(open_state(tmp_path / "s.sqlite3"))
    assert [e.id for e in again.entries()] == [undo, noop, first]
    assert (tmp_path / "s.sqlite3").stat().st_mode & 0o777 == 0o600
