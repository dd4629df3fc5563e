"""The one "until the job is final or the deadline passes" loop.

Two callers wait for a job: the CLI/dashboard path (`service.sync_runner`, fed by
the watcher's events) and the PyAirbyte-parity library API
(`providers.airbyte.sync_result`, which polls the provider itself). They used to
carry their own copies of the deadline arithmetic and the terminal test; now
both pass an `observe` step to this loop and keep only what is theirs (where the
next job comes from, what to print, what to raise).

Rules the loop enforces for both: only a terminal status ends the wait
(`queued`, `incomplete`, unknown words keep it going); the deadline is checked
between observations, never in the middle of one; when it passes, the last job
seen is returned and the caller decides (report, cancel, raise).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from airsync_tui.models.domain import Job

Observe = Callable[[float | None], Awaitable[Job | None]]
"""One step: wait at most this many seconds (None = the caller's own pace) for news; the job, or None."""


async def wait_until_terminal(observe: Observe, current: Job | None, deadline: float | None, *, step: float | None = 1.0) -> Job | None:
    """The job once its status is terminal, else the last job seen when `deadline` (monotonic) passes."""
    while True:
        if current is not None and current.status.is_terminal:
            return current
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            return current
        limit = remaining if step is None else step if remaining is None else min(step, remaining)
        seen = await observe(limit)
        if seen is not None:
            current = seen


__all__ = ["Observe", "wait_until_terminal"]
