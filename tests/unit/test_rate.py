"""Current rate and stall age: one window every screen, the CLI and the rules read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airsync_tui.models.rate import RateWindow

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_rate_from_recent_window_not_lifetime() -> None:
    window = RateWindow(window=timedelta(seconds=60))
    for i in range(10):
        window.add(at(10 * i), 100 * i, None)
    assert window.records_per_second() == 10.0
    # Counts stop: the current rate falls to zero once the window holds no growth.
    for i in range(10, 30):
        window.add(at(10 * i), 900, None)
    assert window.records_per_second() == 0.0
    assert window.no_progress_for(at(290)) == timedelta(seconds=200)
    assert window.is_stalled(at(290), timedelta(minutes=3))
    assert not window.is_stalled(at(290), timedelta(minutes=4))


def test_restart_from_zero_is_a_new_window_not_a_negative_rate() -> None:
    window = RateWindow()
    window.add(at(0), 500, None)
    window.add(at(10), 600, None)
    window.add(at(20), 0, None)
    window.add(at(30), 50, None)
    assert window.records_per_second() == 5.0


def test_out_of_order_samples_are_ignored() -> None:
    window = RateWindow()
    window.add(at(10), 100, None)
    window.add(at(5), 0, None)
    assert [s.records for s in window.samples] == [100]
    assert window.records_per_second() is None
