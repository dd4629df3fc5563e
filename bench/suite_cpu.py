"""A pytest plugin that prints each test file's wall time next to the CPU it used.

Why (issue 9, suite speed): with xdist on 2 cores a test that WAITS (retry
back-off, poll interval, hang, subprocess start) keeps a worker busy without
using a core, while a test that COMPUTES competes for the cores. The two call
for different cures (shorter waits vs. less work), so each file's wall time is
split into CPU (this process's and its finished children's) and the rest.

Use: `PYTHONPATH=bench python -m pytest -p suite_cpu -q -p no:cacheprovider`
(works with xdist: every worker prints to its own `$SUITE_CPU_DIR/<worker>.tsv`;
`python bench/suite_cpu.py DIR` sums them).
"""

from __future__ import annotations

import os
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Generator
from pathlib import Path

import pytest


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, None, None]:
    wall0, cpu0 = time.monotonic(), _cpu()
    yield
    wall, cpu = time.monotonic() - wall0, _cpu() - cpu0
    folder = Path(os.environ.get("SUITE_CPU_DIR", "/tmp/suite_cpu"))
    folder.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with (folder / f"{worker}.tsv").open("a") as out:
        out.write(f"{item.nodeid}\t{wall:.3f}\t{cpu:.3f}\t{time.time():.3f}\n")


def pytest_sessionstart(session: pytest.Session) -> None:
    folder = Path(os.environ.get("SUITE_CPU_DIR", "/tmp/suite_cpu"))
    folder.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with (folder / f"{worker}.tsv").open("a") as out:
        out.write(f"#start\t{time.time():.3f}\t{_cpu():.3f}\n")


def pytest_unconfigure(config: pytest.Config) -> None:
    """The process's whole CPU at its end: what no test's figure holds (between tests, session
    teardown, the controller's report handling) shows as the difference to the tests' sum."""
    folder = Path(os.environ.get("SUITE_CPU_DIR", "/tmp/suite_cpu"))
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with (folder / f"{worker}.tsv").open("a") as out:
        out.write(f"#end\t{time.time():.3f}\t{_cpu():.3f}\n")


def summarize(folder: Path, top: int = 40) -> None:
    """Wall, CPU and wait (wall - CPU) per file, by wait (or by CPU with `--by-cpu`); then per-process CPU."""
    files: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    workers_total = 0.0  # the controller's children's CPU holds the workers' (they are its children)
    for path in sorted(folder.glob("*.tsv"), key=lambda p: (p.stem == "main", p.stem)):
        in_tests = 0.0
        for line in path.read_text().splitlines():
            name, wall, cpu = line.split("\t")[:3]  # a 4th column (end time, for timelines) is optional
            if name == "#start":
                print(f"{path.stem}: {float(cpu):.1f} s CPU before the first test (imports, collection)")
                continue
            if name == "#end":
                if path.stem == "main":
                    print(f"main: {float(cpu) - workers_total:.1f} s CPU of its own (the controller; {float(cpu):.1f} s with its workers)")
                else:
                    workers_total += float(cpu)
                    print(f"{path.stem}: {float(cpu):.1f} s CPU in all ({float(cpu) - in_tests:.1f} s outside its tests)")
                continue
            in_tests += float(cpu)
            entry = files[name.split("::", 1)[0]]
            entry[0] += float(wall)
            entry[1] += float(cpu)
            entry[2] += 1
    total_wall = sum(v[0] for v in files.values())
    total_cpu = sum(v[1] for v in files.values())
    print(f"tests: wall {total_wall:.1f} s, CPU {total_cpu:.1f} s, waiting {total_wall - total_cpu:.1f} s")
    print(f"{'wall':>7} {'cpu':>7} {'wait':>7} {'n':>4}  file")
    column = 1 if BY_CPU else 0
    for name, (wall, cpu, count) in sorted(files.items(), key=lambda kv: -(kv[1][column] - (0 if BY_CPU else kv[1][1])))[:top]:
        print(f"{wall:7.1f} {cpu:7.1f} {wall - cpu:7.1f} {int(count):4d}  {name}")


#: `python bench/suite_cpu.py DIR --by-cpu`: files by CPU instead of by waiting.
BY_CPU = "--by-cpu" in sys.argv

if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--by-cpu"]
    summarize(Path(arguments[0] if arguments else "/tmp/suite_cpu"))
