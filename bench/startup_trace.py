"""Where `airsync --demo`'s first second goes: a timeline of start-up milestones.

    python bench/startup_trace.py [--runs 3] [--airsync PATH] [--profile FILE]

Runs `airsync --demo` in tmux (200x50) with ``AIRSYNC_STARTUP_TRACE`` set, so
the dashboard and the emulator child each append their milestones
(`airsync_tui/startup_trace.py`), and prints them relative to the moment tmux
was asked to start the program, next to the moment the screen showed both
providers' rows. Per milestone the median over runs is printed: it shows which
process is on the critical path (imports, emulator start, first poll, paint).
With ``--profile FILE`` one more run (not in the medians) writes the dashboard
process's cProfile stats up to the populated list to FILE (``AIRSYNC_STARTUP_PROFILE``;
read with ``python -m pstats FILE``; the UI modules import on a worker thread,
which cProfile does not follow: see their marks and ``bench_ui.py``'s (a'')).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.first_screen import _tmux, time_first_screen  # noqa: E402

READY_TEXT = ("Stripe → BigQuery", "customers → salesforce")


def trace_once(airsync: str, profile: str | None = None) -> dict[str, tuple[float, float]]:
    """One launch: milestone → (seconds after launch, CPU seconds its process had used)."""
    with tempfile.TemporaryDirectory(prefix="airsync-trace-") as tmp:
        trace = Path(tmp) / "trace.txt"
        env = {
            "TERM": "xterm-256color",
            "AIRSYNC_STARTUP_TRACE": str(trace),
            "AIRSYNC_STATE": str(Path(tmp) / "state.sqlite"),
        }
        if profile:
            env["AIRSYNC_STARTUP_PROFILE"] = str(Path(profile).resolve())
        launched = time.time()

        def ready(screen: str) -> bool:
            # A profiled run also waits for the stats (written once the list is painted).
            return all(t in screen for t in READY_TEXT) and (not profile or Path(profile).exists())

        seconds, _ = time_first_screen([airsync, "--demo"], ready, env=env)
        time.sleep(0.3)  # let late marks (e.g. "refreshed") land before the session is gone
        marks: dict[str, tuple[float, float]] = {}
        for line in trace.read_text(encoding="utf-8").splitlines() if trace.exists() else []:
            stamp, _pid, cpu, name = line.split(" ", 3)
            marks.setdefault(name, (float(stamp) - launched, float(cpu)))
        marks["== screen ready (tmux pane shows both providers' rows)"] = (seconds, float("nan"))
        return marks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--airsync", default=str(Path(sys.executable).with_name("airsync")))
    parser.add_argument("--profile", default=None, help="cProfile stats of the last run's dashboard process go here")
    args = parser.parse_args()
    samples: dict[str, list[tuple[float, float]]] = defaultdict(list)
    _tmux("new-session", "-d", "-s", "keeper", "-x", "20", "-y", "5", "sleep 86400")
    try:
        for _ in range(args.runs):
            for name, value in trace_once(args.airsync).items():
                samples[name].append(value)
        if args.profile:  # one more run, under cProfile: slower, so not among the medians
            Path(args.profile).unlink(missing_ok=True)
            trace_once(args.airsync, args.profile)
    finally:
        _tmux("kill-server")
    print(f"airsync --demo start-up milestones, median of {args.runs} (load average {os.getloadavg()[0]:.1f}):")
    print("  wall s after launch | CPU s of that process | milestone (wall s per run)")
    for name, values in sorted(samples.items(), key=lambda item: statistics.median(v for v, _ in item[1])):
        runs = ", ".join(f"{wall:.2f}" for wall, _ in values)
        wall, cpu = statistics.median(w for w, _ in values), statistics.median(c for _, c in values)
        print(f"  {wall:6.2f} | {cpu:5.2f} | {name}  ({runs})")


if __name__ == "__main__":
    main()
