"""A yes/no question about one incident action: what will happen, then y or n.

"No" has the focus, so an absent-minded enter changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class QuestionScreen(ModalScreen[bool]):
    """Dismisses with True only on the yes button (or y)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, title: str, lines: Sequence[str], yes: str = "Yes", *,
                 danger: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.lines = list(lines)
        self.yes = yes
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="confirm" if self.danger else ""):
            yield Label(self.title_text, id="dialog-title")
            yield Static(Text("\n".join(self.lines)), id="plan")
            with Horizontal(id="buttons"):
                yield Button(f"{self.yes} (y)", variant="error" if self.danger else "success",
                             id="yes", compact=True)
                yield Button("No (n)", variant="primary", id="no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
