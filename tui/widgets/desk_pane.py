"""The incident desk: the list of incidents over the one under the cursor in full, and
the keys that act on it (they apply while the desk has the focus).

The actions themselves are :class:`tui.desk_flow.DeskFlow`'s, run in workers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable

from tui.desk_flow import DeskFlow
from tui.desk_view import DeskView
from tui.guard import guarded
from tui.model import ConsoleModel
from tui.widgets.incident_detail import IncidentDetail
from tui.widgets.incident_list import IncidentList

DESK_BINDINGS: list[BindingType] = [
    Binding("s", "desk('send')", "Send",
            tooltip="Send: the recommendation, explained; y dispatches it (one confirmation)"),
    Binding("u", "desk('choose_units')", "Units",
            tooltip="Choose the units to send (space marks, y sends)"),
    Binding("r", "desk('replace')", "Replace",
            tooltip="Replace a failed or lost unit by the proposed one (confirmed)"),
    Binding("c", "desk('clear')", "Clear",
            tooltip="Clear the incident with a disposition (its units are released)"),
    Binding("C", "desk('close')", "Close", tooltip="Close a cleared incident (confirmed)"),
    Binding("K", "desk('cancel')", "Cancel incident",
            tooltip="Cancel the incident, with a reason (confirmed; units released)"),
    Binding("N", "desk('note')", "Note", tooltip="Add a note to the incident"),
]


class DeskPane(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = DESK_BINDINGS

    class IncidentSelected(Message):
        """The cursor is on ``incident_id`` (None: the list is empty)."""

        def __init__(self, incident_id: str | None) -> None:
            super().__init__()
            self.incident_id = incident_id

    class IncidentChosen(Message):
        """Enter on ``incident_id``: show it."""

        def __init__(self, incident_id: str | None) -> None:
            super().__init__()
            self.incident_id = incident_id

    def __init__(self, model: ConsoleModel, view: DeskView, flow: DeskFlow | None,
                 wall: Callable[[], float], **kwargs) -> None:
        super().__init__(**kwargs)
        self.model = model
        self.view = view
        self.flow = flow
        self.wall = wall
        self.selected: str | None = None

    def compose(self) -> ComposeResult:
        yield IncidentList(self.model, self.view, self.wall, id="incidents")
        with VerticalScroll(id="incident-scroll"):
            yield IncidentDetail(self.model, self.view, self.wall, id="incident")

    @property
    def list(self) -> IncidentList:
        return self.query_one(IncidentList)

    @property
    def detail(self) -> IncidentDetail:
        return self.query_one(IncidentDetail)

    # -- data in -----------------------------------------------------------------------
    def update_incidents(self, changed: set[str]) -> None:
        self.list.refresh_rows()
        self._follow_cursor()
        if self.selected in changed:
            self.detail.refresh(layout=True)

    def tick(self) -> None:
        """Once a second: clocks, ETAs and distances move on."""
        self.list.refresh_rows()
        self._follow_cursor()
        self.detail.refresh(layout=True)

    def select(self, incident_id: str) -> None:
        self.list.refresh_rows()
        self.list.select_incident(incident_id)
        self._follow_cursor()

    def focus_list(self) -> None:
        self.list.focus()

    def _follow_cursor(self) -> None:
        selected = self.list.selected_id
        if selected != self.selected:
            self.selected = selected
            self.detail.show(selected)
            self.post_message(self.IncidentSelected(selected))

    # -- messages up ---------------------------------------------------------------------
    @on(DataTable.RowHighlighted, "#incidents")
    @guarded()
    def _highlighted(self) -> None:
        self._follow_cursor()

    @on(DataTable.RowSelected, "#incidents")
    @guarded()
    def _row_selected(self) -> None:
        self.post_message(self.IncidentChosen(self.selected))

    def expand_detail(self) -> None:
        """The detail takes the whole desk (small screens); enter or esc: back."""
        self.add_class("-detail-full")
        self.query_one("#incident-scroll").focus()

    def on_key(self, event: events.Key) -> None:
        if event.key in ("enter", "escape") and self.has_class("-detail-full"):
            self.remove_class("-detail-full")
            self.list.focus()
            event.stop()

    # -- actions -------------------------------------------------------------------------
    @guarded()
    def action_desk(self, name: str) -> None:
        if self.flow is None:
            self.notify(self.view.status_line(), severity="warning")
            return
        incident_id = self.selected
        if incident_id is None:
            self.notify("No incident selected (n takes a call).", severity="warning")
            return
        self.run_worker(getattr(self.flow, name)(incident_id), group="desk",
                        exit_on_error=False)
