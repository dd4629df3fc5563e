"""Watcher cost and latency vs a PyAirbyte-style poller, in the same run.

Scenario (issue: core engine §4): the emulator serves a workspace of 1,000
connections with ~50 jobs kept running; jobs end and new ones start, so there
are status transitions to observe.

* airsync: the real `Watcher` (default `WatcherConfig`) over the real Airbyte
  provider, watching the whole workspace.
* baseline: what PyAirbyte's `wait_for_completion` does per job — one
  `GET /jobs/{id}` per running job every 2 s (started for every running job
  the baseline knows about; a list call every 30 s discovers new jobs, which is
  generous to the baseline).

Both run concurrently against the same emulator, so they see the same
transitions. Latency = time from the emulator recording a transition to the
subscriber seeing it (same process, same monotonic clock).

    python bench/bench_watcher.py [--seconds 60] [--connections 1000] [--running 50] [--speed 4]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx

from airsync_tui.config import AirbyteSettings
from airsync_tui.emulator.server import EmulatorOptions, start_emulator
from airsync_tui.providers.airbyte.provider import AirbyteProvider
from airsync_tui.service.events import JobCreated, JobStatusChanged
from airsync_tui.service.watcher import Watcher, WatcherConfig

TERMINAL = {"succeeded", "failed", "cancelled"}


async def run_airsync(emulator, seconds: float, seen: dict[tuple[str, str], float]) -> dict[str, float]:  # type: ignore[no-untyped-def]
    provider = AirbyteProvider.from_settings(
        AirbyteSettings(
            api_url=emulator.public_api_url,
            client_id=emulator.client_id,
            client_secret=emulator.client_secret,
            workspace_id=emulator.workspace_id,
        )
    )
    watcher = Watcher([provider], WatcherConfig())
    subscription = watcher.subscribe()
    await watcher.start()
    # Steady state only: the first load (connections + recent jobs) is a one-off.
    while not watcher.loaded["airbyte"]:
        await asyncio.sleep(0.05)
    start_requests = watcher.request_count()
    started = time.monotonic()
    deadline = started + seconds
    while time.monotonic() < deadline:
        event = await subscription.get(timeout=max(0.0, deadline - time.monotonic()))
        # A job first seen already running arrives as JobCreated: that is when
        # the subscriber learns its status, so it counts as observing it.
        if isinstance(event, (JobStatusChanged, JobCreated)):
            seen.setdefault((event.job.id, event.job.status.raw), time.monotonic())
    elapsed = time.monotonic() - started
    requests = watcher.request_count() - start_requests
    await watcher.aclose()
    return {"requests": requests, "seconds": elapsed}


async def run_baseline(emulator, seconds: float, seen: dict[tuple[str, str], float]) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """One GET /jobs/{id} per known running job every 2 s (PyAirbyte's JOB_WAIT_INTERVAL_SECS)."""
    base = emulator.public_api_url
    requests = 0
    async with httpx.AsyncClient(timeout=15) as client:
        token = (
            await client.post(f"{base}/applications/token", json={"client_id": emulator.client_id, "client_secret": emulator.client_secret})
        ).json()["access_token"]
        client.headers["authorization"] = f"Bearer {token}"
        status: dict[str, str] = {}

        async def discover() -> None:
            nonlocal requests
            offset = 0
            while True:
                page = (
                    await client.get(
                        f"{base}/jobs",
                        params={"workspaceIds": emulator.workspace_id, "orderBy": "createdAt|DESC", "limit": 100, "offset": offset},
                    )
                ).json()["data"]
                requests += 1
                for job in page:
                    status.setdefault(str(job["jobId"]), job["status"])
                if len(page) < 100 or offset >= 200:
                    return
                offset += 100

        async def poll(job_id: str) -> None:
            nonlocal requests
            while time.monotonic() < deadline and status.get(job_id) not in TERMINAL:
                response = await client.get(f"{base}/jobs/{job_id}")
                requests += 1
                new = response.json()["status"]
                if new != status.get(job_id):
                    seen.setdefault((job_id, new), time.monotonic())
                    status[job_id] = new
                await asyncio.sleep(2.0)

        started = time.monotonic()
        deadline = started + seconds
        pollers: dict[str, asyncio.Task[None]] = {}
        next_discovery = 0.0
        while time.monotonic() < deadline:
            if time.monotonic() >= next_discovery:
                await discover()
                next_discovery = time.monotonic() + 30
            for job_id, job_status in status.items():
                if job_id not in pollers and job_status not in TERMINAL:
                    pollers[job_id] = asyncio.create_task(poll(job_id))
            await asyncio.sleep(0.5)
        for task in pollers.values():
            task.cancel()
        await asyncio.gather(*pollers.values(), return_exceptions=True)
    return {"requests": requests, "seconds": time.monotonic() - started}


def latencies(emulator, seen: dict[tuple[str, str], float], since: float) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for job_id, _old, new, _virtual, monotonic in list(emulator.world.transitions):
        if monotonic < since:
            continue
        observed = seen.get((str(job_id), new))
        if observed is not None and observed >= monotonic:
            out.append(observed - monotonic)
    return out


def describe(values: list[float]) -> str:
    if not values:
        return "n/a (no transitions observed)"
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    return f"median {statistics.median(values):.2f} s, p95 {p95:.2f} s (n={len(values)})"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--running", type=int, default=50)
    parser.add_argument("--speed", type=float, default=4.0)
    args = parser.parse_args()

    emulator = start_emulator(
        EmulatorOptions(seed=11, speed=args.speed, connections=args.connections, running=args.running, big_log_lines=0)
    )
    try:
        await asyncio.sleep(1.0)  # let the emulator top up its running jobs
        since = time.monotonic()
        ours: dict[tuple[str, str], float] = {}
        theirs: dict[tuple[str, str], float] = {}
        mine, base = await asyncio.gather(run_airsync(emulator, args.seconds, ours), run_baseline(emulator, args.seconds, theirs))
        running_now = sum(1 for job in emulator.world.jobs if job.status in ("running", "pending", "incomplete"))
        total_transitions = sum(1 for t in emulator.world.transitions if t[4] >= since)
        ours_rps = mine["requests"] / mine["seconds"]
        base_rps = base["requests"] / base["seconds"]
        print(
            f"workspace: {args.connections} connections, ~{args.running} running jobs (now {running_now}), "
            f"emulator speed x{args.speed:g}, {args.seconds:g} s window, {total_transitions} transitions"
        )
        print(f"{'':28}{'requests/s':>12}  transition latency")
        print(f"{'airsync watcher':28}{ours_rps:>12.2f}  {describe(latencies(emulator, ours, since))}")
        print(f"{'PyAirbyte-style baseline':28}{base_rps:>12.2f}  {describe(latencies(emulator, theirs, since))}")
        print(f"baseline / airsync request ratio: {base_rps / ours_rps:.1f}x" if ours_rps else "")
        print("targets: airsync <= 2 requests/s, median latency <= 1.5 s")
    finally:
        emulator.stop()


if __name__ == "__main__":
    asyncio.run(main())
