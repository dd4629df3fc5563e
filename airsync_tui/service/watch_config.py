"""Pacing of the watcher's poll loops (its own module so the poller, the log
follower and the facade share it without importing each other)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from airsync_tui.providers.pacing import pace


@dataclass(frozen=True)
class WatcherConfig:
    """Pacing. Defaults keep a 1,000-connection workspace under ~2 requests/s."""

    active_interval: float = 1.0  # tick while any job is active
    idle_interval: float = 5.0  # tick while nothing runs
    progress_interval: float = 3.0  # live stats of all active jobs at most this often
    connections_interval: float = 60.0  # full connection list refresh
    detail_interval: float = 2.5  # followed jobs (as the Airbyte web UI polls)
    max_backoff: float = 60.0
    recent_jobs: int = 500
    settle_fetch_limit: int = 10  # per tick: vanished active jobs re-read individually
    #: Finished jobs kept in memory beyond each connection's latest (an all-day
    #: session must not grow without bound; older ones are re-read on demand).
    retained_finished_jobs: int = 2000
    log_interval: float = 2.5  # followed attempt logs (as the Airbyte web UI polls)
    #: Logs keep arriving after an attempt ends (the web UI polls 2 min more).
    log_trailing_seconds: float = 120.0
    #: False = follow-only mode (the CLI's `sync --wait`): no workspace polling,
    #: just the followed jobs, one cheap request each per `detail_interval`.
    watch_workspace: bool = True

    def detail_interval_for(self, age_seconds: float) -> float:
        """Poll followed jobs quickly at first, then more gently for long jobs."""
        if age_seconds > 1800:
            return max(self.detail_interval, 10.0)
        if age_seconds > 300:
            return max(self.detail_interval, 5.0)
        return self.detail_interval


#: The intervals `AIRSYNC_PACE` shortens (the waits between polls); counts and
#: the log trail (`logs --follow --trail`) are left alone.
PACED_FIELDS = (
    "active_interval",
    "idle_interval",
    "progress_interval",
    "connections_interval",
    "detail_interval",
    "max_backoff",
    "log_interval",
)


def paced_config(config: WatcherConfig) -> WatcherConfig:
    """`config` with its poll intervals scaled by `AIRSYNC_PACE` (the same object when unset).

    Why: `sync --wait` re-reads a job every 2.5 s; tests of how a wait ends
    (job gone, credentials revoked, absurd estimates) slept those intervals.
    See `airsync_tui/providers/pacing.py`.
    """
    factor = pace()
    if factor == 1.0:
        return config
    return replace(config, **{name: getattr(config, name) * factor for name in PACED_FIELDS})


__all__ = ["PACED_FIELDS", "WatcherConfig", "paced_config"]
