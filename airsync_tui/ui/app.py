"""The dashboard application: one watcher in, screens out.

The app owns the things every screen shares: the watcher subscription (drained
in batches by one worker and fanned out to screens as diffs), the 1-second
clock that keeps ages/elapsed fresh, the header state, the read-only guard,
and the server actions (trigger/cancel) with their confirmations and
notifications. Screens only render and ask the app to act, so the
"always confirm, never in read-only" rules live in exactly one place.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import App, SystemCommand
from textual.css.query import NoMatches
from textual.notifications import SeverityLevel
from textual.screen import Screen

import airsync_tui
from airsync_tui.errors import AirsyncError
from airsync_tui.models.domain import Connection, Job
from airsync_tui.models.status import StatusCategory
from airsync_tui.service.clock import ShownClock
from airsync_tui.service.events import (
    ActionResult,
    ApiHealthChanged,
    Event,
    HealthState,
    JobStatusChanged,
)
from airsync_tui.service.subscription import Subscription
from airsync_tui.service.watcher import Watcher
from airsync_tui.startup_trace import TRACE_PATH, mark
from airsync_tui.ui.bindings import bindings_for, specs_for
from airsync_tui.ui.commands import AirsyncCommands
from airsync_tui.ui.formatting import Palette, clean, plain
from airsync_tui.ui.heap import release_set_aside_heap, set_aside_loaded_heap
from airsync_tui.ui.messages import WatcherEvents
from airsync_tui.ui.screens.base import LiveScreen
from airsync_tui.ui.screens.modals import ConfirmModal, HelpScreen, JobTypeModal, ProfileModal
from airsync_tui.ui.themes import DEFAULT_THEME, THEMES, other_theme, palette_for
from airsync_tui.ui.triage_actions import TriageActions
from airsync_tui.ui.widgets.header import HeaderBar, HeaderState

READ_ONLY_REASON = "started with --read-only"
EVENT_FLUSH_SECONDS = 0.03  # coalesce bursts of watcher events into one UI pass
#: When the header asks for workspace names if no provider's list arrived by then.
WORKSPACE_NAMES_FALLBACK_SECONDS = 3.0


if TYPE_CHECKING:  # the rules package loads with the alerts engine, not at start
    from airsync_tui.service.rules.settings import WatchSettings


@dataclass(frozen=True)
class SessionInfo:
    """What the CLI tells the dashboard about the session it started."""

    profile_name: str = "default"
    read_only: bool = False
    demo: bool = False
    available_profiles: tuple[str, ...] = field(default_factory=tuple)
    workspace_label: str | None = None
    #: `[watch] desktop_notify`: desktop notification on new critical alerts (off by default).
    desktop_notify: bool = False
    #: The profile's `[watch]` rules (parsed `WatchSettings`), so the dashboard's alerts follow the same
    #: tuning and overrides as `airsync watch`; None = the defaults.
    watch_settings: WatchSettings | None = None


SwitchProfile = Callable[[str], Awaitable[Watcher]]


def _stylesheets() -> list[str | PurePath]:
    """The TCSS files: `styles/` shipped in the wheel, else the repo's top-level folder."""
    names = ("app.tcss", "fleet.tcss")
    try:
        from airsync_tui.ui.styles import stylesheet_path  # owned by the log-viewer work

        return [Path(stylesheet_path(name)) for name in names]
    except Exception:  # noqa: BLE001 - fall back to resolving ourselves
        packaged = Path(airsync_tui.__file__).parent / "styles"
        base = packaged if packaged.is_dir() else Path(airsync_tui.__file__).parent.parent / "styles"
        return [base / name for name in names]


def action_title(event: ActionResult) -> str:
    """A toast title that says what happened: a trigger on a running connection attached, it did not "start"."""
    if not event.ok:
        return f"{event.action} failed"
    return {
        "started": "started",
        "attached": "already running: attached",
        "requested": f"{event.action} requested",
    }.get(event.outcome, f"{event.action} sent")


def connection_list() -> Screen[Any]:
    """A new connection list: the base of each profile's screen stack (imported when first needed)."""
    from airsync_tui.ui.screens.connections import ConnectionsScreen

    return ConnectionsScreen()


class AirsyncApp(TriageActions, App[None]):
    """Terminal dashboard for Airbyte connections and Hightouch syncs."""

    TITLE = "airsync"
    CSS_PATH = _stylesheets()
    BINDINGS = bindings_for("app")
    COMMANDS = App.COMMANDS | {AirsyncCommands}
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        watcher: Watcher,
        session: SessionInfo | None = None,
        *,
        switch_profile: SwitchProfile | None = None,
        clock: Callable[[], datetime] | None = None,
        live_clock: bool = True,
        theme: str | None = None,
        subscription: Subscription | None = None,
        set_aside_heap: bool = False,
    ) -> None:
        """`subscription`: one the caller took before starting the watcher (cli/early_watch.py),
        so the events of a first page that arrived before the app existed are not lost.
        `set_aside_heap`: freeze the first full load's objects out of GC scans (ui/heap.py); for the one
        app of an `airsync` process, not for apps built and dropped many times in one process (tests)."""
        super().__init__()
        self.watcher = watcher
        self.session = session or SessionInfo()
        self.switch_profile = switch_profile
        self._fixed_clock = clock is not None
        if clock is not None:
            watcher.clock = ShownClock(wall=clock)  # an injected clock is the one clock, for the watcher too
        self.clock = clock or self._server_now
        self.live_clock = live_clock
        self.tick = 0  # advances every second; drives spinners and indeterminate bars
        self._initial_theme = theme or DEFAULT_THEME
        self._subscription = subscription if subscription is not None else watcher.subscribe()
        self._notified_terminal: set[tuple[str, str]] = set()
        self.last_action_message: str | None = None
        self._closing = False
        self._workspace_names_asked = False
        self._profile_switches = 0  # names each profile's screen stack (a Textual mode)
        self._pending_events: list[Event] = []  # taken off the subscription, not applied yet
        self._applying_events = False
        self._marks_after_frame: list[str] = []  # start-up trace only
        self._sets_aside_heap = set_aside_heap
        self._set_aside_pending = set_aside_heap  # the next full load is frozen once shown (ui/heap.py)
        from airsync_tui.ui.alerts_bridge import AlertsBridge

        self.alerts = AlertsBridge(self, self.session.watch_settings)
        self._start_with_theme(self._initial_theme)

    def _start_with_theme(self, name: str) -> None:
        """Make `name` the theme the stylesheet is first built with.

        Why not `self.theme = name` in `on_mount`: by then Textual has styled the
        app with its default theme, so the change re-parsed every stylesheet and
        re-rendered every row (theme-changed signal) before the first frame, for
        a theme that was known from the start. Here the reactive is set without
        its watcher, the stylesheet gets the theme's variables before any CSS is
        parsed, and the watcher's bookkeeping (app classes, ANSI filter) is done
        once; an unknown name is left to `on_mount`, which reports it as before.
        """
        for theme in THEMES:
            self.register_theme(theme)
        if name not in self.available_themes:
            return
        self.set_reactive(App.theme, name)
        self.stylesheet.set_variables(self.get_css_variables())  # nothing is parsed yet: no re-parse
        dark = self.current_theme.dark
        self.update_classes({f"-theme-{name}": True, "-dark-mode": dark, "-light-mode": not dark}, update=False)
        self._refresh_truecolor_filter(self.ansi_theme)  # Textual's own step of `_watch_theme` (8.x)

    # ------------------------------------------------------------ lifecycle
    def get_default_screen(self) -> Screen[Any]:
        """The connection list is the bottom of the first screen stack (not pushed in `on_mount`).

        Why: pushed from `on_mount`, the list was mounted while Textual still held
        its start-up batch, so its first frame (rows included: the first page is
        usually in the store by then) was rendered and thrown away, and the
        operator saw the list one more layout-and-render later (bench/startup_trace.py).
        As the default screen it is composed with the app. (Not through `MODES`:
        Textual restyles the whole app when a mode's first screen is built.)
        """
        return connection_list()

    def mark_after_next_frame(self, name: str) -> None:
        """Start-up trace only: record `name` once the next frame has gone to the terminal."""
        if TRACE_PATH is not None:
            self._marks_after_frame.append(name)

    def post_display_hook(self) -> None:
        """A frame went to the terminal (Textual's hook): the start-up trace's milestones."""
        if TRACE_PATH is not None:
            mark("parent: first frame")
            names, self._marks_after_frame = self._marks_after_frame, []
            for name in names:
                mark(name)

    def on_mount(self) -> None:
        mark("parent: app mounted")
        self.theme = self._initial_theme  # a no-op when `_start_with_theme` set it already
        self.theme_changed_signal.subscribe(self, self._on_theme_changed)
        self._consume_events()
        self._start_watcher()
        # Workspace names are a nicety for the header: asked for once the first rows are in
        # (or after a moment if they never come), so they do not queue before the list's requests.
        self.set_timer(WORKSPACE_NAMES_FALLBACK_SECONDS, self._learn_workspace_names_once)
        if self.live_clock:
            self.set_interval(1.0, self._on_clock_tick, name="airsync-clock")

    async def on_unmount(self) -> None:
        self._closing = True
        self._subscription.close()
        try:
            await self.watcher.stop()
        except Exception:  # noqa: BLE001 - shutting down; nothing to tell anyone
            pass

    def _learn_workspace_names_once(self) -> None:
        if not self._workspace_names_asked:
            self._workspace_names_asked = True
            self._learn_workspace_names()

    @work(exclusive=True, group="workspace-names", exit_on_error=False)
    async def _learn_workspace_names(self) -> None:
        """The header names workspaces; ids (UUIDs) are only a fallback until names arrive."""
        label = self.session.workspace_label
        if not label:
            return
        for provider in list(self.watcher.providers.values()):
            try:
                workspaces = await provider.list_workspaces()
            except Exception:  # noqa: BLE001 - a label is a nicety; the id stays
                continue
            for workspace in workspaces:
                if workspace.id and workspace.name and workspace.id in label:
                    label = label.replace(workspace.id, workspace.name)
        if label != self.session.workspace_label:
            self.session = replace(self.session, workspace_label=label)
            self.refresh_headers()

    @work(exclusive=True, group="watcher-start", exit_on_error=False)
    async def _start_watcher(self) -> None:
        mark("parent: watcher start")
        await self.watcher.start()

    @work(exclusive=True, group="watcher-events", exit_on_error=False)
    async def _consume_events(self) -> None:
        """Wait for the watcher's events and have them applied in bursts (one UI pass per burst).

        The events taken off the subscription wait in `_pending_events` (never in a
        local variable), so `catch_up_events` can apply them, in order, at any moment.
        """
        subscription = self._subscription
        while not subscription.closed:
            first = await subscription.get()
            if first is None:
                return
            mark(f"parent: event {type(first).__name__}")
            self._pending_events.append(first)
            if all(self.watcher.store.loaded.values()):
                await asyncio.sleep(EVENT_FLUSH_SECONDS)
            # else: until every provider's list is in, each event paints at once (the first rows first)
            self.post_message(WatcherEvents())

    def _server_now(self) -> datetime:
        """The watcher's one clock: server time, skew applied (the demo's virtual clock runs ahead)."""
        return self.watcher.clock.now()

    def on_watcher_events(self, _message: WatcherEvents) -> None:
        self.catch_up_events()

    def catch_up_events(self) -> None:
        """Apply every event the watcher has published so far, oldest first, now.

        Why: the poller writes the store as answers arrive, while the screens, the
        header and the alert rules follow the events. A screen that re-reads the
        store between the two (a resize re-laying out the list, a filter) would show
        rows the header's counts and the rules have not seen yet: one frame saying two
        things. Such a screen calls this first, so everything it reads agrees.
        Re-entrant calls (a screen applying these very events) do nothing.
        """
        if self._closing or self._applying_events:
            return
        batch, self._pending_events = self._pending_events, []
        while (event := self._subscription.get_nowait()) is not None:
            batch.append(event)
        if not batch:
            return
        self._applying_events = True
        try:
            self._apply_events(batch)
        finally:
            self._applying_events = False

    def _apply_events(self, events: list[Event]) -> None:
        self.alerts.handle(events)
        if any(self.watcher.store.loaded.values()):
            self._learn_workspace_names_once()
        if self._set_aside_pending and self.watcher.store.loaded and all(self.watcher.store.loaded.values()):
            self._set_aside_pending = False
            self.call_after_refresh(set_aside_loaded_heap)  # once the first full list is on screen (ui/heap.py)
        with self.batch_update():
            for event in events:
                self._handle_app_event(event)
            for screen in self._live_screens():
                with contextlib.suppress(NoMatches):  # a screen being torn down
                    screen.apply_events(events)
            self.refresh_headers()

    def _live_screens(self) -> list[LiveScreen]:
        return [screen for screen in self.screen_stack if isinstance(screen, LiveScreen) and screen.is_mounted]

    def _on_clock_tick(self) -> None:
        if self._closing:
            return
        self.tick += 1
        self.alerts.tick()
        with self.batch_update():
            for screen in self._live_screens():
                with contextlib.suppress(NoMatches):
                    screen.on_clock_tick()
            # Only a "retrying in N s" countdown makes the header time-dependent;
            # everything else in it changes with watcher events (refreshed there).
            if any(event.state == HealthState.RETRYING for event in self.watcher.store.health.values()):
                self.refresh_headers()

    # -------------------------------------------------------- app events
    def _handle_app_event(self, event: Event) -> None:
        if isinstance(event, ActionResult):
            self.last_action_message = clean(event.message)
            self.notify(
                clean(event.message),
                title=action_title(event),
                severity="information" if event.ok else "error",
                markup=False,
            )
        elif isinstance(event, JobStatusChanged):
            self._maybe_notify_terminal(event)
        elif isinstance(event, ApiHealthChanged):
            pass  # rendered by the header

    def _watched_job_keys(self) -> set[str]:
        keys: set[str] = set()
        for screen in self.screen_stack:
            key = getattr(screen, "job_key", None)
            if isinstance(key, str):
                keys.add(key)
        return keys

    def _maybe_notify_terminal(self, event: JobStatusChanged) -> None:
        job = event.job
        if not event.new.is_terminal:
            return
        if job.key not in self.watcher.store.triggered and job.key not in self._watched_job_keys():
            return
        marker = (job.key, event.new.raw)
        if marker in self._notified_terminal:
            return
        self._notified_terminal.add(marker)
        noun = self._job_noun(job.key)
        name = self.connection_name(job.connection_key)
        category = event.new.category
        severity: SeverityLevel = (
            "error"
            if category == StatusCategory.FAILED
            else "warning"
            if category in (StatusCategory.CANCELLED, StatusCategory.WARNING)
            else "information"
        )
        text = f"{name}: {noun} {job.id} {event.new.label}"
        if job.error and category == StatusCategory.FAILED:
            text += f" — {clean(job.error)[:200]}"
        self.notify(text, title=f"{noun} {event.new.label}", severity=severity, markup=False, timeout=8 if severity == "error" else 5)

    # ------------------------------------------------------------ header
    @property
    def palette(self) -> Palette:
        return palette_for(self.current_theme.dark)

    def header_state(self, title: str = "") -> HeaderState:
        watcher = self.watcher
        running, _ = watcher.store.latest_counts()
        failing = len(self.alerts.engine.failing())
        health = tuple(
            (watcher.providers[name].display_name, event) for name, event in watcher.store.health.items() if name in watcher.providers
        )
        return HeaderState(
            profile=self.session.profile_name,
            workspace=self.session.workspace_label,
            read_only=self.is_read_only,
            demo=self.session.demo,
            health=health,
            connections=len(watcher.store.connections),
            running=running,
            failed=failing,
            title=title,
            alerts=self.alerts.open_count,
        )

    def refresh_headers(self) -> None:
        if self._closing:
            return
        state = self.header_state()
        now = self.clock()
        palette = self.palette
        for screen in self.screen_stack:
            for header in screen.query(HeaderBar):
                header.show(state, palette, now)

    def refresh_alerts(self) -> None:
        """An alert opened or resolved: the header count and an open Alerts screen follow."""
        self.refresh_headers()
        for screen in self.screen_stack:
            if hasattr(screen, "render_alerts") and screen.is_mounted:
                screen.render_alerts()

    def action_show_alerts(self) -> None:
        from airsync_tui.ui.screens.alerts import AlertsScreen

        if not isinstance(self.screen, AlertsScreen):
            self.push_screen(AlertsScreen())

    def _on_theme_changed(self, _theme: object) -> None:
        """Re-render badge colours for the new background."""
        for screen in self.screen_stack:
            if isinstance(screen, LiveScreen):
                screen.on_theme_changed()
        self.refresh_headers()

    # --------------------------------------------------------- read-only
    @property
    def is_read_only(self) -> bool:
        if self.session.read_only:
            return True
        return any(getattr(p, "read_only", False) for p in self.watcher.providers.values())

    def refuse_if_read_only(self, verb: str) -> bool:
        """Tell the operator why nothing happens; True when refused."""
        if self.is_read_only:
            self.notify(f"read-only session: {verb} is disabled ({READ_ONLY_REASON})", title="read-only", severity="warning", markup=False)
            return True
        return False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "switch_profile":
            return bool(self.switch_profile) and len(self.session.available_profiles) > 1
        return True

    # ------------------------------------------------------------ helpers
    def connection(self, connection_key: str) -> Connection | None:
        return self.watcher.store.connections.get(connection_key)

    def connection_name(self, connection_key: str) -> str:
        connection = self.connection(connection_key)
        return clean(connection.name) if connection else connection_key.split(":", 1)[-1]

    def _job_noun(self, key: str) -> str:
        try:
            return self.watcher.provider_for_key(key).capabilities.job_noun
        except KeyError:
            return "job"

    # ------------------------------------------------------------ actions
    def request_trigger(self, connection_key: str, job_type: str = "sync") -> None:
        """Confirm, then start a job; refusals explain themselves."""
        if self.refuse_if_read_only("triggering"):
            return
        provider = self.watcher.provider_for_key(connection_key)
        paused = self.connection(connection_key)
        if paused is not None and paused.state_label == "paused":  # say why before asking (fleet actions)
            self.notify(f"{paused.name} is paused, so it cannot run: press e to resume it", severity="warning", markup=False)
            return
        option = provider.capabilities.job_type(job_type)
        if option is not None and not option.available:
            self.notify(f"{option.label} unavailable: {option.unavailable_reason or 'not supported'}", severity="warning", markup=False)
            return
        label = option.label.lower() if option else job_type
        latest = self.watcher.store.latest_job.get(connection_key)
        detail = None
        if latest is not None and latest.status.is_active:
            detail = Text(
                f"{provider.capabilities.job_noun.capitalize()} {latest.id} is already {latest.status.label}; airsync will attach to it instead of starting another.",
                style="italic",
            )
        question = Text.assemble(f"Start a {label} of ", plain(self.connection_name(connection_key), "bold"), "?")
        destructive = bool(option and option.destructive)

        def answered(ok: bool | None) -> None:
            if ok:
                self._run_trigger(connection_key, job_type)

        self.push_screen(
            ConfirmModal(
                f"{label.capitalize()} {provider.capabilities.connection_noun}",
                question,
                destructive=destructive,
                detail=detail,
                yes_label=label.capitalize(),
            ),
            answered,
        )

    def request_job_type(self, connection_key: str) -> None:
        if self.refuse_if_read_only("triggering"):
            return
        provider = self.watcher.provider_for_key(connection_key)

        def chosen(job_type: str | None) -> None:
            if job_type:
                self.request_trigger(connection_key, job_type)

        self.push_screen(JobTypeModal(plain(self.connection_name(connection_key), "bold"), provider.capabilities.job_types), chosen)

    def request_cancel(self, job: Job | None, connection_key: str) -> None:
        if self.refuse_if_read_only("cancelling"):
            return
        provider = self.watcher.provider_for_key(connection_key)
        caps = provider.capabilities
        if not caps.can_cancel:
            self.notify(
                f"{provider.display_name} cannot cancel: {caps.cancel_unavailable_reason or 'not supported by the API'}",
                title="cancel unavailable",
                severity="warning",
                markup=False,
            )
            return
        if job is None or not job.status.is_active:
            self.notify(
                f"{self.connection_name(connection_key)}: no running {caps.job_noun} to cancel", severity="information", markup=False
            )
            return
        question = Text.assemble(f"Cancel {caps.job_noun} {job.id} of ", plain(self.connection_name(connection_key), "bold"), "?")

        def answered(ok: bool | None) -> None:
            if ok:
                self._run_cancel(job.key)

        self.push_screen(ConfirmModal(f"Cancel {caps.job_noun}", question, destructive=False, yes_label="Cancel it"), answered)

    @work(group="actions", exit_on_error=False)
    async def _run_trigger(self, connection_key: str, job_type: str) -> None:
        try:
            await self.watcher.trigger(connection_key, job_type)
        except AirsyncError:
            pass  # the watcher publishes an ActionResult, which notifies
        except Exception as exc:  # noqa: BLE001 - never crash on an action
            self.notify(f"trigger failed: {clean(exc)}", severity="error", markup=False)

    @work(group="actions", exit_on_error=False)
    async def _run_cancel(self, job_key: str) -> None:
        try:
            await self.watcher.cancel(job_key)
        except AirsyncError:
            pass
        except Exception as exc:  # noqa: BLE001
            self.notify(f"cancel failed: {clean(exc)}", severity="error", markup=False)

    def open_logs(self, job_key: str | None, attempt_number: int | None = None) -> None:
        if job_key is None:
            self.notify("no job yet: nothing to show logs for", severity="information", markup=False)
            return
        self._open_logs(job_key, attempt_number)

    @work(exclusive=True, group="open-logs", exit_on_error=False)
    async def _open_logs(self, job_key: str, attempt_number: int | None) -> None:
        """Learn the job's attempts first (one request) so the viewer opens on the latest one."""
        from airsync_tui.service.log_feed import make_log_feed
        from airsync_tui.ui.screens.log_failure import FailureLogScreen as LogScreen  # + failure header, error groups

        try:
            if attempt_number is None and job_key not in self.watcher.store.details:
                await self.watcher.job_detail(job_key)
        except AirsyncError as exc:
            self.notify(f"attempt list unavailable, showing attempt 1: {clean(exc)}", severity="warning", markup=False)
        try:
            feed = make_log_feed(self.watcher, job_key, attempt_number)
            await self.push_screen(LogScreen(feed))
        except Exception as exc:  # noqa: BLE001
            self.notify(f"cannot open logs: {clean(exc)}", severity="error", markup=False)

    def open_link(self, url: str | None, what: str) -> None:
        """Open the web UI's page for a connection or job (`what`), or say there is none."""
        if not url:
            self.notify(f"no web link for this {what}", severity="information", markup=False)
            return
        self._open_in_browser(url)

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Textual's hook (links in Markdown, `Link`): same path, never blocks the UI."""
        self._open_in_browser(url)

    @work(thread=True, group="browser", exit_on_error=False)
    def _open_in_browser(self, url: str) -> None:
        opened = False
        if not self.is_headless:
            import webbrowser  # only when a link is opened: ~6 ms of imports off the first screen

            try:
                opened = webbrowser.open(url, new=2)
            except Exception:  # noqa: BLE001
                opened = False
        message = f"opened {url}" if opened else f"open this link: {url}"
        self.call_from_thread(self.notify, message, title="web UI", markup=False)

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None, time_format: str | None = None) -> str | None:
        """Save an SVG of the screen and say where, or why not (Textual's says only "Failed").

        In a browser (`airsync serve`) Textual's download is the right delivery; in a
        terminal the file is written by a thread worker (no disk I/O on the UI's path).
        """
        if self.is_web:
            return super().deliver_screenshot(filename, path, time_format)
        from platformdirs import user_downloads_path  # Textual's own dependency, where it saves by default

        from airsync_tui.ui.screenshot_save import screenshot_directory, screenshot_name

        directory = Path(path) if path else screenshot_directory(user_downloads_path())
        self._write_screenshot(self.export_screenshot(), directory, filename or screenshot_name())
        return None

    @work(thread=True, group="screenshot", exit_on_error=False)
    def _write_screenshot(self, svg: str, directory: Path, name: str) -> None:
        from airsync_tui.ui.screenshot_save import ScreenshotError, write_screenshot

        try:
            saved = write_screenshot(svg, directory, name)
        except ScreenshotError as exc:
            self.call_from_thread(self.notify, str(exc), title="Screenshot", severity="error", markup=False)
            return
        self.call_from_thread(self.notify, f"saved screenshot to {saved}", title="Screenshot", markup=False)

    # ------------------------------------------------------- app actions
    def action_show_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_refresh_now(self) -> None:
        self.watcher.refresh_now()
        self.notify("refreshing now", timeout=1.5, markup=False)

    async def action_back(self) -> None:
        """Escape: let the screen clear its own state first (a filter), else go back."""
        screen = self.screen
        if isinstance(screen, LiveScreen) and screen.go_back():
            return
        if len(self.screen_stack) > 1:  # the connection list is the bottom of the stack
            self.pop_screen()

    def action_toggle_theme(self) -> None:
        self.theme = other_theme(self.theme)

    def action_switch_profile(self) -> None:
        profiles = self.session.available_profiles
        if not self.switch_profile or len(profiles) < 2:
            self.notify("no other profile to switch to", markup=False)
            return

        def chosen(name: str | None) -> None:
            if name and name != self.session.profile_name:
                self._switch_to(name)

        self.push_screen(ProfileModal(profiles, self.session.profile_name), chosen)

    @work(exclusive=True, group="profile-switch", exit_on_error=False)
    async def _switch_to(self, name: str) -> None:
        assert self.switch_profile is not None
        self.notify(f"switching to profile {name}…", markup=False, timeout=2)
        try:
            new_watcher = await self.switch_profile(name)
        except Exception as exc:  # noqa: BLE001
            self.notify(f"cannot switch to {name}: {clean(exc)}", severity="error", markup=False)
            return
        old = self.watcher
        self._subscription.close()
        self.workers.cancel_group(self, "watcher-events")
        self.watcher = new_watcher
        self.alerts = type(self.alerts)(self)  # a new profile: a new rules engine, no stale alerts
        self.session = replace(self.session, profile_name=name)
        self._subscription = new_watcher.subscribe()
        self._pending_events = []  # the old profile's
        self._notified_terminal.clear()
        # A fresh screen stack (a Textual mode) whose base is a new list for the new profile.
        # The old stack is dropped; the first one (Textual's default mode, which cannot be
        # removed) is cut down to its suspended list, which receives no events.
        old_mode = self.current_mode
        self._profile_switches += 1
        new_mode = f"profile-{self._profile_switches}"
        self.add_mode(new_mode, connection_list)
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        await self.switch_mode(new_mode)
        if old_mode != self.DEFAULT_MODE:
            await self.remove_mode(old_mode)
        self._consume_events()
        await new_watcher.start()
        try:
            await old.aclose()
        except Exception:  # noqa: BLE001
            pass
        if self._sets_aside_heap:  # the old profile's frozen objects are freed; the new load is frozen once shown
            release_set_aside_heap()
            self._set_aside_pending = True

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        # Our registry already lists Quit and Help (with their keys): no second copy.
        yield from (command for command in super().get_system_commands(screen) if command.title not in ("Quit", "Keys"))
        yield SystemCommand("Toggle dark / light", "Switch between the airsync dark and light themes", self.action_toggle_theme)

    @property
    def mutating_keys(self) -> dict[str, set[str]]:
        """Per scope, the keys that would change something on the server."""
        return {scope: {spec.key for spec in specs_for(scope) if spec.mutating} for scope in ("connections", "job")}
