"""One clock for every time shown: local wall time moved by the server's skew.

Why: the server stamps every job (created/started/updated/ended) with its own
clock. When that clock is ahead of ours (a skewed host, the demo's virtual
clock), elapsed times computed from our clock read "0s" and a transition
stamped with our observation time lands *before* the job's creation. The
watcher owns one `ShownClock`; the dashboard, the job panel, `sync --wait`'s
live line and the CLI tables all read `now()` from it.

Skew is learnt from the server's `Date` (exact, whenever a provider reports
it) and from job timestamps (a lower bound: the server's "now" is at least
the newest time it wrote). `now()` never goes backwards.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from airsync_tui.models.timeparse import utcnow

#: Timestamps this far ahead of the current estimate move it (below: jitter).
_TOLERANCE = timedelta(seconds=1)


class ShownClock:
    """Server time as best known: `wall() + skew`, monotonic."""

    def __init__(self, wall: Callable[[], datetime] = utcnow) -> None:
        self._wall = wall
        self.skew = timedelta(0)
        self._learnt = False
        self._last: datetime | None = None

    def now(self) -> datetime:
        moment = self._wall() + self.skew
        if self._last is not None and moment < self._last:
            return self._last
        self._last = moment
        return moment

    def observe_server_now(self, server_now: datetime | None) -> None:
        """The server's current time (a `Date` header): sets the skew, either sign, once; later only forward."""
        if server_now is None:
            return
        skew = server_now - self._wall()
        if not self._learnt or skew > self.skew + _TOLERANCE:
            self.skew = skew
            self._learnt = True

    def observe_timestamp(self, written: datetime | None) -> None:
        """A time the server wrote: its clock is at least there."""
        if written is None:
            return
        skew = written - self._wall()
        if skew > self.skew + _TOLERANCE:
            self.skew = skew
            self._learnt = True


__all__ = ["ShownClock"]
