"""The dashboard's long-lived heap is set aside from garbage collection once the first load is shown.

Why: the first load builds what the dashboard keeps all day (every connection,
its latest job, each row's rendered cells: with 5,000 connections, hundreds of
thousands of objects). Python's full collections then walked all of it each
time, ~100 ms on this 2-core machine, on the UI's thread: the worst filter
keystrokes of `bench/bench_ui.py` (b) were exactly those pauses (6 full
collections over 123 keystrokes, up to 108 ms each). `gc.freeze()` moves what
exists into a generation the collector never scans; objects made later are
collected as usual. The console script does the same for its imports before the
app runs (`cli/startup_gc.py`); this is the second, later point.

The young generations are collected first (cheap), so the pending short-lived
garbage is freed rather than frozen. What is frozen is never freed if it later
becomes cyclic garbage, so this is for the one app of an `airsync` process
(`AirsyncApp(set_aside_heap=True)`, set by `cli/dashboard.py`), not for apps
built and dropped by the hundred in one process (the test suite).
"""

from __future__ import annotations

import gc


def release_set_aside_heap() -> None:
    """Undo the freeze and collect everything: the objects of a profile just left behind are freed.

    Frozen objects are never collected, so a profile switch (a new screen stack, a new
    watcher) would leak the old one's. One full collection (~0.1-0.2 s, at the switch the
    operator asked for); the new profile's first load is set aside again once shown.
    """
    if not gc.isenabled():
        return
    gc.unfreeze()
    gc.collect()


def set_aside_loaded_heap() -> None:
    """Collect the young generations, then freeze everything that survived (idempotent in effect)."""
    if not gc.isenabled():
        return  # a caller that manages collection itself (start-up pause, a test harness) decides
    gc.collect(1)
    gc.freeze()
