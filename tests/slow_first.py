"""Run the slowest test files first, so the suite does not end on one long test.

Why: with `--dist worksteal` each xdist worker starts on a contiguous block
and idle workers steal from the END of a busy worker's queue. Putting the
long files (subprocess CLI against hostile servers, real databases, browsers,
long Pilot walks) at the front means the tail of the run is short tests that
balance across the cores. Whole files move, in their own order, so module
fixtures are built once as before. The list comes from `--durations=0` runs
(see bench/ notes); a file missing from it simply keeps its place.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

#: Test files by their summed call time, slowest first (from `--durations=0`).
SLOW_FILES: Sequence[str] = (
    "tests/hostile/test_cli_hostile.py",
    "tests/integration/test_data_postgres.py",
    "tests/ui/test_app_triage.py",
    "tests/integration/test_cli.py",
    "tests/e2e/test_serve_browser.py",
    "tests/ui/test_data_view.py",
    "tests/integration/test_watch_cli.py",
    "tests/integration/test_watch_stalled_drill.py",
    "tests/e2e/test_tmux_demo.py",
    "tests/ui/test_fleet_dashboard.py",
    "tests/integration/test_real_shapes_hightouch.py",
    "tests/ui/test_svg_snapshots.py",
    "tests/hostile/test_dashboard_hostile.py",
    "tests/hostile/test_proxy_hostile.py",
)


def order_slow_files_first(items: list[pytest.Item]) -> None:
    """Stable in-place sort: listed files first (in list order), the rest after, as collected."""
    rank = {path: index for index, path in enumerate(SLOW_FILES)}
    last = len(SLOW_FILES)

    def key(item: pytest.Item) -> int:
        return rank.get(item.nodeid.split("::", 1)[0], last)

    items.sort(key=key)


def auto_workers(cpus: int) -> int:
    """Workers for `-n auto`: two per core.

    Why: a `--durations=0` run spends about 60% of its core-seconds idle on an
    otherwise idle 2-core machine: the hostile CLI tests wait out real retry
    back-offs and deadlines, Pilot tests wait for screens, subprocesses wait
    for servers. A second worker per core runs while the first one waits.
    """
    return max(2, 2 * cpus)
