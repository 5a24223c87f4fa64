"""How an incident ended (CAD practice: "report taken", "arrest made", ...): pick one
from the list, or "other" and type it; an optional note goes with it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

DISPOSITIONS: tuple[str, ...] = (
    "report taken", "arrest made", "resolved on scene", "advice given",
    "gone on arrival", "no trace", "referred to another agency", "false alarm",
)
OTHER = "other: type it below"


class DispositionScreen(ModalScreen[tuple[str, str] | None]):
    """Dismisses with (disposition, note), or None on escape."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, choices: Sequence[str] = DISPOSITIONS) -> None:
        super().__init__()
        self.title_text = title
        self.choices = [*choices, OTHER]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title")
            yield Label("Disposition (enter picks; tab to the note first if you add one):")
            yield OptionList(*(Option(c, id=str(i)) for i, c in enumerate(self.choices)),
                             id="choices")
            yield Input(placeholder="note (optional), or the disposition for 'other'",
                        id="note", compact=True)
            yield Label("", id="error")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def _highlighted(self) -> str | None:
        index = self.query_one(OptionList).highlighted
        return self.choices[index] if index is not None else None

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._finish(self.choices[int(event.option.id or 0)])

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self._finish(self._highlighted())

    def _finish(self, choice: str | None) -> None:
        typed = self.query_one("#note", Input).value.strip()
        if choice is None or choice == OTHER:
            if not typed:
                self.query_one("#error", Label).update("type the disposition below")
                self.query_one("#note", Input).focus()
                return
            self.dismiss((typed, ""))
            return
        self.dismiss((choice, typed))

    def action_cancel(self) -> None:
        self.dismiss(None)
