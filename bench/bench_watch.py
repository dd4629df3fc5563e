"""`airsync watch` measured: alert latency, and a simulated day at 1,000 connections.

    python bench/bench_watch.py latency [--trials 20]
    python bench/bench_watch.py soak [--connections 1000] [--wall-minutes 6] [--fail-rate 0.1]

latency: the demo emulator (×30 speed) with a standing `failed` outcome on one
connection at a time; a job is started, and we time, from the emulator
recording the job's `failed` transition (same process, same monotonic clock):
(a) the same failure's `JobStatusChanged` on `airsync watch --json`'s stdout
(the watcher's event stream), (b) the alert POSTed to a local webhook receiver
(Apprise `json://`). Default settings (no tuning).

soak: a 1,000-connection emulator at a speed that plays 24 virtual hours in
`--wall-minutes`; the webhook fails `--fail-rate` of deliveries (HTTP 500);
`airsync watch` is killed with SIGKILL half-way and restarted on the same
state file. Reported: API requests/s (from the watcher's own
`airsync_provider_api_requests_total`, summed over both runs), CPU % and RSS
of the watch process (start after warm-up / end), and alert notifications
expected (distinct rows in the outbox) vs delivered (distinct accepted at the
webhook) vs duplicated (accepted more than once).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator, start_emulator

CLK_TCK = os.sysconf("SC_CLK_TCK")


class Receiver:
    """Local webhook: records (monotonic time, payload); fails `fail_rate` of POSTs with 500."""

    def __init__(self, fail_rate: float = 0.0, seed: int = 3) -> None:
        self.accepted: list[tuple[float, dict[str, Any]]] = []
        self.refused = 0
        self._rng = random.Random(seed)
        self.fail_rate = fail_rate

        async def hook(request: Request) -> JSONResponse:
            payload = await request.json()
            if self._rng.random() < self.fail_rate:
                self.refused += 1
                return JSONResponse({"error": "injected"}, status_code=500)
            self.accepted.append((time.monotonic(), payload))
            return JSONResponse({"ok": True})

        app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="critical"))
        threading.Thread(target=self.server.run, daemon=True).start()
        while not self.server.started:
            time.sleep(0.01)
        self.url = f"json://127.0.0.1:{self.server.servers[0].sockets[0].getsockname()[1]}/hook"

    def stop(self) -> None:
        self.server.should_exit = True


def start_watch(
    emulator: RunningEmulator, hook: str, state: Path, tmp: Path
) -> tuple[subprocess.Popen[str], queue.Queue[tuple[float, dict[str, Any]]]]:
    config = tmp / "none.toml"
    config.touch()  # an empty config: no profile, everything from the flags (a missing path is an error)
    env = dict(os.environ, AIRSYNC_CONFIG=str(config), AIRBYTE_CLIENT_SECRET=emulator.client_secret)
    cmd = [
        sys.executable,
        "-m",
        "airsync_tui.cli.main",
        "watch",
        "--provider",
        "airbyte",
        "--api-url",
        emulator.public_api_url,
        "--workspace",
        emulator.workspace_id,
        "--client-id",
        emulator.client_id,
        "--notify",
        hook,
        "--metrics",
        "127.0.0.1:0",
        "--json",
        "--state",
        str(state),
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put((time.monotonic(), json.loads(line)))

    threading.Thread(target=read, daemon=True).start()
    return proc, lines


def metrics_url(lines: queue.Queue[tuple[float, dict[str, Any]]]) -> str:
    while True:
        _, item = lines.get(timeout=60)
        if item["type"] == "metrics":
            return str(item["url"])


def requests_total(url: str) -> float:
    text = httpx.get(url, timeout=5).text
    for family in text_string_to_metric_families(text):
        if family.name == "airsync_provider_api_requests":
            return sum(s.value for s in family.samples if s.name.endswith("_total"))
    return 0.0


def proc_cpu_rss(pid: int) -> tuple[float, int]:
    """(CPU seconds user+system, RSS bytes) from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / CLK_TCK
    rss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) * 1024
    return cpu, rss


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def latency(trials: int) -> None:
    emulator = start_emulator(EmulatorOptions(speed=30.0, big_log_lines=0, client_id="bench-watch", client_secret="bench-secret"))
    receiver = Receiver()
    tmp = Path(tempfile.mkdtemp(prefix="bench-watch-"))
    proc, lines = start_watch(emulator, receiver.url, tmp / "state.db", tmp)
    world = emulator.world
    metrics_url(lines)
    time.sleep(5)  # first load + alerts for connections already failing
    candidates = [c for c in world.connections if c.status == "active"]
    to_event: list[float] = []
    to_alert: list[float] = []
    seen_events: dict[str, float] = {}
    try:
        for trial in range(trials):
            connection = candidates[trial % len(candidates)]
            if connection.active_job_id is not None:
                world.cancel_job(connection.active_job_id)
            # Recover first (so the next failure opens a new streak), then fail.
            for outcome in ("succeeded", "failed"):
                world.standing_outcomes[connection.connection_id] = outcome
                job = world.create_job(connection.connection_id, "sync")
                while connection.active_job_id is not None:
                    time.sleep(0.05)
                print(f"trial {trial}: {connection.name}: job {job.job_id} {job.status}", file=sys.stderr, flush=True)
            failed_at = next(t[4] for t in reversed(world.transitions) if t[0] == job.job_id and t[2] == "failed")
            deadline = time.monotonic() + 60
            alert_at = None
            while time.monotonic() < deadline and (alert_at is None or str(job.job_id) not in seen_events):
                while not lines.empty():
                    at, item = lines.get()
                    if item["type"] == "event" and item["event"] == "JobStatusChanged" and item.get("new") == "failed":
                        seen_events.setdefault(str(item["job"]["jobId"]), at)
                for at, payload in receiver.accepted:
                    if f":{job.job_id}\n" in payload.get("message", "") + "\n" and payload["title"].startswith("CRITICAL"):
                        alert_at = at
                time.sleep(0.02)
            if alert_at is None or str(job.job_id) not in seen_events:
                print(f"trial {trial}: no alert/event within 60 s", flush=True)
                continue
            to_event.append(seen_events[str(job.job_id)] - failed_at)
            to_alert.append(alert_at - failed_at)
            world.standing_outcomes.pop(connection.connection_id, None)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        receiver.stop()
        emulator.stop()
    print(f"trials: {len(to_alert)} of {trials}")
    print(
        f"failure → JobStatusChanged on `watch --json` stdout: median {statistics.median(to_event):.2f} s, p95 {pct(to_event, 0.95):.2f} s"
    )
    print(
        f"failure → alert delivered to the local webhook:      median {statistics.median(to_alert):.2f} s, p95 {pct(to_alert, 0.95):.2f} s"
    )


def soak(connections: int, wall_minutes: float, fail_rate: float, warmup: float) -> None:
    wall = wall_minutes * 60
    speed = 86400 / wall
    emulator = start_emulator(
        EmulatorOptions(connections=connections, speed=speed, big_log_lines=0, client_id="bench-soak", client_secret="bench-secret")
    )
    receiver = Receiver(fail_rate=fail_rate)
    tmp = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    state = tmp / "state.db"
    started = time.monotonic()
    proc, lines = start_watch(emulator, receiver.url, state, tmp)
    url = metrics_url(lines)
    time.sleep(warmup)  # warm-up: first load, start-time alerts, the watcher's job retention filling up
    cpu0, rss_start = proc_cpu_rss(proc.pid)
    t0 = time.monotonic()
    requests_before = 0.0
    last_requests = 0.0
    while time.monotonic() - started < wall / 2:
        time.sleep(5)
        last_requests = requests_total(url)
    cpu1, rss_before_kill = proc_cpu_rss(proc.pid)
    cpu_seconds = cpu1 - cpu0
    requests_before = last_requests
    print(f"kill -9 at {time.monotonic() - started:.0f} s (pid {proc.pid})", flush=True)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc, lines = start_watch(emulator, receiver.url, state, tmp)
    url = metrics_url(lines)
    cpu_r0, _ = proc_cpu_rss(proc.pid)
    time.sleep(warmup)
    _, rss_restart = proc_cpu_rss(proc.pid)
    while time.monotonic() - started < wall:
        time.sleep(5)
        last_requests = requests_total(url)
    cpu_r1, rss_end = proc_cpu_rss(proc.pid)
    cpu_seconds += cpu_r1 - cpu_r0
    elapsed = time.monotonic() - t0
    total_requests = requests_before + last_requests
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    time.sleep(1)
    db = sqlite3.connect(state)
    rows = db.execute("SELECT alert_id, transition, status FROM watch_outbox").fetchall()
    expected = {(a, t) for a, t, _ in rows}
    pending = sum(1 for *_, s in rows if s == "pending")
    received: dict[tuple[str, str], int] = {}
    for _, payload in receiver.accepted:
        alert_id = next((line.split(": ", 1)[1] for line in payload["message"].splitlines() if line.startswith("alert id: ")), None)
        transition = "resolved" if payload["title"].startswith("RECOVERED") else "opened"
        if alert_id:
            received[(alert_id, transition)] = received.get((alert_id, transition), 0) + 1
    delivered = len(expected & set(received))
    duplicated = sum(n - 1 for n in received.values() if n > 1)
    receiver.stop()
    emulator.stop()
    print(f"simulated 24 h of {connections} connections in {wall / 60:.1f} min wall (speed ×{speed:.0f}); one kill -9 + restart")
    print(f"API requests/s (watcher + lazy history/failure fetches): {total_requests / (time.monotonic() - started):.2f}")
    print(f"CPU of airsync watch: {100 * cpu_seconds / elapsed:.1f} % of one core (after warm-up, both runs)")
    mib = 2**20
    print(
        f"RSS, first process: {rss_start / mib:.1f} MiB after {warmup:.0f} s warm-up → {rss_before_kill / mib:.1f} MiB "
        f"at the kill ({100 * (rss_before_kill - rss_start) / rss_start:+.1f} %)"
    )
    print(
        f"RSS, restarted process: {rss_restart / mib:.1f} MiB after {warmup:.0f} s → {rss_end / mib:.1f} MiB at the end "
        f"({100 * (rss_end - rss_restart) / rss_restart:+.1f} %)"
    )
    print(f"webhook: {receiver.refused} deliveries refused (HTTP 500, {fail_rate:.0%} injected)")
    print(f"alert notifications: expected {len(expected)}, delivered {delivered}, duplicated {duplicated}, still pending {pending}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("latency")
    p.add_argument("--trials", type=int, default=20)
    p = sub.add_parser("soak")
    p.add_argument("--connections", type=int, default=1000)
    p.add_argument("--wall-minutes", type=float, default=6.0)
    p.add_argument("--fail-rate", type=float, default=0.1)
    p.add_argument("--warmup", type=float, default=60.0, help="seconds before the first RSS/CPU sample of each process")
    args = parser.parse_args()
    if args.what == "latency":
        latency(args.trials)
    else:
        soak(args.connections, args.wall_minutes, args.fail_rate, args.warmup)


if __name__ == "__main__":
    main()
