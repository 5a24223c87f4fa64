"""Where a call is: at a key site, downtown, elsewhere in a zone, or on a river bank.

Calls come from where people are. With the city's main roads in the places file, a call
falls within ``ROAD_OFFSET_M`` of one (the side streets the map lacks); without them,
anywhere in its zone. Only water rescues are by the water: other calls keep
``RIVER_CLEARANCE_M`` from a river's centre line, so nobody reports a theft mid-river.
Downtown and elsewhere exclude the key sites' circles, so the shares stay what they say.
A key site farther than ``SITE_REACH_M`` from every road is not called at all: crews refuse
a goto that far from the roads they know (Hengyang East Station is 3.4 km from the drawn
roads), and a call nobody can drive to would only take units out of service.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Callable, Sequence

from .geo import Frame, LatLon, haversine_m, inside
from .places import KeySite, Places, Zone

ROAD_OFFSET_M = 150.0
RIVER_CLEARANCE_M = 150.0
BANK_M = (40.0, 150.0)        # a water rescue, from the river's centre line
SITE_SPREAD = 0.5             # key-site calls within this share of the site's radius
SITE_REACH_M = 600.0          # with roads: key sites farther from all of them get no calls
TRIES = 400


class Lines:
    """Polylines as segments, to draw points uniformly along their length."""

    def __init__(self, frame: Frame, lines: Sequence[Sequence[LatLon]]) -> None:
        self.frame = frame
        self.segments: list[tuple[LatLon, LatLon]] = []
        self.cumulative: list[float] = []
        total = 0.0
        for line in lines:
            for a, b in itertools.pairwise(line):
                total += haversine_m(*a, *b)
                self.segments.append((a, b))
                self.cumulative.append(total)

    def __bool__(self) -> bool:
        return bool(self.segments) and self.cumulative[-1] > 0

    def point(self, rng: random.Random) -> tuple[LatLon, float]:
        """A point along the lines and the bearing (radians) of its segment."""
        i = bisect.bisect_left(self.cumulative, rng.uniform(0, self.cumulative[-1]))
        a, b = self.segments[min(i, len(self.segments) - 1)]
        f = rng.random()
        (ax, ay), (bx, by) = self.frame.xy(a), self.frame.xy(b)
        return (self.frame.latlon(ax + f * (bx - ax), ay + f * (by - ay)),
                math.atan2(bx - ax, by - ay))


class Sampler:
    def __init__(self, places: Places) -> None:
        self.places = places
        corners = [p for z in places.zones for p in z.polygon]
        self.frame = Frame(sum(p[0] for p in corners) / len(corners),
                           sum(p[1] for p in corners) / len(corners))
        self.downtown: Zone | None = places.downtown
        self.others = [z for z in places.zones if z is not self.downtown]
        self.roads = Lines(self.frame, places.roads)
        self.rivers = Lines(self.frame, places.rivers)
        self.sites = [s for s in places.key_sites if not places.roads or min(
            self.frame.distance_to_line_m((s.lat, s.lon), r) for r in places.roads)
            <= SITE_REACH_M]

    # -- predicates ----------------------------------------------------------------

    def dry(self, p: LatLon) -> bool:
        return all(self.frame.distance_to_line_m(p, r) > RIVER_CLEARANCE_M
                   for r in self.places.rivers)

    def at_key_site(self, p: LatLon) -> bool:
        return any(haversine_m(*p, s.lat, s.lon) <= s.radius_m for s in self.places.key_sites)

    def in_downtown(self, p: LatLon) -> bool:
        return self.downtown is not None and inside(p, self.downtown.polygon)

    def in_zone(self, p: LatLon) -> bool:
        return any(inside(p, z.polygon) for z in self.places.zones)

    # -- areas ---------------------------------------------------------------------

    def key_site(self, rng: random.Random) -> tuple[LatLon, KeySite] | None:
        if not self.sites:
            return None
        site = rng.choice(self.sites)
        for _ in range(TRIES // 10):
            r = site.radius_m * SITE_SPREAD * math.sqrt(rng.random())
            p = self.frame.offset((site.lat, site.lon), r, rng.uniform(0, 2 * math.pi))
            if self.dry(p):
                return p, site
        return (site.lat, site.lon), site

    def downtown_point(self, rng: random.Random) -> LatLon:
        return self._sample(rng, [self.downtown] if self.downtown else [],
                            lambda p: self.in_downtown(p) and self._plain(p))

    def elsewhere_point(self, rng: random.Random) -> tuple[LatLon, Zone | None]:
        """In a zone other than downtown (downtown itself if there is no other)."""
        if not self.others:
            return self.downtown_point(rng), self.downtown
        p = self._sample(rng, self.others, lambda p: (
            not self.in_downtown(p) and self._plain(p)
            and any(inside(p, z.polygon) for z in self.others)))
        return p, next((z for z in self.others if inside(p, z.polygon)), None)

    def river_point(self, rng: random.Random) -> LatLon | None:
        """Near a river's bank, inside a zone; None without rivers."""
        if not self.rivers:
            return None
        for _ in range(TRIES):
            p, bearing = self.rivers.point(rng)
            side = rng.choice((-1, 1)) * math.pi / 2
            p = self.frame.offset(p, rng.uniform(*BANK_M), bearing + side)
            if self.in_zone(p):
                return p
        return None

    # -- sampling ------------------------------------------------------------------

    def _plain(self, p: LatLon) -> bool:
        return self.dry(p) and not self.at_key_site(p)

    def _sample(self, rng: random.Random, zones: list[Zone],
                accept: Callable[[LatLon], bool]) -> LatLon:
        """Near a road if the file has roads, else uniform over ``zones``' bounding boxes."""
        if self.roads:
            for _ in range(TRIES):
                p, _bearing = self.roads.point(rng)
                p = self.frame.offset(p, ROAD_OFFSET_M * math.sqrt(rng.random()),
                                      rng.uniform(0, 2 * math.pi))
                if accept(p):
                    return p
        corners = [p for z in zones or self.places.zones for p in z.polygon]
        lats, lons = [c[0] for c in corners], [c[1] for c in corners]
        for _ in range(TRIES):
            p = rng.uniform(min(lats), max(lats)), rng.uniform(min(lons), max(lons))
            if accept(p):
                return p
        return (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
