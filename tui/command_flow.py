"""One operator command from key press to result: ask, plan, confirm, send, report.

Runs in a Textual worker (the screen starts it), so waiting for the operator or for a
unit's answer never blocks the screen. Every outcome lands on the unit ("last command" in
the detail) and in the alert log; an unexpected error becomes a log line, not a traceback.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fleet.commands import Patrol, command_name
from fleet.errors import CommandError, FleetError, NoRouteError
from fleet.events import Severity, UnitSnapshot
from fleet.model import UnitStatus
from fleet.roads_rivers import CityMap
from tui.command_plans import (
    MODE_SUGGESTIONS,
    SETTABLE_STATUSES,
    Ask,
    CommandSpec,
    Plan,
    Send,
    parse_altitude,
    parse_mode,
    parse_point,
    plan,
)
from tui.command_words import command_text
from tui.model import ConsoleModel, LastCommand, LatLon, Progress
from tui.patrol_routes import patrol_route
from tui.plan_flow import PlanLoadFlow
from tui.screens.ask import AskScreen, ChoiceScreen
from tui.screens.confirm import ConfirmScreen
from tui.service_api import ConsoleService

log = logging.getLogger("tui.commands")
CODE = "console.command"
_CANCEL = object()


class CommandFlow:
    """Holds what every command needs; :meth:`run` is one command's whole life.

    ``push_screen_wait`` shows a dialog and waits for its answer (the app's); ``pick_point``
    waits for a click on the map (the main screen's); ``on_routes`` redraws patrol routes.
    """

    def __init__(self, service: ConsoleService, model: ConsoleModel, *,
                 city: CityMap | None, timeout_s: float = 15.0) -> None:
        self.service = service
        self.model = model
        self.city = city
        self.timeout_s = timeout_s
        self.push_screen_wait: Callable[[Any], Awaitable[Any]] | None = None
        self.pick_point: Callable[[str], Awaitable[LatLon | None]] | None = None
        self.on_routes: Callable[[], None] = lambda: None
        self.notify: Callable[[str], None] = lambda message: None
        self.plans = PlanLoadFlow(self)  # "Load plan": its own asking, progress and report

    def routes(self) -> list[tuple[LatLon, ...]]:
        """Patrol routes to draw: the config's patrols and those this console sent."""
        out = [r.points for r in self.service.patrol_routes()]
        return [r for r in out if len(r) >= 2] + list(self.model.routes.values())

    def route_for(self, snap: UnitSnapshot) -> tuple[LatLon, ...] | None:
        return patrol_route(snap, self.city, self.service.patrol_routes())

    # -- one command -------------------------------------------------------------------
    async def run(self, spec: CommandSpec, targets: Sequence[str], who: str = "") -> None:
        """``who`` names the targets in the prompt (``Eagle 3``, ``2 marked units (…)``)."""
        try:
            await self._run(spec, targets, who)
        except Exception as exc:  # the operator gets a line, never a traceback
            log.exception("command %s failed inside the console", spec.name)
            self.model.log(self.service.wall(), Severity.ERROR, CODE,
                           f"{spec.title}: console error: {exc!r}")

    async def _run(self, spec: CommandSpec, targets: Sequence[str], who: str) -> None:
        snaps = [self.model.units[u] for u in targets if u in self.model.units]
        if spec.ask is Ask.PLAN:
            await self.plans.run(spec, snaps, who or self._who(snaps))
            return
        value = await self._ask(spec, snaps, who)
        if value is _CANCEL:
            return
        the_plan = plan(spec, snaps, value, self.route_for)
        skipped: dict[str, list[str]] = {}  # one line per reason, not one per unit
        for name, why in the_plan.skipped:
            skipped.setdefault(why, []).append(name)
        for why, names in skipped.items():
            more = f" +{len(names) - 3}" if len(names) > 3 else ""
            self.model.log(self.service.wall(), Severity.INFO, CODE,
                           f"{spec.title} not sent to {', '.join(names[:3])}{more}: {why}")
        if the_plan.empty:
            self.notify(f"{spec.title}: nothing to send (see the log)")
            return
        if the_plan.dangerous and not await self._confirm(the_plan):
            self.model.log(self.service.wall(), Severity.INFO, CODE,
                           f"{spec.title} cancelled by the operator")
            return
        await self.execute(the_plan)

    async def _ask(self, spec: CommandSpec, snaps: Sequence[UnitSnapshot],
                   who: str = "") -> object:
        ask = spec.ask
        if ask is Ask.NOTHING:
            return None
        who = who or self._who(snaps)
        if ask is Ask.MAP_POINT:
            if self.pick_point is None:
                return _CANCEL
            point = await self.pick_point(f"{spec.title.split(' (')[0]} {who}")
            return _CANCEL if point is None else point
        screens: dict[Ask, Any] = {
            Ask.ALTITUDE: lambda: AskScreen(
                f"Take off: {who}", "Height above home, metres (1-500):", parse_altitude,
                value="30"),
            Ask.TYPED_POINT: lambda: AskScreen(
                f"{spec.title.split(' (')[0]}: {who}", "latitude, longitude[, altitude m]:",
                parse_point,
                placeholder="26.8930, 112.6100"),
            Ask.MODE: lambda: AskScreen(
                f"Change mode: {who}", "Mode name:", parse_mode,
                placeholder="BRAKE", suggestions=MODE_SUGGESTIONS),
            Ask.STATUS: lambda: ChoiceScreen(
                f"Set status: {who}",
                [(s.value.replace("_", " "), s) for s in SETTABLE_STATUSES]),
        }
        if self.push_screen_wait is None:
            return _CANCEL
        answer = await self.push_screen_wait(screens[ask]())
        return _CANCEL if answer is None else answer

    @staticmethod
    def _who(snaps: Sequence[UnitSnapshot]) -> str:
        return f"{len(snaps)} units" if len(snaps) != 1 else str(snaps[0].unit.callsign)

    async def _confirm(self, the_plan: Plan) -> bool:
        if self.push_screen_wait is None:
            return False
        return bool(await self.push_screen_wait(ConfirmScreen(the_plan)))

    # -- sending -------------------------------------------------------------------------
    async def execute(self, the_plan: Plan) -> None:
        """Do exactly what the plan says; each unit's outcome as it arrives."""
        if the_plan.status is not None:
            self._set_status([u for u, _ in the_plan.local], the_plan.status)
        async with asyncio.TaskGroup() as tg:
            for send in the_plan.sends:
                tg.create_task(self._send(send))

    def _set_status(self, unit_ids: Sequence[str], status: UnitStatus) -> None:
        for unit_id in unit_ids:
            name = "set_status"
            try:
                self.service.set_status(unit_id, status, "operator")
            except (FleetError, ValueError) as exc:
                self._progress(unit_id, name, Progress.FAILED, str(exc))
                self._log(Severity.WARNING, f"{self.model.callsign(unit_id)}: status not set: "
                          f"{exc}", unit_id)
                continue
            self._progress(unit_id, name, Progress.ACCEPTED, status.value)
            self._log(Severity.INFO, f"{self.model.callsign(unit_id)}: status set to "
                      f"{status.value.replace('_', ' ')}", unit_id)

    async def _send(self, send: Send) -> None:
        name = command_name(send.command)
        words = f"{send.callsign}: {command_text(send.command)}"
        self._progress(send.unit_id, name, Progress.SENDING)
        self._log(Severity.INFO, f"{words} — sending…", send.unit_id)
        try:
            await self.service.send(send.unit_id, send.command, timeout=self.timeout_s)
        except (CommandError, NoRouteError) as exc:
            self._progress(send.unit_id, name, Progress.FAILED, exc.reason)
            self._log(Severity.WARNING, str(exc), send.unit_id)
        except FleetError as exc:
            self._progress(send.unit_id, name, Progress.FAILED, str(exc))
            self._log(Severity.WARNING, f"{words} — failed: {exc}", send.unit_id)
        else:
            self._progress(send.unit_id, name, Progress.ACCEPTED)
            self._log(Severity.INFO, f"{words} — accepted", send.unit_id)
            if isinstance(send.command, Patrol):
                self.model.routes[send.unit_id] = send.command.route
                self.on_routes()

    def _progress(self, unit_id: str, name: str, progress: Progress, detail: str = "") -> None:
        self.model.command_progress(
            unit_id, LastCommand(name, progress, detail, self.service.wall()))

    def _log(self, severity: Severity, message: str, unit_id: str | None) -> None:
        self.model.log(self.service.wall(), severity, CODE, message, unit_id)
