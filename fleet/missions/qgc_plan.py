"""QGroundControl ``.plan`` files: mission, geofence and rally points in one JSON document.

Written after QGC's own reader and writer (``src/MissionManager/``: ``MissionController``,
``MissionItem``, ``SimpleMissionItem``, ``GeoFenceController``, ``GeoFenceManager``,
``QGCFencePolygon``, ``QGCMapCircle``, ``RallyPointController``) and its "Plan File Format"
page. What that means here:

* file ``version`` 1, ``fileType`` "Plan"; mission ``version`` 2 (the only one QGC reads),
  geoFence and rallyPoints ``version`` 2, each polygon and circle ``version`` 1;
* a SimpleItem's ``params`` are MAVLink param1-7 with NaN written as null; ``frame`` and
  ``params[6]`` are what QGC sends, so they are read as the truth (``Altitude``,
  ``AltitudeMode`` and ``AMSLAltAboveTerrain`` are written for QGC's editor only);
* ``doJumpId`` numbers items from 1 and DO_JUMP's param1 names a doJumpId; items here are
  numbered the same way, so export writes doJumpId = item number and import maps each
  DO_JUMP target back to the item number of the item carrying that doJumpId;
* the fence is polygons, then circles, then the ``breachReturn`` point, the order QGC
  uploads them; a fence whose items interleave differently comes back in that order;
* ComplexItems (survey, corridor and structure scans, landing patterns) are refused: they
  expand into items only QGC can compute.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from fleet.missions import catalog as c
from fleet.missions.fileio import read_text, write_text
from fleet.missions.items import (
    MissionItem,
    MissionType,
    Plan,
    fence_circle,
    fence_polygon,
    fence_return_point,
    home_item,
    rally_point,
)
from fleet.missions.jsonfields import JsonFields, key_path
from fleet.missions.validate import validate

FILE_VERSION = 1
MISSION_VERSION = 2
GEOFENCE_VERSION = 2
RALLY_VERSION = 2
SHAPE_VERSION = 1
#: QGroundControlQmlGlobal::AltMode (Mixed 0, Relative 1, Absolute 2, CalcAboveTerrain 3,
#: TerrainFrame 4): the editor's altitude mode for each MAVLink frame
_DEFAULT = Plan()
_ALT_MIXED, _ALT_RELATIVE, _ALT_ABSOLUTE, _ALT_TERRAIN_FRAME = 0, 1, 2, 4
_ALT_MODE = {
    mavlink2.MAV_FRAME_GLOBAL_RELATIVE_ALT: _ALT_RELATIVE,
    mavlink2.MAV_FRAME_GLOBAL: _ALT_ABSOLUTE,
    mavlink2.MAV_FRAME_GLOBAL_TERRAIN_ALT: _ALT_TERRAIN_FRAME,
}


# --- export --------------------------------------------------------------------------

def _num(value: float) -> float | int | None:
    """QGC's JSON: NaN as null; whole numbers without ``.0`` (QJsonDocument writes 50)."""
    if math.isnan(value):
        return None
    if math.isinf(value):
        raise ValueError("infinity cannot be written to a .plan file")
    if float(value).is_integer() and abs(value) < 2**53:
        return int(value)
    return float(value)


def _frame(item: MissionItem) -> int:
    return c.INT_FRAME_TWIN.get(item.frame, item.frame)


def _mission_json(plan: Plan) -> dict[str, Any]:
    items = []
    modes = set()
    for number, item in enumerate(plan.mission, start=1):
        obj: dict[str, Any] = {
            "autoContinue": bool(item.autocontinue),
            "command": item.command,
            "doJumpId": number,
            "frame": item.frame,
            "params": [_num(p) for p in item.params],
            "type": "SimpleItem",
        }
        mode = _ALT_MODE.get(_frame(item))
        if item.command in c.POSITIONAL and mode is not None:
            modes.add(mode)
            obj.update(AMSLAltAboveTerrain=None, Altitude=_num(item.alt_m), AltitudeMode=mode)
        items.append(obj)
    home = plan.home or _guess_home(plan.mission)
    return {
        "cruiseSpeed": _num(plan.cruise_speed_m_s),
        "firmwareType": plan.firmware_type,
        "globalPlanAltitudeMode": modes.pop() if len(modes) == 1 else (
            _ALT_MIXED if modes else _ALT_RELATIVE),
        "hoverSpeed": _num(plan.hover_speed_m_s),
        "items": items,
        "plannedHomePosition": [_num(home.lat_deg), _num(home.lon_deg), _num(home.alt_m)],
        "vehicleType": plan.vehicle_type,
        "version": MISSION_VERSION,
    }


def _guess_home(mission: tuple[MissionItem, ...]) -> MissionItem:
    """QGC needs a planned home: the first positioned item's lat/lon at 0 m, else 0, 0."""
    for item in mission:
        if item.command in c.POSITIONAL and (item.lat_deg or item.lon_deg):
            return home_item(item.lat_deg, item.lon_deg, 0.0)
    return home_item(0.0, 0.0, 0.0)


def _fence_json(fence: tuple[MissionItem, ...]) -> dict[str, Any]:
    validate(fence, MissionType.FENCE)  # groups vertices into whole polygons, or raises
    polygons, circles, out = [], [], {}
    i = 0
    while i < len(fence):
        item = fence[i]
        if item.command in c.FENCE_POLYGONS:
            size = int(item.param1)
            polygons.append({
                "inclusion": item.command == c.FENCE_POLYGON_INCLUSION,
                "polygon": [[_num(v.lat_deg), _num(v.lon_deg)] for v in fence[i:i + size]],
                "version": SHAPE_VERSION,
            })
            i += size
            continue
        if item.command in c.FENCE_CIRCLES:
            circles.append({
                "circle": {"center": [_num(item.lat_deg), _num(item.lon_deg)],
                           "radius": _num(item.param1)},
                "inclusion": item.command == c.FENCE_CIRCLE_INCLUSION,
                "version": SHAPE_VERSION,
            })
        else:  # the return point
            out["breachReturn"] = [_num(item.lat_deg), _num(item.lon_deg), _num(item.alt_m)]
        i += 1
    return {**out, "circles": circles, "polygons": polygons, "version": GEOFENCE_VERSION}


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """The plan as QGC's JSON object; the fence and rally lists must pass validation."""
    validate(plan.rally, MissionType.RALLY)
    return {
        "fileType": "Plan",
        "geoFence": _fence_json(plan.fence),
        "groundStation": "QGroundControl",
        "mission": _mission_json(plan),
        "rallyPoints": {
            "points": [[_num(p.lat_deg), _num(p.lon_deg), _num(p.alt_m)] for p in plan.rally],
            "version": RALLY_VERSION,
        },
        "version": FILE_VERSION,
    }


def dumps_plan(plan: Plan) -> str:
    """The plan as ``.plan`` text, keys sorted and indented as QGC writes them."""
    return json.dumps(plan_to_json(plan), indent=4, sort_keys=True, allow_nan=False) + "\n"


def write_plan(plan: Plan, path: str | os.PathLike[str]) -> None:
    write_text(path, dumps_plan(plan))


# --- import --------------------------------------------------------------------------

def _coordinate(r: JsonFields, value: Any, where: str, with_alt: bool) -> list[float]:
    values = r.array(value, where, 3 if with_alt else 2)
    return [r.number(v, key_path(where, i)) for i, v in enumerate(values)]


def _simple_item(r: JsonFields, obj: dict[str, Any], where: str) -> tuple[MissionItem, int]:
    command = r.integer(r.field(obj, "command", where), key_path(where, "command"))
    frame = r.integer(r.field(obj, "frame", where), key_path(where, "frame"))
    auto = r.boolean(r.field(obj, "autoContinue", where), key_path(where, "autoContinue"))
    jump_id = r.integer(obj.get("doJumpId", -1), key_path(where, "doJumpId"))
    raw = r.array(r.field(obj, "params", where), key_path(where, "params"))
    if "coordinate" in obj and len(raw) == 4:  # QGC's older item layout, still loaded by QGC
        raw = [*raw, *r.array(obj["coordinate"], key_path(where, "coordinate"), 3)]
    if len(raw) != 7:
        raise r.fail(key_path(where, "params"), f"expected 7 values, found {len(raw)}")
    params = [r.number(v, key_path(key_path(where, "params"), i), null_ok=True)
              for i, v in enumerate(raw)]
    if command not in c.POSITIONAL:  # unused x/y/z: null means nothing, not NaN
        params[4:] = [0.0 if math.isnan(p) else p for p in params[4:]]
    return MissionItem(command, frame, *params, autocontinue=auto), jump_id


def _mission_items(r: JsonFields, mission: dict[str, Any]) -> tuple[MissionItem, ...]:
    raw_items = r.array(r.field(mission, "items", "mission"), "mission.items")
    items: list[MissionItem] = []
    number_of_jump_id: dict[int, int] = {}
    for i, value in enumerate(raw_items):
        where = f"mission.items[{i}]"
        obj = r.object(value, where)
        kind = r.string(r.field(obj, "type", where), key_path(where, "type"))
        if kind == "ComplexItem":
            name = obj.get("complexItemType", "unknown")
            raise r.fail(where, f"ComplexItem {name!r} is not supported (only SimpleItem)")
        if kind != "SimpleItem":
            raise r.fail(key_path(where, "type"), f"unknown item type {kind!r}")
        item, jump_id = _simple_item(r, obj, where)
        items.append(item)
        if jump_id >= 1:  # QGC numbers from 1; -1 means "none given"
            number_of_jump_id.setdefault(jump_id, len(items))
    for i, item in enumerate(items):
        if item.command == c.DO_JUMP:
            target = item.param1
            number = number_of_jump_id.get(int(target)) if target.is_integer() else None
            if number is None:
                raise r.fail(f"mission.items[{i}].params[0]",
                             f"DO_JUMP target doJumpId {target:g} matches no item")
            items[i] = MissionItem(item.command, item.frame, float(number), *item.params[1:],
                                   autocontinue=item.autocontinue)
    return tuple(items)


def _fence_items(r: JsonFields, fence: dict[str, Any]) -> tuple[MissionItem, ...]:
    r.version(fence, "geoFence", GEOFENCE_VERSION)
    items: list[MissionItem] = []
    polygons = r.array(r.field(fence, "polygons", "geoFence"), "geoFence.polygons")
    for i, value in enumerate(polygons):
        where = f"geoFence.polygons[{i}]"
        obj = r.object(value, where)
        r.version(obj, where, SHAPE_VERSION, required=False)
        inclusion = r.boolean(r.field(obj, "inclusion", where), key_path(where, "inclusion"))
        points = r.array(r.field(obj, "polygon", where), key_path(where, "polygon"))
        vertices = [_coordinate(r, p, f"{where}.polygon[{k}]", False)
                    for k, p in enumerate(points)]
        if len(vertices) < 3:
            raise r.fail(key_path(where, "polygon"),
                         f"a fence polygon needs at least 3 vertices, found {len(vertices)}")
        items += fence_polygon([(lat, lon) for lat, lon in vertices], inclusion=inclusion)
    circles = r.array(r.field(fence, "circles", "geoFence"), "geoFence.circles")
    for i, value in enumerate(circles):
        where = f"geoFence.circles[{i}]"
        obj = r.object(value, where)
        r.version(obj, where, SHAPE_VERSION, required=False)
        inclusion = r.boolean(r.field(obj, "inclusion", where), key_path(where, "inclusion"))
        circle = r.object(r.field(obj, "circle", where), key_path(where, "circle"))
        lat, lon = _coordinate(r, r.field(circle, "center", f"{where}.circle"),
                               f"{where}.circle.center", False)
        radius = r.number(r.field(circle, "radius", f"{where}.circle"),
                          f"{where}.circle.radius")
        items.append(fence_circle(lat, lon, radius, inclusion))
    if "breachReturn" in fence:
        lat, lon, alt = _coordinate(r, fence["breachReturn"], "geoFence.breachReturn", True)
        items.append(fence_return_point(lat, lon, alt))
    return tuple(items)


def _rally_items(r: JsonFields, rally: dict[str, Any]) -> tuple[MissionItem, ...]:
    r.version(rally, "rallyPoints", RALLY_VERSION)
    points = r.array(r.field(rally, "points", "rallyPoints"), "rallyPoints.points")
    return tuple(rally_point(*_coordinate(r, p, f"rallyPoints.points[{i}]", True))
                 for i, p in enumerate(points))


def plan_from_json(data: Any, source: str = "<plan>") -> Plan:
    """A parsed ``.plan`` document as a :class:`Plan`; ``source`` labels errors."""
    r = JsonFields(source)
    root = r.object(data, "")
    file_type = r.string(r.field(root, "fileType", ""), "fileType")
    if file_type != "Plan":
        raise r.fail("fileType", f"expected 'Plan', found {file_type!r}")
    r.version(root, "", FILE_VERSION)
    mission = r.object(r.field(root, "mission", ""), "mission")
    r.version(mission, "mission", MISSION_VERSION)
    firmware = r.integer(r.field(mission, "firmwareType", "mission"), "mission.firmwareType")
    lat, lon, alt = _coordinate(r, r.field(mission, "plannedHomePosition", "mission"),
                                "mission.plannedHomePosition", True)
    fence = root.get("geoFence")
    rally = root.get("rallyPoints")
    return Plan(
        mission=_mission_items(r, mission),
        fence=() if fence is None else _fence_items(r, r.object(fence, "geoFence")),
        rally=() if rally is None else _rally_items(r, r.object(rally, "rallyPoints")),
        home=home_item(lat, lon, alt),
        cruise_speed_m_s=r.number(mission.get("cruiseSpeed", _DEFAULT.cruise_speed_m_s),
                                  "mission.cruiseSpeed"),
        hover_speed_m_s=r.number(mission.get("hoverSpeed", _DEFAULT.hover_speed_m_s),
                                 "mission.hoverSpeed"),
        firmware_type=firmware,
        vehicle_type=r.integer(mission.get("vehicleType", _DEFAULT.vehicle_type),
                               "mission.vehicleType"),
    )


def loads_plan(text: str, source: str = "<string>") -> Plan:
    r = JsonFields(source)
    return plan_from_json(r.parse(text), source)


def read_plan(path: str | os.PathLike[str]) -> Plan:
    """Read a ``.plan`` file; any problem is a one-line :class:`MissionFileError`."""
    return loads_plan(read_text(path), str(path))
