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

``AIRSYNC_STARTUP_PROFILE=<file>`` (with the trace on) also runs the
dashboard process under cProfile from the console script's first line and
writes the stats (pstats format) at each "rows refreshed" milestone, so the
file left behind covers exactly process start → the populated list painted
(and ``<file>.modules``: the modules imported by then, one a line).
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import cProfile

#: The trace file, or None when tracing is off (read once, at import).
TRACE_PATH = os.environ.get("AIRSYNC_STARTUP_TRACE") or None
_marked: set[str] = set()
#: Where the dashboard's cProfile stats go, or None (only with the trace on).
PROFILE_PATH = (os.environ.get("AIRSYNC_STARTUP_PROFILE") or None) if TRACE_PATH else None
_profiler: cProfile.Profile | None = None


def mark(name: str, *, once: bool = True) -> None:
    """Append ``name`` with the current wall-clock time (the same clock in every process)."""
    if TRACE_PATH is None or (once and name in _marked):
        return
    _marked.add(name)
    with open(TRACE_PATH, "a", encoding="utf-8") as trace:
        trace.write(f"{time.time():.6f} {os.getpid()} {time.process_time():.4f} {name}\n")
    if PROFILE_PATH is not None and _profiler is not None and name.endswith("rows refreshed"):
        _profiler.dump_stats(PROFILE_PATH)
        import sys

        with open(PROFILE_PATH + ".modules", "w", encoding="utf-8") as modules:
            modules.write("\n".join(sorted(sys.modules)) + "\n")  # what the first screen imported


def start_profile() -> None:
    """Profile this process until the populated list is painted (``AIRSYNC_STARTUP_PROFILE`` only)."""
    global _profiler
    if PROFILE_PATH is None or _profiler is not None:
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    _profiler = profiler
