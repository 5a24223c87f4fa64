"""Straight legs off the road network: a crew's last metres to a call, and back to the road.

The map has Hengyang's main roads only, so a call point usually lies beside them. A crew
drives to the road node nearest the call, then covers the rest in a straight line at a
modest speed (a side street, a courtyard, on foot), so it reports arrival only where the
call really is. Leaving such a point for the next job, it first goes back to that node.
"""

from __future__ import annotations

from .geo import bearing_deg, haversine_m

LatLon = tuple[float, float]


class StraightLeg:
    """From ``start`` to ``end`` at a constant ``speed_m_s``; ``along_m`` is progress."""

    def __init__(self, start: LatLon, end: LatLon, speed_m_s: float) -> None:
        if speed_m_s <= 0:
            raise ValueError("an off-road leg needs a speed > 0")
        self.start = start
        self.end = end
        self.speed_m_s = speed_m_s
        self.length_m = haversine_m(*start, *end)
        self.along_m = 0.0

    @property
    def done(self) -> bool:
        return self.along_m >= self.length_m

    def remaining_m(self) -> float:
        return max(0.0, self.length_m - self.along_m)

    def position(self) -> LatLon:
        if self.done:
            return self.end
        f = self.along_m / self.length_m
        (la, oa), (lb, ob) = self.start, self.end
        return la + f * (lb - la), oa + f * (ob - oa)

    def heading_deg(self) -> float | None:
        return None if self.length_m == 0 else bearing_deg(*self.start, *self.end)

    def advance(self, dt: float) -> tuple[float, float, float]:
        """Move for up to ``dt`` seconds: (seconds used, metres covered, speed)."""
        left = self.remaining_m()
        if left / self.speed_m_s <= dt:
            self.along_m = self.length_m
            return left / self.speed_m_s, left, self.speed_m_s
        step = dt * self.speed_m_s
        self.along_m += step
        return dt, step, self.speed_m_s
