"""A route as a timeline: where the unit is τ seconds into flying it, loiters included.

Cutting a route into parts (one per drone) or sorties (one per battery) is cutting this
timeline, which may fall mid-leg or mid-loiter: the next part starts at that point, with
what is left of the loiter. Positions are local metres (see :mod:`.frame`).
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from .errors import PlanningError


class Route:
    """Points flown in order at ``speed_m_s``, holding ``loiter_s[k]`` at point k."""

    def __init__(self, points: np.ndarray, speed_m_s: float,
                 loiter_s: np.ndarray | None = None) -> None:
        pts = np.asarray(points, dtype=float).reshape(-1, 2)
        if len(pts) == 0:
            raise PlanningError("route: no points")
        if not speed_m_s > 0:
            raise PlanningError(f"route: expected a speed > 0, got {speed_m_s:g}")
        hold = np.zeros(len(pts)) if loiter_s is None else np.asarray(loiter_s, dtype=float)
        if hold.shape != (len(pts),) or (hold < 0).any():
            raise PlanningError("route: loiter_s must give a time >= 0 for every point")
        self.points = pts
        self.loiter_s = hold
        self.speed_m_s = float(speed_m_s)
        leg = np.hypot(*np.diff(pts, axis=0).T) / self.speed_m_s
        travel = np.concatenate(([0.0], np.cumsum(leg)))
        waited = np.concatenate(([0.0], np.cumsum(hold)[:-1]))
        self.arrive = travel + waited  # τ of arrival at each point
        self.depart = self.arrive + hold

    def __len__(self) -> int:
        return len(self.points)

    @property
    def duration_s(self) -> float:
        return float(self.depart[-1])

    @property
    def length_m(self) -> float:
        return float(np.hypot(*np.diff(self.points, axis=0).T).sum())

    def position(self, tau: np.ndarray | float) -> np.ndarray:
        """(N, 2) positions at times ``tau`` (clipped to the route)."""
        t = np.clip(np.atleast_1d(np.asarray(tau, dtype=float)), 0.0, self.duration_s)
        k = np.clip(np.searchsorted(self.depart, t, side="right"), 0, len(self.points) - 1)
        leg_start = self.depart[np.maximum(k - 1, 0)]
        span = self.arrive[k] - leg_start
        frac = np.divide(t - leg_start, span, out=np.ones_like(t), where=span > 0)
        frac = np.clip(frac, 0.0, 1.0)
        prev = self.points[np.maximum(k - 1, 0)]
        return prev + frac[:, None] * (self.points[k] - prev)

    def knots(self) -> np.ndarray:
        """Every τ where motion starts or stops (arrivals and departures), sorted."""
        return np.unique(np.concatenate((self.arrive, self.depart)))

    def slice(self, t0: float, t1: float) -> Route:
        """The part of the route flown between τ0 and τ1, as a route of its own."""
        t0 = max(0.0, t0)
        t1 = min(self.duration_s, t1)
        if t1 < t0:
            raise PlanningError(f"route: empty slice {t0:g}..{t1:g} s")
        inner = np.flatnonzero((self.arrive > t0) & (self.arrive < t1))
        start = self.position(t0)
        k0 = int(np.searchsorted(self.depart, t0, side="right"))
        first_hold = 0.0
        if k0 < len(self.points) and self.arrive[k0] <= t0 < self.depart[k0]:
            first_hold = min(self.depart[k0], t1) - t0  # cut mid-loiter: finish it
        holds = np.minimum(self.loiter_s[inner], t1 - self.arrive[inner])
        end_point: list[np.ndarray] = []
        end_hold: list[float] = []
        if t1 > t0 and (len(inner) == 0 or self.depart[inner[-1]] < t1):
            end_point = [self.position(t1)]
            end_hold = [0.0]
        pts = np.vstack([start, self.points[inner], *end_point])
        hold = np.concatenate(([first_hold], holds, end_hold))
        keep = np.concatenate(([True], np.any(np.abs(np.diff(pts, axis=0)) > 1e-6, axis=1)))
        merged_hold = np.add.reduceat(hold, np.flatnonzero(keep))
        return Route(pts[keep], self.speed_m_s, merged_hold)

    def split(self, parts: int) -> list[Route]:
        """``parts`` consecutive pieces of equal duration (one per unit sharing the job)."""
        if parts < 1:
            raise PlanningError(f"route: expected at least 1 part, got {parts}")
        cuts = np.linspace(0.0, self.duration_s, parts + 1)
        return [self.slice(float(a), float(b)) for a, b in pairwise(cuts)]
