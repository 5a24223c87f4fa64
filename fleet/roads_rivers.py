"""The city's rivers and main roads as named polylines, read from ``fleet/data``.

One JSON file serves both the console's map and the city simulator, so what an operator
sees drawn is what simulated vehicles drive on. Pure: no I/O beyond reading the packaged
file, no knowledge of who draws or drives it.
"""

from __future__ import annotations

import importlib.resources
import json
from dataclasses import dataclass
from typing import Any

LatLon = tuple[float, float]

#: kinds that are roads (what vehicles drive on); "river" and "waterway" are water
ROAD_KINDS = frozenset({"avenue", "street", "old_town", "bridge", "highway"})
WATER_KINDS = frozenset({"river", "waterway"})


@dataclass(frozen=True, slots=True)
class Way:
    """A named polyline of (lat_deg, lon_deg) points. ``navigable`` is set on water ways
    boats may use; a "waterway" is a navigable reach that is not drawn on its own."""

    name: str
    kind: str
    points: tuple[LatLon, ...]
    navigable: bool = False


@dataclass(frozen=True, slots=True)
class CityMap:
    name: str
    ways: tuple[Way, ...]

    @property
    def rivers(self) -> tuple[Way, ...]:
        return tuple(w for w in self.ways if w.kind == "river")

    @property
    def roads(self) -> tuple[Way, ...]:
        return tuple(w for w in self.ways if w.kind in ROAD_KINDS)

    @property
    def waterways(self) -> tuple[Way, ...]:
        """Where boats sail: every navigable river or reach."""
        return tuple(w for w in self.ways if w.kind in WATER_KINDS and w.navigable)

    def bounds(self) -> tuple[float, float, float, float]:
        """(min_lat, min_lon, max_lat, max_lon) over every point."""
        lats = [p[0] for w in self.ways for p in w.points]
        lons = [p[1] for w in self.ways for p in w.points]
        return min(lats), min(lons), max(lats), max(lons)


def parse_city_map(doc: dict[str, Any]) -> CityMap:
    """A CityMap from the decoded JSON; ValueError naming the way if anything is off."""
    ways = []
    for n, raw in enumerate(doc.get("ways", ())):
        name = str(raw.get("name") or f"way {n}")
        kind = str(raw.get("kind", ""))
        if kind not in ROAD_KINDS | WATER_KINDS:
            raise ValueError(f"{name}: unknown kind {kind!r}")
        points = tuple((float(lat), float(lon)) for lat, lon in raw.get("points", ()))
        if len(points) < 2:
            raise ValueError(f"{name}: a way needs at least 2 points")
        if not all(-90 <= lat <= 90 and -180 <= lon <= 180 for lat, lon in points):
            raise ValueError(f"{name}: a point is not a latitude/longitude")
        ways.append(Way(name, kind, points, bool(raw.get("navigable", False))))
    if not ways:
        raise ValueError("the map has no ways")
    return CityMap(str(doc.get("name", "")), tuple(ways))


def load_city_map(resource: str = "hengyang_map.json") -> CityMap:
    """The packaged map (``fleet/data/<resource>``)."""
    text = importlib.resources.files("fleet.data").joinpath(resource).read_text("utf-8")
    return parse_city_map(json.loads(text))


def read_city_map(path: str) -> CityMap:
    """A map file (the packaged one's format); OSError or ValueError saying what is wrong."""
    with open(path, encoding="utf-8") as f:
        try:
            doc = json.load(f)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise ValueError("not a map: expected a JSON object with 'ways'")
    return parse_city_map(doc)
