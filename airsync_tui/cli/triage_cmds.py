"""`airsync failures` and `airsync timeline`: triage and history from the command line.

`failures` builds the same snapshot the dashboard's watcher holds (connections
+ the workspace's recent jobs, one failure listing per provider) and groups
the problems by cause; its cost does not depend on the number of connections.
"""

from __future__ import annotations

import argparse
import io
import json
from datetime import datetime
from typing import Any

from airsync_tui.cli.output import inert, print_table
from airsync_tui.errors import EXIT_OK
from airsync_tui.models.domain import Connection, Job
from airsync_tui.models.timeparse import utcnow
from airsync_tui.providers.base import SyncProvider
from airsync_tui.service.triage import (
    ProblemGroup,
    SnapshotProblemSource,
    group_json,
    group_problems,
)
from airsync_tui.textfmt import age

RECENT_JOBS = 500


class _Snapshot:
    """The three things `SnapshotProblemSource` reads from a watcher."""

    def __init__(self, providers: list[SyncProvider]) -> None:
        self.providers = {p.name: p for p in providers}
        self.connections: dict[str, Connection] = {}
        self.jobs: dict[str, Job] = {}


def server_now(providers: list[SyncProvider], jobs: list[Job]) -> datetime:
    """The servers' clock (the demo's runs ahead of ours): never earlier than any job time seen."""
    moments = [utcnow()]
    for provider in providers:
        reader = getattr(provider, "server_now", None)
        if callable(reader):
            moment = reader()
            if isinstance(moment, datetime):
                moments.append(moment)
    moments += [t for j in jobs for t in (j.updated_at, j.created_at) if t is not None]
    return max(moments)


async def collect_groups(
    providers: list[SyncProvider],
) -> tuple[list[ProblemGroup], datetime]:
    snapshot = _Snapshot(providers)
    for provider in providers:
        for connection in await provider.list_connections():
            snapshot.connections[connection.key] = connection
        for job in await provider.recent_jobs(max_jobs=RECENT_JOBS):
            snapshot.jobs[job.key] = job
    now = server_now(providers, list(snapshot.jobs.values()))
    source = SnapshotProblemSource(snapshot, clock=lambda: now)
    return group_problems(await source.open_problems()), now


def _clean(value: Any) -> Any:
    """Server text made inert everywhere in the JSON (names, messages)."""
    if isinstance(value, str):
        return inert(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


async def failures(args: argparse.Namespace, providers: list[SyncProvider]) -> int:
    groups, now = await collect_groups(providers)
    if args.json:
        print(
            json.dumps(
                {
                    "generatedAt": now.isoformat(),
                    "groups": [_clean(group_json(g)) for g in groups],
                },
                indent=2,
            )
        )
        return EXIT_OK
    if not groups:
        print("nothing is failing, stalled, stale or at risk of auto-disable")
        return EXIT_OK
    for number, group in enumerate(groups, 1):
        kinds = ",".join(k.value for k in group.kinds)
        streams = f"  streams: {', '.join(group.streams)}" if group.streams else ""
        print(
            f"#{number} {group.count} connection{'s' if group.count != 1 else ''} · {kinds} · since {age(group.since, now)}"
            f"{streams}"
        )
        print(f"   {inert(group.fingerprint.label())}")
        if group.example and group.example != group.fingerprint.pattern:
            print(f"   e.g. {inert(group.example)[:200]}")
        rows = [
            [
                p.connection_key.split(":", 1)[1] if p.connection_key else "",
                inert(p.connection_name or ""),
                age(p.since, now),
                str(p.streak) if p.streak else "-",
                age(p.last_success, now) if p.last_success else "never seen",
                _until(p.next_run, now),
                inert(p.failing_stream or "-"),
                p.job_key.split(":", 1)[1] if p.job_key else "-",
            ]
            for p in group.problems
        ]
        table = io.StringIO()
        print_table(
            rows,
            ["ID", "NAME", "SINCE", "STREAK", "LAST OK", "NEXT RUN", "STREAM", "JOB"],
            out=table,
        )
        print("".join(f"   {line}\n" for line in table.getvalue().splitlines()), end="")
        print()
    return EXIT_OK


def _until(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "-"
    seconds = int((moment - now).total_seconds())
    if seconds <= 0:
        return "due"
    if seconds >= 3600:
        return f"in {seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"in {max(1, seconds // 60)}m"
