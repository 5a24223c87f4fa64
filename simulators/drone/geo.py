"""Flat-earth geodesy the way ArduPilot's ``Location`` does it (good to a few cm over a city)."""

from __future__ import annotations

import math

# metres per 1e-7 degree of latitude: ArduPilot's LOCATION_SCALING_FACTOR
LOCATION_SCALING_FACTOR = 0.011131884502145034
METRES_PER_DEG = LOCATION_SCALING_FACTOR * 1e7


def lon_scale(lat_deg: float) -> float:
    """Shrink of a longitude degree at ``lat_deg`` (clamped like ArduPilot's)."""
    return max(0.01, math.cos(math.radians(lat_deg)))


def offset(lat_deg: float, lon_deg: float, north_m: float, east_m: float) -> tuple[float, float]:
    """The point ``north_m``/``east_m`` metres from (lat, lon)."""
    lat = lat_deg + north_m / METRES_PER_DEG
    lon = lon_deg + east_m / (METRES_PER_DEG * lon_scale(lat_deg))
    return lat, lon


def north_east(lat0: float, lon0: float, lat: float, lon: float) -> tuple[float, float]:
    """Metres north and east of (lat0, lon0) to (lat, lon)."""
    return ((lat - lat0) * METRES_PER_DEG,
            (lon - lon0) * METRES_PER_DEG * lon_scale(lat0))


def valid_lat_e7(lat_e7: int) -> bool:
    return -900_000_000 <= lat_e7 <= 900_000_000


def valid_lon_e7(lon_e7: int) -> bool:
    return -1_800_000_000 <= lon_e7 <= 1_800_000_000


def point_in_polygon(x: float, y: float, poly: list[tuple[float, float]]) -> bool:
    """Even-odd rule; ``poly`` is a list of (x, y) vertices, not closed."""
    inside = False
    j = len(poly) - 1
    for i, (xi, yi) in enumerate(poly):
        xj, yj = poly[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside
