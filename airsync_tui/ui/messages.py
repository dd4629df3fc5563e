"""Textual messages of the dashboard.

The watcher's events are plain dataclasses shared with the CLI; the app's
consumer posts one `WatcherEvents` per burst and the app then applies every
event published so far, in order, in one UI pass, so a burst of progress
updates costs one pass (k9s flushes every 50 ms for the same reason). A screen
about to read the store can ask the app to catch up first (`catch_up_events`),
which applies the same pending events, in the same order, at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class WatcherEvents(Message):
    """Watcher events are waiting: the app applies every pending one when it handles this."""


@dataclass
class JobOpened(Message):
    """The job panel now shows this job (tests and the header use it)."""

    job_key: str | None
    connection_key: str
