"""`airsync failures` and `airsync timeline`: triage and history from the command line.

`failures` builds the same snapshot the dashboard's watcher holds (connections
+ the workspace's recent jobs), runs the rules engine once over it (the same
rules as `airsync watch` and the Alerts screen, from the profile's `watch`
settings) and groups its problems by cause, with one failure listing per
provider for the failing streams; its cost does not depend on the number of
connections.
"""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from airsync_tui.cli.output import inert, print_table
from airsync_tui.cli.resolve import resolve_connection
from airsync_tui.errors import EXIT_OK
from airsync_tui.models.domain import Connection, Job
from airsync_tui.models.timeline import TimelineEvent
from airsync_tui.models.timeparse import utcnow
from airsync_tui.providers.base import SyncProvider
from airsync_tui.service.rules.settings import WatchSettings
from airsync_tui.service.timeline import (
    TimelineFeed,
    connection_timeline,
    workspace_pulse,
)
from airsync_tui.service.triage import (
    EngineProblemSource,
    ProblemGroup,
    engine_from_snapshot,
    group_json,
    group_problems,
    until,
)
from airsync_tui.textfmt import age, counted, duration

RECENT_JOBS = 500


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


async def collect_groups(providers: list[SyncProvider], settings: WatchSettings | None = None) -> tuple[list[ProblemGroup], datetime]:
    connections: dict[str, Connection] = {}
    jobs: dict[str, Job] = {}
    for provider in providers:
        for connection in await provider.list_connections():
            connections[connection.key] = connection
        for job in await provider.recent_jobs(max_jobs=RECENT_JOBS):
            jobs[job.key] = job
    now = server_now(providers, list(jobs.values()))
    engine = await engine_from_snapshot(connections.values(), jobs.values(), now=now, settings=settings)
    source = EngineProblemSource(engine, providers={p.name: p for p in providers})
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
        print(f"#{number} {counted(group.count, 'connection')} · {kinds} · since {age(group.since, now)}{streams}")
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
                until(p.next_run, now),
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


def timeline_json(event: TimelineEvent) -> dict[str, Any]:
    failure = event.failure
    data: dict[str, Any] = _clean(
        {
            "id": event.id,
            "provider": event.provider,
            "connectionId": event.connection_id,
            "connectionName": event.connection_name,
            "eventType": event.event_type,
            "at": event.at.isoformat(),
            "title": event.title,
            "details": list(event.details),
            "user": event.user,
            "jobId": event.job_id,
            "jobType": event.job_type,
            "status": event.status,
            "records": event.records,
            "bytes": event.bytes,
            "durationSeconds": event.duration.total_seconds() if event.duration is not None else None,
            "attempts": event.attempts,
            "failure": None
            if failure is None
            else {
                "origin": failure.origin,
                "type": failure.type,
                "message": failure.message,
                "stream": failure.stream,
            },
            "origin": event.origin,
        }
    )
    return data


def print_events(
    events: Sequence[TimelineEvent], now: datetime, providers: Sequence[SyncProvider], *, with_connection: bool = False
) -> None:
    # Each provider's word for a job ("run" for Hightouch), as the dashboard and `jobs` say it.
    nouns = {p.name: p.capabilities.job_noun for p in providers}
    for event in events:
        who = f" · by {inert(event.user)}" if event.user else ""
        took = f" · {duration(event.duration)}" if event.duration is not None else ""
        job = f" · {nouns.get(event.provider, 'job')} {event.job_id}" if event.job_id else ""
        where = f"{inert(event.connection_name or event.connection_id)}: " if with_connection else ""
        print(f"{event.at:%Y-%m-%d %H:%M} UTC ({age(event.at, now)})  {where}{inert(event.title)}{job}{took}{who}")
        for line in event.details:
            print(f"    {inert(line)}")


async def timeline(args: argparse.Namespace, providers: list[SyncProvider]) -> int:
    provider, connection = await resolve_connection(providers, args.connection)
    result = await connection_timeline(provider, connection, limit=args.limit)
    now = server_now([provider], [])
    if args.json:
        print(
            json.dumps(
                {
                    "provider": result.provider,
                    "connectionId": result.connection_id,
                    "connectionName": inert(result.connection_name or ""),
                    "origin": result.origin,
                    "notice": result.notice,
                    "events": [timeline_json(e) for e in result.events],
                },
                indent=2,
            )
        )
        return EXIT_OK
    print(f"{inert(connection.name)} ({provider.display_name} {connection.id}) — {counted(len(result.events), 'event')}, newest first")
    if result.notice:
        print(f"note: {inert(result.notice)}")
    print_events(result.events, now, [provider])
    return EXIT_OK


async def pulse(args: argparse.Namespace, providers: list[SyncProvider]) -> int:
    names: dict[str, str] = {}
    for provider in providers:
        if not isinstance(provider, TimelineFeed):
            names.update({c.key: c.name for c in await provider.list_connections()})
    now = server_now(providers, [])
    events = await workspace_pulse(providers, now=now, limit=args.limit, names=names)
    if args.json:
        print(json.dumps([timeline_json(e) for e in events], indent=2))
        return EXIT_OK
    print_events(events, server_now(providers, []), providers, with_connection=True)
    return EXIT_OK
