"""The help screen: every key the console answers to, read from the bindings themselves
so it cannot drift from what the keys do (docs/console.md is checked against it too)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

_NAMES = {
    "question_mark": "?", "slash": "/", "plus": "+", "minus": "-", "equals_sign": "=",
    "escape": "esc", "pageup": "PgUp", "pagedown": "PgDn", "space": "space",
    "enter": "enter", "home": "Home", "end": "End",
}

#: what the mouse and Textual's own keys do, which no BINDINGS of ours declare
EXTRA: dict[str, list[tuple[str, str]]] = {
    "Anywhere": [("ctrl+p", "Command palette: every command, filter and view by name"),
                 ("tab / shift+tab", "Move between table, map and alerts")],
    "Table (focused)": [("click", "Select a unit; click a column title to sort by it")],
    "Map (focused)": [("click", "Select the unit under the pointer (or pick the goto point)"),
                      ("wheel", "Zoom in / out"),
                      ("glyphs", "Units ^ drone, H helicopter, C command vehicle, P patrol "
                                 "car, m motorcycle, B command boat, b patrol boat; * key "
                                 "site, ⌂ base or home, × target, o route, @ incident")],
    "Incident desk (i; its keys act on the incident under the cursor)": [
        ("up / down", "Move between incidents"),
        ("enter", "Show the incident: the map fits it and its units; on a narrow screen "
                  "its detail takes the desk (enter or esc: back)")],
    "Call form": [("tab / shift+tab", "Next / previous field"),
                  ("right", "Accept the key site name suggested"),
                  ("ctrl+o", "Pick the location on the map"),
                  ("enter", "Check the call and show the recommendation")],
}


def key_text(key: str) -> str:
    return "/".join(_NAMES.get(k.strip(), k.strip()) for k in key.split(","))


def rows(bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
    out = []
    for b in bindings:
        binding = b if isinstance(b, Binding) else Binding(*b)
        out.append((key_text(binding.key),
                    binding.tooltip or binding.description or binding.action))
    return out


def keymap() -> list[tuple[str, list[tuple[str, str]]]]:
    """(section, [(keys, what they do)]) for every binding of the console."""
    from tui.app import FleetConsole
    from tui.screens.main import COMMAND_BINDINGS, MAP_VIEW_BINDINGS, VIEW_BINDINGS
    from tui.screens.main_desk import DESK_VIEW_BINDINGS
    from tui.screens.recommendation import RecommendationScreen
    from tui.screens.schedules import ScheduleScreen
    from tui.widgets import AlertsLog, CityMapView, UnitTable
    from tui.widgets.desk_pane import DESK_BINDINGS

    sections = [
        ("Anywhere", rows(FleetConsole.BINDINGS)),
        ("Incidents", rows(DESK_VIEW_BINDINGS)),
        ("Incident desk (i; its keys act on the incident under the cursor)",
         rows(DESK_BINDINGS)),
        ("Call form", []),
        ("Recommendation (the confirmation)", rows(RecommendationScreen.BINDINGS)),
        ("Commands (to the marked units, else the selected one)", rows(COMMAND_BINDINGS)),
        ("View", rows([*MAP_VIEW_BINDINGS, *VIEW_BINDINGS])),
        ("Schedules (S; its keys act on the schedule under the cursor)",
         rows(ScheduleScreen.BINDINGS)),
        ("Table (focused)", rows(UnitTable.BINDINGS)),
        ("Map (focused)", rows(CityMapView.BINDINGS)),
        ("Alerts (focused)", rows(AlertsLog.BINDINGS)),
        ("Dialogs", [("y", "Send (confirmation)"), ("n/esc", "Cancel"),
                     ("enter", "Accept the typed value or the highlighted choice")]),
    ]
    return [(name, entries + EXTRA.get(name, [])) for name, entries in sections]


def help_text() -> Text:
    """Sections, each a title and ``keys  what they do`` lines."""
    text = Text()
    for section, entries in keymap():
        text.append(f"{section}\n", "bold underline")
        width = max(len(keys) for keys, _ in entries)
        for keys, what in entries:
            text.append(f"  {keys:<{width}}  ", "bold cyan")
            text.append(f"{what}\n")
        text.append("\n")
    return text


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q", "close", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(Text("Keys  (esc or ? closes)", "bold"))
            yield Static(help_text())

    def action_close(self) -> None:
        self.dismiss(None)
