"""The new-call form: where (a key site by name, typed ``lat, lon``, or a pick on the
map), what (category, priority), notes and the caller's reference.

Enter in any field checks the call with the same rules the core applies (``check``
returns the problem, or None) and, if it passes, dismisses with the draft; ctrl+o
dismisses with ``pick=True`` so the caller can let the operator pick on the map and
open the form again with the point filled in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Select

from fleet.model import KeySite
from tui.call_parse import CallDraft


def category_options(categories: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(``Violent crime · violent_crime · P1``, id), most urgent first."""
    cats = sorted(categories.values(), key=lambda c: (c.priority, c.id))
    return [(f"{c.name} · {c.id} · P{c.priority}", c.id) for c in cats]


class CallScreen(ModalScreen[CallDraft | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+o", "pick", "Pick on map"),
    ]

    def __init__(self, draft: CallDraft, sites: Sequence[KeySite],
                 categories: Mapping[str, Any], check: Callable[[CallDraft], str | None],
                 ) -> None:
        super().__init__()
        self.draft = draft
        self.sites = list(sites)
        self.categories = dict(categories)
        self.check = check

    def compose(self) -> ComposeResult:
        d = self.draft
        names = [s.name for s in self.sites]
        with Vertical(id="dialog", classes="wide call-form"):
            yield Label("New call", id="dialog-title")
            with Horizontal(classes="field"):
                yield Label("Location", classes="field-label")
                yield Input(d.location, id="location", compact=True,
                            placeholder="key site name, or lat, lon",
                            suggester=SuggestFromList(names, case_sensitive=False))
            yield Label("key site (→ completes), lat, lon, or ctrl+o: pick on the map",
                        classes="hint")
            with Horizontal(classes="field"):
                yield Label("Category", classes="field-label")
                yield Select(category_options(self.categories), id="category", compact=True,
                             prompt="choose (enter opens the list)",
                             value=d.category if d.category in self.categories
                             else Select.NULL)
            with Horizontal(classes="field"):
                yield Label("Priority", classes="field-label")
                yield Input(d.priority, id="priority", compact=True, max_length=1,
                            restrict="[1-5]?", placeholder=self._default_priority())
                yield Label("Caller ref", classes="field-label")
                yield Input(d.ref, id="ref", compact=True, placeholder="e.g. 110-2025-004217")
            with Horizontal(classes="field"):
                yield Label("Notes", classes="field-label")
                yield Input(d.notes, id="notes", compact=True, placeholder="what the caller said")
            yield Label("", id="error")
            with Horizontal(id="buttons"):
                yield Button("Recommend (enter)", variant="success", id="submit",
                             compact=True)
                yield Button("Pick on map (ctrl+o)", id="pick", compact=True)
                yield Button("Cancel (esc)", variant="primary", id="cancel", compact=True)

    def on_mount(self) -> None:
        first = "#category" if self.draft.location and self.draft.category is None \
            else "#location"
        self.query_one(first).focus()

    def _default_priority(self, category: str | None = None) -> str:
        cat = self.categories.get(category or self.draft.category or "")
        return f"P{cat.priority} (category)" if cat is not None else "1-5, default: category"

    def current(self, *, pick: bool = False) -> CallDraft:
        select = self.query_one("#category", Select)
        category = None if select.is_blank() else str(select.value)
        return CallDraft(
            location=self.query_one("#location", Input).value,
            category=category,
            priority=self.query_one("#priority", Input).value,
            notes=self.query_one("#notes", Input).value,
            ref=self.query_one("#ref", Input).value,
            pick=pick,
        )

    @on(Select.Changed, "#category")
    def _category_changed(self, event: Select.Changed) -> None:
        value = None if event.select.is_blank() else str(event.value)
        self.query_one("#priority", Input).placeholder = self._default_priority(value)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_submit()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        {"submit": self.action_submit, "pick": self.action_pick,
         "cancel": self.action_cancel}[event.button.id or "cancel"]()

    def action_submit(self) -> None:
        draft = self.current()
        problem = self.check(draft)
        if problem:
            self.query_one("#error", Label).update(problem)
            return
        self.dismiss(draft)

    def action_pick(self) -> None:
        self.dismiss(dataclasses.replace(self.current(), pick=True))

    def action_cancel(self) -> None:
        self.dismiss(None)
