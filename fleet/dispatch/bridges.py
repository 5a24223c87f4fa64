"""Rivers are crossed on bridges: the road distance of a ground unit on the other bank.

fleet's city data (``fleet/data/hengyang_map.json``) carries the main roads only. Routing
on them overestimates short trips several times (the side streets are missing: 0.5 km
straight came out at 3 km), so a zone's road factor stays the model for a trip on one
bank. What the map does decide is how a car gets across the Xiang or the Zheng: when the
straight line from a unit to the incident crosses a river (an odd number of times: a
meander crossed twice leaves it on the same bank), the unit drives to the bridge that
makes the trip shortest. Its distance is then both legs times the road factor, plus the
bridge. One vectorised pass per query; pure numpy, no I/O.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from fleet.citymap import CityMap, LatLon

_M_PER_DEG = 111_320.0


@dataclass(frozen=True, slots=True)
class Bridge:
    name: str
    a: LatLon  # one bank
    b: LatLon  # the other


class Crossings:
    def __init__(self, rivers: Sequence[Sequence[LatLon]], bridges: Sequence[Bridge]) -> None:
        points = [p for r in rivers for p in r] + [p for br in bridges for p in (br.a, br.b)]
        if not points:
            raise ValueError("no rivers or bridges")
        self._lat0 = sum(p[0] for p in points) / len(points)
        self._lon0 = sum(p[1] for p in points) / len(points)
        self._kx = _M_PER_DEG * math.cos(math.radians(self._lat0))
        segs = [(i, self._xy(*p), self._xy(*q)) for i, r in enumerate(rivers)
                for p, q in itertools.pairwise(r)]
        self._seg_river = np.array([i for i, _, _ in segs], dtype=np.intp)
        self._p = np.array([p for _, p, _ in segs]).reshape(-1, 2)
        self._q = np.array([q for _, _, q in segs]).reshape(-1, 2)
        self._n_rivers = len(rivers)
        self._river_onehot = np.zeros((len(segs), len(rivers)), dtype=np.float32)
        self._river_onehot[np.arange(len(segs)), self._seg_river] = 1
        kept = []
        for br in bridges:  # a bridge serves the river its span crosses
            a, b = np.array(self._xy(*br.a)), np.array(self._xy(*br.b))
            crossed = self._crossed(a[None, :], b)[0]
            if crossed.any():
                kept.append((br, a, b, crossed))
        self.bridges = tuple(br for br, *_ in kept)
        self._a = np.array([a for _, a, _, _ in kept]).reshape(-1, 2)
        self._b = np.array([b for _, _, b, _ in kept]).reshape(-1, 2)
        self._span = np.hypot(*(self._b - self._a).T) if kept else np.zeros(0)
        # (bridges, rivers): which river each bridge crosses
        self._serves = np.array([c for *_, c in kept], dtype=bool).reshape(-1, self._n_rivers)

    @classmethod
    def from_map(cls, city: CityMap) -> Crossings:
        bridges = [Bridge(w.name, w.points[0], w.points[-1])
                   for w in city.ways if w.kind == "bridge"]
        return cls([w.points for w in city.rivers], bridges)

    def route(self, lat: float, lon: float, unit_lat: np.ndarray, unit_lon: np.ndarray,
              road_factor: float) -> tuple[np.ndarray, np.ndarray]:
        """Per unit: metres by the best bridge (NaN where no river is in the way) and
        that bridge's index in :attr:`bridges` (-1)."""
        n = len(unit_lat)
        metres = np.full(n, np.nan)
        which = np.full(n, -1, dtype=np.intp)
        if not n or not len(self.bridges):
            return metres, which
        u = np.stack(self._xy_arrays(unit_lat, unit_lon), axis=1)
        target = np.array(self._xy(lat, lon))
        crossed = self._crossed(u, target)  # (units, rivers)
        rows = np.flatnonzero(crossed.any(axis=1) & np.isfinite(u).all(axis=1))
        if not rows.size:
            return metres, which
        uu = u[rows][:, None, :]  # (k, 1, 2)
        to_a = np.hypot(*(uu - self._a[None]).transpose(2, 0, 1))  # (k, bridges)
        to_b = np.hypot(*(uu - self._b[None]).transpose(2, 0, 1))
        a_to_t = np.hypot(*(self._a - target).T)[None, :]
        b_to_t = np.hypot(*(self._b - target).T)[None, :]
        legs = np.minimum(to_a + b_to_t, to_b + a_to_t) * road_factor + self._span[None, :]
        usable = crossed[rows] @ self._serves.T.astype(np.intp) > 0  # serves a crossed river
        legs[~usable] = np.inf
        best = np.argmin(legs, axis=1)
        found = np.isfinite(legs[np.arange(rows.size), best])
        metres[rows[found]] = legs[np.arange(rows.size), best][found]
        which[rows[found]] = best[found]
        return metres, which

    def _crossed(self, u: np.ndarray, target: np.ndarray) -> np.ndarray:
        """(units, rivers): does the segment unit -> target cross each river an odd
        number of times? Two orientation tests per (unit, river segment), broadcast
        (a (n, 2) @ (2, m) matmul was 10x slower: BLAS overhead on an inner size of 2)."""
        p, q = self._p, self._q
        e = q - p
        nx, ny = -e[:, 1], e[:, 0]  # normals of the river segments' lines
        offset = -(p[:, 0] * nx + p[:, 1] * ny)  # (m,)
        ux, uy = u[:, 0:1], u[:, 1:2]  # (n, 1)
        unit_side = ux * nx + uy * ny + offset > 0  # (n, m)
        target_side = target[0] * nx + target[1] * ny + offset > 0  # (m,)
        dx, dy = target[0] - ux, target[1] - uy  # (n, 1): the unit -> target lines
        p_side = dx * (p[:, 1] - uy) - dy * (p[:, 0] - ux) > 0  # (n, m)
        q_side = dx * (q[:, 1] - uy) - dy * (q[:, 0] - ux) > 0
        hits = (unit_side != target_side) & (p_side != q_side)
        counts = hits.astype(np.float32) @ self._river_onehot  # (n, rivers)
        return counts.astype(np.intp) % 2 == 1

    def _xy(self, lat: float, lon: float) -> tuple[float, float]:
        return (lon - self._lon0) * self._kx, (lat - self._lat0) * _M_PER_DEG

    def _xy_arrays(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return ((np.asarray(lon, float) - self._lon0) * self._kx,
                (np.asarray(lat, float) - self._lat0) * _M_PER_DEG)
