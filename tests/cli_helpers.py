"""Run the `airsync` CLI for tests: in-process by default, as a real process where the process matters.

Why in-process: a `python -m airsync_tui` child costs an interpreter start plus the
providers' imports (about a second of CPU each, several under load), and the CLI
tests about logic (exit codes, JSON keys, one-line errors) ran dozens of them.
`airsync_tui.cli.main.main(argv)` is the same code path after start-up: it parses,
wraps stdout/stderr in the sanitising streams, runs the command and returns the
exit code. Tests about the process itself (signals, pipes, raw bytes, the
installed script) keep using `subprocess` (see `tests/hostile/stub.py`,
`tests/e2e/`, the Popen tests in `tests/integration/test_cli.py`).
"""

from __future__ import annotations

import _thread
import contextlib
import io
import os
import subprocess
import sys
import threading
from collections.abc import Iterator

from airsync_tui.emulator.server import RunningEmulator
from airsync_tui.providers.pacing import PACE_ENV

PROVIDER_ENV_PREFIXES = ("AIRBYTE_", "HIGHTOUCH_", "AIRSYNC_")
#: `AIRSYNC_PACE` for CLI runs in tests: back-off and poll waits at 5 % of the product's
#: (the same tries, caps and deadlines; airsync_tui/providers/pacing.py). Without it a
#: `sync --wait` test sleeps 2.5 s between job reads. The real defaults: tests/unit/test_pacing.py.
TEST_PACE = "0.05"


def emulator_env(emu: RunningEmulator, **overrides: str) -> dict[str, str]:
    """The environment of an `airsync` run against `emu`: both providers, an empty config, the test's state file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(PROVIDER_ENV_PREFIXES)}
    env.update(
        AIRBYTE_API_ROOT=emu.public_api_url,
        AIRBYTE_CLIENT_ID=emu.client_id,
        AIRBYTE_CLIENT_SECRET=emu.client_secret,
        AIRBYTE_WORKSPACE_ID=emu.workspace_id,
        HIGHTOUCH_API_ROOT=emu.hightouch_api_url,
        HIGHTOUCH_API_KEY=emu.hightouch_api_key,
        AIRSYNC_CONFIG=os.devnull,  # an empty config (a missing explicit file is an error)
    )
    env[PACE_ENV] = TEST_PACE
    if "AIRSYNC_STATE" in os.environ:
        env["AIRSYNC_STATE"] = os.environ["AIRSYNC_STATE"]  # the test's own tmp state file (tests/conftest.py)
    env.update(overrides)
    return env


@contextlib.contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    """Make `os.environ` exactly `env` for the block (as a child process would see it), then restore it."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def _stdin(text: str) -> Iterator[None]:
    """A piped (not a terminal) stdin holding `text`, as `subprocess.run(input=...)` gives a child."""
    saved = sys.stdin
    sys.stdin = io.StringIO(text)
    try:
        yield
    finally:
        sys.stdin = saved


def run_airsync(*args: str, env: dict[str, str], timeout: float = 60.0, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`airsync ARGS` in this process with `env` as its environment and `stdin` piped in; stdout/stderr captured as text.

    A run still going after `timeout` seconds is interrupted (as Ctrl-C would) and the
    test fails saying so: a hang is a failure, never a pass.
    """
    stdout, stderr = io.StringIO(), io.StringIO()
    finished = threading.Event()
    timed_out = threading.Event()

    def watchdog() -> None:
        if not finished.wait(timeout):
            timed_out.set()
            _thread.interrupt_main()

    guard = threading.Thread(target=watchdog, name="airsync-cli-watchdog", daemon=True)
    from airsync_tui.cli.main import main

    with _environment(env), _stdin(stdin), contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        guard.start()
        try:
            code = main(list(args))
        except KeyboardInterrupt:
            code = 130
        finally:
            finished.set()
    guard.join()
    if timed_out.is_set():
        raise AssertionError(f"airsync {' '.join(args)} did not finish within {timeout:g} s; stderr: {stderr.getvalue()!r}")
    return subprocess.CompletedProcess(["airsync", *args], code, stdout.getvalue(), stderr.getvalue())


def spawn_airsync(*args: str, env: dict[str, str], timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    """`python -m airsync_tui ARGS` as a real child process (for tests about the process itself)."""
    return subprocess.run(
        [sys.executable, "-m", "airsync_tui", *args], check=False, capture_output=True, text=True, timeout=timeout, env=env
    )
