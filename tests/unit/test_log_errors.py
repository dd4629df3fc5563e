"""Error groups in attempt logs: real Airbyte error shapes (Java and Python traces), counts, positions."""

from __future__ import annotations

from datetime import timedelta

from airsync_tui.logs.errors import error_groups, first_line_matching
from airsync_tui.logs.index import Level, LogIndex
from airsync_tui.models.domain import Attempt, FailureInfo, StreamProgress
from airsync_tui.providers.airbyte.statuses import airbyte_job_status
from airsync_tui.service.log_report import attempt_summary_lines, failure_header_lines

# Shapes from Airbyte platform logs (SocketTimeout in a JDBC source, the CDK's HTTP 429 trace).
JAVA = [
    "ERROR i.a.c.i.s.r.AbstractDbSource(read):180 java.net.SocketTimeoutException: Read timed out",
    "\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)",
    "\tat org.postgresql.core.PGStream.receiveChar(PGStream.java:467)",
    "Caused by: java.net.SocketException: Connection reset",
    "\t... 12 more",
]
PYTHON = [
    "Traceback (most recent call last):",
    '  File "/airbyte/integration_code/main.py", line 9, in <module>',
    "    run()",
    "airbyte_cdk.utils.traced_exception.AirbyteTracedException: Request to https://api.stripe.com/v1/charges?limit=100 "
    "failed with status code 429 and error message Too Many Requests",
]


def build(lines: list[tuple[str, int]]) -> LogIndex:
    index = LogIndex()
    for text, level in lines:
        index.append_lines([text], level=level)
    return index


def test_repeated_errors_group_with_counts_first_and_last() -> None:
    rows: list[tuple[str, int]] = [("Starting replication of 6 streams", Level.INFO)]
    for attempt in range(3):
        rows += [(JAVA[0], Level.ERROR)] + [(frame, Level.ERROR) for frame in JAVA[1:]]
        rows += [(f"Retrying in {30 * (attempt + 1)} seconds (attempt {attempt + 1} of 3)", Level.WARN)]
    rows += [(line, Level.INFO) for line in PYTHON]
    rows += [(PYTHON[-1].replace("charges?limit=100", "customers"), Level.INFO)]
    rows += [("Flushing 6135 records for stream order_items (19.5 MB) to staging", Level.INFO)]
    rows += [("Sync failed: job 4073 attempt 2 for connection 9f1c2a7e-51d3-4b8e-9a51-2f1e0e6b7c11", Level.ERROR)]
    index = build(rows)
    groups = error_groups(index)
    assert [(g.count, g.pattern) for g in groups] == [
        (3, "ERROR i.a.c.i.s.r.AbstractDbSource(read):<n> java.net.SocketTimeoutException: Read timed out"),
        (2, "airbyte_cdk.utils.traced_exception.AirbyteTracedException: Request to <url> failed with status code <n> "
            "and error message Too Many Requests"),
        (1, "Sync failed: job <n> attempt <n> for connection <uuid>"),
    ]  # fmt: skip
    java = groups[0]
    assert list(java.lines) == [1, 7, 13] and java.first == 1 and java.last == 13
    assert groups[1].example.endswith("Too Many Requests") and "stripe" in groups[1].example


def test_no_errors_no_groups_and_frames_never_group_alone() -> None:
    assert error_groups(build([("all good", Level.INFO)])) == []
    only_frames = build([(frame, Level.ERROR) for frame in JAVA[1:]])
    assert error_groups(only_frames) == []


def test_first_line_matching_finds_the_failure_even_when_ids_differ() -> None:
    index = build([
        ("INFO starting", Level.INFO),
        ("Request to https://api.stripe.com/v1/charges failed with status code 429 and error message Too Many Requests", Level.ERROR),
    ])  # fmt: skip
    assert first_line_matching(index, "Request to https://api.stripe.com/v1/charges failed with status code 429") == 1
    shifted = "Request to https://api.stripe.com/v1/refunds failed with status code 503 and error message Too Many Requests"
    assert first_line_matching(index, shifted) == 1  # the longest literal run between masked parts
    assert first_line_matching(index, "nothing like it at all in this log") is None
    assert first_line_matching(index, None) is None


def test_failure_header_and_attempt_summary() -> None:
    failure = FailureInfo(origin="source", type="transient_error", stream="charges", retryable=True,
                          message="Rate limit exceeded while reading from Stripe. The sync will be retried.")  # fmt: skip
    assert failure_header_lines(failure) == [
        "origin: source  ·  type: transient_error  ·  stream: charges  ·  retryable: yes",
        "Rate limit exceeded while reading from Stripe. The sync will be retried.",
    ]
    from datetime import UTC, datetime

    start = datetime(2026, 12, 1, tzinfo=UTC)
    attempt = Attempt(
        number=1, status=airbyte_job_status("failed"), created_at=start, ended_at=start + timedelta(minutes=2, seconds=5),
        records_emitted=1500, records_committed=1000, partial_success=True, failures=(failure,),
        streams=(StreamProgress(name="charges", records_emitted=1500, records_committed=1000, estimated_records=1500),),
    )  # fmt: skip
    lines = attempt_summary_lines(attempt)
    assert lines[0] == "attempt 2: failed · 2m 05s · 1,000 committed / 1,500 emitted · partial success"
    assert lines[1].split() == ["charges", "1,000", "committed", "1,500", "emitted", "done"]
    assert lines[2] == "  failed: source · transient_error: Rate limit exceeded while reading from Stripe. The sync will be retried."


def test_a_single_try_provider_shows_no_attempt_numbers() -> None:
    """A Hightouch run is one try: its log viewer said "Attempt 1 of 1" and "attempt 1: success" while
    the job panel says runs have no attempts. The feed and the summary name the run instead."""
    import asyncio
    from datetime import UTC, datetime

    from airsync_tui.models.domain import Attempt
    from airsync_tui.providers.hightouch.statuses import hightouch_run_status
    from airsync_tui.service.log_feed import ProviderLogFeed
    from airsync_tui.service.log_report import attempt_summary_lines
    from tests.ui.fakes import FakeProvider, hightouch_caps, hightouch_world

    connections, jobs = hightouch_world()
    provider = FakeProvider("hightouch", "Hightouch", connections=connections, jobs=jobs, capabilities=hightouch_caps())
    feed = ProviderLogFeed(provider, jobs[0], connection_name="users → Salesforce")
    asyncio.run(feed.resolve_attempts())
    label = feed.attempt_label(feed.initial_attempt)
    assert label.startswith("Run · ") and "Attempt" not in label
    attempt = Attempt(number=0, status=hightouch_run_status("success"), created_at=datetime(2026, 12, 1, tzinfo=UTC))
    assert attempt_summary_lines(attempt, noun=None)[0] == "success"
    assert attempt_summary_lines(attempt)[0] == "attempt 1: success"  # providers with attempts keep the number
