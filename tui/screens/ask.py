"""Small dialogs that ask the operator for the value a command needs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option


class AskScreen(ModalScreen[Any]):
    """A line of text, checked by ``parse`` (which raises ValueError with a message the
    operator can act on). Dismisses with the parsed value, or None on escape."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, prompt: str, parse: Callable[[str], Any], *,
                 placeholder: str = "", suggestions: Sequence[str] = (), value: str = "",
                 ) -> None:
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.parse = parse
        self.placeholder = placeholder
        self.suggestions = suggestions
        self.value = value

    def compose(self) -> ComposeResult:
        suggester = SuggestFromList(self.suggestions, case_sensitive=False) \
            if self.suggestions else None
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title")
            yield Label(self.prompt)
            yield Input(self.value, placeholder=self.placeholder, suggester=suggester,
                        id="answer")
            yield Label("", id="error")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            value = self.parse(event.value)
        except ValueError as exc:
            self.query_one("#error", Label).update(str(exc))
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceScreen(ModalScreen[Any]):
    """Pick one of ``choices`` ((label, value) pairs); None on escape."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, choices: Sequence[tuple[str, Any]]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title")
            yield OptionList(*(Option(text, id=str(i))
                               for i, (text, _) in enumerate(self.choices)), id="choices")

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[int(event.option.id or 0)][1])

    def action_cancel(self) -> None:
        self.dismiss(None)
