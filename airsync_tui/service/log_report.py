"""What explains a failed attempt: its failure header, its error groups and a dbt-style summary.

Shared by `airsync logs JOB --errors` / `--tail N` and the log viewer's
failure header and error panel, so both say the same thing.
"""

from __future__ import annotations

from collections import deque
from typing import TextIO

from airsync_tui.errors import EXIT_OK
from airsync_tui.logs.errors import ErrorGroup, error_groups
from airsync_tui.logs.index import LogIndex
from airsync_tui.logs.sanitize import sanitize_text
from airsync_tui.models.domain import Attempt, FailureInfo, Job, JobDetail
from airsync_tui.providers.base import SyncProvider
from airsync_tui.service.log_feed import ProviderLogFeed
from airsync_tui.textfmt import count, counted, duration


def _inert(text: object) -> str:
    return sanitize_text(str(text), keep_newlines=False)


def failure_header_lines(failure: FailureInfo) -> list[str]:
    """The pinned header: origin, type, stream, retryable, and the external message."""
    parts = [
        f"origin: {failure.origin or '?'}",
        f"type: {failure.type or '?'}",
        f"stream: {failure.stream or '-'}",
        f"retryable: {'yes' if failure.retryable else 'no' if failure.retryable is False else '?'}",
    ]
    lines = ["  ·  ".join(parts)]
    message = failure.message or failure.internal_message
    if message:
        lines.append(_inert(message)[:400])
    if failure.internal_message and failure.internal_message != message:
        lines.append(f"internal: {_inert(failure.internal_message)[:300]}")
    return lines


def attempt_summary_lines(attempt: Attempt, *, noun: str | None = "attempt") -> list[str]:
    """End-of-run summary (as dbt prints one): outcome, duration, records, then one line per stream.

    `noun=None` for a provider whose jobs are one try: the outcome alone, no "attempt 1:".
    """
    head = [f"{noun} {attempt.number + 1}: {attempt.status.label}" if noun else attempt.status.label]
    took = attempt.duration
    if took is not None:
        head.append(duration(took))
    if attempt.records_committed is not None or attempt.records_emitted is not None:
        head.append(f"{count(attempt.records_committed)} committed / {count(attempt.records_emitted)} emitted")
    if attempt.partial_success:
        head.append("partial success")
    lines = [" · ".join(head)]
    for stream in attempt.streams:
        name = f"{stream.namespace}.{stream.name}" if stream.namespace else stream.name
        done = "done" if stream.done else ""
        lines.append(
            f"  {_inert(name):<32} {count(stream.records_committed):>12} committed  {count(stream.records_emitted):>12} emitted  {done}".rstrip()
        )
    for failure in attempt.failures:
        lines.append(f"  failed: {_inert(failure.summary())[:300]}")
    return lines


def group_lines(index: LogIndex, groups: list[ErrorGroup]) -> list[str]:
    out = []
    for number, group in enumerate(groups, 1):
        first, last = group.first, group.last
        when = ""
        if index.timestamp(first):
            when = f" · first {index.prefix(first).split('  ')[0].strip()}"
        out.append(f"#{number} ×{group.count} · lines {first + 1}–{last + 1}{when}")
        out.append(f"    {_inert(group.pattern)}")
        if group.example != group.pattern:
            out.append(f"    e.g. {_inert(group.example)[:300]}")
    return out


async def _load(provider: SyncProvider, job: Job, attempt_number: int | None) -> tuple[ProviderLogFeed, int, LogIndex, JobDetail | None]:
    detail: JobDetail | None
    try:
        detail = await provider.get_job_detail(job.id)
    except Exception:  # noqa: BLE001 - the log is still worth printing without the attempt list
        detail = None
    try:  # the title names the connection, as the dashboard's does (not its id: a UUID on Airbyte)
        name: str | None = (await provider.get_connection(job.connection_id)).name
    except Exception:  # noqa: BLE001 - the id then stands in; the log is what was asked for
        name = None
    feed = ProviderLogFeed(provider, job, detail=detail, connection_name=name, attempt_number=attempt_number, spill=False)
    await feed.resolve_attempts()
    number = attempt_number if attempt_number is not None else feed.attempt_numbers[-1]
    return feed, number, await feed.load(number), detail


async def print_log_errors(provider: SyncProvider, job: Job, *, attempt_number: int | None, out: TextIO) -> int:
    """`airsync logs JOB --errors`: failure header, error groups, attempt summary."""
    feed, number, index, detail = await _load(provider, job, attempt_number)
    attempt = next((a for a in detail.attempts if a.number == number), None) if detail else None
    if feed.notice:
        print(f"# {_inert(feed.notice)}", file=out)
    which = f" · attempt {number + 1}" if feed.has_attempts else ""  # a single-try run: the title names it
    print(f"{_inert(feed.title)}{which} · {counted(len(index), 'line')}", file=out)
    if attempt is not None and attempt.failures:
        print("\nFailure", file=out)
        for line in failure_header_lines(attempt.failures[0]):
            print(f"  {line}", file=out)
    groups = error_groups(index)
    print(
        f"\nError groups ({len(groups)})" if groups else "\nNo ERROR or exception lines.",
        file=out,
    )
    for line in group_lines(index, groups):
        print(f"  {line}", file=out)
    if attempt is not None:
        print("\nSummary", file=out)
        for line in attempt_summary_lines(attempt, noun="attempt" if feed.has_attempts else None):
            print(f"  {line}", file=out)
    out.flush()
    return EXIT_OK


async def print_log_tail(
    provider: SyncProvider,
    job: Job,
    *,
    attempt_number: int | None,
    lines: int,
    out: TextIO,
) -> int:
    """`airsync logs JOB --tail N`: the last N formatted lines."""
    feed, _number, index, _detail = await _load(provider, job, attempt_number)
    if feed.notice:
        print(f"# {_inert(feed.notice)}", file=out)
    start = max(0, len(index) - max(0, lines))
    tail: deque[str] = deque(maxlen=max(0, lines))
    tail.extend(index.formatted(i) for i in range(start, len(index)))
    out.write("".join(line + "\n" for line in tail))
    out.flush()
    return EXIT_OK


__all__ = [
    "attempt_summary_lines",
    "failure_header_lines",
    "group_lines",
    "print_log_errors",
    "print_log_tail",
]
