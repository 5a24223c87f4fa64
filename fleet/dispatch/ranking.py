"""One vectorised pass over the fleet's columns: distance, ETA and eligibility per row.

The ETA model is fleet/eta.py's, computed by its kernel (:func:`fleet.eta.travel`:
the distance of :func:`fleet.geo.arc_m`, ``seconds_per_metre`` and launch times): air
units fly the great circle at cruise speed after their launch time, ground and water
units cover it times the zone's road factor. Three refinements
for dispatch: a ground unit on the other bank of a river drives by the best bridge
(:mod:`.river_crossings`, when the city map is configured), a drone on patrol is already
airborne (no launch time), and a row is
eligible only as :mod:`.eligibility` says (the rule the dispatch check also applies,
here over every row at once). fleet/eta.py returns only the top k eligible rows;
dispatch needs every row's numbers to explain why a unit was *not* chosen, so this
module keeps them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from fleet.eta import DEFAULT_ELIGIBLE, travel
from fleet.model import KINDS, Domain, UnitStatus

from .eligibility import WATER_KINDS, Facts, Reason, reasons, reserve_table, status_table
from .river_crossings import Crossings

if TYPE_CHECKING:
    from fleet.port import FleetView  # what ranking reads: the core's view

_PATROLLING = UnitStatus.PATROLLING.code
_LAND_KINDS = np.array([k.domain is Domain.LAND for k in KINDS])


@dataclass(slots=True)
class Pass:
    """Per-row arrays of one query (views into fresh arrays, length = fleet size)."""

    distance_m: np.ndarray
    eta_s: np.ndarray  # travel + launch, whatever the eligibility
    eligible_eta_s: np.ndarray  # eta_s where eligible, inf elsewhere
    near_river: bool
    bridge: np.ndarray | None = None  # per row: index of the bridge it crosses by, or -1
    #: rows not routed across rivers have an ETA of at least this (inf: every row routed)
    exact_below: float = np.inf


class Ranker:
    """Per-row tables cached across queries (they change only when units register).

    ``committed`` gives the units the incident record has actively assigned (unit id ->
    incident): they are not eligible whatever their duty status says (a crew may report
    "available" while the record still has it on a call)."""

    def __init__(self, view: FleetView, reserve_pct: Mapping[Domain, float],
                 eligible: Collection[UnitStatus] = DEFAULT_ELIGIBLE,
                 crossings: Crossings | None = None,
                 committed: Callable[[], Mapping[str, str]] | None = None) -> None:
        self.view = view
        self.crossings = crossings
        self.committed = committed or dict
        self._reserve_by_kind = reserve_table(reserve_pct)
        self._statuses = status_table(eligible)
        self._roles: dict[str, np.ndarray] = {}
        self._size = -1
        self._read_only = np.zeros(0, dtype=bool)
        self._water_rows = np.zeros(0, dtype=np.intp)
        self._land_rows = np.zeros(0, dtype=np.intp)

    def _refresh(self) -> None:
        """Rebuild the per-row tables after units registered."""
        cols = self.view.columns
        n = cols.size
        if n == self._size:
            return
        kinds = cols.kind[:n]
        self._read_only = np.array([self.view.unit_at(i).read_only for i in range(n)],
                                   dtype=bool)
        self._water_rows = np.flatnonzero(WATER_KINDS[kinds])
        self._land_rows = np.flatnonzero(_LAND_KINDS[kinds])
        self._size = n

    def facts(self, rows: slice) -> Facts:
        """The eligibility inputs of ``rows`` (all of them, or one: ``slice(i, i + 1)``)."""
        self._refresh()
        cols = self.view.columns
        start, stop, _ = rows.indices(cols.size)
        committed = np.zeros(max(stop - start, 0), dtype=bool)
        for unit_id in self.committed():
            try:
                i = self.view.index_of(unit_id)
            except KeyError:  # UnknownUnitError: a unit removed from the config since
                continue
            if start <= i < stop:
                committed[i - start] = True
        return Facts(cols.status[rows], cols.seen[rows], cols.x[rows], cols.battery_pct[rows],
                     cols.kind[rows], self._read_only[rows], committed)

    def eligibility(self, row: int, *, near_river: bool = True,
                    excluded: bool = False) -> Reason:
        """Why one unit may not be sent (ELIGIBLE if it may): the dispatch check."""
        code = reasons(self.facts(slice(row, row + 1)), self._statuses, self._reserve_by_kind,
                       excluded=np.array([excluded]), near_river=near_river)
        return Reason(int(code[0]))

    def role_mask(self, role: str) -> np.ndarray:
        """True for rows whose unit responds to ``role`` (extended as units register)."""
        cols = self.view.columns
        n = cols.size
        mask = self._roles.get(role)
        if mask is None or mask.size != n:
            old = mask if mask is not None and mask.size < n else np.zeros(0, dtype=bool)
            new = np.empty(n, dtype=bool)
            new[: old.size] = old
            for i in range(old.size, n):
                new[i] = role in self.view.unit_at(i).capabilities.responds_to
            self._roles[role] = mask = new
        return mask

    def run(self, lat: float, lon: float, road_factor: float, *, near_river: bool,
            exclude_rows: np.ndarray | None = None, bridge_rows: int | None = None) -> Pass:
        """Distance and ETA of every row, and the ETA masked to inf where ineligible.

        Written for speed (numpy trigonometry costs far more an element than
        arithmetic): fleet.eta's kernel in place, boolean masks only where a rule actually
        excludes someone. Figures: docs/benchmarks.md, dispatch."""
        self._refresh()
        cols = self.view.columns
        n = cols.size
        distance, eta = np.empty(n), np.empty(n)  # fresh: the Pass keeps them
        travel(cols, lat, lon, road_factor, distance=distance, eta=eta, chord=np.empty(n))
        status = cols.status[:n]
        spm = cols.seconds_per_metre(road_factor)  # cached: the kernel's
        patrolling = np.flatnonzero(status == _PATROLLING)
        if patrolling.size:  # already airborne: no launch (ground units have none anyway)
            eta[patrolling] -= cols.launch_s[patrolling]
        excluded = None
        if exclude_rows is not None and exclude_rows.size:
            excluded = np.zeros(n, dtype=bool)
            excluded[exclude_rows] = True
        code = reasons(self.facts(slice(0, n)), self._statuses, self._reserve_by_kind,
                       excluded=excluded, near_river=near_river)
        eligible = np.where(code == 0, eta, np.inf)
        unplaced = np.isnan(eligible)  # a position but no speed: never, but stay safe
        if unplaced.any():
            eligible[unplaced] = np.inf
        bridge, exact_below = None, np.inf
        if self.crossings is not None and self._land_rows.size:
            bridge, exact_below = self._bridges(lat, lon, road_factor, spm, eta, eligible,
                                                bridge_rows)
        return Pass(distance, eta, eligible, near_river, bridge, exact_below)

    def _bridges(self, lat: float, lon: float, road_factor: float, spm: np.ndarray,
                 eta: np.ndarray, eligible: np.ndarray, limit: int | None
                 ) -> tuple[np.ndarray, float]:
        """Route land rows across rivers (in place). A bridge route is never shorter
        than the factor model's, so each row's ETA so far is a lower bound: with
        ``limit``, only the ``limit`` eligible land rows with the smallest are routed,
        and every other row's ETA is at least the returned bound (inf: all routed)."""
        cols = self.view.columns
        land = self._land_rows
        bound = np.inf
        if limit is not None:
            finite = land[np.isfinite(eligible[land])]
            if finite.size > limit:
                part = np.argpartition(eligible[finite], limit)
                bound = float(eligible[finite[part[limit]]])
                land = finite[part[:limit]]
            else:
                land = finite
        bridge = np.full(cols.size, -1, dtype=np.intp)
        metres, which = self.crossings.route(  # type: ignore[union-attr]
            lat, lon, cols.lat_deg[land], cols.lon_deg[land], road_factor)
        across = np.flatnonzero(which >= 0)
        if across.size:
            rows = land[across]
            by_bridge = metres[across] * spm[rows] / road_factor  # spm has the factor
            longer = np.maximum(by_bridge, eta[rows]) - eta[rows]
            eta[rows] += longer
            eligible[rows] += longer
            bridge[rows] = which[across]
        return bridge, bound

    @property
    def water_rows(self) -> np.ndarray:
        self._refresh()
        return self._water_rows

    def launch_s(self, row: int) -> float:
        cols = self.view.columns
        return 0.0 if cols.status[row] == _PATROLLING else float(cols.launch_s[row])

    def reason(self, row: int, p: Pass, excluded: Collection[int]) -> Reason:
        """Why ``row`` is ineligible in ``p`` (ELIGIBLE if it is not)."""
        return self.eligibility(row, near_river=p.near_river, excluded=row in excluded)

    def reserve_pct(self, row: int) -> float:
        return float(self._reserve_by_kind[self.view.columns.kind[row]])


STATUS_BY_CODE = {s.code: s for s in UnitStatus}


def smallest(values: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` smallest finite values, smallest first; ``values`` is used
    as scratch. A few argmins beat argpartition for the small k dispatch asks for."""
    if k > 8:
        return top_rows(values, k)
    out = []
    for _ in range(min(k, values.size)):
        i = int(values.argmin())
        if not np.isfinite(values[i]):
            break
        out.append(i)
        values[i] = np.inf
    return np.array(out, dtype=np.intp)


def top_rows(values: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` smallest finite values, smallest first."""
    n = values.size
    if n == 0 or k <= 0:
        return np.zeros(0, dtype=np.intp)
    k = min(k, n)
    top = np.argpartition(values, k - 1)[:k] if k < n else np.arange(n)
    top = top[np.argsort(values[top], kind="stable")]
    return top[np.isfinite(values[top])]
