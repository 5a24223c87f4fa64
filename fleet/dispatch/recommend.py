"""Which units to send: the category's requirements filled by ETA, each choice explained.

Pure and vectorised: one :class:`~fleet.dispatch.ranking.Ranker` pass over the columns,
then per requirement a masked top-k. Requirements are filled in order and a unit fills
at most one. Every option carries its numbers (distance, route factor, speed, launch,
ETA, battery, target met?) and every unit left out near the incident a reason, so the
console and the CLI print the same explanation (:mod:`fleet.dispatch.explain`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from fleet.model import KINDS, UnitKind
from fleet.roads_rivers import read_city_map

from .categories import Category, Requirement
from .eligibility import Reason
from .places import Placement
from .ranking import STATUS_BY_CODE, Pass, Ranker, smallest
from .river_crossings import Crossings
from .settings import DispatchSettings

if TYPE_CHECKING:
    from fleet.port import FleetView


@dataclass(frozen=True, slots=True)
class Option:
    """One unit that could go, with how its ETA was worked out."""

    unit_id: str
    callsign: str
    kind: UnitKind
    requirement: str  # label of the requirement it fills
    distance_m: float  # great circle
    route_m: float  # what it covers: great circle for aircraft, times road factor otherwise
    speed_m_s: float
    launch_s: float
    eta_s: float
    battery_pct: float | None
    meets_target: bool
    via: str | None = None  # the bridge a ground unit crosses a river by


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A unit near the incident that was not considered, and why."""

    unit_id: str
    callsign: str
    kind: UnitKind
    distance_m: float | None
    reason: Reason
    detail: str


@dataclass(frozen=True, slots=True)
class Fill:
    requirement: Requirement
    label: str
    chosen: tuple[Option, ...]
    alternates: tuple[Option, ...]  # next in the ranking: replacements

    @property
    def short_by(self) -> int:
        return self.requirement.count - len(self.chosen)


@dataclass(frozen=True, slots=True)
class Recommendation:
    lat: float
    lon: float
    category: str
    placement: Placement
    fills: tuple[Fill, ...]
    excluded: tuple[Exclusion, ...]
    notes: tuple[str, ...]

    @property
    def chosen(self) -> tuple[Option, ...]:
        return tuple(o for f in self.fills for o in f.chosen)

    @property
    def unit_ids(self) -> tuple[str, ...]:
        return tuple(o.unit_id for o in self.chosen)

    @property
    def first_eta_s(self) -> float | None:
        return min((o.eta_s for o in self.chosen), default=None)

    @property
    def target_met(self) -> bool | None:
        """Would the first unit arrive within the target? None when nobody can go."""
        first = self.first_eta_s
        return None if first is None else first <= self.placement.target_s

    def option(self, unit_id: str) -> Option | None:
        for f in self.fills:
            for o in (*f.chosen, *f.alternates):
                if o.unit_id == unit_id:
                    return o
        return None


#: land units routed across rivers per query, nearest first by the road factor; more only
#: when a unit shown is further than the nearest one not routed (docs/dispatch.md)
BRIDGE_ROWS = 64


class Recommender:
    """Recommendations over one fleet (caches per-row tables between calls).

    ``committed`` gives the units the incident record has actively assigned (unit id ->
    incident; the dispatch centre's): never recommended, as the dispatch check would
    refuse them (:mod:`.eligibility`, the rule both apply)."""

    def __init__(self, view: FleetView, settings: DispatchSettings, *,
                 committed: Callable[[], Mapping[str, str]] | None = None) -> None:
        self.view = view
        self.settings = settings
        crossings = None
        if settings.road_map is not None:
            crossings = Crossings.from_map(read_city_map(settings.road_map))
        self.ranker = Ranker(view, settings.reserve_pct, crossings=crossings,
                             committed=committed)
        self._kind_tables: dict[Requirement, np.ndarray] = {}
        self._req_rows: dict[tuple[Requirement, str], tuple[int, np.ndarray]] = {}

    def recommend(
        self, lat: float, lon: float, category: Category, placement: Placement, *,
        exclude: Collection[str] = (), requirements: Sequence[Requirement] | None = None,
        alternates: int = 2, explain: int = 5,
    ) -> Recommendation:
        """The units to send to (lat, lon), never any in ``exclude``; ``requirements``
        overrides the category's (e.g. to refill one place after a failure)."""
        view = self.view
        excluded_rows = [view.index_of(u) for u in exclude]
        near_river = placement.river_m <= self.settings.river_reach_m
        reqs = tuple(requirements if requirements is not None else category.requirements)
        for limit in (BRIDGE_ROWS, None):  # the nearest by the factor model first
            p = self.ranker.run(lat, lon, placement.road_factor, near_river=near_river,
                                exclude_rows=np.array(excluded_rows, dtype=np.intp),
                                bridge_rows=limit)
            picked = self._pick(p, reqs, category, alternates)
            shown = {int(r) for chosen, alt in picked for r in (*chosen, *alt)}
            if all(p.eligible_eta_s[r] <= p.exact_below for r in shown):
                break  # every unit shown beats every row not routed across the river
        fills = []
        for req, (chosen, alt) in zip(reqs, picked, strict=True):
            label = req.label(category.id)
            fills.append(Fill(req, label, self._options(chosen, p, label, placement),
                              self._options(alt, p, label, placement)))
        out = self._exclusions(p, [self._rows(r, category.role(r)) for r in reqs], shown,
                               set(excluded_rows), category, placement, explain)
        return Recommendation(lat, lon, category.id, placement, tuple(fills), out,
                              self._notes(placement, near_river, fills))

    def _pick(self, p: Pass, reqs: Sequence[Requirement], category: Category,
              alternates: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """(chosen, alternates) rows per requirement; a unit fills one place."""
        free = p.eligible_eta_s.copy()
        chosen_all = []
        for req in reqs:
            rows = self._rows(req, category.role(req))
            chosen = rows[smallest(free[rows], req.count)]
            free[chosen] = np.inf
            chosen_all.append(chosen)
        out = []
        for req, chosen in zip(reqs, chosen_all, strict=True):
            rows = self._rows(req, category.role(req))
            out.append((chosen, rows[smallest(free[rows], alternates)]))
        return out

    def _rows(self, req: Requirement, role: str) -> np.ndarray:
        """Rows whose kind and role fit ``req`` (static until units register)."""
        n = self.view.columns.size
        key = (req, role)
        cached = self._req_rows.get(key)
        if cached is not None and cached[0] == n:
            return cached[1]
        kinds = self.view.columns.kind[:n]
        rows = np.flatnonzero(self._kind_table(req)[kinds] & self.ranker.role_mask(role))
        self._req_rows[key] = (n, rows)
        return rows

    def _kind_table(self, req: Requirement) -> np.ndarray:
        table = self._kind_tables.get(req)
        if table is None:
            table = np.array([req.allows(k) for k in KINDS])
            self._kind_tables[req] = table
        return table

    def _options(self, rows: np.ndarray, p: Pass, label: str, placement: Placement
                 ) -> tuple[Option, ...]:
        cols = self.view.columns
        out = []
        for r in rows:
            i = int(r)
            unit = self.view.unit_at(i)
            speed = unit.capabilities.cruise_speed_m_s
            eta, launch = float(p.eta_s[i]), self.ranker.launch_s(i)
            battery = float(cols.battery_pct[i])
            bridge = -1 if p.bridge is None else int(p.bridge[i])
            crossings = self.ranker.crossings
            out.append(Option(
                unit.id, unit.callsign, unit.kind, label, float(p.distance_m[i]),
                (eta - launch) * speed, speed, launch, eta,
                None if math.isnan(battery) else battery, eta <= placement.target_s,
                crossings.bridges[bridge].name if bridge >= 0 and crossings else None,
            ))
        return tuple(out)

    def _exclusions(self, p: Pass, fitting: list[np.ndarray], shown: set[int],
                    excluded: set[int], category: Category, placement: Placement, k: int
                    ) -> tuple[Exclusion, ...]:
        """The ``k`` nearest units that are ineligible or fit no requirement, with why."""
        if k <= 0:
            return ()
        considered = np.zeros(p.eta_s.size, dtype=bool)
        for rows in fitting:
            considered[rows] = True
        considered &= np.isfinite(p.eligible_eta_s)
        dist = p.distance_m.copy()
        dist[considered] = np.inf
        unplaced = np.isnan(dist)
        dist[unplaced] = np.inf
        if not p.near_river:  # one note says it for every boat
            dist[self.ranker.water_rows] = np.inf
            unplaced[self.ranker.water_rows] = False
        if shown:
            dist[list(shown)] = np.inf
        rows = list(smallest(dist, k))
        if len(rows) < k:  # units with no position at all come last
            rows += list(np.flatnonzero(unplaced & ~considered)[: k - len(rows)])
        out = []
        for r in rows:
            i = int(r)
            reason = self.ranker.reason(i, p, excluded)
            if reason is Reason.ELIGIBLE:
                reason = Reason.NO_ROLE
            unit = self.view.unit_at(i)
            d = float(p.distance_m[i])
            out.append(Exclusion(unit.id, unit.callsign, unit.kind, None if math.isnan(d) else d,
                                 reason, self._detail(i, reason, category, placement)))
        return tuple(out)

    def _detail(self, row: int, reason: Reason, category: Category, placement: Placement
                ) -> str:
        cols = self.view.columns
        match reason:
            case Reason.EXCLUDED:
                return "already assigned to this incident, or failed it"
            case Reason.NOT_HEARD:
                return "never heard (no telemetry yet)"
            case Reason.LOST:
                return "lost (telemetry stopped)"
            case Reason.READ_ONLY:
                return "read-only (watched, never commanded)"
            case Reason.COMMITTED | Reason.NOT_AVAILABLE:
                status = STATUS_BY_CODE[int(cols.status[row])].value.replace("_", " ")
                owner = self.ranker.committed().get(self.view.unit_at(row).id)
                return f"{status}, committed to {owner}" if owner else status
            case Reason.NO_POSITION:
                return "no position fix"
            case Reason.LOW_BATTERY:
                return (f"battery {cols.battery_pct[row]:.0f} % below the "
                        f"{self.ranker.reserve_pct(row):.0f} % reserve")
            case Reason.AWAY_FROM_RIVER:
                return (f"boats only within {self.settings.river_reach_m:.0f} m of the river; "
                        f"the incident is {_km(placement.river_m)} away")
            case _:
                roles = sorted({category.role(r) for r in category.requirements})
                return f"not needed: responds to none of {', '.join(roles)}"

    def _notes(self, placement: Placement, near_river: bool, fills: list[Fill]
               ) -> tuple[str, ...]:
        notes = []
        if placement.note:
            notes.append(placement.note)
        if not near_river:
            notes.append(f"no boats: {_km(placement.river_m)} from the river")
        for f in fills:
            if f.short_by > 0:
                notes.append(f"short by {f.short_by}: {f.label}")
        return tuple(notes)


def _km(metres: float) -> str:
    if math.isinf(metres):
        return "far (no river known)"
    return f"{metres / 1000:.1f} km" if metres >= 1000 else f"{metres:.0f} m"
