"""Where a ground or water unit patrols when the operator says "start patrol".

A configured patrol whose schedule names the unit wins (its planned path, from the
core's ``patrol_routes()``). Otherwise the unit patrols the stretch of the nearest main
road (or, for a boat, the river) around where it is, which is what a dispatcher means by
"patrol your area".
Pure: no Textual, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from fleet import geo
from fleet.events import UnitSnapshot
from fleet.model import Domain
from fleet.roads_rivers import CityMap, Way

from .service_api import PatrolRouteLike

LatLon = tuple[float, float]
LAND_REACH_M = 1_500.0
WATER_REACH_M = 3_000.0


def distance_m(a: LatLon, b: LatLon) -> float:
    """fleet's flat distance (:func:`fleet.geo.distance_m`) between two (lat, lon)."""
    return geo.distance_m(a[0], a[1], b[0], b[1])


def configured_route(patrols: Iterable[PatrolRouteLike], unit_id: str
                     ) -> tuple[LatLon, ...] | None:
    for patrol in patrols:
        if unit_id in patrol.units and len(patrol.points) >= 2:
            return tuple(patrol.points)
    return None


def stretch_of(way: Way, here: LatLon, reach_m: float) -> tuple[LatLon, ...]:
    """The contiguous points of ``way`` within ``reach_m`` of its point nearest ``here``
    (at least that point and a neighbour)."""
    pts = way.points
    near = min(range(len(pts)), key=lambda i: distance_m(pts[i], here))
    lo = hi = near
    while lo > 0 and distance_m(pts[lo - 1], pts[near]) <= reach_m:
        lo -= 1
    while hi < len(pts) - 1 and distance_m(pts[hi + 1], pts[near]) <= reach_m:
        hi += 1
    if lo == hi:
        hi = min(hi + 1, len(pts) - 1)
        lo = max(0, hi - 1)
    return tuple(pts[lo:hi + 1])


def nearest_stretch(ways: Sequence[Way], here: LatLon, reach_m: float
                    ) -> tuple[LatLon, ...] | None:
    if not ways:
        return None
    way = min(ways, key=lambda w: min(distance_m(p, here) for p in w.points))
    route = stretch_of(way, here, reach_m)
    return route if len(route) >= 2 else None


def where(snap: UnitSnapshot) -> LatLon | None:
    """The unit's reported position, else its base."""
    tel = snap.telemetry
    if tel is not None and math.isfinite(tel.lat_deg) and math.isfinite(tel.lon_deg):
        return tel.lat_deg, tel.lon_deg
    base = snap.unit.base
    return (base.position.lat_deg, base.position.lon_deg) if base is not None else None


def patrol_route(snap: UnitSnapshot, city: CityMap | None,
                 patrols: Iterable[PatrolRouteLike] = ()) -> tuple[LatLon, ...] | None:
    """The route a ground or water unit should patrol, or None if none can be found."""
    route = configured_route(patrols, snap.id)
    if route is not None or city is None:
        return route
    here = where(snap)
    if here is None:
        return None
    if snap.unit.kind.domain is Domain.WATER:
        return nearest_stretch(city.waterways, here, WATER_REACH_M)
    roads = [w for w in city.roads if w.kind not in ("highway", "bridge")]
    return nearest_stretch(roads, here, LAND_REACH_M)
