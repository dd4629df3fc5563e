"""What the Hightouch provider knows between polls, so polling stays cheap.

Hightouch has no "runs updated since" endpoint and no workspace-wide runs
list: runs are only listed per sync. With 1,000 syncs and a limit of 200
requests / 10 s, asking every sync for its runs each tick is impossible. So
the provider keeps this small state and spends a fixed request budget per
poll on the syncs that matter most:

1. **fresh** syncs: their `lastRunAt` or `status` changed in a `GET /syncs`
   answer (a run started or ended) or they look busy with no run we know;
2. **active** syncs: a run we know is still going; visited round-robin so
   every one is refreshed in turn, whatever the budget;
3. **settle** syncs: the sync list showed that a run we follow ENDED (status
   now terminal, `lastRunAt` still its `startedAt`). The end is reported at
   once from that list, free; the runs read that fills in final row counts
   and the error waits here behind fresh syncs;
4. **backfill** syncs: ran before we started but their latest run was not
   fetched yet (start-up budget exhausted); filled in with leftover budget.

It also remembers run id -> sync id, because the runs endpoint needs the sync
id and a neutral `Job.id` is just the run number (bounded LRU).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from airsync_tui.providers.hightouch.statuses import hightouch_run_status
from airsync_tui.providers.hightouch.wire import Sync, SyncRun

# Sync statuses that mean "no run going" even though they are not run outcomes.
IDLE_SYNC_STATUSES = frozenset({"disabled", "pending"})
MAX_REMEMBERED_RUNS = 100_000


def sync_is_busy(status: str) -> bool:
    """Whether a Sync.status says a run is queued or going (unknown values count as busy)."""
    key = status.strip().lower()
    if key in IDLE_SYNC_STATUSES:
        return False
    return hightouch_run_status(key).is_active


def run_is_active(run: SyncRun) -> bool:
    return hightouch_run_status(run.status).is_active


@dataclass
class SyncSeen:
    last_run_at: datetime | None
    status: str


class RunTracker:
    """Per-provider memory: sync states, active runs, run -> sync index, fetch queues."""

    def __init__(self, max_runs: int = MAX_REMEMBERED_RUNS) -> None:
        self.max_runs = max_runs
        self._runs: OrderedDict[int, tuple[int, str | None]] = OrderedDict()  # run -> (sync, job type)
        self.syncs: dict[int, SyncSeen] = {}
        self.active: dict[int, dict[int, SyncRun]] = {}  # sync id -> runs last seen in progress, by id
        self.fresh: dict[int, None] = {}  # ordered set
        self.settle: dict[int, None] = {}
        self.backfill: dict[int, None] = {}
        self.max_seen: datetime | None = None  # newest server timestamp seen: our view of server time
        self._rr_after = -1  # round-robin position over active sync ids

    # ------------------------------------------------------------- run index
    def remember_run(self, run_id: int, sync_id: int, job_type: str | None = None) -> None:
        previous = self._runs.pop(run_id, None)
        kept_type = job_type or (previous[1] if previous else None)
        self._runs[run_id] = (sync_id, kept_type)
        while len(self._runs) > self.max_runs:
            self._runs.popitem(last=False)

    def sync_of(self, run_id: int) -> int | None:
        entry = self._runs.get(run_id)
        return entry[0] if entry else None

    def job_type_of(self, run_id: int) -> str:
        entry = self._runs.get(run_id)
        return (entry[1] if entry else None) or "sync"

    # ------------------------------------------------------------ server time
    def saw_time(self, moment: datetime | None) -> None:
        if moment is not None and (self.max_seen is None or moment > self.max_seen):
            self.max_seen = moment

    # ------------------------------------------------------------------ syncs
    def observe_sync(self, sync: Sync) -> list[SyncRun]:
        """Record a sync from `GET /syncs`; queue it for a runs read if something changed.

        Returns runs whose END this answer already proves (see "settle"), with
        the sync's status, so the caller can report them without a request.
        """
        self.saw_time(sync.last_run_at)
        previous = self.syncs.get(sync.id)
        self.syncs[sync.id] = SyncSeen(sync.last_run_at, sync.status)
        busy = sync_is_busy(sync.status)
        if previous is None:
            changed = busy and sync.id not in self.active
        else:
            changed = previous.last_run_at != sync.last_run_at or previous.status != sync.status
        if not changed or not (busy or sync.last_run_at is not None or sync.id in self.active):
            return []
        ended = self._ended_run(sync, busy)
        if ended is not None:
            self.settle[sync.id] = None
            return [ended]
        self.fresh[sync.id] = None
        self.backfill.pop(sync.id, None)
        return []

    def _ended_run(self, sync: Sync, busy: bool) -> SyncRun | None:
        """The followed run a terminal sync status refers to, marked with that status."""
        status = hightouch_run_status(sync.status)
        runs = self.active.get(sync.id)
        if busy or not status.known or not status.is_terminal or not runs or sync.last_run_at is None:
            return None
        matching = [run for run in runs.values() if run.started_at == sync.last_run_at]
        if len(matching) != 1 or len(runs) != 1:
            return None  # ambiguous (several runs in flight): read the runs instead
        run = matching[0]
        del self.active[sync.id]
        return run.model_copy(update={"status": status.raw})

    def forget_sync(self, sync_id: int) -> None:
        """A sync answered 404: stop spending requests on it."""
        self.syncs.pop(sync_id, None)
        self.active.pop(sync_id, None)
        self.fresh.pop(sync_id, None)
        self.settle.pop(sync_id, None)
        self.backfill.pop(sync_id, None)

    def add_backfill(self, sync_ids: Iterable[int]) -> None:
        for sync_id in sync_ids:
            if sync_id not in self.fresh and sync_id not in self.settle:
                self.backfill[sync_id] = None

    # ------------------------------------------------------------------- runs
    def observe_runs(self, sync_id: int, runs: Iterable[SyncRun]) -> list[SyncRun]:
        """Record a sync's newest runs; return the ones worth reporting.

        Reported: the newest run (the sync's "last job"), every run in
        progress, and every run we had as active (so its end is reported).
        Older finished runs are history the watcher need not hear about.
        """
        run_list = list(runs)
        settled = sync_id in self.settle  # we reported an end from the sync list: report the full run
        self.fresh.pop(sync_id, None)
        self.settle.pop(sync_id, None)
        self.backfill.pop(sync_id, None)
        known_active = self.active.get(sync_id, {})
        newest = max((run.id for run in run_list), default=None)
        report: list[SyncRun] = []
        now_active: dict[int, SyncRun] = {}
        for run in run_list:
            self.remember_run(run.id, sync_id)
            for moment in (run.created_at, run.started_at, run.finished_at):
                self.saw_time(moment)
            active = run_is_active(run)
            if active:
                now_active[run.id] = run
            if run.id == newest or active or run.id in known_active or settled:
                report.append(run)
        if now_active:
            self.active[sync_id] = now_active
        else:
            self.active.pop(sync_id, None)
        return report

    def observe_run(self, sync_id: int, run: SyncRun) -> None:
        """Record one run read by id (trigger, detail) without touching the queues."""
        self.remember_run(run.id, sync_id)
        self.saw_time(run.created_at)
        if run_is_active(run):
            self.active.setdefault(sync_id, {})[run.id] = run
        elif sync_id in self.active:
            self.active[sync_id].pop(run.id, None)
            if not self.active[sync_id]:
                del self.active[sync_id]

    # --------------------------------------------------------------- planning
    def plan(self, budget: int, *, include_progress: bool, rr_share: int = 3) -> list[int]:
        """Sync ids to read runs for this poll.

        Order: fresh (new runs), settle (final counts of ended runs), active
        round-robin (live progress), backfill. With `include_progress`,
        `rr_share` slots are kept for the round-robin so a burst of new runs
        cannot starve progress of long-running ones.
        """
        chosen: list[int] = []
        reserve = min(rr_share, len(self.active)) if include_progress else 0
        for queue in (self.fresh, self.settle):
            for sync_id in list(queue):
                if len(chosen) >= budget - reserve:
                    break
                if sync_id not in chosen:
                    chosen.append(sync_id)
        if not include_progress:
            return chosen
        active_ids = sorted(set(self.active) - set(chosen))
        if active_ids:
            start = next((i for i, sync_id in enumerate(active_ids) if sync_id > self._rr_after), 0)
            for sync_id in active_ids[start:] + active_ids[:start]:
                if len(chosen) >= budget:
                    break
                chosen.append(sync_id)
                self._rr_after = sync_id
        for sync_id in list(self.backfill):
            if len(chosen) >= budget:
                break
            if sync_id not in chosen:
                chosen.append(sync_id)
        return chosen

    def covers_all_active(self, fetched: Iterable[int]) -> bool:
        """True when `fetched` included every active sync and nothing is waiting in `fresh`."""
        return not self.fresh and set(self.active) <= set(fetched)


__all__ = ["IDLE_SYNC_STATUSES", "RunTracker", "SyncSeen", "run_is_active", "sync_is_busy"]
