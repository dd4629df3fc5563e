"""Soak: the dashboard and many `airsync sync --wait` runs through chaos, judged against the truth.

What it does, for DURATION seconds (default 600):

* starts the embedded emulator in this process, with its fault layer on:
  at RATE of requests (the token endpoint included) it answers 429/500/502/
  503, resets the connection, stalls, or sends garbage — and on job-creating
  requests it can lose the answer AFTER the job was created;
* runs the dashboard headless in a child process (Textual's Pilot), pressing
  keys every 2 s and printing a heartbeat: a missing heartbeat is a hang, a
  non-zero exit or a traceback a crash;
* runs `python -m airsync_tui sync ID --wait --json` child processes (WORKERS
  at a time, at least RUNS in all) on manual connections with scripted
  outcomes, and after each run compares what the CLI said with the
  emulator's own state (read directly, no faults).

It prints one line per run and a summary of crashes, hangs, duplicate
triggers, missed or wrong final statuses, exit-code mismatches and phantom
results. Target: all zero.

    python bench/soak.py --duration 600 --runs 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

OUTCOMES = {
    "success": ("succeeded", 0),
    "fatal": ("failed", 1),
    "retry1_then_success": ("succeeded", 0),
}


@dataclass
class Tally:
    runs: int = 0
    crashes: int = 0
    hangs: int = 0
    duplicate_triggers: int = 0
    missed_final: int = 0
    wrong_final: int = 0
    exit_mismatch: int = 0
    phantom: int = 0
    gave_up_nothing_started: int = 0  # exit 2 with no job created: an honest error, not a defect
    notes: list[str] = field(default_factory=list)


def write_profile(tmp: Path, emu: object) -> Path:
    path = tmp / "config.toml"
    path.write_text(
        'default_profile = "soak"\n[profiles.soak.airbyte]\n'
        f'api_url = "{emu.public_api_url}"\nclient_id = "{emu.client_id}"\n'  # type: ignore[attr-defined]
        f'client_secret = "{emu.client_secret}"\nworkspace_id = "{emu.workspace_id}"\ntimeout = 3\n'  # type: ignore[attr-defined]
    )
    path.chmod(0o600)
    return path


def child_env(config: Path, tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRBYTE_", "HIGHTOUCH_", "AIRSYNC_"))}
    env.update(
        AIRSYNC_CONFIG=str(config),
        AIRSYNC_STATE=str(tmp / "state.db"),
        PYTHONPATH=str(REPO),
    )
    return env


# ----------------------------------------------------------------------------- dashboard child


async def dashboard_child(duration: float) -> int:
    from airsync_tui.config import load_profile
    from airsync_tui.service.session import build_watcher
    from airsync_tui.ui.app import AirsyncApp, SessionInfo

    profile = load_profile(None)
    watcher = build_watcher(profile, read_only=True)
    info = SessionInfo(
        profile_name=profile.name,
        read_only=True,
        demo=False,
        available_profiles=[],
        workspace_label="soak",
    )
    app = AirsyncApp(watcher, info)
    started = time.monotonic()
    keys = ["down", "down", "up", "j", "k"]
    async with app.run_test(size=(120, 40)) as pilot:
        beat = 0
        while time.monotonic() - started < duration:
            t0 = time.monotonic()
            await pilot.press(keys[beat % len(keys)])
            await pilot.pause()
            health = {name: h.state.value for name, h in watcher.health.items()}
            print(
                f"beat {beat} {time.monotonic() - started:.0f}s pause_ms={1000 * (time.monotonic() - t0):.0f} health={health}",
                flush=True,
            )
            beat += 1
            await asyncio.sleep(2.0)
    return 0


class DashboardWatch:
    """Reads the child's heartbeats; a gap longer than HANG_SECONDS is a hang."""

    HANG_SECONDS = 30.0

    def __init__(self, config: Path, tmp: Path, duration: float) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--dashboard-child",
                "--duration",
                str(duration),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=child_env(config, tmp),
            text=True,
        )
        self.last_beat = time.monotonic()
        self.beats = 0
        self.max_gap = 0.0
        self.states: dict[str, int] = {}
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            now = time.monotonic()
            if line.startswith("beat "):
                self.max_gap = max(self.max_gap, now - self.last_beat)
                self.last_beat = now
                self.beats += 1
                for state in (
                    "ok",
                    "retrying",
                    "degraded",
                    "unreachable",
                    "auth_failed",
                    "connecting",
                ):
                    if f"'{state}'" in line:
                        self.states[state] = self.states.get(state, 0) + 1

    def finish(self, tally: Tally) -> None:
        try:
            rc = self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            tally.hangs += 1
            tally.notes.append("dashboard did not exit")
            return
        err = self.proc.stderr.read() if self.proc.stderr else ""
        self.thread.join(timeout=5)
        self.max_gap = max(self.max_gap, time.monotonic() - self.last_beat if rc != 0 else 0.0)
        if rc != 0 or "Traceback" in err:
            tally.crashes += 1
            tally.notes.append(f"dashboard rc={rc}: {err.strip().splitlines()[-1:] if err.strip() else ''}")
        if self.max_gap > self.HANG_SECONDS:
            tally.hangs += 1
            tally.notes.append(f"dashboard heartbeat gap {self.max_gap:.0f}s")


# ----------------------------------------------------------------------------- sync runs


def one_run(
    emu: object,
    world: object,
    cid: str,
    outcome: str,
    config: Path,
    tmp: Path,
    tally: Tally,
    lock: threading.Lock,
) -> str:
    world.force_next_outcome(cid, outcome)  # type: ignore[attr-defined]
    since = world.clock.now()  # type: ignore[attr-defined]
    started = time.monotonic()
    try:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "airsync_tui",
                "sync",
                cid,
                "--wait",
                "--json",
                "--timeout",
                "300",
            ],
            capture_output=True,
            text=True,
            env=child_env(config, tmp),
            timeout=420,
            check=False,
        )
        rc, out, err = proc.returncode, proc.stdout, proc.stderr
    except subprocess.TimeoutExpired:
        rc, out, err = -1, "", "hang"
    elapsed = time.monotonic() - started
    # The truth: this connection's jobs created since the run began, once they end.
    deadline = time.monotonic() + 180
    while True:
        with world.lock:  # type: ignore[attr-defined]
            created = [j for j in world.jobs if j.connection.connection_id == cid and j.created_at >= since]  # type: ignore[attr-defined]
            settled = all(j.is_terminal for j in created)
        if settled or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    expected_status, expected_rc = OUTCOMES[outcome]
    verdict = "ok"
    with lock:
        tally.runs += 1
        if rc == -1:
            tally.hangs += 1
            verdict = "HANG"
        elif "Traceback" in err:
            tally.crashes += 1
            verdict = "CRASH"
        if len(created) > 1:
            tally.duplicate_triggers += len(created) - 1
            verdict = f"DUPLICATE x{len(created)}"
        reported = None
        if out.strip():
            try:
                reported = json.loads(out)
            except ValueError:
                verdict = "GARBLED JSON"
                tally.wrong_final += 1
        if verdict == "ok" and rc in (0, 1):
            truth = {str(j.job_id): j.status for j in created}
            job_id = str(reported.get("jobId")) if reported else None
            if job_id not in truth:
                tally.phantom += 1
                verdict = f"PHANTOM job {job_id}"
            elif reported.get("finalStatus") != truth[job_id]:  # type: ignore[union-attr]
                tally.wrong_final += 1
                verdict = f"WRONG {reported.get('finalStatus')} vs {truth[job_id]}"  # type: ignore[union-attr]
            elif rc != expected_rc or truth[job_id] != expected_status:
                tally.exit_mismatch += 1
                verdict = f"EXIT rc={rc} for {truth[job_id]}"
        elif verdict == "ok":
            if created:
                tally.missed_final += 1
                verdict = f"MISSED rc={rc} ({err.strip().splitlines()[-1:] if err.strip() else ''})"
            else:
                tally.gave_up_nothing_started += 1
                verdict = f"gave up, nothing started (rc={rc})"
    return f"{cid[:8]} {outcome:<20} rc={rc:<3} {elapsed:6.1f}s jobs={len(created)} {verdict}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=600.0)
    parser.add_argument("--runs", type=int, default=20, help="at least this many sync --wait runs")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=0.2, help="fault probability per request")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--dashboard-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.dashboard_child:
        return asyncio.run(dashboard_child(args.duration))

    from airsync_tui.emulator.faults import ALL_FAULT_KINDS, FaultConfig
    from airsync_tui.emulator.server import EmulatorOptions, start_emulator

    emu = start_emulator(EmulatorOptions(seed=args.seed, speed=20.0, big_log_lines=200, token_ttl=60.0))
    world = emu.world
    tmp = Path(tempfile.mkdtemp(prefix="airsync-soak-"))
    config = write_profile(tmp, emu)
    with world.lock:
        # Only our triggers may create jobs during the soak: turn schedules off,
        # and use connections that are idle (a demo job already running would
        # be attached to, not started).
        for connection in world.connections:
            connection.schedule_kind = "manual"
            connection.next_fire_at = None
        manual = [c.connection_id for c in world.connections if c.status == "active" and c.active_job_id is None]
    emu.set_faults(
        FaultConfig(
            rate=args.rate,
            kinds=set(ALL_FAULT_KINDS),
            seed=args.seed,
            stall_seconds=8.0,
            after_create=0.5,
        )
    )
    tally = Tally()
    lock = threading.Lock()
    dashboard = DashboardWatch(config, tmp, args.duration)
    rng = random.Random(args.seed)
    started = time.monotonic()
    free = list(manual)
    print(
        f"soak: {args.duration:.0f}s, >= {args.runs} runs, {args.workers} workers, fault rate {args.rate}, {len(manual)} connections",
        flush=True,
    )

    def worker() -> None:
        while time.monotonic() - started < args.duration or tally.runs < args.runs:
            with lock:
                if not free:
                    cid = None
                else:
                    cid = free.pop(rng.randrange(len(free)))
            if cid is None:
                time.sleep(0.5)
                continue
            try:
                line = one_run(
                    emu,
                    world,
                    cid,
                    rng.choice(sorted(OUTCOMES)),
                    config,
                    tmp,
                    tally,
                    lock,
                )
                print(f"[{time.monotonic() - started:5.0f}s] {line}", flush=True)
            finally:
                with lock:
                    free.append(cid)

    threads = [threading.Thread(target=worker) for _ in range(args.workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    dashboard.finish(tally)
    emu.set_faults(None)
    injected = len(emu.app.state.faults.injected)
    emu.stop()
    print()
    print(f"wall {time.monotonic() - started:.0f}s · sync --wait runs {tally.runs} · faults injected (last window) {injected}")
    print(f"dashboard heartbeats {dashboard.beats} · max gap {dashboard.max_gap:.1f}s · health samples {dashboard.states}")
    figures = {
        "crashes": tally.crashes,
        "hangs": tally.hangs,
        "duplicate triggers": tally.duplicate_triggers,
        "missed final statuses": tally.missed_final,
        "wrong final statuses": tally.wrong_final,
        "exit-code mismatches": tally.exit_mismatch,
        "phantom results": tally.phantom,
    }
    for name, value in figures.items():
        print(f"{name:<24} {value}")
    print(f"{'honest give-ups (exit 2, nothing started)':<24} {tally.gave_up_nothing_started}")
    for note in tally.notes:
        print(f"note: {note}")
    return 0 if not any(figures.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
