"""`airsync pause|resume|refresh|clear|schedule|undo|history`: fleet actions from the shell.

Every changing command shows what it will change (count and names) and asks
y/N on a terminal; with `--yes` it does not ask, and piped without `--yes` it
refuses in one line (a script must say yes explicitly). Results are per
target: succeeded, failed (with why) or skipped (already in the wanted state).
Exit code 0 when nothing failed, 1 when any target failed, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator, Sequence
from typing import Any

from airsync_tui.cli.output import inert, print_table
from airsync_tui.cli.resolve import resolve_connection
from airsync_tui.errors import (
    EXIT_JOB_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    ConfigError,
    ReadOnlyError,
)
from airsync_tui.models.domain import Connection
from airsync_tui.models.schedule_change import ScheduleChange, ScheduleError
from airsync_tui.providers.base import SyncProvider
from airsync_tui.providers.pacing import paced
from airsync_tui.service.actions import (
    FleetActions,
    Target,
    describe_action,
    undo_label,
)
from airsync_tui.service.filtering import filter_connections
from airsync_tui.service.journal import FAILED, Journal, JournalEntry
from airsync_tui.service.local_state import open_state

WAIT_POLL_SECONDS = 2.0
MAX_LISTED = 50


# ----------------------------------------------------------------- plumbing


@contextlib.asynccontextmanager
async def _session(
    args: argparse.Namespace,
) -> AsyncIterator[tuple[list[SyncProvider], FleetActions]]:
    from airsync_tui.cli.commands import load_cli_profile
    from airsync_tui.service.session import providers_for

    profile = load_cli_profile(args)
    providers = providers_for(profile, read_only=profile.read_only, only=getattr(args, "provider", None))
    if profile.read_only and args.handler.__name__ != "cmd_history":
        # Refuse before any request, even the reads that resolve names.
        for provider in providers:
            with contextlib.suppress(Exception):
                await provider.aclose()
        raise ReadOnlyError(
            f"refusing to {args.command}: this session is read-only",
            hint="drop --read-only (or read_only / AIRSYNC_READ_ONLY) to allow it",
        )
    conn = open_state()
    try:
        yield (
            providers,
            FleetActions({p.name: p for p in providers}, Journal(conn), profile=profile.name),
        )
    finally:
        conn.close()
        for provider in providers:
            with contextlib.suppress(Exception):
                await provider.aclose()


def confirm(question: str, names: Sequence[str], *, yes: bool) -> None:
    """Ask y/N on a terminal (default No); refuse when piped without --yes. Raises ConfigError on no."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise ConfigError(
            f"refusing to {question} without confirmation",
            hint="pass --yes when not on a terminal",
        )
    print(f"About to {question}:", file=sys.stderr)
    for name in names[:MAX_LISTED]:
        print(f"  {inert(name)}", file=sys.stderr)
    if len(names) > MAX_LISTED:
        print(f"  … and {len(names) - MAX_LISTED} more", file=sys.stderr)
    print("Proceed? [y/N] ", end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        raise ConfigError("cancelled: nothing was changed")


def _label(c: Connection) -> str:
    return f"{c.name} ({c.provider}:{c.id})"


def report(entry: JournalEntry, *, as_json: bool) -> int:
    """Print per-target results; exit 1 when any target failed."""
    if as_json:
        print(json.dumps(entry.to_json(), indent=2))
    else:
        counts = entry.counts()
        print(
            f"#{entry.id} {inert(entry.summary)}: {counts['succeeded']} succeeded, {counts['failed']} failed, {counts['skipped']} skipped"
        )
        rows = [
            [
                t.outcome,
                t.name,
                f"{t.provider}:{t.connection_id}",
                t.job_id or "",
                t.reason or "",
            ]
            for t in entry.targets
        ]
        print_table(rows, ["RESULT", "NAME", "CONNECTION", "JOB", "REASON"])
        if entry.reversible:
            print(f"undo with: airsync undo {entry.id}")
    return EXIT_JOB_FAILED if any(t.outcome == FAILED for t in entry.targets) else EXIT_OK


async def _targets(providers: list[SyncProvider], refs: Sequence[str], where: str | None) -> list[Connection]:
    found: dict[str, Connection] = {}
    for ref in refs:
        _, connection = await resolve_connection(providers, ref)
        found.setdefault(connection.key, connection)
    if where is not None:
        names = {p.name: p.display_name for p in providers}
        listed: list[Connection] = []
        for provider in providers:
            listed.extend(await provider.list_connections())
        for connection in filter_connections(listed, where, names):
            found.setdefault(connection.key, connection)
    if not found:
        raise ConfigError(
            "no connection selected",
            hint="name connections, or pass --where FILTER (see README: filter language)",
        )
    return list(found.values())


# ----------------------------------------------------------------- commands


async def _toggle(args: argparse.Namespace, action: str) -> int:
    async with _session(args) as (providers, actions):
        connections = await _targets(providers, args.connections, args.where)
        targets = [Target.of(c) for c in connections]
        actions.ensure_writable(targets, action)
        confirm(
            describe_action(action, {}, len(targets)),
            [_label(c) for c in connections],
            yes=args.yes,
        )
        entry = await (actions.pause(targets) if action == "pause" else actions.resume(targets))
    return report(entry, as_json=args.json)


async def cmd_pause(args: argparse.Namespace) -> int:
    return await _toggle(args, "pause")


async def cmd_resume(args: argparse.Namespace) -> int:
    return await _toggle(args, "resume")


async def _scoped(args: argparse.Namespace, action: str) -> int:
    async with _session(args) as (providers, actions):
        provider, connection = await resolve_connection(providers, args.connection)
        reason = actions.unavailable_reason(action, provider.name)
        if reason is not None:
            raise ConfigError(f"cannot {action} {connection.name}: {reason}")
        target = Target.of(connection)
        actions.ensure_writable([target], action)
        params: dict[str, Any] = {"streams": args.stream}
        if action == "refresh":
            params["mode"] = args.mode
        confirm(describe_action(action, params, 1), [_label(connection)], yes=args.yes)
        if action == "refresh":
            entry = await actions.refresh(target, args.stream, args.mode)
        else:
            entry = await actions.clear(target, args.stream)
        code = report(entry, as_json=args.json)
        job_id = entry.targets[0].job_id
        if args.wait and job_id and code == EXIT_OK:
            while True:
                job = await provider.get_job(job_id)
                if job.status.is_terminal:
                    break
                await asyncio.sleep(paced(WAIT_POLL_SECONDS))
            print(f"{provider.capabilities.job_noun} {job.id} {job.status.label}" + (f": {inert(job.error)}" if job.error else ""))
            code = EXIT_OK if job.status.category.is_success else EXIT_JOB_FAILED
    return code


async def cmd_refresh(args: argparse.Namespace) -> int:
    return await _scoped(args, "refresh")


async def cmd_clear(args: argparse.Namespace) -> int:
    return await _scoped(args, "clear")


async def cmd_schedule(args: argparse.Namespace) -> int:
    try:
        if args.manual:
            change = ScheduleChange.manual()
        elif args.every:
            change = ScheduleChange.every(args.every)
        else:
            change = ScheduleChange.from_cron(args.cron)
    except ScheduleError as exc:
        raise ConfigError(str(exc)) from None
    async with _session(args) as (providers, actions):
        provider, connection = await resolve_connection(providers, args.connection)
        reason = actions.unavailable_reason("schedule", provider.name)
        if reason is not None:
            raise ConfigError(f"cannot change the schedule of {connection.name}: {reason}")
        target = Target.of(connection)
        actions.ensure_writable([target], "schedule")
        question = f"change the schedule from {connection.schedule.describe()} to {change.describe()}" + (
            f" (cron {change.cron})" if change.cron else ""
        )
        confirm(question, [_label(connection)], yes=args.yes)
        entry = await actions.set_schedule([target], change)
    return report(entry, as_json=args.json)


async def cmd_undo(args: argparse.Namespace) -> int:
    async with _session(args) as (_, actions):
        entry = actions.journal.get(args.id) if args.id is not None else actions.journal.last_reversible()
        if entry is None:
            raise ConfigError(
                "nothing to undo" if args.id is None else f"no action #{args.id} in the journal",
                hint="see `airsync history`",
            )
        names = [f"{t.name} ({t.provider}:{t.connection_id}): {undo_label(t.undo)}" for t in entry.reversible_targets]
        confirm(
            f"undo #{entry.id} ({entry.summary}, {entry.at:%Y-%m-%d %H:%M} UTC)",
            names,
            yes=args.yes,
        )
        result = await actions.undo(entry.id)
    return report(result, as_json=args.json)


async def cmd_history(args: argparse.Namespace) -> int:
    conn = open_state()
    try:
        entries = Journal(conn).entries(limit=max(1, args.limit))
    finally:
        conn.close()
    if args.json:
        print(json.dumps([e.to_json() for e in entries], indent=2))
        return EXIT_OK
    if not entries:
        print("the action journal is empty")
        return EXIT_OK
    rows = []
    for e in entries:
        c = e.counts()
        state = f"undone by #{e.undone_by}" if e.undone_by else ("reversible" if e.reversible else "")
        rows.append(
            [
                str(e.id),
                f"{e.at:%Y-%m-%d %H:%M:%S}",
                e.profile,
                ",".join(e.providers),
                e.summary,
                f"{c['succeeded']} ok / {c['failed']} failed / {c['skipped']} skipped",
                state,
            ]
        )
    print_table(rows, ["ID", "WHEN (UTC)", "PROFILE", "PROVIDER", "ACTION", "RESULT", "UNDO"])
    return EXIT_OK


__all__ = ["EXIT_USAGE", "confirm", "report"]
