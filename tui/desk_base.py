"""What every incident-desk action shares: the centre, the operator's name, asking the
operator (a dialog, a point on the map), sending units, and reporting the outcome.

Actions run in Textual workers (the screen starts them), so waiting for the operator or
for the audit's write never blocks the screen. Every refusal of the core (a
fleet.dispatch.errors.DispatchError: bad location, illegal step, unit unavailable,
nothing to send, dispatch down) becomes a notification and an alert-log line; anything
unexpected becomes a log line too, never a traceback (:func:`desk_action`).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, TypeVar

from fleet.dispatch.explain import duration
from fleet.dispatch.recommend import Recommendation
from fleet.errors import FleetError
from fleet.events import Severity
from fleet.model import LinkState, UnitStatus
from tui.call_parse import Location
from tui.desk_view import DeskView
from tui.model import ConsoleModel, LatLon
from tui.screens.unit_picker import UnitPickerScreen

log = logging.getLogger("tui.desk")
CODE = "console.desk"
FREE = (UnitStatus.AVAILABLE, UnitStatus.PATROLLING)
MAX_OTHERS = 40  # units offered beyond the ranked ones, nearest first
A = TypeVar("A", bound=Callable[..., Coroutine[Any, Any, None]])


def desk_action(title: str) -> Callable[[A], A]:
    """Turn every failure of an action into a notification and a log line."""

    def wrap(method: A) -> A:
        @functools.wraps(method)
        async def inner(self: DeskBase, *args: Any) -> None:
            try:
                await method(self, *args)
            except FleetError as exc:
                self.refused(title, str(exc))
            except Exception as exc:
                log.exception("desk action %s failed inside the console", title)
                self.line(Severity.ERROR, f"{title}: console error: {exc!r}")
                self.notify(f"{title}: console error (see the log)", "error")

        return inner  # type: ignore[return-value]

    return wrap


class NoDeskError(FleetError):
    """The console has no working dispatch centre."""


class DeskBase:
    """``push_screen_wait``, ``pick_point``, ``notify`` and ``on_incident`` (show this
    incident in the desk) are the app's and the main screen's, set after construction."""

    def __init__(self, view: DeskView, model: ConsoleModel, *, operator: str) -> None:
        self.view = view
        self.model = model
        self.operator = operator
        self.push_screen_wait: Callable[[Any], Awaitable[Any]] | None = None
        self.pick_point: Callable[[str], Awaitable[LatLon | None]] | None = None
        self.notify: Callable[[str, str], None] = lambda message, severity: None
        self.on_incident: Callable[[str], None] = lambda incident_id: None

    @property
    def dispatch(self) -> Any:
        if self.view.dispatch is None:
            raise NoDeskError(self.view.status_line())
        return self.view.dispatch

    # -- reporting -------------------------------------------------------------------
    def line(self, severity: Severity, message: str) -> None:
        self.model.log(self.view.wall(), severity, CODE, message)

    def done(self, message: str) -> None:
        self.line(Severity.NOTICE, f"{message} ({self.operator})")
        self.notify(message, "information")

    def refused(self, title: str, why: str) -> None:
        self.line(Severity.WARNING, f"{title}: {why}")
        self.notify(f"{title}: {why}", "error")

    async def _ask(self, screen: Any) -> Any:
        if self.push_screen_wait is None:
            return None
        return await self.push_screen_wait(screen)

    # -- sending units ---------------------------------------------------------------
    async def _dispatch(self, incident_id: str, units: Sequence[str]) -> None:
        try:
            inc = await self.dispatch.dispatch(incident_id, list(units), operator=self.operator)
        except FleetError as exc:
            self.refused(f"Dispatch {incident_id}", f"{exc} (s sends a fresh recommendation)")
            return
        self.model.put_incidents([inc])
        self.on_incident(incident_id)  # the map now shows the units too
        names = ", ".join(self.model.callsign(u) for u in units)
        self.done(f"{incident_id}: sent {names}")

    async def _pick_units(self, what: str, rec: Recommendation, where: Location,
                          exclude: set[str] | None = None) -> list[str] | None:
        return await self._ask(UnitPickerScreen(f"Send to {what}",
                                                self.candidates(rec, where, exclude or set())))

    def candidates(self, rec: Recommendation, where: Location, exclude: set[str]
                   ) -> list[tuple[str, str, bool]]:
        """Ranked options first (the recommended ones marked), then free units nearby."""
        out: list[tuple[str, str, bool]] = []
        seen = set(exclude)
        for fill in rec.fills:
            for option, chosen in [*((o, True) for o in fill.chosen),
                                   *((o, False) for o in fill.alternates)]:
                if option.unit_id not in seen:
                    seen.add(option.unit_id)
                    out.append((f"{option.callsign} ({option.kind.value}) ETA "
                                f"{duration(option.eta_s)} · {fill.label}", option.unit_id,
                                chosen))
        others = []
        for unit_id, snap in self.model.units.items():
            if unit_id in seen or snap.status not in FREE or snap.link_state is not \
                    LinkState.OK:
                continue
            metres = self.view.distance(unit_id, where.lat, where.lon)
            if metres is not None:
                others.append((metres, unit_id, snap))
        for metres, unit_id, snap in sorted(others, key=lambda t: t[0])[:MAX_OTHERS]:
            out.append((f"{snap.unit.callsign} ({snap.unit.kind.value}) {metres:,.0f} m away"
                        " · not ranked", unit_id, False))
        return out
