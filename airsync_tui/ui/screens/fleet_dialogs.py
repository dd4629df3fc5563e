"""Dialogs of the dashboard's fleet actions: one confirmation, results, action menu, stream picker, schedule.

All server text arrives sanitised (`clean`) inside `Text`, never as markup.
The confirmation always focuses "No": a reflexive `enter` changes nothing.
Styles: `styles/fleet.tcss`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Input,
    Label,
    OptionList,
    RadioButton,
    RadioSet,
    SelectionList,
    Static,
)
from textual.widgets.option_list import Option

from airsync_tui.models.schedule_change import ScheduleChange, ScheduleError
from airsync_tui.service.journal import JournalEntry
from airsync_tui.ui.formatting import clean

MENU_ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("pause", "Pause", "stop schedules and refuse runs"),
    ("resume", "Resume", "run on schedule again"),
    ("refresh", "Refresh streams", "re-sync chosen streams (merge or truncate)"),
    ("clear", "Clear streams", "delete chosen streams' data in the destination"),
    ("schedule", "Schedule", "manual, every N hours, or a cron"),
)
DESTRUCTIVE = frozenset({"refresh", "clear"})
OUTCOME_STYLE = {
    "succeeded": "green",
    "failed": "bold red",
    "skipped": "dim",
    "pending": "yellow",
}


class FleetConfirmModal(ModalScreen[bool]):
    """One confirmation for a whole bulk action; "No" is focused, always."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "answer(False)", "No", show=False),
        Binding("n", "answer(False)", "No", show=False),
        Binding("y", "answer(True)", "Yes", show=False),
    ]

    def __init__(
        self,
        title: str,
        question: str,
        names: Sequence[str],
        *,
        notes: Sequence[str] = (),
        destructive: bool = False,
        yes_label: str = "Yes",
    ) -> None:
        super().__init__(classes="destructive" if destructive else "")
        self._title, self._question, self._names = title, question, list(names)
        self._notes, self._destructive, self._yes_label = (
            list(notes),
            destructive,
            yes_label,
        )

    def compose(self) -> ComposeResult:
        with Vertical(id="fleet-confirm", classes="dialog"):
            yield Label(Text(self._title, style="bold"), id="fleet-title")
            yield Static(Text(self._question), id="fleet-question")
            with VerticalScroll(id="fleet-names"):
                yield Static(
                    Text("\n".join(f"• {clean(n)}" for n in self._names)),
                    id="fleet-names-list",
                )
            for note in self._notes:
                yield Static(Text(note, style="italic"), classes="fleet-note")
            if self._destructive:
                yield Static(
                    Text(
                        "⚠ Destructive: this deletes or rewrites data in the destination.",
                        style="bold red",
                    )
                )
            with Horizontal(id="confirm-buttons"):
                yield Button(
                    f"{self._yes_label} (y)",
                    id="yes",
                    variant="error" if self._destructive else "primary",
                )
                yield Button("No (n)", id="no", variant="default")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()  # the harmless answer is the default, whatever the action

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    @property
    def names(self) -> list[str]:
        return list(self._names)


class FleetResultsModal(ModalScreen[str | None]):
    """Per-target results of one action: succeeded, failed (why) or skipped (already so)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", show=False),
        Binding("enter", "close", "Close", show=False),
        Binding("u", "undo", "Undo", show=False),
    ]

    def __init__(self, entry: JournalEntry) -> None:
        super().__init__()
        self.entry = entry

    def compose(self) -> ComposeResult:
        entry = self.entry
        counts = entry.counts()
        head = Text.assemble(
            (f"#{entry.id} {clean(entry.summary)}", "bold"),
            "\n",
            f"{counts['succeeded']} succeeded · {counts['failed']} failed · {counts['skipped']} skipped",
        )
        lines = Text()
        for t in entry.targets:
            lines.append(f"{t.outcome:<9}", style=OUTCOME_STYLE.get(t.outcome, ""))
            lines.append(f" {clean(t.name)}")
            if t.job_id:
                lines.append(f"  job {clean(t.job_id)}", style="dim")
            if t.reason:
                lines.append(f"  — {clean(t.reason)}", style="italic")
            lines.append("\n")
        with Vertical(id="fleet-results-dialog", classes="dialog"):
            yield Static(head, id="fleet-results-head")
            with VerticalScroll(id="fleet-results"):
                yield Static(lines, id="fleet-results-lines")
            hint = "u undoes this · esc closes" if entry.reversible else "esc closes"
            yield Static(Text(hint, style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_undo(self) -> None:
        """`u` right here: close and ask to undo this action (when it is reversible)."""
        self.dismiss("undo" if self.entry.reversible else None)


class FleetMenuModal(ModalScreen[str | None]):
    """Which action for the marked connections; unavailable ones are disabled with the reason."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close", show=False)]

    def __init__(self, title: str, reasons: dict[str, str | None]) -> None:
        super().__init__()
        self._title, self._reasons = title, reasons

    def compose(self) -> ComposeResult:
        with Vertical(id="fleet-menu", classes="dialog"):
            yield Label(Text(self._title, style="bold"))
            options = []
            for action_id, label, description in MENU_ACTIONS:
                reason = self._reasons.get(action_id)
                prompt = Text.assemble((label, "bold"), "  ", (description, "dim"))
                if action_id in DESTRUCTIVE:
                    prompt.append("  destructive", style="bold red")
                if reason:
                    prompt.append(f"\n  unavailable: {reason}", style="italic")
                options.append(Option(prompt, id=action_id, disabled=bool(reason)))
            yield OptionList(*options, id="fleet-menu-options")
            yield Static(Text("enter choose · esc cancel", style="dim"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)


class StreamPickerModal(ModalScreen[tuple[list[str], str] | None]):
    """Choose streams from the connection's catalog (none chosen = all), and the refresh mode."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close", show=False)]

    def __init__(self, title: str, streams: Sequence[str], *, with_mode: bool) -> None:
        super().__init__()
        self._title, self._streams, self._with_mode = title, list(streams), with_mode

    def compose(self) -> ComposeResult:
        with Vertical(id="fleet-streams", classes="dialog"):
            yield Label(Text(self._title, style="bold"))
            yield SelectionList[str](*((clean(s), s) for s in self._streams), id="fleet-stream-list")
            if self._with_mode:
                with RadioSet(id="fleet-mode"):
                    yield RadioButton("merge (keep loaded rows)", value=True, id="mode-merge")
                    yield RadioButton("truncate (delete first)", id="mode-truncate")
            yield Static(
                Text(
                    "space toggles a stream (none = all streams) · enter on Continue · esc cancels",
                    style="dim",
                )
            )
            with Horizontal(id="confirm-buttons"):
                yield Button("Continue", id="continue", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id != "continue":
            self.dismiss(None)
            return
        chosen = list(self.query_one("#fleet-stream-list", SelectionList).selected)
        mode = "merge"
        if self._with_mode and self.query_one("#mode-truncate", RadioButton).value:
            mode = "truncate"
        self.dismiss(([str(s) for s in chosen], mode))

    def action_close(self) -> None:
        self.dismiss(None)


class ScheduleModal(ModalScreen[ScheduleChange | None]):
    """Type `manual`, an interval (`6h`) or a cron; the schedule is shown in words as you type."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close", show=False)]

    def __init__(self, title: str) -> None:
        super().__init__()
        self._title = title
        self.change: ScheduleChange | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="fleet-schedule", classes="dialog"):
            yield Label(Text(self._title, style="bold"))
            yield Input(
                placeholder="manual · 6h · 30m · 1d · cron: 0 0 6 ? * MON-FRI UTC",
                id="fleet-schedule-input",
            )
            yield Static(Text("type a schedule", style="dim"), id="fleet-schedule-preview")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @staticmethod
    def parse(text: str) -> ScheduleChange:
        text = text.strip()
        if not text:
            raise ScheduleError("type manual, an interval such as 6h, or a cron")
        if text.lower() == "manual":
            return ScheduleChange.manual()
        if len(text.split()) == 1:
            return ScheduleChange.every(text)
        return ScheduleChange.from_cron(text)

    @on(Input.Changed, "#fleet-schedule-input")
    def _preview(self, event: Input.Changed) -> None:
        preview = self.query_one("#fleet-schedule-preview", Static)
        try:
            self.change = self.parse(event.value)
        except ScheduleError as exc:
            self.change = None
            preview.update(Text(str(exc), style="italic"))
            return
        extra = f"  (cron {self.change.cron})" if self.change.cron else ""
        preview.update(
            Text.assemble(
                ("→ ", "dim"),
                (self.change.describe(), "bold"),
                (extra, "dim"),
                ("   enter to continue", "dim"),
            )
        )

    @on(Input.Submitted, "#fleet-schedule-input")
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        if self.change is not None:
            self.dismiss(self.change)

    def action_close(self) -> None:
        self.dismiss(None)
