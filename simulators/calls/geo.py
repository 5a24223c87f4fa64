"""Just enough geometry to place calls in a city: distances, a flat frame, polygons.

Kept here (not shared with the city simulator) so the call centre starts without the
city's road graph and numpy; an equirectangular frame is exact enough over a city.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

EARTH_RADIUS_M = 6_371_000.0
LatLon = tuple[float, float]
XY = tuple[float, float]


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


class Frame:
    """Metres east (x) and north (y) of an origin."""

    def __init__(self, lat0: float, lon0: float) -> None:
        self.lat0, self.lon0 = lat0, lon0
        self.m_per_deg_lat = math.radians(1.0) * EARTH_RADIUS_M
        self.m_per_deg_lon = self.m_per_deg_lat * math.cos(math.radians(lat0))

    def xy(self, p: LatLon) -> XY:
        return (p[1] - self.lon0) * self.m_per_deg_lon, (p[0] - self.lat0) * self.m_per_deg_lat

    def latlon(self, x: float, y: float) -> LatLon:
        return self.lat0 + y / self.m_per_deg_lat, self.lon0 + x / self.m_per_deg_lon

    def offset(self, p: LatLon, metres: float, bearing_rad: float) -> LatLon:
        x, y = self.xy(p)
        return self.latlon(x + metres * math.sin(bearing_rad), y + metres * math.cos(bearing_rad))

    def distance_to_line_m(self, p: LatLon, line: Sequence[LatLon]) -> float:
        px, py = self.xy(p)
        best = math.inf
        pts = [self.xy(q) for q in line]
        for (ax, ay), (bx, by) in itertools.pairwise(pts):
            dx, dy = bx - ax, by - ay
            seg2 = dx * dx + dy * dy
            t = 0.0 if seg2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / seg2))
            best = min(best, math.hypot(px - ax - t * dx, py - ay - t * dy))
        return best


def inside(p: LatLon, polygon: Sequence[LatLon]) -> bool:
    """Ray casting on lat/lon (fine for city-sized polygons)."""
    lat, lon = p
    result = False
    j = len(polygon) - 1
    for i, (lat_i, lon_i) in enumerate(polygon):
        lat_j, lon_j = polygon[j]
        if (lat_i > lat) != (lat_j > lat):
            cross = lon_i + (lat - lat_i) * (lon_j - lon_i) / (lat_j - lat_i)
            if lon < cross:
                result = not result
        j = i
    return result
