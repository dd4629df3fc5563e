"""Demo dirs left by killed dashboards are removed by the demo's child, never a live one's.

The dashboard used to list the temp dir and delete the dead dirs (a DuckDB file
each) before its first screen; the child now does it once it serves.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from airsync_tui.cli.demo import DEMO_DIR_PREFIX, remove_stale_demo_dirs


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_only_dirs_of_processes_gone_are_removed(tmp_path: Path) -> None:
    dead = tmp_path / f"{DEMO_DIR_PREFIX}{_dead_pid()}-abc"
    (dead / "warehouse").mkdir(parents=True)
    (dead / "warehouse" / "demo.duckdb").write_bytes(b"x" * 1024)
    alive = tmp_path / f"{DEMO_DIR_PREFIX}{os.getpid()}-def"
    alive.mkdir()
    unrelated = tmp_path / "airsync-demo-notapid"
    unrelated.mkdir()
    other = tmp_path / "something-else"
    other.mkdir()

    assert remove_stale_demo_dirs(str(tmp_path)) == 1
    assert not dead.exists()
    assert alive.exists() and unrelated.exists() and other.exists()
