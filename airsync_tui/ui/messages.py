"""Textual messages of the dashboard.

The watcher's events are plain dataclasses shared with the CLI; the app drains
its subscription in batches and posts one `WatcherEvents` per batch, so a
burst of progress updates costs one UI pass (k9s flushes every 50 ms for the
same reason). Tests can observe these with `run_test(message_hook=...)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from airsync_tui.service.events import Event


@dataclass
class WatcherEvents(Message):
    """A batch of watcher events, oldest first."""

    events: list[Event]


@dataclass
class JobOpened(Message):
    """The job panel now shows this job (tests and the header use it)."""

    job_key: str | None
    connection_key: str
