"""Progress maths: ratio, throughput and ETA from live counts.

Follows what Airbyte's own (legacy) progress bar did: ratio = records emitted /
estimated records; fall back to bytes, then to the same sums over streams; no
estimate → no ratio (the UI shows an indeterminate bar rather than a made-up
percentage). ETA = elapsed / ratio × (1 − ratio).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from airsync_tui.models import guard
from airsync_tui.models.domain import Progress, StreamProgress


def _sum(values: Iterable[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _ratio(done: int | None, total: int | None) -> float | None:
    if not total or total <= 0 or done is None:
        return None
    return max(0.0, min(1.0, done / total))


def compute_progress(
    *,
    records_emitted: int | None = None,
    records_committed: int | None = None,
    bytes_emitted: int | None = None,
    bytes_committed: int | None = None,
    estimated_records: int | None = None,
    estimated_bytes: int | None = None,
    streams: Iterable[StreamProgress] = (),
    started_at: datetime | None = None,
    now: datetime | None = None,
    provider_ratio: float | None = None,
) -> Progress:
    """Build a `Progress` from whatever counts a provider gave.

    `provider_ratio` is for providers that report a ratio themselves
    (Hightouch `completionRatio`); it is clamped and used when no count-based
    estimate exists.
    """
    stream_list = list(streams)
    ratio: float | None = _ratio(records_emitted, estimated_records)
    basis: str | None = "records" if ratio is not None else None
    if ratio is None:
        ratio = _ratio(bytes_emitted, estimated_bytes)
        basis = "bytes" if ratio is not None else None
    if ratio is None and stream_list:
        # Only streams that carry an estimate count on both sides; a stream
        # without one would inflate the numerator and overshoot 100 %.
        estimated = [s for s in stream_list if s.estimated_records]
        ratio = _ratio(_sum(s.records_emitted or 0 for s in estimated), _sum(s.estimated_records for s in estimated))
        if ratio is None:
            by_bytes = [s for s in stream_list if s.estimated_bytes]
            ratio = _ratio(_sum(s.bytes_emitted or 0 for s in by_bytes), _sum(s.estimated_bytes for s in by_bytes))
        basis = "streams" if ratio is not None else None
    if ratio is None and provider_ratio is not None:
        ratio = max(0.0, min(1.0, float(provider_ratio)))
        basis = "provider"

    if records_emitted is None and stream_list:
        records_emitted = _sum(s.records_emitted for s in stream_list)
    if bytes_emitted is None and stream_list:
        bytes_emitted = _sum(s.bytes_emitted for s in stream_list)
    if estimated_records is None and stream_list:
        estimated_records = _sum(s.estimated_records for s in stream_list)

    elapsed: timedelta | None = None
    rps: float | None = None
    bps: float | None = None
    eta: timedelta | None = None
    if started_at is not None and now is not None:
        elapsed = max(now - started_at, timedelta(0))
        seconds = elapsed.total_seconds()
        if seconds > 0:
            if records_emitted is not None:
                rps = records_emitted / seconds
            if bytes_emitted is not None:
                bps = bytes_emitted / seconds
        if ratio is not None and 0 < ratio < 1 and seconds > 0:
            eta = guard.duration(_seconds_or_none(seconds / ratio * (1 - ratio)), "ETA")
        elif ratio is not None and ratio >= 1:
            eta = timedelta(0)

    return Progress(
        ratio=ratio,
        basis=basis,
        records_emitted=records_emitted,
        records_committed=records_committed,
        bytes_emitted=bytes_emitted,
        bytes_committed=bytes_committed,
        estimated_records=estimated_records,
        estimated_bytes=estimated_bytes,
        records_per_second=rps,
        bytes_per_second=bps,
        elapsed=elapsed,
        eta=eta,
    )


def _seconds_or_none(seconds: float) -> timedelta | None:
    """A timedelta, or None when the figure is absurd (a tiny ratio from a 1e30 estimate)."""
    try:
        return timedelta(seconds=seconds)
    except OverflowError:
        return None
