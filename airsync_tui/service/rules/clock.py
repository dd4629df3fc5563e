"""The rules' one clock: wall time moved forward to the server's when it runs ahead.

Rules compare server timestamps (a job's start, the last success) with "now".
Against a server whose clock runs ahead (the emulator's sped-up virtual time,
a skewed host), wall time would make jobs look younger than they are, so the
clock learns the skew from the timestamps the server sends, exactly as the
dashboard's clock does. Events are re-stamped with this clock before the
engine sees them, so rate samples and "now" never mix two clocks.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from airsync_tui.models.timeparse import utcnow
from airsync_tui.service.events import Event

#: Skew below this is noise (request latency, rounding).
SKEW_SLACK = timedelta(seconds=2)


class ServerClock:
    def __init__(self) -> None:
        self.skew = timedelta(0)

    def __call__(self) -> datetime:
        return utcnow() + self.skew

    def learn(self, event: Event) -> None:
        job = getattr(event, "job", None)
        if job is None:
            return
        moment = job.updated_at or job.started_at or job.created_at
        if moment is None:
            return
        ahead = moment - utcnow()
        if ahead > self.skew + SKEW_SLACK:
            self.skew = ahead

    def stamp(self, event: Event) -> Event:
        """`event` observed now, on this clock."""
        self.learn(event)
        return replace(event, at=self())
