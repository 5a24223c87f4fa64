"""Config sections that are places on the map: bases, zones and key sites."""

from __future__ import annotations

from fleet.config.validate import Seen, Table, check_number, describe
from fleet.errors import ConfigError
from fleet.model import Base, KeySite, Position, Zone

BASE_KEYS = ("id", "name", "lat", "lon", "alt")
ZONE_KEYS = ("id", "name", "target_min", "road_factor", "polygon")
KEY_SITE_KEYS = ("id", "name", "lat", "lon", "alt", "radius_m", "target_min")


def position(t: Table) -> Position:
    return Position(
        lat_deg=t.number("lat", ge=-90, le=90),
        lon_deg=t.number("lon", ge=-180, le=180),
        alt_m=t.number("alt", 0.0),
    )


def parse_bases(root: Table) -> dict[str, Base]:
    bases: dict[str, Base] = {}
    seen = Seen("base id")
    for t in root.tables("bases"):
        t.check_keys(BASE_KEYS)
        base_id = t.string("id", id_like=True)
        seen.add(base_id, t, "id")
        bases[base_id] = Base(base_id, t.string("name", base_id), position(t))
    return bases


def _polygon(t: Table) -> tuple[tuple[float, float], ...]:
    raw = t.raw("polygon")
    key = t.path("polygon")
    if not isinstance(raw, (list, tuple)):
        raise t.expected("polygon", "an array of [lat, lon] points", raw)
    points: list[tuple[float, float]] = []
    for i, point in enumerate(raw):
        if not isinstance(point, (list, tuple)) or len(point) != 2:
            raise ConfigError(f"expected a [lat, lon] pair, got {describe(point)}",
                              path=t.source, key=f"{key}[{i}]")
        lat = check_number(point[0], t.source, f"{key}[{i}][0]", ge=-90, le=90)
        lon = check_number(point[1], t.source, f"{key}[{i}][1]", ge=-180, le=180)
        points.append((lat, lon))
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()  # a closed ring repeats its first point; the model stores it open
    if len(set(points)) < 3:
        raise t.error(f"expected at least 3 distinct [lat, lon] points, got {len(set(points))}",
                      "polygon")
    return tuple(points)


def parse_zones(root: Table) -> tuple[Zone, ...]:
    zones = []
    seen = Seen("zone id")
    for t in root.tables("zones"):
        t.check_keys(ZONE_KEYS)
        zone_id = t.string("id", id_like=True)
        seen.add(zone_id, t, "id")
        zones.append(Zone(
            id=zone_id,
            name=t.string("name", zone_id),
            target_min=t.number("target_min", gt=0),
            polygon=_polygon(t),
            road_factor=t.number("road_factor", 1.4, ge=1.0),
        ))
    return tuple(zones)


def parse_key_sites(root: Table) -> tuple[KeySite, ...]:
    sites = []
    seen = Seen("key site id")
    for t in root.tables("key_sites"):
        t.check_keys(KEY_SITE_KEYS)
        site_id = t.string("id", id_like=True)
        seen.add(site_id, t, "id")
        sites.append(KeySite(
            id=site_id,
            name=t.string("name", site_id),
            position=position(t),
            radius_m=t.number("radius_m", 300.0, gt=0),
            target_min=t.number("target_min", 1.0, gt=0),
        ))
    return tuple(sites)
