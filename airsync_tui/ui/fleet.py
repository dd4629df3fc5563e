"""Fleet actions in the dashboard: marking rows, acting on the marked set, undo.

`FleetMarkingMixin` is mixed into the connection list (kept out of
connections.py, which another engineer reworks): `space` marks the row under
the cursor, `*` marks every row the current filter shows (again: unmarks
them), `p`/`e` pause/resume, `x` opens the action menu (refresh, clear,
schedule, pause, resume; unavailable actions are listed with the reason from
the provider's capabilities), `u` undoes the last reversible action. With no
marks, an action applies to the row under the cursor.

Every action asks once (`FleetConfirmModal`: count and names, scrolling when
long, the default button is always "No"), runs in a worker through
`service.actions.FleetActions` (journaled in the local state file), then shows
per-target results (`FleetResultsModal`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import work

from airsync_tui.errors import AirsyncError
from airsync_tui.models.domain import Connection
from airsync_tui.textfmt import counted
from airsync_tui.ui.formatting import clean

# The fleet service, its journal (SQLite) and the dialogs are imported where an
# action starts, not with the connection list: the first screen only marks rows.
if TYPE_CHECKING:
    from airsync_tui.models.schedule_change import ScheduleChange
    from airsync_tui.service.actions import FleetActions, Target
    from airsync_tui.service.journal import JournalEntry
    from airsync_tui.service.watcher import Watcher
    from airsync_tui.ui.widgets.live_table import LiveTable

# ---------------------------------------------------------------- service glue


def fleet_service(app: Any) -> FleetActions:
    """The app's `FleetActions` (journal in the local state file), rebuilt when the profile switches."""
    from airsync_tui.service.actions import FleetActions
    from airsync_tui.service.journal import Journal
    from airsync_tui.service.local_state import open_state

    service: FleetActions | None = getattr(app, "_fleet_actions", None)
    providers = dict(app.watcher.providers)
    profile = app.session.profile_name
    if service is None:
        service = FleetActions(providers, Journal(open_state()), profile=profile)
        app._fleet_actions = service
    elif service.providers != providers or service.profile != profile:
        service = FleetActions(providers, service.journal, profile=profile)
        app._fleet_actions = service
    return service


def publish_connection_updates(watcher: Watcher, connections: Sequence[Connection]) -> None:
    """Show what an action changed at once, without waiting for the next connection reload."""
    watcher.apply_connection_updates(connections)


# ---------------------------------------------------------------- the mixin


class FleetMarkingMixin:
    """Marks and fleet actions for the connection list (see module docstring)."""

    if TYPE_CHECKING:

        @property
        def table(self) -> LiveTable: ...

        @property
        def watcher(self) -> Watcher: ...

        def visible_keys(self) -> list[str]: ...

        def refresh_rows(self, keys: set[str] | list[str], *, lazy: bool = False) -> None: ...

        def _update_status_line(self) -> None: ...

    @property
    def _host(self) -> Any:
        """The app (typed loosely here so the host screen keeps Textual's own type for `app`)."""
        return cast("Any", self).app

    @property
    def marked(self) -> set[str]:
        marks: set[str] | None = getattr(self, "_fleet_marks", None)
        if marks is None:
            marks = set()
            self._fleet_marks = marks
        return marks

    def mark_prefix(self, key: str) -> Text | None:
        """What to put before a marked row's name (None when not marked)."""
        return Text("● ", style="bold") if key in self.marked else None

    def mark_status(self) -> Text | None:
        """The status-bar part: "3 marked" (None when nothing is marked)."""
        marks = [k for k in self.marked if k in self.watcher.store.connections]
        return Text(f"   {len(marks):,} marked", style="bold") if marks else None

    def _marks_changed(self, keys: set[str]) -> None:
        self.refresh_rows(keys)
        self._update_status_line()

    def action_toggle_mark(self) -> None:
        key = self.table.cursor_key()
        if key is None:
            return
        self.marked.symmetric_difference_update({key})
        self._marks_changed({key})
        row = self.table.cursor_row
        if row + 1 < self.table.row_count:
            self.table.move_cursor(row=row + 1)

    def action_mark_visible(self) -> None:
        visible = set(self.visible_keys())
        if visible and visible <= self.marked:
            self.marked.difference_update(visible)  # all shown already marked: `*` again unmarks them
        else:
            self.marked.update(visible)
        self._marks_changed(visible)

    def action_clear_marks(self) -> None:
        cleared = set(self.marked)
        self.marked.clear()
        self._marks_changed(cleared)

    def fleet_targets(self) -> list[Connection]:
        """The marked connections, else the one under the cursor."""
        connections = self.watcher.store.connections
        keys = [k for k in self.marked if k in connections] or [k for k in (self.table.cursor_key(),) if k]
        return sorted((connections[k] for k in keys), key=lambda c: c.name.lower())

    def _reasons(self, targets: Sequence[Connection]) -> dict[str, str | None]:
        from airsync_tui.ui.screens.fleet_dialogs import MENU_ACTIONS

        service = fleet_service(self._host)
        reasons: dict[str, str | None] = {}
        for action_id, _, _ in MENU_ACTIONS:
            blocked = {service.unavailable_reason(action_id, c.provider) for c in targets} - {None}
            if blocked:
                reasons[action_id] = "; ".join(sorted(str(b) for b in blocked))
            elif action_id in ("refresh", "clear") and len(targets) != 1:
                reasons[action_id] = "streams are chosen per connection: mark exactly one"
            elif action_id == "pause" and all(c.state_label == "paused" for c in targets):
                reasons[action_id] = "already paused" if len(targets) == 1 else "every marked connection is already paused"
            elif action_id == "resume" and not any(c.state_label == "paused" for c in targets):
                reasons[action_id] = "not paused" if len(targets) == 1 else "no marked connection is paused"
            else:
                reasons[action_id] = None
        return reasons

    def action_fleet_menu(self) -> None:
        from airsync_tui.ui.screens.fleet_dialogs import FleetMenuModal

        targets = self.fleet_targets()
        if not targets:
            self._host.notify("no connection selected", markup=False)
            return
        title = f"Act on {clean(targets[0].name)}" if len(targets) == 1 else f"Act on {len(targets)} marked connections"
        self._host.push_screen(
            FleetMenuModal(title, self._reasons(targets)),
            self._menu_chosen,
        )

    def _menu_chosen(self, chosen: str | None) -> None:
        if chosen:
            self.start_fleet_action(chosen)

    def action_pause_marked(self) -> None:
        self.start_fleet_action("pause")

    def action_resume_marked(self) -> None:
        self.start_fleet_action("resume")

    def start_fleet_action(self, action: str) -> None:
        """Gather parameters (streams, schedule), confirm once, then run."""
        from airsync_tui.ui.screens.fleet_dialogs import ScheduleModal, StreamPickerModal

        targets = self.fleet_targets()
        if not targets:
            self._host.notify("no connection selected", markup=False)
            return
        reason = self._reasons(targets).get(action)
        if reason:
            self._host.notify(f"{action}: {reason}", severity="warning", markup=False)
            return
        if action in ("refresh", "clear"):
            connection = targets[0]
            picker = StreamPickerModal(
                f"{'Refresh' if action == 'refresh' else 'Clear'} which streams of {clean(connection.name)}?",
                connection.streams,
                with_mode=action == "refresh",
            )

            def picked(answer: tuple[list[str], str] | None) -> None:
                if answer is not None:
                    streams, mode = answer
                    params: dict[str, Any] = {"streams": streams}
                    if action == "refresh":
                        params["mode"] = mode
                    self._confirm_and_run(action, targets, params)

            self._host.push_screen(picker, picked)
            return
        if action == "schedule":

            def scheduled(change: ScheduleChange | None) -> None:
                if change is not None:
                    self._confirm_and_run("schedule", targets, {"schedule": change.to_json()})

            self._host.push_screen(
                ScheduleModal(f"New schedule for {counted(len(targets), 'connection')}"),
                scheduled,
            )
            return
        self._confirm_and_run(action, targets, {})

    def _confirm_and_run(self, action: str, targets: Sequence[Connection], params: dict[str, Any]) -> None:
        from airsync_tui.service.actions import Target, describe_action
        from airsync_tui.ui.screens.fleet_dialogs import DESTRUCTIVE, FleetConfirmModal

        question = describe_action(action, params, len(targets)).capitalize() + "?"
        names = [f"{c.name}  ({self.watcher.providers[c.provider].display_name})" for c in targets]
        notes = []
        if action in ("pause", "resume"):
            notes.append("Connections already " + ("paused" if action == "pause" else "active") + " are skipped. u undoes.")
        elif action == "schedule":
            notes.append("u restores each connection's previous schedule.")
        modal = FleetConfirmModal(
            f"Confirm: {action}",
            question,
            names,
            notes=notes,
            destructive=action in DESTRUCTIVE,
            yes_label=action.capitalize(),
        )
        self._host.push_screen(
            modal,
            lambda ok: ok and self._run_fleet(action, [Target.of(c) for c in targets], params),
        )

    @work(group="fleet", exclusive=False, exit_on_error=False)
    async def _run_fleet(self, action: str, targets: list[Target], params: dict[str, Any]) -> None:
        service = fleet_service(self._host)
        try:
            if action == "pause":
                entry = await service.pause(targets)
            elif action == "resume":
                entry = await service.resume(targets)
            elif action == "schedule":
                from airsync_tui.models.schedule_change import ScheduleChange

                entry = await service.set_schedule(targets, ScheduleChange.from_json(params["schedule"]))
            elif action == "refresh":
                entry = await service.refresh(
                    targets[0],
                    params.get("streams") or [],
                    str(params.get("mode") or "merge"),
                )
            elif action == "undo":
                entry = await service.undo(params.get("id"))
            else:
                entry = await service.clear(targets[0], params.get("streams") or [])
        except AirsyncError as exc:
            self._host.notify(str(exc), severity="error", markup=False)
            return
        await self._after(entry)

    async def _after(self, entry: JournalEntry) -> None:
        """Refresh what changed (one GET per succeeded target), then show the per-target results."""
        from airsync_tui.service.actions import ACTION_CAPABILITY
        from airsync_tui.ui.screens.fleet_dialogs import FleetResultsModal

        service = fleet_service(self._host)
        fresh: list[Connection] = []
        for t in entry.targets:
            if t.outcome == "succeeded" and ACTION_CAPABILITY.get(entry.action, "pause") != "refresh_streams":
                try:
                    fresh.append(await service.providers[t.provider].get_connection(t.connection_id))
                except AirsyncError:
                    continue
        publish_connection_updates(self.watcher, fresh)
        if entry.action in ("pause", "resume", "schedule", "undo"):
            self.marked.clear()
            self._update_status_line()
        self._host.push_screen(FleetResultsModal(entry), self._results_closed)

    def _results_closed(self, answer: str | None) -> None:
        if answer == "undo":
            self.action_undo_last()

    def action_undo_last(self) -> None:
        from airsync_tui.service.actions import undo_label
        from airsync_tui.ui.screens.fleet_dialogs import FleetConfirmModal

        service = fleet_service(self._host)
        entry = service.journal.last_reversible()
        if entry is None:
            self._host.notify("nothing to undo", markup=False)
            return
        names = [f"{t.name}: {undo_label(t.undo)}" for t in entry.reversible_targets]
        modal = FleetConfirmModal(
            f"Undo #{entry.id}",
            f"Undo “{entry.summary}” at {entry.at:%H:%M} UTC? ({len(names)} to reverse)",
            names,
            yes_label="Undo",
        )
        self._host.push_screen(
            modal,
            lambda ok: self._run_fleet("undo", [], {"id": entry.id}) if ok else None,
        )
