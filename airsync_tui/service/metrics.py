"""Prometheus exposition of what the watcher and the rules engine know.

Read at scrape time from the watcher's state (no extra API calls, no series
left behind for a deleted connection). Cardinality is bounded: per-connection
series carry only provider, connection id and connection name (never a job
id), per-provider series only the provider.

Served from the watcher's own event loop (`serve_metrics`), so a scrape never
reads the state while a poll is half-way through updating it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from airsync_tui.models.timeparse import utcnow
from airsync_tui.service.events import HealthState
from airsync_tui.service.problems import ProblemKind

if TYPE_CHECKING:
    from airsync_tui.service.rules.delivery import Deliverer
    from airsync_tui.service.rules.engine import RulesEngine
    from airsync_tui.service.watcher import Watcher

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_CONN_LABELS = ["provider", "connection_id", "connection_name"]


class AirsyncCollector(Collector):
    """One scrape = one snapshot of watcher + engine + outbox."""

    def __init__(
        self,
        watcher: Watcher,
        engine: RulesEngine | None = None,
        deliverer: Deliverer | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.watcher = watcher
        self.engine = engine
        self.deliverer = deliverer
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        now = self.clock()
        watcher = self.watcher
        status = GaugeMetricFamily(
            "airsync_connection_last_job_status",
            "1 for the status of the connection's latest job",
            labels=[*_CONN_LABELS, "status"],
        )
        finished = GaugeMetricFamily(
            "airsync_connection_last_job_end_timestamp_seconds",
            "When the latest finished job ended",
            labels=_CONN_LABELS,
        )
        success = GaugeMetricFamily(
            "airsync_connection_last_success_timestamp_seconds",
            "When the last successful job ended (when known)",
            labels=_CONN_LABELS,
        )
        duration = GaugeMetricFamily(
            "airsync_connection_last_job_duration_seconds",
            "Duration (so far) of the latest job",
            labels=_CONN_LABELS,
        )
        records = GaugeMetricFamily(
            "airsync_connection_last_job_records",
            "Records of the latest job",
            labels=_CONN_LABELS,
        )
        bytes_ = GaugeMetricFamily(
            "airsync_connection_last_job_bytes",
            "Bytes of the latest job",
            labels=_CONN_LABELS,
        )
        running = GaugeMetricFamily("airsync_connection_running_jobs", "Jobs running now", labels=_CONN_LABELS)
        streak = GaugeMetricFamily(
            "airsync_connection_consecutive_failures",
            "Failed jobs since the last success (known to the watcher)",
            labels=_CONN_LABELS,
        )
        alerts = GaugeMetricFamily(
            "airsync_connection_active_alerts",
            "Open alerts by rule",
            labels=[*_CONN_LABELS, "rule"],
        )
        active_by_conn: dict[str, int] = {}
        for active in watcher.active_jobs():
            active_by_conn[active.connection_key] = active_by_conn.get(active.connection_key, 0) + 1
        open_alerts = self.engine.open_alerts() if self.engine else []
        for key, connection in list(watcher.store.connections.items()):
            labels = [connection.provider, connection.id, connection.name]
            running.add_metric(labels, active_by_conn.get(key, 0))
            job = watcher.store.latest_job.get(key)
            if job is not None:
                status.add_metric([*labels, job.status.category.value], 1)
                elapsed = job.elapsed(now)
                if elapsed is not None:
                    duration.add_metric(labels, elapsed.total_seconds())
                if job.records_synced is not None:
                    records.add_metric(labels, job.records_synced)
                if job.bytes_synced is not None:
                    bytes_.add_metric(labels, job.bytes_synced)
                if job.status.is_terminal and (job.ended_at or job.updated_at):
                    finished.add_metric(labels, (job.ended_at or job.updated_at or now).timestamp())
            if self.engine is not None:
                last = self.engine.last_success(key)
                if last is not None:
                    success.add_metric(labels, last.timestamp())
                streak.add_metric(labels, self.engine.failure_streak(key))
            by_rule = {kind: 0 for kind in ProblemKind if kind is not ProblemKind.API_UNHEALTHY}
            for alert in open_alerts:
                if alert.connection_key == key and alert.rule in by_rule:
                    by_rule[alert.rule] += 1
            for kind, value in by_rule.items():
                alerts.add_metric([*labels, kind.value], value)
        yield from (
            status,
            finished,
            success,
            duration,
            records,
            bytes_,
            running,
            streak,
            alerts,
        )

        up = GaugeMetricFamily(
            "airsync_provider_api_up",
            "1 while the provider's API answers normally",
            labels=["provider"],
        )
        requests = CounterMetricFamily("airsync_provider_api_requests", "HTTP requests sent", labels=["provider"])
        retries = CounterMetricFamily("airsync_provider_api_retries", "HTTP requests retried", labels=["provider"])
        errors = CounterMetricFamily(
            "airsync_provider_api_errors",
            "Times the API turned unhealthy (unreachable, auth, errors)",
            labels=["provider"],
        )
        connections = GaugeMetricFamily("airsync_provider_connections", "Connections watched", labels=["provider"])
        for name, provider in watcher.providers.items():
            health = watcher.store.health.get(name)
            up.add_metric(
                [name],
                1 if health is not None and health.state is HealthState.OK else 0,
            )
            requests.add_metric([name], provider.stats.requests)
            retries.add_metric([name], provider.stats.retries)
            errors.add_metric([name], self.engine.api_errors.get(name, 0) if self.engine else 0)
            connections.add_metric(
                [name],
                sum(1 for c in list(watcher.store.connections.values()) if c.provider == name),
            )
        yield from (up, requests, retries, errors, connections)

        by_severity = GaugeMetricFamily("airsync_alerts_open", "Open alerts by severity", labels=["severity"])
        for severity in ("critical", "warning"):
            by_severity.add_metric([severity], sum(1 for a in open_alerts if a.severity.value == severity))
        yield by_severity
        if self.deliverer is not None:
            yield CounterMetricFamily(
                "airsync_notifications_delivered",
                "Notifications an endpoint accepted",
                value=self.deliverer.delivered,
            )
            yield CounterMetricFamily(
                "airsync_notifications_failed",
                "Delivery attempts that failed (retried later)",
                value=self.deliverer.failed,
            )
            yield GaugeMetricFamily(
                "airsync_outbox_pending",
                "Notifications waiting in the outbox",
                value=self.deliverer.store.pending_count(),
            )


def build_registry(collector: AirsyncCollector) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return registry


def parse_listen(text: str) -> tuple[str, int]:
    """`PORT` or `HOST:PORT` (default host 127.0.0.1); ValueError with a one-line reason."""
    host, _, port = text.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"--metrics expects [HOST:]PORT, got {text!r}")
    return host, int(port)


async def serve_metrics(registry: CollectorRegistry, host: str, port: int) -> asyncio.Server:
    """A minimal HTTP/1.1 server on the running loop: `GET /metrics` (anything else: 404)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
            line = request.split(b"\r\n", 1)[0].decode("latin-1").split()
            path = line[1].split("?", 1)[0] if len(line) >= 2 else ""
            if len(line) >= 2 and line[0] in ("GET", "HEAD") and path in ("/metrics", "/"):
                payload = generate_latest(registry)
                head = f"HTTP/1.1 200 OK\r\nContent-Type: {CONTENT_TYPE}\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
                writer.write(head.encode() + (payload if line[0] == "GET" else b""))
            else:
                writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(handle, host, port)
