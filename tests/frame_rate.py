"""Test apps paint at most 20 frames a second instead of Textual's 60.

Why: a headless Pilot app still lays out and renders every frame it schedules
(the output is thrown away), and in the UI tests that was the largest share of
their CPU (screen refresh and layout: ~60 % of the sampled stacks, py-spy,
2026-12-01). While the watcher polls every 0.05 s, each poll dirtied the screen
and a 60 fps timer painted it up to three times as often as at 20 fps; fewer
frames cut ~9 % of the CPU of the trust, fleet, log-view and misc UI tests.

What a test reads is unchanged: `Pilot.pause()` paints the screen after every
pause (Textual calls the update itself), so `wait_for` and `screen_text` always
see a current frame, and SVG snapshots render in full when taken. The product's
frame rate is untouched (Textual's default, or `TEXTUAL_FPS` as the user sets it).
"""

from __future__ import annotations

import os

#: Frames per second for test apps (Textual's default is 60).
TEST_FPS = 20


def install() -> None:
    """Slow this process's screen update timer; child `airsync` processes get the same through `TEXTUAL_FPS`.

    Textual reads `TEXTUAL_FPS` once, when `textual.constants` is first imported, which in a pytest
    process happens before any conftest runs (pytest-textual-snapshot imports Textual), so the
    in-process period is set on `textual.screen` (each new Screen's update timer reads it).
    """
    import textual.screen

    os.environ.setdefault("TEXTUAL_FPS", str(TEST_FPS))
    textual.screen.UPDATE_PERIOD = 1 / int(os.environ["TEXTUAL_FPS"])  # type: ignore[misc]  # Final in Textual; tests only
