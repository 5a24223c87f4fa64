"""Where police may be needed: demand points with a response target and a weight.

Zones become grids of cell centres (one grid for all, so overlapping zones share
cells but each keeps its own target); each key site is one point with the site's
target (1 minute) and a heavier weight. Weights may come from incident history.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from fleet.geo import LocalFrame
from fleet.model import KeySite, Zone

from .geometry import as_ring, points_in_ring, signed_area

DEFAULT_CELLS = 2000
#: a key site weighs as much as this many zone cells: missing one is a visible failure
DEFAULT_SITE_WEIGHT = 25.0


@dataclass(frozen=True, slots=True)
class Area:
    """A zone or key site as a row of the coverage table."""

    id: str
    name: str
    kind: str  # "zone" or "site"
    target_min: float


@dataclass(frozen=True, slots=True)
class Demand:
    frame: LocalFrame
    xy: np.ndarray  # (M, 2) metres
    target_s: np.ndarray  # (M,)
    road_factor: np.ndarray  # (M,) detour ratio for ground units
    weight: np.ndarray  # (M,)
    area: np.ndarray  # (M,) index into areas
    areas: tuple[Area, ...]
    cell_m: float

    def __len__(self) -> int:
        return len(self.xy)

    def latlon(self) -> np.ndarray:
        return self.frame.to_latlon(self.xy)


def demand_grid(zones: Sequence[Zone], key_sites: Sequence[KeySite] = (), *,
                cell_m: float | None = None, cells: int = DEFAULT_CELLS,
                site_weight: float = DEFAULT_SITE_WEIGHT,
                frame: LocalFrame | None = None) -> Demand:
    """Cell centres inside each zone (``cell_m`` apart, or sized to about ``cells`` in
    all) plus one point per key site. A zone too small for a cell gets its centroid."""
    everything = [p for z in zones for p in z.polygon] + \
        [(s.position.lat_deg, s.position.lon_deg) for s in key_sites]
    if not everything:
        raise ValueError("no zones or key sites to cover")
    frame = frame or LocalFrame.around(everything)
    rings = [as_ring(frame.to_xy(z.polygon), f"zone {z.id}") for z in zones]
    if cell_m is None:
        total = sum(signed_area(r) for r in rings) or 1.0
        cell_m = math.sqrt(total / max(cells, 1))
    xy, target, factor, weight, area = [], [], [], [], []
    areas: list[Area] = []
    for k, (zone, ring) in enumerate(zip(zones, rings, strict=True)):
        lo, hi = ring.min(axis=0), ring.max(axis=0)
        gx = np.arange(lo[0] + cell_m / 2, hi[0], cell_m)
        gy = np.arange(lo[1] + cell_m / 2, hi[1], cell_m)
        grid = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2)
        inside = grid[points_in_ring(grid, ring)] if len(grid) else grid
        if len(inside) == 0:
            inside = ring.mean(axis=0, keepdims=True)
        areas.append(Area(zone.id, zone.name, "zone", zone.target_min))
        n = len(inside)
        xy.append(inside)
        target.append(np.full(n, zone.target_min * 60.0))
        factor.append(np.full(n, zone.road_factor))
        weight.append(np.ones(n))
        area.append(np.full(n, k))
    road = max((z.road_factor for z in zones), default=1.4)
    for site in key_sites:
        areas.append(Area(site.id, site.name, "site", site.target_min))
        xy.append(frame.point(site.position.lat_deg, site.position.lon_deg)[None])
        target.append(np.array([site.target_min * 60.0]))
        factor.append(np.array([road]))
        weight.append(np.array([site_weight]))
        area.append(np.array([len(areas) - 1]))
    return Demand(frame, np.vstack(xy), np.concatenate(target), np.concatenate(factor),
                  np.concatenate(weight), np.concatenate(area).astype(int), tuple(areas),
                  float(cell_m))


def weighted_by_incidents(demand: Demand, incidents: Sequence[tuple[float, float]] | np.ndarray,
                          *, floor: float = 1.0) -> Demand:
    """Zone cells weighted ``floor`` + the number of past incidents nearest to them, so
    busy streets count for more without quiet ones counting for nothing."""
    pts = demand.frame.to_xy(incidents)
    zone_rows = np.flatnonzero(np.array([demand.areas[a].kind == "zone" for a in demand.area]))
    weight = demand.weight.copy()
    if len(pts) and len(zone_rows):
        cells = demand.xy[zone_rows]
        counts = np.zeros(len(weight))
        for chunk in np.array_split(pts, max(1, len(pts) // 1000)):  # bounded memory
            d2 = ((chunk[:, None, :] - cells[None, :, :]) ** 2).sum(axis=2)
            near = d2.min(axis=1) <= demand.cell_m ** 2
            np.add.at(counts, zone_rows[np.argmin(d2, axis=1)][near], 1.0)
        weight[zone_rows] = floor + counts[zone_rows]
    return replace(demand, weight=weight)
