"""The confirmation dialog for dangerous commands: exactly what goes to whom, and why
it is asked. Cancel has the focus, so an absent-minded enter sends nothing.

It shows any plan that can say what it will do: a command's (tui.command_plans.Plan) or
a mission load's (tui.plan_load.LoadPlan)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Protocol

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from tui.command_plans import CommandSpec


class Confirmable(Protocol):
    @property
    def spec(self) -> CommandSpec: ...
    @property
    def dangers(self) -> Sequence[str]: ...
    @property
    def skipped(self) -> Sequence[tuple[str, str]]: ...
    def describe(self) -> list[str]: ...


def plan_text(plan: Confirmable) -> Text:
    """The dialog's body: the sends, the warnings, and who is left out."""
    text = Text()
    text.append("Will send:\n", "bold")
    for line in plan.describe():
        text.append(f"  {line}\n")
    if plan.dangers:
        text.append("\nWarning:\n", "bold red")
        for danger in plan.dangers:
            text.append(f"  {danger}\n", "red")
    if plan.skipped:
        text.append("\nNot sent:\n", "bold")
        for name, why in plan.skipped:
            text.append(f"  {name}: {why}\n", "dim")
    return text


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True only on "Send" (or y)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Send"),
        Binding("n,escape", "answer(False)", "Cancel"),
    ]

    def __init__(self, plan: Confirmable) -> None:
        super().__init__()
        self.plan = plan

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="confirm"):
            yield Label(f"Confirm: {self.plan.spec.title}", id="dialog-title")
            yield Static(plan_text(self.plan), id="plan")
            with Horizontal(id="buttons"):
                yield Button("Send (y)", variant="error", id="send")
                yield Button("Cancel (n)", variant="primary", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "send")

    def action_answer(self, send: bool) -> None:
        self.dismiss(send)
