"""The start-up trace writes milestones only when asked (AIRSYNC_STARTUP_TRACE), once per name."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SCRIPT = """
from airsync_tui.startup_trace import mark
mark("parent: entry")
mark("parent: entry")
mark("parent: 3 rows", once=False)
mark("parent: 3 rows", once=False)
"""


def _run(env_extra: dict[str, str]) -> None:
    env = {k: v for k, v in os.environ.items() if k != "AIRSYNC_STARTUP_TRACE"}
    env.update(env_extra, PYTHONPATH=str(REPO))
    subprocess.run([sys.executable, "-c", SCRIPT], check=True, env=env, cwd=REPO, timeout=60)


def test_marks_go_to_the_named_file_with_time_pid_and_cpu(tmp_path: Path) -> None:
    trace = tmp_path / "trace.txt"
    _run({"AIRSYNC_STARTUP_TRACE": str(trace)})
    lines = [line.split(" ", 3) for line in trace.read_text(encoding="utf-8").splitlines()]
    assert [name for *_, name in lines] == ["parent: entry", "parent: 3 rows", "parent: 3 rows"]
    stamps = [float(stamp) for stamp, _, _, _ in lines]
    assert stamps == sorted(stamps)
    assert len({pid for _, pid, _, _ in lines}) == 1
    assert all(float(cpu) >= 0 for _, _, cpu, _ in lines)


def test_nothing_is_written_without_the_variable(tmp_path: Path) -> None:
    _run({"TMPDIR": str(tmp_path)})
    assert list(tmp_path.iterdir()) == []


PROFILED = """
from airsync_tui.startup_trace import mark, start_profile
start_profile()
import json  # imported after the trace module: must come after it in the list
mark("parent: 3 rows in table")
mark("parent: 3 rows refreshed")
"""


def test_profile_and_module_list_are_written_when_the_list_is_painted(tmp_path: Path) -> None:
    import pstats

    trace, profile, modules = tmp_path / "trace.txt", tmp_path / "prof.out", tmp_path / "modules.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRSYNC_STARTUP_")}
    env.update(
        AIRSYNC_STARTUP_TRACE=str(trace),
        AIRSYNC_STARTUP_PROFILE=str(profile),
        AIRSYNC_STARTUP_MODULES=str(modules),
        PYTHONPATH=str(REPO),
    )
    subprocess.run([sys.executable, "-c", PROFILED], check=True, env=env, cwd=REPO, timeout=60)
    names = modules.read_text(encoding="utf-8").split()
    assert names.index("airsync_tui.startup_trace") < names.index("json")  # import order, not sorted
    assert "cProfile" in names
    stats = pstats.Stats(str(profile))
    assert any(func[2] == "mark" for func in stats.stats)  # type: ignore[attr-defined]  # the profiled process's own calls
    assert sorted(path.name for path in tmp_path.iterdir()) == ["modules.txt", "prof.out", "trace.txt"]  # no ".part" left


def test_profile_and_module_list_need_the_trace(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRSYNC_STARTUP_")}
    env.update(
        AIRSYNC_STARTUP_PROFILE=str(tmp_path / "prof.out"),
        AIRSYNC_STARTUP_MODULES=str(tmp_path / "modules.txt"),
        PYTHONPATH=str(REPO),
    )
    subprocess.run([sys.executable, "-c", PROFILED], check=True, env=env, cwd=REPO, timeout=60)
    assert list(tmp_path.iterdir()) == []
