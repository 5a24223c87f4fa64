"""Choose the units to send yourself: the recommended ones come marked, the alternates
and every other free unit nearby follow; ``y`` sends the marked ones (the confirmation)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, SelectionList


class UnitPickerScreen(ModalScreen[list[str] | None]):
    """``candidates``: (label, unit id, marked at first). Dismisses with the marked ids."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "send", "Send marked"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, title: str, candidates: Sequence[tuple[str, str, bool]]) -> None:
        super().__init__()
        self.title_text = title
        self.candidates = list(candidates)
        self.names = {unit_id: text.split(" (")[0] for text, unit_id, _ in self.candidates}

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="wide"):
            yield Label(self.title_text, id="dialog-title")
            yield Label("space marks or unmarks; y sends the marked units; esc goes back",
                        classes="hint")
            yield SelectionList[str](*self.candidates, id="units")
            yield Label("", id="will-send")
            yield Label("", id="error")
            with Horizontal(id="buttons"):
                yield Button("Send marked (y)", variant="success", id="send", compact=True)
                yield Button("Back (esc)", variant="primary", id="back", compact=True)

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()
        self._show_marked()

    @property
    def marked(self) -> list[str]:
        return list(self.query_one(SelectionList).selected)

    @on(SelectionList.SelectedChanged)
    def _show_marked(self) -> None:
        names = ", ".join(self.names.get(u, u) for u in self.marked) or "nobody yet"
        self.query_one("#will-send", Label).update(f"will send: {names}")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "send":
            self.action_send()
        else:
            self.action_cancel()

    def action_send(self) -> None:
        if not self.marked:
            self.query_one("#error", Label).update("mark at least one unit (space)")
            return
        self.dismiss(self.marked)

    def action_cancel(self) -> None:
        self.dismiss(None)
