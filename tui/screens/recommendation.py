"""The recommendation, explained (the same lines the CLI prints), and the one
confirmation before anything is sent: dispatch it, choose the units instead, record the
call only (a new call), or go back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

DISPATCH, CHOOSE, RECORD = "dispatch", "choose", "record"


def explanation_text(lines: Sequence[str]) -> Text:
    """Units to send bold (red if they miss the target), alternates and notes dim, a
    missed target red, a met one green."""
    text = Text()
    for line in lines:
        body = line.strip()
        if body.startswith("send"):
            style = "red" if "MISSES" in body else "bold"
        elif body.startswith(("next", "not considered", "note:")) or line.startswith("    "):
            style = "dim"
        elif body.startswith(("NO UNIT", "short by")) or "target MISSED" in body:
            style = "bold red"
        elif "target met" in body:
            style = "bold green"
        else:
            style = ""
        text.append(line + "\n", style)
    text.rstrip()
    return text


class RecommendationScreen(ModalScreen[str | None]):
    """Dismisses with :data:`DISPATCH`, :data:`CHOOSE`, :data:`RECORD` or None (back)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "choose('dispatch')", "Dispatch"),
        Binding("u", "choose('choose')", "Choose units"),
        Binding("r", "choose('record')", "Record only"),
        Binding("escape,n", "choose('')", "Back"),
    ]

    def __init__(self, title: str, lines: Sequence[str], *, can_send: bool,
                 new_call: bool) -> None:
        super().__init__()
        self.title_text = title
        self.lines = list(lines)
        self.can_send = can_send
        self.new_call = new_call

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="wide"):
            yield Label(self.title_text, id="dialog-title")
            with VerticalScroll(id="explanation"):
                yield Static(explanation_text(self.lines))
            with Horizontal(id="buttons"):
                yield Button("Dispatch (y)", variant="success", id=DISPATCH, compact=True,
                             disabled=not self.can_send)
                yield Button("Choose units (u)", id=CHOOSE, compact=True)
                if self.new_call:
                    yield Button("Record only (r)", id=RECORD, compact=True)
                yield Button("Back (esc)", variant="primary", id="back", compact=True)

    def on_mount(self) -> None:
        self.query_one("#back", Button).focus()
        self._fit(self.app.size.height)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.height)

    def _fit(self, screen_rows: int) -> None:
        """The explanation scrolls in what the screen leaves, so the choices stay in
        sight at 80x24 (the dialog's frame, title and buttons take 8 of its rows)."""
        rows = int(screen_rows * 0.9) - 8
        self.query_one("#explanation").styles.max_height = max(3, min(28, rows))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose" and parameters:
            if parameters[0] == DISPATCH and not self.can_send:
                return False
            if parameters[0] == RECORD and not self.new_call:
                return False
        return True

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_choose(event.button.id or "")

    def action_choose(self, what: str) -> None:
        self.dismiss(what or None)
