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
file left behind covers exactly process start → the populated list painted.
``AIRSYNC_STARTUP_MODULES=<file>`` (with the trace on) writes there, at the
same moments, the modules imported by then in import order: the bench
replays that list under ``-X importtime`` (the real path, not a guess).
``AIRSYNC_STARTUP_EXIT=1`` (with the trace on) ends the dashboard process
right there, so a sampling profiler attached from the start (py-spy) records
exactly process start → populated list.
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
#: Where the modules imported by the populated list go, one a line in import order, or None.
MODULES_PATH = (os.environ.get("AIRSYNC_STARTUP_MODULES") or None) if TRACE_PATH else None
#: End the process at the populated list (only with the trace on).
EXIT_AT_LIST = bool(os.environ.get("AIRSYNC_STARTUP_EXIT")) if TRACE_PATH else False


def mark(name: str, *, once: bool = True) -> None:
    """Append ``name`` with the current wall-clock time (the same clock in every process)."""
    if TRACE_PATH is None or (once and name in _marked):
        return
    _marked.add(name)
    with open(TRACE_PATH, "a", encoding="utf-8") as trace:
        trace.write(f"{time.time():.6f} {os.getpid()} {time.process_time():.4f} {name}\n")
    if name.endswith("rows refreshed"):
        _at_populated_list()


def _at_populated_list() -> None:
    """The populated list is on screen: write what was asked for up to now (each time; the last one stays)."""
    # Written aside, then renamed: whoever waits for the file never reads half of it.
    if PROFILE_PATH is not None and _profiler is not None:
        _profiler.dump_stats(PROFILE_PATH + ".part")
        os.replace(PROFILE_PATH + ".part", PROFILE_PATH)
    if MODULES_PATH is not None:
        import sys

        with open(MODULES_PATH + ".part", "w", encoding="utf-8") as modules:
            modules.write("\n".join(sys.modules) + "\n")  # in import order (dict order)
        os.replace(MODULES_PATH + ".part", MODULES_PATH)
    if EXIT_AT_LIST:
        os._exit(0)


def start_profile() -> None:
    """Profile this process until the populated list is painted (``AIRSYNC_STARTUP_PROFILE`` only)."""
    global _profiler
    if PROFILE_PATH is None or _profiler is not None:
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    _profiler = profiler
