"""FleetConsole: the operator's view of the fleet, fed by one subscription.

Data flow: a timer (10 Hz) drains the service's subscription into the model, which
coalesces per unit (a unit reporting 4 times between frames is drawn once) and tells the
main screen what changed. Nothing the screen does awaits the core; commands run in
workers. A display bug becomes a log line and one notice, never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType

from fleet.errors import UnknownUnitError
from fleet.roads_rivers import CityMap, load_city_map
from tui.command_flow import CommandFlow
from tui.desk_flow import DeskFlow
from tui.desk_view import DeskView
from tui.guard import guarded
from tui.map_layers import Scenery
from tui.model import ConsoleModel
from tui.palette import FleetCommands
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.service_api import ConsoleService, IncidentSubscriptionLike, SubscriptionLike

log = logging.getLogger("tui")


def default_city() -> CityMap | None:
    try:
        return load_city_map()
    except (OSError, ValueError) as exc:  # a broken map file costs the map, not the console
        log.warning("city map not loaded: %s", exc)
        return None


def default_operator(config: object) -> str:
    """The name recorded on the console's dispatch actions: the config's [dispatch]
    operator."""
    return str(getattr(getattr(config, "dispatch", None), "operator", "") or "console")


class FleetConsole(App[None]):
    """The console app. ``stop``, when given, ends it (the runner's SIGTERM); ``operator``
    is recorded on every incident action (default: the config's [dispatch] operator)."""

    CSS_PATH = "fleet.tcss"
    TITLE = "Fleet console"
    COMMANDS = App.COMMANDS | {FleetCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("question_mark", "help", "Help", key_display="?"),
    ]
    REFRESH_S = 0.08  # 12.5 Hz: at least 10 frames a second even when a few run late

    def __init__(
        self, service: ConsoleService, *, stop: asyncio.Event | None = None,
        max_events: int = 10_000, city: CityMap | bool | None = True,
        command_timeout_s: float = 15.0, refresh_s: float | None = None,
        operator: str | None = None,
    ) -> None:
        super().__init__()
        self.service = service
        self.dispatch = getattr(service, "dispatch", None)
        self._stop = stop
        self._max_events = max_events
        self.refresh_s = refresh_s or self.REFRESH_S
        self.model = ConsoleModel()
        city_map = default_city() if city is True else (city or None)
        config = service.config
        self.flow = CommandFlow(service, self.model, city=city_map, timeout_s=command_timeout_s)
        self.operator = operator or default_operator(config)
        desk_view = DeskView(self.dispatch, self.model, service.wall)
        self.desk = DeskFlow(desk_view, self.model, operator=self.operator) \
            if self.dispatch is not None else None
        self.main = MainScreen(
            self.model,
            Scenery.build(city_map, getattr(config, "zones", ()),
                          getattr(config, "key_sites", ()),
                          getattr(config, "bases", {}).values()),
            self.flow, fleet_name=str(getattr(config, "name", "")), desk=self.desk,
            desk_view=desk_view,
        )
        self.flow.push_screen_wait = self.push_screen_wait
        self.flow.pick_point = self.main.pick_point
        self.flow.on_routes = lambda: self.main.city.routes_changed()
        self.flow.notify = lambda message: self.notify(message, severity="warning")
        if self.desk is not None:
            self.desk.push_screen_wait = self.push_screen_wait
            self.desk.pick_point = self.main.pick_point
            self.desk.notify = lambda message, severity: self.notify(
                message, severity=severity)  # type: ignore[arg-type]
            self.desk.on_incident = self.main.show_incident
        self._sub: SubscriptionLike | None = None
        self._incidents: IncidentSubscriptionLike | None = None
        self.frames = 0  # refresh ticks applied (the benchmark reads it)

    def get_default_screen(self) -> MainScreen:
        return self.main

    def on_mount(self) -> None:
        # Subscribe, then read the current state and alert history with no await in
        # between, so nothing falls in the gap and nothing is shown twice.
        self._sub = self.service.subscribe(max_events=self._max_events)
        self.model.load(self.service.snapshots(), self.service.alerts)
        if self.dispatch is not None:  # the same for incidents: subscribe, then read
            self._incidents = self.dispatch.subscribe()
            self.model.put_incidents(self.dispatch.incidents())
        if self._stop is not None:
            self._exit_when_stopped(self._stop)
        self.set_interval(self.refresh_s, self._tick)
        self.call_after_refresh(self._tick)

    def on_unmount(self) -> None:
        if self._sub is not None:
            self._sub.close()
        if self._incidents is not None:
            self._incidents.close()

    @work(exclusive=True, group="stop")
    async def _exit_when_stopped(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self.exit()

    # -- the timer: drain, then draw ---------------------------------------------------
    @guarded()
    def _tick(self) -> None:
        self.refresh_view()

    def refresh_view(self) -> None:
        """Take what the core said since the last frame and redraw what it changed."""
        if not self.main.ready:
            return  # keep it all for the first frame the screen can show
        if self._sub is not None:
            batch = self._sub.drain()
            if batch.dropped_events:  # events were lost: start again from a full read
                self.model.load(self.service.snapshots())
            for unit_id in self.model.apply(batch, self.service.wall()):
                with contextlib.suppress(UnknownUnitError):
                    self.model.load([self.service.snapshot(unit_id)])
        if self._incidents is not None:
            self.model.put_incidents(self._incidents.drain())
        self.main.apply(self.model.take_changes())
        self.frames += 1

    # -- actions -------------------------------------------------------------------
    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())
