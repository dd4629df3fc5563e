"""`ProviderLogFeed.load_progressive`: prefix first, then the same index as `load`."""

from __future__ import annotations

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
        self.capabilities = SimpleNamespace(job_noun="job", logs_notice=None)
        self.raw = raw
        self.live = live

    async def get_job_detail(self, job_id: str):  # noqa: ANN201
        raise RuntimeError("no detail in this test")

    async def fetch_attempt_log(self, job_id: str, attempt_number: int) -> AttemptLog:
        return AttemptLog(job_id=job_id, attempt_number=attempt_number, raw_json=self.raw, live=self.live)


def _feed(raw: bytes, *, live: bool = False) -> ProviderLogFeed:
    job = Job(provider="airbyte", id="7", connection_id="c1", status=airbyte_job_status("succeeded"))
    return ProviderLogFeed(_Provider(raw, live=live), job, connection_name="Events Firehose → S3")  # type: ignore[arg-type]


def _big_enough(structured: bool) -> bytes:
    """The smallest synthetic body over the progressive threshold."""
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
