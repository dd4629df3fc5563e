"""Attempt-log viewer benchmark: 1,000,000-line logs, both Airbyte formats.

    /work/venv/bin/python bench/bench_logs.py [--lines 1000000] [--no-toolong] [--write-docs]

Measures, per format (structured events / legacy logLines):
  * download + parse: POST to a local HTTP server serving the attempt JSON
    (same shape as ``/api/v1/attempt/get_for_job``), then ``parse_attempt``;
  * keypress → first screen, in-process: a key opens LogScreen (feed
    downloads + parses in a worker) until the first log line is on screen;
  * search with match count (rare term and a term matching ~20% of lines);
  * memory: index retained bytes / text bytes, and process RSS;
  * launch → first screen in a real terminal (tmux) for ours
    (``bench/open_log.py``) and for Toolong (``tl``) on the same text as a
    file, plus each process's RSS. Toolong is installed on demand into
    ``bench/.venv-toolong`` (it pins an old Textual).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import httpx  # noqa: E402

from airsync_tui.logs import format_full_text, parse_attempt  # noqa: E402
from airsync_tui.logs.synthetic import synthetic_attempt_json  # noqa: E402

OUT = ROOT / "bench" / "out"
TOOLONG_VENV = ROOT / "bench" / ".venv-toolong"
PYTHON = sys.executable
KNOWN_TEXT = "Rate limited on stream users, backing off 1s"  # line 1 of the synthetic log


def rss_mb(pid: int | str = "self") -> float:
    try:
        for row in Path(f"/proc/{pid}/status").read_text().splitlines():
            if row.startswith("VmRSS:"):
                return int(row.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def tree_rss_mb(pid: int) -> float:
    """RSS of a process plus its descendants (tmux pane shell → program)."""
    total = rss_mb(pid)
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    for child in children:
        total += tree_rss_mb(int(child))
    return total


class _Handler(http.server.BaseHTTPRequestHandler):
    body = b""

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("content-length", 0))
        self.rfile.read(length)
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


def serve(body: bytes) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = type("Handler", (_Handler,), {"body": body})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/api/v1/attempt/get_for_job"


def measure_download_parse(url: str) -> tuple[float, float, object]:
    gc.collect()
    start = time.perf_counter()
    body = httpx.post(url, json={"jobId": 1, "attemptNumber": 0}, timeout=120).content
    downloaded = time.perf_counter()
    parsed = parse_attempt(body)
    return downloaded - start, time.perf_counter() - start, parsed.index


async def measure_first_screen(url: str) -> float:
    from open_log import HttpAttemptFeed
    from textual.app import App

    from airsync_tui.ui.screens.log_screen import LogScreen

    class BenchApp(App[None]):
        BINDINGS = [("l", "open_log", "Open log")]

        def action_open_log(self) -> None:
            self.push_screen(LogScreen(HttpAttemptFeed(url=url)))

    app = BenchApp()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        start = time.perf_counter()
        await pilot.press("l")
        while time.perf_counter() - start < 60:
            await asyncio.sleep(0.01)
            screen = app.screen
            if isinstance(screen, LogScreen) and len(screen.view.index):
                await pilot.pause()
                text = "\n".join(s.text for s in app.screen._compositor.render_strips())  # noqa: SLF001
                if KNOWN_TEXT in text:
                    return time.perf_counter() - start
        raise RuntimeError("first screen never appeared")


def ensure_toolong() -> Path | None:
    tl = TOOLONG_VENV / "bin" / "tl"
    if tl.exists():
        return tl
    print("  installing toolong into bench/.venv-toolong …", flush=True)
    try:
        subprocess.run([PYTHON, "-m", "venv", str(TOOLONG_VENV)], check=True)
        subprocess.run([str(TOOLONG_VENV / "bin" / "pip"), "install", "-q", "toolong"], check=True)
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"  toolong unavailable: {exc}")
        return None
    return tl if tl.exists() else None


def tmux_first_screen(command: str, needle: str, session: str) -> tuple[float, float]:
    """Seconds from launching ``command`` in tmux until ``needle`` is on screen; RSS (MB)."""
    subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "50"], check=True)
    time.sleep(0.5)
    start = time.perf_counter()
    subprocess.run(["tmux", "send-keys", "-t", session, command, "Enter"], check=True)
    elapsed = float("nan")
    while time.perf_counter() - start < 90:
        screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout
        if needle in screen:
            elapsed = time.perf_counter() - start
            break
        time.sleep(0.02)
    time.sleep(1.0)  # let it settle before reading memory
    pane_pid = int(
        subprocess.run(["tmux", "list-panes", "-t", session, "-F", "#{pane_pid}"], capture_output=True, text=True).stdout.split()[0]
    )
    rss = tree_rss_mb(pane_pid) - rss_mb(pane_pid)  # exclude the shell itself
    subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    return elapsed, rss


def run(lines: int, toolong: bool) -> list[dict[str, object]]:
    OUT.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, object]] = []
    tl = ensure_toolong() if toolong and shutil.which("tmux") else None
    for structured in (True, False):
        name = "structured" if structured else "legacy"
        print(f"\n== {name}: generating {lines:,} records …", flush=True)
        body = synthetic_attempt_json(lines, structured=structured)
        server, url = serve(body)
        row: dict[str, object] = {"format": name, "json_mb": len(body) / 1e6}
        try:
            download, total, index = measure_download_parse(url)
            row.update(lines=len(index), download_s=download, download_parse_s=total)
            row["text_mb"] = index.text_size / 1e6
            row["retained_ratio"] = index.retained_bytes() / index.text_size
            row["rss_after_load_mb"] = rss_mb()
            for label, term in (("search_rare_s", "connection reset"), ("search_common_s", "stream users")):
                start = time.perf_counter()
                found = index.search(term)
                row[label] = time.perf_counter() - start
                row[label.replace("_s", "_count")] = len(found)
            row["first_screen_inproc_s"] = asyncio.run(measure_first_screen(url))
            log_file = OUT / f"attempt-{name}.log"
            log_file.write_text(format_full_text(index), encoding="utf-8")
            last_line = index.line(len(index) - 1)  # Toolong opens at the tail
            del index
            gc.collect()
            if shutil.which("tmux"):
                ours = f"{PYTHON} {ROOT / 'bench' / 'open_log.py'} --url {url}"
                row["ours_tmux_s"], row["ours_rss_mb"] = tmux_first_screen(ours, KNOWN_TEXT, "bench-ours")
                if tl is not None:
                    row["toolong_tmux_s"], row["toolong_rss_mb"] = tmux_first_screen(
                        f"{tl} {log_file}", last_line, "bench-toolong"
                    )
        finally:
            server.shutdown()
        results.append(row)
        print_row(row)
    return results


def print_row(row: dict[str, object]) -> None:
    for key, value in row.items():
        print(f"  {key:24} {value:.3f}" if isinstance(value, float) else f"  {key:24} {value}")


def table(results: list[dict[str, object]], lines: int) -> str:
    def f(row: dict[str, object], key: str, fmt: str = "{:.2f}") -> str:
        value = row.get(key)
        return "n/a" if value is None or value != value else fmt.format(value)

    out = [
        f"| {lines:,}-line attempt log | " + " | ".join(str(r["format"]) for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]
    rows = [
        ("attempt JSON size (MB)", "json_mb", "{:.0f}"),
        ("lines indexed", "lines", "{:,}"),
        ("download (s)", "download_s", "{:.2f}"),
        ("download + parse (s)", "download_parse_s", "{:.2f}"),
        ("keypress → first screen, in-process (s)", "first_screen_inproc_s", "{:.2f}"),
        ("search rare term + count (s)", "search_rare_s", "{:.3f}"),
        ("search ~20% of lines + count (s)", "search_common_s", "{:.3f}"),
        ("index retained / text size", "retained_ratio", "{:.2f}×"),
        ("process RSS after load, bench process (MB)", "rss_after_load_mb", "{:.0f}"),
        ("**ours** launch → first screen in tmux (s)", "ours_tmux_s", "{:.2f}"),
        ("**ours** RSS in tmux (MB)", "ours_rss_mb", "{:.0f}"),
        ("**Toolong** launch → first screen in tmux (s)", "toolong_tmux_s", "{:.2f}"),
        ("**Toolong** RSS in tmux (MB)", "toolong_rss_mb", "{:.0f}"),
    ]
    for label, key, fmt in rows:
        out.append(f"| {label} | " + " | ".join(f(r, key, fmt) for r in results) + " |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--no-toolong", action="store_true")
    parser.add_argument("--write-docs", action="store_true", help="print the markdown table for docs/benchmarks.md")
    args = parser.parse_args()
    results = run(args.lines, not args.no_toolong)
    print("\n" + table(results, args.lines))
    print(f"\nmachine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
