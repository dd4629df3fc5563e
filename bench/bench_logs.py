"""Attempt-log viewer benchmark: 1,000,000-line logs, both Airbyte formats.

    python bench/bench_logs.py [--lines 1000000] [--no-toolong] [--no-emulator]
    python bench/bench_logs.py --export      # `airsync logs JOB > file`, fresh process
    python bench/bench_logs.py --ten         # RSS after opening the big log ten times in turn

The full run (no option) ends with the issue-11 table, ours beside Toolong's
in one run: first screen (tmux, interleaved, median of 3), RSS after full
index, RSS after ten logs, full index time, search with match count, export
time (skip the last two runs with ``--no-extras``).

Two sources, so both log formats are measured end to end:
  * legacy ``logLines``: the REAL emulator (``start_emulator`` with
    ``big_log_lines=N``, in its own process like a remote server) — the
    "Events Firehose → S3" connection's finished job, fetched through
    ``AirbyteProvider`` + ``ProviderLogFeed`` exactly as the app does;
  * structured ``events``: synthetic attempt JSON
    (``airsync_tui/logs/synthetic.py``) served by a local HTTP server and
    POSTed like ``/api/v1/attempt/get_for_job``.

Per source it measures: download; download + full parse; keypress → first
screen in-process (a key pushes ``LogScreen`` in ``App.run_test`` until the
log's first line is on screen) with progressive loading (``load_progressive``)
and, in the same run, with the old full-parse-first path (``load`` only);
keypress → fully indexed; search with match count; memory; and launch → first
screen in a real terminal (tmux) for ours and for Toolong (``tl``) opening
the same text as a file, plus each process's RSS. Toolong is installed on
demand into ``bench/.venv-toolong`` (it pins an old Textual).

Internal modes (used by the tmux runs): ``--serve-emulator N``,
``--open-url URL``, ``--open-emulator JSON``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import http.server
import json
import mmap
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from airsync_tui.logs import LogIndex, format_full_text, parse_attempt  # noqa: E402
from airsync_tui.logs.progressive import PrefixCallback, parse_progressive  # noqa: E402
from airsync_tui.logs.spool import spool_chunks  # noqa: E402
from airsync_tui.logs.synthetic import synthetic_attempt_json  # noqa: E402

OUT = ROOT / "bench" / "out"
TOOLONG_VENV = ROOT / "bench" / ".venv-toolong"
PYTHON = sys.executable
BENCH = Path(__file__).resolve()
BIG_LOG_CONNECTION = "Events Firehose → S3"


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


# -- sources --------------------------------------------------------------------


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
    """Serve ``body`` to POSTs on 127.0.0.1 (the synthetic structured source)."""
    handler = type("Handler", (_Handler,), {"body": body})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/api/v1/attempt/get_for_job"


def serve_emulator(lines: int) -> None:
    """``--serve-emulator N``: run the real emulator until stdin closes.

    In its own process so serving 120 MB (Python, GIL-bound) does not share
    a GIL with the viewer being measured — as with a real, remote Airbyte.
    """
    from airsync_tui.emulator.server import EmulatorOptions, start_emulator

    emu = start_emulator(EmulatorOptions(big_log_lines=lines, seed=7, speed=1))
    info = {
        "public_api_url": emu.public_api_url,
        "client_id": emu.client_id,
        "client_secret": emu.client_secret,
        "workspace_id": emu.workspace_id,
    }
    print(json.dumps(info), flush=True)
    sys.stdin.read()
    emu.stop()


def start_emulator_process(lines: int) -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen([PYTHON, str(BENCH), "--serve-emulator", str(lines)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    return proc, json.loads(proc.stdout.readline())


class HttpAttemptFeed:
    """AttemptLogFeed over one URL serving attempt JSON (the synthetic source).

    Downloads with httpx and parses like ``ProviderLogFeed`` does (full parse
    in a thread; ``load_progressive`` shows a prefix first).
    """

    notice = None
    attempt_numbers = [0]
    initial_attempt = 0

    def __init__(self, url: str, title: str = "Bench · job 1") -> None:
        self.url = url
        self.title = title
        self._lines: int | None = None

    async def _download(self, attempt_number: int) -> bytes | mmap.mmap:
        # Streamed into a mapped spool file, as JsonHttp(spool=True) does for the app.
        body = {"jobId": 1, "attemptNumber": attempt_number}
        async with httpx.AsyncClient(timeout=120) as client, client.stream("POST", self.url, json=body) as response:
            response.raise_for_status()
            return await spool_chunks(response.aiter_bytes())

    async def load(self, attempt_number: int) -> LogIndex:
        parsed = await asyncio.to_thread(parse_attempt, await self._download(attempt_number))
        return await self._finish(parsed.index)

    async def load_progressive(self, attempt_number: int, on_prefix: PrefixCallback) -> LogIndex:
        parsed = await parse_progressive(await self._download(attempt_number), on_prefix)
        return await self._finish(parsed.index)

    async def _finish(self, index: LogIndex) -> LogIndex:
        # Like ProviderLogFeed: a finished big log is spilled to a mapped file, freed heap trimmed.
        from airsync_tui.service.log_feed import _spill_and_trim

        await asyncio.to_thread(_spill_and_trim, index)
        self._lines = len(index)
        return index

    async def poll(self, attempt_number: int, index: LogIndex) -> int:
        return 0

    def is_live(self, attempt_number: int) -> bool:
        return False

    def attempt_label(self, attempt_number: int) -> str:
        return "Attempt 1 of 1" + (f" · {self._lines:,} lines" if self._lines is not None else "")


class LoadOnly:
    """A feed without ``load_progressive``: the old full-parse-first path,
    measured in the same run for a before/after comparison."""

    def __init__(self, feed: Any) -> None:
        self._feed = feed

    def __getattr__(self, name: str) -> Any:
        if name == "load_progressive":
            raise AttributeError(name)
        return getattr(self._feed, name)


async def emulator_feed(info: dict[str, str]) -> tuple[Any, Callable[[], Awaitable[None]]]:
    """The big-log job's ``ProviderLogFeed`` via the real ``AirbyteProvider``.

    Resolves the connection by name, its latest finished job and the job's
    attempts — what the app has done before the user presses ``l``.
    """
    from airsync_tui.config import AirbyteSettings
    from airsync_tui.providers.airbyte.provider import AirbyteProvider
    from airsync_tui.service.log_feed import ProviderLogFeed

    provider = AirbyteProvider.from_settings(
        AirbyteSettings(
            api_url=info["public_api_url"],
            client_id=info["client_id"],
            client_secret=info["client_secret"],
            workspace_id=info["workspace_id"],
        )
    )
    connection = next(c for c in await provider.list_connections() if c.name == BIG_LOG_CONNECTION)
    job = next(j for j in await provider.list_jobs(connection.id, limit=5) if j.status.is_terminal)
    detail = await provider.get_job_detail(job.id)
    feed = ProviderLogFeed(provider, job, detail=detail, connection_name=connection.name)
    return feed, provider.aclose


async def url_feed(url: str) -> tuple[Any, Callable[[], Awaitable[None]]]:
    async def close() -> None:
        return None

    return HttpAttemptFeed(url), close


# -- measurements ------------------------------------------------------------------------


async def download_and_parse(make_feed: Callable[[], Awaitable[tuple[Any, Any]]]) -> dict[str, Any]:
    """Download alone, then download + full parse (the old load path), via the feed."""
    feed, close = await make_feed()
    try:
        number = feed.initial_attempt
        if hasattr(feed, "provider"):
            await feed.provider.fetch_attempt_log(feed.job.id, number)  # warm: the emulator renders once
            start = time.perf_counter()
            raw = (await feed.provider.fetch_attempt_log(feed.job.id, number)).raw_json
        else:
            start = time.perf_counter()
            raw = await feed._download(number)  # noqa: SLF001
        download = time.perf_counter() - start
        # Full index of the downloaded body alone (what the viewer's background parse does).
        start, cpu = time.perf_counter(), time.process_time()
        parsed = parse_attempt(raw)
        index_s, index_cpu_s = time.perf_counter() - start, time.process_time() - cpu
        del raw, parsed
        gc.collect()
        start = time.perf_counter()
        index = await feed.load(number)
        total = time.perf_counter() - start
    finally:
        await close()
    return {"download_s": download, "index_s": index_s, "index_cpu_s": index_cpu_s, "download_parse_s": total, "index": index}


async def first_screen(
    make_feed: Callable[[], Awaitable[tuple[Any, Any]]], needle: str, lines: int, *, progressive: bool
) -> tuple[float, float]:
    """Seconds: (keypress → ``needle`` on screen, keypress → fully indexed,
    longest event-loop stall between the two)."""
    from textual.app import App

    from airsync_tui.ui.screens.log_screen import LogScreen

    feed, close = await make_feed()
    if not progressive:
        feed = LoadOnly(feed)

    class BenchApp(App[None]):
        BINDINGS = [("l", "open_log", "Open log")]

        def action_open_log(self) -> None:
            self.push_screen(LogScreen(feed))

    app = BenchApp()
    start = 0.0
    seen: dict[str, float] = {}
    display = app._display  # noqa: SLF001

    def timed_display(screen: Any, renderable: Any) -> None:
        """Time the frames themselves: Textual calls this once per frame it
        emits. (``pilot.press``/``pause`` wait for the app to go idle, which a
        GIL-holding parse thread delays: they would time the harness.)"""
        display(screen, renderable)
        if not start or renderable is None or not isinstance(screen, LogScreen) or not len(screen.view.index):
            return
        if "first" not in seen:
            text = "\n".join(strip.text for strip in screen._compositor.render_strips())  # noqa: SLF001
            if needle in text:
                seen["first"] = time.perf_counter() - start
        if "full" not in seen and not screen._loading and len(screen.view.index) == lines:  # noqa: SLF001
            seen["full"] = time.perf_counter() - start

    app._display = timed_display  # type: ignore[method-assign]  # noqa: SLF001
    try:
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            start = time.perf_counter()
            app.simulate_key("l")
            # The event loop's longest stall while indexing in the background
            # (how late a 20 ms tick runs): what a key press may wait.
            last = time.perf_counter()
            while not {"first", "full"} <= seen.keys() and time.perf_counter() - start < 120:
                await asyncio.sleep(0.02)
                now = time.perf_counter()
                if "first" in seen:
                    seen["stall"] = max(seen.get("stall", 0.0), now - last - 0.02)
                last = now
    finally:
        await close()
    return seen.get("first", float("nan")), seen.get("full", float("nan")), seen.get("stall", float("nan"))


TMUX_REPEATS = 3

_TOOLONG_PROBE = r"""
import re, sys, threading, time
from toolong.log_file import LogFile
path, *terms = sys.argv[1:]
log = LogFile(path)
log.open(threading.Event())
start = time.perf_counter()
breaks = []
for _, batch in log.scan_line_breaks():
    breaks.extend(batch)
print(f"index {time.perf_counter() - start:.4f} {len(breaks)}")
breaks.sort()
spans = list(zip([0, *[b + 1 for b in breaks[:-1]]], breaks))
for term in terms:
    start = time.perf_counter()
    pattern = re.compile(re.escape(term), re.IGNORECASE)
    found = sum(1 for a, b in spans if pattern.search(log.get_line(a, b)))
    print(f"search {time.perf_counter() - start:.4f} {found}")
"""


def median(values: Any) -> float:
    ordered = sorted(v for v in values if v == v)
    if not ordered:
        return float("nan")
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def toolong_index_and_search(log_file: Path, terms: tuple[str, str]) -> dict[str, Any]:
    """Toolong's own code in its venv on the same text: its full index (``LogFile.scan_line_breaks``,
    what runs before its view is complete) and, since Toolong has no match count, its find's
    per-line check (``get_line`` + regex) applied to every line: what counting matches costs it."""
    python = TOOLONG_VENV / "bin" / "python"
    done = subprocess.run([str(python), "-c", _TOOLONG_PROBE, str(log_file), *terms], capture_output=True, text=True)
    out: dict[str, Any] = {}
    searches = []
    for row in done.stdout.splitlines():
        kind, seconds, count = row.split()
        if kind == "index":
            out["toolong_index_s"] = float(seconds)
        else:
            searches.append((float(seconds), int(count)))
    if len(searches) == 2:
        (out["toolong_search_rare_s"], out["toolong_search_rare_count"]) = searches[0]
        (out["toolong_search_common_s"], out["toolong_search_common_count"]) = searches[1]
    if done.returncode:
        print("  toolong probe failed:", done.stderr.strip().splitlines()[-1:] or done.returncode)
    return out


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


def tmux_first_screen(
    command: str, needle: str, session: str, busy: tuple[str, ...] = (), settle: float = 1.0
) -> tuple[float, float, float]:
    """Launch ``command`` in tmux: (seconds until ``needle`` is on screen,
    seconds until none of ``busy`` (e.g. "indexing…") is on screen any more,
    RSS in MB read 1 s after that)."""
    subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "50"], check=True)
    time.sleep(0.5)

    def screen() -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout

    start = time.perf_counter()
    subprocess.run(["tmux", "send-keys", "-t", session, command, "Enter"], check=True)
    first = done = float("nan")
    while time.perf_counter() - start < 90:
        if needle in screen():
            first = time.perf_counter() - start
            break
        time.sleep(0.02)
    while time.perf_counter() - start < 120:
        text = screen()
        if not any(word in text for word in busy):
            done = time.perf_counter() - start
            break
        time.sleep(0.05)
    time.sleep(settle)  # let it settle (finish indexing) before reading memory
    pane_pid = int(
        subprocess.run(["tmux", "list-panes", "-t", session, "-F", "#{pane_pid}"], capture_output=True, text=True).stdout.split()[0]
    )
    rss = tree_rss_mb(pane_pid) - rss_mb(pane_pid)  # exclude the shell itself
    subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    return first, done, rss


def measure(
    row: dict[str, Any],
    make_feed: Callable[[], Awaitable[tuple[Any, Any]]],
    open_args: str,
    tl: Path | None,
    search_terms: tuple[str, str],
) -> None:
    """Fill ``row`` for one source; ``open_args`` launches ours in tmux;
    ``search_terms`` = (a rare term, a term on ~20-25% of lines) in that log."""
    name = row["format"]
    loaded = asyncio.run(download_and_parse(make_feed))
    index: LogIndex = loaded.pop("index")
    row.update(loaded)
    row["lines"] = len(index)
    row["text_mb"] = index.text_size / 1e6
    row["retained_ratio"] = index.retained_bytes() / index.text_size
    row["rss_after_load_mb"] = rss_mb()
    for label, term in zip(("search_rare", "search_common"), search_terms, strict=True):
        start, cpu = time.perf_counter(), time.process_time()
        found = index.search(term)
        row[label + "_s"] = time.perf_counter() - start
        row[label + "_cpu_s"] = time.process_time() - cpu
        row[label + "_count"] = len(found)
        row[label + "_term"] = term
    lines = len(index)
    needle = index.line(0)[:60]  # the first line: what the first screen shows
    last_line = index.line(lines - 1)[:60]  # Toolong opens at the tail
    log_file = OUT / f"attempt-{name.split()[0]}.log"
    log_file.write_text(format_full_text(index), encoding="utf-8")
    del index, loaded
    gc.collect()
    row["first_screen_progressive_s"], row["fully_indexed_s"], row["indexing_stall_s"] = asyncio.run(
        first_screen(make_feed, needle, lines, progressive=True)
    )
    gc.collect()
    row["first_screen_full_parse_s"], _, _ = asyncio.run(first_screen(make_feed, needle, lines, progressive=False))
    gc.collect()
    if tl is not None:
        row.update(toolong_index_and_search(log_file, search_terms))
    if shutil.which("tmux"):
        ours = f"{PYTHON} {BENCH} {open_args}"
        runs: dict[str, list[tuple[float, float, float]]] = {"ours": [], "toolong": []}
        for _ in range(TMUX_REPEATS):  # interleaved, so both sides meet the same machine load
            runs["ours"].append(tmux_first_screen(ours, needle, f"bench-ours-{os.getpid()}", busy=("indexing…", "loading…")))
            if tl is not None:
                # Toolong scans the file for line breaks after its first screen: give it time to finish.
                runs["toolong"].append(tmux_first_screen(f"{tl} {log_file}", last_line, f"bench-toolong-{os.getpid()}", settle=5.0))
        row["ours_tmux_runs"] = [r[0] for r in runs["ours"]]
        row["ours_tmux_s"] = median(r[0] for r in runs["ours"])
        row["ours_tmux_indexed_s"] = median(r[1] for r in runs["ours"])
        row["ours_rss_mb"] = median(r[2] for r in runs["ours"])
        if runs["toolong"]:
            row["toolong_tmux_runs"] = [r[0] for r in runs["toolong"]]
            row["toolong_tmux_s"] = median(r[0] for r in runs["toolong"])
            row["toolong_rss_mb"] = median(r[2] for r in runs["toolong"])


def run(lines: int, toolong: bool, emulator: bool) -> list[dict[str, Any]]:
    OUT.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = []
    tl = ensure_toolong() if toolong and shutil.which("tmux") else None
    if emulator:
        print(f"\n== legacy logLines: emulator big-log job ({lines:,} lines) via AirbyteProvider …", flush=True)
        proc, info = start_emulator_process(lines)
        info_file = OUT / "emulator.json"
        info_file.write_text(json.dumps(info))
        row: dict[str, Any] = {"format": "legacy (emulator)"}
        try:
            measure(row, lambda: emulator_feed(info), f"--open-emulator {info_file}", tl, ("Slow fetch", "Flushed"))
        finally:
            assert proc.stdin is not None
            proc.stdin.close()
            proc.wait(timeout=30)
        results.append(row)
        print_row(row)
    variants = [True] if emulator else [True, False]
    for structured in variants:
        name = "structured (synthetic)" if structured else "legacy (synthetic)"
        print(f"\n== {name}: generating {lines:,} records …", flush=True)
        body = synthetic_attempt_json(lines, structured=structured)
        server, url = serve(body)
        row = {"format": name, "json_mb": len(body) / 1e6}
        del body
        try:
            measure(row, lambda url=url: url_feed(url), f"--open-url {url}", tl, ("connection reset", "stream users"))
        finally:
            server.shutdown()
        results.append(row)
        print_row(row)
    return results


def print_row(row: dict[str, Any]) -> None:
    for key, value in row.items():
        print(f"  {key:28} {value:.3f}" if isinstance(value, float) else f"  {key:28} {value}")


def table(results: list[dict[str, Any]], lines: int) -> str:
    def f(row: dict[str, Any], key: str, fmt: str = "{:.2f}") -> str:
        value = row.get(key)
        return "n/a" if value is None or value != value else fmt.format(value)

    out = [
        f"| {lines:,}-line attempt log | " + " | ".join(str(r["format"]) for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]
    rows: list[tuple[str, str, str | None]] = [
        ("lines indexed", "lines", "{:,}"),
        ("download (s)", "download_s", "{:.2f}"),
        ("full index of the downloaded body (s)", "index_s", "{:.2f}"),
        ("  CPU (s)", "index_cpu_s", "{:.2f}"),
        ("download + full parse (s)", "download_parse_s", "{:.2f}"),
        ("**keypress → first screen, progressive (s)** (target ≤ 2.0)", "first_screen_progressive_s", "{:.2f}"),
        ("keypress → first screen, full parse first (before) (s)", "first_screen_full_parse_s", "{:.2f}"),
        ("keypress → fully indexed, progressive (s)", "fully_indexed_s", "{:.2f}"),
        ("longest UI event-loop stall while indexing (s)", "indexing_stall_s", "{:.2f}"),
        ("search rare term + count (s)", "search_rare_s", "{:.3f}"),
        ("  rare term → matches", "search_rare", None),
        ("search common term + count (s)", "search_common_s", "{:.3f}"),
        ("  common term → matches", "search_common", None),
        ("index retained / text size", "retained_ratio", "{:.2f}×"),
        ("process RSS after load, bench process (MB)", "rss_after_load_mb", "{:.0f}"),
        ("**ours** launch → first screen in tmux (s)", "ours_tmux_s", "{:.2f}"),
        ("**ours** launch → fully indexed in tmux (s)", "ours_tmux_indexed_s", "{:.2f}"),
        ("**ours** RSS in tmux, after indexing (MB)", "ours_rss_mb", "{:.0f}"),
        ("**Toolong** launch → first screen in tmux (s)", "toolong_tmux_s", "{:.2f}"),
        ("**Toolong** RSS in tmux (MB)", "toolong_rss_mb", "{:.0f}"),
    ]

    def cell(row: dict[str, Any], key: str, fmt: str | None) -> str:
        if fmt is None:  # a search term and its match count
            return f"“{row.get(key + '_term', '')}” → {row.get(key + '_count', 0):,}"
        return f(row, key, fmt)

    for label, key, fmt in rows:
        out.append(f"| {label} | " + " | ".join(cell(r, key, fmt) for r in results) + " |")
    return "\n".join(out)


def versus_table(row: dict[str, Any], extras: dict[str, Any], lines: int, load: str) -> str:
    """The issue-11 figures, ours beside Toolong's, for the emulator's legacy log (one run)."""

    def f(value: Any, fmt: str = "{:.2f}") -> str:
        return "n/a" if value is None or value != value else fmt.format(value)

    def runs(key: str) -> str:
        values = row.get(key) or []
        return " (runs " + ", ".join(f"{v:.2f}" for v in values) + ")" if values else ""

    ten = extras.get("ten_rss_spill_mb") or []
    rows = [
        (
            "launch → first screen, fresh process in tmux, median (s)",
            f(row.get("ours_tmux_s")) + runs("ours_tmux_runs") + " — download included",
            f(row.get("toolong_tmux_s")) + runs("toolong_tmux_runs") + " — same text as a local file",
            "≤ Toolong",
        ),
        (
            "RSS after full index, median (MB)",
            f(row.get("ours_rss_mb"), "{:.0f}"),
            f(row.get("toolong_rss_mb"), "{:.0f}"),
            "≤ 1.5× Toolong",
        ),
        (
            "RSS after opening the log 10 times in turn (MB)",
            (", ".join(f"{r:.0f}" for r in ten) if ten else "n/a"),
            "n/a (one file per process)",
            "flat",
        ),
        (
            "full index (s)",
            f"{f(row.get('index_s'))} (CPU {f(row.get('index_cpu_s'))}) — parse of the downloaded JSON",
            f(row.get("toolong_index_s")) + " — line-break scan of the text file",
            "≤ 2 s",
        ),
        (
            f"search with match count, rare “{row.get('search_rare_term', '')}” (s)",
            f"{f(row.get('search_rare_s'), '{:.3f}')} (CPU {f(row.get('search_rare_cpu_s'), '{:.3f}')}) → {row.get('search_rare_count', 0):,}",
            f"{f(row.get('toolong_search_rare_s'), '{:.3f}')} → {row.get('toolong_search_rare_count', 0):,} (no count in Toolong: its find's per-line check over every line)",
            "≤ 0.5 s",
        ),
        (
            f"search with match count, common “{row.get('search_common_term', '')}” (s)",
            f"{f(row.get('search_common_s'), '{:.3f}')} (CPU {f(row.get('search_common_cpu_s'), '{:.3f}')}) → {row.get('search_common_count', 0):,}",
            f"{f(row.get('toolong_search_common_s'), '{:.3f}')} → {row.get('toolong_search_common_count', 0):,}",
            "≤ 0.5 s",
        ),
        (
            "`airsync logs JOB > file`, fresh process, best of 3 (s)",
            f"wall {f(extras.get('export_wall_s'))}, CPU {f(extras.get('export_cpu_s'))}"
            + (" (walls " + ", ".join(f"{t:.2f}" for t in extras.get("export_walls", [])) + ")" if extras.get("export_walls") else ""),
            "n/a (reads the file, no export)",
            "≤ 3 s",
        ),
    ]
    out = [f"| {lines:,}-line legacy attempt log (emulator) | ours | Toolong | target |", "|---|---|---|---|"]
    out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    out.append(f"\nmachine: {os.cpu_count()} cores shared, {load}, Python {sys.version.split()[0]}")
    return "\n".join(out)


def load_average() -> str:
    try:
        one, five, fifteen = Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        return "load unknown"
    return f"load average {one} / {five} / {fifteen} (1/5/15 min)"


# -- tmux entry points ---------------------------------------------------------------------


def open_viewer(make_feed: Callable[[], Awaitable[tuple[Any, Any]]]) -> None:
    """``--open-url`` / ``--open-emulator``: launch the viewer on one attempt."""
    from textual.app import App

    from airsync_tui.ui.screens.log_screen import LogScreen

    class OpenLogApp(App[None]):
        async def on_mount(self) -> None:
            feed, self._close = await make_feed()
            await self.push_screen(LogScreen(feed))

        async def on_unmount(self) -> None:
            await self._close()

    OpenLogApp().run()


def export_bench(lines: int, runs: int = 3) -> dict[str, Any]:
    """``--export``: `airsync logs JOB > file` for the big-log job, fresh process each run (issue 11 target ≤ 3 s)."""
    proc, info = start_emulator_process(lines)
    OUT.mkdir(parents=True, exist_ok=True)
    empty_config = OUT / "empty-config.toml"  # no profiles: the env's credentials decide (a missing file is an error)
    empty_config.write_text("")
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRBYTE_", "HIGHTOUCH_", "AIRSYNC_"))}
        env.update(
            AIRBYTE_API_ROOT=info["public_api_url"], AIRBYTE_CLIENT_ID=info["client_id"],
            AIRBYTE_CLIENT_SECRET=info["client_secret"], AIRBYTE_WORKSPACE_ID=info["workspace_id"],
            AIRSYNC_CONFIG=str(empty_config), AIRSYNC_STATE=str(OUT / "export-state.sqlite"),
        )  # fmt: skip
        airsync = [PYTHON, "-m", "airsync_tui"]
        listing = subprocess.run(
            [*airsync, "jobs", BIG_LOG_CONNECTION, "--json", "--limit", "1"], env=env, capture_output=True, text=True, check=True
        )
        job = str(json.loads(listing.stdout)[0]["jobId"])
        subprocess.run([*airsync, "logs", job], env=env, stdout=subprocess.DEVNULL, check=True)  # warm the emulator's render
        OUT.mkdir(parents=True, exist_ok=True)
        target = OUT / "export.log"
        import resource

        times, cpus = [], []
        for _ in range(runs):
            with target.open("wb") as sink:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                subprocess.run([*airsync, "logs", job], env=env, stdout=sink, check=True)
                times.append(time.perf_counter() - start)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        count = sum(1 for _ in target.open("rb"))
        print(f"airsync logs {job} > file: {count:,} lines, {target.stat().st_size / 1e6:.0f} MB, fresh process: "
              f"wall {', '.join(f'{t:.2f}' for t in times)} s (best {min(times):.2f}), "
              f"CPU {', '.join(f'{c:.2f}' for c in cpus)} s (best {min(cpus):.2f})")  # fmt: skip
        # The writing phase alone, before (one formatted() + print per line) and after (block writes), same index.
        from airsync_tui.logs.export import write_formatted
        from airsync_tui.logs.parse import iter_formatted_lines

        index = parse_attempt(synthetic_attempt_json(lines, structured=False)).index
        with open(os.devnull, "w") as sink:
            start = time.process_time()
            for line in iter_formatted_lines(index):
                print(line, file=sink)
            per_line = time.process_time() - start
            start = time.process_time()
            write_formatted(index, sink)
            blocks = time.process_time() - start
        print(f"writing {len(index):,} formatted lines (CPU): per-line print {per_line:.2f} s, block export {blocks:.2f} s")
        return {"export_wall_s": min(times), "export_cpu_s": min(cpus), "export_walls": times, "export_cpus": cpus}
    finally:
        if proc.stdin:
            proc.stdin.close()
        proc.wait(timeout=30)


def ten_logs_bench(lines: int, count: int = 10) -> dict[str, Any]:
    """``--ten``: open the big log `count` times in turn in one process (as a dashboard session would:
    load through ``ProviderLogFeed``, which spills a finished log to a mapped temp file, then drop it)
    and print RSS after each, to show memory does not grow with the number of logs opened."""
    proc, info = start_emulator_process(lines)

    async def go(spill: bool) -> list[float]:
        feed, close = await emulator_feed(info)
        feed.spill = spill
        readings = []
        shown = None  # the log on screen: the previous one is closed when the next opens
        try:
            for _ in range(count):
                index = await feed.load(feed.attempt_numbers[-1])
                assert len(index) >= lines
                shown = index
                del index
                gc.collect()
                readings.append(rss_mb())
        finally:
            await close()
        del shown
        return readings

    result: dict[str, Any] = {}
    try:
        for spill in (True, False):
            readings = asyncio.run(go(spill))
            label = "spilled to a mapped temp file" if spill else "kept in the heap (before)"
            print(f"RSS with the {lines:,}-line log open, after opening it {count} times in turn, {label} (MB): "
                  + ", ".join(f"{r:.0f}" for r in readings))  # fmt: skip
            result["ten_rss_spill_mb" if spill else "ten_rss_heap_mb"] = readings
        return result
    finally:
        if proc.stdin:
            proc.stdin.close()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ten", action="store_true", help="only: RSS after opening the big log ten times in turn")
    parser.add_argument("--export", action="store_true", help="only time `airsync logs JOB > file` (fresh processes)")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--no-toolong", action="store_true")
    parser.add_argument("--no-emulator", action="store_true", help="synthetic source for both formats")
    parser.add_argument("--no-extras", action="store_true", help="skip the export and ten-logs runs of the full bench")
    parser.add_argument("--serve-emulator", type=int, metavar="LINES", help=argparse.SUPPRESS)
    parser.add_argument("--open-url", help=argparse.SUPPRESS)
    parser.add_argument("--open-emulator", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_emulator is not None:
        serve_emulator(args.serve_emulator)
        return
    if args.open_url:
        open_viewer(lambda: url_feed(args.open_url))
        return
    if args.open_emulator:
        info = json.loads(args.open_emulator.read_text())
        open_viewer(lambda: emulator_feed(info))
        return
    if args.export:
        export_bench(args.lines)
        return
    if args.ten:
        ten_logs_bench(args.lines)
        return
    load_before = load_average()
    results = run(args.lines, not args.no_toolong, not args.no_emulator)
    extras: dict[str, Any] = {}
    if not args.no_extras and not args.no_emulator:
        print(f"\n== export: `airsync logs JOB > file`, {args.lines:,} lines …", flush=True)
        extras.update(export_bench(args.lines))
        print(f"\n== ten logs: RSS after opening the {args.lines:,}-line log ten times in turn …", flush=True)
        extras.update(ten_logs_bench(args.lines))
    print("\n" + table(results, args.lines))
    print(f"\nmachine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    if not args.no_emulator:
        load = f"{load_before} at the start, {load_average()} at the end"
        print("\n" + versus_table(results[0], extras, args.lines, load))


if __name__ == "__main__":
    main()
