"""What the incident desk's widgets read besides the incidents themselves: proposals,
review flags, the live recommendation, unit names and distances.

Reads only (the actions are :mod:`tui.desk_flow`'s). Every read tolerates a centre that
is missing or not running: the widgets show a line saying so, never a traceback.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fleet.dispatch.explain import recommendation_lines
from fleet.dispatch.incident import Incident
from fleet.dispatch.recommend import Recommendation
from fleet.errors import FleetError
from fleet.model import KeySite
from tui.model import ConsoleModel
from tui.patrol_routes import distance_m
from tui.service_api import DeskService

log = logging.getLogger("tui.desk")


class DeskView:
    """Reads for the desk; ``wall`` is the service's clock."""

    def __init__(self, dispatch: DeskService | None, model: ConsoleModel,
                 wall: Callable[[], float]) -> None:
        self.dispatch = dispatch
        self.model = model
        self.wall = wall
        self._rec: tuple[str, int, list[str]] | None = None

    @property
    def configured(self) -> bool:
        return self.dispatch is not None

    @property
    def available(self) -> bool:
        return self.dispatch is not None and bool(self.dispatch.available)

    def status_line(self) -> str:
        if self.dispatch is None:
            return "No dispatch centre: this console was started without one."
        if not self.dispatch.available:
            return "Dispatch is unavailable (see the alerts): calls cannot be taken."
        return ""

    # -- configuration ---------------------------------------------------------------
    @property
    def key_sites(self) -> Sequence[KeySite]:
        return tuple(self.dispatch.intake.key_sites) if self.dispatch is not None else ()

    @property
    def categories(self) -> Mapping[str, Any]:
        if self.dispatch is None:
            return {}
        return dict(self.dispatch.intake.settings.categories)

    # -- per incident ----------------------------------------------------------------
    def proposal(self, incident_id: str) -> Recommendation | None:
        if self.dispatch is None:
            return None
        return self.dispatch.proposals.get(incident_id)

    def stale(self, inc: Incident) -> list[str]:
        """Why the incident needs review (open too long, nobody reached it, ...): the
        centre's ``stale(incident_id)``, when it has one (closure hygiene)."""
        method = getattr(self.dispatch, "stale", None)
        if method is None or not inc.status.open:
            return []
        try:
            return [str(m) for m in method(inc.id)]
        except FleetError:
            return []

    def recommendation(self, incident_id: str) -> list[str]:
        """The explanation of what would be sent now (refreshed at most once a second)."""
        now = int(self.wall())
        if self._rec is not None and self._rec[:2] == (incident_id, now):
            return self._rec[2]
        if self.dispatch is None:
            return [self.status_line()]
        try:
            lines = recommendation_lines(self.dispatch.recommend(incident_id))
        except FleetError as exc:
            lines = [f"no recommendation: {exc}"]
        self._rec = (incident_id, now, lines)
        return lines

    # -- units -----------------------------------------------------------------------
    def callsign(self, unit_id: str) -> str:
        return self.model.callsign(unit_id)

    def distance(self, unit_id: str, lat: float, lon: float) -> float | None:
        """Metres from the unit's last reported position to the point."""
        snap = self.model.units.get(unit_id)
        tel = snap.telemetry if snap is not None else None
        if tel is None or not (math.isfinite(tel.lat_deg) and math.isfinite(tel.lon_deg)):
            return None
        return distance_m((tel.lat_deg, tel.lon_deg), (lat, lon))
