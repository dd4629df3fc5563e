"""Trigger and cancel go through one actions service, for the UI and the CLI alike."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
from collections.abc import AsyncIterator

import pytest

from airsync_tui.cli import commands
from airsync_tui.errors import ConflictError, UnsupportedError
from airsync_tui.models.domain import Job
from airsync_tui.service.events import ActionResult
from airsync_tui.service.job_actions import JobActions
from airsync_tui.service.watcher import Watcher
from tests.fakes import FakeProvider


def _use_providers(monkeypatch: pytest.MonkeyPatch, providers: list[FakeProvider]) -> None:
    @contextlib.asynccontextmanager
    async def fake_open(args: argparse.Namespace) -> AsyncIterator[list[FakeProvider]]:
        yield providers

    monkeypatch.setattr(commands, "open_providers", fake_open)


def _spy_cancel(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Job]]:
    seen: list[tuple[str, Job]] = []
    real = JobActions.cancel

    async def spy(self: JobActions, job_key: str) -> Job:
        job = await real(self, job_key)
        seen.append((job_key, job))
        return job

    monkeypatch.setattr(JobActions, "cancel", spy)
    return seen


async def test_cli_cancel_goes_through_the_actions_service(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    provider = FakeProvider(connections=1)
    job = provider.add_job("c0", "running")
    _use_providers(monkeypatch, [provider])
    seen = _spy_cancel(monkeypatch)
    code = await commands.cmd_cancel(argparse.Namespace(job=job.id, json=True))
    assert code == 0
    assert [key for key, _ in seen] == [job.key]
    assert provider.calls.count("cancel") == 1  # sent once
    printed = json.loads(capsys.readouterr().out)
    assert str(printed["jobId"]) == job.id
    assert printed["finalStatus"] == "cancelled"


async def test_cli_cancel_failure_is_sent_once_and_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    provider = FakeProvider(connections=1)
    job = provider.add_job("c0", "succeeded")
    _use_providers(monkeypatch, [provider])
    with pytest.raises(ConflictError, match="not currently running"):
        await commands.cmd_cancel(argparse.Namespace(job=job.id, json=False))
    assert provider.calls.count("cancel") == 1


async def test_cli_cancel_refuses_when_no_provider_can(monkeypatch: pytest.MonkeyPatch) -> None:
    provider = FakeProvider(connections=1)
    provider.capabilities = dataclasses.replace(provider.capabilities, can_cancel=False, cancel_unavailable_reason="not on this API")
    job = provider.add_job("c0", "running")
    _use_providers(monkeypatch, [provider])
    with pytest.raises(UnsupportedError, match="Airbyte: not on this API"):
        await commands.cmd_cancel(argparse.Namespace(job=job.id, json=False))
    assert "cancel" not in provider.calls


async def test_actions_store_the_result_and_publish_it() -> None:
    provider = FakeProvider(connections=1)
    watcher = Watcher([provider])
    sub = watcher.subscribe()
    result = await watcher.actions.trigger("airbyte:c0")
    assert result.job.key in watcher.store.triggered
    assert watcher.store.job(result.job.key) == result.job
    cancelled = await watcher.actions.cancel(result.job.key)
    assert watcher.store.job(cancelled.key) is not None and watcher.store.job(cancelled.key).status.raw == "cancelled"  # type: ignore[union-attr]
    events = []  # published before each action returned: already queued
    while (event := sub.get_nowait()) is not None:
        events.append(event)
    outcomes = [(e.action, e.ok, e.outcome) for e in events if isinstance(e, ActionResult)]
    assert outcomes == [("trigger", True, "started"), ("cancel", True, "requested")]
    assert provider.calls.count("trigger") == 1 and provider.calls.count("cancel") == 1
