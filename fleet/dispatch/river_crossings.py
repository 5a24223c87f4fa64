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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from fleet.geo import LocalFrame
from fleet.roads_rivers import CityMap, LatLon


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
        self.frame = LocalFrame.around(points)
        self._rivers = [_River(self.frame.to_xy(r)) for r in rivers if len(r) >= 2]
        self._n_rivers = len(self._rivers)
        kept = []
        for br in bridges:  # a bridge serves the river its span crosses
            a, b = self.frame.point(*br.a), self.frame.point(*br.b)
            crossed = self._crossed(a[None, :], b)[0]
            if crossed.any():
                kept.append((br, a, b, crossed))
        self.bridges = tuple(br for br, *_ in kept)
        self._a = np.array([a for _, a, _, _ in kept]).reshape(-1, 2)
        self._b = np.array([b for _, _, b, _ in kept]).reshape(-1, 2)
        self._span = np.hypot(*(self._b - self._a).T) if kept else np.zeros(0)
        # (bridges, rivers): which river each bridge crosses
        self._serves_t = np.array([c for *_, c in kept], dtype=bool).reshape(
            -1, self._n_rivers).T  # (rivers, bridges)

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
        u = self.frame.to_xy(np.column_stack((unit_lat, unit_lon)))
        target = self.frame.point(lat, lon)
        crossed = self._crossed(u, target)  # (units, rivers)
        across = np.isfinite(u[:, 0]) & np.isfinite(u[:, 1])
        any_river = crossed[:, 0].copy()
        for k in range(1, self._n_rivers):  # not .any(axis=1): slow on 2 columns
            any_river |= crossed[:, k]
        rows = np.flatnonzero(across & any_river)
        if not rows.size:
            return metres, which
        best_m = np.full(rows.size, np.inf)
        best_b = np.full(rows.size, -1, dtype=np.intp)
        for k in range(self._n_rivers):  # each river's bridges, for the units crossing it
            sel = np.flatnonzero(crossed[rows, k])
            bridges = np.flatnonzero(self._serves_t[k])
            if not sel.size or not bridges.size:
                continue
            a, b = self._a[bridges], self._b[bridges]
            ux, uy = u[rows[sel], 0:1], u[rows[sel], 1:2]  # (s, 1)
            a_to_t = _norm(a[:, 0] - target[0], a[:, 1] - target[1])  # (bridges,)
            b_to_t = _norm(b[:, 0] - target[0], b[:, 1] - target[1])
            legs = np.minimum(_norm(ux - a[:, 0], uy - a[:, 1]) + b_to_t,
                              _norm(ux - b[:, 0], uy - b[:, 1]) + a_to_t)  # (s, bridges)
            legs *= road_factor
            legs += self._span[bridges]
            pick = np.argmin(legs, axis=1)
            m = legs[np.arange(sel.size), pick]
            better = m < best_m[sel]
            best_m[sel[better]] = m[better]
            best_b[sel[better]] = bridges[pick[better]]
        found = best_b >= 0
        metres[rows[found]] = best_m[found]
        which[rows[found]] = best_b[found]
        return metres, which

    def _crossed(self, u: np.ndarray, target: np.ndarray) -> np.ndarray:
        """(units, rivers): does the segment unit -> target cross each river an odd
        number of times?"""
        out = np.zeros((len(u), self._n_rivers), dtype=bool)
        for k, river in enumerate(self._rivers):
            out[:, k] = river.crossed(u, target)
        return out



def _norm(dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """sqrt(dx² + dy²): np.hypot is ~10x slower here and guards against overflow
    that city distances never reach."""
    out = np.multiply(dx, dx)
    out += np.multiply(dy, dy)
    return np.sqrt(out, out=out)


class _River:
    """One river polyline in the metric frame, and the parity of a segment's crossings.

    A river that runs monotonically along one axis (the Xiang northwards, the Zheng
    eastwards) is a function's graph over its span there. Clip the segment to that span
    (outside it there is no river): the crossing parity is whether the clipped ends lie
    on different sides of the river (the sign of across - f(along) changes an odd number
    of times along the segment). Two ``np.interp`` per query instead of a test against
    every segment; rivers that double back get that exact test."""

    def __init__(self, points: np.ndarray) -> None:
        self.p, self.q = points[:-1], points[1:]
        self.lo, self.hi = points.min(axis=0), points.max(axis=0)  # bounding box
        self.axis: int | None = None
        spans = np.ptp(points, axis=0)
        for axis in sorted((0, 1), key=lambda a: -spans[a]):  # the river's main direction
            steps = np.diff(points[:, axis])
            if (steps > 0).all() or (steps < 0).all():
                self.axis = axis
                order = np.argsort(points[:, axis])
                self.along = points[order, axis]
                self.across = points[order, 1 - axis]
                break

    def crossed(self, u: np.ndarray, target: np.ndarray) -> np.ndarray:
        if self.axis is None:
            return self._exact(u, target)
        a, b = self.axis, 1 - self.axis
        lo, hi = self.along[0], self.along[-1]
        start, step = u[:, a], target[a] - u[:, a]
        flat = step == 0.0  # the segment runs across the axis: in the span or not at all
        with np.errstate(divide="ignore", invalid="ignore"):
            t_lo = (lo - start) / step
            t_hi = (hi - start) / step
        t0 = np.clip(np.where(flat, 0.0, np.minimum(t_lo, t_hi)), 0.0, 1.0)
        t1 = np.clip(np.where(flat, 1.0, np.maximum(t_lo, t_hi)), 0.0, 1.0)
        valid = t0 < t1
        if flat.any():
            valid &= ~flat | ((start >= lo) & (start <= hi))
        across0 = u[:, b] + t0 * (target[b] - u[:, b])
        across1 = u[:, b] + t1 * (target[b] - u[:, b])
        side0 = across0 > np.interp(start + t0 * step, self.along, self.across)
        side1 = across1 > np.interp(start + t1 * step, self.along, self.across)
        return valid & (side0 != side1)

    def _exact(self, u: np.ndarray, target: np.ndarray) -> np.ndarray:
        """Two orientation tests per (unit, segment), broadcast, for the units whose
        segment's bounding box meets the river's; odd count = crossed."""
        out = np.zeros(len(u), dtype=bool)
        near = np.ones(len(u), dtype=bool)
        for a in (0, 1):
            near &= np.minimum(u[:, a], target[a]) <= self.hi[a]
            near &= np.maximum(u[:, a], target[a]) >= self.lo[a]
        rows = np.flatnonzero(near)
        if rows.size:
            out[rows] = self._segments(u[rows], target)
        return out

    def _segments(self, u: np.ndarray, target: np.ndarray) -> np.ndarray:
        p, q = self.p, self.q
        e = q - p
        nx, ny = -e[:, 1], e[:, 0]  # normals of the segments' lines
        offset = -(p[:, 0] * nx + p[:, 1] * ny)
        ux, uy = u[:, 0:1], u[:, 1:2]  # (n, 1)
        unit_side = ux * nx + uy * ny + offset > 0  # (n, m)
        target_side = target[0] * nx + target[1] * ny + offset > 0
        dx, dy = target[0] - ux, target[1] - uy  # the unit -> target lines
        p_side = dx * (p[:, 1] - uy) - dy * (p[:, 0] - ux) > 0
        q_side = dx * (q[:, 1] - uy) - dy * (q[:, 0] - ux) > 0
        hits = (unit_side != target_side) & (p_side != q_side)
        return hits.sum(axis=1) % 2 == 1
