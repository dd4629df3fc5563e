"""Dashboard benchmarks: first screen as a user meets it (beside Toolong), filter latency, idle CPU.

    python bench/bench_ui.py [--runs 3] [--idle-seconds 20] [--write-docs] [--skip-secondary]

(a) process start → first populated screen, in a real terminal (tmux, 200x50),
    fresh process each run, median of N: `airsync --demo` beside Toolong
    (`tl`) opening a small log file, interleaved run by run in the same
    invocation. Toolong comes from a separate venv, bench/.venv-toolong
    (`python -m venv bench/.venv-toolong && bench/.venv-toolong/bin/pip install toolong`,
    gitignored); without it the peer column says so.
Secondary detail (in-process, after imports, headless Textual driver):
(a') launch → populated list with the demo emulator already running;
(b) 5,000 connections (in-memory fake provider): one filter keystroke →
    table updated and rendered (median / p95);
(c) idle CPU of the app process while watching 1,000 connections served by an
    emulator in a *separate* process (so only the dashboard's CPU is counted):
    once settled (from 30 s after the list loaded), and in the first seconds,
    while the alert rules still fetch the failing connections' reasons.
No assertions: figures are printed and, with --write-docs, written to the
"Dashboard" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from airsync_tui.cli.demo import start_demo  # noqa: E402
from airsync_tui.config import AirbyteSettings  # noqa: E402
from airsync_tui.providers.airbyte.provider import AirbyteProvider  # noqa: E402
from airsync_tui.service.session import build_watcher  # noqa: E402
from airsync_tui.service.watcher import Watcher, WatcherConfig  # noqa: E402
from airsync_tui.ui.app import AirsyncApp, SessionInfo  # noqa: E402
from airsync_tui.ui.screens.connections import ConnectionsScreen  # noqa: E402
from bench.first_screen import LaunchResult, _tmux, measure, time_first_screen  # noqa: E402
from tests.ui.fakes import FAST_CONFIG, FakeProvider, make_connections  # noqa: E402

SIZE = (140, 40)


async def _until(pilot, predicate, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if predicate():
            return
        await pilot.pause(0.005)
    raise TimeoutError("condition not reached")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# ------------------------------------------------- (a) first screen, fresh process
AIRSYNC_READY_TEXT = ("Stripe → BigQuery", "customers → salesforce")  # both providers' rows on screen
TOOLONG = ROOT / "bench" / ".venv-toolong" / "bin" / "tl"
TOOLONG_LOG_LINES = 200


def _small_log(path: Path) -> str:
    """A small log file for Toolong; returns text of its last line (Toolong opens tailing the end)."""
    lines = [
        f"2026-12-01 08:{i // 60:02d}:{i % 60:02d} INFO worker-{i % 4} processed batch {i} in {40 + i % 17} ms"
        for i in range(TOOLONG_LOG_LINES)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f"processed batch {TOOLONG_LOG_LINES - 1} "


def install_kind(airsync: Path) -> str:
    """How the measured `airsync` is installed: an editable install recompiles every
    module at each start when PYTHONDONTWRITEBYTECODE is set (no .pyc is ever
    written), which a user's `pip install` (bytecode compiled at install) never does."""
    python = airsync.with_name("python")
    code = (
        "import importlib.metadata as m, json; d = m.distribution('airsync-tui'); t = d.read_text('direct_url.json');"
        "print('editable' if t and json.loads(t).get('dir_info', {}).get('editable') else 'installed')"
    )
    result = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=60, check=False)
    kind = result.stdout.strip() or "unknown"
    if kind == "editable" and os.environ.get("PYTHONDONTWRITEBYTECODE"):
        kind += " (PYTHONDONTWRITEBYTECODE set: every start recompiles; pass --airsync from a `pip install .` venv)"
    return kind


def bench_first_screen(
    runs: int, airsync: Path | None = None, compare: Path | None = None
) -> tuple[LaunchResult, LaunchResult | None, LaunchResult | None]:
    """`airsync --demo` and Toolong (and another airsync build), each from a fresh process in tmux at 200x50."""
    airsync = airsync or Path(sys.executable).with_name("airsync")
    programs: list[tuple[str, list[str], Callable[[str], bool]]] = [
        ("airsync --demo", [str(airsync), "--demo"], lambda screen: all(t in screen for t in AIRSYNC_READY_TEXT)),
    ]
    if compare is not None:
        programs.append(("airsync --demo (compare)", [str(compare), "--demo"], lambda screen: all(t in screen for t in AIRSYNC_READY_TEXT)))
    if TOOLONG.exists():
        out = ROOT / "bench" / "out"
        out.mkdir(parents=True, exist_ok=True)
        log = out / "small.log"
        marker = _small_log(log)
        programs.append(("toolong (tl small.log)", [str(TOOLONG), str(log)], lambda screen: marker in screen))
    env = {"TERM": "xterm-256color", "AIRSYNC_STATE": str(ROOT / "bench" / "out" / "bench-state.sqlite")}
    results = measure(programs, runs=runs, cols=200, rows=50, env=env)
    other = results[1] if compare is not None else None
    peer = next((r for r in results if r.name.startswith("toolong")), None)
    return results[0], peer, other


# ------------------------------------ (a'') import work before the first screen
#: Replays, under `-X importtime`, the modules a real `airsync --demo` had imported when its
#: populated list was painted, in their import order (read from AIRSYNC_STARTUP_MODULES), with
#: httpx's command-line tool blocked and the start-up code cache installed, as the console script
#: does (cli/entry.py, cli/codegen_cache.py; the cache is the one the measured launches used).
#: `__import__`, not `importlib.import_module`: only the former goes through the C import that
#: `-X importtime` times (import_module's top-level names would be left out of the count).
REPLAY_IMPORTS = """
import sys
sys.modules.setdefault("httpx._main", None)
from airsync_tui.cli import codegen_cache
codegen_cache.install("airsync")
for name in {names!r}:
    if name not in sys.modules:
        try:
            __import__(name)
        except ImportError:
            pass  # e.g. a platform-specific optional import that failed in the real run too
"""
#: Imported by the trace machinery itself, not by the program.
TRACE_ONLY_MODULES = ("__main__", "cProfile", "_lsprof")


def real_path_modules(airsync: Path) -> list[str]:
    """What `airsync --demo` had imported when its populated list was painted, in import order:
    one traced launch in tmux at 200x50 (`AIRSYNC_STARTUP_MODULES`, airsync_tui/startup_trace.py)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="airsync-modules-") as tmp:
        modules = Path(tmp) / "modules.txt"
        env = {
            "TERM": "xterm-256color",
            "AIRSYNC_STARTUP_TRACE": str(Path(tmp) / "trace.txt"),
            "AIRSYNC_STARTUP_MODULES": str(modules),
            "AIRSYNC_STATE": str(Path(tmp) / "state.sqlite"),
        }
        shown_at: list[float] = []

        def settled(screen: str) -> bool:
            # The list is written once the populated frame is painted; give the last one a second to land.
            if not all(text in screen for text in AIRSYNC_READY_TEXT):
                return False
            shown_at.append(time.perf_counter())
            return time.perf_counter() - shown_at[0] >= 1.0 and modules.exists()

        _tmux("new-session", "-d", "-s", "keeper", "-x", "20", "-y", "5", "sleep 86400")  # as measure() does
        try:
            time_first_screen([str(airsync), "--demo"], settled, env=env)
        finally:
            _tmux("kill-server")  # our own socket's server only
        names = modules.read_text(encoding="utf-8").split()
    return [name for name in names if name not in TRACE_ONLY_MODULES]


def _import_profile(python: str, code: str) -> tuple[int, float]:
    """(modules imported, summed import time in s) from `-X importtime` in a fresh interpreter.

    Counts work rather than waiting: the module count does not depend on the
    machine's load at all, and the summed time less than a wall-clock launch.
    """
    result = subprocess.run(
        [python, "-X", "importtime", "-c", code], capture_output=True, text=True, timeout=120, cwd=os.path.abspath(os.sep), check=True
    )  # not the repo: import the measured install, not the source tree
    total_us = 0
    modules = 0
    for line in result.stderr.splitlines():
        fields = line.split("|")
        if not line.startswith("import time:") or len(fields) != 3 or not fields[0].split(":")[1].strip().isdigit():
            continue
        modules += 1
        total_us += int(fields[0].split(":")[1])
    return modules, total_us / 1e6


def bench_import_profile(airsync: Path, runs: int = 3) -> tuple[tuple[int, float], tuple[int, float] | None]:
    """Median over `runs` of ours (the real path's first-screen imports, replayed with the measured
    install's interpreter) and Toolong's (`import toolong.cli`, what `tl` imports)."""

    def median_of(python: str, code: str) -> tuple[int, float]:
        samples = [_import_profile(python, code) for _ in range(runs)]
        return samples[0][0], statistics.median(seconds for _, seconds in samples)

    replay = REPLAY_IMPORTS.format(names=real_path_modules(airsync))
    ours = median_of(str(airsync.with_name("python")), replay)
    toolong_python = TOOLONG.with_name("python")
    peer = median_of(str(toolong_python), "import toolong.cli") if toolong_python.exists() else None
    return ours, peer


# --------------------------------------------- (a') in-process launch (secondary)
async def bench_launch(runs: int) -> list[float]:
    demo = start_demo()
    demo.wait_ready()
    times: list[float] = []
    try:
        for _ in range(runs):
            start = time.perf_counter()
            watcher = build_watcher(demo.profile)
            app = AirsyncApp(watcher, SessionInfo(profile_name="demo", demo=True))
            async with app.run_test(size=SIZE) as pilot:
                await _until(
                    pilot,
                    lambda app=app, watcher=watcher: (
                        isinstance(app.screen, ConnectionsScreen)
                        and all(watcher.loaded.values())
                        and app.screen.table.row_count == len(watcher.connections) > 0
                    ),
                )
                times.append(time.perf_counter() - start)
            await watcher.aclose()
    finally:
        demo.stop()
    return times


# ------------------------------------------------------------- (b) filter 5k
FILTER_SEQUENCE = [
    "s",
    "sn",
    "sno",
    "snow",
    "snowf",
    "snow",
    "sno",
    "sn",
    "s",
    "",
    "!",
    "!s",
    "!sn",
    "!sno",
    "!snow",
    "!sno",
    "!",
    "",
    "1",
    "12",
    "123",
    "12",
    "1",
    "",
    "git",
    "gith",
    "github 4",
    "github 42",
    "github 4",
    "gith",
    "",
]


def _keys_between(old: str, new: str) -> list[tuple[str, str]]:
    """Keystrokes that turn the filter box's `old` text into `new`, each with the text after it."""
    if new == old + new[len(old) :] and len(new) > len(old):
        return [(_key_name(ch), new[: len(old) + i + 1]) for i, ch in enumerate(new[len(old) :])]
    if new == old[:-1]:
        return [("backspace", new)]
    steps = [("ctrl+u", "")]  # clear the box in one keystroke (delete everything left of the cursor)
    return steps + [(_key_name(ch), new[: i + 1]) for i, ch in enumerate(new)]


def _key_name(ch: str) -> str:
    return {" ": "space", "!": "exclamation_mark"}.get(ch, ch)


async def bench_filter(count: int = 5000, rounds: int = 3) -> tuple[list[float], float, int]:
    """Real keystrokes into the filter box; latency = key posted → last frame that repainted the table.

    Frames are the compositor updates the app hands to its driver (`App._display`);
    a frame counts as "table updated" when the table rendered lines for it. The
    time includes the Input echo, the filter coalescing window, the view change
    and Textual's frame pacing — what an operator would wait for.
    """
    words = ["Postgres", "Stripe", "Salesforce", "HubSpot", "MySQL", "Zendesk", "GitHub", "Shopify", "Jira", "Mongo"]
    dests = ["Snowflake", "BigQuery", "Redshift", "S3", "Databricks"]
    names = [f"{words[i % 10]} {i} → {dests[i % 5]}" for i in range(count)]
    provider = FakeProvider(connections=make_connections("airbyte", names), auto_advance=False)
    # As `airsync` runs it: the first full load is frozen out of GC scans (ui/heap.py).
    app = AirsyncApp(Watcher([provider], FAST_CONFIG), SessionInfo(profile_name="bench"), live_clock=False, set_aside_heap=True)
    times: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        start = time.perf_counter()
        await _until(pilot, lambda: isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count == count)
        await pilot.pause()
        first_paint = time.perf_counter() - start
        screen = app.screen
        assert isinstance(screen, ConnectionsScreen)
        table = screen.table
        frames: list[tuple[float, bool]] = []
        painted = [False]
        original_display, original_render_lines = app._display, table.render_lines

        def render_lines(crop):  # type: ignore[no-untyped-def]
            painted[0] = True
            return original_render_lines(crop)

        def display(target, renderable):  # type: ignore[no-untyped-def]
            original_display(target, renderable)
            if renderable is not None:
                frames.append((time.perf_counter(), painted[0]))
                painted[0] = False

        table.render_lines = render_lines  # type: ignore[method-assign]
        app._display = display  # type: ignore[method-assign]
        await pilot.press("slash")
        await pilot.pause(0.1)
        text = ""
        for target in FILTER_SEQUENCE * rounds:
            for key, after in _keys_between(text, target):
                frames.clear()
                t0 = time.perf_counter()
                await pilot.press(key)
                await _until(pilot, lambda after=after: screen.filter_text == after, timeout=5)
                await pilot.pause(0.06)  # let every frame this keystroke caused reach the driver
                table_frames = [t for t, table_painted in frames if table_painted]
                done = (table_frames or [t for t, _ in frames] or [time.perf_counter()])[-1]
                times.append(done - t0)
                expected = len(screen.visible_keys())
                assert table.row_count == expected, (after, table.row_count, expected)
            text = target
    return times, first_paint, len(times)


# ---------------------------------------------------------------- (c) idle CPU
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


#: After the first window, the second one starts this long after the list loaded: by then the alert rules have
#: fetched the failure reasons of the connections failing at start (8 a second) and the app has caught up.
IDLE_SETTLE_SECONDS = 30.0


async def bench_idle_cpu(seconds: float, connections: int = 1000) -> tuple[float, float, int, int]:
    """(% of one core in the `seconds` right after the list loaded, the same once settled, requests, rows)."""
    port = _free_port()
    emulator = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "airsync_tui.emulator",
            "--port",
            str(port),
            "--connections",
            str(connections),
            "--running",
            "20",
            "--speed",
            "1",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                    break
            except OSError:
                time.sleep(0.05)
        provider = AirbyteProvider.from_settings(
            AirbyteSettings(api_url=base + "/api/public/v1", client_id="airsync-demo", client_secret="airsync-demo-secret")
        )
        watcher = Watcher([provider], WatcherConfig())  # the production pacing
        app = AirsyncApp(watcher, SessionInfo(profile_name="bench"))
        async with app.run_test(size=SIZE) as pilot:
            await _until(pilot, lambda: isinstance(app.screen, ConnectionsScreen) and app.screen.table.row_count >= connections, timeout=60)
            await pilot.pause(2.0)
            loaded = time.perf_counter()
            cpu0, wall0 = time.process_time(), time.perf_counter()
            await asyncio.sleep(seconds)
            first = 100.0 * (time.process_time() - cpu0) / (time.perf_counter() - wall0)
            await asyncio.sleep(max(0.0, IDLE_SETTLE_SECONDS - (time.perf_counter() - loaded)))
            requests0 = watcher.request_count()
            cpu0, wall0 = time.process_time(), time.perf_counter()
            await asyncio.sleep(seconds)
            settled = 100.0 * (time.process_time() - cpu0) / (time.perf_counter() - wall0)
            requests = watcher.request_count() - requests0
            rows = app.screen.table.row_count  # type: ignore[attr-defined]
        await watcher.aclose()
        return first, settled, requests, rows
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)


# ----------------------------------------------------------------- reporting
def write_docs(section: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(r"^## Dashboard\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        updated = pattern.sub(section.rstrip() + "\n\n", current)
    else:
        updated = current.rstrip() + "\n\n" + section.rstrip() + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(updated, encoding="utf-8")


def _runs(values: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idle-seconds", type=float, default=20.0)
    parser.add_argument("--skip-secondary", action="store_true", help="only the fresh-process figure (a)")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument(
        "--compare",
        type=Path,
        default=None,
        help="another airsync console script (e.g. main's) measured in the same interleaved runs",
    )
    parser.add_argument(
        "--airsync",
        type=Path,
        default=None,
        help="the airsync console script to launch (default: next to this Python); e.g. from a venv made with"
        " `python -m venv /tmp/v && /tmp/v/bin/pip install .`, as a user installs it",
    )
    args = parser.parse_args()

    airsync = args.airsync or Path(sys.executable).with_name("airsync")
    kind, load = install_kind(airsync), os.getloadavg()[0]
    print(f"airsync measured: {airsync} ({kind}); load average {load:.1f} on {os.cpu_count()} CPUs")
    ours, peer, other = bench_first_screen(args.runs, airsync, args.compare)
    peer_text = f"{peer.median:.2f} s (runs: {_runs(peer.times)})" if peer else "not measured (bench/.venv-toolong missing)"
    print(f"(a) process start → first populated screen, tmux 200x50, median of {args.runs}:")
    print(f"    airsync --demo: {ours.median:.2f} s (runs: {_runs(ours.times)})")
    print(f"    Toolong, small log: {peer_text}")
    if peer:
        print(f"    ratio airsync / Toolong: {ours.median / peer.median:.2f}x  (goal ≤ 1.00x)")
    peer_cpu = f"Toolong {peer.median_cpu:.2f} s (runs: {_runs(peer.cpu)})" if peer else "Toolong not measured"
    print(f"    CPU used by then (all the program's processes): airsync {ours.median_cpu:.2f} s (runs: {_runs(ours.cpu)}); {peer_cpu}")
    if other is not None:
        ratio = f", ratio to Toolong {other.median / peer.median:.2f}x" if peer else ""
        print(
            f"    compare {args.compare}: {other.median:.2f} s (runs: {_runs(other.times)}){ratio}; CPU {other.median_cpu:.2f} s (runs: {_runs(other.cpu)})"
        )
    (our_modules, our_imports), peer_imports = bench_import_profile(airsync)
    peer_import_text = f"Toolong {peer_imports[0]} modules, {peer_imports[1]:.2f} s" if peer_imports else "Toolong not measured"
    print(
        f"(a'') imports before the first screen (-X importtime replaying the real path's modules, fresh interpreter, median of 3): airsync {our_modules} modules, {our_imports:.2f} s; {peer_import_text}"
    )
    if args.skip_secondary:
        return
    launch = asyncio.run(bench_launch(5))
    print(
        f"(a') in-process, after imports, emulator already up: launch → populated list median {statistics.median(launch):.3f} s (runs: {', '.join(f'{t:.3f}' for t in launch)})"
    )
    filt, paint, keystrokes = asyncio.run(bench_filter())
    print(
        f"(b) 5,000 connections: first paint {paint:.2f} s; filter keystroke → table repainted: median {statistics.median(filt) * 1000:.1f} ms, p95 {_pct(filt, 0.95) * 1000:.1f} ms, max {max(filt) * 1000:.1f} ms over {keystrokes} keystrokes  target ≤ 100 ms"
    )
    first_cpu, cpu, requests, rows = asyncio.run(bench_idle_cpu(args.idle_seconds))
    print(
        f"(c) idle CPU watching {rows:,} connections for {args.idle_seconds:.0f} s, from {IDLE_SETTLE_SECONDS:.0f} s after the list loaded: "
        f"{cpu:.2f} % of one core ({requests} API requests)  target < 2 %; "
        f"in the {args.idle_seconds:.0f} s right after it loaded (start-up work: failure reasons, histories): {first_cpu:.2f} %"
    )

    if args.write_docs:
        peer_cell = f"{peer.median:.2f} s ({_runs(peer.times)})" if peer else "not measured"
        ratio = f"{ours.median / peer.median:.2f}x" if peer else "–"
        section = f"""## Dashboard

Measured with `python bench/bench_ui.py --runs {args.runs} --idle-seconds {args.idle_seconds:.0f} --airsync … --write-docs`
({os.cpu_count()} CPUs shared with other work, load average {load:.1f} at the start, Python {sys.version.split()[0]};
airsync {kind.split(" ")[0]}, i.e. {"from a `pip install .` venv, bytecode compiled at install" if kind.startswith("installed") else "NOT as a user installs it"}).

**First screen, as a user meets it** (the headline figure): a fresh process
started in a real terminal (tmux, 200x50) until the screen shows data
(airsync: rows of both providers; Toolong: the log's lines; the pane is read
every 10 ms through one tmux control-mode client, not a process per read), median of
{args.runs}, both programs interleaved run by run in the same invocation.

| Program | Process start → first populated screen | Runs |
|---|---|---|
| `airsync --demo` (emulator in a child process) | {ours.median:.2f} s | {_runs(ours.times)} |
| Toolong `tl` on a {TOOLONG_LOG_LINES}-line log file | {peer.median if peer else float("nan"):.2f} s | {peer_cell} |
| ratio airsync / Toolong (goal ≤ 1.00x) | {ratio} | |
| CPU used by then, all the program's processes (hardly load-dependent) | airsync {ours.median_cpu:.2f} s, Toolong {peer.median_cpu if peer else float("nan"):.2f} s | {_runs(ours.cpu)} / {_runs(peer.cpu) if peer else "–"} |
| imports before the first screen (`-X importtime`, fresh interpreter, median of 3; load-independent module count) | airsync {our_modules} modules, {our_imports:.2f} s | {peer_import_text} |

Secondary detail, in-process (after imports, headless Textual driver at 140x40):

| What | Result | Target |
|---|---|---|
| Launch → populated connection list (demo emulator already up, real providers; median of {len(launch)}) | {statistics.median(launch):.3f} s | – |
| 5,000 connections: filter keystroke → table repainted ({keystrokes} keystrokes incl. clearing) | median {statistics.median(filt) * 1000:.1f} ms, p95 {_pct(filt, 0.95) * 1000:.1f} ms, max {max(filt) * 1000:.1f} ms | ≤ 100 ms |
| 5,000 connections: first paint of the full list | {paint:.2f} s | – |
| Idle CPU of the app process watching {rows:,} connections ({args.idle_seconds:.0f} s from {IDLE_SETTLE_SECONDS:.0f} s after the list loaded, emulator in another process, default pacing) | {cpu:.2f} % (the {args.idle_seconds:.0f} s right after it loaded, while the alert rules fetch the failing connections' reasons: {first_cpu:.2f} %) | < 2 % |

How the first screen got fast: the `airsync` launcher (`cli/entry.py`) starts
the demo emulator's child process before any heavy import, on a socket the
parent binds (requests wait in the backlog until the child accepts), so its
start-up overlaps the dashboard's imports; the emulator never runs in the
dashboard's process, and its DuckDB writer (import and history backfill,
~0.7 s of CPU) starts 2 s later at +10 niceness, so it does not compete with the first screen.
Plain-HTTP clients (the demo, a LAN Airbyte) skip loading the CA bundle (a
TLS context that trusts nothing, so https fails closed); the fleet service,
its journal and dialogs, the SQL readers and the CLI's command handlers are
imported when first used (`tests/unit/test_first_screen_imports.py` checks
`sys.modules` after the first screen is built, and that later screens' pydantic schemas are not built yet:
models are `defer_build=True`). `airsync` with flags only parses with the top-level parser (the ~20
subcommand parsers were the largest CPU item before the dashboard's imports); the garbage collector
pauses while both processes import and resumes with the start-up heap frozen; the footer rebuilds its
keys only when they change (Textual's rebuilt ~25 identical footers while the first rows arrived).
How the table stays fast: `LiveTable.show_rows`
switches the view in one bulk pass, lines are rendered from a cache keyed on
the row's own version, off-screen rows only re-render when scrolled into
view, the clock pauses under modals, and filter keystrokes closer than 30 ms
are coalesced.
"""
        write_docs(section)
        print("wrote the Dashboard section of docs/benchmarks.md")


if __name__ == "__main__":
    main()
