"""``[[patrols]]``: what a patrol covers and how (pattern, area, altitude, camera).

Each patrol is also planned once here, with the drone kind's speed, so geometry that
cannot be flown (a self-intersecting polygon, exclusions covering the whole area) is a
config error at the patrol's key path, not a failure at 02:00 when the schedule fires.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fleet.config.validate import Seen, Table, check_number, describe, did_you_mean
from fleet.errors import ConfigError
from fleet.model import KeySite, UnitKind, Zone
from fleet.planning.settings import PATTERNS, LatLon, PatrolConfig

COMMON_KEYS = ("id", "name", "pattern", "exclusions", "alt_m", "speed_m_s", "split",
               "duration_min", "reserve", "clearance_m")
PATTERN_KEYS: dict[str, tuple[str, ...]] = {
    "coverage": ("zone", "polygon", "spacing_m", "hfov_deg", "overlap", "angle_deg"),
    "perimeter": ("zone", "polygon", "site", "offset_m", "radius_m"),
    "tour": ("sites", "loiter_s", "closed"),
    "corridor": ("line", "offset_m"),
}


def _points(value: Any, t: Table, key: str, least: int) -> LatLon:
    if not isinstance(value, (list, tuple)):
        raise ConfigError(f"expected an array of [lat, lon] points, got {describe(value)}",
                          path=t.source, key=key)
    out = []
    for i, point in enumerate(value):
        if not isinstance(point, (list, tuple)) or len(point) != 2:
            raise ConfigError(f"expected a [lat, lon] pair, got {describe(point)}",
                              path=t.source, key=f"{key}[{i}]")
        out.append((check_number(point[0], t.source, f"{key}[{i}][0]", ge=-90, le=90),
                    check_number(point[1], t.source, f"{key}[{i}][1]", ge=-180, le=180)))
    if len(set(out)) < least:
        raise ConfigError(f"expected at least {least} distinct [lat, lon] points, got "
                          f"{len(set(out))}", path=t.source, key=key)
    return tuple(out)


def _ref(t: Table, name: str, known: Mapping[str, Any], what: str) -> str:
    value = t.string(name)
    if value not in known:
        hint = did_you_mean(value, known) if known else f" (no {what}s are defined)"
        raise t.error(f"unknown {what} {value!r}{hint}", name)
    return value


def _check_keys(t: Table, pattern: str) -> None:
    allowed = COMMON_KEYS + PATTERN_KEYS[pattern]
    for name in t.data:
        if name in allowed:
            continue
        owners = [p for p, keys in PATTERN_KEYS.items() if name in keys]
        if owners:
            raise t.error(f"key {name!r} applies to {' and '.join(owners)} patrols, "
                          f"not {pattern}")
        t.check_keys(allowed)


def _area(t: Table, zones: Mapping[str, Zone], required: bool) -> dict[str, Any]:
    if t.has("zone") and t.has("polygon"):
        raise t.error("give zone or polygon, not both", "polygon")
    if t.has("zone"):
        return {"zone": _ref(t, "zone", zones, "zone")}
    if t.has("polygon"):
        return {"polygon": _points(t.raw("polygon"), t, t.path("polygon"), 3)}
    if required:
        raise t.error("missing zone or polygon (the area to patrol)")
    return {}


def _pattern_fields(t: Table, pattern: str, zones: Mapping[str, Zone],
                    sites: Mapping[str, KeySite], alt_m: float) -> dict[str, Any]:
    from fleet.planning.coverage import line_spacing
    from fleet.planning.errors import PlanningError

    if pattern == "coverage":
        fields = _area(t, zones, required=True)
        if t.has("spacing_m") and (t.has("hfov_deg") or t.has("overlap")):
            raise t.error("give spacing_m or the camera (hfov_deg, overlap), not both",
                          "spacing_m")
        spacing = t.number("spacing_m", None, gt=0)
        if spacing is None:
            try:
                spacing = line_spacing(alt_m, t.number("hfov_deg", 70.0, gt=0, le=170),
                                       t.number("overlap", 0.2, ge=0, le=0.9))
            except PlanningError as err:
                raise t.error(str(err)) from None
        return {**fields, "spacing_m": spacing,
                "angle_deg": t.number("angle_deg", None, ge=-360, le=360)}
    if pattern == "perimeter":
        if t.has("site"):
            if t.has("zone") or t.has("polygon"):
                raise t.error("give site, zone or polygon: one place to patrol around", "site")
            return {"site": _ref(t, "site", sites, "key site"),
                    "radius_m": t.number("radius_m", None, gt=0)}
        if t.has("radius_m"):
            raise t.error("radius_m applies to a site's orbit; use offset_m around an area",
                          "radius_m")
        return {**_area(t, zones, required=True), "offset_m": t.number("offset_m", 50.0)}
    if pattern == "tour":
        names = t.string_list("sites")
        for i, name in enumerate(names):
            if name not in sites:
                hint = did_you_mean(name, sites) if sites else " (no key sites are defined)"
                raise ConfigError(f"unknown key site {name!r}{hint}", path=t.source,
                                  key=f"{t.path('sites')}[{i}]")
        if not names:
            raise t.expected("sites", "at least one key site id", t.raw("sites"))
        return {"sites": tuple(names), "loiter_s": t.number("loiter_s", 60.0, ge=0, le=3600),
                "closed": t.boolean("closed", True)}
    return {"line": _points(t.raw("line"), t, t.path("line"), 2),
            "offset_m": t.number("offset_m", 0.0, ge=0)}


def parse_patrols(root: Table, zones: tuple[Zone, ...], key_sites: tuple[KeySite, ...],
                  kinds: Mapping[UnitKind, Any]) -> tuple[PatrolConfig, ...]:
    zone_by_id = {z.id: z for z in zones}
    site_by_id = {s.id: s for s in key_sites}
    seen = Seen("patrol id")
    patrols = []
    for t in root.tables("patrols"):
        pattern = t.choice("pattern", PATTERNS)
        _check_keys(t, pattern)
        patrol_id = t.string("id", id_like=True)
        seen.add(patrol_id, t, "id")
        alt = t.number("alt_m", 60.0, gt=0, le=500)
        exclusions = t.raw("exclusions", [])
        if not isinstance(exclusions, (list, tuple)):
            raise t.expected("exclusions", "an array of polygons", exclusions)
        patrol = PatrolConfig(
            id=patrol_id, name=t.string("name", patrol_id), pattern=pattern,
            exclusions=tuple(_points(e, t, f"{t.path('exclusions')}[{i}]", 3)
                             for i, e in enumerate(exclusions)),
            alt_m=alt, speed_m_s=t.number("speed_m_s", None, gt=0),
            split=t.integer("split", 1, ge=1, le=50),
            duration_min=t.number("duration_min", 30.0, gt=0),
            reserve=t.number("reserve", 0.25, ge=0, le=0.9),
            clearance_m=t.number("clearance_m", 10.0, ge=0),
            **_pattern_fields(t, pattern, zone_by_id, site_by_id, alt),
        )
        _check_plan(patrol, t, zone_by_id, site_by_id, kinds)
        patrols.append(patrol)
    return tuple(patrols)


def _check_plan(patrol: PatrolConfig, t: Table, zones: Mapping[str, Zone],
                sites: Mapping[str, KeySite], kinds: Mapping[UnitKind, Any]) -> None:
    """Plan the patrol once: bad geometry becomes an error at the key that holds it."""
    from fleet.planning.errors import PlanningError
    from fleet.planning.patrols import build_plan

    speed = patrol.speed_m_s or kinds[UnitKind.DRONE].cruise_speed_m_s
    try:
        build_plan(patrol, zones, sites, speed_m_s=speed)
    except PlanningError as err:
        message = str(err)
        if message.startswith("exclusion "):
            number, _, rest = message.removeprefix("exclusion ").partition(": ")
            if number.isdigit():
                raise ConfigError(rest, path=t.source,
                                  key=f"{t.path('exclusions')}[{int(number) - 1}]") from None
        prefix = f"patrol {patrol.id}: "
        if message.startswith(prefix):
            where = "zone" if patrol.zone else "polygon" if patrol.polygon else None
            if "exclusion zones" in message:
                where = "exclusions"
            raise t.error(message.removeprefix(prefix), where) from None
        raise t.error(message) from None
