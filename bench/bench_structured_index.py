"""CPU time of the structured full index: ``parse_attempt`` of a 1,000,000-event synthetic body.

Why: the full-index row of ``bench/bench_logs.py`` is wall time, which moves with the load other
processes put on a shared 2-core machine; CPU time of the same call is steadier. Prints one line
per run (CPU and wall seconds).

    python bench/bench_structured_index.py [--events N] [--runs N]
"""

from __future__ import annotations

import argparse
import gc
import time

from airsync_tui.logs.parse import parse_attempt
from airsync_tui.logs.synthetic import synthetic_attempt_json


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    body = synthetic_attempt_json(args.events, structured=True)
    print(f"structured body: {args.events:,} events, {len(body) / 1e6:.0f} MB of JSON")
    for run in range(1, args.runs + 1):
        gc.collect()
        cpu, wall = time.process_time(), time.perf_counter()
        index = parse_attempt(body).index
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(f"run {run}: full index CPU {cpu:.3f} s, wall {wall:.3f} s, {len(index):,} lines")
        del index


if __name__ == "__main__":
    main()
