"""The main screen's side of the incident desk: switching the left column between the
units table and the desk, opening an incident (in the desk and on the map), the header's
incident counts, and the screen-wide desk keys (``n`` new call, ``i`` incidents).

A mixin of :class:`tui.screens.main.MainScreen`, kept apart so each file stays small.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.binding import Binding
from textual.widgets import ContentSwitcher

from tui.guard import guarded

if TYPE_CHECKING:
    from tui.desk_flow import DeskFlow
    from tui.desk_view import DeskView
    from tui.model import ConsoleModel
    from tui.widgets import CityMapView, HeaderBar, UnitTable
    from tui.widgets.desk_pane import DeskPane

DESK_VIEW_BINDINGS = [
    Binding("n", "new_call", "New call", tooltip="New call: take an incident (the call form)"),
    Binding("i", "incidents", "Incidents",
            tooltip="Incidents: switch the left column between units and the incident desk"),
]


class DeskControl:
    """What MainScreen does for the desk (it provides these attributes)."""

    model: ConsoleModel
    desk: DeskFlow | None
    desk_view: DeskView
    header: HeaderBar
    table: UnitTable
    city: CityMapView
    desk_pane: DeskPane
    query_one: Any
    set_class: Any
    notify: Any
    run_worker: Any

    @property
    def showing_desk(self) -> bool:
        return self.query_one(ContentSwitcher).current == "desk"

    def _count_incidents(self) -> None:
        view = self.desk_view
        if view.configured:
            self.header.incidents = (*self.model.incidents.counts(view.wall()),
                                     view.available)

    def _tick_incidents(self) -> None:
        """Once a second: counts, clocks, and the markers' colours (one may turn late)."""
        if not self.desk_view.configured:
            return
        self.model.incidents.prune(self.desk_view.wall())
        self._count_incidents()
        if self.showing_desk:
            self.desk_pane.tick()
        if self.model.incidents.on_map():
            self.city.incidents_changed()

    @guarded()
    def action_incidents(self) -> None:
        """Switch the left column between the units table and the incident desk."""
        self.show_desk(not self.showing_desk)

    def show_desk(self, desk: bool) -> None:
        self.query_one(ContentSwitcher).current = "desk" if desk else "table"
        self.set_class(desk, "desk")
        if desk:
            self.desk_pane.tick()
            self.desk_pane.focus_list()
        else:
            self.table.focus()

    def show_incident(self, incident_id: str) -> None:
        """Open the desk on ``incident_id`` and show it on the map."""
        self.show_desk(True)
        self.desk_pane.select(incident_id)
        self.city.set_selected_incident(incident_id)
        self.fit_incident(incident_id)

    def fit_incident(self, incident_id: str | None) -> None:
        """The map shows the incident and the units on it."""
        inc = self.model.incidents.get(incident_id)
        if inc is None:
            return
        points = [(inc.lat, inc.lon)]
        for a in inc.active:
            snap = self.model.units.get(a.unit_id)
            if snap is not None and snap.telemetry is not None:
                points.append((snap.telemetry.lat_deg, snap.telemetry.lon_deg))
        self.city.fit_points(points)

    @guarded()
    def action_new_call(self) -> None:
        if self.desk is None or not self.desk_view.available:
            self.notify(self.desk_view.status_line() or "Dispatch is not available.",
                        severity="warning")
            return
        self.run_worker(self.desk.take_call(), group="desk", exit_on_error=False)

    def desk_action(self, name: str) -> None:
        """Run a desk action on the selected incident (the palette's way in)."""
        self.show_desk(True)
        self.desk_pane.action_desk(name)
