"""`--demo`: the embedded emulator in a child process, and a profile pointing at it.

Why a child process: the dashboard must be measured and felt as it is
against a real server. An emulator in the same process shares the GIL, the
event loop's CPU and the heap with the UI (a million-line demo log is built
on the server side), so the dashboard's speed and memory would not be its
own. Why the socket is bound here and handed over: the URLs are known at
once, so the dashboard starts building its screen while the child is still
importing and building its world; early requests wait in the listen backlog
until the child accepts them, exactly like a server that answers slowly.

Only `cli` knows the emulator exists (the service layer does not import it);
the child imports it, this module never does.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airsync_tui.config import Profile

#: Virtual-clock speed of the demo: a few-minute sync plays out in ~20 s.
DEMO_SPEED = 10.0
DEMO_SEED = 7
#: How long `stop()` waits for the child to exit after its stdin closes.
STOP_GRACE_SECONDS = 3.0


@dataclass
class Demo:
    """A running emulator child process and the profile that points at it."""

    process: subprocess.Popen[bytes]
    base_url: str
    _profile: Profile | None = None
    #: Temp dir holding the demo's DuckDB destination file; removed on stop.
    data_dir: str | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def profile(self) -> Profile:
        """Built on first use: it imports the settings models, which the
        launcher must not wait for before the child is on its way."""
        if self._profile is None:
            from airsync_tui.config import Profile
            from airsync_tui.providers.registry import specs

            # Each provider's demo hook says what settings point at its emulator mount.
            settings: dict[str, Any] = {
                spec.name: spec.settings_model.model_validate(spec.demo.settings(self.base_url))
                for spec in specs()
                if spec.demo is not None
            }
            self._profile = Profile(name="demo", read_only=False, **settings)
        return self._profile

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Block until the child serves (it prints one line when it does)."""
        stdout = self.process.stdout
        assert stdout is not None
        import selectors

        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            if not selector.select(timeout):
                raise TimeoutError(f"the demo emulator did not start within {timeout:.0f} s")
        line = stdout.readline()
        if not line.startswith(b"ready"):
            raise RuntimeError("the demo emulator exited during start-up")

    def stop(self) -> None:
        """Close the child's stdin (it exits on EOF); terminate it if it lingers."""
        process = self.process
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        try:
            process.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()
        if self.data_dir:
            import shutil

            shutil.rmtree(self.data_dir, ignore_errors=True)


def _listening_socket(host: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    sock.listen(2048)
    return sock


def start_demo(
    *,
    seed: int = DEMO_SEED,
    speed: float = DEMO_SPEED,
    big_log_lines: int | None = None,
    host: str = "127.0.0.1",
    ready_after_warehouse: bool = False,
) -> Demo:
    """Start the emulator (every provider with a demo hook) in a child process; return at once.

    The child inherits a listening socket bound here, so the returned
    profile works immediately (requests queue until the child accepts).
    """
    sock = _listening_socket(host)
    port = sock.getsockname()[1]
    base_url = f"http://{host}:{port}"
    args = [
        sys.executable,
        "-m",
        "airsync_tui.cli.demo_child",
        "--fd",
        str(sock.fileno()),
        "--seed",
        str(seed),
        "--speed",
        repr(speed),
    ]  # credentials: the emulator's defaults, which the providers' demo hooks point at
    if big_log_lines is not None:
        args += ["--big-log-lines", str(big_log_lines)]
    data_dir = _demo_data_dir()
    args += ["--duckdb-path", os.path.join(data_dir, "demo.duckdb")]
    if ready_after_warehouse:
        args.append("--ready-after-warehouse")
    try:
        process = subprocess.Popen(
            args,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            pass_fds=(sock.fileno(),),
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    finally:
        sock.close()  # the child holds its own copy
    return Demo(process=process, base_url=base_url, data_dir=data_dir)


#: Prefix of the demo's temp dirs: `airsync-demo-<pid>-<random>`.
DEMO_DIR_PREFIX = "airsync-demo-"


def _demo_data_dir() -> str:
    """A fresh temp dir for the demo's DuckDB file, named after this process.

    Dirs left by dashboards killed by a signal are removed by the demo's child
    once it serves (`remove_stale_demo_dirs`), off the first screen's path.
    """
    import tempfile

    return tempfile.mkdtemp(prefix=f"{DEMO_DIR_PREFIX}{os.getpid()}-")


def remove_stale_demo_dirs(root: str | None = None) -> int:
    """Remove demo dirs whose dashboard process no longer exists; returns how many.

    A dashboard killed by a signal cannot remove its dir. Listing the temp dir
    and deleting a DuckDB file cost the dashboard's first screen CPU, so the
    demo's child does it, after it started serving (cli/demo_child.py).
    """
    import shutil
    import tempfile

    root = root or tempfile.gettempdir()
    removed = 0
    for entry in os.listdir(root):
        pid_text = entry[len(DEMO_DIR_PREFIX) :].split("-", 1)[0] if entry.startswith(DEMO_DIR_PREFIX) else ""
        if not pid_text.isdigit():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            shutil.rmtree(os.path.join(root, entry), ignore_errors=True)
            removed += 1
        except PermissionError:  # alive, owned by someone else
            continue
    return removed


# -- started by the launcher, before the heavy imports ----------------------------------

_prestarted: Demo | None = None


def prestart_demo(argv: list[str]) -> None:
    """Start the demo's child first thing when the command line asks for it,
    so its start-up overlaps the dashboard's imports. A demo nobody takes
    (e.g. the command failed to parse) is stopped at exit."""
    global _prestarted
    if _prestarted is not None or "--demo" not in argv or (argv and argv[0] == "emulator"):
        return
    if any(flag in argv for flag in ("-h", "--help", "--version")):
        return
    import atexit

    # `airsync query --demo` reads the demo's DuckDB destination: say ready once its rows are written.
    command = next((word for word in argv if not word.startswith("-")), None)
    _prestarted = start_demo(ready_after_warehouse=command == "query")
    atexit.register(_discard_prestarted)


def take_prestarted() -> Demo | None:
    """The demo the launcher started, handed over once (the taker stops it)."""
    global _prestarted
    demo, _prestarted = _prestarted, None
    return demo


def _discard_prestarted() -> None:
    demo = take_prestarted()
    if demo is not None:
        demo.stop()


__all__ = [
    "DEMO_SEED",
    "DEMO_SPEED",
    "Demo",
    "prestart_demo",
    "start_demo",
    "take_prestarted",
]
