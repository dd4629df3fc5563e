"""`airsync watch`: the watcher, headless, with alert rules, routes and metrics.

Runs until SIGINT/SIGTERM. Human-readable lines go to stderr; with `--json`,
one JSON object per watcher event and per alert transition goes to stdout
(for jq, vector, log shippers). Alerts pass through the persistent outbox in
the local-state SQLite file before any endpoint sees them (see
`service.rules.store` for the delivery guarantees).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from airsync_tui.cli.output import inert, job_json
from airsync_tui.errors import EXIT_OK, ConfigError
from airsync_tui.models.domain import Job
from airsync_tui.models.timeparse import utcnow
from airsync_tui.service import events as ev
from airsync_tui.service.rules.alerts import NOTIFIED, AlertChange, Transition, headline
from airsync_tui.service.rules.clock import ServerClock
from airsync_tui.service.rules.delivery import (
    Deliverer,
    Router,
    apprise_send,
    message,
    redact_url,
    valid_url,
)
from airsync_tui.service.rules.engine import RulesEngine
from airsync_tui.service.rules.settings import WatchSettings, parse_watch_settings
from airsync_tui.service.rules.store import AlertStore, OutboxRow
from airsync_tui.service.watcher import Watcher, WatcherConfig

#: Finished jobs the headless watcher keeps beyond each connection's latest. The
#: dashboard keeps 2,000 for its job panels; `airsync watch` has none, and its
#: rules keep their own small per-connection state (latest job, failure streak,
#: last 20 durations) and re-read histories from the API, so a long tail of
#: finished jobs would only grow RSS over a day (issue 10's soak: +11 %).
WATCH_RETAINED_JOBS = 100

#: Seconds given to the outbox at shutdown before unsent rows are left for the next start.
FLUSH_SECONDS = 10.0
JOB_EVENTS = (ev.JobCreated, ev.JobStatusChanged, ev.JobUpdated)


def _ts(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M:%S")


def event_json(event: ev.Event) -> dict[str, Any] | None:
    """One event as a JSON object (bulk events as counts; None for what a log shipper does not need)."""
    data: dict[str, Any] = {
        "type": "event",
        "event": type(event).__name__,
        "provider": event.provider,
        "at": event.at.isoformat(),
    }
    if isinstance(event, JOB_EVENTS):
        data["job"] = job_json(event.job)
        data["connectionKey"] = event.job.connection_key
        if isinstance(event, ev.JobStatusChanged):
            data["old"] = event.old.raw if event.old else None
            data["new"] = event.new.raw
    elif isinstance(event, ev.ConnectionsLoaded):
        data["connections"] = len(event.connections)
    elif isinstance(event, ev.ConnectionsChanged):
        data.update(
            added=len(event.added),
            changed=len(event.changed),
            removed=len(event.removed),
        )
    elif isinstance(event, ev.LatestJobs):
        data["jobs"] = len(event.jobs)
    elif isinstance(event, ev.ApiHealthChanged):
        data.update(
            state=event.state.value,
            message=inert(event.message),
            retryIn=event.retry_in,
        )
    elif isinstance(event, ev.ActionResult):
        data.update(action=event.action, ok=event.ok, message=inert(event.message))
    else:
        return None
    return data


class WatchOutput:
    """stderr lines for people, stdout JSON lines for machines."""

    def __init__(self, as_json: bool, out: TextIO | None = None, err: TextIO | None = None) -> None:
        # Resolved at call time: the CLI's safe (sanitising) streams are installed after import.
        self.as_json = as_json
        self.out = out if out is not None else sys.stdout
        self.err = err if err is not None else sys.stderr
        #: Where names come from (`run_watch` sets it): the lines say "Airbyte" and the connection's name,
        #: as the dashboard and the other commands do, not "airbyte" and an id.
        self.watcher: Watcher | None = None

    def _provider_name(self, name: str) -> str:
        provider = self.watcher.providers.get(name) if self.watcher is not None else None
        return provider.display_name if provider is not None else name

    def _job_line(self, job: Job, status: str) -> str:
        watcher = self.watcher
        provider = watcher.providers.get(job.provider) if watcher is not None else None
        connection = watcher.store.connections.get(job.connection_key) if watcher is not None else None
        noun = provider.capabilities.job_noun if provider is not None else "job"
        who = connection.name if connection is not None else job.connection_id
        return f"{who} ({provider.display_name if provider is not None else job.provider}): {noun} {job.id} {status}"

    def say(self, text: str) -> None:
        print(f"{_ts(utcnow())} {inert(text)}", file=self.err, flush=True)

    def json(self, data: dict[str, Any]) -> None:
        if self.as_json:
            print(json.dumps(data, default=str), file=self.out, flush=True)

    def event(self, event: ev.Event) -> None:
        if isinstance(event, ev.JobStatusChanged) and event.new.is_terminal:
            self.say(self._job_line(event.job, event.new.raw))
        elif isinstance(event, ev.ApiHealthChanged) and event.state is not ev.HealthState.CONNECTING:
            self.say(f"{self._provider_name(event.provider)} API: {event.state.value}" + (f" ({event.message})" if event.message else ""))
        if self.as_json:
            data = event_json(event)
            if data is not None:
                self.json(data)

    def alert(self, change: AlertChange) -> None:
        if change.transition in NOTIFIED:
            self.say(headline(change))
        self.json(
            {
                "type": "alert",
                "transition": change.transition.value,
                "at": change.at.isoformat(),
                **change.alert.to_json(),
            }
        )

    def delivery(self, row: OutboxRow, ok: bool, error: str) -> None:
        if ok:
            self.say(f"notify {row.target_label}: delivered {row.transition} {row.alert_id}")
        else:
            self.say(f"notify {row.target_label}: failed ({error}); will retry")
        self.json(
            {
                "type": "delivery",
                "ok": ok,
                "target": row.target_label,
                "alertId": row.alert_id,
                "transition": row.transition,
                "attempt": row.attempts + 1,
                "error": error or None,
            }
        )


def _settings(profile: Any) -> WatchSettings:
    return parse_watch_settings(getattr(profile, "watch", None), f"[profiles.{profile.name}.watch]")


def _check_urls(urls: list[str]) -> None:
    for url in urls:
        if not valid_url(url):
            raise ConfigError(
                f"--notify {redact_url(url)}: not an Apprise URL Apprise can use",
                hint="see https://github.com/caronc/apprise/wiki for URL formats (e.g. slack://, json://)",
            )


async def test_notify(router: Router, out: WatchOutput) -> int:
    if not router.urls:
        raise ConfigError(
            "no route to test",
            hint="add --notify URL or [[profiles.NAME.watch.routes]] to the config",
        )
    failures = 0
    for url in router.urls.values():
        ok, error = await apprise_send(
            url,
            "airsync test notification",
            "This is a test from `airsync watch --test-notify`: this route works.",
            "info",
        )
        failures += 0 if ok else 1
        print(
            f"{redact_url(url)}: {'ok' if ok else 'FAILED: ' + (error or 'refused')}",
            file=out.err,
            flush=True,
        )
        out.json(
            {
                "type": "test",
                "target": redact_url(url),
                "ok": ok,
                "error": error or None,
            }
        )
    return EXIT_OK if failures == 0 else 1


async def cmd_watch(args: argparse.Namespace) -> int:
    from airsync_tui.service.local_state import open_state
    from airsync_tui.service.metrics import (
        AirsyncCollector,
        build_registry,
        parse_listen,
        serve_metrics,
    )
    from airsync_tui.service.session import build_watcher

    out = WatchOutput(bool(args.json))
    demo = None
    if getattr(args, "demo", False):
        from airsync_tui.cli.demo import start_demo, take_prestarted

        demo = take_prestarted() or start_demo()
        profile = demo.profile
    else:
        from airsync_tui.cli.commands import load_cli_profile

        profile = load_cli_profile(args)
    try:
        settings = _settings(profile)
        _check_urls(list(args.notify))
        for route in settings.routes:
            _check_urls(list(route.urls))
        router = Router(settings, list(args.notify))
        if args.test_notify:
            return await test_notify(router, out)
        listen = None
        if args.metrics:
            try:
                listen = parse_listen(args.metrics)
            except ValueError as exc:
                raise ConfigError(str(exc), hint="e.g. --metrics 9464 or --metrics 0.0.0.0:9464") from None
        watcher = build_watcher(
            profile,
            read_only=True,
            only=getattr(args, "provider", None),
            config=WatcherConfig(retained_finished_jobs=WATCH_RETAINED_JOBS),
        )
        return await run_watch(
            watcher,
            settings,
            router,
            out,
            state=args.state,
            listen=listen,
            open_state=open_state,
            collector=AirsyncCollector,
            build_registry=build_registry,
            serve_metrics=serve_metrics,
        )
    finally:
        if demo is not None:
            demo.stop()


async def run_watch(
    watcher: Watcher,
    settings: WatchSettings,
    router: Router,
    out: WatchOutput,
    *,
    state: str | None,
    listen: tuple[str, int] | None,
    open_state: Any,
    collector: Any,
    build_registry: Any,
    serve_metrics: Any,
) -> int:
    conn = open_state(Path(state) if state else None)
    store = AlertStore(conn)

    async def history(key: str) -> list[Any]:
        provider = watcher.provider_for_key(key)
        return list(await provider.list_jobs(key.split(":", 1)[1], limit=30))

    def link(job: Any, attempt: int | None) -> str | None:
        return watcher.provider(job.provider).job_url(job, attempt)

    async def failure_detail(job: Any) -> str | None:
        detail = await watcher.provider(job.provider).get_job_detail(job.id)
        for attempt in reversed(detail.attempts):
            if attempt.failure_summary:
                return attempt.failure_summary
        return None

    clock = ServerClock()
    engine = RulesEngine(
        settings,
        clock=clock,
        history=history,
        job_link=link,
        initial_alerts=store.open_alerts(),
        failure_detail=failure_detail,
    )
    deliverer = Deliverer(store, router, on_result=out.delivery)

    def on_alert(change: AlertChange) -> None:
        connection = engine.connections.get(change.alert.connection_key or "")
        title, text = message(change)
        targets = router.targets(change, connection) if change.transition in NOTIFIED else []
        store.record(change, targets, title, text)
        out.alert(change)
        if targets:
            deliverer.wake.set()

    engine.add_listener(on_alert)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    server = None
    if listen is not None:
        registry = build_registry(collector(watcher, engine, deliverer))
        try:
            server = await serve_metrics(registry, *listen)
        except OSError as exc:
            raise ConfigError(f"--metrics {listen[0]}:{listen[1]}: cannot listen ({exc.strerror or exc})") from None
        port = server.sockets[0].getsockname()[1]
        out.say(f"metrics on http://{listen[0]}:{port}/metrics")
        out.json({"type": "metrics", "url": f"http://{listen[0]}:{port}/metrics"})
    routes = router.labels()
    out.watcher = watcher
    out.say(
        f"watching {', '.join(p.display_name for p in watcher.providers.values())}; {len(routes)} notification target(s)"
        + (": " + ", ".join(routes) if routes else "")
        + f"; {store.pending_count()} queued from before"
    )
    subscription = watcher.subscribe()

    async def consume() -> None:
        last = 0.0
        while True:
            event = await subscription.get(timeout=1.0)
            if event is not None:
                out.event(event)
                engine.handle(clock.stamp(event))
            if engine.has_pending or loop.time() - last >= 1.0:
                last = loop.time()
                await engine.evaluate()

    await watcher.start()
    tasks = [
        asyncio.create_task(consume(), name="rules"),
        asyncio.create_task(deliverer.run(), name="outbox"),
    ]
    try:
        await stop.wait()
        out.say("stopping: flushing the outbox")
    finally:
        for task in tasks:
            # Re-cancel until done: on Python 3.11 `wait_for` can swallow a cancellation.
            while not task.done():
                task.cancel()
                await asyncio.wait([task], timeout=0.2)
            with contextlib.suppress(asyncio.CancelledError, Exception):
                task.result()
        await watcher.aclose()
        pending = await deliverer.flush(FLUSH_SECONDS)
        if server is not None:
            server.close()
        subscription.close()
        conn.close()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
    out.say(f"stopped; {pending} notification(s) left in the outbox for the next start" if pending else "stopped")
    return EXIT_OK


__all__ = ["Transition", "cmd_watch", "event_json"]
