"""The headless commands. Each returns the process exit code."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from airsync_tui.cli.output import WaitPrinter, connection_json, inert, job_json, print_table
from airsync_tui.cli.resolve import resolve_connection, resolve_job
from airsync_tui.cli.terminal import health_note
from airsync_tui.errors import EXIT_JOB_FAILED, EXIT_OK, EXIT_TIMEOUT, AirsyncError, ConfigError
from airsync_tui.models.domain import Job
from airsync_tui.models.jobview import records_label, records_total
from airsync_tui.models.recent import newest_first
from airsync_tui.providers.base import SyncProvider
from airsync_tui.service.clock import ShownClock
from airsync_tui.service.events import ApiHealthChanged, AttemptEnded, Event, LogLinesAdded
from airsync_tui.service.job_actions import cancel_capable
from airsync_tui.service.session import providers_for
from airsync_tui.service.sync_runner import trigger_and_wait
from airsync_tui.service.watcher import Watcher, WatcherConfig
from airsync_tui.textfmt import age, count, counted, duration, synced_rows

if TYPE_CHECKING:  # config is imported lazily, where a command needs it
    from airsync_tui.config import Profile

EXIT_INTERRUPTED = 130


def load_cli_profile(args: argparse.Namespace) -> Profile:
    """Profile from flags > env > config file, as every command resolves it."""
    from airsync_tui.config import known_overrides, load_profile

    overrides: dict[str, Any] = {}
    for key in known_overrides() - {"profile", "read_only"}:  # each provider's flags (ProviderSpec fields)
        if getattr(args, key, None):
            overrides[key] = getattr(args, key)
    if getattr(args, "read_only", False):
        overrides["read_only"] = True
    return load_profile(getattr(args, "profile", None), overrides=overrides)


@contextlib.asynccontextmanager
async def open_providers(args: argparse.Namespace) -> AsyncIterator[list[SyncProvider]]:
    demo = None
    if getattr(args, "demo", False):
        # `--demo` works for every command, before or after it (README).
        from airsync_tui.cli.demo import start_demo, take_prestarted

        demo = take_prestarted() or start_demo()
        profile = demo.profile.model_copy(update={"read_only": bool(getattr(args, "read_only", False))})
    else:
        profile = load_cli_profile(args)
    try:
        providers = providers_for(profile, read_only=profile.read_only, only=getattr(args, "provider", None))
        try:
            yield providers
        finally:
            for provider in providers:
                with contextlib.suppress(Exception):
                    await provider.aclose()
    finally:
        if demo is not None:
            demo.stop()


async def cmd_connections(args: argparse.Namespace) -> int:
    async with open_providers(args) as providers:
        connections = []
        for provider in providers:
            connections.extend(await provider.list_connections())
    if args.json:
        print(json.dumps([connection_json(c) for c in connections], indent=2))
        return EXIT_OK
    multi = len({c.provider for c in connections}) > 1
    display = {p.name: p.display_name for p in providers}  # "Airbyte", as `jobs` and the dashboard say it
    headers = (["PROVIDER"] if multi else []) + ["ID", "NAME", "STATUS", "SCHEDULE"]
    rows = [
        ([display.get(c.provider, c.provider)] if multi else []) + [c.id, c.name, c.state_label, c.schedule.describe()] for c in connections
    ]
    print_table(rows, headers)
    return EXIT_OK


async def cmd_jobs(args: argparse.Namespace) -> int:
    names: dict[str, str] = {}
    async with open_providers(args) as providers:
        listed = list(providers)
        if args.connection:
            provider, connection = await resolve_connection(providers, args.connection)
            listed = [provider]
            names[connection.key] = connection.name
            jobs = await provider.list_jobs(connection.id, limit=args.limit)
        else:
            jobs = []
            for provider in providers:
                jobs.extend(await provider.recent_jobs(max_jobs=args.limit))
                # Names where known: one list call per provider, never one per job.
                with contextlib.suppress(AirsyncError):
                    names.update({c.key: c.name for c in await provider.list_connections()})
            jobs = newest_first(jobs)[: args.limit]
    clock = ShownClock()
    for job in jobs:
        for moment in (job.updated_at, job.ended_at, job.started_at, job.created_at):
            clock.observe_timestamp(moment)
    now = clock.now()
    if args.json:
        print(json.dumps([job_json(j, now=now, connection_name=names.get(j.connection_key)) for j in jobs], indent=2, default=str))
        return EXIT_OK
    display = {p.name: p.display_name for p in listed}
    multi = len(listed) > 1
    rows = [
        [
            *([display.get(j.provider, j.provider)] if multi else []),
            j.id,
            names.get(j.connection_key, j.connection_id),
            j.job_type,
            j.status.label,
            age(j.started_at, now) if j.started_at is not None else "not yet",  # STARTED: not when it was queued
            duration(j.elapsed(now)),
            synced_rows(records_total(j), j.records_planned, j.per_row_results),
        ]
        for j in jobs
    ]
    # Each provider's own words: a Hightouch run is one try (no "all attempts"), and is a "run".
    nouns = {p.capabilities.job_noun for p in listed}
    noun = nouns.pop().upper() if len(nouns) == 1 else "JOB"
    single_try = not any(p.capabilities.jobs_have_attempts for p in listed)
    committed = "COMMITTED" if single_try else "COMMITTED (ALL ATTEMPTS)"
    headers = [*(["PROVIDER"] if multi else []), noun, "CONNECTION", "TYPE", "STATUS", "STARTED", "DURATION", committed]
    print_table(rows, headers)
    return EXIT_OK


async def cmd_cancel(args: argparse.Namespace) -> int:
    async with open_providers(args) as providers:
        provider, job = await resolve_job(cancel_capable(providers), args.job)
        # The same actions service the dashboard's cancel goes through (sent once, never retried).
        watcher = Watcher([provider], WatcherConfig(watch_workspace=False))
        watcher.remember_job(job)
        cancelled = await watcher.cancel(job.key)
    if args.json:
        print(json.dumps(job_json(cancelled), indent=2, default=str))
    else:
        print(f"cancel requested for job {cancelled.id} (status now {cancelled.status.label}); it stops shortly")
    return EXIT_OK


async def cmd_logs(args: argparse.Namespace) -> int:
    if args.attempt is not None:
        # Attempts are numbered from 1 for users (screen, saved file names, this flag).
        if args.attempt < 1:
            raise ConfigError(
                f"--attempt {args.attempt}: attempts are numbered from 1",
                hint="use --attempt 1 for the first attempt, or omit it for the last",
            )
        args.attempt -= 1
    async with open_providers(args) as providers:
        provider, job = await resolve_job(providers, args.job)
        if args.attempt is not None:
            await _check_attempt(provider, job, args.attempt)
        if getattr(args, "errors", False) or getattr(args, "tail", None) is not None:
            from airsync_tui.service.log_report import print_log_errors, print_log_tail

            if args.errors:
                return await print_log_errors(provider, job, attempt_number=args.attempt, out=sys.stdout)
            if args.tail < 0:
                raise ConfigError("--tail must be a number of lines >= 0")
            return await print_log_tail(provider, job, attempt_number=args.attempt, lines=args.tail, out=sys.stdout)
        if not args.follow:
            from airsync_tui.service.log_feed import print_attempt_log

            try:
                return await print_attempt_log(provider, job, attempt_number=args.attempt, out=sys.stdout)
            except BrokenPipeError:  # `airsync logs JOB | head`: the reader has all it wanted
                from airsync_tui.cli.terminal import reader_gone

                reader_gone(sys.stdout)
                return EXIT_OK
        trail = float(getattr(args, "trail", 5.0))
        if not trail >= 0:  # also rejects NaN
            raise ConfigError("--trail must be a number of seconds >= 0")
        return await _follow_logs(provider, job, args.attempt, trail=trail)


async def _check_attempt(provider: SyncProvider, job: Job, attempt: int) -> None:
    """`--attempt N` names an attempt the job has, in the user's numbering (from 1).

    Why: asking for attempt 9 of a two-attempt job answered "Airbyte resource 4071/8 not found",
    the server's 0-based number and a hint about credentials, for a plain typo.
    """
    detail = await provider.get_job_detail(job.id)
    numbers = [a.number for a in detail.attempts]
    if attempt in numbers:
        return
    noun = provider.capabilities.job_noun
    if not numbers:
        raise ConfigError(
            f"--attempt {attempt + 1}: {noun} {job.id} has no attempt yet ({job.status.label})",
            hint="omit --attempt, with --follow, to wait for the first one",
        )
    raise ConfigError(
        f"--attempt {attempt + 1}: {noun} {job.id} has {counted(len(numbers), 'attempt')}",
        hint=f"use --attempt 1 to {len(numbers)}, or omit it for the last" if len(numbers) > 1 else "use --attempt 1, or omit it",
    )


async def _follow_logs(provider: SyncProvider, job: Job, attempt: int | None, *, trail: float = 5.0) -> int:
    """`logs --follow`: the watcher publishes the attempt's lines, then only new ones.

    `trail` is how long to keep reading after the attempt ends (logs arrive late).
    """
    if attempt is None:
        detail = await provider.get_job_detail(job.id)
        attempt = detail.attempts[-1].number if detail.attempts else 0
    watcher = Watcher([provider], WatcherConfig(watch_workspace=False, log_trailing_seconds=trail))
    watcher.remember_job(job)
    subscription = watcher.subscribe()
    await watcher.start()
    watcher.follow_logs(job.key, attempt)
    try:
        while not watcher.log_follow_done(job.key, attempt):
            event = await subscription.get(timeout=1.0)
            if isinstance(event, LogLinesAdded) and event.job_key == job.key:
                sys.stdout.write("".join(line + "\n" for line in event.lines))
                sys.stdout.flush()
    finally:
        subscription.close()
        await watcher.stop()
    return EXIT_OK


async def cmd_failures(args: argparse.Namespace) -> int:
    """`airsync failures`: what is broken now, grouped by cause (cli/triage_cmds.py)."""
    from airsync_tui.cli.triage_cmds import failures

    async with open_providers(args) as providers:
        return await failures(args, providers)


async def cmd_timeline(args: argparse.Namespace) -> int:
    """`airsync timeline CONNECTION`: what happened to one connection (cli/triage_cmds.py)."""
    from airsync_tui.cli.triage_cmds import timeline

    async with open_providers(args) as providers:
        return await timeline(args, providers)


async def cmd_pulse(args: argparse.Namespace) -> int:
    """`airsync pulse`: the last things that happened anywhere (cli/triage_cmds.py)."""
    from airsync_tui.cli.triage_cmds import pulse

    async with open_providers(args) as providers:
        return await pulse(args, providers)


async def cmd_config(args: argparse.Namespace) -> int:
    from airsync_tui import config

    path = config.default_config_path()
    if args.what == "path":
        print(path)
        return EXIT_OK
    print(f"config file: {path}{'' if path.exists() else ' (not created yet)'}")
    profile = load_cli_profile(args)
    for line in config.describe_sources(profile):
        print(f"  {line}")
    return EXIT_OK


async def cmd_sync(args: argparse.Namespace) -> int:
    if args.timeout is not None and args.timeout <= 0:
        raise ConfigError("--timeout must be a positive number of seconds")
    async with open_providers(args) as providers:
        provider, connection = await resolve_connection(providers, args.connection)
        option = provider.capabilities.job_type(args.job_type)
        if option is None:
            choices = ", ".join(o.id for o in provider.capabilities.job_types if o.available)
            raise ConfigError(f"unknown job type {args.job_type!r} for {provider.display_name}", hint=f"use one of: {choices}")
        watcher = Watcher([provider], WatcherConfig(watch_workspace=False))
        watcher.remember_connection(connection)
        err_stream = sys.stderr if args.json else sys.stdout
        # A provider whose jobs are one try (a Hightouch run): no "attempt 1 failed" notes, its summary says it.
        single_try = not provider.capabilities.jobs_have_attempts
        noun = provider.capabilities.job_noun
        printer = WaitPrinter(err_stream, live=err_stream.isatty(), clock=watcher.clock.now, rate_window=watcher.rate_window, noun=noun)

        def on_started(job: Job, attached: bool) -> None:
            printer.started(job, attached, connection.name)

        said: set[str] = set()

        def on_event(event: Event, job: Job) -> None:
            if isinstance(event, ApiHealthChanged):
                line = health_note(event)
                key = f"{event.state}:{event.message}"
                if line and key not in said:  # each distinct trouble once
                    said.add(key)
                    printer.note(line)
                return
            if isinstance(event, AttemptEnded) and not event.attempt.status.category.is_success and not single_try:
                announced.add(event.attempt.number)
                printer.note(
                    f"attempt {event.attempt.number + 1} {event.attempt.status.label}: {event.failure_summary or 'no reason given'}"
                )
            printer.update(job)

        announced: set[int] = set()  # failed attempts already told (AttemptEnded)

        ticker = asyncio.create_task(_tick(printer, watcher)) if printer.live and args.wait else None
        try:
            outcome = await trigger_and_wait(
                watcher,
                connection.key,
                job_type=args.job_type,
                wait=args.wait,
                timeout=args.timeout,
                cancel_on_timeout=args.cancel_on_timeout,
                on_event=on_event,
                on_started=on_started,
            )
        finally:
            if ticker is not None:
                ticker.cancel()
            await watcher.stop()
    job = outcome.job
    if outcome.interrupted or outcome.timed_out:
        printer.finish(f"airsync: {outcome.message}")
    elif args.wait:
        # An attempt that failed and was retried between two polls (the job was first seen already
        # past it) raised no AttemptEnded: tell it from the final detail, before the summary.
        final = watcher.store.details.get(job.key)
        for attempt in final.attempts if final and not single_try else ():
            if attempt.status.is_terminal and not attempt.status.category.is_success and attempt.number not in announced:
                announced.add(attempt.number)
                printer.note(f"attempt {attempt.number + 1} {attempt.status.label}: {attempt.failure_summary or 'no reason given'}")
        summary = f"{noun} {job.id} {job.status.label}"
        if not job.per_row_results:
            summary += f": {synced_rows(None, job.records_planned, job.per_row_results)}"
        elif records_total(job) is not None:
            summary += f": {count(records_total(job))} records {records_label(jobs_have_attempts=provider.capabilities.jobs_have_attempts)}"
        if job.error and not job.status.category.is_success:
            summary += f" — {inert(job.error)}"
        elif not job.status.category.is_success:
            detail = watcher.store.details.get(job.key)
            reason = next((a.failure_summary for a in reversed(detail.attempts) if a.failure_summary), None) if detail else None
            if reason:
                summary += f" — {inert(reason)}" if single_try else f" — attempt failed: {inert(reason)}"
        printer.finish(summary)
    if args.json:
        print(
            json.dumps(
                job_json(
                    job, now=watcher.clock.now(), connection_name=connection.name, attached=outcome.attached, timedOut=outcome.timed_out
                ),
                indent=2,
                default=str,
            )
        )
    elif not args.wait:
        print(job.id)
    if outcome.interrupted:
        return EXIT_INTERRUPTED
    if outcome.timed_out:
        return EXIT_TIMEOUT
    if not args.wait:
        return EXIT_OK
    return EXIT_OK if job.status.category.is_success else EXIT_JOB_FAILED


async def _tick(printer: WaitPrinter, watcher: Watcher) -> None:
    """Keep the live line's elapsed time and spinner moving between polls."""
    while True:
        await asyncio.sleep(0.5)
        for job in watcher.store.jobs.values():
            if job.status.is_active:
                printer.update(job, force=True)


__all__ = ["cmd_cancel", "cmd_config", "cmd_connections", "cmd_jobs", "cmd_logs", "cmd_sync", "AirsyncError"]
