"""Geodesy, in one place: the Earth radius, distances, and the flat local frame.

Everything in fleet that turns degrees into metres comes from here:

- the sphere: :data:`EARTH_RADIUS_M` (the mean radius), :func:`haversine_m` for one
  pair of points, :func:`unit_vector` and :func:`arc_m` for many rows at once;
- the flat local frame, equirectangular (x = R·cos(lat0)·Δlon, y = R·Δlat): over a city
  the error is well under a metre per kilometre, below GPS noise, and every conversion
  is a multiply-add. One point at a time: :func:`offset_m`, :func:`displace`,
  :func:`distance_m`, :func:`bearing_rad`; arrays: :class:`LocalFrame`. Both take their
  scale from :func:`metres_per_deg`.

:func:`arc_m` is the distance kernel of every ETA ranking (fleet/eta.py and
fleet/dispatch/ranking.py, through :func:`fleet.eta.travel`): positions are kept as
unit vectors on the sphere (fleet/columns.py), so a row's distance is chord
arithmetic. The angle is 2·asin(c/2), which for c ≤ :data:`SERIES_MAX_CHORD` (about
300 km) is c·(1 + c²/24) to better than 1e-7; farther rows get the exact arcsine, so a
city-sized query needs no trigonometry per row (numpy's costs many times its
arithmetic per element: figures in docs/benchmarks.md).

Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

#: the mean Earth radius (IUGG), metres
EARTH_RADIUS_M = 6_371_008.8
#: metres per degree of latitude (and of longitude on the equator)
METRES_PER_DEG = math.pi / 180.0 * EARTH_RADIUS_M
#: below this chord (unit sphere), c·(1 + c²/24) is the arc to better than 1e-7
SERIES_MAX_CHORD = 0.05

_fmax = np.fmax.reduce


# -- the sphere ---------------------------------------------------------------------
def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def unit_vector(lat_deg: float, lon_deg: float) -> tuple[float, float, float]:
    """The point as (x, y, z) on the unit sphere (what fleet/columns.py keeps per row)."""
    lat = math.radians(lat_deg)
    lon = math.radians(lon_deg)
    return math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)


def chord_to_metres(chord: float) -> float:
    """The great-circle distance of a chord of the unit sphere, exactly."""
    return 2.0 * EARTH_RADIUS_M * math.asin(min(1.0, chord / 2.0))


def arc_m(x: np.ndarray, y: np.ndarray, z: np.ndarray, lat_deg: float, lon_deg: float, *,
          out: np.ndarray, chord: np.ndarray) -> np.ndarray:
    """Great-circle metres from each row's unit vector (x, y, z) to (lat, lon), into
    ``out``; ``chord`` gets each row's chord (unit sphere). NaN rows stay NaN.

    Written for speed: in place, no temporaries, trigonometry only for rows farther than
    :data:`SERIES_MAX_CHORD` (checked with one reduction, so usually none).
    """
    x0, y0, z0 = unit_vector(lat_deg, lon_deg)
    # chord² = |p - p0|²
    np.subtract(x, x0, out=chord)
    np.square(chord, out=chord)
    np.subtract(y, y0, out=out)
    np.square(out, out=out)
    np.add(chord, out, out=chord)
    np.subtract(z, z0, out=out)
    np.square(out, out=out)
    np.add(chord, out, out=chord)
    # angle = c (1 + c²/24), the exact arcsine for the (rare) far rows
    np.multiply(chord, 1.0 / 24.0, out=out)
    np.add(out, 1.0, out=out)
    np.sqrt(chord, out=chord)
    np.multiply(out, chord, out=out)
    if _fmax(chord, initial=0.0) > SERIES_MAX_CHORD:  # fmax skips NaN rows
        far = np.flatnonzero(chord > SERIES_MAX_CHORD)
        out[far] = 2.0 * np.arcsin(np.minimum(chord[far] / 2.0, 1.0))
    np.multiply(out, EARTH_RADIUS_M, out=out)
    return out


# -- the flat local frame -------------------------------------------------------------
def metres_per_deg(lat0_deg: float) -> tuple[float, float]:
    """The flat frame's scale around latitude ``lat0_deg``: metres per degree of
    longitude (east) and of latitude (north)."""
    return METRES_PER_DEG * math.cos(math.radians(lat0_deg)), METRES_PER_DEG


def offset_m(lat0: float, lon0: float, lat: float, lon: float) -> tuple[float, float]:
    """(east, north) metres of (lat, lon) from (lat0, lon0)."""
    return ((lon - lon0) * METRES_PER_DEG * math.cos(math.radians(lat0)),
            (lat - lat0) * METRES_PER_DEG)


def displace(lat0: float, lon0: float, east_m: float, north_m: float) -> tuple[float, float]:
    """The (lat, lon) ``east_m``, ``north_m`` metres from (lat0, lon0)."""
    return (lat0 + north_m / METRES_PER_DEG,
            lon0 + east_m / (METRES_PER_DEG * math.cos(math.radians(lat0))))


def distance_m(lat0: float, lon0: float, lat: float, lon: float) -> float:
    """Flat distance in metres; infinite when either point is unknown (NaN)."""
    if math.isnan(lat0) or math.isnan(lat):
        return math.inf
    return math.hypot(*offset_m(lat0, lon0, lat, lon))


def bearing_rad(lat0: float, lon0: float, lat: float, lon: float) -> float:
    """Bearing from the first point to the second, radians clockwise from north (NED yaw)."""
    east, north = offset_m(lat0, lon0, lat, lon)
    return math.atan2(east, north) % math.tau


@dataclass(frozen=True, slots=True)
class LocalFrame:
    """The flat frame around (lat0, lon0) for arrays of points: (N, 2) [lat, lon]
    degrees to (N, 2) [east, north] metres and back. Over a city (±15 km) the scale error
    from using one cos(lat0) is below 0.1 %, a few metres at the edge, well inside a
    sensor footprint or a road's width."""

    lat0_deg: float
    lon0_deg: float

    @classmethod
    def around(cls, latlon: Iterable[tuple[float, float]] | np.ndarray) -> LocalFrame:
        """A frame centred on the bounding box of some (lat, lon) points."""
        pts = np.asarray(latlon, dtype=float).reshape(-1, 2)
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        return cls(float((lo[0] + hi[0]) / 2), float((lo[1] + hi[1]) / 2))

    @property
    def _scale(self) -> tuple[float, float]:
        return metres_per_deg(self.lat0_deg)

    def to_xy(self, latlon: Iterable[tuple[float, float]] | np.ndarray) -> np.ndarray:
        """(N, 2) [lat, lon] degrees -> (N, 2) [east, north] metres."""
        pts = np.asarray(latlon, dtype=float).reshape(-1, 2)
        sx, sy = self._scale
        return np.column_stack(((pts[:, 1] - self.lon0_deg) * sx, (pts[:, 0] - self.lat0_deg) * sy))

    def to_latlon(self, xy: Iterable[tuple[float, float]] | np.ndarray) -> np.ndarray:
        """(N, 2) [east, north] metres -> (N, 2) [lat, lon] degrees."""
        pts = np.asarray(xy, dtype=float).reshape(-1, 2)
        sx, sy = self._scale
        return np.column_stack((self.lat0_deg + pts[:, 1] / sy, self.lon0_deg + pts[:, 0] / sx))

    def point(self, lat_deg: float, lon_deg: float) -> np.ndarray:
        """One (lat, lon) as a length-2 [east, north] array."""
        return self.to_xy([(lat_deg, lon_deg)])[0]
