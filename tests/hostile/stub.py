"""A scriptable hostile HTTP server on 127.0.0.1 (an ephemeral port: xdist-safe).

Each test gives it routes: `(METHOD, path suffix) -> Reply | callable`. Every
request that arrives is recorded, so tests can assert on server-side
evidence (how many token requests, how many POST /jobs, how many pages).
A `Reply` can also hang, drip its body byte by byte, or close the socket.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from airsync_tui.providers.pacing import PACE_ENV
from tests.cli_helpers import TEST_PACE, run_airsync

REPO = Path(__file__).resolve().parents[2]


class _QuietServer(ThreadingHTTPServer):
    """A stub server that says nothing when a client drops a connection.

    Why: `socketserver` prints a traceback to stderr when a client resets a kept-alive
    connection. The CLI tests run in-process with stderr captured, so that stub-side
    traceback landed in the CLI's output and failed "no traceback" checks (seen under load).
    Any other error in the stub is still printed.
    """

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list → JSON; str/bytes → raw
    headers: dict[str, str] = field(default_factory=dict)
    hang: float = 0.0  # seconds to sleep before answering
    drip: float = 0.0  # seconds between body bytes
    close: bool = False  # drop the connection without an answer

    def payload(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


Route = Reply | Callable[[str, str, bytes], Reply]


@dataclass
class Seen:
    method: str
    path: str
    body: bytes


class StubServer:
    def __init__(self, routes: dict[tuple[str, str], Route]) -> None:
        self.routes = routes
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?", 1)[0]
                with stub._lock:
                    stub.seen.append(Seen(self.command, self.path, body))
                route = stub.find(self.command, path)
                reply = route(self.command, self.path, body) if callable(route) else route
                if reply.hang:
                    time.sleep(reply.hang)
                if reply.close:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                data = reply.payload()
                self.send_response(reply.status)
                headers = {"content-type": "application/json", **reply.headers}
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                try:
                    if reply.drip:
                        for i in range(len(data)):
                            self.wfile.write(data[i : i + 1])
                            self.wfile.flush()
                            time.sleep(reply.drip)
                    else:
                        self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_DELETE = do_PATCH = _serve

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        # A short poll: `shutdown()` waits up to one poll interval (0.5 s by default) per stub.
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def find(self, method: str, path: str) -> Route:
        best: tuple[int, Route] | None = None
        for (m, suffix), route in self.routes.items():
            if m == method and path.endswith(suffix) and (best is None or len(suffix) > best[0]):
                best = (len(suffix), route)
        return best[1] if best else Reply(404, {"type": "about:blank", "title": "Not Found", "status": 404})

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/public/v1"

    def count(self, method: str, suffix: str) -> int:
        return sum(1 for s in self.seen if s.method == method and s.path.split("?", 1)[0].endswith(suffix))

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJlLXNlY3JldA"
CONN_ID = "11111111-2222-3333-4444-555555555555"


def token_ok() -> Reply:
    return Reply(200, {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 900})


def connection(name: str = "Orders → Warehouse", **extra: Any) -> dict[str, Any]:
    return {
        "connectionId": CONN_ID,
        "name": name,
        "workspaceId": "ws-1",
        "sourceId": "s",
        "destinationId": "d",
        "status": "active",
        "schedule": {"scheduleType": "manual"},
        **extra,
    }


def job(job_id: int = 42, status: str = "running", **extra: Any) -> dict[str, Any]:
    return {
        "jobId": job_id,
        "status": status,
        "jobType": "sync",
        "connectionId": CONN_ID,
        "startTime": "2026-12-01T00:00:00Z",
        **extra,
    }


def airbyte_routes(**overrides: Route) -> dict[tuple[str, str], Route]:
    """A well-behaved minimal Airbyte; override any route by its key name."""
    routes: dict[tuple[str, str], Route] = {
        ("POST", "/applications/token"): token_ok(),
        ("GET", "/connections"): Reply(200, {"data": [connection()]}),
        ("GET", f"/connections/{CONN_ID}"): Reply(200, connection()),
        ("GET", "/jobs"): Reply(200, {"data": []}),
        ("POST", "/jobs"): Reply(200, job(42, "running")),
        ("GET", "/jobs/42"): Reply(200, job(42, "succeeded", rowsSynced=5)),
        ("GET", "/health"): Reply(200, {"available": True}),
    }
    names = {
        "token": ("POST", "/applications/token"),
        "connections": ("GET", "/connections"),
        "jobs": ("GET", "/jobs"),
        "create": ("POST", "/jobs"),
        "job": ("GET", "/jobs/42"),
        "cancel": ("DELETE", "/jobs/42"),
    }
    for key, route in overrides.items():
        routes[names[key]] = route
    return routes


@dataclass
class CliResult:
    rc: int
    out: bytes
    err: bytes
    elapsed: float
    peak_rss_kb: int

    @property
    def all(self) -> bytes:
        return self.out + self.err


def write_config(tmp: Path, api_url: str, *, timeout: float = 1.0, mode: int = 0o600, extra: str = "") -> Path:
    path = tmp / "config.toml"
    path.write_text(
        'default_profile = "t"\n[profiles.t.airbyte]\n'
        f'api_url = "{api_url}"\nclient_id = "cid"\nclient_secret = "s3cret-value"\n'
        f'workspace_id = "ws-1"\ntimeout = {timeout}\n{extra}'
    )
    path.chmod(mode)
    return path


def run_cli(
    tmp: Path,
    config: Path | None,
    *args: str,
    limit: float = 60.0,
    env: dict[str, str] | None = None,
) -> CliResult:
    """`python -m airsync_tui ARGS` with stdout/stderr as raw bytes and resource figures."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRBYTE_", "HIGHTOUCH_", "AIRSYNC_"))}
    full_env.update(
        {
            "AIRSYNC_CONFIG": str(config) if config else os.devnull,
            "AIRSYNC_STATE": str(tmp / "state.db"),
            "PYTHONPATH": str(REPO),
            "NO_COLOR": "1",
            PACE_ENV: TEST_PACE,  # back-off and poll waits at 5 % (tests/cli_helpers.py says why)
        }
    )
    full_env.update(env or {})
    code = (
        "import resource, runpy, sys\n"
        "sys.argv = ['airsync'] + sys.argv[1:]\n"
        "try:\n"
        "    from airsync_tui.cli.main import main\n"
        "    rc = main()\n"
        "finally:\n"
        "    sys.stderr.flush()\n"
        "    import os\n"
        "    os.write(2, b'\\n@@peak_rss_kb=%d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
        "raise SystemExit(rc)\n"
    )
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        check=False,
        capture_output=True,
        env=full_env,
        timeout=limit,
        cwd=tmp,
    )
    elapsed = time.monotonic() - started
    err, _, tail = proc.stderr.rpartition(b"\n@@peak_rss_kb=")
    peak = int(tail.strip() or 0) if tail else 0
    return CliResult(proc.returncode, proc.stdout, err if tail else proc.stderr, elapsed, peak)


def run_cli_here(
    tmp: Path,
    config: Path | None,
    *args: str,
    limit: float = 60.0,
    env: dict[str, str] | None = None,
) -> CliResult:
    """The same run as `run_cli`, in this process (`tests/cli_helpers.py` `run_airsync`), with cwd `tmp`.

    Why: a child costs an interpreter start plus the providers' imports (0.5-1 s of
    CPU each, several under load) and most hostile tests are about what the CLI
    does with an answer (exit code, one-line error, inert text, server-side counts),
    which is the same code after start-up. The output is the text the sanitising
    streams wrote, encoded as UTF-8 (what the child's pipe carries). Tests about
    the process itself (peak memory, signals, a closed pipe, the real entry point)
    keep `run_cli`. A run past `limit` seconds fails the test; `peak_rss_kb` is 0.
    """
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRBYTE_", "HIGHTOUCH_", "AIRSYNC_"))}
    full_env.update(
        {
            "AIRSYNC_CONFIG": str(config) if config else os.devnull,
            "AIRSYNC_STATE": str(tmp / "state.db"),
            "NO_COLOR": "1",
            PACE_ENV: TEST_PACE,
        }
    )
    full_env.update(env or {})
    started = time.monotonic()
    with contextlib.chdir(tmp):
        done = run_airsync(*args, env=full_env, timeout=limit)
    elapsed = time.monotonic() - started
    return CliResult(done.returncode, done.stdout.encode(), done.stderr.encode(), elapsed, 0)


def assert_inert(data: bytes) -> None:
    """No byte that could drive a terminal, and no invisible reordering characters."""
    text = data.decode("utf-8", "replace")
    for bad in (
        "\x1b",
        "\x07",
        "\x9b",
        "\x9d",
        "\r",
        "\u202e",
        "\u200b",
        "\u2066",
        "\ufeff",
    ):
        assert bad not in text, f"{bad!r} reached the terminal: {text[:300]!r}"


def assert_one_line_error(result: CliResult) -> None:
    assert b"Traceback" not in result.all, result.all[-2000:]
    lines = [line for line in result.err.decode("utf-8", "replace").splitlines() if line.startswith("airsync: error:")]
    assert len(lines) == 1, result.err


class MutatingProxy:
    """A reverse proxy on 127.0.0.1 that rewrites JSON answers from a real upstream (the emulator).

    `mutate(path, data) -> data` sees every decoded JSON answer; the upstream's
    status and body shape are otherwise kept. Requests are recorded like the stub's.
    """

    def __init__(self, upstream: str, mutate: Callable[[str, Any], Any]) -> None:
        import urllib.error
        import urllib.request

        self.seen: list[Seen] = []
        proxy = self

        def forward(method: str, path: str, body: bytes, headers: dict[str, str]) -> Reply:
            request = urllib.request.Request(upstream + path, data=body or None, method=method, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    status, raw, ctype = (
                        answer.status,
                        answer.read(),
                        answer.headers.get("content-type", ""),
                    )
            except urllib.error.HTTPError as error:
                status, raw, ctype = (
                    error.code,
                    error.read(),
                    error.headers.get("content-type", ""),
                )
            if "json" in ctype and raw:
                try:
                    raw = json.dumps(mutate(path, json.loads(raw))).encode()
                except ValueError:
                    pass
            return Reply(status, raw, headers={"content-type": ctype or "application/json"})

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                proxy.seen.append(Seen(self.command, self.path, body))
                keep = {k: v for k, v in self.headers.items() if k.lower() in ("authorization", "content-type", "accept")}
                reply = forward(self.command, self.path, body, keep)
                data = reply.payload()
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = do_PATCH = _serve

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def poison_strings(value: Any, keys: frozenset[str], payload: str) -> Any:
    """Append `payload` to every string under one of `keys`, anywhere in a JSON document."""
    if isinstance(value, dict):
        return {k: (v + payload if k in keys and isinstance(v, str) else poison_strings(v, keys, payload)) for k, v in value.items()}
    if isinstance(value, list):
        return [poison_strings(v, keys, payload) for v in value]
    return value
