"""The dashboard's first requests go out while its UI is still being imported.

Why: the first populated screen waits for two things in a row, the UI's
imports (Textual, Rich, our screens: a few hundred milliseconds of CPU) and
the first page of every provider (a token, then the list: round-trips that
mostly wait on the server). Run one after the other, the waits add up; the
network part, moreover, used to start only once the first frame's layout had
let go of the event loop. Here the watcher starts on the event loop first, and
the UI modules are imported on a worker thread meanwhile: a socket wait
releases the GIL, so the import runs while the server answers, and the events
queue on a subscription taken before the first request. When the app mounts,
the first page is usually already there and the first frame shows rows.

Nothing is requested twice: the app's own `watcher.start()` is a no-op once
started (`Poller.start` is idempotent), and the app reads the events from the
same subscription instead of taking a new one.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from airsync_tui.startup_trace import mark

if TYPE_CHECKING:
    from airsync_tui.service.subscription import Subscription
    from airsync_tui.service.watcher import Watcher


class RunsAsync(Protocol):
    """What is asked of the app here (a Textual `App`; only `ui` imports Textual)."""

    @property
    def run_async(self) -> Callable[..., Awaitable[Any]]: ...


AppT = TypeVar("AppT", bound=RunsAsync)

#: What the first screen needs, imported on the worker thread (the app imports the rest on demand).
UI_MODULES = ("airsync_tui.ui.app", "airsync_tui.ui.screens.connections")


def import_ui(modules: tuple[str, ...] = UI_MODULES) -> None:
    """Import the first screen's modules (run on a worker thread)."""
    for module in modules:
        importlib.import_module(module)
    mark("parent: ui imported")


async def run_app_while_polling(
    watcher: Watcher,
    make_app: Callable[[Subscription], AppT],
    *,
    before_run: Callable[[], None] | None = None,
    **run_options: Any,
) -> AppT:
    """Start `watcher`, import the UI on a thread meanwhile, then run the app `make_app` builds.

    `make_app` gets the subscription taken before the watcher's first request
    (so no event of the first page is lost) and may import the UI modules
    freely: they are loaded by then. `run_options` go to `App.run_async` (tests: headless,
    auto_pilot). Returns the app once it has exited; the watcher is stopped by then.
    """
    subscription = watcher.subscribe()
    try:
        await watcher.start()  # only schedules the poll loops: their first requests go out below
        mark("parent: watcher start")
        await asyncio.to_thread(import_ui)
        app = make_app(subscription)
        if before_run is not None:
            before_run()
        mark("parent: app.run")
        await app.run_async(**run_options)
        return app
    finally:
        subscription.close()
        await watcher.stop()  # idempotent: the app stops it on unmount too
