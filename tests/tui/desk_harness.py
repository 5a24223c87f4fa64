"""Reading and driving the incident desk under a pilot (the desk's tests share these)."""

from __future__ import annotations

import io

from console_harness import Console
from fake_desk import FakeDesk
from rich.console import Console as RichConsole
from textual.widgets import Input, Select

from tui.screens.call_form import CallScreen
from tui.screens.recommendation import RecommendationScreen
from tui.widgets.desk_pane import DeskPane
from tui.widgets.incident_detail import IncidentDetail
from tui.widgets.incident_list import IncidentList


def pane(c: Console) -> DeskPane:
    return c.main.query_one(DeskPane)


def rows(c: Console) -> list[list[str]]:
    table = c.main.query_one(IncidentList)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def detail_text(c: Console) -> str:
    out = RichConsole(width=120, record=True, file=io.StringIO())
    out.print(c.main.query_one(IncidentDetail).render())
    return out.export_text()


def notes(c: Console) -> str:
    return "\n".join(n.message for n in c.app._notifications)


def kinds(desk: FakeDesk) -> list[str]:
    return [kind for kind, _, _ in desk.actions]


async def screen_is(c: Console, kind: type) -> object:
    await c.until(lambda: isinstance(c.app.screen, kind), what=kind.__name__)
    return c.app.screen


async def open_form(c: Console) -> CallScreen:
    await c.press("n")
    return await screen_is(c, CallScreen)  # type: ignore[return-value]


async def submit_form(c: Console, form: CallScreen, location: str, category: str,
                      **fields: str) -> RecommendationScreen:
    form.query_one("#location", Input).value = location
    form.query_one("#category", Select).value = category
    for name, value in fields.items():
        form.query_one(f"#{name}", Input).value = value
    form.query_one("#notes", Input).focus()
    await c.press("enter")
    return await screen_is(c, RecommendationScreen)  # type: ignore[return-value]


async def select_incident(c: Console, incident_id: str) -> None:
    if not c.main.showing_desk:
        await c.press("i")
    pane(c).select(incident_id)
    pane(c).focus_list()
    await c.until(lambda: pane(c).selected == incident_id)


