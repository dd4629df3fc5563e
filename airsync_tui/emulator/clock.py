"""A virtual clock shared by every simulated provider in one emulator process.

The demo must show a whole sync lifecycle in a minute, yet every timestamp the
emulator serves has to look like real wall-clock time (ISO strings, epoch
seconds, epoch milliseconds). So virtual time starts at the real "now" and then
runs `speed` times faster than wall time. Tests can also drive it by hand with
`advance()` to make the simulation deterministic.
"""

from __future__ import annotations

import threading
import time


class VirtualClock:
    """Monotonic virtual time in epoch seconds, `speed`× faster than wall time."""

    def __init__(self, speed: float = 1.0, start: float | None = None) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._speed = speed
        self._origin_virtual = time.time() if start is None else start
        self._origin_monotonic = time.monotonic()
        self._offset = 0.0
        self._lock = threading.Lock()

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> float:
        """Virtual epoch seconds."""
        with self._lock:
            elapsed = (time.monotonic() - self._origin_monotonic) * self._speed
            return self._origin_virtual + elapsed + self._offset

    def now_ms(self) -> int:
        return int(self.now() * 1000)

    def advance(self, seconds: float) -> None:
        """Jump virtual time forward (tests and `--speed` independent scenarios)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds

    def wall_seconds(self, virtual_seconds: float) -> float:
        """How long `virtual_seconds` of simulated time takes in real time."""
        return virtual_seconds / self._speed
