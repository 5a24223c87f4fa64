"""Scalar geodesy for one point at a time: a flat local frame around a reference point.

Equirectangular (x = R·cos(lat0)·Δlon, y = R·Δlat), as :mod:`fleet.planning.frame` does for
arrays: over a city the error is well under a metre per kilometre, below GPS noise, and
every conversion is a multiply-add. The Earth radius is :data:`fleet.eta.EARTH_RADIUS_M`.
"""

from __future__ import annotations

import math

from .eta import EARTH_RADIUS_M

_M_PER_DEG = math.pi / 180.0 * EARTH_RADIUS_M


def offset_m(lat0: float, lon0: float, lat: float, lon: float) -> tuple[float, float]:
    """(east, north) metres of (lat, lon) from (lat0, lon0)."""
    return ((lon - lon0) * _M_PER_DEG * math.cos(math.radians(lat0)),
            (lat - lat0) * _M_PER_DEG)


def displace(lat0: float, lon0: float, east_m: float, north_m: float) -> tuple[float, float]:
    """The (lat, lon) ``east_m``, ``north_m`` metres from (lat0, lon0)."""
    return (lat0 + north_m / _M_PER_DEG,
            lon0 + east_m / (_M_PER_DEG * math.cos(math.radians(lat0))))


def distance_m(lat0: float, lon0: float, lat: float, lon: float) -> float:
    """Flat distance in metres; infinite when either point is unknown (NaN)."""
    if math.isnan(lat0) or math.isnan(lat):
        return math.inf
    return math.hypot(*offset_m(lat0, lon0, lat, lon))


def bearing_rad(lat0: float, lon0: float, lat: float, lon: float) -> float:
    """Bearing from the first point to the second, radians clockwise from north (NED yaw)."""
    east, north = offset_m(lat0, lon0, lat, lon)
    return math.atan2(east, north) % math.tau
