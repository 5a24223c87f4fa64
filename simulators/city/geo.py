"""Small geodesy for a city-sized map: great-circle lengths and a flat local frame.

Edge lengths and headings use the sphere; geometry (noding, crossings, nearest node) uses an
equirectangular frame in metres around the city centre, whose error over Hengyang's extent
(tens of kilometres) is far below the precision of hand-digitised roads.
"""

from __future__ import annotations

import math

import numpy as np

EARTH_RADIUS_M = 6_371_000.0


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial course from point 1 to point 2, 0 = north, clockwise, in [0, 360)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(x, y)) % 360.0


class LocalFrame:
    """Equirectangular projection to metres (x east, y north) around an origin."""

    def __init__(self, lat0: float, lon0: float) -> None:
        self.lat0, self.lon0 = lat0, lon0
        self._m_per_deg_lat = math.radians(1.0) * EARTH_RADIUS_M
        self._m_per_deg_lon = self._m_per_deg_lat * math.cos(math.radians(lat0))

    def to_xy(self, lat: float, lon: float) -> tuple[float, float]:
        return ((lon - self.lon0) * self._m_per_deg_lon, (lat - self.lat0) * self._m_per_deg_lat)

    def to_latlon(self, x: float, y: float) -> tuple[float, float]:
        return (self.lat0 + y / self._m_per_deg_lat, self.lon0 + x / self._m_per_deg_lon)

    def array_to_xy(self, latlon: np.ndarray) -> np.ndarray:
        """(n, 2) lat/lon degrees -> (n, 2) x/y metres."""
        out = np.empty_like(latlon, dtype=float)
        out[:, 0] = (latlon[:, 1] - self.lon0) * self._m_per_deg_lon
        out[:, 1] = (latlon[:, 0] - self.lat0) * self._m_per_deg_lat
        return out


#: Hengyang's centre: the frame every map of the simulator is projected in.
HENGYANG = LocalFrame(26.89, 112.57)
