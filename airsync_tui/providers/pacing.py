"""One opt-in knob that shortens every wait between two requests: `AIRSYNC_PACE`.

Why: the product's waits are tuned for real servers (retry back-off from 0.5 s
doubling to 30 s, Retry-After honoured, `sync --wait` re-reading a job every
2.5 s). The tests that prove "a 503 is retried", "a wait ends when the job is
gone" or "a 429 trigger is re-sent once" against a local stub spent most of
their time sleeping those waits (issue 9: the suite was mostly waiting). With
`AIRSYNC_PACE=0.05` every such wait is 5 % as long; the number of tries, their
order, the caps and the deadlines of a request stay the same, so the tests still
prove what they did. Unset (users), the factor is 1 and nothing changes; the
defaults are pinned in `tests/unit/test_pacing.py`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping

from airsync_tui.errors import ConfigError

PACE_ENV = "AIRSYNC_PACE"


def pace(env: Mapping[str, str] | None = None) -> float:
    """The factor applied to back-off and poll waits: 1.0 unless `AIRSYNC_PACE` lowers it.

    Only shortening is allowed (0 < factor <= 1): it exists for tests against
    local stubs and emulators; against a real server the defaults are right.
    """
    raw = (os.environ if env is None else env).get(PACE_ENV, "").strip()
    if not raw:
        return 1.0
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (0.0 < value <= 1.0):
        raise ConfigError(f"{PACE_ENV} must be a number above 0 and at most 1 (a factor on waits), got {raw[:40]!r}")
    return value


def paced(seconds: float, env: Mapping[str, str] | None = None) -> float:
    """`seconds` scaled by `pace()`."""
    return seconds * pace(env)


__all__ = ["PACE_ENV", "pace", "paced"]
