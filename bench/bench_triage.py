"""Triage cost against workspace size: requests and time per refresh must stay flat.

    python bench/bench_triage.py [--sizes 100,1000,5000] [--rounds 3]

For each size N it starts the emulator with a scaled workspace of N
connections (`--connections N`, 20 history jobs each), loads what the
dashboard's watcher holds (connections + the 500 newest jobs: paid once at
start-up whatever triage does), then measures one triage refresh as
`airsync failures` does it: the rules engine judged over that snapshot
(`engine_from_snapshot`, the same rules as the Alerts screen) +
`EngineProblemSource.open_problems()` + `group_problems()`: HTTP requests
sent (counted by the provider) and wall time, split into the one failure
listing request (the emulator's own scan of N×20 jobs) and the local work
(replaying the held jobs through the engine and grouping). Flat = the same
request count at every N.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from airsync_tui.config import AirbyteSettings
from airsync_tui.emulator.server import EmulatorOptions, start_emulator
from airsync_tui.providers.airbyte.provider import AirbyteProvider
from airsync_tui.service.problems import ConnectionProblem
from airsync_tui.service.triage import (
    EngineProblemSource,
    engine_from_snapshot,
    group_problems,
)


async def measure(size: int, rounds: int) -> tuple[int, int, float, float, float, int, int]:
    emu = start_emulator(EmulatorOptions(seed=7, connections=size, big_log_lines=0))
    try:
        provider = AirbyteProvider.from_settings(
            AirbyteSettings(api_url=emu.public_api_url, client_id=emu.client_id, client_secret=emu.client_secret,
                            workspace_id=emu.workspace_id)
        )  # fmt: skip
        connections = await provider.list_connections()
        jobs = await provider.recent_jobs(max_jobs=500)

        async def refresh() -> list[ConnectionProblem]:
            engine = await engine_from_snapshot(connections, jobs, now=provider.server_now())
            source = EngineProblemSource(engine, providers={provider.name: provider})
            return await source.open_problems()

        await refresh()  # warm-up (token, connection pool)
        requests, times, waits, problems, groups = [], [], [], 0, 0
        original = provider.recent_failures

        async def timed(*, limit: int = 200) -> dict:
            start = time.perf_counter()
            try:
                return await original(limit=limit)
            finally:
                waits.append(time.perf_counter() - start)

        provider.recent_failures = timed  # type: ignore[method-assign]
        for _ in range(rounds):
            before = provider.stats.requests
            start = time.perf_counter()
            found = await refresh()
            grouped = group_problems(found)
            times.append(time.perf_counter() - start)
            requests.append(provider.stats.requests - before)
            problems, groups = len(found), len(grouped)
        await provider.aclose()
        total, server = statistics.median(times), statistics.median(waits)
        return size, max(requests), total, total - server, server, problems, groups
    finally:
        emu.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'connections':>11}  {'requests/refresh':>16}  {'total ms':>8}  {'local ms':>8}  {'request ms':>10}  {'problems':>8}  {'groups':>6}"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        n, requests, total, local, server, problems, groups = asyncio.run(measure(size, args.rounds))
        print(f"{n:>11}  {requests:>16}  {total * 1000:>8.1f}  {local * 1000:>8.1f}  {server * 1000:>10.1f}  {problems:>8}  {groups:>6}")


if __name__ == "__main__":
    main()
