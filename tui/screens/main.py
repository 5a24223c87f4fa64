"""The main screen: header, filter, table (or the incident desk) and alerts on the left,
map and detail on the right, footer. It owns the selection and routes widget messages;
the app's timer hands it what changed (:meth:`MainScreen.apply`).

Below :data:`NARROW_W` columns the right column is hidden (the left one, table or desk,
takes the screen) and comes back full width while a point is picked on the map, or for
as long as the operator wants it (``V``, which on a wide screen gives the map the whole
width). Above it the left column leaves the map at least 48 columns (:mod:`tui.layout`).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Input

from fleet.city_time import zone_label
from fleet.events import Severity
from tui.cells import clock
from tui.command_plans import SPEC_BY_NAME, SPECS, Ask, CommandSpec
from tui.desk_view import DeskView
from tui.guard import guarded
from tui.layout import NARROW_W, left_width
from tui.map_layers import Scenery
from tui.model import Changes, ConsoleModel, Targets, count, names
from tui.screens.main_desk import DESK_VIEW_BINDINGS, DeskControl
from tui.screens.question import QuestionScreen
from tui.widgets import AlertsLog, CityMapView, HeaderBar, UnitDetail, UnitTable
from tui.widgets.desk_pane import DeskPane
from tui.widgets.header_bar import link_rows
from tui.widgets.unit_table import WIDTH as TABLE_W

if TYPE_CHECKING:
    from tui.command_flow import CommandFlow
    from tui.desk_flow import DeskFlow

#: the fewest rows that leave the map room to pick a point: header 3, filter 1, footer 1
#: and the map's min-height 8 (its border and 6 rows); below it a pick is typed instead
PICK_MIN_H = 13

#: commands shown in the footer; the rest are in the help screen and the palette
FOOTER_COMMANDS = frozenset({"arm", "disarm", "takeoff", "goto", "rtl", "land", "status"})

#: first in the footer, so a narrow screen (where it is most needed) still shows it
MAP_VIEW_BINDINGS = [
    Binding("V", "map_view", "Map/table",
            tooltip="Map/table: the map full width (narrow screens: instead of the table "
                    "or desk); again: back"),
]
VIEW_BINDINGS = [
    Binding("slash", "focus_filter", "Filter", key_display="/"),
    Binding("escape", "escape", "Cancel/unmark", show=False),
    Binding("M", "mark_all", "Mark all shown", show=False),
    Binding("o", "sort_next", "Sort", show=False),
    Binding("O", "sort_reverse", "Reverse sort", show=False),
    Binding("f", "follow", "Follow"),
    Binding("0", "fit_all", "Fit all"),
    Binding("plus,equals_sign", "zoom(1.5)", "Zoom in", key_display="+", show=False),
    Binding("minus", "zoom(0.6666667)", "Zoom out", key_display="-", show=False),
    Binding("x", "ack", "Ack alert"),
    Binding("X", "ack_all", "Ack all alerts", show=False),
    Binding("v", "severity", "Alert severity filter", show=False),
    Binding("S", "schedules", "Schedules", show=False,
            tooltip="Schedules: next runs, pause, skip, run now, replace a handed-over unit"),
]
COMMAND_BINDINGS = [
    Binding(spec.key, f"command('{spec.name}')", spec.label,
            show=spec.name in FOOTER_COMMANDS, tooltip=spec.title) for spec in SPECS
]


class MainScreen(DeskControl, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [*MAP_VIEW_BINDINGS, *DESK_VIEW_BINDINGS,
                                             *COMMAND_BINDINGS, *VIEW_BINDINGS]
    header: HeaderBar
    table: UnitTable
    city: CityMapView
    detail: UnitDetail
    alerts: AlertsLog
    desk_pane: DeskPane

    def __init__(self, model: ConsoleModel, scenery: Scenery, flow: CommandFlow,
                 fleet_name: str = "", *, desk: DeskFlow | None = None,
                 desk_view: DeskView | None = None) -> None:
        super().__init__()
        self.model = model
        self.scenery = scenery
        self.flow = flow
        self.desk = desk
        self.desk_view = desk_view or DeskView(None, model, flow.service.wall)
        self.fleet_name = fleet_name
        self.selected: str | None = None
        self._pick: asyncio.Future[tuple[float, float] | None] | None = None
        self._second = -1

    def compose(self) -> ComposeResult:
        service = self.flow.service
        yield HeaderBar(id="header")
        yield Input(placeholder="/ filter: words, kind:drone,boat group:rp08 status:lost "
                    "(enter or esc returns to the table)", id="filter", compact=True)
        with Horizontal(id="body"):
            with Vertical(id="left"):
                with ContentSwitcher(initial="table", id="switcher"):
                    yield UnitTable(self.model, service.monotonic, id="table")
                    yield DeskPane(self.model, self.desk_view, self.desk, service.wall,
                                   id="desk")
                yield AlertsLog(self.model.alerts, id="alerts")
            with Vertical(id="right"):
                yield CityMapView(self.model, self.scenery, self.flow.routes,
                                  wall=service.wall, id="map")
                yield UnitDetail(self.model, service.monotonic, id="detail")
        yield Footer()

    def on_mount(self) -> None:
        # held, not queried per frame: cheaper, and a frame during shutdown finds them
        self.header = self.query_one(HeaderBar)
        self.table = self.query_one(UnitTable)
        self.city = self.query_one(CityMapView)
        self.detail = self.query_one(UnitDetail)
        self.alerts = self.query_one(AlertsLog)
        self.desk_pane = self.query_one(DeskPane)
        self.header.fleet_name = self.fleet_name
        self.desk_pane.border_title = "Incidents"
        self.alerts.border_title = "Alerts"
        self.detail.border_title = "Unit"
        self.table.focus()

    # -- data down -----------------------------------------------------------------
    @property
    def ready(self) -> bool:
        """Mounted, with its widgets at hand (the app holds changes back until then)."""
        return hasattr(self, "header")

    def apply(self, changes: Changes) -> None:
        """Redraw what changed; called by the app's refresh timer once :attr:`ready`."""
        units = changes.units
        cursor_moved = self.table.update_units(units)
        self.city.update_units(units)
        self.detail.update_unit(units)
        if units:
            self.header.set_units(self.model.units.values())
        if units or cursor_moved:
            self._follow_table(cursor_moved)
        if changes.alerts:
            self.alerts.update_alerts()
            self.header.unseen = self.model.alerts.unseen()
        if changes.links:
            self.header.set_links(link_rows(self.flow.service.links()))
        if changes.incidents:
            self.desk_pane.update_incidents(changes.incidents)
            self.city.incidents_changed()
            self._count_incidents()
        now = self.flow.service.wall()
        shown = f"{clock(now)} {zone_label(now)}"
        if shown != self.header.clock:  # once a second, not every frame
            self.header.clock = shown
            counters = getattr(self.flow.service, "counters", None)
            if counters is not None:  # the core's refusals, shown on the links line
                self.header.set_counters(counters())
        second = int(self.flow.service.monotonic())
        if second != self._second:  # ages and incident clocks move on once a second
            self._second = second
            self.table.tick()
            self.detail.refresh()
            self._tick_incidents()

    def select(self, unit_id: str | None, *, from_table: bool = False) -> bool:
        """Make ``unit_id`` the selected unit (table cursor, map, detail). A unit the
        filter hides is not selected (the operator is told why): the detail and the
        commands never refer to a unit the table does not show. True if selected."""
        if unit_id is not None and not self.table.shows(unit_id):
            self.notify(f"{self.model.callsign(unit_id)} is hidden by the filter "
                        f"“{self.table.filter_text}”: change it (/) to select it.",
                        severity="warning")
            return False
        self.selected = unit_id
        if not from_table:
            self.table.select_unit(unit_id)
        self.city.set_selected(unit_id)
        self.detail.show(unit_id)
        return True

    def _follow_table(self, cursor_moved: bool) -> None:
        """After the table's rows changed: the selection is the table's cursor when the
        filter took the selected unit away (the row in its place, or none), and the first
        row when nothing is selected."""
        if cursor_moved:
            self.select(self.table.cursor_id, from_table=True)
        if self.selected is None and self.table.shown_ids:
            self.select(self.table.shown_ids[0])

    # -- messages up ---------------------------------------------------------------
    @on(UnitTable.Highlighted)
    @guarded()
    def _table_highlighted(self, event: UnitTable.Highlighted) -> None:
        self.select(event.unit_id, from_table=True)

    @on(UnitTable.MarksChanged)
    @guarded()
    def _marks_changed(self) -> None:
        self.city.update_units(self.model.marked | {self.selected or ""})

    @on(CityMapView.UnitClicked)
    @guarded()
    def _map_clicked(self, event: CityMapView.UnitClicked) -> None:
        self.select(event.unit_id)

    @on(AlertsLog.UnitChosen)
    @guarded()
    def _alert_chosen(self, event: AlertsLog.UnitChosen) -> None:
        self.select(event.unit_id)

    @on(DeskPane.IncidentSelected)
    @guarded()
    def _incident_selected(self, event: DeskPane.IncidentSelected) -> None:
        self.city.set_selected_incident(event.incident_id)

    @on(DeskPane.IncidentChosen)
    @guarded()
    def _incident_chosen(self, event: DeskPane.IncidentChosen) -> None:
        """Enter on an incident: the map shows it (a narrow screen: its detail, in full)."""
        if self.has_class("narrow"):
            self.desk_pane.expand_detail()
        else:
            self.fit_incident(event.incident_id)

    @on(CityMapView.PointPicked)
    @guarded()
    def _point_picked(self, event: CityMapView.PointPicked) -> None:
        if self._pick is not None and not self._pick.done():
            self._pick.set_result((event.lat, event.lon))

    @on(Input.Changed, "#filter")
    @guarded()
    def _filter_changed(self, event: Input.Changed) -> None:
        self._follow_table(self.table.set_filter_text(event.value))

    @on(Input.Submitted, "#filter")
    @guarded()
    def _filter_submitted(self) -> None:
        self.table.focus()

    # -- picking a point on the map ---------------------------------------------------
    async def pick_point(self, purpose: str = "goto") -> tuple[float, float] | None:
        """Wait for the operator to click the map or press enter at its crosshair;
        None if they press escape. (On a narrow screen the map shows meanwhile.)"""
        self._cancel_pick()
        self._pick = asyncio.get_running_loop().create_future()
        city = self.city
        back = self.focused
        self.add_class("picking")
        city.start_picking(purpose)
        city.focus()
        try:
            return await self._pick
        finally:
            city.stop_picking()
            self.remove_class("picking")
            self._pick = None
            if back is not None and back.is_attached and back.display:
                back.focus()

    def on_resize(self) -> None:
        narrow = self.size.width < NARROW_W
        self.set_class(narrow, "narrow")
        # narrow: the stylesheet's full width; wide: the table's, leaving the map its share
        self.query_one("#left").styles.width = None if narrow else left_width(
            self.size.width, TABLE_W)

    # -- the map full width (V) --------------------------------------------------------
    @property
    def map_view(self) -> bool:
        """Whether the map has the left column's place too (``V``)."""
        return self.has_class("map-view")

    @guarded()
    def action_map_view(self) -> None:
        self.show_map_view(not self.map_view)

    def show_map_view(self, on: bool) -> None:
        """The map in the left column's place (on a narrow screen, the unit detail's
        too), or back: the focus goes with what shows."""
        if on == self.map_view:
            return
        self.set_class(on, "map-view")
        if on:
            self.city.focus()
        elif self.showing_desk:
            self.desk_pane.focus_list()
        else:
            self.table.focus()

    def _map_on_screen(self) -> None:
        """A map key on a narrow screen showing the table brings the map up."""
        if self.has_class("narrow") and not self.map_view:
            self.show_map_view(True)

    def show_desk(self, desk: bool) -> None:
        """The desk (or the table) is in the left column: that column shows again."""
        self.set_class(False, "map-view")
        super().show_desk(desk)

    def _cancel_pick(self) -> bool:
        if self._pick is not None and not self._pick.done():
            self._pick.set_result(None)
            return True
        return False

    # -- actions ---------------------------------------------------------------------
    @property
    def can_pick(self) -> bool:
        """Whether the map has room to pick a point on (it comes up on a narrow screen)."""
        return self.size.height >= PICK_MIN_H

    def command_targets(self) -> Targets:
        """Who a unit command goes to now: the marked units the table shows, else the
        selected unit if the table shows it; nobody (``why``) while the units are off the
        screen (the incident desk has a narrow screen)."""
        if self.showing_desk and self.has_class("narrow"):
            return Targets(why="the units are not on screen (the incident desk is): "
                               "i shows them")
        return self.model.targets(self.selected, self.table.shown_ids)

    @guarded()
    def action_command(self, name: str) -> None:
        """A command key: to :meth:`command_targets`, or a notice saying why nobody."""
        spec = SPEC_BY_NAME[name]
        targets = self.command_targets()
        if not targets:
            self.notify(f"{spec.title} not sent: {targets.why}.", severity="warning")
            return
        if spec.ask is Ask.MAP_POINT and not self.can_pick:
            spec = SPEC_BY_NAME[f"{name}_typed"]
            self.notify(f"No room for the map at {self.size.width}x{self.size.height}: "
                        "type the point.", severity="information", timeout=3)
        self.run_worker(self._command(spec, targets), group="commands", exit_on_error=False)

    async def _command(self, spec: CommandSpec, targets: Targets) -> None:
        """Ask about marked units the filter hides (they get nothing), then run it."""
        if targets.hidden:
            hidden = names(map(self.model.callsign, targets.hidden), most=10)
            question = QuestionScreen(
                f"{spec.title}: {count(len(targets.hidden), 'marked unit')} hidden by the "
                "filter", [
                    f"Shown, will get it: {self.model.who(targets)}",
                    f"Hidden by the filter “{self.table.filter_text}”, will get nothing: "
                    f"{hidden}",
                    "", "Go on with the shown units only?"],
                yes="Shown only")
            if not await self.app.push_screen_wait(question):
                self.model.log(self.flow.service.wall(), Severity.INFO, "console.command",
                               f"{spec.title} cancelled by the operator")
                return
        await self.flow.run(spec, targets.ids, self.model.who(targets))

    @guarded()
    def action_schedules(self, schedule_id: str = "", then: str = "") -> None:
        """Open the schedules screen (on ``schedule_id``, doing ``then``: the palette)."""
        from tui.screens.schedules import ScheduleScreen

        schedules = getattr(self.flow.service, "schedules", None)
        if schedules is None:
            self.notify("This core runs no schedules.", severity="warning")
            return
        self.app.push_screen(ScheduleScreen(
            schedules, self.model.callsign, str(getattr(self.app, "operator", "operator")),
            select=schedule_id, then=then))

    @guarded()
    def action_focus_filter(self) -> None:
        if self.showing_desk:  # the filter is the units table's
            self.show_desk(False)
        self.show_map_view(False)
        self.query_one("#filter", Input).focus()

    @guarded()
    def action_escape(self) -> None:
        """Cancel a map pick, else leave the filter, else clear the marks."""
        if self._cancel_pick():
            return
        if isinstance(self.focused, Input):
            self.table.focus()
        elif self.model.marked:
            self.model.marked.clear()
            self.model.touch(self.model.units)
            self.table.refresh()
            self._marks_changed()

    @guarded()
    def action_mark_all(self) -> None:
        self.model.marked.update(self.table.shown_ids)
        self.model.touch(self.model.marked)
        self.table.refresh()
        self._marks_changed()

    @guarded()
    def action_sort_next(self) -> None:
        self.table.next_sort()

    @guarded()
    def action_sort_reverse(self) -> None:
        table = self.table
        table.sort_by(table.order.sort_key, not table.order.reverse)

    @guarded()
    def action_follow(self) -> None:
        self._map_on_screen()
        following = self.city.toggle_follow()
        self.notify(f"Map follows {self.model.callsign(self.selected or '')}" if following
                    else "Map no longer follows", timeout=2)

    @guarded()
    def action_fit_all(self) -> None:
        self._map_on_screen()
        self.city.fit_all()

    @guarded()
    def action_zoom(self, factor: float) -> None:
        self._map_on_screen()
        self.city.zoom(factor)

    @guarded()
    def action_ack(self) -> None:
        entry = self.alerts.cursor_entry
        if entry is not None and self.model.alerts.acknowledge(entry.seq):
            self.model.touch(alerts=True)

    @guarded()
    def action_ack_all(self) -> None:
        if self.model.alerts.acknowledge_all():
            self.model.touch(alerts=True)

    @guarded()
    def action_severity(self) -> None:
        self._show_level(self.model.alerts.cycle_level())

    def _show_level(self, level: str) -> None:
        self.alerts.border_title = f"Alerts ({level})"
        self.model.touch(alerts=True)

    # -- for the command palette -------------------------------------------------------
    def set_filter(self, text: str) -> None:
        self.query_one("#filter", Input).value = text  # Input.Changed applies it

    def sort_by(self, key: str) -> None:
        self.table.sort_by(key, reverse=False)

    def set_alert_level(self, index: int) -> None:
        self._show_level(self.model.alerts.set_level(index))
