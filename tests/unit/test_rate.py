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


def test_samples_further_apart_than_the_window_still_give_the_rate_they_show() -> None:
    """Polls 90 s apart against a 60 s window (or the demo's clock, 10x the wall clock): one sample in the
    window. The rate read "0 rec/s" beside counts and a sparkline that were growing; it is measured from
    the sample before the window now."""
    window = RateWindow(window=timedelta(seconds=60))
    window.add(at(0), 0, 0)
    window.add(at(90), 900, 9_000)
    window.add(at(180), 1_800, 18_000)
    assert window.records_per_second(at(180)) == 10.0
    assert window.bytes_per_second(at(180)) == 100.0
    assert window.records_per_second(at(300)) == 0.0  # and nothing seen for longer than the window: 0, as before
