"""The garbage collector in a test worker: freeze what collection built, then collect less often.

Why: a worker imports the whole package (Textual, pydantic, DuckDB, Starlette …) and
collects ~1,600 tests, then builds hundreds of Textual apps whose widgets, timers and
messages are mostly short-lived garbage. With Python's default thresholds (700, 10, 10)
the cyclic collector ran ~2,800 young and ~24 full collections over the SVG snapshots
and the fleet dashboard alone, re-scanning the long-lived imported heap each full pass:
5.4 s of a 28 s worker's CPU (measured with `gc.callbacks`, 2026-12-01). Freezing the
heap that exists after collection (`gc.freeze`: never scanned again) and raising the
young threshold cut that to ~1.5 s, with the worker's peak memory up ~10 % (185 → 203 MB).

Garbage is still collected (every generation, just less often), so a test that leaks a
cycle still gets it freed, and an unraisable exception in a finaliser is still reported.
Tests only: the product's own start-up policy is `airsync_tui/cli/startup_gc.py`.
"""

from __future__ import annotations

import gc

#: Young collections after this many net container allocations (Python's default: 700).
YOUNG_THRESHOLD = 20_000
#: A middle pass every 20 young ones (default 10); a full pass every 10 middle ones (the default).
MIDDLE_THRESHOLD = 20
OLD_THRESHOLD = 10


def tune_after_collection() -> None:
    """Collect once, freeze the survivors (imports, test items, fixtures' definitions), raise the young threshold."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, MIDDLE_THRESHOLD, OLD_THRESHOLD)
