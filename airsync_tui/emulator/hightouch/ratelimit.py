"""Hightouch's rate limit: 200 requests per rolling 10 s per workspace.

A sliding-window log per API key (one key = one workspace here). It counts
*wall* time, not virtual time: the limit protects a real server from real
request bursts, and a client's backoff is measured in real seconds however
fast the demo clock runs. Rejected requests are not counted, so a client that
backs off recovers as soon as the window slides past its earlier requests.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimiter:
    def __init__(self, limit: int = 200, window: float = 10.0, *, now: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._now = now
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Record a request for `key` and say whether it is within the limit."""
        now = self._now()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            horizon = now - self.window
            while hits and hits[0] <= horizon:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True
