"""The console script pauses the garbage collector while it imports and resumes it before work runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SCRIPT = """
import gc, sys
from airsync_tui.cli import startup_gc
startup_gc.pause()
assert not gc.isenabled()
startup_gc.pause()  # idempotent
from airsync_tui.cli.main import main
code = main(sys.argv[1:])  # a command: runs with collection resumed
print(code, gc.isenabled(), gc.get_freeze_count() > 0)
startup_gc.resume()
print(gc.isenabled())
gc.disable()
startup_gc.resume()  # not paused by us: left as the program set it
print(gc.isenabled())
"""


def test_a_command_runs_with_collection_resumed_and_the_startup_heap_frozen(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "AIRSYNC_CONFIG": str(tmp_path / "config.toml"),
        "AIRSYNC_STATE": str(tmp_path / "s.sqlite"),
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, "config", "path"], capture_output=True, text=True, timeout=120, cwd=REPO, env=env, check=True
    )
    lines = result.stdout.strip().splitlines()[-3:]
    assert lines == ["0 True True", "True", "False"]
