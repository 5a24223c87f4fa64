"""The incident list: one row per incident the desk shows, the clock against the target
ticking every second.

A DataTable is right here: a desk holds tens of incidents, not thousands of units. Rows
are keyed by incident id, so the cursor stays on its incident when the order changes
(a new call above it, one closing below it).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from tui.desk_rows import COLUMNS, incident_cells
from tui.desk_view import DeskView
from tui.guard import guarded
from tui.model import ConsoleModel
from tui.table_rows import Cell


def cell_text(cell: Cell) -> Text:
    return Text(cell.text, cell.style, no_wrap=True, overflow="ellipsis")


class IncidentList(DataTable[Text]):
    def __init__(self, model: ConsoleModel, view: DeskView, wall: Callable[[], float],
                 **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.model = model
        self.view = view
        self.wall = wall
        self.order: list[str] = []
        self._cells: dict[str, tuple[Cell, ...]] = {}

    def on_mount(self) -> None:
        for column in COLUMNS:
            self.add_column(column.title, width=column.width, key=column.key)

    @property
    def selected_id(self) -> str | None:
        """The incident under the cursor."""
        if not self.row_count:
            return None
        row = min(max(self.cursor_row, 0), self.row_count - 1)
        key, _ = self.coordinate_to_cell_key(Coordinate(row, 0))
        return key.value

    def select_incident(self, incident_id: str) -> None:
        if incident_id in self.order:
            self.move_cursor(row=self.order.index(incident_id))

    def _cells_of(self, incident_id: str, now: float) -> tuple[Cell, ...]:
        inc = self.model.incidents.incidents[incident_id]
        return incident_cells(inc, now, proposal=self.view.proposal(inc.id) is not None,
                              stale=bool(self.view.stale(inc)))

    @guarded()
    def refresh_rows(self) -> None:
        """Re-read every shown incident (a desk's worth: cheap); rebuild on a new order."""
        now = self.wall()
        order = [inc.id for inc in self.model.incidents.shown(now)]
        if order != self.order:
            self._rebuild(order, now)
            return
        for incident_id in order:
            cells = self._cells_of(incident_id, now)
            old = self._cells.get(incident_id)
            for column, cell, before in zip(COLUMNS, cells, old or cells, strict=True):
                if old is None or cell != before:
                    self.update_cell(incident_id, column.key, cell_text(cell))
            self._cells[incident_id] = cells

    def _rebuild(self, order: list[str], now: float) -> None:
        keep = self.selected_id
        self.clear()
        self._cells = {}
        for incident_id in order:
            cells = self._cells_of(incident_id, now)
            self._cells[incident_id] = cells
            self.add_row(*(cell_text(c) for c in cells), key=incident_id)
        self.order = order
        if keep in order:
            self.move_cursor(row=order.index(keep), animate=False)
