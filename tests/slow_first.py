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

#: Test files whose single tests are long (browsers, real databases, long Pilot walks, big logs,
#: child processes), longest first; then files of many mid-length tests. Revisited after the waits
#: were cut (issue 9, fast4): a long test that starts last is the run's tail (a DuckDB history drill
#: and the Snowflake test ended the run 5 s after everything else), so those now start early.
SLOW_FILES: Sequence[str] = (
    "tests/e2e/test_serve_browser.py",
    "tests/ui/test_data_view.py",
    "tests/integration/test_data_postgres.py",
    "tests/ui/test_app_triage.py",
    "tests/integration/test_data_duckdb.py",
    "tests/integration/test_logs_export_streamed.py",
    "tests/ui/test_fleet_dashboard.py",
    "tests/integration/test_watch_cli.py",
    "tests/integration/test_watch_stalled_drill.py",
    "tests/e2e/test_tmux_demo.py",
    "tests/integration/test_data_snowflake.py",
    "tests/integration/test_cli_triage.py",
    "tests/hostile/test_cli_hostile.py",
    "tests/integration/test_cli.py",
    "tests/ui/test_log_view.py",
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

    Why: a second worker per core runs while the other waits (a Pilot test
    waiting for a screen, a child process or a Postgres server starting, the
    emulator's jobs in real time); more costs each worker's start-up and
    collection again and makes polling tests burn CPU for longer. The whole
    suite on the idle 2-core machine (README's command, 2026-12-01 09:25-09:40):
    3 workers 145-155 s, 4 workers 134 s, 6 workers 131 s (with a flaky
    failure). Under load from other work 3 had been better on a subset, so
    measure on an idle machine before changing it.
    """
    return max(2, cpus * 2)
