"""Where an incident is: its zone, key site, response target and distance to the river.

Pure geometry at city scale: points are projected to local east/north metres around
the query point (fleet.geo's flat frame), which is accurate to well under a metre over
the few kilometres that matter here; key sites are measured on the great circle
(:func:`fleet.geo.haversine_m`).

Rules (see docs/dispatch.md):

* A key site within its radius wins: its target (1 minute) applies.
* Otherwise the containing zone with the strictest target (ties: the first listed),
  e.g. downtown (3 min) inside the wider urban zone (5 min).
* Outside every zone: the default urban target (5 min), and the placement says so.
* Ground units use the road factor of the containing zone (else the default).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fleet.geo import METRES_PER_DEG, haversine_m, metres_per_deg
from fleet.model import KeySite, Zone

from .errors import BadLocationError, OutsideCityError

LatLon = tuple[float, float]
OUTSIDE_ZONE_ID = "(outside)"  # not a valid config id, so it never collides with one


@dataclass(frozen=True, slots=True)
class Placement:
    zone_id: str
    zone_name: str
    target_s: float
    road_factor: float
    key_site_id: str | None = None
    key_site_name: str | None = None
    river_m: float = math.inf  # distance to the nearest river segment
    note: str = ""  # e.g. "outside every zone: default 5 min urban target"

    @property
    def target_source(self) -> str:
        """What set the target, for explanations."""
        if self.key_site_id is not None:
            return f"key site {self.key_site_name}"
        return self.note or f"zone {self.zone_name}"


@dataclass(frozen=True, slots=True)
class Extent:
    """A lat/lon box incidents must fall in (the city plus a margin)."""

    south: float
    west: float
    north: float
    east: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east

    def describe(self) -> str:
        return (f"{self.south:.3f}..{self.north:.3f} N, {self.west:.3f}..{self.east:.3f} E")


def check_coordinates(lat: object, lon: object) -> tuple[float, float]:
    """``(lat, lon)`` as floats, or BadLocationError saying what is wrong."""
    out = []
    for name, value, limit in (("latitude", lat, 90.0), ("longitude", lon, 180.0)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise BadLocationError(f"{name} must be a number, got {value!r}")
        if not math.isfinite(value) or not -limit <= value <= limit:
            raise BadLocationError(f"{name} must be in -{limit:g}..{limit:g}, got {value!r}")
        out.append(float(value))
    if out == [0.0, 0.0]:  # "null island": a device with no fix, never a real call here
        raise BadLocationError("0, 0 is not a location (a device without a GPS fix?)")
    return out[0], out[1]


def city_extent(points: Iterable[LatLon], margin_m: float) -> Extent | None:
    """The box around ``points`` (zones, key sites, bases) grown by ``margin_m``; None
    without points (then any valid coordinate is accepted)."""
    pts = list(points)
    if not pts:
        return None
    south = min(p[0] for p in pts)
    north = max(p[0] for p in pts)
    dlat = margin_m / METRES_PER_DEG
    dlon = margin_m / (METRES_PER_DEG * max(0.01, math.cos(math.radians((south + north) / 2))))
    return Extent(south - dlat, min(p[1] for p in pts) - dlon, north + dlat,
                  max(p[1] for p in pts) + dlon)


def check_in_extent(lat: float, lon: float, extent: Extent | None, city: str) -> None:
    if extent is not None and not extent.contains(lat, lon):
        raise OutsideCityError(
            f"{lat:.5f}, {lon:.5f} is outside the {city} area ({extent.describe()})")


def point_in_polygon(lat: float, lon: float, polygon: Sequence[LatLon]) -> bool:
    """Even-odd ray casting in the lat/lon plane (fine for city-sized polygons)."""
    inside = False
    n = len(polygon)
    for i in range(n):
        lat1, lon1 = polygon[i]
        lat2, lon2 = polygon[(i + 1) % n]
        if (lat1 > lat) != (lat2 > lat):
            cross = lon1 + (lat - lat1) * (lon2 - lon1) / (lat2 - lat1)
            if lon < cross:
                inside = not inside
    return inside


def polyline_distance_m(lat: float, lon: float, line: Sequence[LatLon]) -> float:
    """Distance from the point to the nearest segment of ``line`` (inf when empty)."""
    if not line:
        return math.inf
    kx, ky = metres_per_deg(lat)
    pts = [((p[1] - lon) * kx, (p[0] - lat) * ky) for p in line]
    if len(pts) == 1:
        return math.hypot(*pts[0])
    best = math.inf
    for (x1, y1), (x2, y2) in itertools.pairwise(pts):
        dx, dy = x2 - x1, y2 - y1
        seg = dx * dx + dy * dy
        t = 0.0 if seg == 0 else max(0.0, min(1.0, -(x1 * dx + y1 * dy) / seg))
        best = min(best, math.hypot(x1 + t * dx, y1 + t * dy))
    return best


def locate(
    lat: float, lon: float, zones: Sequence[Zone], key_sites: Sequence[KeySite], *,
    default_target_min: float = 5.0, default_road_factor: float = 1.4,
    rivers: Sequence[Sequence[LatLon]] = (),
) -> Placement:
    """The placement of a (checked) point; see the module docstring for the rules."""
    containing = [z for z in zones if point_in_polygon(lat, lon, z.polygon)]
    zone = min(containing, key=lambda z: z.target_min) if containing else None
    river_m = min((polyline_distance_m(lat, lon, r) for r in rivers), default=math.inf)
    if zone is not None:
        zone_id, zone_name, target_s, road = zone.id, zone.name, zone.target_min * 60, \
            zone.road_factor
        note = ""
    else:
        zone_id, zone_name = OUTSIDE_ZONE_ID, "outside every zone"
        target_s, road = default_target_min * 60.0, default_road_factor
        note = f"outside every zone: default {default_target_min:g} min urban target"
    site = _nearest_site(lat, lon, key_sites)
    if site is not None:
        return Placement(zone_id, zone_name, site.target_min * 60.0, road, site.id, site.name,
                         river_m, note)
    return Placement(zone_id, zone_name, target_s, road, None, None, river_m, note)


def _nearest_site(lat: float, lon: float, sites: Sequence[KeySite]) -> KeySite | None:
    best: tuple[float, KeySite] | None = None
    for s in sites:
        d = haversine_m(lat, lon, s.position.lat_deg, s.position.lon_deg)
        if d <= s.radius_m and (best is None or d < best[0]):
            best = (d, s)
    return best[1] if best else None
