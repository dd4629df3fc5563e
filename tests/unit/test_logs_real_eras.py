"""Legacy ``logLines`` in the shapes real Airbyte servers wrote before 2024-10.

The fixtures are written for these tests, modelled on attempt logs quoted in
public Airbyte issues (e.g. airbytehq/airbyte#7227, #16417 era 2021-2022,
#29173 2023, #36199 and #45119 2024): platform lines with no source word,
connector lines with a second timestamp and level after ``destination >``,
ANSI colours around the level and the source word (destination 43,
orchestrator 46), and a stack trace joined into one element.
"""

from __future__ import annotations

import calendar
import time

import pytest

from airsync_tui.logs import Level, Source, parse_attempt
from airsync_tui.logs import parse as parse_module
from airsync_tui.logs.parse import INDEX_CHUNK_RECORDS, index_from_logs

ESC = "\x1b"


def ms(stamp: str) -> int:
    return calendar.timegm(time.strptime(stamp, "%Y-%m-%d %H:%M:%S")) * 1000


ERA_2021 = [
    "2021-09-23 21:16:49 INFO () DefaultReplicationWorker(run):104 - start sync worker. job id: 12 attempt id: 0",
    "2021-09-23 21:16:50 WARN () DefaultReplicationWorker(run):172 - State capture: No state retained.",
]

ERA_2022 = [
    "2022-03-24 17:46:40 INFO i.a.w.g.DefaultReplicationWorker(run):104 - start sync worker. job id: 41 attempt id: 0",
    "2022-03-24 17:46:44 destination > 2022-03-24 17:46:44 INFO i.a.i.d.s.SnowflakeDestination(main):81 - starting destination",
    "2022-03-24 17:46:45 source > 2022-03-24 17:46:45 ERROR i.a.i.s.p.PostgresSource(main):130 - connection refused",
]

ERA_2023 = [
    f"2023-08-06 05:03:39 {ESC}[32mINFO{ESC}[m i.a.w.p.KubePodProcess(waitForInitPodToRun):362 - Waiting for init container",
    f"2023-08-06 05:03:41 {ESC}[43mdestination{ESC}[0m > 2023-08-06 05:03:41 {ESC}[33mWARN{ESC}[m i.a.i.d.b.BufferManager(flush):77 - slow flush",
    f"2023-08-06 05:03:42 {ESC}[46mreplication-orchestrator{ESC}[0m > Records read: 5000 (1 MB)",
]

ERA_2024 = [
    "2024-09-04 07:09:25 replication-orchestrator > processMessage: done.",
    "2024-09-04 07:10:36 destination > INFO i.a.i.b.FailureTrackingAirbyteMessageConsumer(close):80 Airbyte message consumer: succeeded.",
    "2024-09-04 07:10:56 INFO i.a.a.SegmentAnalyticsClient(close):233 - Closing Segment analytics client...",
    "2024-09-04 07:10:57 platform > Retry State: RetryManager(completeFailureBackoffPolicy=null)",
]

TRACE_ELEMENT = (
    "2024-09-04 07:11:00 platform > Failing job: 88, reason: Something went wrong during replication\n"
    "java.lang.RuntimeException: Destination process exit with code 3\n"
    "\tat io.airbyte.workers.general.BufferedReplicationWorker.run(BufferedReplicationWorker.java:535)"
)


def parse(lines: list[str]):  # type: ignore[no-untyped-def]  # test helper
    return parse_attempt({"logs": {"logLines": lines}, "logType": "formatted"}).index


def test_2021_platform_lines_without_source_word() -> None:
    index = parse(ERA_2021)
    assert [index.source(i) for i in range(2)] == [Source.PLATFORM] * 2
    assert [index.level(i) for i in range(2)] == [Level.INFO, Level.WARN]
    assert index.timestamp(1) == ms("2021-09-23 21:16:50")
    assert index.line(0) == "() DefaultReplicationWorker(run):104 - start sync worker. job id: 12 attempt id: 0"


def test_2022_connector_lines_with_their_own_timestamp_and_level() -> None:
    index = parse(ERA_2022)
    assert [index.source(i) for i in range(3)] == [
        Source.PLATFORM,
        Source.DESTINATION,
        Source.SOURCE,
    ]
    assert [index.level(i) for i in range(3)] == [Level.INFO, Level.INFO, Level.ERROR]
    assert [index.timestamp(i) for i in range(3)] == [
        ms("2022-03-24 17:46:40"),
        ms("2022-03-24 17:46:44"),
        ms("2022-03-24 17:46:45"),
    ]
    # the connector's own timestamp and level are not repeated in the message
    assert index.line(1) == "i.a.i.d.s.SnowflakeDestination(main):81 - starting destination"


def test_2023_ansi_around_level_and_source_words() -> None:
    index = parse(ERA_2023)
    assert [index.source(i) for i in range(3)] == [
        Source.PLATFORM,
        Source.DESTINATION,
        Source.ORCHESTRATOR,
    ]
    assert [index.level(i) for i in range(3)] == [Level.INFO, Level.WARN, Level.UNKNOWN]
    assert index.line(0) == "i.a.w.p.KubePodProcess(waitForInitPodToRun):362 - Waiting for init container"
    assert index.line(1) == "i.a.i.d.b.BufferManager(flush):77 - slow flush"
    assert ESC not in "".join(index.line(i) for i in range(3))
    assert index.timestamp(2) == ms("2023-08-06 05:03:42")


def test_2024_mixed_lines_with_and_without_level_or_source() -> None:
    index = parse(ERA_2024)
    assert [index.source(i) for i in range(4)] == [
        Source.ORCHESTRATOR,
        Source.DESTINATION,
        Source.PLATFORM,
        Source.PLATFORM,
    ]
    assert [index.level(i) for i in range(4)] == [
        Level.UNKNOWN,
        Level.INFO,
        Level.INFO,
        Level.UNKNOWN,
    ]
    assert index.line(2) == "i.a.a.SegmentAnalyticsClient(close):233 - Closing Segment analytics client..."


def test_stack_trace_joined_into_one_element() -> None:
    index = parse([ERA_2024[0], TRACE_ELEMENT, ERA_2024[1]])
    assert index.record_count == 3 and len(index) == 5
    stamp = ms("2024-09-04 07:11:00")
    assert [index.timestamp(i) for i in (1, 2, 3)] == [stamp] * 3
    assert [index.source(i) for i in (1, 2, 3)] == [Source.PLATFORM] * 3
    assert index.line(3).startswith("        at io.airbyte.workers")
    assert index.source(4) is Source.DESTINATION and index.level(4) is Level.INFO


#: Chunks of 1,000 records instead of the product's 100,000 (`INDEX_CHUNK_RECORDS`): the same chunk
#: seams at headed lines over a 1 % log (the full-size logs cost ~4.5 s of CPU for these four tests).
TEST_CHUNK_RECORDS = 1_000


@pytest.mark.parametrize("era", [ERA_2021, ERA_2022, ERA_2023, ERA_2024])
def test_big_logs_index_the_same_in_chunks(era: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks start at headed lines; the older headers must count as such."""
    assert TEST_CHUNK_RECORDS < INDEX_CHUNK_RECORDS
    monkeypatch.setattr(parse_module, "INDEX_CHUNK_RECORDS", TEST_CHUNK_RECORDS)
    lines = (era + [TRACE_ELEMENT]) * (TEST_CHUNK_RECORDS // len(era) + 3)
    whole = index_from_logs({"logLines": lines})
    small = parse(era + [TRACE_ELEMENT])
    per = len(era) + 1
    assert whole.record_count == len(lines)
    assert len(whole) == len(small) * (len(lines) // per)
    last = len(whole) - len(small)
    for i in range(len(small)):
        assert (
            whole.source(last + i),
            whole.level(last + i),
            whole.line(last + i),
        ) == (small.source(i), small.level(i), small.line(i))
