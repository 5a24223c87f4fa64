"""Where a plan comes from: a typed path, or one of the files and patrols offered.

The list is what the console found (plan files in the current directory, the sets
``fleet plan --drones N`` writes, the configured patrols); typing completes from it too.
``parse`` checks the choice at once (the file exists, reads, and its items are valid), so
a mistake is answered here, under the line, and the operator can type again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option


class PlanSourceScreen(ModalScreen[Any]):
    """Dismisses with ``parse``'s value, or None on escape."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    PlanSourceScreen #sources { height: auto; max-height: 10; }
    PlanSourceScreen #none { color: $text-muted; }
    """

    def __init__(self, title: str, prompt: str, parse: Callable[[str], Any],
                 choices: Sequence[str]) -> None:
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.parse = parse
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        suggester = SuggestFromList(self.choices, case_sensitive=False) if self.choices \
            else None
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title")
            yield Static(self.prompt)
            yield Input(placeholder="wanda.plan, ~/plans/x-d*-1.plan, patrol:<id>",
                        suggester=suggester, id="answer")
            yield Label("", id="error")
            if self.choices:
                yield Label("Found (tab, then enter to load):")
                yield OptionList(*(Option(c, id=str(i)) for i, c in enumerate(self.choices)),
                                 id="sources")
            else:
                yield Label("No .plan or .waypoints file here, and no patrol configured.",
                            id="none")

    def on_mount(self) -> None:
        self.query_one("#answer", Input).focus()

    def _try(self, text: str) -> None:
        try:
            value = self.parse(text)
        except ValueError as exc:
            self.query_one("#error", Label).update(str(exc))
            return
        self.dismiss(value)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self._try(event.value)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        text = self.choices[int(event.option.id or 0)]
        self.query_one("#answer", Input).value = text
        self._try(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
