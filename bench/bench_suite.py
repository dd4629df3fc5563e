"""Benchmark: the whole test suite's wall time and CPU (figures, not pass/fail).

Issue 9 asks for README's test command under 2 minutes on 2 cores, measured
three times. Wall time alone misleads on a shared machine, so each run also
prints the CPU the suite and its children used (user + sys) and the load
average when it ended: a slow run under load 8 says something different from
a slow run on an idle machine.

    python bench/bench_suite.py                 # three runs of `python -m pytest -q -p no:cacheprovider`
    python bench/bench_suite.py --repeat 1 -- tests/ui
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_once(pytest_args: list[str]) -> tuple[float, float, float, int, str]:
    """One suite run: wall s, user s, sys s (children), exit code, pytest's last line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *pytest_args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    return (
        wall,
        after.ru_utime - before.ru_utime,
        after.ru_stime - before.ru_stime,
        proc.returncode,
        lines[-1] if lines else "",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="how many runs (default 3)")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}  command: python -m pytest -q -p no:cacheprovider {' '.join(args.pytest_args)}")
    for number in range(1, args.repeat + 1):
        wall, user, system, code, last = run_once(args.pytest_args)
        load = os.getloadavg()[0]
        print(f"run {number}: wall {wall:6.1f} s  user {user:6.1f} s  sys {system:5.1f} s  load {load:4.1f}  exit {code}  {last}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
