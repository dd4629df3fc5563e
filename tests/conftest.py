"""Shared pytest fixtures."""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from airsync_tui.emulator.server import RunningEmulator

# Cache compiled modules even where the environment says not to (PYTHONDONTWRITEBYTECODE=1,
# as on the shared 2-core machine). Why: with it, every xdist worker re-compiled every
# airsync_tui module from source and pytest re-rewrote the asserts of all ~110 test modules
# at each collection (~3 s of CPU per worker, x4 workers), and every `airsync` child process
# re-compiled what it imports. The files go to the git-ignored `__pycache__/` directories,
# exactly as with Python's default; child processes read them (the variable only stops writes).
# Set before any airsync_tui or test module is imported (none is imported above).
sys.dont_write_bytecode = False

_PROVIDER_ENV_PREFIXES = ("AIRBYTE_", "HIGHTOUCH_", "AIRSYNC_")


@pytest.fixture(scope="session")
def _airsync_homes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One folder per worker that holds every test's home (`isolated_environment`), numbered by a counter.

    Why: `tmp_path_factory.mktemp` lists the whole base temp folder to find the next free number,
    so a home per test made each call slower than the last (~0.4 s of CPU per worker over ~400 tests,
    and the listing also slowed every test's own `tmp_path`).
    """
    yield tmp_path_factory.mktemp("airsync-homes")


_home_numbers = itertools.count()


@pytest.fixture(autouse=True)
def isolated_environment(_airsync_homes: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test (and every process it starts) gets its own config file, state file and data dirs.

    Safe under pytest-xdist: nothing is read from or written to the developer's real profile, and a
    stray AIRBYTE_*/HIGHTOUCH_*/AIRSYNC_* variable in the shell cannot change a test's outcome.
    A test that needs one of these sets it itself (monkeypatch runs after this fixture).
    """
    home = _airsync_homes / f"home{next(_home_numbers)}"
    home.mkdir()
    for name in [n for n in os.environ if n.startswith(_PROVIDER_ENV_PREFIXES)]:
        monkeypatch.delenv(name)
    config = home / "config.toml"
    config.touch(mode=0o600)  # an empty config: a missing explicit AIRSYNC_CONFIG is an error (by design)
    monkeypatch.setenv("AIRSYNC_CONFIG", str(config))
    monkeypatch.setenv("AIRSYNC_STATE", str(home / "state.sqlite3"))
    # The start-up code cache (cli/codegen_cache.py) is transparent, so the `airsync` processes a
    # worker starts share one: a home of their own would make each a cold start that writes ~1 MB.
    monkeypatch.setenv("AIRSYNC_CODEGEN_CACHE", str(_airsync_homes / "codegen.marshal"))
    for variable, folder in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        monkeypatch.setenv(variable, str(Path(home, folder)))


@pytest.fixture(scope="session")
def emulator() -> Iterator[RunningEmulator]:
    """The demo workspace served over 127.0.0.1 at 20x speed (small big-log for speed).

    Credentials are unique to this instance because the airbyte_api SDK caches
    tokens per credentials at class level.
    """
    from airsync_tui.emulator.server import EmulatorOptions, start_emulator

    running = start_emulator(
        EmulatorOptions(speed=20.0, big_log_lines=2000, client_id="airsync-test-session", client_secret="session-secret")
    )
    try:
        yield running
    finally:
        running.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slowest files first, so workers finish together (tests/slow_first.py says why)."""
    from tests.slow_first import order_slow_files_first

    order_slow_files_first(items)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Freeze the imported heap and collect garbage less often (tests/gc_tuning.py says why)."""
    from tests.gc_tuning import tune_after_collection

    tune_after_collection()


def pytest_configure(config: pytest.Config) -> None:
    """Parse Textual CSS once per worker, not once per app (tests/css_parse_cache.py says why);
    paint test apps at 20 frames a second (tests/frame_rate.py says why)."""
    from tests import frame_rate
    from tests.css_parse_cache import install

    install()
    frame_rate.install()


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: two workers per core (tests/slow_first.py says why)."""
    from tests.slow_first import auto_workers

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return auto_workers(cpus)


@pytest.fixture(autouse=True)
def fresh_value_reports() -> None:
    """Each test starts with no "ignored a value" notes from an earlier test in this worker.

    Why: models/guard.py reports each unusable value once per process; with
    in-process CLI runs, a note recorded by one test was printed by the next
    test's command (seen when the file order changed).
    """
    from airsync_tui.models.guard import forget_reports

    forget_reports()
