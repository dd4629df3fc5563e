"""Attempt logs from any provider, for the log screen and `airsync logs`.

`ProviderLogFeed` implements the log screen's `AttemptLogFeed` over
`SyncProvider.fetch_attempt_log`: Airbyte returns the config API's raw attempt
JSON (parsed off the event loop into a compact `LogIndex`), Hightouch returns
summary lines plus a notice that it has no log text. Follow mode re-fetches
the attempt (Airbyte only serves whole logs) and appends only the new records.

`load_progressive` (the optional capability the log screen prefers) shows a
big finished attempt's first lines while the full parse runs: see
`airsync_tui.logs.progressive`. A live attempt opens at the bottom in follow
mode, where the first lines are useless, so it simply waits for the full
parse (live logs are also the short ones: they are still being written).
"""

from __future__ import annotations

import asyncio
import inspect
import re
from typing import TYPE_CHECKING, Any, TextIO

from airsync_tui.errors import EXIT_OK
from airsync_tui.logs import LogIndex, append_attempt_json, default_attempt_label, parse_attempt
from airsync_tui.logs.parse import AttemptLog as ParsedAttempt
from airsync_tui.logs.progressive import PrefixCallback, find_log_array, parse_prefix, parse_progressive
from airsync_tui.logs.spool import BODY_OBSERVER, HEAD_HOOK
from airsync_tui.models.domain import Job, JobDetail
from airsync_tui.providers.base import AttemptLog, SyncProvider

if TYPE_CHECKING:  # the watcher imports this module
    from airsync_tui.service.watcher import Watcher


def _spill_and_trim(index: LogIndex) -> None:
    """After a big parse: text to a mapped temp file, freed parse garbage back to the OS."""
    from airsync_tui.logs.memory import release_free_memory

    if index.spill():
        release_free_memory()


#: A running attempt's status in the JSON before the log array (see `config_get_attempt_raw`).
_RUNNING = re.compile(rb'(?<!\\)"status"\s*:\s*"running"', re.IGNORECASE)


def _show_head(head: bytes, on_prefix: PrefixCallback) -> asyncio.Future[Any] | None:
    """Hand the records in the first bytes of a download to ``on_prefix``; the
    future resolves once they are painted (``None`` when nothing could be shown)."""
    try:
        located = find_log_array(head)
        if located is None or _RUNNING.search(head, 0, located[1]):
            return None  # a live attempt opens at the bottom in follow mode: its first lines are no use
        prefix = parse_prefix(head, max_bytes=len(head))
        if prefix is None or not len(prefix):
            return None
        result = on_prefix(prefix)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if inspect.isawaitable(result):
            return asyncio.ensure_future(result)
        future.set_result(None)
        return future
    except Exception:  # noqa: BLE001 — only a head start: the full parse that follows decides
        return None


class ProviderLogFeed:
    """An `AttemptLogFeed` over one job of one provider."""

    def __init__(
        self,
        provider: SyncProvider,
        job: Job,
        *,
        detail: JobDetail | None = None,
        connection_name: str | None = None,
        attempt_number: int | None = None,
        spill: bool = True,
    ) -> None:
        self.provider = provider
        #: Spill finished big logs to a mapped temp file (viewers); one-shot printers keep them in memory.
        self.spill = spill
        self.job = job
        self.job_id = job.id
        self.connection_name = connection_name or job.connection_id
        noun = provider.capabilities.job_noun
        self.title = f"{self.connection_name} · {noun} {job.id}"
        #: False for providers whose jobs are one try (a Hightouch run): no attempt numbers are shown.
        self.has_attempts = provider.capabilities.jobs_have_attempts
        self.job_noun = noun
        self.notice: str | None = provider.capabilities.logs_notice
        self._statuses: dict[int, str] = {}
        self._live: dict[int, bool] = {}
        self._lines: dict[int, int] = {}
        self._detail_known = detail is not None and bool(detail.attempts)
        if detail is not None and detail.attempts:
            self.attempt_numbers = [a.number for a in detail.attempts]
            for attempt in detail.attempts:
                self._statuses[attempt.number] = attempt.status.label
                self._live[attempt.number] = attempt.status.is_active
        else:
            self.attempt_numbers = [0]
        if attempt_number is not None and attempt_number not in self.attempt_numbers:
            self.attempt_numbers = sorted({*self.attempt_numbers, attempt_number})
        self.initial_attempt = attempt_number if attempt_number is not None else self.attempt_numbers[-1]

    async def resolve_attempts(self) -> None:
        """Learn the attempt list when the feed was opened without job detail."""
        if self._detail_known:
            return
        try:
            detail = await self.provider.get_job_detail(self.job.id)
        except Exception:  # noqa: BLE001 — logs are still worth showing without the attempt list
            return
        self._detail_known = True
        numbers = [a.number for a in detail.attempts]
        if numbers:
            self.attempt_numbers[:] = sorted({*self.attempt_numbers, *numbers})
            for attempt in detail.attempts:
                self._statuses[attempt.number] = attempt.status.label
                self._live.setdefault(attempt.number, attempt.status.is_active)

    async def _fetch(self, attempt_number: int) -> AttemptLog:
        log = await self.provider.fetch_attempt_log(self.job.id, attempt_number)
        self._live[attempt_number] = log.live
        if log.notice:
            self.notice = log.notice
        return log

    async def load(self, attempt_number: int) -> LogIndex:
        return await self._load(attempt_number, None)

    async def load_progressive(self, attempt_number: int, on_prefix: PrefixCallback) -> LogIndex:
        """`load`, but a big finished attempt's first lines go to `on_prefix` first."""
        return await self._load(attempt_number, on_prefix)

    async def _load(self, attempt_number: int, on_prefix: PrefixCallback | None) -> LogIndex:
        await self.resolve_attempts()
        painted: list[asyncio.Future[Any] | None] = []
        shown = False
        if on_prefix is None:
            log = await self._fetch(attempt_number)
        else:
            # A big body's first lines go on screen while the rest still downloads (logs/spool.py).
            token = HEAD_HOOK.set(lambda head: painted.append(_show_head(head, on_prefix)))
            try:
                log = await self._fetch(attempt_number)
            finally:
                HEAD_HOOK.reset(token)
            first = painted[0] if painted else None
            shown = first is not None
            if first is not None:
                await first  # painted before the full parse holds the GIL
        if log.raw_json is not None:
            if on_prefix is None:
                parsed = await asyncio.to_thread(parse_attempt, log.raw_json)
            else:
                parsed = await parse_progressive(log.raw_json, on_prefix, use_prefix=not log.live and not shown)
            self._remember_status(attempt_number, parsed)
            index = parsed.index
        else:
            index = LogIndex.from_lines(log.text_lines)
        if not log.live and self.spill:
            # A finished big log leaves the heap for a mapped temp file (LogIndex.spill): RSS stays flat.
            await asyncio.to_thread(_spill_and_trim, index)
        self._lines[attempt_number] = len(index)
        return index

    def _remember_status(self, attempt_number: int, parsed: ParsedAttempt) -> None:
        status = parsed.attempt.get("status") if isinstance(parsed.attempt, dict) else None
        if status:
            self._statuses[attempt_number] = str(status)

    async def poll(self, attempt_number: int, index: LogIndex) -> int:
        log = await self._fetch(attempt_number)
        if log.raw_json is None:
            return 0
        added = await asyncio.to_thread(append_attempt_json, index, log.raw_json)
        self._lines[attempt_number] = len(index)
        return added

    def is_live(self, attempt_number: int) -> bool:
        return self._live.get(attempt_number, False)

    def attempt_label(self, attempt_number: int) -> str:
        position = self.attempt_numbers.index(attempt_number) if attempt_number in self.attempt_numbers else 0
        status = "running" if self.is_live(attempt_number) else self._statuses.get(attempt_number, "")
        single_try = None if self.has_attempts else self.job_noun.capitalize()
        return default_attempt_label(position, len(self.attempt_numbers), status, self._lines.get(attempt_number), single_try=single_try)


def make_log_feed(watcher: Watcher, job_key: str, attempt_number: int | None = None) -> ProviderLogFeed:
    """A feed for a job the watcher knows (detail and names from its state)."""
    provider = watcher.provider_for_key(job_key)
    job = watcher.store.jobs.get(job_key)
    if job is None:
        raise KeyError(f"unknown job {job_key}")
    connection = watcher.store.connections.get(job.connection_key)
    return ProviderLogFeed(
        provider,
        job,
        detail=watcher.store.details.get(job_key),
        connection_name=connection.name if connection else None,
        attempt_number=attempt_number,
    )


async def print_attempt_log(provider: SyncProvider, job: Job, *, attempt_number: int | None, out: TextIO) -> int:
    """`airsync logs JOB [--attempt N]`: print the attempt's sanitised, formatted lines.

    (`--follow` goes through the watcher's `follow_logs`, like every live view.)
    """
    feed = ProviderLogFeed(provider, job, attempt_number=attempt_number, spill=False)
    await feed.resolve_attempts()
    number = attempt_number if attempt_number is not None else feed.attempt_numbers[-1]
    from airsync_tui.logs.export import write_formatted  # block writes, no per-line Python
    from airsync_tui.logs.stream_export import StreamExport

    # The log is formatted while the body downloads; written once the whole body is checked.
    exporter = StreamExport()
    token = BODY_OBSERVER.set(exporter)
    try:
        log = await feed._fetch(number)
    finally:
        BODY_OBSERVER.reset(token)
    if feed.notice:
        print(f"# {feed.notice}", file=out)
    if log.raw_json is not None:
        exporter.finish(log.raw_json, out)
    else:
        write_formatted(LogIndex.from_lines(log.text_lines), out)
    out.flush()
    return EXIT_OK
