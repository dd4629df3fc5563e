"""The state store: read-only views for readers, versions that bump only on a real change."""

from __future__ import annotations

from datetime import timedelta

import pytest

from airsync_tui.models.domain import Connection, JobDetail
from airsync_tui.models.recent import is_newer, job_age_key, newest, newest_first
from airsync_tui.service.events import ApiHealthChanged, HealthState
from airsync_tui.service.store import StateStore
from airsync_tui.service.watcher import Watcher
from tests.fakes import T0, FakeProvider


@pytest.fixture()
def provider() -> FakeProvider:
    return FakeProvider(connections=2)


def test_every_view_refuses_writes(provider: FakeProvider) -> None:
    store = StateStore(["airbyte"])
    job = provider.add_job("c0")
    store.put_job(job)
    store.put_connection(provider.connections[0])
    views = [store.connections, store.jobs, store.latest_job, store.details, store.health, store.loaded, store.rates, store.follow_failures]
    for view in views:
        with pytest.raises(TypeError):
            view["x"] = None  # type: ignore[index]  # the point: a Mapping view has no __setitem__
    with pytest.raises(TypeError):
        del store.jobs[job.key]  # type: ignore[attr-defined]  # the point: no __delitem__
    with pytest.raises(AttributeError):
        store.triggered.add("x")  # type: ignore[attr-defined]  # the point: a frozenset
    assert store.jobs[job.key] == job


def test_the_watchers_views_are_the_stores_and_refuse_writes(provider: FakeProvider) -> None:
    watcher = Watcher([provider])
    job = provider.add_job("c0")
    watcher.remember_job(job)
    assert watcher.jobs is watcher.store.jobs and watcher.jobs[job.key] == job
    with pytest.raises(TypeError):
        watcher.jobs[job.key] = job  # type: ignore[index]  # the old public dicts are gone
    with pytest.raises(TypeError):
        watcher.connections["airbyte:c0"] = provider.connections[0]  # type: ignore[index]


def test_versions_bump_only_on_a_real_change(provider: FakeProvider) -> None:
    store = StateStore(["airbyte"])
    job = provider.add_job("c0")
    start = dict(store.versions)
    assert store.put_job(job) is True
    assert store.version("jobs") == start["jobs"] + 1
    assert store.put_job(job.model_copy()) is False  # equal value: nothing changed
    assert store.version("jobs") == start["jobs"] + 1
    changed = job.model_copy(update={"records_synced": 5})
    assert store.put_job(changed) is True
    assert store.version("jobs") == start["jobs"] + 2
    assert store.drop_job("airbyte:nope") is None  # nothing to drop: no bump
    assert store.version("jobs") == start["jobs"] + 2
    assert store.drop_job(job.key) == changed
    assert store.version("jobs") == start["jobs"] + 3
    # Other collections did not move.
    others = {k: v for k, v in store.versions.items() if k != "jobs"}
    assert others == {k: v for k, v in start.items() if k != "jobs"}


def test_health_loaded_and_triggered_versions(provider: FakeProvider) -> None:
    store = StateStore(["airbyte"])
    assert store.health["airbyte"].state is HealthState.CONNECTING and store.loaded == {"airbyte": False}
    health = store.version("health")
    assert store.put_health(store.health["airbyte"]) is False  # the same event again: nothing changed
    assert store.version("health") == health
    assert store.put_health(ApiHealthChanged(provider="airbyte", state=HealthState.OK)) is True
    assert store.version("health") == health + 1
    loaded = store.version("loaded")
    assert store.set_loaded("airbyte") and not store.set_loaded("airbyte")
    assert store.version("loaded") == loaded + 1
    assert store.mark_triggered("airbyte:1") and not store.mark_triggered("airbyte:1")
    assert store.triggered == frozenset({"airbyte:1"}) and store.version("triggered") == 1


def test_details_connections_rates_and_failures(provider: FakeProvider) -> None:
    store = StateStore(["airbyte"])
    job = provider.add_job("c0")
    detail = JobDetail(job=job)
    assert store.put_detail(detail) and not store.put_detail(JobDetail(job=job))
    assert store.detail(job.key) == detail and store.version("details") == 1
    renamed = provider.connections[0].model_copy(update={"name": "Renamed"})
    assert store.put_connection(provider.connections[0]) and store.put_connection(renamed)
    assert not store.put_connection(renamed)
    assert store.connection_name("airbyte:c0", "?") == "Renamed" and store.connection_name("airbyte:zz", "?") == "?"
    assert store.version("connections") == 2
    store.add_rate_sample(job.key, T0, 10, None)
    store.add_rate_sample(job.key, T0 + timedelta(seconds=10), 20, None)
    window = store.rate_window(job.key)
    assert window is not None and len(window.samples) == 2
    rates = store.version("rates")
    assert store.drop_rate(job.key) is window and store.version("rates") == rates + 1
    assert store.note_follow_failure(job.key, RuntimeError("gone")) == 1
    assert store.note_follow_failure(job.key, RuntimeError("gone")) == 2
    store.clear_follow_failure(job.key)
    assert job.key not in store.follow_failures


def test_one_newest_first_ordering() -> None:
    made = FakeProvider(connections=0)
    a = made.add_job("c0")  # id 100, created T0+100s
    b = made.add_job("c0")  # id 101
    same_time = b.model_copy(update={"id": "99"})  # same created_at, smaller id
    undated = a.model_copy(update={"id": "500", "created_at": None})
    ordered = newest_first([undated, a, same_time, b])
    assert [j.id for j in ordered] == ["101", "99", "100", "500"]
    assert newest([a, b, undated]) == b and newest([]) is None
    assert is_newer(b, a) and not is_newer(a, b) and not is_newer(a, a)
    assert sorted([b, a], key=job_age_key) == [a, b]


def test_connection_fixture_shape() -> None:
    """The store keys connections by `provider:id`, as every reader looks them up."""
    store = StateStore(["airbyte"])
    store.put_connection(Connection(provider="airbyte", id="x", name="X"))
    assert list(store.connections) == ["airbyte:x"]


def test_latest_counts_follow_the_latest_jobs_version() -> None:
    provider = FakeProvider(connections=3)
    store = StateStore(["airbyte"])
    assert store.latest_counts() == (0, 0)
    running = provider.add_job("c0", "running")
    failed = provider.add_job("c1", "failed")
    store.put_latest(running)
    store.put_latest(failed)
    store.put_latest(provider.add_job("c2", "succeeded"))
    assert store.latest_counts() == (1, 1)
    store.put_latest(running.model_copy(update={"status": failed.status}))
    assert store.latest_counts() == (0, 2)
    store.drop_latest("airbyte:c1")
    assert store.latest_counts() == (0, 1)


def test_a_list_answer_without_a_start_keeps_the_start_the_detail_gave(provider: FakeProvider) -> None:
    """Airbyte's public job list has no start time; the list and the panel must show one duration."""
    watcher = Watcher([provider])
    job = provider.add_job("c0")
    started = job.model_copy(update={"started_at": (job.created_at or T0) + timedelta(seconds=7)})
    watcher.poller.observe(started, publish=False)
    from_list = started.model_copy(update={"started_at": None, "records_synced": 10})
    watcher.poller.observe(from_list, publish=False)
    kept = watcher.store.jobs[job.key]
    assert kept.started_at == started.started_at and kept.records_synced == 10
