"""The simulated Hightouch workspace: syncs, runs, schedules and their clock.

Design:
- Every future state change is an event on one heap keyed by *virtual* time:
  a schedule firing, or the end of a run's current stage. `tick()` pops every
  event due by `clock.now()` in time order, so the simulation is exact no
  matter how rarely it is ticked (a test can `clock.advance(3600)` and one
  tick replays the hour, schedules included).
- A run's whole future (phase lengths, rows, outcome) is decided when it is
  created, from an RNG seeded by (seed, run id), so the world is deterministic
  for a seed. Values that move continuously (completionRatio, rows so far) are
  computed from the clock at read time, never stepped.
- Past history is not fabricated separately: the world starts some schedule
  periods in the past and simulates forward to "now" with the same code, so
  history obeys the same invariants (queueing, row counts) as live runs.
- The ticker is only about latency: status changes must happen close to their
  simulated time even if nobody is polling, because a benchmark measures how
  fast they reach the watcher. Request handlers also tick before reading.
"""

from __future__ import annotations

import asyncio
import dataclasses
import heapq
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from . import catalog
from .catalog import DestinationDef, SyncProfile
from .dialect import NO_ROW_RESULTS, Dialect
from .model import Run, Sync
from .outcomes import forced_plan
from .schedules import interval_seconds, next_fire

SPEC_DIALECT = Dialect()

log = logging.getLogger(__name__)

WORKSPACE_ID = 31337
FIRST_SYNC_ID = 58201
FIRST_RUN_ID = 41_000_001

SYNC_ORDERS = ("id", "name", "slug", "createdAt", "updatedAt")
RUN_ORDERS = ("id", "createdAt", "startedAt", "finishedAt")

Transition = tuple[int, int, str, str, float, float]
T = TypeVar("T")


class Clock(Protocol):
    """What the world needs from `VirtualClock`: virtual epoch seconds."""

    def now(self) -> float: ...


class SyncNotFound(LookupError):
    pass


class SyncDisabled(ValueError):
    pass


@dataclass(slots=True)
class TriggerFlags:
    full_resync: bool = False
    reset_cdc: bool = False
    clear_and_fill: bool = False


def _queue_dwell(rng: random.Random) -> float:
    """Seconds a run shows `queued` before a worker picks it up."""
    return rng.uniform(0.5, 2.0)


class HightouchWorld:
    """Deterministic (per seed) Hightouch workspace driven by a VirtualClock.

    Public state, read-only for callers:
    - `syncs`: list[Sync], ascending id.
    - `runs`: dict[int, Run] by run id, insertion (= creation) order.
    - `transitions`: (sync_id, run_id, old, new, virtual_ts, monotonic) for every
      run status change since construction; `old == ""` marks run creation.
      `virtual_ts` is the simulated instant of the change, `monotonic` is
      `time.monotonic()` when the simulation applied it.
    Take `lock` around any read that must be consistent with a tick.
    """

    def __init__(self, clock: Clock, *, seed: int = 7, syncs: int | None = None, history_runs: int | None = None) -> None:
        self.clock = clock
        self.seed = seed
        self.lock = threading.RLock()
        self.syncs: list[Sync] = []
        self.runs: dict[int, Run] = {}
        self.transitions: list[Transition] = []
        self._by_id: dict[int, Sync] = {}
        self._by_slug: dict[str, Sync] = {}
        self._profiles: dict[int, SyncProfile] = {}
        self._destinations: dict[int, DestinationDef] = {}
        self._events: list[tuple[float, int, str, int]] = []  # (virtual time, seq, kind, sync or run id)
        self._seq = 0
        self._next_run_id = FIRST_RUN_ID
        self._recording = False
        self._now = clock.now()
        self._task: asyncio.Task[None] | None = None
        #: Per-sync deviations from the spec on the wire (see dialect.py).
        self.dialects: dict[int, Dialect] = {}
        #: Standing outcomes of next runs by sync id (`--outcome`, `/_admin/outcomes`): see outcomes.py.
        self.standing_outcomes: dict[int, str] = {}

        count = len(catalog.DEMO_SYNCS) if syncs is None else syncs
        if count < 0:
            raise ValueError("syncs must be >= 0")
        history = history_runs if history_runs is not None else (8 if count <= 50 else 3)
        self._build(count, demo=syncs is None, history=history)
        self._orders = self._build_orders()
        self._process_until(self._now)  # replay the past without recording transitions
        self._recording = True

    # ------------------------------------------------------------------ setup

    def _build(self, count: int, *, demo: bool, history: int) -> None:
        rng = random.Random(f"hightouch-world:{self.seed}")
        now = self._now
        used: dict[str, int] = {}
        for index in range(count):
            if demo:
                model_key, dest_key, schedule, disabled = catalog.DEMO_SYNCS[index]
                model, dest = catalog.model_by_key(model_key), catalog.destination_by_key(dest_key)
            else:
                model, dest, schedule, disabled = catalog.scaled_pair(index)
            slug = f"{model.key}-to-{dest.key}"
            used[slug] = used.get(slug, 0) + 1
            if used[slug] > 1:
                slug = f"{slug}-{used[slug]}"
            period = interval_seconds(schedule) if schedule else rng.uniform(1, 3) * 86400
            window = history * period
            created = now - window - rng.uniform(5, 90) * 86400
            updated = now - rng.uniform(3, 20) * 3600 if disabled else created + rng.uniform(0, 4) * 86400
            sync = Sync(
                id=FIRST_SYNC_ID + index,
                slug=slug,
                workspace_id=WORKSPACE_ID,
                created_at=created,
                updated_at=updated,
                destination_id=dest.destination_id,
                model_id=model.model_id,
                configuration={
                    "object": dest.object_name,
                    "mode": "upsert",
                    "mappings": [{"from": c, "to": c} for c in model.columns[1:]],
                },
                schedule=schedule,
                disabled=disabled,
                referenced_columns=list(model.columns),
                primary_key=model.primary_key,
                external_segment={},
                tags={"team": rng.choice(("growth", "lifecycle", "sales-ops", "support")), "source": "snowflake"},
            )
            self.syncs.append(sync)
            self._by_id[sync.id] = sync
            self._by_slug[sync.slug] = sync
            self._profiles[sync.id] = catalog.make_profile(rng, model)
            self._destinations[sync.id] = dest

            # History ends at "now", or when the sync was disabled.
            start = (updated if disabled else now) - window + rng.uniform(0, period * 0.5)
            if schedule is not None:
                first = start if schedule.kind == "interval" else next_fire(schedule, start)
                self._push(first, "fire", sync.id)
            else:  # manual syncs: someone clicked "Run" every day or so
                for k in range(history):
                    self._push(start + k * period, "manual", sync.id)
        if demo and count:
            # Google Ads Customer Match uploads are processed offline: the
            # destination reports no per-row results (see dialect.py).
            for sync in self.syncs:
                if self._destinations[sync.id].key == "google-ads":
                    self.dialects[sync.id] = NO_ROW_RESULTS
            # Make sure the demo opens with something moving.
            for sync in rng.sample([s for s in self.syncs if not s.disabled], k=min(2, count)):
                self._push(now - rng.uniform(5, 40), "manual", sync.id)

    def _build_orders(self) -> dict[str, list[Sync]]:
        """Sorted views for every orderBy: sync attributes they use never change, so sort once."""
        keys: dict[str, Callable[[Sync], tuple[str | float, int]]] = {
            "name": lambda s: (s.slug, s.id),  # Sync has no `name`; the slug is its human name
            "slug": lambda s: (s.slug, s.id),
            "createdAt": lambda s: (s.created_at, s.id),
            "updatedAt": lambda s: (s.updated_at, s.id),
        }
        orders = {name: sorted(self.syncs, key=key) for name, key in keys.items()}
        orders["id"] = self.syncs
        return orders

    # ------------------------------------------------------------- simulation

    def _push(self, at: float, kind: str, ref: int) -> None:
        self._seq += 1
        heapq.heappush(self._events, (at, self._seq, kind, ref))

    def tick(self) -> float:
        """Advance the simulation to `clock.now()`; returns that virtual time."""
        with self.lock:
            now = max(self.clock.now(), self._now)
            self._process_until(now)
            return now

    def _process_until(self, target: float) -> None:
        events = self._events
        while events and events[0][0] <= target:
            at, _, kind, ref = heapq.heappop(events)
            if kind == "advance":
                self._advance(self.runs[ref], at)
            elif kind == "fire":
                self._fire(self._by_id[ref], at, target)
            elif kind == "manual":
                self._create_run(self._by_id[ref], at, TriggerFlags(), trigger="manual")
        self._now = target

    def _fire(self, sync: Sync, at: float, target: float) -> None:
        """A schedule came due. Like Hightouch, a scheduled run is skipped (not stacked) while one is going."""
        assert sync.schedule is not None
        if sync.disabled and at >= sync.updated_at:
            return  # the chain stops; `set_disabled(False)` starts a new one
        if sync.active is None and not sync.queue:
            self._create_run(sync, at, TriggerFlags(), trigger="schedule")
        following = next_fire(sync.schedule, at)
        period = interval_seconds(sync.schedule)
        while following <= target - 50 * period:  # huge clock jumps: don't replay an absurd backlog
            following = next_fire(sync.schedule, following)
        self._push(following, "fire", sync.id)

    def _create_run(self, sync: Sync, at: float, flags: TriggerFlags, *, trigger: str) -> Run:
        run_id = self._next_run_id
        self._next_run_id += 1
        rng = random.Random(f"hightouch-run:{self.seed}:{run_id}")
        plan = catalog.make_plan(
            rng,
            self._profiles[sync.id],
            self._destinations[sync.id],
            full_resync=flags.full_resync,
            reset_cdc=flags.reset_cdc,
            clear_and_fill=flags.clear_and_fill,
            allow_cancelled=trigger != "api",  # only humans in the UI cancel; the API cannot
        )
        standing = self.standing_outcomes.get(sync.id)
        if standing is not None:
            plan = forced_plan(plan, standing)
        run = Run(id=run_id, sync_id=sync.id, created_at=at, plan=plan, trigger=trigger)
        self.runs[run_id] = run
        sync.runs.append(run)
        self._record(run, "", "queued", at)
        if sync.active is None:
            sync.active = run
            self._push(at + _queue_dwell(rng), "advance", run.id)
        else:
            sync.queue.append(run)  # runs right after the current one (trigger is not idempotent)
        return run

    def _advance(self, run: Run, at: float) -> None:
        """End the run's current stage at virtual time `at` and enter the next one."""
        sync = self._by_id[run.sync_id]
        if run.phase_index == -1:
            run.started_at = at
            sync.last_run_at = at
        run.phase_index += 1
        old = run.status
        phases = run.plan.phases
        if run.phase_index < len(phases):
            status, duration = phases[run.phase_index]
            run.status = status
            run.phase_started_at = at
            if status == "processing":
                run.processing_started_at = at
                stop = run.plan.stop_ratio
                run.processing_duration = duration / stop if stop > 0 else duration
            self._push(at + duration, "advance", run.id)
        else:
            run.status = run.plan.outcome
            run.finished_at = at
            sync.active = None
            sync.last_finished_status = run.status
            if sync.queue:
                nxt = sync.queue.popleft()
                sync.active = nxt
                self._push(at + _queue_dwell(random.Random(f"hightouch-dwell:{self.seed}:{nxt.id}")), "advance", nxt.id)
        self._record(run, old, run.status, at)

    def _record(self, run: Run, old: str, new: str, at: float) -> None:
        if self._recording:
            self.transitions.append((run.sync_id, run.id, old, new, at, time.monotonic()))

    # ------------------------------------------------------------- operations

    def set_outcome_rates(self, sync_id: int, *, fail: float, warn: float) -> None:
        """Make a sync's next runs fail/warn at these rates (tests, demos)."""
        with self.lock:
            profile = self._profiles[sync_id]
            self._profiles[sync_id] = dataclasses.replace(profile, fail_rate=fail, warn_rate=warn)

    def dialect_of(self, sync_id: int) -> Dialect:
        return self.dialects.get(sync_id, SPEC_DIALECT)

    def get_sync(self, sync_id: int) -> Sync:
        try:
            return self._by_id[sync_id]
        except KeyError:
            raise SyncNotFound(sync_id) from None

    def get_sync_by_slug(self, slug: str) -> Sync:
        try:
            return self._by_slug[slug]
        except KeyError:
            raise SyncNotFound(slug) from None

    def trigger(self, sync_id: int, flags: TriggerFlags | None = None) -> Run:
        """Start a run now, or queue it behind the running one (no idempotency, as in Hightouch)."""
        with self.lock:
            now = self.tick()
            sync = self.get_sync(sync_id)
            if sync.disabled:
                raise SyncDisabled(sync_id)
            return self._create_run(sync, now, flags or TriggerFlags(), trigger="api")

    def set_disabled(self, sync_id: int, disabled: bool) -> Sync:
        """`PATCH /syncs/{id}` `{"disabled": …}`: disabling stops scheduled runs; enabling restarts the schedule."""
        with self.lock:
            now = self.tick()
            sync = self.get_sync(sync_id)
            if sync.disabled == disabled:
                return sync  # nothing changes, updatedAt included
            sync.disabled = disabled
            sync.updated_at = now
            pending = any(kind == "fire" and ref == sync.id for _, _, kind, ref in self._events)
            if not disabled and sync.schedule is not None and not pending:
                self._push(next_fire(sync.schedule, now), "fire", sync.id)
            return sync

    def list_syncs(
        self,
        *,
        slug: str | None = None,
        model_id: int | None = None,
        after: float | None = None,
        before: float | None = None,
        offset: int = 0,
        limit: int = 100,
        order_by: str = "id",
    ) -> tuple[list[Sync], bool]:
        """One page of syncs (ascending by `order_by`) and whether more follow.

        Without filters this is a slice of a presorted list: O(page) even for
        thousands of syncs. The lastRunAt filters have to scan, but stop as
        soon as the page plus one look-ahead item is filled.
        """
        ordered = self._orders[order_by]
        if slug is None and model_id is None and after is None and before is None:
            return ordered[offset : offset + limit], offset + limit < len(ordered)
        candidates: Iterable[Sync] = ordered
        if slug is not None:
            candidates = [self._by_slug[slug]] if slug in self._by_slug else []

        def keep(s: Sync) -> bool:
            if model_id is not None and s.model_id != model_id:
                return False
            if s.last_run_at is None:
                return after is None and before is None
            ran = _ms(s.last_run_at)
            return not ((after is not None and ran <= after) or (before is not None and ran >= before))

        return _page((s for s in candidates if keep(s)), offset, limit)

    def list_runs(
        self,
        sync_id: int,
        *,
        run_id: int | None = None,
        after: float | None = None,
        before: float | None = None,
        within_minutes: float | None = None,
        offset: int = 0,
        limit: int = 100,
        order_by: str = "id",
        now: float | None = None,
    ) -> tuple[list[Run], bool]:
        """One page of a sync's runs, NEWEST FIRST by `order_by`.

        after/before/within apply to startedAt, falling back to createdAt for
        runs still queued so a watcher polling `within=` never misses a run it
        just triggered. For startedAt/finishedAt ordering, runs without that
        timestamp (queued / in progress) are the newest and come first.
        """
        sync = self.get_sync(sync_id)
        if run_id is not None:
            run = self.runs.get(run_id)
            candidates: list[Run] = [run] if run is not None and run.sync_id == sync_id else []
        else:
            candidates = sync.runs
        since = None
        if within_minutes is not None:
            since = (self._now if now is None else now) - within_minutes * 60

        def keep(r: Run) -> bool:
            started = _ms(r.sort_started)
            if after is not None and started <= after:
                return False
            if before is not None and started >= before:
                return False
            return not (since is not None and started < since)

        if order_by in ("id", "createdAt"):  # creation order == id order
            ordered: Iterable[Run] = reversed(candidates)
        else:
            field = "started_at" if order_by == "startedAt" else "finished_at"
            inf = float("inf")
            ordered = sorted(
                candidates,
                key=lambda r: (v if (v := getattr(r, field)) is not None else inf, r.id),
                reverse=True,
            )
        return _page((r for r in ordered if keep(r)), offset, limit)

    # ----------------------------------------------------------------- ticker

    @property
    def ticker_running(self) -> bool:
        task = self._task
        if task is None or task.done():
            return False
        try:
            return task.get_loop() is asyncio.get_running_loop()
        except RuntimeError:  # asked from outside any loop: trust the task
            return True

    def start_ticker(self, interval: float = 0.15) -> asyncio.Task[None]:
        """Start the background simulation loop on the running event loop (idempotent)."""
        if self.ticker_running:
            assert self._task is not None
            return self._task
        self._task = asyncio.get_running_loop().create_task(self._tick_forever(interval), name="hightouch-ticker")
        return self._task

    async def stop_ticker(self) -> None:
        task, self._task = self._task, None
        if task is None or task.done():
            return
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass

    async def _tick_forever(self, interval: float) -> None:
        while True:
            try:
                self.tick()
            except Exception:  # keep simulating: one bad event must not freeze the demo
                log.exception("hightouch emulator tick failed")
            await asyncio.sleep(interval)


def _ms(ts: float) -> float:
    """Timestamps go out with millisecond precision; filters must compare what clients can see."""
    return int(ts * 1000) / 1000


def _page(items: Iterable[T], offset: int, limit: int) -> tuple[list[T], bool]:
    """Skip `offset`, take `limit`, and peek one more to answer hasMore."""
    page: list[T] = []
    for seen, item in enumerate(items):
        if seen >= offset:
            if len(page) == limit:
                return page, True
            page.append(item)
    return page, False


__all__ = ["RUN_ORDERS", "SYNC_ORDERS", "HightouchWorld", "SyncDisabled", "SyncNotFound", "Transition", "TriggerFlags"]
