"""Response-time coverage of the running fleet, for the console and scripts.

    live = LiveCoverage(svc.port, config.zones, config.key_sites)
    for row in live.table(): ...          # from the units' current positions and speeds
    rec = live.recommend(max_moves=5)     # where idle land units should wait
    await live.accept(rec.suggestions[0]) # becomes a Goto to that unit

Reads the core's numpy columns (what dispatch ranks by); nothing here waits except
``accept``, which sends the command.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from fleet.model import Domain, UnitStatus

from .demand import Demand, demand_grid
from .placement import Recommendation, Suggestion, recommend
from .response import MOVABLE_DOMAINS, AreaCoverage, Responders, coverage_table, live_rows

if TYPE_CHECKING:
    from fleet.model import KeySite, Zone
    from fleet.port import FleetPort


class LiveCoverage:
    def __init__(self, port: FleetPort, zones: Iterable[Zone] = (),
                 key_sites: Iterable[KeySite] = (), *, cell_m: float | None = None,
                 domains: Iterable[Domain] = (Domain.LAND,), demand: Demand | None = None
                 ) -> None:
        self.port = port
        self.demand = demand or demand_grid(list(zones), list(key_sites), cell_m=cell_m)
        self.domains = tuple(domains)

    def _units(self, rows: np.ndarray) -> Responders:
        state = self.port.view
        units = [state.unit_at(i) for i in range(len(state))]
        return Responders.from_columns(state.columns, units, self.demand.frame, rows)

    def responders(self) -> Responders:
        """Units that count now: available or patrolling, heard, of the chosen domains."""
        return self._units(live_rows(self.port.view.columns, domains=self.domains))

    def table(self) -> list[AreaCoverage]:
        return coverage_table(self.demand, self.responders())

    def recommend(self, max_moves: int | None = None) -> Recommendation:
        """Moves for idle (available) land units; everyone else counts where they are."""
        cols = self.port.view.columns
        idle_rows = live_rows(cols, statuses=(UnitStatus.AVAILABLE,), domains=MOVABLE_DOMAINS)
        counting = live_rows(cols, domains=self.domains)
        fixed_rows = np.setdiff1d(counting, idle_rows)
        return recommend(self.demand, self._units(fixed_rows), self._units(idle_rows),
                         max_moves=max_moves)

    async def accept(self, suggestion: Suggestion, *, timeout: float | None = None) -> None:
        """Send the unit to its waiting place (it stays available for calls)."""
        await self.port.send(suggestion.unit_id, suggestion.command(), timeout=timeout)
