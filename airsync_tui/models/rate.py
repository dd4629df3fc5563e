"""Current rate and stall detection from successive samples of a job's counts.

Why this exists: a lifetime average (records / elapsed) keeps promising a
healthy ETA for a job that stopped moving an hour ago. Every screen, the CLI
and the alert rules judge "is it moving?" from this one window, so the job
panel's "no progress for 12 min", the `stalled` alert and `sync --wait`'s live
line can never disagree.

Samples are `(time, records, bytes)` where `time` is on the one clock the
product shows (server time, skew applied); counts are the job's committed
(else emitted) totals over all attempts. A count that goes *down* (a new
attempt restarted from zero) starts a fresh window instead of yielding a
negative rate.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

# ----------------------------------------------------------------- stall thresholds
# ONE notion of "stalled": a running job whose committed (else emitted)
# records and bytes have not grown, i.e. `RateWindow.no_progress_for(now)`.
# Two thresholds read that same number, on purpose different:
#: Display: after this long without growth the job panel, the job list and
#: `sync --wait`'s live line drop the ETA and say "no progress for N" (cheap to
#: show, quick to clear; via `models/jobview.py`'s `STALL_AFTER`).
STALL_DISPLAY_AFTER = timedelta(minutes=2)
#: Alert: the rules engine's `stalled` rule (alerts, `airsync watch`, triage)
#: opens only after this long (issue 10's default 15 min; tunable per profile
#: and connection as `[...watch.rules.stalled] minutes`). An alert pages a
#: human, so it waits out slow phases a display should still show.
STALL_ALERT_AFTER = timedelta(minutes=15)

#: How far back the "current rate" looks.
DEFAULT_RATE_WINDOW = timedelta(seconds=60)
#: Samples older than this are dropped (the sparkline's span).
DEFAULT_HISTORY = timedelta(minutes=15)


@dataclass(frozen=True)
class RateSample:
    at: datetime
    records: int | None
    bytes: int | None


class RateWindow:
    """Rolling samples of one job's counts; answers current rate and stall age."""

    def __init__(self, *, window: timedelta = DEFAULT_RATE_WINDOW, history: timedelta = DEFAULT_HISTORY) -> None:
        self.window = window
        self.history = history
        self._samples: deque[RateSample] = deque()
        #: When the counts last grew (None until a sample shows growth or the first sample).
        self._last_growth: datetime | None = None

    @property
    def samples(self) -> tuple[RateSample, ...]:
        return tuple(self._samples)

    def add(self, at: datetime, records: int | None, bytes_: int | None) -> None:
        """Record one observation. Out-of-order samples (older than the newest) are ignored."""
        if self._samples and at < self._samples[-1].at:
            return
        if self._samples:
            last = self._samples[-1]
            if _shrank(last.records, records) or _shrank(last.bytes, bytes_):
                self._samples.clear()
                self._last_growth = at
            elif _grew(last.records, records) or _grew(last.bytes, bytes_):
                self._last_growth = at
        else:
            self._last_growth = at
        self._samples.append(RateSample(at, records, bytes_))
        cutoff = at - self.history
        while len(self._samples) > 2 and self._samples[0].at < cutoff:
            self._samples.popleft()

    def records_per_second(self, now: datetime | None = None) -> float | None:
        """Records/s over the last `window` (None with fewer than two samples in it)."""
        return self._rate(now, lambda s: s.records)

    def bytes_per_second(self, now: datetime | None = None) -> float | None:
        return self._rate(now, lambda s: s.bytes)

    def no_progress_for(self, now: datetime) -> timedelta | None:
        """How long the counts have not grown (None when nothing was sampled)."""
        if self._last_growth is None:
            return None
        return max(now - self._last_growth, timedelta(0))

    def is_stalled(self, now: datetime, threshold: timedelta) -> bool:
        stalled = self.no_progress_for(now)
        return stalled is not None and stalled >= threshold

    def _rate(self, now: datetime | None, value: Callable[[RateSample], int | None]) -> float | None:
        if len(self._samples) < 2:
            return None
        newest = self._samples[-1]
        end = now if now is not None and now > newest.at else newest.at
        start_limit = end - self.window
        usable = [s for s in self._samples if value(s) is not None]
        if len(usable) < 2:
            return None
        in_window = [s for s in usable if s.at >= start_limit]
        if not in_window:
            return 0.0  # nothing seen inside the window: nothing moved that we know of
        if len(in_window) == 1:
            # One sample inside the window (polls further apart than it, or a clock that runs fast, like
            # the demo's): measure from the sample before it. Reading 0 here put "0 rec/s" beside counts
            # and a sparkline that were plainly growing.
            in_window = [usable[-2], in_window[0]]
        first, last = in_window[0], in_window[-1]
        seconds = (end - first.at).total_seconds()
        if seconds <= 0:
            return None
        delta = (value(last) or 0) - (value(first) or 0)
        return max(delta, 0) / seconds


def _grew(old: int | None, new: int | None) -> bool:
    if new is None:
        return False
    return new > old if old is not None else new > 0


def _shrank(old: int | None, new: int | None) -> bool:
    return old is not None and new is not None and new < old
