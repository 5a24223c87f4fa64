"""Response-time coverage: which demand points some unit reaches within its target.

ETAs follow :mod:`fleet.eta` (the dispatcher's ranking), so the table and the dispatch
agree: launch time plus distance over speed, times the zone's road factor for ground
and water units. Distances are straight lines in the local frame, one (M, N) numpy pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from fleet.columns import Columns
from fleet.geo import LocalFrame
from fleet.model import KIND_CODE, Domain, Unit, UnitKind, UnitStatus

from .demand import Demand

ELIGIBLE = (UnitStatus.AVAILABLE, UnitStatus.PATROLLING)
#: units that only count where they stand: busy ones, and aircraft (a drone waits on
#: its roof, not at a street corner); only idle land units are offered moves
MOVABLE_DOMAINS = (Domain.LAND,)


@dataclass(frozen=True, slots=True)
class Responders:
    """Units as rows: position (local metres) and the terms of their ETA."""

    ids: tuple[str, ...]
    xy: np.ndarray  # (N, 2)
    inv_speed_air: np.ndarray  # (N,) s/m for aircraft, else 0
    inv_speed_ground: np.ndarray  # (N,) s/m for ground and water units, else 0
    launch_s: np.ndarray  # (N,)

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, rows: np.ndarray) -> Responders:
        return Responders(tuple(self.ids[i] for i in rows), self.xy[rows],
                          self.inv_speed_air[rows], self.inv_speed_ground[rows],
                          self.launch_s[rows])

    @classmethod
    def empty(cls) -> Responders:
        z = np.zeros(0)
        return cls((), np.zeros((0, 2)), z, z, z)

    @classmethod
    def at(cls, units: Sequence[Unit], latlon: np.ndarray, frame: LocalFrame) -> Responders:
        """``units`` standing at ``latlon`` (N, 2)."""
        air = np.array([u.domain is Domain.AIR for u in units], dtype=bool)
        inv = np.array([1.0 / u.capabilities.cruise_speed_m_s for u in units])
        return cls(tuple(u.id for u in units), frame.to_xy(latlon) if len(units) else
                   np.zeros((0, 2)), np.where(air, inv, 0.0), np.where(air, 0.0, inv),
                   np.array([u.capabilities.launch_time_s for u in units], dtype=float))

    @classmethod
    def at_bases(cls, units: Iterable[Unit], frame: LocalFrame) -> Responders:
        """Every unit that has a base, standing there (the offline picture)."""
        placed = [u for u in units if u.base is not None]
        pos = np.array([(u.base.position.lat_deg, u.base.position.lon_deg)  # type: ignore[union-attr]
                        for u in placed]).reshape(-1, 2)
        return cls.at(placed, pos, frame)

    @classmethod
    def from_columns(cls, cols: Columns, units: Sequence[Unit], frame: LocalFrame,
                     rows: np.ndarray) -> Responders:
        """Rows of the live fleet columns (positions and speeds as the dispatcher sees)."""
        pos = np.column_stack((cols.lat_deg[rows], cols.lon_deg[rows]))
        return cls(tuple(units[i].id for i in rows), frame.to_xy(pos),
                   cols.inv_speed_air[rows].copy(), cols.inv_speed_ground[rows].copy(),
                   cols.launch_s[rows].copy())


def live_rows(cols: Columns, *, statuses: Iterable[UnitStatus] = ELIGIBLE,
              domains: Iterable[Domain] = (Domain.LAND,)) -> np.ndarray:
    """Column rows of placed units in the given statuses and domains."""
    n = cols.size
    status_ok = np.isin(cols.status[:n], [s.code for s in statuses])
    kinds = [KIND_CODE[k] for k in UnitKind if k.domain in set(domains)]
    placed = np.isfinite(cols.lat_deg[:n]) & np.isfinite(cols.lon_deg[:n])
    return np.flatnonzero(status_ok & np.isin(cols.kind[:n], kinds) & placed)


def eta_matrix(demand: Demand, units: Responders) -> np.ndarray:
    """(M, N) seconds from each unit to each demand point."""
    d = np.hypot(demand.xy[:, None, 0] - units.xy[None, :, 0],
                 demand.xy[:, None, 1] - units.xy[None, :, 1])
    spm = units.inv_speed_air[None, :] + demand.road_factor[:, None] * \
        units.inv_speed_ground[None, :]
    return d * spm + units.launch_s[None, :]


def squared_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(A, B) float32 squared distances: metres² over a city fit float32 to 1e-7."""
    a32, b32 = a.astype(np.float32), b.astype(np.float32)
    d2 = np.subtract.outer(a32[:, 0], b32[:, 0])
    np.square(d2, out=d2)
    dy = np.subtract.outer(a32[:, 1], b32[:, 1])
    np.square(dy, out=dy)
    d2 += dy
    return d2


def unit_types(units: Responders) -> tuple[np.ndarray, np.ndarray]:
    """Type index per unit, and each type's (inv_air, inv_ground, launch) row: units of
    one type differ only in where they are."""
    key = np.column_stack((units.inv_speed_air, units.inv_speed_ground, units.launch_s))
    rows, inverse = np.unique(np.round(key, 9), axis=0, return_inverse=True)
    return inverse.reshape(-1), rows


def best_eta(demand: Demand, units: Responders) -> np.ndarray:
    """(M,) seconds to the nearest unit in time (inf with no units).

    Per unit type only the nearest unit can be fastest, so the (M, N) pass is squared
    distances and a per-type minimum; speeds and square roots touch (M, types) values.
    """
    if len(units) == 0:
        return np.full(len(demand), np.inf)
    type_of, kinds = unit_types(units)
    order = np.argsort(type_of, kind="stable")
    starts = np.flatnonzero(np.diff(type_of[order], prepend=-1))
    nearest = np.minimum.reduceat(squared_distances(demand.xy, units.xy[order]), starts, axis=1)
    d = np.sqrt(nearest.astype(np.float64))
    spm = kinds[None, :, 0] + demand.road_factor[:, None] * kinds[None, :, 1]
    return (d * spm + kinds[None, :, 2]).min(axis=1)


@dataclass(frozen=True, slots=True)
class AreaCoverage:
    id: str
    name: str
    kind: str  # zone or site
    target_min: float
    share: float  # of the area's demand weight reached within target, 0..1
    worst_eta_s: float  # the slowest demand point's best ETA (a site's only point)


def coverage_table(demand: Demand, units: Responders, eta: np.ndarray | None = None
                   ) -> list[AreaCoverage]:
    """One row per zone and key site, in config order."""
    best = best_eta(demand, units) if eta is None else eta
    covered = best <= demand.target_s
    k = len(demand.areas)
    total = np.bincount(demand.area, demand.weight, minlength=k)
    hit = np.bincount(demand.area, demand.weight * covered, minlength=k)
    worst = np.full(k, -np.inf)
    np.maximum.at(worst, demand.area, best)
    return [AreaCoverage(a.id, a.name, a.kind, a.target_min,
                         float(hit[i] / total[i]) if total[i] else 0.0, float(worst[i]))
            for i, a in enumerate(demand.areas)]
