"""Geofence geometry from uploaded fence items, and the breach test ArduPilot's AC_Fence does."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from . import mission_items as m
from .geo import north_east, point_in_polygon

# FENCE_TYPE bits
TYPE_ALT_MAX, TYPE_CIRCLE, TYPE_POLYGON = 1, 2, 4
# FENCE_BREACH
BREACH_NONE, BREACH_MINALT, BREACH_MAXALT, BREACH_BOUNDARY = 0, 1, 2, 3


@dataclass
class FenceGeometry:
    inclusion_polygons: list[list[tuple[float, float]]] = field(default_factory=list)
    exclusion_polygons: list[list[tuple[float, float]]] = field(default_factory=list)
    inclusion_circles: list[tuple[float, float, float]] = field(default_factory=list)
    exclusion_circles: list[tuple[float, float, float]] = field(default_factory=list)

    @classmethod
    def from_items(cls, items: list[m.Item], lat0: float, lon0: float) -> FenceGeometry:
        geo = cls()
        i = 0
        while i < len(items):
            it = items[i]
            n, e = north_east(lat0, lon0, it.x * 1e-7, it.y * 1e-7)
            if it.command in (m.FENCE_POLYGON_INCLUSION, m.FENCE_POLYGON_EXCLUSION):
                count = int(it.param1)
                poly = [north_east(lat0, lon0, p.x * 1e-7, p.y * 1e-7) for p in items[i:i + count]]
                target = (geo.inclusion_polygons if it.command == m.FENCE_POLYGON_INCLUSION
                          else geo.exclusion_polygons)
                target.append(poly)
                i += count
                continue
            if it.command == m.FENCE_CIRCLE_INCLUSION:
                geo.inclusion_circles.append((n, e, it.param1))
            elif it.command == m.FENCE_CIRCLE_EXCLUSION:
                geo.exclusion_circles.append((n, e, it.param1))
            i += 1
        return geo

    @property
    def empty(self) -> bool:
        return not (self.inclusion_polygons or self.exclusion_polygons or self.inclusion_circles
                    or self.exclusion_circles)

    def breached(self, north: float, east: float) -> bool:
        """Outside any inclusion zone (they intersect, as in ArduPilot) or inside an exclusion."""
        for poly in self.inclusion_polygons:
            if not point_in_polygon(north, east, poly):
                return True
        for cn, ce, r in self.inclusion_circles:
            if math.hypot(north - cn, east - ce) > r:
                return True
        for poly in self.exclusion_polygons:
            if point_in_polygon(north, east, poly):
                return True
        return any(math.hypot(north - cn, east - ce) < r for cn, ce, r in self.exclusion_circles)
