"""Where the log screen gets its data from, without knowing the provider.

``LogScreen`` only talks to an :class:`AttemptLogFeed`. The Airbyte feed
(config API ``attempt/get_for_job``) and the Hightouch feed (no log text:
the run's error and details) live with the providers; :class:`StaticLogFeed`
here serves in-memory logs for tests, demos and benchmarks.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from airsync_tui.logs.index import LogIndex
from airsync_tui.logs.parse import parse_attempt
from airsync_tui.logs.progressive import PrefixCallback, parse_progressive
from airsync_tui.textfmt import counted

if TYPE_CHECKING:
    from typing_extensions import TypeIs  # typing.TypeIs is 3.13+; this module runs on 3.11

__all__ = [
    "AttemptLogFeed",
    "ProgressiveLogFeed",
    "PrefixCallback",
    "StaticLogFeed",
    "StaticAttempt",
    "default_attempt_label",
    "supports_progressive",
]


@runtime_checkable
class AttemptLogFeed(Protocol):
    """What the attempt-log screen needs from a provider."""

    title: str
    """e.g. ``"Postgres → Snowflake · job 4812"``."""
    attempt_numbers: list[int]
    """Available attempts (0-based numbers, oldest first)."""
    initial_attempt: int
    notice: str | None
    """Shown above the log, e.g. "Hightouch exposes no log text; …"."""
    # Optional (read with getattr): ``connection_name: str`` and ``job_id``
    # name the saved file; otherwise they are derived from ``title``.
    # ``load``/``poll`` should parse big responses off the event loop
    # (``asyncio.to_thread(parse_attempt, body)``) so the UI stays responsive.

    async def load(self, attempt_number: int) -> LogIndex:
        """The full log of that attempt."""
        ...

    async def poll(self, attempt_number: int, index: LogIndex) -> int:
        """Append only NEW lines into ``index``; return how many were added."""
        ...

    def is_live(self, attempt_number: int) -> bool:
        """Still running: the screen follows and polls every ~2.5 s."""
        ...

    def attempt_label(self, attempt_number: int) -> str:
        """e.g. ``"Attempt 2 of 3 · failed · 1,204 lines"``."""
        ...


@runtime_checkable
class ProgressiveLogFeed(Protocol):
    """OPTIONAL extra capability of an :class:`AttemptLogFeed`.

    A feed that can show a big log before it is fully indexed implements
    ``load_progressive``; the screen uses it when present and falls back to
    ``load`` otherwise, so existing feeds keep working unchanged.
    """

    async def load_progressive(self, attempt_number: int, on_prefix: PrefixCallback) -> LogIndex:
        """Like ``load``, but may first call ``on_prefix`` (at most once) with
        an index of the log's FIRST lines, whose line ``i`` is line ``i`` of
        the returned full index. If ``on_prefix`` returns an awaitable, it is
        awaited before the (GIL-heavy) full parse starts."""
        ...


def supports_progressive(feed: object) -> TypeIs[ProgressiveLogFeed]:
    """Whether ``feed`` offers :meth:`ProgressiveLogFeed.load_progressive` (and, for the
    type checker, ``feed`` is then both its own type and a ``ProgressiveLogFeed``)."""
    return callable(getattr(feed, "load_progressive", None))


def default_attempt_label(position: int, total: int, status: str, lines: int | None, *, single_try: str | None = None) -> str:
    """ "Attempt 2 of 3 · failed · 1,204 lines"; a provider whose jobs are one try names it instead
    (`single_try`, e.g. "Run"): "Attempt 1 of 1" would mean nothing there."""
    parts = [single_try if single_try else f"Attempt {position + 1} of {total}"]
    if status:
        parts.append(status)
    if lines is not None:
        parts.append(counted(lines, "line"))
    return " · ".join(parts)


@dataclass
class StaticAttempt:
    """One in-memory attempt. ``factory`` builds the index lazily (big demos)."""

    index: LogIndex | None = None
    status: str = "succeeded"
    live: bool = False
    factory: Callable[[], LogIndex] | None = None
    #: Batches of messages that successive polls append (follow-mode demos/tests).
    pending: list[list[str]] = field(default_factory=list)
    #: Raised by ``load`` (error-path tests).
    error: Exception | None = None
    #: Attempt JSON bytes (``attempt/get_for_job`` body); parsed on load like
    #: a real feed does, progressively in ``load_progressive``.
    raw: bytes | None = None
    #: ``load_progressive`` waits for this after handing out the prefix, so
    #: tests can look at the prefix state without timing assumptions.
    hold_full: asyncio.Event | None = None


class StaticLogFeed:
    """An :class:`AttemptLogFeed` over in-memory attempts."""

    def __init__(
        self,
        title: str,
        attempts: dict[int, StaticAttempt] | Iterable[LogIndex],
        *,
        initial_attempt: int | None = None,
        notice: str | None = None,
        load_delay: float = 0.0,
        connection_name: str | None = None,
        job_id: int | str | None = None,
        prefix_lines: int = 2_000,
        min_progressive_bytes: int = 4 * 1024 * 1024,
    ) -> None:
        if not isinstance(attempts, dict):
            attempts = {n: StaticAttempt(index=idx) for n, idx in enumerate(attempts)}
        self.title = title
        self.attempts = attempts
        self.attempt_numbers = sorted(attempts)
        self.initial_attempt = self.attempt_numbers[-1] if initial_attempt is None else initial_attempt
        self.notice = notice
        self.load_delay = load_delay
        self.load_calls: list[int] = []
        #: Progressive loading knobs (small so tests can exercise it).
        self.prefix_lines = prefix_lines
        self.min_progressive_bytes = min_progressive_bytes
        #: Optional extras the screen uses for the save-file name.
        self.connection_name = connection_name
        self.job_id = job_id

    async def load(self, attempt_number: int) -> LogIndex:
        self.load_calls.append(attempt_number)
        if self.load_delay:
            await asyncio.sleep(self.load_delay)
        attempt = self.attempts[attempt_number]
        if attempt.error is not None:
            raise attempt.error
        if attempt.index is None and attempt.raw is not None:
            attempt.index = (await asyncio.to_thread(parse_attempt, attempt.raw)).index
        return self._copy(attempt)

    async def load_progressive(self, attempt_number: int, on_prefix: PrefixCallback) -> LogIndex:
        """``load``, first showing a prefix: parsed from ``raw`` when there is
        one (the real code path), else the first ``prefix_lines`` lines."""
        self.load_calls.append(attempt_number)
        if self.load_delay:
            await asyncio.sleep(self.load_delay)
        attempt = self.attempts[attempt_number]
        if attempt.error is not None:
            raise attempt.error
        if attempt.raw is not None:
            parsed = await parse_progressive(
                attempt.raw, self._held(attempt, on_prefix), use_prefix=not attempt.live, min_bytes=self.min_progressive_bytes
            )
            attempt.index = parsed.index
        else:
            full = self._copy(attempt)
            if not attempt.live and len(full) > self.prefix_lines:
                await self._held(attempt, on_prefix)(full.head(self.prefix_lines))
        return self._copy(attempt)

    @staticmethod
    def _held(attempt: StaticAttempt, on_prefix: PrefixCallback) -> Callable[[LogIndex], Awaitable[None]]:
        """``on_prefix`` followed by waiting for ``attempt.hold_full`` (tests)."""

        async def call(prefix: LogIndex) -> None:
            result = on_prefix(prefix)
            if inspect.isawaitable(result):
                await result
            if attempt.hold_full is not None:
                await attempt.hold_full.wait()

        return call

    @staticmethod
    def _copy(attempt: StaticAttempt) -> LogIndex:
        if attempt.index is None:
            attempt.index = attempt.factory() if attempt.factory else LogIndex()
        # Hand out a copy so follow-mode appends don't alter the source.
        copy = LogIndex()
        copy.append_index(attempt.index)
        return copy

    async def poll(self, attempt_number: int, index: LogIndex) -> int:
        attempt = self.attempts[attempt_number]
        if not attempt.pending:
            return 0
        batch = attempt.pending.pop(0)
        return index.append_lines(batch)

    def push(self, attempt_number: int, messages: list[str]) -> None:
        """Queue lines for the next poll (simulates a running attempt)."""
        self.attempts[attempt_number].pending.append(messages)

    def is_live(self, attempt_number: int) -> bool:
        return self.attempts[attempt_number].live

    def attempt_label(self, attempt_number: int) -> str:
        attempt = self.attempts[attempt_number]
        position = self.attempt_numbers.index(attempt_number)
        lines = len(attempt.index) if attempt.index is not None else None
        status = "running" if attempt.live else attempt.status
        return default_attempt_label(position, len(self.attempt_numbers), status, lines)
