"""`ProviderLogFeed.load_progressive`: prefix first, then the same index as `load`."""

from __future__ import annotations

import functools
from types import SimpleNamespace

from airsync_tui.logs import LogIndex, parse_attempt
from airsync_tui.logs.feed import supports_progressive
from airsync_tui.logs.progressive import MIN_PROGRESSIVE_BYTES
from airsync_tui.logs.synthetic import synthetic_attempt_json
from airsync_tui.models.domain import Job
from airsync_tui.providers.airbyte.statuses import airbyte_job_status
from airsync_tui.providers.base import AttemptLog
from airsync_tui.service.log_feed import ProviderLogFeed


class _Provider:
    """Just what ProviderLogFeed uses: capabilities, job detail, raw attempt logs."""

    def __init__(self, raw: bytes, *, live: bool = False) -> None:
        self.capabilities = SimpleNamespace(job_noun="job", logs_notice=None, jobs_have_attempts=True)
        self.raw = raw
        self.live = live

    async def get_job_detail(self, job_id: str):  # noqa: ANN201
        raise RuntimeError("no detail in this test")

    async def fetch_attempt_log(self, job_id: str, attempt_number: int) -> AttemptLog:
        return AttemptLog(job_id=job_id, attempt_number=attempt_number, raw_json=self.raw, live=self.live)


def _feed(raw: bytes, *, live: bool = False) -> ProviderLogFeed:
    job = Job(provider="airbyte", id="7", connection_id="c1", status=airbyte_job_status("succeeded"))
    return ProviderLogFeed(_Provider(raw, live=live), job, connection_name="Events Firehose → S3")  # type: ignore[arg-type]


@functools.cache
def _big_enough(structured: bool) -> bytes:
    """The smallest synthetic body over the progressive threshold.

    Built once per kind per worker (bytes are immutable; four tests read them): making the
    ~5 MB bodies cost more CPU than the feeds these tests exercise.
    """
    count = 20_000
    while True:
        raw = synthetic_attempt_json(count, structured=structured)
        if len(raw) >= MIN_PROGRESSIVE_BYTES:
            return raw
        count *= 2


async def test_load_progressive_shows_a_prefix_then_returns_the_full_index() -> None:
    for structured in (True, False):
        raw = _big_enough(structured)
        feed = _feed(raw)
        assert supports_progressive(feed)
        prefixes: list[LogIndex] = []
        index = await feed.load_progressive(0, prefixes.append)
        full = parse_attempt(raw).index
        assert len(prefixes) == 1
        assert 0 < len(prefixes[0]) < len(index) == len(full)
        for i in range(len(prefixes[0])):
            assert prefixes[0].line(i) == index.line(i)
        assert index.search("connection reset") == full.search("connection reset")
        assert "failed" in feed.attempt_label(0)  # attempt status still read from the full parse
        assert f"{len(full):,} lines" in feed.attempt_label(0)


async def test_live_attempts_wait_for_the_full_parse() -> None:
    raw = _big_enough(False)
    feed = _feed(raw, live=True)
    prefixes: list[LogIndex] = []
    index = await feed.load_progressive(0, prefixes.append)
    assert prefixes == []
    assert len(index) == len(parse_attempt(raw).index)


async def test_plain_load_is_unchanged() -> None:
    raw = synthetic_attempt_json(1_000)
    index = await _feed(raw).load(0)
    assert len(index) == len(parse_attempt(raw).index)


class _StreamingProvider(_Provider):
    """Delivers the body the way JsonHttp(spool=True) does: chunk by chunk through `spool_chunks`."""

    def __init__(self, raw: bytes, events: list[str], *, live: bool = False) -> None:
        super().__init__(raw, live=live)
        self.events = events

    async def fetch_attempt_log(self, job_id: str, attempt_number: int) -> AttemptLog:
        from airsync_tui.logs.spool import spool_chunks

        async def chunks():  # noqa: ANN202
            for i, start in enumerate(range(0, len(self.raw), 256 * 1024)):
                self.events.append(f"chunk {i}")
                yield self.raw[start : start + 256 * 1024]

        body = await spool_chunks(chunks(), expected_bytes=len(self.raw))
        self.events.append("downloaded")
        return AttemptLog(job_id=job_id, attempt_number=attempt_number, raw_json=body, live=self.live)


async def test_first_lines_show_while_the_rest_still_downloads() -> None:
    for structured in (True, False):
        raw = _big_enough(structured)
        events: list[str] = []
        job = Job(provider="airbyte", id="7", connection_id="c1", status=airbyte_job_status("succeeded"))
        feed = ProviderLogFeed(_StreamingProvider(raw, events), job, connection_name="c")  # type: ignore[arg-type]
        prefixes: list[LogIndex] = []

        def on_prefix(prefix: LogIndex, events: list[str] = events, prefixes: list[LogIndex] = prefixes) -> None:
            events.append("prefix")
            prefixes.append(prefix)

        index = await feed.load_progressive(0, on_prefix)
        assert events.index("prefix") < events.index("downloaded")
        assert events.index("prefix") <= 3  # after the first 512 KiB: chunks 0 and 1
        assert len(prefixes) == 1  # not shown a second time after the download
        full = parse_attempt(raw).index
        assert len(index) == len(full) and index.search("connection reset") == full.search("connection reset")
        for i in range(len(prefixes[0])):
            assert prefixes[0].line(i) == full.line(i) and prefixes[0].prefix(i) == full.prefix(i)


async def test_a_streamed_live_attempt_shows_no_head_start() -> None:
    raw = _big_enough(False).replace(b'"status":"failed"', b'"status":"running"', 1)
    assert b'"running"' in raw[:2000]
    events: list[str] = []
    job = Job(provider="airbyte", id="7", connection_id="c1", status=airbyte_job_status("running"))
    feed = ProviderLogFeed(_StreamingProvider(raw, events, live=True), job, connection_name="c")  # type: ignore[arg-type]
    prefixes: list[LogIndex] = []
    index = await feed.load_progressive(0, prefixes.append)
    assert prefixes == [] and len(index) == len(parse_attempt(raw).index)
