"""Modal screens: confirm, job-type chooser, help, profile switch.

Why every server-side action goes through `ConfirmModal`: k9s users nearly
deleted production objects with unconfirmed keys (k9s #87, #319), so trigger,
reset, clear and cancel always name the connection and the job and wait for
an explicit yes. Destructive job types are flagged in red, and every dialog
starts on "No", so a reflexive `enter` does nothing harmful.
All user data (connection names) arrives here as `Text`, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList, Static
from textual.widgets.option_list import Option

from airsync_tui.providers.base import JobTypeOption
from airsync_tui.ui.bindings import SCOPE_TITLES, help_rows


class ConfirmModal(ModalScreen[bool]):
    """Yes/No with the exact action spelled out; `y`/`n` work too."""

    BINDINGS = [
        Binding("escape", "answer(False)", "No", show=False),
        Binding("n", "answer(False)", "No", show=False),
        Binding("y", "answer(True)", "Yes", show=False),
    ]

    def __init__(
        self, title: str, question: Text, *, destructive: bool = False, detail: Text | None = None, yes_label: str = "Yes"
    ) -> None:
        super().__init__(classes="destructive" if destructive else "")
        self._title = title
        self._question = question
        self._detail = detail
        self._destructive = destructive
        self._yes_label = yes_label

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog", classes="dialog"):
            yield Label(Text(self._title, style="bold"), id="confirm-title")
            yield Static(self._question, id="confirm-question")
            if self._destructive:
                yield Static(
                    Text("⚠ Destructive: this deletes synced data in the destination.", style="bold"),
                    id="confirm-warning",
                )
            if self._detail is not None:
                yield Static(self._detail, id="confirm-detail")
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self._yes_label} (y)", id="yes", variant="error" if self._destructive else "primary")
                yield Button("No (n)", id="no", variant="default")

    def on_mount(self) -> None:
        # One rule for every dialog: the focus starts on the harmless answer, so a
        # reflexive Enter never cancels, resets or starts anything (`y` confirms).
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    @property
    def question_text(self) -> str:
        return self._question.plain


class JobTypeModal(ModalScreen[str | None]):
    """Pick sync / reset / clear; unavailable types are listed, disabled, with the reason."""

    BINDINGS = [Binding("escape", "close", "Close", show=False)]

    def __init__(self, connection_label: Text, options: Sequence[JobTypeOption]) -> None:
        super().__init__()
        self._label = connection_label
        self._options = list(options)

    def compose(self) -> ComposeResult:
        with Vertical(id="jobtype-dialog", classes="dialog"):
            yield Label(Text.assemble(("Start which job for ", "bold"), self._label, ("?", "bold")), id="jobtype-title")
            items: list[Option] = []
            for option in self._options:
                prompt = Text.assemble((option.label, "bold"), "  ", (option.description, "dim"))
                if option.destructive:
                    prompt.append("  destructive", style="bold red")
                if not option.available:
                    prompt.append(f"\n  unavailable: {option.unavailable_reason or 'not supported'}", style="italic")
                items.append(Option(prompt, id=option.id, disabled=not option.available))
            yield OptionList(*items, id="jobtype-options")
            yield Static(Text("enter choose · esc cancel", style="dim"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)


class ProfileModal(ModalScreen[str | None]):
    """Choose another profile/workspace; the current one is marked and disabled."""

    BINDINGS = [Binding("escape", "close", "Close", show=False)]

    def __init__(self, profiles: Sequence[str], current: str) -> None:
        super().__init__()
        self._profiles = list(profiles)
        self._current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="profile-dialog", classes="dialog"):
            yield Label(Text("Switch profile", style="bold"))
            yield OptionList(
                *(
                    Option(Text(f"{name}  (current)" if name == self._current else name), id=name, disabled=name == self._current)
                    for name in self._profiles
                ),
                id="profile-options",
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
    """Every key, rendered from the binding registry; scrolls on small terminals (dolphie #1)."""

    BINDINGS = [
        Binding("escape", "close", "Close", show=False),
        Binding("q", "close", "Close", show=False),
        Binding("question_mark", "close", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog", classes="dialog"):
            yield Label(Text("Keys", style="bold"), id="help-title")
            with VerticalScroll(id="help-scroll"):
                yield Static(self._table(), id="help-table")
            yield Static(Text("esc / q / ? close · ↑↓ pgup pgdn home end scroll", style="dim"))

    @staticmethod
    def _table() -> Table:
        """A Rich table: long help texts wrap instead of scrolling sideways."""
        table = Table(box=None, expand=True, show_edge=False, pad_edge=False, header_style="bold")
        table.add_column("Where", no_wrap=True)
        table.add_column("Key", no_wrap=True, style="bold")
        table.add_column("Action", no_wrap=True)
        table.add_column("What it does", ratio=1)
        last_scope = ""
        for scope, key, description, help_text in help_rows():
            if scope != last_scope and last_scope:
                table.add_row("", "", "", "")
            table.add_row(Text(scope if scope != last_scope else "", style="bold"), Text(key), Text(description), Text(help_text))
            last_scope = scope
        return table

    @property
    def row_count(self) -> int:
        return len(help_rows())

    def on_mount(self) -> None:
        self.query_one("#help-scroll", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)


__all__ = ["ConfirmModal", "JobTypeModal", "ProfileModal", "HelpScreen", "SCOPE_TITLES"]
