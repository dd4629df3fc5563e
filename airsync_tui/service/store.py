"""The state store: what the service knows now, read-only for everyone else.

Screens and the CLI read the current connections, jobs, details, health and
rates from here; only the service (the poller and the job actions) writes, and
only through the typed `put_*` / `drop_*` methods below. Each collection is
exposed as a `types.MappingProxyType` view (assignment raises `TypeError`) and
carries a `version` that increases exactly when its content really changes, so
a screen can skip work by comparing one integer instead of diffing the data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Generic, TypeVar

from airsync_tui.models.domain import Connection, Job, JobDetail
from airsync_tui.models.rate import RateWindow
from airsync_tui.models.status import StatusCategory
from airsync_tui.service.events import ApiHealthChanged, HealthState

K = TypeVar("K")
V = TypeVar("V")


@dataclass(eq=False)
class VersionedMap(Generic[K, V]):
    """A dict the store writes and everyone else reads through `view`.

    `version` goes up by one on each write that changes the content (a put of
    an equal value, or a drop of a missing key, changes nothing and keeps it).
    """

    _data: dict[K, V] = field(default_factory=dict)
    version: int = 0

    def __post_init__(self) -> None:
        self.view: Mapping[K, V] = MappingProxyType(self._data)

    def put(self, key: K, value: V) -> bool:
        """Set `key`; True (and a new version) only when the value changed."""
        old = self._data.get(key, _MISSING)
        if old is value or (old is not _MISSING and old == value):
            return False
        self._data[key] = value
        self.version += 1
        return True

    def drop(self, key: K) -> V | None:
        """Remove `key`; the removed value (None when it was not there)."""
        if key not in self._data:
            return None
        self.version += 1
        return self._data.pop(key)

    def bump(self) -> None:
        """A value changed in place (a rate window got a sample)."""
        self.version += 1


_MISSING = object()


class StateStore:
    """Connections, jobs, latest job per connection, details, health, rates.

    Reads: the `Mapping` properties (read-only views) and the typed accessors.
    Writes: the methods under "writers", called by the poller and job actions.
    """

    def __init__(self, providers: Iterable[str]) -> None:
        names = list(providers)
        self._connections: VersionedMap[str, Connection] = VersionedMap()
        self._jobs: VersionedMap[str, Job] = VersionedMap()
        self._latest: VersionedMap[str, Job] = VersionedMap()
        self._details: VersionedMap[str, JobDetail] = VersionedMap()
        self._health: VersionedMap[str, ApiHealthChanged] = VersionedMap(
            {name: ApiHealthChanged(provider=name, state=HealthState.CONNECTING) for name in names}
        )
        self._loaded: VersionedMap[str, bool] = VersionedMap({name: False for name in names})
        self._rates: VersionedMap[str, RateWindow] = VersionedMap()
        self._failures: VersionedMap[str, tuple[BaseException, int]] = VersionedMap()
        self._triggered: VersionedMap[str, bool] = VersionedMap()
        self._latest_counts: tuple[int, int, int] = (-1, 0, 0)  # (latest_job version, running, failed)

    # ------------------------------------------------------------ read views
    @property
    def connections(self) -> Mapping[str, Connection]:
        """Connection key → connection, every provider."""
        return self._connections.view

    @property
    def jobs(self) -> Mapping[str, Job]:
        """Job key → the freshest view of each job kept in memory."""
        return self._jobs.view

    @property
    def latest_job(self) -> Mapping[str, Job]:
        """Connection key → its newest job (fills "last job" columns)."""
        return self._latest.view

    @property
    def details(self) -> Mapping[str, JobDetail]:
        """Job key → the last detail read (followed jobs only)."""
        return self._details.view

    @property
    def health(self) -> Mapping[str, ApiHealthChanged]:
        """Provider name → its current API health."""
        return self._health.view

    @property
    def loaded(self) -> Mapping[str, bool]:
        """Provider name → True once its first connection list and recent jobs arrived."""
        return self._loaded.view

    @property
    def rates(self) -> Mapping[str, RateWindow]:
        """Job key → the current-rate window of an active job."""
        return self._rates.view

    @property
    def follow_failures(self) -> Mapping[str, tuple[BaseException, int]]:
        """Followed job key → (last permanent error, consecutive count)."""
        return self._failures.view

    @property
    def triggered(self) -> frozenset[str]:
        """Job keys started (or attached to) from this process."""
        return frozenset(self._triggered.view)

    @property
    def versions(self) -> Mapping[str, int]:
        """Collection name → its version (bumps only on a real change)."""
        return {
            "connections": self._connections.version,
            "jobs": self._jobs.version,
            "latest_job": self._latest.version,
            "details": self._details.version,
            "health": self._health.version,
            "loaded": self._loaded.version,
            "rates": self._rates.version,
            "follow_failures": self._failures.version,
            "triggered": self._triggered.version,
        }

    def version(self, collection: str) -> int:
        """The version of one collection (see `versions`)."""
        return self.versions[collection]

    # -------------------------------------------------------- typed accessors
    def job(self, key: str) -> Job | None:
        return self._jobs.view.get(key)

    def connection(self, key: str) -> Connection | None:
        return self._connections.view.get(key)

    def detail(self, job_key: str) -> JobDetail | None:
        return self._details.view.get(job_key)

    def latest(self, connection_key: str) -> Job | None:
        return self._latest.view.get(connection_key)

    def rate_window(self, job_key: str) -> RateWindow | None:
        """The current-rate window of an active job (None when finished or never seen running)."""
        return self._rates.view.get(job_key)

    def active_jobs(self, provider: str | None = None) -> list[Job]:
        return [job for job in self._jobs.view.values() if job.status.is_active and (provider is None or job.provider == provider)]

    def latest_counts(self) -> tuple[int, int]:
        """(running, failed) over each connection's latest job; recounted only when `latest_job` changed.

        The header asks every second; with a thousand connections the version
        check replaces a full pass when nothing moved.
        """
        version, running, failed = self._latest_counts
        if version != self._latest.version:
            running = failed = 0
            for job in self._latest.view.values():
                category = job.status.category
                if category == StatusCategory.FAILED:
                    failed += 1
                elif not category.is_terminal:
                    running += 1
            self._latest_counts = (self._latest.version, running, failed)
        return running, failed

    def connection_name(self, key: str, default: str) -> str:
        connection = self._connections.view.get(key)
        return connection.name if connection is not None else default

    # --------------------------------------------------------------- writers
    def put_connection(self, connection: Connection) -> bool:
        return self._connections.put(connection.key, connection)

    def drop_connection(self, key: str) -> Connection | None:
        return self._connections.drop(key)

    def put_job(self, job: Job) -> bool:
        return self._jobs.put(job.key, job)

    def drop_job(self, key: str) -> Job | None:
        return self._jobs.drop(key)

    def put_latest(self, job: Job) -> bool:
        return self._latest.put(job.connection_key, job)

    def drop_latest(self, connection_key: str) -> Job | None:
        return self._latest.drop(connection_key)

    def put_detail(self, detail: JobDetail) -> bool:
        return self._details.put(detail.job.key, detail)

    def drop_detail(self, job_key: str) -> JobDetail | None:
        return self._details.drop(job_key)

    def put_health(self, event: ApiHealthChanged) -> bool:
        return self._health.put(event.provider, event)

    def set_loaded(self, provider: str, loaded: bool = True) -> bool:
        return self._loaded.put(provider, loaded)

    def mark_triggered(self, job_key: str) -> bool:
        return self._triggered.put(job_key, True)

    def new_rate_window(self, job_key: str) -> RateWindow:
        """Start a fresh rate window for a job (replacing any)."""
        window = RateWindow()
        self._rates.put(job_key, window)
        return window

    def put_rate_window(self, job_key: str, window: RateWindow) -> bool:
        return self._rates.put(job_key, window)

    def add_rate_sample(self, job_key: str, at: datetime, records: int | None, bytes_: int | None) -> None:
        """One observation into a job's window (created when missing)."""
        window = self._rates.view.get(job_key) or self.new_rate_window(job_key)
        window.add(at, records, bytes_)
        self._rates.bump()

    def drop_rate(self, job_key: str) -> RateWindow | None:
        return self._rates.drop(job_key)

    def note_follow_failure(self, job_key: str, error: BaseException) -> int:
        """Count one more consecutive permanent failure; the new count."""
        previous = self._failures.view.get(job_key)
        count = (previous[1] if previous else 0) + 1
        self._failures.put(job_key, (error, count))
        return count

    def clear_follow_failure(self, job_key: str) -> None:
        self._failures.drop(job_key)


__all__ = ["StateStore", "VersionedMap"]
