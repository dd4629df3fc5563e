"""A cancel is never lost to a driver that clears its interrupt when the query starts.

DuckDB resets its interrupt flag at the start of `execute`. A ctrl+g (or the
timeout) landing just before that was forgotten, and a long scan ran to its
end. The fake driver below does what DuckDB does, and the operator's cancel
arrives in exactly that window.
"""

from __future__ import annotations

import threading
from typing import Any

from airsync_tui.providers.airbyte.sql_access import QueryHandle


class ResettingDriver:
    """`interrupt()` sets a flag that `execute` clears when it starts, then checks while it runs."""

    def __init__(self, before_start: Any = None, runs_for: float = 5.0) -> None:
        self.interrupted = threading.Event()
        self.before_start = before_start
        self.runs_for = runs_for
        self.ended_by: str | None = None

    def interrupt(self) -> None:
        self.interrupted.set()

    def execute(self, sql: str) -> None:
        if self.before_start is not None:
            self.before_start()  # the cancel arrives here, before the driver's own start
        self.interrupted.clear()  # what DuckDB does when a query starts
        if self.interrupted.wait(self.runs_for):
            self.ended_by = "interrupt"
            raise RuntimeError("INTERRUPT Error: Interrupted!")
        self.ended_by = "finished"


def _run(handle: QueryHandle, driver: ResettingDriver) -> None:
    handle.attach(driver, None)
    with handle.running():
        try:
            driver.execute("SELECT count(*) FROM range(10000000000)")
        except RuntimeError:
            pass


def test_a_cancel_just_before_the_driver_starts_still_interrupts_the_query() -> None:
    handle = QueryHandle()
    driver = ResettingDriver(before_start=lambda: handle.cancel("cancelled"))
    _run(handle, driver)
    assert driver.ended_by == "interrupt"
    assert handle.cancelled_by == "cancelled"


def test_a_cancel_while_the_query_runs_interrupts_it() -> None:
    handle = QueryHandle()
    driver = ResettingDriver()
    threading.Timer(0.2, handle.cancel, args=("timed out after 0.2 s",)).start()
    _run(handle, driver)
    assert driver.ended_by == "interrupt"
    assert handle.cancelled_by == "timed out after 0.2 s"


def test_an_uncancelled_query_is_left_alone_and_nothing_keeps_interrupting_after_it() -> None:
    handle = QueryHandle()
    driver = ResettingDriver(runs_for=0.1)
    _run(handle, driver)
    assert driver.ended_by == "finished"
    handle.cancel()  # after the end: one harmless interrupt, no repeating thread
    assert not [t for t in threading.enumerate() if t.name == "query-cancel"]
