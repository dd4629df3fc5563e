"""The garbage collector pauses while `airsync` starts, and resumes before it runs.

Why: start-up creates hundreds of thousands of long-lived objects (modules,
classes, pydantic schemas, widgets) and almost no garbage cycles, yet the
cyclic collector keeps scanning them as the heap grows: about 5 % of the
import CPU before the dashboard's first screen. Pausing it until the work
starts, then freezing what exists (`gc.freeze`: those objects are never
scanned again) and resuming, keeps collection for the running program while
start-up skips it. Both calls are idempotent and cheap.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Stop automatic collection (called first thing by the console script)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Freeze the start-up heap and resume collection, if `pause` stopped it."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
