"""The one source of truth for key bindings.

Every key the app answers to is declared here once, with a stable id, the
action it runs, the description shown in the footer and a longer help text.
Screens build their `BINDINGS` from these entries (`bindings_for(scope)`),
the help screen renders the same table (`help_rows()`), and the command
palette lists the same actions (`palette_entries()`), so keys, help and
palette never drift apart. Ids also let users remap keys (`App.set_keymap`).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True, slots=True)
class KeySpec:
    """One user-facing key binding."""

    id: str
    key: str
    action: str
    description: str
    help: str
    scope: str
    show: bool = True
    priority: bool = False
    #: Shown in the command palette (actions that make sense without a key press).
    palette: bool = True
    #: Changes something on the server (trigger/cancel); disabled in read-only mode.
    mutating: bool = False

    def to_binding(self) -> Binding:
        return Binding(
            self.key,
            self.action,
            self.description,
            show=self.show,
            priority=self.priority,
            id=self.id,
            tooltip=self.help,
        )


#: Scopes: "app" (everywhere), "connections", "job", "logs", "data".
KEYS: tuple[KeySpec, ...] = (
    # -- everywhere ---------------------------------------------------------
    KeySpec("app.quit", "q", "quit", "Quit", "Leave airsync (running jobs keep running on the server).", "app"),
    KeySpec("app.help", "question_mark", "show_help", "Help", "Show every key binding.", "app"),
    KeySpec("app.refresh", "r", "refresh_now", "Refresh", "Poll the providers now instead of waiting for the next tick.", "app"),
    KeySpec("app.back", "escape", "back", "Back", "Close this screen or clear the active filter.", "app", show=True, palette=False),
    KeySpec(
        "app.alerts",
        "A",
        "show_alerts",
        "Alerts",
        "Open alerts first, then recent history (the rules of `airsync watch`).",
        "app",
        show=False,
    ),
    # -- connections (home) ------------------------------------------------
    KeySpec(
        "connections.open", "enter", "open_job", "Open", "Open the live job panel of the selected connection.", "connections", palette=False
    ),
    KeySpec(
        "connections.filter",
        "slash",
        "filter",
        "Filter",
        "Filter connections by substring; start with ! to invert.",
        "connections",
        priority=True,  # see `AirsyncScreen.open_input`: "/snow" typed in one burst must not reach the list's keys
    ),
    KeySpec(
        "connections.sort",
        "S",
        "cycle_sort",
        "Sort",
        "Sort: each press reverses the current column once, then moves to the next column.",
        "connections",
    ),
    KeySpec("connections.status_filter", "F", "cycle_status_filter", "Status", "Show all / running / failed connections.", "connections"),
    KeySpec(
        "connections.switch_profile", "P", "switch_profile", "Profile", "Switch the workspace or profile being watched.", "connections"
    ),
    KeySpec(
        "connections.sync",
        "s",
        "trigger_sync",
        "Sync",
        "Trigger a sync of the selected connection (asks first).",
        "connections",
        mutating=True,
    ),
    KeySpec(
        "connections.job_type",
        "t",
        "choose_job_type",
        "Job type",
        "Choose sync / reset / clear for the selected connection (asks first).",
        "connections",
        mutating=True,
    ),
    KeySpec(
        "connections.cancel",
        "c",
        "cancel_job",
        "Cancel",
        "Cancel the running job of the selected connection (asks first).",
        "connections",
        mutating=True,
    ),
    KeySpec("connections.logs", "l", "open_logs", "Logs", "Open the latest attempt log of the selected connection.", "connections"),
    KeySpec("connections.browser", "o", "open_browser", "Browser", "Open the connection in the provider's web UI.", "connections"),
    KeySpec(
        "connections.mark",
        "space",
        "toggle_mark",
        "Mark",
        "Mark or unmark the connection under the cursor for a bulk action.",
        "connections",
        palette=False,
        show=False,
    ),
    KeySpec(
        "connections.mark_visible",
        "asterisk",
        "mark_visible",
        "Mark shown",
        "Mark every connection the current filter shows (again: unmark them).",
        "connections",
        show=False,
    ),
    KeySpec("connections.clear_marks", "M", "clear_marks", "Unmark all", "Clear every mark.", "connections", show=False),
    KeySpec(
        "connections.pause",
        "p",
        "pause_marked",
        "Pause",
        "Pause the marked connections (or the one under the cursor); asks once.",
        "connections",
        mutating=True,
        show=False,
    ),
    KeySpec(
        "connections.resume",
        "e",
        "resume_marked",
        "Resume",
        "Resume the marked connections (or the one under the cursor); asks once.",
        "connections",
        mutating=True,
        show=False,
    ),
    KeySpec(
        "connections.actions",
        "x",
        "fleet_menu",
        "Actions",
        "Pause, resume, refresh or clear streams, or change the schedule of the marked connections.",
        "connections",
        mutating=True,
        show=False,
    ),
    KeySpec(
        "connections.undo",
        "u",
        "undo_last",
        "Undo",
        "Undo the last reversible action (e.g. resume what was paused); asks first.",
        "connections",
        mutating=True,
        show=False,
    ),
    # -- job panel ----------------------------------------------------------
    KeySpec("job.sync", "s", "trigger_sync", "Sync", "Trigger a sync of this connection (asks first).", "job", mutating=True),
    KeySpec("job.job_type", "t", "choose_job_type", "Job type", "Choose sync / reset / clear (asks first).", "job", mutating=True),
    KeySpec("job.cancel", "c", "cancel_job", "Cancel", "Cancel the job shown (asks first).", "job", mutating=True),
    KeySpec("job.logs", "l", "open_logs", "Logs", "Open the log of the selected attempt.", "job"),
    KeySpec("job.browser", "o", "open_browser", "Browser", "Open this job's attempt in the provider's web UI.", "job"),
    KeySpec("job.older", "left_square_bracket", "older_job", "Older job", "Show the previous (older) job of this connection.", "job"),
    KeySpec("job.newer", "right_square_bracket", "newer_job", "Newer job", "Show the next (newer) job of this connection.", "job"),
    KeySpec("job.data", "d", "open_data", "Data", "Did the rows land? Tables, row counts, freshness and a read-only SQL prompt.", "job"),
    # -- data view ------------------------------------------------------------
    KeySpec("data.sql", "e", "focus_sql", "SQL", "Type a read-only query (enter runs it in the background).", "data", priority=True),
    KeySpec("data.cancel", "ctrl+g", "cancel_query", "Cancel query", "Cancel the running query.", "data", priority=True),
    KeySpec("data.reload", "R", "reload", "Reload", "Count the rows and read the latest ones again.", "data"),
    # -- every list/table (connections, attempts, streams, recent jobs) ------
    KeySpec("table.down", "j", "cursor_down", "Down", "Move to the next row.", "table", show=False, palette=False),
    KeySpec("table.up", "k", "cursor_up", "Up", "Move to the previous row.", "table", show=False, palette=False),
    KeySpec("table.first", "g", "first_row", "First", "Move to the first row.", "table", show=False, palette=False),
    KeySpec("table.last", "G", "last_row", "Last", "Move to the last row.", "table", show=False, palette=False),
    KeySpec("table.home", "home", "first_row", "First", "Move to the first row (not sideways).", "table", show=False, palette=False),
    KeySpec("table.end", "end", "last_row", "Last", "Move to the last row (not sideways).", "table", show=False, palette=False),
    # -- alerts -------------------------------------------------------------
    KeySpec("alerts.open", "enter", "open_alert", "Open job", "Open the job panel of the selected alert.", "alerts", palette=False),
    KeySpec("alerts.bell", "b", "toggle_bell", "Bell", "Ring the terminal bell on new critical alerts (on/off).", "alerts"),
    KeySpec(
        "alerts.desktop",
        "d",
        "toggle_desktop",
        "Desktop",
        "Desktop notification on new critical alerts (on/off; needs a desktop notifier).",
        "alerts",
    ),
    # -- attempt log viewer -------------------------------------------------
    KeySpec("logs.search", "slash", "search", "Search", "Search the log; every match is highlighted.", "logs", priority=True),
    KeySpec("logs.next_match", "n", "next_match", "Next", "Jump to the next match.", "logs"),
    KeySpec("logs.prev_match", "N", "prev_match", "Prev", "Jump to the previous match.", "logs"),
    KeySpec("logs.next_error", "e", "next_error", "Next error", "Jump to the next error line.", "logs"),
    KeySpec("logs.follow", "f", "follow", "Follow", "Follow new lines while the attempt runs (scrolling up pauses).", "logs"),
    KeySpec("logs.end", "end", "follow", "End", "Jump to the end and resume following.", "logs", show=False, palette=False),
    KeySpec("logs.wrap", "w", "toggle_wrap", "Wrap", "Wrap long lines.", "logs"),
    KeySpec("logs.timestamps", "t", "toggle_timestamps", "Times", "Show or hide the timestamp column.", "logs"),
    KeySpec("logs.levels", "v", "cycle_level_filter", "Level", "Cycle the minimum level shown: all / info / warn / error.", "logs"),
    KeySpec(
        "logs.sources",
        "u",
        "cycle_source_filter",
        "Source",
        "Cycle the source shown: all / source / destination / platform / orchestrator.",
        "logs",
    ),
    KeySpec("logs.prev_attempt", "left_square_bracket", "prev_attempt", "Prev attempt", "Show the previous attempt's log.", "logs"),
    KeySpec("logs.next_attempt", "right_square_bracket", "next_attempt", "Next attempt", "Show the next attempt's log.", "logs"),
    KeySpec("logs.save", "ctrl+s", "save_log", "Save", "Save the log to a file (the path is shown).", "logs"),
    KeySpec("logs.copy", "y", "copy_line", "Copy", "Copy the current line (or selection) to the clipboard.", "logs"),
    KeySpec("logs.pager", "p", "open_pager", "Pager", "Open the log in $PAGER.", "logs"),
    KeySpec("logs.back", "escape", "back", "Back", "Close the search bar, or leave the log viewer.", "logs", palette=False),
    # -- everywhere: triage, pulse, timeline (listed last in help; off the footer, which is full) --
    KeySpec(
        "app.triage",
        "b",
        "open_triage",
        "Broken",
        "Triage: what is failing, stalled, stale or at risk, grouped by cause.",
        "app",
        show=False,
    ),
    KeySpec("app.pulse", "E", "open_pulse", "Pulse", "The last things that happened anywhere, newest first, live.", "app", show=False),
    KeySpec(
        "app.timeline", "T", "open_timeline", "Timeline", "The selected connection's timeline: jobs, changes, who acted.", "app", show=False
    ),
    # -- log viewer: failure header and error groups ------------------------
    KeySpec(
        "logs_failure.jump",
        "x",
        "jump_to_failure",
        "Failure line",
        "Jump to the first log line that matches the attempt's failure.",
        "logs_failure",
    ),
    KeySpec(
        "logs_failure.groups",
        "ctrl+e",
        "toggle_error_groups",
        "Error groups",
        "Show or hide the error groups (counts, first/last line); enter selects one.",
        "logs_failure",
    ),
    KeySpec(
        "logs_failure.next_in_group",
        "right_curly_bracket",
        "next_match",
        "Group next",
        "Next occurrence of the selected error group.",
        "logs_failure",
        show=False,
    ),
    KeySpec(
        "logs_failure.prev_in_group",
        "left_curly_bracket",
        "prev_match",
        "Group prev",
        "Previous occurrence of the selected error group.",
        "logs_failure",
        show=False,
    ),
    # -- triage ---------------------------------------------------------------
    KeySpec(
        "triage.open", "enter", "open", "Open", "On a cause: its connections; on a connection: its job panel.", "triage", palette=False
    ),
    KeySpec("triage.logs", "l", "open_logs", "Log at error", "Open the failed attempt's log at the first line of that error.", "triage"),
    KeySpec("triage.timeline", "T", "open_timeline", "Timeline", "The selected connection's timeline.", "triage"),
    KeySpec("triage.refresh", "r", "refresh_problems", "Refresh", "List the problems again now.", "triage"),
    # -- timeline and pulse ---------------------------------------------------
    KeySpec("timeline.open_job", "enter", "open_event_job", "Open job", "Open the job of the selected event.", "timeline"),
    KeySpec("pulse.timeline", "enter", "open_timeline", "Timeline", "Open the timeline of the selected event's connection.", "pulse"),
)

SCOPE_TITLES: dict[str, str] = {
    "app": "Everywhere",
    "connections": "Connections",
    "job": "Job panel",
    "logs": "Attempt log viewer",
    "data": "Data view",
    "table": "Lists and tables",
    "logs_failure": "Log errors",
    "triage": "Triage",
    "timeline": "Timeline",
    "pulse": "Pulse",
    "alerts": "Alerts",
}


def specs_for(scope: str) -> list[KeySpec]:
    return [spec for spec in KEYS if spec.scope == scope]


def bindings_for(scope: str) -> list[BindingType]:
    """`BINDINGS` for a screen or app: build them here, never by hand."""
    return [spec.to_binding() for spec in specs_for(scope)]


def spec_by_id(binding_id: str) -> KeySpec:
    for spec in KEYS:
        if spec.id == binding_id:
            return spec
    raise KeyError(binding_id)


def display_key(key: str) -> str:
    """Human form of a Textual key name ("question_mark" -> "?")."""
    names = {
        "question_mark": "?",
        "slash": "/",
        "left_square_bracket": "[",
        "right_square_bracket": "]",
        "escape": "esc",
        "asterisk": "*",
        "left_curly_bracket": "{",
        "right_curly_bracket": "}",
    }
    return names.get(key, key)


def help_rows() -> list[tuple[str, str, str, str]]:
    """(scope title, key, description, help) rows for the help screen."""
    return [(SCOPE_TITLES[spec.scope], display_key(spec.key), spec.description, spec.help) for spec in KEYS]


def palette_entries(scope: str | None = None) -> list[KeySpec]:
    """Actions offered by the command palette (optionally limited to one screen)."""
    return [spec for spec in KEYS if spec.palette and (scope is None or spec.scope in (scope, "app"))]
