"""The provider contract, run against every registered provider and every test fake.

Each clause is one named test, parametrised by provider id, so a provider that
breaks the contract fails e.g. `test_statuses_classify_through_the_spec[hightouch]`.

Targets: each built-in spec built by its own factory from its demo hook's
settings, over the emulator on 127.0.0.1 (so the demo hooks are exercised
too); "relay", the third provider defined in tests/relay_provider.py, over its
Starlette app; and the in-memory fakes of tests/fakes.py and tests/ui/fakes.py,
checked against the spec whose name they borrow.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator
from airsync_tui.errors import ConflictError, NotFoundError, ReadOnlyError
from airsync_tui.providers import registry
from airsync_tui.providers.base import ActivityCursor, ActivityPoll, ProviderCapabilities, SyncProvider, TriggerResult
from airsync_tui.providers.spec import ProviderSpec
from tests import fakes as cli_fakes
from tests import relay_provider
from tests.asgi_server import serve
from tests.emulator_helpers import quiet_emulator
from tests.ui import fakes as ui_fakes

BUILTIN = tuple(spec.name for spec in registry.specs())
FAKES = ("fake", "ui-fake", "ui-fake-hightouch")
TARGETS = (*BUILTIN, "relay", *FAKES)


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    """Default credentials: the demo hooks' settings point at exactly this emulator."""
    yield from quiet_emulator(EmulatorOptions(speed=1.0, big_log_lines=200, seed=11))


@pytest.fixture(scope="module")
def relay_url() -> Iterator[str]:
    with serve(relay_provider.build_relay_app()) as base:
        yield base


@pytest.fixture(scope="module")
def relay_registered() -> Iterator[None]:
    undo = registry.register(relay_provider.SPEC)
    try:
        yield
    finally:
        undo()


def _from_spec(spec: ProviderSpec, values: dict[str, object], *, read_only: bool) -> SyncProvider:
    return spec.build(spec.settings_model.model_validate(values), read_only=read_only)


def _make(target: str, request: pytest.FixtureRequest, *, read_only: bool = False) -> SyncProvider:
    if target in BUILTIN:
        spec = registry.spec(target)
        assert spec is not None and spec.demo is not None, f"{target}: register a demo hook so the contract can run"
        emu: RunningEmulator = request.getfixturevalue("emu")
        return _from_spec(spec, dict(spec.demo.settings(emu.base_url)), read_only=read_only)
    if target == "relay":
        request.getfixturevalue("relay_registered")
        url: str = request.getfixturevalue("relay_url")
        return _from_spec(relay_provider.SPEC, {"api_url": url, "token": relay_provider.TOKEN}, read_only=read_only)
    if target == "fake":
        fake = cli_fakes.FakeProvider(3, read_only=read_only)
        for connection in fake.connections:
            fake.add_job(connection.id, "succeeded")
        return fake
    if target == "ui-fake":
        connections, jobs = ui_fakes.demo_world()
        return ui_fakes.FakeProvider(connections=connections, jobs=jobs, auto_advance=False, read_only=read_only)
    connections, jobs = ui_fakes.hightouch_world()
    return ui_fakes.FakeProvider(
        "hightouch", "Hightouch", connections=connections, jobs=jobs, capabilities=ui_fakes.hightouch_caps(), read_only=read_only
    )


@pytest.fixture(params=TARGETS)
async def provider(request: pytest.FixtureRequest) -> AsyncIterator[SyncProvider]:
    made = _make(request.param, request)
    try:
        yield made
    finally:
        await made.aclose()


@pytest.fixture(params=TARGETS)
async def read_only_provider(request: pytest.FixtureRequest) -> AsyncIterator[SyncProvider]:
    made = _make(request.param, request, read_only=True)
    try:
        yield made
    finally:
        await made.aclose()


def _spec_of(provider: SyncProvider) -> ProviderSpec:
    spec = registry.spec(provider.name)
    assert spec is not None, f"provider name {provider.name!r} is not a registered spec ({', '.join(registry.names())})"
    return spec


def test_every_builtin_spec_has_a_demo_hook() -> None:
    """Without one, a built-in provider could not be exercised here (nor by `airsync --demo`)."""
    assert [s.name for s in registry.specs() if s.demo is None] == []


async def test_identity_and_capabilities(provider: SyncProvider) -> None:
    spec = _spec_of(provider)
    assert isinstance(provider, SyncProvider)
    assert provider.display_name
    assert isinstance(provider.capabilities, ProviderCapabilities)
    assert provider.capabilities.job_type("sync") is not None, "every provider offers a plain sync"
    assert spec.name == provider.name


async def test_connections_carry_the_provider_name(provider: SyncProvider) -> None:
    connections = await provider.list_connections()
    assert connections, "a contract target must have connections"
    assert {c.provider for c in connections} == {provider.name}
    first = connections[0]
    again = await provider.get_connection(first.id)
    assert (again.provider, again.id, again.name) == (first.provider, first.id, first.name)


async def test_unknown_connection_is_not_found(provider: SyncProvider) -> None:
    with pytest.raises(NotFoundError):
        await provider.get_connection("99999999-no-such-connection")


async def test_statuses_classify_through_the_spec(provider: SyncProvider) -> None:
    """A job's status is its provider's word classified by that provider's own table."""
    spec = _spec_of(provider)
    jobs = await provider.recent_jobs(max_jobs=50)
    assert jobs, "a contract target must have jobs"
    for job in jobs:
        assert job.provider == provider.name
        assert spec.classify(job.status.raw) == job.status, f"job {job.id}: {job.status.raw!r} is not {spec.name}'s word"


async def test_recent_jobs_are_newest_first(provider: SyncProvider) -> None:
    jobs = [j for j in await provider.recent_jobs(max_jobs=50) if j.created_at is not None]
    created = [j.created_at for j in jobs]
    assert created == sorted(created, reverse=True)  # type: ignore[type-var]  # None filtered out above


async def test_poll_activity_returns_a_cursor(provider: SyncProvider) -> None:
    first = await provider.poll_activity(None, include_progress=True)
    assert isinstance(first, ActivityPoll) and isinstance(first.cursor, ActivityCursor)
    second = await provider.poll_activity(first.cursor, include_progress=False)
    assert all(job.provider == provider.name for job in (*first.jobs, *second.jobs))


async def test_read_only_refuses_to_trigger(read_only_provider: SyncProvider) -> None:
    connection = (await read_only_provider.list_connections())[0]
    with pytest.raises(ReadOnlyError):
        await read_only_provider.trigger(connection.id)


async def test_trigger_returns_a_job_that_get_job_finds(provider: SyncProvider) -> None:
    spec = _spec_of(provider)
    connections = await provider.list_connections()
    connection = next(c for c in connections if c.enabled)
    result = await provider.trigger(connection.id)
    assert isinstance(result, TriggerResult)
    assert (result.job.provider, result.job.connection_id) == (provider.name, connection.id)
    fetched = await provider.get_job(result.job.id)
    assert fetched.id == result.job.id and spec.classify(fetched.status.raw) == fetched.status
    if provider.capabilities.can_cancel and fetched.status.is_active:
        try:
            cancelled = await provider.cancel(fetched.id)
        except ConflictError:  # finished between the two calls: a valid answer to a late cancel
            return
        assert cancelled.id == fetched.id


async def test_attempt_log_matches_the_declared_format(provider: SyncProvider, request: pytest.FixtureRequest) -> None:
    spec = _spec_of(provider)
    target = request.node.callspec.params["provider"]
    if target in FAKES and spec.log_format != "text-lines":
        pytest.xfail(f"the {target} fake serves text lines under {spec.name}'s name (the log screen tests rely on it)")
    jobs = [j for j in await provider.recent_jobs(max_jobs=50) if j.status.is_terminal]
    assert jobs, "a contract target must have a finished job"
    log = await provider.fetch_attempt_log(jobs[0].id, 0)
    assert log.job_id == jobs[0].id
    if spec.log_format == "airbyte-attempt-json":
        assert log.raw_json is not None
    else:
        assert log.raw_json is None and (log.text_lines or log.notice)
