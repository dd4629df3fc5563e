"""Timestamps of the first minute's milestones, for the start-up bench only.

Why: `airsync --demo` reaches its first populated screen through two
processes (the dashboard and the emulator child) and a network round-trip;
guessing which of them is the critical path wasted rounds before. When the
environment variable ``AIRSYNC_STARTUP_TRACE`` names a file, each milestone
appends one line ``<unix time> <pid> <CPU seconds of this process> <name>``
to it (both processes inherit
the variable); `bench/startup_trace.py` turns that into a timeline. Unset
(every normal run), :func:`mark` is one dict lookup and a return.
Standard library only: it is imported before anything heavy.
"""

from __future__ import annotations

import os
import time

#: The trace file, or None when tracing is off (read once, at import).
TRACE_PATH = os.environ.get("AIRSYNC_STARTUP_TRACE") or None
_marked: set[str] = set()


def mark(name: str, *, once: bool = True) -> None:
    """Append ``name`` with the current wall-clock time (the same clock in every process)."""
    if TRACE_PATH is None or (once and name in _marked):
        return
    _marked.add(name)
    with open(TRACE_PATH, "a", encoding="utf-8") as trace:
        trace.write(f"{time.time():.6f} {os.getpid()} {time.process_time():.4f} {name}\n")
